"""Tests of deepfake_lib.paper_b.preprocessing: z-score per clip, seeded augmentation,
denoising, SMOTE on training clips, and stabilisation against known camera shifts."""

import numpy as np

from deepfake_lib.paper_b import preprocessing
from deepfake_lib.paper_b.clips import ClipSet

T, S = 3, 16


def test_zscore_per_clip_and_brightness_invariance():
    rng = np.random.default_rng(0)
    X = rng.integers(20, 200, (4, T, S, S, 3)).astype(np.uint8)
    Z = preprocessing.zscore(X)
    np.testing.assert_allclose(Z.reshape(4, -1).mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(Z.reshape(4, -1).std(1), 1, atol=1e-4)
    brighter = (X.astype(np.float32) * 0.8 + 30)                   # clip-wide contrast + brightness
    np.testing.assert_allclose(preprocessing.zscore(brighter), Z, atol=1e-4)


def test_augment_is_seeded_and_changes_clips():
    X = np.random.default_rng(1).integers(0, 256, (3, T, S, S, 3)).astype(np.uint8)
    a = preprocessing.augment(X, np.random.default_rng(5))
    b = preprocessing.augment(X, np.random.default_rng(5))
    assert a.dtype == np.uint8 and a.shape == X.shape
    np.testing.assert_array_equal(a, b)
    assert np.abs(a.astype(int) - X).mean() > 1


def test_denoise_reduces_noise():
    rng = np.random.default_rng(2)
    clean = np.full((1, 2, 32, 32, 3), 128, np.uint8)
    noisy = np.clip(clean + rng.normal(0, 15, clean.shape), 0, 255).astype(np.uint8)
    out = preprocessing.denoise(noisy, h=15)
    assert out.shape == noisy.shape
    assert np.abs(out.astype(int) - 128).mean() < 0.5 * np.abs(noisy.astype(int) - 128).mean()


def test_smote_balances_training_clips():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9, T, 4, 4, 3)).astype(np.float32)
    y = np.array([1] * 6 + [0] * 3)
    Xs, ys, n = preprocessing.smote(X, y, seed=0)
    assert n == 3 and np.bincount(ys).tolist() == [6, 6]
    np.testing.assert_array_equal(Xs[:9], X)                       # originals first, untouched
    assert Xs.shape[1:] == X.shape[1:]


def _shifted_clip(shifts, size=64):
    """A textured scene seen through a camera that moves by ``shifts`` (dx, dy) per frame."""
    rng = np.random.default_rng(0)
    scene = rng.integers(0, 256, (size + 20, size + 20, 3)).astype(np.uint8)
    import cv2

    scene = cv2.GaussianBlur(scene, (0, 0), 1.5)
    frames = [scene[10 + dy:10 + dy + size, 10 + dx:10 + dx + size] for dx, dy in shifts]
    return np.stack(frames)[None]


def test_stabilise_removes_a_known_camera_translation():
    shifts = [(0, 0), (3, -2), (5, 1), (-2, 4)]
    X = _shifted_clip(shifts)
    out = preprocessing.stabilise(X)
    inner = (slice(8, -8), slice(8, -8))
    before = [np.abs(X[0, t][inner].astype(int) - X[0, 0][inner]).mean() for t in range(1, 4)]
    after = [np.abs(out[0, t][inner].astype(int) - X[0, 0][inner]).mean() for t in range(1, 4)]
    assert all(a < 0.3 * b for a, b in zip(after, before)), (before, after)
    np.testing.assert_array_equal(out[0, 0], X[0, 0])             # the first frame is the anchor
    still = _shifted_clip([(0, 0)] * 3)
    np.testing.assert_array_equal(preprocessing.stabilise(still), still)


def test_prepare_counts_and_leaves_other_splits_unbalanced():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 256, (7, T, S, S, 3)).astype(np.uint8)
    y = np.array([1, 1, 1, 1, 1, 0, 0])
    cs = ClipSet(X, y, np.array(list("abcdefg")), np.array(["train"] * 7), np.array(["m"] * 7))
    Xt, yt, info = preprocessing.prepare(cs, True, seed=0, denoise_h=None, n_augment=1)
    assert info["after_augment"] == 14 and np.bincount(yt).tolist() == [10, 10]
    assert Xt.dtype == np.float32 and Xt.shape[1:] == X.shape[1:]
    Xv, yv, info_v = preprocessing.prepare(cs, False, seed=0, denoise_h=None)
    assert len(yv) == 7 and "smote_synthetic" not in info_v
