"""Training paper A's models (notebook A3).

Section 3.4: binary cross-entropy, Adam with an initial learning rate of 10^-4, "divided by 10
if the learning precision did not increase during two successive epochs, up to the minimum
value 106" (10^-6 with its minus sign and superscript lost). The paper's numbers come from the
claims ledger.

**A fit depends on its configuration and seed alone**, whatever ran before it in the process
(notebook A3, section "The runs"): initial weights and dropout seeds are drawn from Python's
generator seeded by the fit; the order of the training images in every epoch is drawn from a
NumPy generator seeded by the fit (:func:`fit` loops over the epochs itself; Keras's own
shuffle draws from TensorFlow's global generator, whose state depends on every random op made
before); a reused compiled graph (:func:`fresh_model`) gets every variable of a freshly built
model (weights and dropout seed states), a zeroed optimizer (moments and step count) and its
learning rate back; whether a fit runs eagerly is part of its configuration, never decided
from what the process has compiled so far. ``tests/paper_a/test_training.py`` runs the same
fit first and after other fits and asserts identical numbers.
"""

from __future__ import annotations

import time

import numpy as np
from deepfake_lib.claims import ledger as _ledger
from deepfake_lib.core.results import seed_everything
from deepfake_lib.paper_a.equations import binary_cross_entropy
from deepfake_lib.paper_a.models import _keras, build_model, layer_weights, transfer_weights

_PAPER = _ledger.claims_by_id()
#: Section 3.4: the initial learning rate, its factor and patience.
PAPER_LR = float(_PAPER["A.sec3.4.lr_initial"].value)
LR_FACTOR = 1.0 / float(_PAPER["A.sec3.4.lr_factor"].value)
LR_PATIENCE = int(_PAPER["A.sec3.4.lr_patience"].value)
#: "up to the minimum value 106": printed "10" then the lost exponent "6", read as 10^-6.
LR_MIN = 10.0 ** -int(str(_PAPER["A.sec3.4.lr_min"].text)[2:])
#: What the schedule watches: "the learning precision" read as training accuracy (the paper's
#: Figure 9 says "learning" for training, against "validation" in Figure 10), and the
#: validation accuracy as the named alternative.
LR_MONITORS = ("accuracy", "val_accuracy")
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr")
#: The history's list of the loss of every optimiser step (the curves of notebook A3,
#: section "Residual blocks and the speed of learning").
STEP_KEY = "step_loss"


def compile_model(model, lr: float = PAPER_LR):
    """Binary cross-entropy, Adam with learning rate ``lr`` (section 3.4), accuracy.

    Notebook A3, section "The runs".
    """
    keras = _keras()
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def lr_schedule(monitor: str = "accuracy"):
    """Learning rate divided by 10 when ``monitor`` has not improved for 2 epochs, down to
    10^-6 (section 3.4): a ``keras.callbacks.ReduceLROnPlateau``.

    ``monitor``: ``"accuracy"`` (training accuracy, the paper's "learning precision") or
    ``"val_accuracy"`` (the alternative). Notebook A3, section "The runs".
    """
    if monitor not in LR_MONITORS:
        raise ValueError(f"monitor must be one of {LR_MONITORS}, got {monitor!r}")
    keras = _keras()
    return keras.callbacks.ReduceLROnPlateau(monitor=monitor, factor=LR_FACTOR, mode="max",
                                             patience=LR_PATIENCE, min_lr=LR_MIN, verbose=0)


def to_inputs(X: np.ndarray) -> np.ndarray:
    """Images ``(N, S, S, 3)`` as the models take them: uint8 pixels, kept as they are (the
    models rescale to [0, 1] themselves, so a full-size dataset stays at one byte per value).
    Notebook A3, section "Data"."""
    return np.asarray(X, dtype=np.uint8)


def balance(y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Indices that keep every example of the rarer class and as many of the other, drawn at
    random (the paper balances to 19,148 real and 19,148 fake). Returned sorted; shape (2m,).
    Notebook A3, section "Data"."""
    y = np.asarray(y).astype(int)
    rng = np.random.default_rng(seed)
    idx = [np.flatnonzero(y == c) for c in (0, 1)]
    m = min(len(i) for i in idx)
    keep = np.concatenate([rng.choice(i, m, replace=False) for i in idx])
    return np.sort(keep)


def fit(model, X, y, X_val, y_val, epochs: int, batch_size: int, seed: int = 0,
        monitor: str = "accuracy", steps: int | None = None) -> dict:
    """Train a compiled model under :func:`lr_schedule`; returns the per-epoch history.

    Every epoch visits the training images in an order drawn from
    ``numpy.random.default_rng(seed)`` (one permutation per epoch), one optimiser step per
    batch; the epoch's ``loss`` and ``accuracy`` are the batch-size-weighted means over its
    steps, as ``model.fit`` reports them; ``val_*`` are the binary cross-entropy and the
    accuracy at threshold 0.5 of :func:`predict` on the validation images after the epoch (a
    forward pass with no test graph to trace); ``lr`` is the rate the epoch trained with;
    ``step_loss`` holds the loss of every optimiser step. With ``steps``, the fit makes
    exactly that many optimiser steps (``epochs`` is then ignored): the epochs run as above
    and the last one stops after the step that reaches ``steps`` (:func:`n_examples` counts
    the images it saw). Notebook A3, sections "The runs" and "Residual blocks and the speed
    of learning".

    Parameters
    ----------
    X, X_val : ndarray, shape (N, S, S, 3), uint8 pixels
    y, y_val : ndarray, shape (N,), 0 = real, 1 = fake
    monitor : one of :data:`LR_MONITORS`

    Returns
    -------
    dict
        ``{"loss", "accuracy", "val_loss", "val_accuracy", "lr"}``, lists of length ``epochs``
        (with ``steps``: the epochs begun), and ``"step_loss"``, a list of one loss per step.
    """
    keras = _keras()
    y = np.asarray(y, dtype="float32")
    y_val = np.asarray(y_val, dtype="float32")
    rng = np.random.default_rng(seed)
    schedule = lr_schedule(monitor)
    schedule.set_model(model)
    schedule.on_train_begin()
    out: dict[str, list[float]] = {k: [] for k in (*HISTORY_KEYS, STEP_KEY)}
    per_epoch = -(-len(X) // batch_size)
    if steps is not None:
        epochs = -(-int(steps) // per_epoch)
    total = epochs * per_epoch if steps is None else int(steps)
    for epoch in range(epochs):
        lr = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        order = rng.permutation(len(X))
        sums, n = np.zeros(2), 0
        for i in range(0, len(X), batch_size):
            if len(out[STEP_KEY]) == total:
                break
            idx = order[i:i + batch_size]
            logs = model.train_on_batch(X[idx], y[idx], return_dict=True)
            sums += len(idx) * np.array([logs["loss"], logs["accuracy"]])
            n += len(idx)
            out[STEP_KEY].append(float(logs["loss"]))
        p = predict(model, X_val, batch_size)
        logs = {"loss": sums[0] / n, "accuracy": sums[1] / n, "lr": lr,
                "val_loss": binary_cross_entropy(y_val, p),
                "val_accuracy": float(np.mean((p >= 0.5) == (y_val >= 0.5)))}
        for k in HISTORY_KEYS:
            out[k].append(float(logs[k]))
        schedule.on_epoch_end(epoch, dict(logs))
    return out


def predict(model, X, batch_size: int = 64) -> np.ndarray:
    """Fake probabilities ``(N,)`` for images ``(N, S, S, 3)``, computed eagerly batch by batch
    (no graph to trace: cheaper than ``model.predict`` for the small sets of notebook A3).
    Notebook A3, section "Residual blocks and the three models"."""
    out = [np.asarray(model(X[i:i + batch_size], training=False)).ravel()
           for i in range(0, len(X), batch_size)]
    return np.concatenate(out) if out else np.zeros(0)


def evaluate(model, X, y, batch_size: int = 64, scores: bool = False) -> dict:
    """Loss (binary cross-entropy), accuracy, error rate (1 - accuracy), precision, recall and
    the other metrics of :func:`deepfake_lib.core.metrics.binary_metrics` and
    :func:`~deepfake_lib.core.metrics.score_metrics` at threshold 0.5. X: ``(N, S, S, 3)``,
    y: ``(N,)``; ``scores``: also return the fake probabilities ``(N,)`` under ``"scores"``
    (a list). Notebook A3, section "Residual blocks and the three models"."""
    from deepfake_lib.core import metrics

    p = predict(model, X, batch_size)
    out = {"loss": binary_cross_entropy(y, p)}
    out.update(metrics.binary_metrics(y, (p >= 0.5).astype(int)))
    out.update(metrics.score_metrics(y, p))
    out = {k: float(v) for k, v in out.items()}
    if scores:
        out["scores"] = [float(v) for v in p]
    return out


_COMPILED: dict = {}

#: An architecture given at most this many optimiser steps in all trains eagerly: tracing its
#: graph costs more than it saves below the break-even that benchmark ``train_step`` measures
#: (2 CPU cores: about 9 steps at 64 px, batch 16; about 8 at 128 px, batch 32). The smoke
#: profile's fits fall below it; those of the demo and full profiles are far above.
EAGER_MAX_STEPS = 8


def _graph_key(model: str, reading: str, image_size: int, dropout: float, lr: float,
               arch: dict | None = None) -> tuple:
    """What identifies one compiled graph in :data:`_COMPILED`."""
    return (model, reading, image_size, float(dropout), float(lr),
            tuple(sorted((arch or {}).items())))


def n_steps(n_train: int, batch_size: int, epochs: int) -> int:
    """Optimiser steps of a fit: ``epochs`` x batches of ``n_train`` images.
    Notebook A3, section "The runs"."""
    return epochs * -(-n_train // batch_size)


def n_examples(n_train: int, batch_size: int, steps: int) -> int:
    """Training images seen in ``steps`` optimiser steps of :func:`fit`: every epoch is
    ``n_train // batch_size`` full batches and one batch of the rest (when there is a rest),
    and the last epoch stops at ``steps``. Notebook A3, section "What a fit costs"."""
    per_epoch = -(-n_train // batch_size)
    full, rest = divmod(int(steps), per_epoch)
    return full * n_train + min(rest * batch_size, n_train)


def use_eager(total_steps: int) -> bool:
    """Whether the fits of an architecture, ``total_steps`` optimiser steps in all, should run
    eagerly (at most :data:`EAGER_MAX_STEPS`). A property of the plan of fits, never of what
    the process has compiled before, so a fit's numbers do not depend on its neighbours.
    Notebook A3, section "The runs"."""
    return total_steps <= EAGER_MAX_STEPS


def fresh_model(model: str, reading: str, image_size: int, dropout: float, lr: float, seed: int,
                eager: bool = False, **arch):
    """A compiled model, freshly initialised under ``seed``, that trains as a newly built one.

    Tracing a graph with LSTMs costs seconds on a CPU (benchmark ``train_step`` on the
    performance page measures it), more than a small training run, so the compiled model of
    each architecture is kept and reused. A reused model receives every variable of a model
    built under ``seed`` (initial weights and the state of each dropout's seed generator),
    zeroed optimizer variables (moments and step count), the learning rate ``lr`` and reset
    metrics: the same starting point as a newly compiled model, so the fit's numbers are the
    same. ``eager``: a model that runs eagerly instead (no graph to trace; nothing reused).
    ``arch``: ``dropout_at``, ``residual_relu``, ``init``, ``input_scale`` of
    :func:`build_model`.
    Notebook A3, section "The runs".
    """
    keras = _keras()
    seed_everything(seed, framework=False)
    new = build_model(model, reading, image_size=image_size, dropout=dropout, **arch)
    if eager:
        compile_model(new, lr).run_eagerly = True
        return new
    key = _graph_key(model, reading, image_size, dropout, lr, arch)
    net = _COMPILED.get(key)
    if net is None:
        _COMPILED[key] = compile_model(new, lr)
        return new
    for dst, src in zip(net.variables, new.variables, strict=True):
        dst.assign(src.value)
    for var in net.optimizer.variables:
        var.assign(keras.ops.zeros(var.shape, var.dtype))
    net.optimizer.learning_rate = lr
    net.reset_metrics()
    return net


def train_and_evaluate(data: dict, *, model: str, reading: str, dropout: float, batch_size: int,
                       epochs: int, seed: int, lr: float = PAPER_LR, init_from=None,
                       eager: bool = False, monitor: str = "accuracy",
                       steps: int | None = None, **arch) -> dict:
    """One training run: build, (optionally) transfer, fit, evaluate on test.

    Notebook A3, section "The runs".

    Parameters
    ----------
    data : dict
        ``{"train": (X, y), "val": (X, y), "test": (X, y)}`` with X uint8 ``(N, S, S, 3)``.
    init_from : dict or keras.Model or None
        Trained weights (:func:`layer_weights`) carried over by :func:`transfer_weights`
        before training (Algorithm 1).
    eager : bool
        Run eagerly instead of on the compiled, reused graph of :func:`fresh_model`.
    monitor : one of :data:`LR_MONITORS`
        What the learning-rate schedule watches.
    steps : int or None
        Train exactly this many optimiser steps instead of ``epochs`` epochs (:func:`fit`).

    Returns
    -------
    dict
        ``{"history": ..., "test": metrics (with the test images' ``scores``),
        "transferred": [layer names], "weights": layer_weights of the trained model}``.
    """
    X, _ = data["train"]
    net = fresh_model(model, reading, X.shape[1], dropout, lr, seed, eager=eager, **arch)
    copied = transfer_weights(init_from, net) if init_from is not None else []
    history = fit(net, *data["train"], *data["val"], epochs=epochs, batch_size=batch_size,
                  seed=seed, monitor=monitor, steps=steps)
    test = evaluate(net, *data["test"], scores=True)
    return {"history": history, "test": test, "transferred": copied,
            "weights": layer_weights(net)}


#: Keys of a unit of :func:`fit_unit` passed on to :func:`train_and_evaluate` as they are.
_FIT_KEYS = ("reading", "batch_size", "lr", "monitor", "dropout_at", "residual_relu", "init",
             "input_scale")


def fit_unit(unit: dict, shared: dict) -> dict:
    """One fit of a seed x configuration grid, for :func:`deepfake_lib.core.dispatch.map_units`.

    ``unit`` (JSON-able) holds everything the fit depends on: ``model``, ``reading``,
    ``dropout``, ``batch_size``, ``epochs``, ``seed``, ``lr``, ``monitor``, ``dropout_at``,
    ``residual_relu``, ``eager`` and ``data`` (the key of its dataset in ``shared``). A
    transferred fit also has ``source_epochs`` > 0, ``source_data``, ``source_model`` and
    ``source_eager``: it first trains the source model (model0) that long on that dataset,
    with the same seed, then carries its weights into ``model`` (Algorithm 1) and trains
    ``epochs`` more. ``shared``: ``{name: {"train"|"val"|"test": (X, y)}}``.

    A unit with ``steps`` (and ``source_steps``) trains that many optimiser steps instead of
    ``epochs`` (``source_epochs``) epochs.

    Returns ``{"history", "test" (with the test images' ``scores``), "source_test" (or None),
    "n_transferred", "steps", "examples", "seconds"}``: ``steps`` and ``examples`` count the
    optimiser steps and training images of the unit, its source model's included; all but
    ``seconds`` depend on the unit alone. Notebook A3, section "The runs".
    """
    t0 = time.perf_counter()
    common = {k: unit[k] for k in _FIT_KEYS if k in unit}
    init_from, source_test, cost = None, None, np.zeros(2, int)
    if unit.get("source_epochs", 0) > 0 or unit.get("source_steps", 0) > 0:
        src_data = shared[unit["source_data"]]
        src = train_and_evaluate(src_data, model=unit["source_model"], dropout=0.0,
                                 epochs=unit.get("source_epochs", 0), seed=unit["seed"],
                                 steps=unit.get("source_steps"), eager=unit["source_eager"],
                                 **common)
        init_from, source_test = src["weights"], src["test"]
        source_test = {k: v for k, v in source_test.items() if k != "scores"}
        cost += _cost(src["history"], len(src_data["train"][0]), unit["batch_size"])
    data = shared[unit["data"]]
    res = train_and_evaluate(data, model=unit["model"], dropout=unit["dropout"],
                             epochs=unit.get("epochs", 0), seed=unit["seed"],
                             steps=unit.get("steps"), init_from=init_from,
                             eager=unit["eager"], **common)
    cost += _cost(res["history"], len(data["train"][0]), unit["batch_size"])
    return {"history": res["history"], "test": res["test"], "source_test": source_test,
            "n_transferred": len(res["transferred"]), "steps": int(cost[0]),
            "examples": int(cost[1]), "seconds": time.perf_counter() - t0}


def _cost(history: dict, n_train: int, batch_size: int) -> np.ndarray:
    """Optimiser steps and training images seen, ``(2,)``, of one :func:`fit` history."""
    steps = len(history[STEP_KEY])
    return np.array([steps, n_examples(n_train, batch_size, steps)])
