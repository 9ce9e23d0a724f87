"""Paper A's models (deepfake_lib.cnn_lstm): every variant builds, trains, gets gradients."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from deepfake_lib import cnn_lstm as M  # noqa: E402

SIZE = 32  # four 2x2 poolings: 32 -> 2 (two rows for the head LSTM); the paper's kernels and filters
VARIANTS = [(m, r) for m in M.MODELS for r in M.READINGS]


def _batch(n=4, size=SIZE, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, size, size, 3)).astype("uint8"), np.array([0, 1] * (n // 2), "float32")


@pytest.mark.parametrize("model,reading", VARIANTS)
def test_every_variant_builds_trains_one_step_and_every_weight_gets_a_gradient(model, reading):
    keras.utils.set_random_seed(0)
    net = M.build_model(model, reading, image_size=SIZE, dropout=0.25)
    assert net.output_shape == (None, 1)
    assert net.count_params() == M.count_params_analytic(reading, image_size=SIZE)
    X, y = _batch()
    with tf.GradientTape() as tape:
        p = net(X, training=True)
        loss = keras.losses.binary_crossentropy(y[:, None], p)
    grads = tape.gradient(loss, net.trainable_variables)
    assert len(grads) == len(net.trainable_variables) > 0
    for var, g in zip(net.trainable_variables, grads):
        assert g is not None, var.path
        g = np.asarray(g)
        assert np.isfinite(g).all(), var.path
        assert np.abs(g).max() > 0, f"{var.path} gets a zero gradient"
    before = [np.array(v) for v in net.trainable_variables]
    keras.optimizers.Adam(1e-4).apply(grads, net.trainable_variables)  # one eager training step
    after = [np.array(v) for v in net.trainable_variables]
    assert all(np.isfinite(w).all() for w in after)
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))
    assert np.isfinite(np.asarray(net(X))).all()


def test_figure8_parameter_count_by_hand():
    """Figure 8 (reading "none") at 128 x 128 x 3, counted layer by layer."""
    conv = (1 * 1 * 3 * 16 + 16) + 2 * (1 * 1 * 16 * 16 + 16) \
        + (3 * 3 * 16 * 32 + 32) + 2 * (3 * 3 * 32 * 32 + 32) \
        + 3 * (3 * 3 * 32 * 32 + 32) \
        + (6 * 6 * 32 * 64 + 64) + 2 * (6 * 6 * 64 * 64 + 64) \
        + (9 * 9 * 64 * 128 + 128) + 2 * (9 * 9 * 128 * 128 + 128)
    side = 128 // 2 ** 4  # pooling after blocks 2, 3, 4, 5
    dense = (side * side * 128 * 32 + 32) + (32 + 1)
    expected = conv + dense
    for model in M.MODELS:
        assert M.build_model(model, "none").count_params() == expected
    assert M.count_params_analytic("none") == expected
    assert expected == 4_000_673
    assert abs(expected - M.PAPER_PARAMS) / M.PAPER_PARAMS > 0.1  # not the paper's 4.7 million


@pytest.mark.parametrize("reading", M.READINGS)
def test_analytic_count_matches_keras_at_paper_size(reading):
    assert M.build_model("model0", reading).count_params() == M.count_params_analytic(reading)


@pytest.mark.parametrize("reading", ["none", "after_block"])
def test_transfer_model0_to_model1_and_model2(reading):
    keras.utils.set_random_seed(1)
    m0 = M.build_model("model0", reading, image_size=SIZE)
    X, _ = _batch()
    for target in ("model1", "model2"):
        net = M.build_model(target, reading, image_size=SIZE)
        copied = M.transfer_weights(m0, net)
        weighted = [layer.name for layer in net.layers if layer.weights]
        assert copied == weighted
        for a, b in zip(m0.get_weights(), net.get_weights()):
            np.testing.assert_array_equal(a, b)
        out0, out = np.asarray(m0(X)), np.asarray(net(X))  # inference: dropout is off
        if target == "model1":
            np.testing.assert_allclose(out, out0, atol=1e-6)
        else:
            assert not np.allclose(out, out0)  # residual additions change the function


def test_transfer_skips_mismatched_layers():
    a = M.build_model("model0", "none", image_size=SIZE)
    b = M.build_model("model0", "after_block", image_size=SIZE)
    copied = M.transfer_weights(a, b)
    assert "b1_conv1" in copied and not any("lstm" in n for n in copied)


def test_lr_schedule_is_the_papers():
    cb = M.lr_schedule()
    assert (cb.monitor, cb.factor, cb.patience, cb.min_lr) == ("val_accuracy", 0.1, 2, 1e-6)


def test_balance_keeps_the_rare_class():
    y = np.array([0] * 3 + [1] * 10)
    idx = M.balance(y, seed=0)
    assert np.bincount(y[idx]).tolist() == [3, 3]
    assert set(np.flatnonzero(y == 0)) <= set(idx)


def test_train_and_evaluate_runs_and_reports():
    X, y = _batch(8)
    data = {"train": (X, y), "val": (X[:4], y[:4]), "test": (X[4:], y[4:])}
    out = M.train_and_evaluate(data, model="model1", reading="none", dropout=0.5, batch_size=4,
                               epochs=2, seed=0)
    assert len(out["history"]["val_accuracy"]) == 2
    assert 0 <= out["test"]["accuracy"] <= 1
    assert out["test"]["error_rate"] == pytest.approx(1 - out["test"]["accuracy"])
    again = M.train_and_evaluate(data, model="model2", reading="none", dropout=0.0, batch_size=4,
                                 epochs=1, seed=0, init_from=out["weights"])
    assert "b1_conv1" in again["transferred"]


def test_fresh_model_reuses_the_graph_but_restarts_training():
    X, y = _batch(8)
    first = M.fresh_model("model0", "none", SIZE, 0.0, 1e-4, seed=3)
    w_first = [w.copy() for w in first.get_weights()]
    M.fit(first, X, y, X, y, epochs=1, batch_size=4, seed=0)
    first.optimizer.learning_rate = 5e-6
    second = M.fresh_model("model0", "none", SIZE, 0.0, 1e-4, seed=3)
    assert second is first
    for a, b in zip(w_first, second.get_weights()):
        np.testing.assert_array_equal(a, b)  # same seed -> same initial weights
    assert int(second.optimizer.iterations) == 0
    assert float(second.optimizer.learning_rate) == pytest.approx(1e-4)
    assert all(float(np.abs(np.asarray(v)).max()) == 0 for v in second.optimizer.variables
               if "learning_rate" not in v.path)


def test_use_eager_weighs_all_steps_of_an_architecture_and_its_compiled_graph(monkeypatch):
    monkeypatch.setattr(M, "_COMPILED", {})
    assert M.n_steps(112, 64, 4) == 8 and M.n_steps(112, 32, 4) == 16
    assert M.use_eager("model1", "after_block", 64, 0.25, 1e-4, M.EAGER_MAX_STEPS)
    assert not M.use_eager("model1", "after_block", 64, 0.25, 1e-4, M.EAGER_MAX_STEPS + 1)
    M._COMPILED[("model1", "after_block", 64, 0.25, 1e-4)] = object()
    assert not M.use_eager("model1", "after_block", 64, 0.25, 1e-4, 1), "a traced graph is reused"


def test_eager_and_compiled_fits_agree():
    """Short fits run eagerly (EAGER_MAX_STEPS); the same fit compiled gives the same numbers."""
    X, y = _batch(8)
    out = {}
    for eager in (True, False):
        net = M.fresh_model("model2", "none", SIZE, 0.0, 1e-4, seed=5, eager=eager)
        assert bool(net.run_eagerly) is eager
        out[eager] = (M.fit(net, X, y, X, y, epochs=2, batch_size=4, seed=0), net.get_weights())
    for k in ("loss", "val_loss", "accuracy"):
        np.testing.assert_allclose(out[True][0][k], out[False][0][k], rtol=1e-4, atol=1e-6)
    for a, b in zip(out[True][1], out[False][1]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="reading"):
        M.build_model("model0", "diagonal")
    with pytest.raises(ValueError, match="model"):
        M.build_model("model3")


def test_plan_shares_configurations_between_ablations():
    runs = M.plan(["batch_size", "dropout", "residual", "transfer"], [64, 128], [0.0, 0.25, 0.5], 64, 0.25)
    assert [r[0] for r in runs["residual"]] == ["model0", "model1", "model2"]
    # dropout 0 is model0, and dropout 0.25 is model1: shared with the residual comparison
    assert runs["dropout"][0][1] == runs["residual"][0][1] == runs["batch_size"][0][1]
    assert runs["dropout"][1][1] == runs["residual"][1][1]
    names = {M.config_name(cfg, init) for rows in runs.values() for _, cfg, init in rows}
    assert names == {"model0|d0|b64", "model0|d0|b128", "model1|d0.25|b64", "model1|d0.5|b64",
                     "model2|d0|b64", "model1|d0.25|b64|from model0", "model2|d0|b64|from model0"}
    with pytest.raises(ValueError, match="unknown ablations"):
        M.plan(["learning_rate"], [64], [0.0], 64, 0.0)


def _summ(values_by_label, metric="val_accuracy"):
    from deepfake_lib.stats import summarise

    return {k: {metric: summarise(v)} for k, v in values_by_label.items()}


@pytest.mark.parametrize("values,expected", [
    ({"a": [0.90, 0.91, 0.92], "b": [0.60, 0.61, 0.62]}, True),
    ({"a": [0.60, 0.61, 0.62], "b": [0.90, 0.91, 0.92]}, False),
    ({"a": [0.60, 0.90, 0.75], "b": [0.70, 0.80, 0.65]}, None),
    ({"a": [0.9], "b": [0.1]}, None),  # one seed: no interval, no verdict
])
def test_compare_best_uses_intervals(values, expected):
    holds, sentence = M.compare_best(_summ(values), "a")
    assert holds is expected
    assert "Paper: a is best" in sentence


def test_compare_best_lower_is_better_for_losses():
    holds, _ = M.compare_best(_summ({"a": [0.1, 0.11, 0.12], "b": [0.5, 0.52, 0.51]}, "val_loss"),
                              "a", "val_loss", higher_is_better=False)
    assert holds is True


def _image_set():
    from types import SimpleNamespace

    n = 24
    rng = np.random.default_rng(0)
    return SimpleNamespace(
        X=rng.integers(0, 256, (n, 8, 8, 3), dtype=np.uint8),
        y=np.array([0] * 8 + [1] * 16),
        video_ids=np.array([f"v{i}" for i in range(n)]),
        splits=np.array((["train"] * 4 + ["val"] * 2 + ["test"] * 2) * 3),
        methods=np.array(["real"] * 8 + ["swap"] * 8 + ["texture"] * 8))


def test_split_data_balances_each_split():
    data = M.split_data(_image_set())
    for split, (X, y) in data.items():
        assert X.dtype == np.uint8
        assert (y == 0).sum() == (y == 1).sum() > 0, split


def test_select_methods_keeps_reals_and_named_fakes():
    import dataclasses

    @dataclasses.dataclass
    class ImageSet:
        X: np.ndarray
        y: np.ndarray
        video_ids: np.ndarray
        splits: np.ndarray
        methods: np.ndarray

    s = _image_set()
    sub = M.select_methods(ImageSet(s.X, s.y, s.video_ids, s.splits, s.methods), ["swap"])
    assert sorted(set(sub.methods)) == ["real", "swap"] and len(sub.y) == 16


def test_signal_scale_names_every_block_and_the_output():
    keras.utils.set_random_seed(0)
    X, _ = _batch(4)
    plain = M.signal_scale(M.build_model("model0", "none", image_size=SIZE), X)
    resid = M.signal_scale(M.build_model("model2", "none", image_size=SIZE), X)
    assert list(plain) == ["b1_conv3", "b2_conv3", "b3_conv3", "b4_conv3", "b5_conv3", "fc", "out"]
    assert list(resid)[:2] == ["b1_relu", "b2_relu"]
    assert all(np.isfinite(v) and v >= 0 for v in plain.values())
