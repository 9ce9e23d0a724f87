"""Paper A's hybrid CNN-LSTM: model0 (simple blocks), model1 (+dropout), model2 (+residual).

Section 3 and Figure 8 of the paper: five blocks of three same-padded ReLU convolutions with
kernel sizes ``s = (1, 3, 3, 6, 9)`` and filters ``n = (16, 32, 32, 64, 128)``, a max pooling
after every block but the first, a fully connected layer of 32 units and one sigmoid unit, on
128 x 128 x 3 images. Notebook A2 draws the models; notebook A3 trains them.

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
    The same row LSTM after every convolution (15 LSTMs).
``"head"``
    The "previous hybrid" of Figure 7a, for contrast: the CNN's last map is read row by row
    (each row flattened to ``W * C`` features) by one LSTM of 128 units whose last state feeds
    the fully connected layers in place of the flatten.

Choices the text leaves open, taken here and stated in notebook A2: the dropout of model1
sits at the end of each block (Figure 8b's "dropout block"); the residual block adds the
first convolution's output to the last convolution's pre-activation, then applies ReLU (the
ResNet block of the paper's Figure 4), so the last convolution of a residual block has no ReLU
of its own. Layers carry the same names in the three models, which is what lets
:func:`transfer_weights` carry model0's weights into model1 and model2 (Algorithm 1).
"""

from __future__ import annotations

import functools
from typing import Sequence

import numpy as np

from . import bench

PAPER_KERNELS = (1, 3, 3, 6, 9)
PAPER_FILTERS = (16, 32, 32, 64, 128)
PAPER_IMAGE_SIZE = 128
PAPER_FC_UNITS = 32
#: Blocks (0-based) followed by max pooling: every block but the first (section 3).
PAPER_POOL_AFTER = (1, 2, 3, 4)
PAPER_PARAMS = 4.7e6  # "Each model has 4.7 million parameters" (section 3)

MODELS = ("model0", "model1", "model2")
READINGS = ("none", "after_block", "after_layer", "head")
HEAD_LSTM_UNITS = 128


def _keras():
    import keras

    return keras


@functools.lru_cache(maxsize=None)
def _row_lstm_class():
    keras = _keras()
    ops = keras.ops

    class RowLSTM(keras.layers.Layer):
        """LSTM over the rows of a feature map, added back to the map (readings
        ``after_block``/``after_layer``). Input and output shape ``(N, H, W, C)``."""

        def build(self, input_shape):
            channels = int(input_shape[-1])
            self.lstm = keras.layers.LSTM(channels, return_sequences=True, name="lstm")
            self.lstm.build((None, int(input_shape[1]), channels))

        def call(self, x):
            rows = ops.mean(x, axis=2)                  # (N, H, C): one time step per row
            temporal = self.lstm(rows)                  # (N, H, C)
            return x + ops.expand_dims(temporal, 2)     # broadcast over the W columns

        def compute_output_shape(self, input_shape):
            return input_shape

    return RowLSTM


def row_lstm(name: str | None = None):
    """The row LSTM of readings ``after_block``/``after_layer`` as a Keras layer: input
    ``(N, H, W, C)`` -> rows averaged over W ``(N, H, C)`` -> LSTM with C units -> added back
    to the map, output ``(N, H, W, C)`` (notebook A2, "How an LSTM reads a feature map")."""
    return _row_lstm_class()(name=name)


def build_model(model: str = "model0", reading: str = "after_block",
                image_size: int = PAPER_IMAGE_SIZE, dropout: float = 0.25,
                kernels: Sequence[int] = PAPER_KERNELS, filters: Sequence[int] = PAPER_FILTERS,
                pool_after: Sequence[int] = PAPER_POOL_AFTER, fc_units: int = PAPER_FC_UNITS):
    """Build model0/1/2 of paper A under one reading of the LSTM sentence (notebook A2).

    Parameters
    ----------
    model : {"model0", "model1", "model2"}
        Simple blocks, dropout blocks (rate ``dropout``), or residual blocks.
    reading : one of :data:`READINGS`
        Where the LSTM goes; see the module docstring.
    image_size : int
        Side of the square RGB input ``(image_size, image_size, 3)``, pixel values in
        [0, 255] (uint8 or float); the first layer divides them by 255.
    dropout : float
        Dropout rate of model1's blocks (ignored by model0 and model2).
    kernels, filters : sequence of int
        Kernel size and number of filters of each block (the paper's s and n).
    pool_after : sequence of int
        0-based indices of the blocks followed by 2 x 2 max pooling.
    fc_units : int
        Width of the first fully connected layer.

    Returns
    -------
    keras.Model
        Input ``(N, image_size, image_size, 3)``, output ``(N, 1)`` fake probability.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}, got {reading!r}")
    keras = _keras()
    L = keras.layers
    RowLSTM = _row_lstm_class()

    inputs = keras.Input((image_size, image_size, 3), name="image")
    x = L.Rescaling(1 / 255, name="scale")(inputs)
    for b, (k, n) in enumerate(zip(kernels, filters), start=1):
        first = None
        for j in range(1, 4):
            linear = model == "model2" and j == 3
            x = L.Conv2D(n, k, padding="same", activation=None if linear else "relu",
                         name=f"b{b}_conv{j}")(x)
            if j == 1:
                first = x
            if linear:
                x = L.ReLU(name=f"b{b}_relu")(L.Add(name=f"b{b}_add")([first, x]))
            if reading == "after_layer":
                x = RowLSTM(name=f"b{b}_lstm{j}")(x)
        if reading == "after_block":
            x = RowLSTM(name=f"b{b}_lstm")(x)
        if model == "model1" and dropout > 0:
            x = L.Dropout(dropout, name=f"b{b}_dropout")(x)
        if b - 1 in pool_after:
            x = L.MaxPooling2D(2, name=f"b{b}_pool")(x)
    if reading == "head":
        h, w, c = x.shape[1:]
        x = L.Reshape((h, w * c), name="rows")(x)
        x = L.LSTM(HEAD_LSTM_UNITS, name="head_lstm")(x)
    else:
        x = L.Flatten(name="flatten")(x)
    x = L.Dense(fc_units, activation="relu", name="fc")(x)
    outputs = L.Dense(1, activation="sigmoid", name="out")(x)
    return keras.Model(inputs, outputs, name=f"{model}_{reading}")


def count_params_analytic(reading: str = "none", image_size: int = PAPER_IMAGE_SIZE,
                          kernels: Sequence[int] = PAPER_KERNELS,
                          filters: Sequence[int] = PAPER_FILTERS,
                          pool_after: Sequence[int] = PAPER_POOL_AFTER,
                          fc_units: int = PAPER_FC_UNITS) -> int:
    """Trainable parameters counted by hand (the same for model0/1/2: dropout and the
    residual addition have no weights). Notebook A2 compares it with Keras's count.

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


def layer_table(model) -> "pandas.DataFrame":
    """One row per layer: name, class, output shape, parameters (notebook A2's drawing)."""
    import pandas as pd

    rows = [{"layer": layer.name, "type": type(layer).__name__,
             "output shape": str(tuple(layer.output.shape[1:])),
             "params": layer.count_params()} for layer in model.layers]
    return pd.DataFrame(rows)


def layer_weights(model) -> dict[str, list[np.ndarray]]:
    """``{layer name: [arrays]}`` for every layer with weights: a trained model's "knowledge"
    in a form that outlives the model object (Algorithm 1)."""
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def signal_scale(model, X: np.ndarray) -> dict[str, float]:
    """Standard deviation of each block's output and of the fake probability over the images
    ``X`` ``(N, S, S, 3)``: how much of the input's variation reaches the output of an untrained
    (or trained) model (notebook A3, "Why the curves are flat").

    Returns ``{layer name: std}`` for the last layer of every block, ``fc`` and ``out``.
    """
    keras = _keras()
    ends = {}
    for layer in model.layers:
        if layer.name[:2] in {f"b{i}" for i in range(1, 10)} and not layer.name.endswith(("pool", "dropout")):
            ends[layer.name[:2]] = layer.name  # the last layer of each block before pooling
    names = list(ends.values()) + ["fc", "out"]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    return {n: float(np.std(np.asarray(o))) for n, o in zip(names, probe(X, training=False))}


def transfer_weights(source, target) -> list[str]:
    """Copy weights layer by layer, matched by name and shape (Algorithm 1's transfer).

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


# ---------------------------------------------------------------- training (notebook A3)


def compile_model(model, lr: float = 1e-4):
    """Binary cross-entropy, Adam with learning rate ``lr`` (section 3.4), accuracy."""
    keras = _keras()
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def lr_schedule():
    """Learning rate divided by 10 when validation accuracy has not improved for 2 epochs,
    down to 1e-6 (section 3.4; the paper prints the floor as "106")."""
    keras = _keras()
    return keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", factor=0.1, patience=2,
                                             min_lr=1e-6, verbose=0)


def to_inputs(X: np.ndarray) -> np.ndarray:
    """Images ``(N, S, S, 3)`` as the models take them: uint8 pixels, kept as they are (the
    models rescale to [0, 1] themselves, so a full-size dataset stays at one byte per value)."""
    return np.asarray(X, dtype=np.uint8)


def balance(y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Indices that keep every example of the rarer class and as many of the other, drawn at
    random (the paper balances to 19,148 real and 19,148 fake). Returned sorted; shape (2m,)."""
    y = np.asarray(y).astype(int)
    rng = np.random.default_rng(seed)
    idx = [np.flatnonzero(y == c) for c in (0, 1)]
    m = min(len(i) for i in idx)
    keep = np.concatenate([rng.choice(i, m, replace=False) for i in idx])
    return np.sort(keep)


def seed_run(seed: int) -> None:
    """Seed Python's and NumPy's generators, which Keras 3 draws initial weights and dropout
    seeds from. TensorFlow's global seed is set once per notebook by
    :class:`deepfake_lib.results.Run`: setting it again would force every compiled graph to be
    traced anew (seconds per run), so shuffling continues one deterministic stream."""
    import random

    random.seed(seed)
    np.random.seed(seed)


def fit(model, X, y, X_val, y_val, epochs: int, batch_size: int, seed: int = 0) -> dict:
    """Train a compiled model with :func:`lr_schedule`; returns the per-epoch history.

    Parameters
    ----------
    X, X_val : ndarray, shape (N, S, S, 3), uint8 pixels
    y, y_val : ndarray, shape (N,), 0 = real, 1 = fake

    Returns
    -------
    dict
        ``{"loss", "accuracy", "val_loss", "val_accuracy", "lr"}``, lists of length ``epochs``.
    """
    seed_run(seed)
    hist = model.fit(X, np.asarray(y, dtype="float32"), validation_data=(X_val, np.asarray(y_val, dtype="float32")),
                     epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0,
                     callbacks=[lr_schedule()])
    h = hist.history
    out = {k: [float(v) for v in h[k]] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}
    out["lr"] = [float(v) for v in h.get("learning_rate", [np.nan] * epochs)]
    return out


def predict(model, X, batch_size: int = 64) -> np.ndarray:
    """Fake probabilities ``(N,)`` for images ``(N, S, S, 3)``, computed eagerly batch by batch
    (no graph to trace: cheaper than ``model.predict`` for the small sets of notebook A3)."""
    out = [np.asarray(model(X[i:i + batch_size], training=False)).ravel()
           for i in range(0, len(X), batch_size)]
    return np.concatenate(out) if out else np.zeros(0)


def evaluate(model, X, y, batch_size: int = 64) -> dict:
    """Loss (binary cross-entropy), accuracy, error rate and the other metrics of
    :func:`deepfake_lib.metrics.binary_metrics` and :func:`~deepfake_lib.metrics.score_metrics`
    at threshold 0.5. X: ``(N, S, S, 3)`` float32, y: ``(N,)``."""
    from . import metrics
    from .reference import binary_cross_entropy

    p = predict(model, X, batch_size)
    out = {"loss": binary_cross_entropy(y, p)}
    out.update(metrics.binary_metrics(y, (p >= 0.5).astype(int)))
    out.update(metrics.score_metrics(y, p))
    return out


_COMPILED: dict = {}

#: An architecture given at most this many optimiser steps in all trains eagerly: tracing its
#: graph costs more than it saves below the break-even that benchmark ``train_step`` measures
#: (2 CPU cores: about 9 steps at 64 px, batch 16; about 2 at 128 px, batch 32). The smoke
#: profile's fits fall below it; those of the demo and full profiles are far above.
EAGER_MAX_STEPS = 8


def _graph_key(model: str, reading: str, image_size: int, dropout: float, lr: float) -> tuple:
    """What identifies one compiled graph in :data:`_COMPILED`."""
    return (model, reading, image_size, float(dropout), float(lr))


def n_steps(n_train: int, batch_size: int, epochs: int) -> int:
    """Optimiser steps of a fit: ``epochs`` x batches of ``n_train`` images."""
    return epochs * -(-n_train // batch_size)


def use_eager(model: str, reading: str, image_size: int, dropout: float, lr: float,
              total_steps: int) -> bool:
    """Whether fits that give an architecture ``total_steps`` steps in all should run eagerly:
    only if that is at most :data:`EAGER_MAX_STEPS` and no compiled graph of it exists yet."""
    return (total_steps <= EAGER_MAX_STEPS
            and _graph_key(model, reading, image_size, dropout, lr) not in _COMPILED)


def fresh_model(model: str, reading: str, image_size: int, dropout: float, lr: float, seed: int,
                eager: bool = False):
    """A compiled model with weights freshly initialised under ``seed`` and a fresh Adam state.

    Tracing a graph with LSTMs costs seconds on a CPU (benchmark ``train_step`` on the
    performance page measures it), more than a small training run, so the
    compiled model of each architecture is kept and reused: new runs receive new initial
    weights (from a model built under ``seed``), zeroed optimizer moments and step count, and
    the learning rate ``lr`` -- the same starting point as a newly compiled model.
    ``eager``: a model that runs eagerly instead (no graph to trace; nothing to reuse).
    """
    keras = _keras()
    seed_run(seed)
    new = build_model(model, reading, image_size=image_size, dropout=dropout)
    if eager:
        compile_model(new, lr).run_eagerly = True
        return new
    key = _graph_key(model, reading, image_size, dropout, lr)
    net = _COMPILED.get(key)
    if net is None:
        _COMPILED[key] = compile_model(new, lr)
        return new
    net.set_weights(new.get_weights())
    for var in net.optimizer.variables:
        var.assign(keras.ops.zeros(var.shape, var.dtype))
    net.optimizer.learning_rate = lr
    return net


def train_and_evaluate(data: dict, *, model: str, reading: str, dropout: float, batch_size: int,
                       epochs: int, seed: int, lr: float = 1e-4, init_from=None,
                       eager: bool | None = None) -> dict:
    """One training run of notebook A3: build, (optionally) transfer, fit, evaluate on test.

    Parameters
    ----------
    data : dict
        ``{"train": (X, y), "val": (X, y), "test": (X, y)}`` with X uint8 ``(N, S, S, 3)``.
    init_from : dict or keras.Model or None
        Trained weights (:func:`layer_weights`) carried over by :func:`transfer_weights`
        before training (Algorithm 1).

    eager : bool or None
        Run eagerly instead of on the compiled, reused graph of :func:`fresh_model`. None:
        :func:`use_eager` judges this fit alone; :func:`run_plan` judges all the fits of an
        architecture together, since they share one graph.

    Returns
    -------
    dict
        ``{"history": ..., "test": metrics, "transferred": [layer names],
        "weights": layer_weights of the trained model}``.
    """
    X, _ = data["train"]
    if eager is None:
        eager = use_eager(model, reading, X.shape[1], dropout, lr, n_steps(len(X), batch_size, epochs))
    net = fresh_model(model, reading, X.shape[1], dropout, lr, seed, eager=eager)
    copied = transfer_weights(init_from, net) if init_from is not None else []
    history = fit(net, *data["train"], *data["val"], epochs=epochs, batch_size=batch_size, seed=seed)
    return {"history": history, "test": evaluate(net, *data["test"]), "transferred": copied,
            "weights": layer_weights(net)}


# ---------------------------------------------------------------- ablations (notebook A3)

#: The ablations of section 4 and the transfer of Algorithm 1; ``cross`` is the transfer
#: across data (train on a source, fine-tune on a target).
ABLATIONS = ("batch_size", "dropout", "residual", "transfer", "cross")


def split_data(images, seed: int = 0, balance_splits: bool = True) -> dict:
    """Arrays per split from an :class:`deepfake_lib.faces.ImageSet` (notebook A3, "Data").

    Each split is balanced by :func:`balance` (the paper uses equal numbers of real and fake
    images); pixels stay uint8 (:func:`to_inputs`).

    Returns
    -------
    dict
        ``{"train"|"val"|"test": (X uint8 (N, S, S, 3), y int (N,))}``.
    """
    out = {}
    for split in ("train", "val", "test"):
        idx = np.flatnonzero(np.asarray(images.splits) == split)
        if balance_splits:
            idx = idx[balance(images.y[idx], seed)]
        out[split] = (to_inputs(images.X[idx]), np.asarray(images.y[idx]).astype(int))
    return out


def _config(model: str, dropout: float, batch_size: int) -> tuple[str, float, int]:
    """Canonical configuration: model1 without dropout is model0; only model1 uses dropout."""
    if model == "model1" and dropout == 0:
        model = "model0"
    return model, (float(dropout) if model == "model1" else 0.0), int(batch_size)


def config_name(cfg: tuple[str, float, int], init: str = "") -> str:
    """``"model1|d0.25|b64"`` (+ ``"|from model0"`` for transferred runs)."""
    model, dropout, batch = cfg
    return f"{model}|d{dropout:g}|b{batch}" + (f"|{init}" if init else "")


def plan(ablations: Sequence[str], batch_sizes: Sequence[int], dropouts: Sequence[float],
         batch_size: int, dropout: float) -> dict[str, list[tuple]]:
    """Which configurations each ablation compares; shared configurations are trained once.

    Returns
    -------
    dict
        ``{ablation: [(label, config, init), ...]}`` with ``init`` = "" (from scratch) or
        "from model0" (Algorithm 1's transfer).
    """
    unknown = set(ablations) - set(ABLATIONS)
    if unknown:
        raise ValueError(f"unknown ablations {sorted(unknown)}; known: {ABLATIONS}")
    out = {}
    if "batch_size" in ablations:
        out["batch_size"] = [(f"batch {b}", _config("model0", 0, b), "") for b in batch_sizes]
    if "dropout" in ablations:
        out["dropout"] = [(f"dropout {r:g}", _config("model1", r, batch_size), "") for r in dropouts]
    if "residual" in ablations:
        out["residual"] = [(m, _config(m, dropout, batch_size), "") for m in MODELS]
    if "transfer" in ablations:
        out["transfer"] = [(f"{m} {how}", _config(m, dropout, batch_size), init)
                           for m in ("model1", "model2")
                           for how, init in (("from scratch", ""), ("from model0", "from model0"))]
    return out


def run_plan(data: dict, runs: dict[str, list[tuple]], *, reading: str, epochs: int,
             seeds: Sequence[int], lr: float = 1e-4, log=print) -> dict[str, dict]:
    """Train every distinct configuration of ``runs`` for every seed (notebook A3).

    Transferred runs start from the weights of model0 (same batch size, same seed) trained in
    the same call. An architecture whose fits add up to at most :data:`EAGER_MAX_STEPS` steps
    trains eagerly (:func:`use_eager`). Returns ``{config_name: {seed: {"history", "test",
    "seconds"}}}``.
    """
    import time

    todo = []
    for rows in runs.values():
        for _, cfg, init in rows:
            if init:
                todo.append((_config("model0", 0, cfg[2]), ""))
            todo.append((cfg, init))
    todo = list(dict.fromkeys(sorted(todo, key=lambda t: (t[1] != "", t[0][0] != "model0"))))
    n_train, size = len(data["train"][0]), data["train"][0].shape[1]
    steps: dict = {}
    for (model, dropout, batch), _ in todo:
        steps[model, dropout] = steps.get((model, dropout), 0) + len(seeds) * n_steps(n_train, batch, epochs)
    eager = {k: use_eager(k[0], reading, size, k[1], lr, n) for k, n in steps.items()}
    results: dict[str, dict] = {}
    weights0: dict = {}
    for seed in seeds:
        for cfg, init in todo:
            model, dropout, batch = cfg
            t0 = time.perf_counter()
            src = weights0.get((batch, seed)) if init else None
            res = train_and_evaluate(data, model=model, reading=reading, dropout=dropout,
                                     batch_size=batch, epochs=epochs, seed=seed, lr=lr, init_from=src,
                                     eager=eager[model, dropout])
            if model == "model0" and not init:
                weights0[(batch, seed)] = res["weights"]
            name = config_name(cfg, init)
            results.setdefault(name, {})[seed] = {"history": res["history"], "test": res["test"],
                                                  "seconds": time.perf_counter() - t0}
            if log:
                log(f"seed {seed} {name:28s} val acc {res['history']['val_accuracy'][-1]:.3f} "
                    f"test acc {res['test']['accuracy']:.3f}")
    return results


def curves(results: dict, rows: list[tuple]) -> "pandas.DataFrame":
    """Long table of training curves for seaborn: label, seed, epoch, metric, value."""
    import pandas as pd

    recs = []
    for label, cfg, init in rows:
        for seed, res in results[config_name(cfg, init)].items():
            for metric, values in res["history"].items():
                for epoch, v in enumerate(values, start=1):
                    recs.append({"label": label, "seed": seed, "epoch": epoch, "metric": metric, "value": v})
    return pd.DataFrame(recs)


def summary(results: dict, rows: list[tuple], metrics_: Sequence[str] = (
        "val_accuracy", "val_loss", "accuracy", "loss", "test_accuracy", "test_error_rate")) -> dict:
    """Mean, sd and bootstrap CI over seeds (:func:`deepfake_lib.stats.summarise`) per label.

    ``val_*`` and ``accuracy``/``loss`` are the last epoch of the history; ``test_*`` come from
    :func:`evaluate` on the test split. Returns ``{label: {metric: summarise-dict}}``.
    """
    from .stats import summarise

    out = {}
    for label, cfg, init in rows:
        per_seed = results[config_name(cfg, init)]
        out[label] = {}
        for m in metrics_:
            if m.startswith("test_"):
                vals = [r["test"][m[5:]] for r in per_seed.values()]
            else:
                vals = [r["history"][m][-1] for r in per_seed.values()]
            out[label][m] = summarise(vals)
    return out


def summary_table(summ: dict, metrics_: Sequence[str] = ("val_accuracy", "val_loss", "test_accuracy")):
    """``mean +- sd [ci_low, ci_high]`` strings, one row per label (for display)."""
    import pandas as pd

    def fmt(s):
        return f"{s['mean']:.3f} ± {s['sd']:.3f} [{s['ci_low']:.3f}, {s['ci_high']:.3f}]"

    return pd.DataFrame({label: {m: fmt(v[m]) for m in metrics_} for label, v in summ.items()}).T


def compare_best(summ: dict, claimed: str, metric: str = "val_accuracy",
                 higher_is_better: bool = True) -> tuple[bool | None, str]:
    """Does ``claimed`` beat every other label on ``metric``? Decided on 95 % bootstrap CIs.

    True: its interval lies above (below, for a loss) every other interval. False: some other
    label's interval lies entirely beyond it. None: the intervals overlap, or one seed only
    (no spread, no interval), so the data cannot say. Returns ``(holds, sentence)``.
    """
    sign = 1 if higher_is_better else -1
    means = {k: v[metric]["mean"] for k, v in summ.items()}
    best = max(means, key=lambda k: sign * means[k])
    c = summ[claimed][metric]
    others = {k: v[metric] for k, v in summ.items() if k != claimed}
    if c["n"] < 2:
        holds = None
    elif higher_is_better:
        holds = True if all(c["ci_low"] > o["ci_high"] for o in others.values()) else \
            False if any(o["ci_low"] > c["ci_high"] for o in others.values()) else None
    else:
        holds = True if all(c["ci_high"] < o["ci_low"] for o in others.values()) else \
            False if any(o["ci_high"] < c["ci_low"] for o in others.values()) else None
    word = {True: "holds", False: "does not hold", None: "is not decided (intervals overlap"
            + (", one seed" if c["n"] < 2 else "") + ")"}[holds]
    ranking = " > ".join(f"{k} {means[k]:.3f}" for k in sorted(means, key=lambda k: -sign * means[k]))
    return holds, (f"Paper: {claimed} is best on {metric}. Ours, mean over {c['n']} seed(s): "
                   f"{ranking}; best is {best}. The paper's claim {word}.")


def plot_curves(frame, metrics_: Sequence[str], titles: Sequence[str], hue_title: str = ""):
    """One panel per metric, one line per label (mean over seeds, band = sd): the layout of
    the paper's Figures 9-12. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, axes = plt.subplots(1, len(metrics_), figsize=(5 * len(metrics_), 3.6), squeeze=False)
    for ax, metric, title in zip(axes[0], metrics_, titles):
        sub = frame[frame.metric == metric]
        sns.lineplot(data=sub, x="epoch", y="value", hue="label", errorbar="sd", marker="o", ax=ax)
        ax.set(title=title, ylabel=metric.replace("_", " "), xlabel="epoch")
        ax.legend(title=hue_title, fontsize=8)
    fig.tight_layout()
    return fig


def select_methods(images, fake_methods: Sequence[str]):
    """The real images plus the fakes made by ``fake_methods`` (a copy of the ImageSet).

    Notebook A3 uses it for transfer across data on the demo benchmark: a source task (real
    vs one manipulation) and a target task (real vs the others).
    """
    import dataclasses

    keep = (np.asarray(images.y) == 0) | np.isin(images.methods, list(fake_methods))
    return dataclasses.replace(images, X=images.X[keep], y=images.y[keep],
                               video_ids=images.video_ids[keep], splits=images.splits[keep],
                               methods=images.methods[keep])


def run_cross(source: dict, target: dict, *, reading: str, batch_size: int, epochs: int,
              seeds: Sequence[int], lr: float = 1e-4, model: str = "model0", log=print):
    """Transfer across data: model0 trained on ``source``, then ``model`` trained on
    ``target`` from scratch and from the source weights; both tested on ``target``'s test split.

    ``source``, ``target``: dicts of :func:`split_data`. Returns ``(results, rows)`` in the
    format of :func:`run_plan` / :func:`plan`, rows labelled "from scratch" and "from source".
    """
    import time

    cfg = _config(model, 0.0, batch_size)
    results: dict[str, dict] = {}
    for seed in seeds:
        src = train_and_evaluate(source, model="model0", reading=reading, dropout=0.0,
                                 batch_size=batch_size, epochs=epochs, seed=seed, lr=lr)
        for init, w in (("", None), ("from source", src["weights"])):
            t0 = time.perf_counter()
            res = train_and_evaluate(target, model=cfg[0], reading=reading, dropout=0.0,
                                     batch_size=batch_size, epochs=epochs, seed=seed, lr=lr, init_from=w)
            results.setdefault(config_name(cfg, init), {})[seed] = {
                "history": res["history"], "test": res["test"], "seconds": time.perf_counter() - t0,
                "source_test": src["test"]}
            if log:
                log(f"seed {seed} target {init or 'from scratch':12s} test acc {res['test']['accuracy']:.3f}")
    rows = [("from scratch", cfg, ""), ("from source", cfg, "from source")]
    return results, rows


# ---------------------------------------------------------------- benchmark (performance page)
@bench.benchmark("train_step", "paper A model2 training step: eager vs compiled graph; the graph "
                               "reuse of fresh_model")
def bench_train_step(quick: bool) -> dict:
    """Paper A's model2 (``after_block``) training step: compiled graph vs eager, and the graph
    reuse of :func:`fresh_model`.

    128 x 128 images, batch 32 (``quick``: 64 px, batch 16). ``ratio`` = seconds of a steady
    eager step / seconds of a steady compiled step. ``*_overhead_s`` is what building the model
    (and, compiled, tracing its graph) adds to the first step; ``break_even_steps`` how many
    steps a fit needs before compiling pays off; ``reuse_ratio`` the first-step time of a newly
    compiled model over that of a reused one (what :func:`fresh_model` saves per run).
    """
    import time

    keras = _keras()
    size, batch, reps = (64, 16, 2) if quick else (PAPER_IMAGE_SIZE, 32, 4)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    y = rng.integers(0, 2, batch).astype("float32")

    def steps(net, n):
        t0 = time.perf_counter()
        for _ in range(n):
            net.train_on_batch(X, y)
        return (time.perf_counter() - t0) / n

    def first(make):
        t0 = time.perf_counter()
        net = make()
        steps(net, 1)
        return net, time.perf_counter() - t0

    _COMPILED.clear()
    net, compiled_first = first(lambda: fresh_model("model2", "after_block", size, 0.0, 1e-4, seed=0))
    compiled_s = steps(net, reps)
    _, reuse_first = first(lambda: fresh_model("model2", "after_block", size, 0.0, 1e-4, seed=1))

    def eager_model():
        m = compile_model(build_model("model2", "after_block", image_size=size))
        m.run_eagerly = True
        return m

    eager, eager_first = first(eager_model)
    eager_s = steps(eager, reps)
    _COMPILED.clear()
    keras.backend.clear_session()
    overhead_c, overhead_e = max(compiled_first - compiled_s, 0.0), max(eager_first - eager_s, 0.0)
    gain = eager_s - compiled_s
    return {"image_size": size, "batch": batch, "fast_s": compiled_s, "baseline_s": eager_s,
            "ratio": eager_s / compiled_s, "images_per_s": batch / compiled_s,
            "compiled_overhead_s": overhead_c, "eager_overhead_s": overhead_e,
            "break_even_steps": (overhead_c - overhead_e) / gain if gain > 0 else None,
            "reuse_ratio": compiled_first / reuse_first, "unit": "s per step"}
