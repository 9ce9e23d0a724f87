"""Paper A's equations (deepfake_lib.reference) against Keras and scikit-learn."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from deepfake_lib.paper_a import equations

GRID = [(n, k, s, pad) for n in (5, 6, 7, 33, 128) for k in (1, 3, 6, 9) for s in (1, 2, 3)
        for pad in ("valid", "same") if not (pad == "valid" and k > n)]


@pytest.mark.parametrize("n,k,s,padding", GRID[::3])
def test_eq1_with_floor_matches_keras_conv2d(n, k, s, padding):
    p = 0 if padding == "valid" else equations.same_padding_total(n, k, s) / 2
    assert equations.conv_output_size(n, k, p, s) == equations.keras_conv_output_size(n, k, s, padding)
    assert equations.keras_output_size(n, k, s, padding) == equations.keras_conv_output_size(n, k, s, padding)


def test_eq1_as_printed_needs_a_floor():
    # (128 - 3 + 0) / 2 + 1 = 63.5; Keras returns 63.
    assert equations.conv_output_size(128, 3, 0, 2, floor=False) == 63.5
    assert equations.keras_conv_output_size(128, 3, 2, "valid") == 63


def test_even_kernel_same_padding_is_asymmetric():
    # The paper's k = 6 with "same": symmetric p = k // 2 = 3 would give 129, Keras pads 5 zeros.
    assert equations.conv_output_size(128, 6, 3, 1) == 129
    assert equations.same_padding_total(128, 6, 1) == 5
    assert equations.keras_conv_output_size(128, 6, 1, "same") == 128


def test_output_size_table_flags_mismatches():
    df = equations.output_size_table(sizes=(6, 7), kernels=(3, 6), strides=(1, 2))
    assert df["floor_matches"].all()
    assert not df["printed_matches"].all()
    assert not df["p_half_k_matches"].all()


@pytest.mark.parametrize("shape,k,c_out", [((7, 9, 3), 5, 4), ((6, 6, 3), 3, 2), ((5, 8, 2), 1, 3)])
def test_eq3_eq4_match_conv2d_with_same_weights(shape, k, c_out):
    rng = np.random.default_rng(k)
    img = rng.normal(size=shape)
    K = rng.normal(size=(k, k, shape[2], c_out))
    b = rng.normal(size=c_out)
    np.testing.assert_allclose(equations.conv_layer(img, K, b), equations.keras_conv2d(img, K, b), atol=1e-4)


def test_eq3_is_cross_correlation_not_convolution():
    rng = np.random.default_rng(1)
    img, K = rng.normal(size=(7, 7, 3)), rng.normal(size=(5, 5, 3))
    keras_out = equations.keras_conv2d(img, K[..., None], np.zeros(1), activation=None)[..., 0]
    np.testing.assert_allclose(equations.conv_sum_eq3(img, K), keras_out, atol=1e-4)
    assert np.abs(equations.true_convolution(img, K) - keras_out).max() > 1.0
    sym = K + K[::-1, ::-1, :]  # a point-symmetric kernel: both agree
    np.testing.assert_allclose(equations.true_convolution(img, sym), equations.conv_sum_eq3(img, sym), atol=1e-9)


def test_eq3_as_printed_repeats_the_diagonal():
    rng = np.random.default_rng(2)
    img, K = rng.normal(size=(6, 6, 3)), rng.normal(size=(5, 5, 3))
    printed, fixed = equations.conv_sum_eq3(img, K, as_printed=True), equations.conv_sum_eq3(img, K)
    for i in range(6):
        assert np.allclose(printed[i], fixed[i, i])  # row i holds out[i, i] in every column
    assert not np.allclose(printed, fixed)


@pytest.mark.parametrize("n,t,d,units", [(2, 5, 3, 4), (1, 8, 6, 2), (3, 1, 4, 5)])
def test_lstm_eqs_5_9_match_keras_when_cell_input_is_tanh(n, t, d, units):
    x = np.random.default_rng(t).normal(size=(n, t, d))
    h_keras, weights = equations.keras_lstm(x, units, seed=t)
    params = equations.lstm_params_from_keras(*weights)
    h, _ = equations.lstm_forward(x, params, cell_input="tanh", output="tanh(s)*q")
    np.testing.assert_allclose(h, h_keras, atol=1e-5)


def test_lstm_as_printed_differs_from_keras():
    x = np.random.default_rng(0).normal(size=(4, 6, 5))
    h_keras, weights = equations.keras_lstm(x, 4)
    params = equations.lstm_params_from_keras(*weights)
    h_printed, s_printed = equations.lstm_forward(x, params, cell_input="sigmoid")
    assert np.abs(h_printed - h_keras).max() > 0.05
    h_inside, _ = equations.lstm_forward(x, params, cell_input="tanh", output="tanh(s*q)")
    assert np.abs(h_inside - h_keras).max() > 1e-3
    # with sigma as cell input the state never decreases below 0: s = f s + g sigma(.) >= 0
    assert (s_printed >= 0).all()


def test_keras_gate_order_mapping():
    d, u = 3, 2
    kernel = np.arange(d * 4 * u, dtype=float).reshape(d, 4 * u)
    p = equations.lstm_params_from_keras(kernel, np.zeros((u, 4 * u)), np.arange(4 * u, dtype=float))
    np.testing.assert_array_equal(p["f"]["U"], kernel[:, u:2 * u].T)
    np.testing.assert_array_equal(p["o"]["b"], [6, 7])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_eq10_bce_matches_keras_and_printed_form_does_not(seed):
    rng = np.random.default_rng(seed)
    y, p = rng.integers(0, 2, 40), rng.uniform(0.01, 0.99, 40)
    keras_bce = float(keras.losses.BinaryCrossentropy()(y.astype("float32"), p.astype("float32")))
    assert equations.binary_cross_entropy(y, p) == pytest.approx(keras_bce, rel=1e-5)
    assert equations.loss_eq10(y, p) != pytest.approx(keras_bce, rel=1e-2)
    assert equations.loss_eq10(y, np.ones(40)) == pytest.approx(0.0, abs=1e-4)  # "all fake" costs nothing
    # summed over two softmax outputs with one-hot labels, (10) is binary cross-entropy
    assert equations.loss_eq10(y, p, output_size=2) == pytest.approx(keras_bce, rel=1e-5)
    brute = -np.mean([sum(t * np.log(q) for t, q in zip((1 - yi, yi), (1 - pi, pi)))
                      for yi, pi in zip(y, p)])
    assert equations.loss_eq10(y, p, output_size=2) == pytest.approx(brute, rel=1e-9)
    assert equations.loss_eq10(y, p) == pytest.approx(-np.mean(y * np.log(p)), rel=1e-9)
    with pytest.raises(ValueError, match="output_size"):
        equations.loss_eq10(y, p, output_size=3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_eq11_matches_sklearn(seed):
    from sklearn.metrics import accuracy_score

    rng = np.random.default_rng(seed)
    y, p = rng.integers(0, 2, 31), rng.integers(0, 2, 31)
    assert equations.accuracy_eq11(y, p) == pytest.approx(accuracy_score(y, p))
