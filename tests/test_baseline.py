"""deepfake_lib.baseline: the learnability control's features, fit and shuffled-label control."""

import numpy as np
import pytest

from deepfake_lib import baseline


def _videos(rng, n, flicker, T=6, S=16):
    """``[n, T, S, S, 3]`` uint8: a random still image per video; with ``flicker`` every frame
    gets its own brightness offset of +-flicker grey levels."""
    base = rng.integers(40, 200, (n, 1, S, S, 3)).astype(float)
    X = np.repeat(base, T, axis=1)
    if flicker:
        X += rng.choice([-flicker, flicker], (n, T, 1, 1, 1))
    return np.clip(X, 0, 255).astype(np.uint8)


def test_features_have_the_documented_shape_and_are_deterministic():
    X = _videos(np.random.default_rng(0), 3, flicker=10)
    F = baseline.video_features(X)
    assert F.shape == (3, len(baseline.FEATURES)) and F.dtype == np.float64
    np.testing.assert_array_equal(F, baseline.video_features(X.copy()))
    assert np.isfinite(F).all()


def test_static_video_has_zero_flicker_and_flicker_is_measured_in_grey_levels():
    X = _videos(np.random.default_rng(1), 2, flicker=0)
    F = baseline.video_features(X)
    col = baseline.FEATURES.index
    assert F[:, col("flicker")].tolist() == [0.0, 0.0]
    assert F[:, col("red_sd")].tolist() == [0.0, 0.0]
    # a uniform +-10 step between frames: grey difference 20 on every pixel of every pair
    X2 = np.full((1, 4, 8, 8, 3), 100, np.uint8)
    X2[0, 1::2] = 120
    assert baseline.video_features(X2)[0, col("flicker")] == pytest.approx(20.0, abs=1e-3)


def test_mask_drops_padded_frames():
    X = _videos(np.random.default_rng(2), 1, flicker=0, T=4)
    padded = X.copy()
    padded[0, 3] = 0  # a black padding frame would add a huge flicker if it were counted
    mask = np.array([[True, True, True, False]])
    np.testing.assert_allclose(baseline.video_features(padded, mask), baseline.video_features(X[:, :3]))
    with pytest.raises(ValueError, match="valid frame"):
        baseline.video_features(X, np.zeros((1, 4), bool))
    with pytest.raises(ValueError, match=r"\[V, T, S, S, 3\]"):
        baseline.video_features(X[0])


def test_flickering_fakes_are_separated_from_static_reals():
    rng = np.random.default_rng(3)
    n = 8  # per class and split
    X = np.concatenate([_videos(rng, 2 * n, flicker=0), _videos(rng, 2 * n, flicker=12)])
    y = np.repeat([0, 1], 2 * n)
    splits = np.tile(np.repeat(["train", "test"], n), 2)
    methods = np.where(y == 1, "flicker", "real")
    r = baseline.evaluate(baseline.video_features(X), y, splits, methods, n_boot=200, n_shuffles=5)
    assert r["auc"] == 1.0 and r["accuracy"] == 1.0
    assert r["ci_low"] == 1.0 and r["per_method"] == {"flicker": 1.0}
    assert (r["n_train"], r["n_test"]) == (2 * n, 2 * n) and r["scores"].shape == (2 * n,)
    table = baseline.summary_table({6: r})
    assert table.loc[6, "AUC"] == 1.0 and table.loc[6, "AUC flicker"] == 1.0
    assert table.loc[6, "AUC shuffled"] == r["shuffled_auc"]


def test_shuffled_label_control_sits_near_chance_on_random_features():
    rng = np.random.default_rng(4)
    V = 200
    F = rng.normal(size=(V, 5))
    F[:, 0] += 3 * (np.arange(V) % 2)  # a strong real signal, so only the shuffling can hide it
    y = np.arange(V) % 2
    splits = np.where(np.arange(V) < V // 2, "train", "test")
    r = baseline.evaluate(F, y, splits, np.where(y == 1, "fake", "real"), n_boot=100, n_shuffles=20)
    assert r["auc"] > 0.95
    assert abs(r["shuffled_auc"] - 0.5) < 0.1, r["shuffled_auc"]
    # the same seed gives the same control
    again = baseline.evaluate(F, y, splits, np.where(y == 1, "fake", "real"), n_boot=100, n_shuffles=20)
    assert again["shuffled_auc"] == r["shuffled_auc"]
