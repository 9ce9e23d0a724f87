r"""Paper B's CNN-RNN: a per-frame CNN, an LSTM, a sigmoid, its hyperparameters tuned by PSO.

Model (sections 4.2.4-4.2.5; :func:`build_model`; notebook B2, section "Model"): a CNN
applied to every frame of a clip (``TimeDistributed``), "a series of convolutional and
pooling layers": ``L`` blocks of a same-padded convolution (``N`` filters, kernel ``k``,
stride ``s``, activation ``A``) followed by 2 x 2 max pooling (:math:`f(x, y) = \max`),
closed by a global max pooling so that a frame gives ``N`` features whatever the image
size; then ``R`` stacked LSTMs of ``M`` units with activation ``B``, dropout, and one
sigmoid unit (the fake probability, thresholded at 0.5). Section 5.3's depthwise-separable
convolutions are the default (``separable=True``), ordinary convolutions the alternative.

Keras' ``LSTM(activation=B)`` puts ``B`` in place of *both* tanh of section 3.2, the cell
input :math:`\tanh(W_c x_t + U_c h_{t-1} + b_c)` and the output
:math:`h_t = o_t \tanh(c_t)`; the gates stay sigmoid.

PSO (notebook B2, section "PSO over the CNN-RNN"): :data:`SEARCH_SPACE` holds the paper's
ranges for filters (16-64), kernel (3-6) and stride (2-4) and the book's own ranges for
``L``, ``A``, ``R``, ``M``, ``B`` (the paper gives none). Fitness is validation accuracy
(:func:`make_fitness`), never test: the particles of one iteration are the units of one
:func:`deepfake_lib.core.dispatch.map_units` call (:func:`fitness_unit`), each seeded by
the run's seed and its rounded position alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from deepfake_lib.core import dispatch, metrics
from deepfake_lib.paper_b.preprocessing import prepare
from deepfake_lib.paper_b.pso import unit_seed

#: Activation names that the integer PSO dimensions ``A`` and ``B`` index.
CNN_ACTIVATIONS = ("relu", "elu", "tanh")
RNN_ACTIVATIONS = ("tanh", "relu")


@dataclass(frozen=True)
class Dim:
    """One PSO dimension: name, bounds, the choices a categorical one indexes, and whose
    range it is (``"paper"`` or ``"book"``). Notebook B2, section "PSO over the CNN-RNN"."""
    name: str
    low: float
    high: float
    choices: tuple = ()
    source: str = "book"


#: The search space of notebook B2, all integer: the paper's three CNN ranges (section 5)
#: and the book's own ranges for the rest of its list L, N, A, R, M, B (section 4.2.2).
SEARCH_SPACE = (
    Dim("filters", 16, 64, source="paper"),       # N
    Dim("kernel", 3, 6, source="paper"),
    Dim("stride", 2, 4, source="paper"),
    Dim("conv_layers", 1, 3),                     # L
    Dim("cnn_activation", 0, len(CNN_ACTIVATIONS) - 1, CNN_ACTIVATIONS),   # A
    Dim("rnn_layers", 1, 2),                      # R
    Dim("rnn_units", 16, 64),                     # M
    Dim("rnn_activation", 0, len(RNN_ACTIVATIONS) - 1, RNN_ACTIVATIONS),   # B
)


def space_table(space=SEARCH_SPACE):
    """The search space as a table: range and whose range it is (notebook B2, section
    "PSO over the CNN-RNN")."""
    import pandas as pd

    return pd.DataFrame([{"dimension": d.name, "range": "/".join(d.choices) if d.choices
                          else f"{d.low:g}-{d.high:g}", "range from": d.source}
                         for d in space]).set_index("dimension")


def space_bounds(space=SEARCH_SPACE) -> tuple[np.ndarray, np.ndarray]:
    """``(lower (d,), upper (d,))`` of a search space for :func:`pso.minimize` (notebook B2,
    section "PSO over the CNN-RNN"). Integer dimensions get +-0.49 so that rounding reaches
    both ends with fair probability."""
    lo = np.array([d.low for d in space], dtype=float) - 0.49
    hi = np.array([d.high for d in space], dtype=float) + 0.49
    return lo, hi


def decode(x, space=SEARCH_SPACE) -> dict:
    """A position ``x`` ``(d,)`` -> hyperparameters ``{name: int or activation name}``
    (notebook B2, section "PSO over the CNN-RNN")."""
    out = {}
    for v, d in zip(np.asarray(x, dtype=float), space):
        i = int(np.clip(np.rint(v), d.low, d.high))
        out[d.name] = d.choices[i] if d.choices else i
    return out


# ----------------------------------------------------------------------------- model
def build_model(frames: int, size: int, *, filters: int = 32, kernel: int = 3, stride: int = 2,
                conv_layers: int = 2, cnn_activation: str = "relu", rnn_layers: int = 1,
                rnn_units: int = 32, rnn_activation: str = "tanh", dropout: float = 0.4,
                lr: float = 0.01, separable: bool = True, run_eagerly: bool = False,
                name: str = "cnn_rnn"):
    """The CNN-RNN of paper B, sections 4.2.4-4.2.5 and 5.3 (notebook B2, section "Model").

    Input ``(B, T, S, S, 3)`` (z-scored clips) -> fake probability ``(B, 1)``. Per frame:
    ``conv_layers`` x [(Separable)Conv2D(filters, kernel, stride, same padding,
    ``cnn_activation``) -> MaxPooling2D(2, same padding)] -> global max pooling; then
    dropout -> ``rnn_layers`` x LSTM(rnn_units, ``rnn_activation``) -> dropout ->
    Dense(1, sigmoid). Compiled with Adam(``lr``) and binary cross-entropy (the paper names
    neither). ``run_eagerly`` skips graph tracing, faster for the smoke profile's tiny fits.
    """
    import keras
    from keras import layers

    conv = layers.SeparableConv2D if separable else layers.Conv2D
    cnn = keras.Sequential(name="frame_cnn")
    cnn.add(keras.Input((size, size, 3)))
    for i in range(conv_layers):
        cnn.add(conv(filters, kernel, strides=stride, padding="same",
                     activation=cnn_activation, name=f"conv{i + 1}"))
        cnn.add(layers.MaxPooling2D(2, padding="same", name=f"pool{i + 1}"))
    cnn.add(layers.GlobalMaxPooling2D(name="global_max_pool"))
    inp = keras.Input((frames, size, size, 3), name="clip")
    h = layers.TimeDistributed(cnn, name="per_frame_cnn")(inp)
    h = layers.Dropout(dropout, name="dropout_cnn")(h)
    for i in range(rnn_layers):
        h = layers.LSTM(rnn_units, activation=rnn_activation,
                        return_sequences=i < rnn_layers - 1, name=f"lstm{i + 1}")(h)
    h = layers.Dropout(dropout, name="dropout_rnn")(h)
    out = layers.Dense(1, activation="sigmoid", name="fake_prob")(h)
    model = keras.Model(inp, out, name=name)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy",
                  metrics=["accuracy"], run_eagerly=run_eagerly)
    return model


def predict_proba(model, X: np.ndarray, batch_size: int = 128) -> np.ndarray:
    """Fake probabilities ``(C,)`` of clips ``X`` ``(C, T, S, S, 3)`` (direct calls, no
    tracing). Notebook B2, section "Final training and test"."""
    if not len(X):
        return np.zeros(0)
    return np.concatenate([np.asarray(model(X[i:i + batch_size], training=False)).ravel()
                           for i in range(0, len(X), batch_size)])


def fit(hp: dict, X, y, *, epochs: int, batch_size: int, seed: int, dropout: float = 0.4,
        lr: float = 0.01, separable: bool = True, run_eagerly: bool = False):
    """A fresh :func:`build_model` with hyperparameters ``hp``, every random number seeded
    by ``seed`` (a fresh Keras session, so nothing carries over from an earlier fit),
    trained on clips ``X`` ``(C, T, S, S, 3)``, labels ``y`` ``(C,)``. Notebook B2."""
    import keras

    keras.backend.clear_session(free_memory=False)   # layer names restart; no slow gc pass
    keras.utils.set_random_seed(int(seed))
    model = build_model(X.shape[1], X.shape[2], dropout=dropout, lr=lr, separable=separable,
                        run_eagerly=run_eagerly, **hp)
    hist = model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    model.loss_history = [float(v) for v in hist.history["loss"]]     # per epoch
    return model


def training_cost(n_examples: int, batch_size: int, epochs: int) -> dict:
    """What one :func:`fit` costs: ``{"steps": ceil(n / batch) x epochs, "examples": n x
    epochs}`` (optimizer steps and training examples seen). Notebook B2, section "PSO over
    the CNN-RNN"."""
    n, b, e = int(n_examples), int(batch_size), int(epochs)
    return {"steps": -(-n // b) * e if n else 0, "examples": n * e}


# ----------------------------------------------------------------------------- units of work
def fitness_unit(unit: dict, shared: dict) -> dict:
    """One PSO fitness evaluation, a :func:`deepfake_lib.core.dispatch.map_units` unit
    (notebook B2, section "PSO over the CNN-RNN").

    ``unit``: ``hp``, ``seed`` (from the run's seed and the rounded position), ``fit`` (the
    keyword arguments of :func:`fit` but the seed). ``shared``: ``{"train": (X, y), "val":
    (X, y)}``, preprocessed clips. Returns ``{"val_accuracy", "steps", "examples",
    "seconds"}`` (:func:`training_cost`).
    """
    t0 = time.perf_counter()
    (Xtr, ytr), (Xva, yva) = shared["train"], shared["val"]
    model = fit(unit["hp"], Xtr, ytr, seed=unit["seed"], **unit["fit"])
    p = predict_proba(model, Xva)
    acc = float(((p > 0.5).astype(int) == yva).mean()) if len(yva) else 0.0
    cost = training_cost(len(ytr), unit["fit"]["batch_size"], unit["fit"]["epochs"])
    return {"val_accuracy": acc, **cost, "seconds": time.perf_counter() - t0}


def make_fitness(train, val, *, seed: int, space=SEARCH_SPACE, log: list | None = None,
                 progress: bool = False, **fit_kw):
    """PSO objective ``f(P (m, d)) -> costs (m,)``, cost = 1 - validation accuracy
    (notebook B2, section "PSO over the CNN-RNN").

    ``train`` and ``val`` are ``(X, y)`` pairs of preprocessed clips. The ``m`` rows (the
    new rounded positions of one iteration) are one batch of :func:`fitness_unit` units,
    sent through :func:`deepfake_lib.core.dispatch.map_units`; results come back in
    submission order. ``log`` (if given) receives one dict per training: the
    hyperparameters, the unit's seed, the accuracy and the seconds. ``fit_kw`` go to
    :func:`fit` (``epochs``, ``batch_size``, ``dropout``, ``lr``, ``separable``, ...).
    """
    shared = {"train": tuple(train), "val": tuple(val)}

    def f(P):
        units = [{"hp": decode(x, space), "seed": unit_seed(seed, x), "fit": dict(fit_kw)}
                 for x in np.atleast_2d(P)]
        out = dispatch.map_units(fitness_unit, units, shared=shared, desc="fitness",
                                 progress=progress)
        if log is not None:
            log.extend({**u["hp"], "seed": u["seed"], **r} for u, r in zip(units, out))
        return np.array([1.0 - r["val_accuracy"] for r in out])

    return f


def run_unit(unit: dict, shared) -> dict:
    """One run of notebooks B2/B3, a :func:`deepfake_lib.core.dispatch.map_units` unit:
    preprocess the train split (augmentation and SMOTE seeded by ``unit["seed"]``), train
    :func:`build_model` with ``unit["hp"]`` from that seed, score the test split. A unit
    with ``"fold": k`` trains on every identity fold but ``k`` and scores fold ``k``
    (:meth:`~deepfake_lib.paper_b.clips.ClipSet.fold`; notebook B3, section "Every video
    tested: identity folds").

    ``shared`` is the :class:`deepfake_lib.paper_b.clips.ClipSet`; ``unit["prep"]`` and
    ``unit["fit"]`` are the keyword arguments of
    :func:`deepfake_lib.paper_b.preprocessing.prepare` and :func:`fit`. Returns
    ``{"clip": metrics, "video": metrics, "prep": counts, "loss": per-epoch training loss,
    "cost": training_cost, "scores": {"video", "p", "y"}}``, metrics being
    :func:`deepfake_lib.core.metrics.binary_metrics` at threshold 0.5 plus AUC, per clip
    and per video (:func:`deepfake_lib.core.metrics.video_scores`: the mean of its clip
    probabilities), ``scores`` the test videos' ids, scores and labels. Notebook B3, section
    "Five runs".
    """
    seed, clips = int(unit["seed"]), shared
    if unit.get("fold") is None:
        train, test = clips.split("train"), clips.split("test")
    else:
        train, test = clips.fold(int(unit["fold"]))
    Xtr, ytr, prep = prepare(train, True, seed=seed, **unit["prep"])
    keep = {k: v for k, v in unit["prep"].items() if k in ("stabilise_clips", "denoise_h")}
    Xte, yte, _ = prepare(test, False, seed=seed, **keep)
    model = fit(unit["hp"], Xtr, ytr, seed=seed, **unit["fit"])
    p = predict_proba(model, Xte)
    ids, pv, yv = metrics.video_scores(p, test.video, test.y)
    out = {"prep": prep, "loss": model.loss_history,
           "cost": training_cost(len(ytr), unit["fit"]["batch_size"], unit["fit"]["epochs"]),
           "scores": {"video": [str(v) for v in ids], "p": pv.tolist(), "y": yv.tolist()}}
    for level, (yy, pp) in {"clip": (yte, p), "video": (yv, pv)}.items():
        out[level] = {**metrics.binary_metrics(yy, (pp > 0.5).astype(int)),
                      **metrics.score_metrics(yy, pp), "n": int(len(yy))}
    return out


def chosen_configuration(manifest_sha: str, results_dir=None, use_b2: bool = True):
    """``(hp, source)``: notebook B2's PSO choice when its results file exists and was
    computed on the manifest ``manifest_sha``, else the middle of the search space
    (notebook B3, section "Data and configuration")."""
    from deepfake_lib.core import results

    try:
        b2 = results.load("B2_cnn_rnn", results_dir)
    except FileNotFoundError:
        b2 = None
    if use_b2 and b2 is not None and b2["data_manifest_sha256"] == manifest_sha:
        return b2["values"]["best_hp"], "notebook B2's PSO"
    return default_configuration(), "middle of the search space"


def default_configuration(space=SEARCH_SPACE) -> dict:
    """The untuned configuration PSO is compared with: the centre of the search space,
    decoded (each dimension's middle value, rounded). Notebook B2, section "Tuned against
    untuned"."""
    return decode(np.mean(space_bounds(space), axis=0), space)


def fitness_history(res):
    """The swarm's fitness per PSO iteration from a :class:`deepfake_lib.paper_b.pso.PSOResult`
    (cost = 1 - validation accuracy): best cost so far (gbest, non-increasing), and the
    iteration's best and mean cost, as a DataFrame. Notebook B2, section "PSO over the
    CNN-RNN"."""
    import pandas as pd

    costs = np.asarray(res.costs, dtype=float)
    return pd.DataFrame({"gbest fitness": np.asarray(res.gbest_cost, dtype=float),
                         "iteration best": costs.min(1), "iteration mean": costs.mean(1)},
                        index=pd.RangeIndex(len(costs), name="iteration"))


def temporal_reference(manifest_path, n_frames: int, size: int, n_boot: int = 1000,
                       seed: int = 0) -> dict:
    """The temporal learnability control of notebook D1 on this notebook's split: fitted
    on the train videos, scored on the test videos, video-level AUC with its bootstrap
    interval over identities (:func:`deepfake_lib.core.stats.auc_interval`). What the data
    allow a simple fixed detector, beside the CNN-RNN. Notebook B3, section "Does the
    headline model learn?"."""
    from deepfake_lib.core.stats import auc_interval
    from deepfake_lib.data.manifest import load
    from deepfake_lib.demo import controls, learnability

    crops = controls.mtcnn_crops(manifest_path, n_frames, size)
    split = {it["id"]: it.get("split") for it in load(manifest_path).items}
    s = np.array([split[i] for i in crops.ids])
    tr, te = s == "train", s == "test"
    F = {k: learnability.video_features(crops.X[m], crops.mask[m]) for k, m in
         (("train", tr), ("test", te))}
    scores = learnability.fit_scores(F["train"], crops.y[tr], F["test"])
    return auc_interval(crops.y[te], scores, groups=crops.identities[te], n_boot=n_boot,
                        seed=seed)


def parameter_counts(frames: int, size: int, hp: dict) -> dict:
    """Parameters of :func:`build_model` with ``hp``, with depthwise-separable and with
    ordinary convolutions (notebook B2, section "Model"); the global pooling makes them
    independent of ``size``."""
    return {name: int(build_model(frames, size, separable=sep, **hp).count_params())
            for name, sep in (("separable", True), ("ordinary", False))}
