"""Toy sequences for paper C's tests: features of two classes a little apart."""

import numpy as np

#: Sequence length and feature size of the toy data.
T, F = 5, 16


def make_toy(seed: int = 0, n: int = 8):
    """``(feats (n, T, F), mask (n, T), y (n,))``: video 0 padded on the right, video 1 with
    a hole in the middle, labels alternating."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    feats = (rng.normal(size=(n, T, F)) + y[:, None, None] * 0.8).astype("float32")
    mask = np.ones((n, T), bool)
    mask[0, -2:] = False                      # padding on the right
    mask[1, 2] = False                        # a hole
    return feats, mask, y
