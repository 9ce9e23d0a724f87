"""Paper A's models (deepfake_lib.paper_a.models): every variant builds, trains one step, gets
gradients; parameter counts by hand; the readings of dropout and of the residual block."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from deepfake_lib.claims import ledger
from deepfake_lib.paper_a import models

SIZE = 32  # four 2x2 poolings: 32 -> 2 (two rows for the head LSTM); the paper's kernels and filters
VARIANTS = [(m, r) for m in models.MODELS for r in models.READINGS]


def _batch(n=4, size=SIZE, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, size, size, 3)).astype("uint8"), np.array([0, 1] * (n // 2), "float32")


@pytest.mark.parametrize("model,reading", VARIANTS)
def test_every_variant_builds_trains_one_step_and_every_weight_gets_a_gradient(model, reading):
    keras.utils.set_random_seed(0)
    net = models.build_model(model, reading, image_size=SIZE, dropout=0.25)
    assert net.output_shape == (None, 1)
    assert net.count_params() == models.count_params_analytic(reading, image_size=SIZE)
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


def test_the_paper_numbers_come_from_the_ledger():
    paper = ledger.claims_by_id()
    assert models.PAPER_KERNELS == tuple(paper["A.sec3.filter_sizes"].value)
    assert models.PAPER_FILTERS == tuple(paper["A.sec3.num_filters"].value)
    assert (models.PAPER_IMAGE_SIZE, models.PAPER_DATASET_IMAGE_SIZE) == (128, 224)
    assert models.PAPER_PARAMS == pytest.approx(4.7e6)


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
    for model in models.MODELS:
        assert models.build_model(model, "none").count_params() == expected
    assert models.count_params_analytic("none") == expected
    assert expected == 4_000_673


@pytest.mark.parametrize("reading", models.READINGS)
def test_analytic_count_matches_keras_at_both_paper_sizes(reading):
    for size in (models.PAPER_IMAGE_SIZE, models.PAPER_DATASET_IMAGE_SIZE):
        net = models.build_model("model2", reading, image_size=size)
        assert net.count_params() == models.count_params_analytic(reading, image_size=size)


def test_parameter_table_at_224_px_after_each_block_is_the_papers_4_7_million():
    table = models.parameter_table()
    assert len(table) == 2 * len(models.READINGS)
    row = table[(table["image size"] == 224) & (table.reading == "after_block")].iloc[0]
    assert row["count"] == 4_724_705 and row["rounds to 4.7 M"]
    at128 = table[table["image size"] == 128]
    assert not at128["rounds to 4.7 M"].any()  # at section 3.4's 128 px no reading gives 4.7 M
    assert set(table[table["rounds to 4.7 M"]].reading) == {"after_block", "head"}


def _layer_types(net):
    return {layer.name: type(layer).__name__ for layer in net.layers}


def test_model1_drops_out_the_lstm_output_as_algorithm1_says():
    net = models.build_model("model1", "after_block", image_size=SIZE, dropout=0.5)
    assert not any(n.endswith("_dropout") for n in _layer_types(net))  # none at the block end
    lstm = net.get_layer("b1_lstm")
    assert lstm.rate == 0.5 and lstm.drop is not None
    fmap = np.ones((2, 8, 8, 16), "float32")
    layer = models.row_lstm(dropout=0.5)
    inference = np.asarray(layer(fmap, training=False))
    assert np.array_equal(inference, np.asarray(layer(fmap, training=False)))
    assert not np.allclose(np.asarray(layer(fmap, training=True)), inference)
    head = models.build_model("model1", "head", image_size=SIZE, dropout=0.5)
    assert "head_dropout" in _layer_types(head)


def test_model1_dropout_at_the_block_end_without_an_lstm_or_when_asked():
    for net in (models.build_model("model1", "none", image_size=SIZE),
                models.build_model("model1", "after_block", image_size=SIZE, dropout_at="block")):
        names = _layer_types(net)
        assert all(f"b{b}_dropout" in names for b in range(1, 6))
    plain = models.build_model("model1", "after_block", image_size=SIZE, dropout_at="block")
    assert plain.get_layer("b1_lstm").drop is None
    assert models.build_model("model0", "after_block", image_size=SIZE).get_layer("b1_lstm").drop is None


def test_residual_block_third_relu_readings():
    keras.utils.set_random_seed(0)
    text = models.build_model("model2", "none", image_size=SIZE)
    resnet = models.build_model("model2", "none", image_size=SIZE, residual_relu="after_add")
    assert text.get_layer("b1_conv3").activation.__name__ == "relu"
    assert resnet.get_layer("b1_conv3").activation.__name__ == "linear"
    resnet.set_weights(text.get_weights())
    X, _ = _batch()
    assert not np.allclose(np.asarray(text(X)), np.asarray(resnet(X)))
    # With every convolution's ReLU, the ReLU after the addition changes nothing (both terms >= 0).
    probe = keras.Model(text.input, [text.get_layer("b2_add").output, text.get_layer("b2_relu").output])
    added, relu = (np.asarray(o) for o in probe(X))
    np.testing.assert_array_equal(added, relu)


@pytest.mark.parametrize("reading", ["none", "after_block"])
def test_transfer_model0_to_model1_and_model2(reading):
    keras.utils.set_random_seed(1)
    m0 = models.build_model("model0", reading, image_size=SIZE)
    X, _ = _batch()
    for target in ("model1", "model2"):
        net = models.build_model(target, reading, image_size=SIZE)
        copied = models.transfer_weights(m0, net)
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
    a = models.build_model("model0", "none", image_size=SIZE)
    b = models.build_model("model0", "after_block", image_size=SIZE)
    copied = models.transfer_weights(a, b)
    assert "b1_conv1" in copied and not any("lstm" in n for n in copied)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="reading"):
        models.build_model("model0", "diagonal")
    with pytest.raises(ValueError, match="model"):
        models.build_model("model3")
    with pytest.raises(ValueError, match="dropout_at"):
        models.build_model("model1", dropout_at="everywhere")
    with pytest.raises(ValueError, match="residual_relu"):
        models.build_model("model2", residual_relu="none")
    with pytest.raises(ValueError, match="init must be one of"):
        models.build_model("model2", init="lecun")
    with pytest.raises(ValueError, match="input_scale must be one of"):
        models.build_model("model2", input_scale="imagenet")


def test_input_scale_maps_pixels_to_unit_or_centred_range():
    X = np.array([0, 255], "float32").reshape(2, 1, 1, 1) * np.ones((1, SIZE, SIZE, 3), "float32")
    for scale, (lo, hi) in {"unit": (0.0, 1.0), "centred": (-1.0, 1.0)}.items():
        net = models.build_model("model0", "none", image_size=SIZE, input_scale=scale)
        out = np.asarray(net.get_layer("scale")(X))
        np.testing.assert_allclose(out[:, 0, 0, 0], [lo, hi], atol=1e-6)


def test_he_initialisation_keeps_the_variance_glorot_halves():
    """He-normal kernels have variance 2 / fan_in, Glorot-uniform 2 / (fan_in + fan_out): for a
    3 x 3 convolution from 16 to 32 channels, 2/144 against 2/432."""
    keras.utils.set_random_seed(0)
    var = {}
    for init in models.INITS:
        net = models.build_model("model2", "none", image_size=SIZE, init=init)
        kernel = net.get_layer("b2_conv1").get_weights()[0]          # (3, 3, 16, 32)
        var[init] = float(np.var(kernel))
        assert net.get_layer("out").get_weights()[0].std() > 0
    fan_in, fan_out = 3 * 3 * 16, 3 * 3 * 32
    assert var["glorot"] == pytest.approx(2 / (fan_in + fan_out), rel=0.1)
    # he_normal draws a normal truncated at 2 sd, scaled so that its variance is 2 / fan_in
    assert var["he"] == pytest.approx(2 / fan_in, rel=0.1)


def test_signal_scale_names_every_block_and_the_output():
    keras.utils.set_random_seed(0)
    X, _ = _batch(4)
    plain = models.signal_scale(models.build_model("model0", "none", image_size=SIZE), X)
    resid = models.signal_scale(models.build_model("model2", "none", image_size=SIZE), X)
    assert list(plain) == ["b1_conv3", "b2_conv3", "b3_conv3", "b4_conv3", "b5_conv3", "fc", "out"]
    assert list(resid)[:2] == ["b1_relu", "b2_relu"]
    assert all(np.isfinite(v) and v >= 0 for v in plain.values())


def test_signal_scales_rows_cover_every_model_under_both_initialisations():
    X, _ = _batch(4)
    arch = {"dropout_at": "temporal", "residual_relu": "every_conv", "init": "he",
            "input_scale": "centred"}
    table = models.signal_scales(X, "none", SIZE, 0.25, arch, seed=0)
    expected = [f"{m} {pair}{extra}" for pair in ("he/centred", "glorot/unit")
                for m, extra in [(m, "") for m in models.MODELS] + [("model2", " after_add")]]
    assert list(table.index) == expected
    assert list(table.columns) == ["b1", "b2", "b3", "b4", "b5", "fc", "out"]
    assert np.isfinite(table.values).all() and (table.values >= 0).all()
    # the same seed builds the same models: the table is reproducible
    again = models.signal_scales(X, "none", SIZE, 0.25, arch, seed=0)
    np.testing.assert_array_equal(table.values, again.values)
