"""Tests of deepfake_lib.cnn_rnn: clips, preprocessing, SMOTE, search space, and the model
(builds, trains one step, every weight gets a gradient, no NaNs) at tiny shapes."""

import numpy as np
import pytest

from deepfake_lib import cnn_rnn

T, S = 3, 16


def test_clip_windows_group_by_second():
    idx = np.array([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55])   # 12 frames of a 60-frame video
    valid = np.ones(12, bool)
    valid[7] = False                                               # frame 35 has no face
    clips = cnn_rnn.clip_windows(idx, valid, fps=30, frames_per_clip=3)
    assert len(clips) == 2
    for c, second in zip(clips, (0, 1)):
        assert np.all(idx[c] // 30 == second) and np.all(valid[c])
    assert len(cnn_rnn.clip_windows(idx, valid, fps=30, frames_per_clip=6)) == 1   # 2nd s has 5


def test_zscore_per_clip_and_brightness_invariance():
    rng = np.random.default_rng(0)
    X = rng.integers(20, 200, (4, T, S, S, 3)).astype(np.uint8)
    Z = cnn_rnn.zscore(X)
    np.testing.assert_allclose(Z.reshape(4, -1).mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(Z.reshape(4, -1).std(1), 1, atol=1e-4)
    brighter = (X.astype(np.float32) * 0.8 + 30)                   # clip-wide contrast + brightness
    np.testing.assert_allclose(cnn_rnn.zscore(brighter), Z, atol=1e-4)


def test_augment_is_seeded_and_changes_clips():
    X = np.random.default_rng(1).integers(0, 256, (3, T, S, S, 3)).astype(np.uint8)
    a = cnn_rnn.augment(X, np.random.default_rng(5))
    b = cnn_rnn.augment(X, np.random.default_rng(5))
    assert a.dtype == np.uint8 and a.shape == X.shape
    np.testing.assert_array_equal(a, b)
    assert np.abs(a.astype(int) - X).mean() > 1


def test_denoise_reduces_noise():
    rng = np.random.default_rng(2)
    clean = np.full((1, 2, 32, 32, 3), 128, np.uint8)
    noisy = np.clip(clean + rng.normal(0, 15, clean.shape), 0, 255).astype(np.uint8)
    out = cnn_rnn.denoise(noisy, h=15)
    assert out.shape == noisy.shape
    assert np.abs(out.astype(int) - 128).mean() < 0.5 * np.abs(noisy.astype(int) - 128).mean()


def test_smote_balances_training_clips():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9, T, 4, 4, 3)).astype(np.float32)
    y = np.array([1] * 6 + [0] * 3)
    Xs, ys, n = cnn_rnn.smote(X, y, seed=0)
    assert n == 3 and np.bincount(ys).tolist() == [6, 6]
    np.testing.assert_array_equal(Xs[:9], X)                       # originals first, untouched
    assert Xs.shape[1:] == X.shape[1:]


def test_decode_covers_the_paper_ranges():
    lo, hi = cnn_rnn.space_bounds()
    assert cnn_rnn.decode(lo)["filters"] == 16 and cnn_rnn.decode(hi)["filters"] == 64
    assert (cnn_rnn.decode(lo)["kernel"], cnn_rnn.decode(hi)["kernel"]) == (3, 6)
    assert (cnn_rnn.decode(lo)["stride"], cnn_rnn.decode(hi)["stride"]) == (2, 4)
    assert cnn_rnn.decode(hi)["cnn_activation"] in cnn_rnn.CNN_ACTIVATIONS


CONFIGS = [
    dict(filters=16, kernel=3, stride=2, conv_layers=1, cnn_activation="relu", rnn_layers=1,
         rnn_units=16, rnn_activation="tanh"),
    dict(filters=20, kernel=6, stride=4, conv_layers=3, cnn_activation="elu", rnn_layers=2,
         rnn_units=8, rnn_activation="relu"),
    dict(filters=8, kernel=5, stride=3, conv_layers=2, cnn_activation="tanh", rnn_layers=1,
         rnn_units=8, rnn_activation="tanh"),
]


@pytest.mark.parametrize("hp", CONFIGS, ids=["smallest", "deepest", "tanh"])
def test_model_trains_one_step_and_every_weight_gets_a_gradient(hp):
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, T, S, S, 3)).astype(np.float32)
    y = np.array([0, 1, 0, 1], dtype=np.float32)
    model = cnn_rnn.build_model(T, S, **hp)
    assert model.output_shape == (None, 1)
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(X, y)
    assert np.all(np.isfinite(loss))
    after = model.get_weights()
    assert all(np.isfinite(w).all() for w in after)
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    if keras.config.backend() != "tensorflow":
        pytest.skip("gradient check written with tf.GradientTape")
    import tensorflow as tf

    with tf.GradientTape() as tape:
        p = model(X, training=True)
        loss = keras.losses.binary_crossentropy(y[:, None], p)
    grads = tape.gradient(loss, model.trainable_variables)
    for v, g in zip(model.trainable_variables, grads):
        assert g is not None, v.path
        g = np.asarray(g)
        assert np.isfinite(g).all() and np.abs(g).sum() > 0, v.path
    p = np.asarray(model(X, training=False))
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()


def test_fitness_uses_validation_and_logs():
    rng = np.random.default_rng(4)
    Xtr, ytr = rng.normal(size=(6, 2, 8, 8, 3)).astype(np.float32), np.array([0, 1] * 3)
    Xva, yva = rng.normal(size=(4, 2, 8, 8, 3)).astype(np.float32), np.array([0, 1, 1, 1])
    log = []
    f = cnn_rnn.make_fitness(Xtr, ytr, Xva, yva, epochs=1, batch_size=6, log=log, run_eagerly=True)
    lo, _ = cnn_rnn.space_bounds()
    costs = f(lo[None])
    assert costs.shape == (1,) and 0 <= costs[0] <= 1
    assert len(log) == 1 and log[0]["filters"] == 16
    assert costs[0] == pytest.approx(1 - log[0]["val_accuracy"])
    assert log[0]["val_accuracy"] * 4 == pytest.approx(round(log[0]["val_accuracy"] * 4))


def test_consistency_checks_recover_a_true_confusion_matrix():
    from deepfake_lib import metrics

    y = np.array([1] * 70 + [0] * 50)
    p = y.copy()
    p[:4] = 0                                                      # 4 false negatives
    p[70:73] = 1                                                   # 3 false positives
    m = metrics.binary_metrics(y, p)
    row = [round(100 * m[k], 2) for k in ("accuracy", "sensitivity", "specificity", "f1")]
    pr = cnn_rnn.implied_prevalence(*row)
    assert pr["consistent"]
    assert pr["from_f1"][0] - 1e-3 <= 70 / 120 <= pr["from_f1"][1] + 1e-3
    sol = cnn_rnn.confusion_solutions(*row, n_max=200)
    assert (70, 50, 66, 47) in set(map(tuple, sol.tolist()))
    bad = [row[0] + 1.0] + row[1:]                                 # accuracy off by one point
    assert not cnn_rnn.implied_prevalence(*bad)["consistent"]
    assert len(cnn_rnn.confusion_solutions(*bad, n_max=200)) == 0


def test_clip_windows_drop_a_trailing_partial_second():
    idx = np.arange(1, 32, 2)                                      # 16 of 32 frames at 25 fps
    valid = np.ones(16, bool)
    clips = cnn_rnn.clip_windows(idx, valid, fps=25, frames_per_clip=4, n_total=32)
    assert len(clips) == 1 and np.all(idx[clips[0]] < 25)
    short = cnn_rnn.clip_windows(idx[:8], valid[:8], fps=25, frames_per_clip=4, n_total=16)
    assert len(short) == 1                                         # shorter than 1 s: kept
