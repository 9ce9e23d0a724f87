"""Paper A's hybrid CNN-LSTM: model0 (simple blocks), model1 (+dropout), model2 (+residual).

Section 3 and Figure 8 of the paper: five blocks of three same-padded ReLU convolutions with
kernel sizes ``s = (1, 3, 3, 6, 9)`` and filters ``n = (16, 32, 32, 64, 128)``, a max pooling
after every block but the first, a fully connected layer of 32 units and one sigmoid unit, on
128 x 128 x 3 images (section 3.4; section 3.3 gives the datasets' images as 224 x 224). The
paper's numbers are read from the claims ledger (``ledger_A.yaml``), never typed here.
Notebook A2 draws the models; notebook A3 trains them.

"The LSTM model is employed subsequent to each layer of the CNN" (section 3, Algorithm 1,
Figure 7b) does not say how a recurrent layer reads an image feature map. The ``reading``
argument makes every choice explicit:

``"none"``
    Figure 8 as drawn: convolutions only, no LSTM.
``"after_block"``
    After each block, an LSTM reads the feature map ``(H, W, C)`` as a sequence of ``H`` rows
    (time step = row, input = the row averaged over its ``W`` columns, ``C`` features), with
    ``C`` units; its output ``(H, C)`` is broadcast over the columns and added to the feature
    map ("combine feature_maps and temporal_features", Algorithm 1), so shapes are unchanged.
``"after_layer"``
    The same row LSTM after every convolution (15 LSTMs): the most literal reading.
``"head"``
    The "previous hybrid" of Figure 7a, for contrast: the CNN's last map is read row by row
    (each row flattened to ``W * C`` features) by one LSTM of 128 units whose last state feeds
    the fully connected layers in place of the flatten.

Two more choices the text leaves open (notebook A2, "Readings and departures"):

``dropout_at``
    ``"temporal"`` (default, Algorithm 1): model1 drops out ``temporal_features``, the LSTM's
    output, before it is combined with the feature map; under reading ``"none"`` there is no
    LSTM output, and the dropout sits at the end of each block (Figure 8b's dropout block).
    ``"block"``: at the end of each block under every reading.
``residual_relu``
    ``"every_conv"`` (default, the text: "three convolutional layers with ReLU", then "a ReLU
    activation function is applied to the result" of the addition): all three convolutions
    keep their ReLU; the ReLU after the addition then changes nothing, since both terms are
    >= 0. ``"after_add"``: the ResNet block of the paper's Figure 4, the third convolution
    without its own ReLU, the ReLU after the addition.

Two more that section 3 does not give at all, and that decide whether these deep,
unnormalised ReLU stacks learn at all (notebook A3, "Why the curves can stay flat"):

``init``
    ``"glorot"`` (default: Keras's Glorot-uniform kernels, what a Keras implementation gets
    when it names none) or ``"he"`` (He-normal kernels on the convolutions and the 32-unit
    layer, the initialisation of the ResNet paper the text cites for its residual blocks).
``input_scale``
    ``"unit"`` (default: pixels divided by 255, in [0, 1]) or ``"centred"`` (pixels mapped to
    [-1, 1]).

Layers carry the same names in the three models, which is what lets :func:`transfer_weights`
carry model0's weights into model1 and model2 (Algorithm 1).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Sequence

import numpy as np

from deepfake_lib.claims import ledger as _ledger

if TYPE_CHECKING:
    import pandas

_PAPER = _ledger.claims_by_id()
PAPER_KERNELS = tuple(int(k) for k in _PAPER["A.sec3.filter_sizes"].value)
PAPER_FILTERS = tuple(int(n) for n in _PAPER["A.sec3.num_filters"].value)
PAPER_IMAGE_SIZE = int(_PAPER["A.sec3.4.image_size"].value[0])
#: Section 3.3's image side (both datasets), the other size A2 counts parameters at.
PAPER_DATASET_IMAGE_SIZE = int(_PAPER["A.sec3.3.dfdc.image_size"].value[0])
PAPER_FC_UNITS = int(_PAPER["A.sec3.dense_units"].value[0])
#: "Each model has 4.7 million parameters" (section 3), as a count.
PAPER_PARAMS = float(_PAPER["A.sec3.num_parameters"].value) * 1e6
#: Blocks (0-based) followed by max pooling: every block but the first (section 3).
PAPER_POOL_AFTER = (1, 2, 3, 4)

MODELS = ("model0", "model1", "model2")
READINGS = ("none", "after_block", "after_layer", "head")
DROPOUT_PLACES = ("temporal", "block")
RESIDUAL_RELUS = ("every_conv", "after_add")
INITS = {"glorot": "glorot_uniform", "he": "he_normal"}
INPUT_SCALES = {"unit": (1 / 255, 0.0), "centred": (1 / 127.5, -1.0)}
HEAD_LSTM_UNITS = 128


def _keras():
    import keras

    return keras


@functools.lru_cache(maxsize=None)
def _row_lstm_class():
    keras = _keras()
    ops = keras.ops

    class RowLSTM(keras.layers.Layer):
        """LSTM over the rows of a feature map, optionally dropped out, added back to the map
        (readings ``after_block``/``after_layer``). Input and output shape ``(N, H, W, C)``."""

        def __init__(self, dropout: float = 0.0, **kwargs):
            super().__init__(**kwargs)
            self.rate = float(dropout)

        def build(self, input_shape):
            channels = int(input_shape[-1])
            self.lstm = keras.layers.LSTM(channels, return_sequences=True, name="lstm")
            self.lstm.build((None, int(input_shape[1]), channels))
            self.drop = keras.layers.Dropout(self.rate, name="dropout") if self.rate else None

        def call(self, x, training=None):
            rows = ops.mean(x, axis=2)                  # (N, H, C): one time step per row
            temporal = self.lstm(rows)                  # (N, H, C)
            if self.drop is not None:                   # Algorithm 1: dropout on temporal_features
                temporal = self.drop(temporal, training=training)
            return x + ops.expand_dims(temporal, 2)     # broadcast over the W columns

        def compute_output_shape(self, input_shape):
            return input_shape

    return RowLSTM


def row_lstm(name: str | None = None, dropout: float = 0.0):
    """The row LSTM of readings ``after_block``/``after_layer`` as a Keras layer: input
    ``(N, H, W, C)`` -> rows averaged over W ``(N, H, C)`` -> LSTM with C units -> dropout at
    rate ``dropout`` (model1) -> added back to the map, output ``(N, H, W, C)``.

    Notebook A2, section "How an LSTM reads a feature map".
    """
    return _row_lstm_class()(dropout=dropout, name=name)


def _check(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}, got {value!r}")


def build_model(model: str = "model0", reading: str = "after_block",
                image_size: int = PAPER_IMAGE_SIZE, dropout: float = 0.25,
                kernels: Sequence[int] = PAPER_KERNELS, filters: Sequence[int] = PAPER_FILTERS,
                pool_after: Sequence[int] = PAPER_POOL_AFTER, fc_units: int = PAPER_FC_UNITS,
                dropout_at: str = "temporal", residual_relu: str = "every_conv",
                init: str = "glorot", input_scale: str = "unit"):
    """Build model0/1/2 of paper A under one reading of the LSTM sentence.

    Notebook A2, section "Parameters of each model under each reading".

    Parameters
    ----------
    model : {"model0", "model1", "model2"}
        Simple blocks, dropout (rate ``dropout``), or residual blocks.
    reading : one of :data:`READINGS`
        Where the LSTM goes; see the module docstring.
    image_size : int
        Side of the square RGB input ``(image_size, image_size, 3)``, pixel values in
        [0, 255] (uint8 or float); the first layer rescales them (``input_scale``).
    dropout : float
        Dropout rate of model1 (ignored by model0 and model2).
    kernels, filters : sequence of int
        Kernel size and number of filters of each block (the paper's s and n).
    pool_after : sequence of int
        0-based indices of the blocks followed by 2 x 2 max pooling.
    fc_units : int
        Width of the first fully connected layer (ReLU).
    dropout_at : one of :data:`DROPOUT_PLACES`
        Where model1 drops out: the LSTM's output (Algorithm 1) or the end of each block.
    residual_relu : one of :data:`RESIDUAL_RELUS`
        Whether model2's third convolution keeps its ReLU (the text) or not (Figure 4).
    init : one of :data:`INITS`
        Kernel initialisation of the convolutions and the 32-unit layer.
    input_scale : one of :data:`INPUT_SCALES`
        Pixels to [0, 1] (``"unit"``) or to [-1, 1] (``"centred"``).

    Returns
    -------
    keras.Model
        Input ``(N, image_size, image_size, 3)``, output ``(N, 1)`` fake probability.
    """
    _check("model", model, MODELS)
    _check("reading", reading, READINGS)
    _check("dropout_at", dropout_at, DROPOUT_PLACES)
    _check("residual_relu", residual_relu, RESIDUAL_RELUS)
    _check("init", init, tuple(INITS))
    _check("input_scale", input_scale, tuple(INPUT_SCALES))
    keras = _keras()
    L = keras.layers
    RowLSTM = _row_lstm_class()
    rate = float(dropout) if model == "model1" else 0.0
    temporal = rate if dropout_at == "temporal" and reading != "none" else 0.0
    block_rate = rate - temporal

    inputs = keras.Input((image_size, image_size, 3), name="image")
    scale, offset = INPUT_SCALES[input_scale]
    x = L.Rescaling(scale, offset=offset, name="scale")(inputs)
    kernel = INITS[init]
    for b, (k, n) in enumerate(zip(kernels, filters), start=1):
        first = None
        for j in range(1, 4):
            linear = model == "model2" and j == 3 and residual_relu == "after_add"
            x = L.Conv2D(n, k, padding="same", activation=None if linear else "relu",
                         kernel_initializer=kernel, name=f"b{b}_conv{j}")(x)
            if j == 1:
                first = x
            if model == "model2" and j == 3:
                x = L.ReLU(name=f"b{b}_relu")(L.Add(name=f"b{b}_add")([first, x]))
            if reading == "after_layer":
                x = RowLSTM(dropout=temporal, name=f"b{b}_lstm{j}")(x)
        if reading == "after_block":
            x = RowLSTM(dropout=temporal, name=f"b{b}_lstm")(x)
        if block_rate > 0:
            x = L.Dropout(block_rate, name=f"b{b}_dropout")(x)
        if b - 1 in pool_after:
            x = L.MaxPooling2D(2, name=f"b{b}_pool")(x)
    if reading == "head":
        h, w, c = x.shape[1:]
        x = L.Reshape((h, w * c), name="rows")(x)
        x = L.LSTM(HEAD_LSTM_UNITS, name="head_lstm")(x)
        if temporal > 0:
            x = L.Dropout(temporal, name="head_dropout")(x)
    else:
        x = L.Flatten(name="flatten")(x)
    x = L.Dense(fc_units, activation="relu", kernel_initializer=kernel, name="fc")(x)
    outputs = L.Dense(1, activation="sigmoid", name="out")(x)
    return keras.Model(inputs, outputs, name=f"{model}_{reading}")


def count_params_analytic(reading: str = "none", image_size: int = PAPER_IMAGE_SIZE,
                          kernels: Sequence[int] = PAPER_KERNELS,
                          filters: Sequence[int] = PAPER_FILTERS,
                          pool_after: Sequence[int] = PAPER_POOL_AFTER,
                          fc_units: int = PAPER_FC_UNITS) -> int:
    """Trainable parameters counted by hand (the same for model0/1/2: dropout and the
    residual addition have no weights). Notebook A2, section "Parameters of each model under
    each reading", compares it with Keras's count.

    A k x k convolution from c_in to c_out channels has ``k*k*c_in*c_out + c_out`` weights; an
    LSTM with input d and u units ``4 * (d*u + u*u + u)``; a dense layer ``d*u + u``.
    """
    def lstm(d, u):
        return 4 * (d * u + u * u + u)

    total, c_in, side = 0, 3, image_size
    for b, (k, n) in enumerate(zip(kernels, filters)):
        for j in range(3):
            total += k * k * (c_in if j == 0 else n) * n + n
            if reading == "after_layer":
                total += lstm(n, n)
        if reading == "after_block":
            total += lstm(n, n)
        c_in = n
        if b in pool_after:
            side //= 2
    if reading == "head":
        total += lstm(side * c_in, HEAD_LSTM_UNITS)
        flat = HEAD_LSTM_UNITS
    else:
        flat = side * side * c_in
    return total + flat * fc_units + fc_units + fc_units + 1


def parameter_table(image_sizes: Sequence[int] = (PAPER_IMAGE_SIZE, PAPER_DATASET_IMAGE_SIZE),
                    readings: Sequence[str] = READINGS) -> "pandas.DataFrame":
    """Parameters under every image size and LSTM reading, against the paper's 4.7 million.

    One row per (image size, reading): ``count`` (by hand, :func:`count_params_analytic`;
    the same for model0/1/2), ``millions``, ``vs 4.7 M`` (relative difference) and
    ``rounds to 4.7 M`` (the count lies in [4.65, 4.75) million, what the paper would print
    as 4.7). Notebook A2, section "Does 4.7 million hold?".
    """
    import pandas as pd

    lo, hi = PAPER_PARAMS - 0.05e6, PAPER_PARAMS + 0.05e6
    rows = []
    for size in image_sizes:
        for reading in readings:
            n = count_params_analytic(reading, image_size=size)
            rows.append({"image size": size, "reading": reading, "count": n,
                         "millions": round(n / 1e6, 3),
                         "vs 4.7 M": f"{(n - PAPER_PARAMS) / PAPER_PARAMS:+.1%}",
                         "rounds to 4.7 M": bool(lo <= n < hi)})
    return pd.DataFrame(rows)


def layer_table(model) -> "pandas.DataFrame":
    """One row per layer: name, class, output shape, parameters.

    Notebook A2, section "The layers".
    """
    import pandas as pd

    rows = [{"layer": layer.name, "type": type(layer).__name__,
             "output shape": str(tuple(layer.output.shape[1:])),
             "params": layer.count_params()} for layer in model.layers]
    return pd.DataFrame(rows)


def layer_weights(model) -> dict[str, list[np.ndarray]]:
    """``{layer name: [arrays]}`` for every layer with weights: a trained model's "knowledge"
    in a form that outlives the model object (Algorithm 1). Notebook A2, section "Transfer
    learning between the models (Algorithm 1)".
    """
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def signal_scale(model, X: np.ndarray) -> dict[str, float]:
    """Standard deviation of each block's output and of the fake probability over the images
    ``X`` ``(N, S, S, 3)``: how much of the input's variation reaches the output of an untrained
    (or trained) model. Notebook A3, section "Why the curves can stay flat".

    Returns ``{layer name: std}`` for the last layer of every block, ``fc`` and ``out``.
    """
    keras = _keras()
    ends = {}
    for layer in model.layers:
        block = layer.name[:2]
        if block in {f"b{i}" for i in range(1, 10)} and not layer.name.endswith(("pool", "dropout")):
            ends[block] = layer.name  # the last layer of each block before pooling
    names = list(ends.values()) + ["fc", "out"]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    return {n: float(np.std(np.asarray(o))) for n, o in zip(names, probe(X, training=False))}


def signal_scales(X: np.ndarray, reading: str, image_size: int, dropout: float, arch: dict,
                  seed: int = 0) -> "pandas.DataFrame":
    """:func:`signal_scale` of freshly initialised models, one row per variant: model0,
    model1, model2 and model2 with ``residual_relu="after_add"``, each under the run's
    ``arch`` (``init``, ``input_scale``, ...) and under the two pairs Glorot / [0, 1] and
    He / [-1, 1]; columns ``b1`` ... ``b5``, ``fc``, ``out`` (the std over ``X``
    ``(N, S, S, 3)``). Every model is built from ``seed``. Notebook A3, section "Why the
    curves can stay flat"."""
    import pandas as pd

    from deepfake_lib.core.results import seed_everything

    pairs = [(arch.get("init", "glorot"), arch.get("input_scale", "unit")),
             ("glorot", "unit"), ("he", "centred")]
    rows = {}
    for init, scale in dict.fromkeys(pairs):
        kw = {**arch, "init": init, "input_scale": scale}
        for model, extra in [(m, {}) for m in MODELS] + [("model2", {"residual_relu": "after_add"})]:
            label = f"{model} {init}/{scale}" + (" after_add" if extra else "")
            seed_everything(seed, framework=False)
            net = build_model(model, reading, image_size=image_size, dropout=dropout,
                              **{**kw, **extra})
            rows[label] = {name.split("_")[0]: v for name, v in signal_scale(net, X).items()}
    return pd.DataFrame(rows).T


def transfer_weights(source, target) -> list[str]:
    """Copy weights layer by layer, matched by name and shape (Algorithm 1's transfer).

    Notebook A2, section "Transfer learning between the models (Algorithm 1)".

    Parameters
    ----------
    source : keras.Model or dict
        E.g. a trained model0, or its :func:`layer_weights`.
    target : keras.Model
        E.g. a fresh model1 or model2 of the same reading.

    Returns
    -------
    list of str
        Names of the layers whose weights were copied. Layers of ``target`` with weights but
        no same-named, same-shaped layer in ``source`` keep their initial weights.
    """
    by_name = source if isinstance(source, dict) else layer_weights(source)
    copied = []
    for layer in target.layers:
        w_src = by_name.get(layer.name)
        if w_src is None or not layer.weights:
            continue
        w_dst = layer.get_weights()
        if len(w_src) == len(w_dst) and all(a.shape == b.shape for a, b in zip(w_src, w_dst)):
            layer.set_weights(w_src)
            copied.append(layer.name)
    return copied
