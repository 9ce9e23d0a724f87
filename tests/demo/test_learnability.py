"""deepfake_lib.demo.learnability: the features of both controls and their fit."""

import numpy as np
import pytest

from deepfake_lib.demo import learnability


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
    F = learnability.video_features(X)
    assert F.shape == (3, len(learnability.FEATURES)) and F.dtype == np.float64
    np.testing.assert_array_equal(F, learnability.video_features(X.copy()))
    assert np.isfinite(F).all()


def test_static_video_has_zero_flicker_and_flicker_is_measured_in_grey_levels():
    X = _videos(np.random.default_rng(1), 2, flicker=0)
    F = learnability.video_features(X)
    col = learnability.FEATURES.index
    assert F[:, col("flicker")].tolist() == [0.0, 0.0]
    assert F[:, col("red_sd")].tolist() == [0.0, 0.0]
    # a uniform +-10 step between frames: grey difference 20 on every pixel of every pair
    X2 = np.full((1, 4, 8, 8, 3), 100, np.uint8)
    X2[0, 1::2] = 120
    assert learnability.video_features(X2)[0, col("flicker")] == pytest.approx(20.0, abs=1e-3)


def test_mask_drops_padded_frames():
    X = _videos(np.random.default_rng(2), 1, flicker=0, T=4)
    padded = X.copy()
    padded[0, 3] = 0  # a black padding frame would add a huge flicker if it were counted
    mask = np.array([[True, True, True, False]])
    np.testing.assert_allclose(learnability.video_features(padded, mask), learnability.video_features(X[:, :3]))
    with pytest.raises(ValueError, match="valid frame"):
        learnability.video_features(X, np.zeros((1, 4), bool))
    with pytest.raises(ValueError, match=r"\[V, T, S, S, 3\]"):
        learnability.video_features(X[0])


def test_fit_scores_rank_a_separable_signal_and_are_log_odds():
    rng = np.random.default_rng(3)
    F = rng.normal(size=(200, 4))
    y = (F[:, 0] > 0).astype(int)
    s = learnability.fit_scores(F[:100], y[:100], F[100:])
    assert ((s > 0) == (y[100:] == 1)).mean() > 0.9 and s.min() < 0 < s.max()


def test_frame_features_have_the_documented_shape_and_see_blur_and_colour_steps():
    import cv2

    rng = np.random.default_rng(4)
    S = 64
    crop = rng.integers(30, 220, (S, S, 3)).astype(np.uint8)
    F = learnability.frame_features(np.stack([crop, crop])[None])        # (1, 2, K)
    assert F.shape == (1, 2, len(learnability.FRAME_FEATURES)) and np.isfinite(F).all()
    np.testing.assert_array_equal(F[0, 0], F[0, 1])
    col = learnability.FRAME_FEATURES.index
    blurred = crop.copy()
    c = slice(S // 4, 3 * S // 4)
    blurred[c, c] = cv2.GaussianBlur(crop, (0, 0), 2.0)[c, c]
    Fb = learnability.frame_features(blurred[None])[0]
    assert Fb[col("lap_inner")] < F[0, 0, col("lap_inner")] - 1 and Fb[col("lap_diff")] < F[0, 0, col("lap_diff")]
    flat = np.full((S, S, 3), 120, np.uint8)
    yy, xx = np.mgrid[0:S, 0:S] + 0.5
    inside = ((xx - S / 2) / (0.27 * S)) ** 2 + ((yy - S / 2) / (S / 3)) ** 2 < 1
    stepped = flat.copy()
    stepped[inside] = 150                                               # a brighter pasted face
    Ff, Fs = learnability.frame_features(np.stack([flat, stepped]))
    assert Ff[col("step_L")] < 0.5 < 10 < Fs[col("step_L")]
    with pytest.raises(ValueError, match="S >= 32"):
        learnability.frame_features(crop[:16, :16])
