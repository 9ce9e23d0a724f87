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


def fold_units(clips, hp: dict, seeds, prep: dict, fit_kw: dict) -> list[dict]:
    """One :func:`run_unit` unit per seed and identity fold of ``clips`` (seed-major):
    every video is scored once per seed, by a model that never saw its identity. Notebook
    B3, section "Every video tested: identity folds"."""
    folds = sorted(set(clips.folds[clips.folds >= 0].tolist()))
    if len(folds) < 2:
        raise ValueError(f"identity folds need at least two folds, the clips have {folds} "
                         "(the demo benchmark's manifest has five; real datasets have none)")
    return [{"seed": int(s), "fold": int(k), "hp": hp, "prep": prep, "fit": fit_kw}
            for s in seeds for k in folds]


def out_of_fold(units: list[dict], outs: list[dict]) -> dict:
    """The out-of-fold video scores of :func:`fold_units`' runs, gathered per seed:
    ``{"video": ids (V,), "y": (V,), "p": (V, n_seeds), "seeds": [...]}``, videos in the
    order of the first seed's folds. Raises ``ValueError`` if a video is scored twice in a
    seed or a seed misses a video another seed has. Notebook B3, section "Every video
    tested: identity folds"."""
    per_seed: dict[int, dict[str, tuple[float, int]]] = {}
    for u, o in zip(units, outs):
        got = per_seed.setdefault(int(u["seed"]), {})
        for v, p, y in zip(o["scores"]["video"], o["scores"]["p"], o["scores"]["y"]):
            if v in got:
                raise ValueError(f"video {v} is scored by two folds of seed {u['seed']}")
            got[v] = (float(p), int(y))
    seeds = list(per_seed)
    videos = list(per_seed[seeds[0]])
    for s in seeds[1:]:
        if set(per_seed[s]) != set(videos):
            raise ValueError(f"seed {s} scores other videos than seed {seeds[0]}")
    return {"video": videos, "y": np.array([per_seed[seeds[0]][v][1] for v in videos]),
            "p": np.array([[per_seed[s][v][0] for s in seeds] for v in videos]),
            "seeds": seeds}


def fold_summary(units: list[dict], outs: list[dict], identity: dict, fold_of: dict,
                 choice_folds=(), n_boot: int = 1000, seed: int = 0,
                 donor: dict | None = None) -> dict:
    """What the identity-fold runs of :func:`fold_units` say (notebook B3, section "Every
    video tested: identity folds").

    ``identity`` and ``fold_of`` map a video id to its identity and its fold;
    ``choice_folds`` are the folds whose labels scored the configurations (B2's validation
    split); ``donor`` (optional) maps a face-swap video to its donor identity. Returns
    ``{"all", "without_choice_folds"}`` (the mean AUC over seeds with its
    interval over identities, resampled once for all seeds:
    :func:`deepfake_lib.core.stats.mean_auc_interval`), ``"per_seed"`` (each seed's
    :func:`~deepfake_lib.core.stats.auc_interval`), ``"over_seeds"`` (mean, sd and
    t-interval of the per-seed AUCs: :func:`~deepfake_lib.core.stats.summarise`),
    ``"identities"``, ``"videos"`` and ``"loss"`` (the per-epoch training loss of every
    run, its first and last epoch's mean, the last epoch's range, and how many runs ended
    below ln 2 - 0.01: :func:`~deepfake_lib.core.stats.left_ln2`). Raises ``ValueError``
    if a video is scored twice in a seed, a seed misses a video, a video of ``fold_of``
    with a fold is never scored, a video has no identity, or an identity (as a video's own
    or as a donor) stands in two folds.
    """
    from deepfake_lib.core import stats

    oof = out_of_fold(units, outs)
    missing = [v for v in oof["video"] if v not in identity or v not in fold_of]
    if missing:
        raise ValueError(f"{len(missing)} scored videos have no identity or fold, e.g. "
                         f"{missing[:3]}")
    unscored = sorted(set(v for v, f in fold_of.items() if f >= 0) - set(oof["video"]))
    if unscored:
        raise ValueError(f"{len(unscored)} videos of a fold were never scored, e.g. "
                         f"{unscored[:3]}")
    home: dict[str, set] = {}
    for v in oof["video"]:
        home.setdefault(str(identity[v]), set()).add(fold_of[v])
        if donor and donor.get(v) is not None:
            home.setdefault(str(donor[v]), set()).add(fold_of[v])
    split_up = sorted(i for i, f in home.items() if len(f) > 1)
    if split_up:
        raise ValueError(f"identities in more than one fold (a model would test a face it "
                         f"trained on): {split_up[:5]}")
    groups = np.array([str(identity[v]) for v in oof["video"]])
    keep = np.array([fold_of[v] not in set(choice_folds) for v in oof["video"]])
    per_seed = [stats.auc_interval(oof["y"], oof["p"][:, j], groups=groups, n_boot=n_boot,
                                   seed=seed) for j in range(len(oof["seeds"]))]
    loss = np.array([o["loss"] for o in outs], dtype=float)            # runs x epochs
    return {
        "all": stats.mean_auc_interval(oof["y"], oof["p"], groups, n_boot=n_boot, seed=seed),
        "without_choice_folds": stats.mean_auc_interval(
            oof["y"][keep], oof["p"][keep], groups[keep], n_boot=n_boot, seed=seed),
        "per_seed": per_seed,
        "over_seeds": stats.summarise([a["auc"] for a in per_seed], bounds=(0.0, 1.0)),
        "seeds": oof["seeds"], "videos": len(oof["video"]),
        "folds": len({int(u["fold"]) for u in units}),
        "identities": {"all": int(np.unique(groups).size),
                       "without_choice_folds": int(np.unique(groups[keep]).size)},
        "loss": {"per_run": loss.tolist(), "first_epoch_mean": float(loss[:, 0].mean()),
                 "last_epoch_mean": float(loss[:, -1].mean()),
                 "last_epoch_range": [float(loss[:, -1].min()), float(loss[:, -1].max())],
                 "runs_below_ln2": stats.left_ln2(loss[:, -1]), "runs": len(loss)},
    }


def fold_comparison(tuned: tuple[list, list], untuned: tuple[list, list], identity: dict,
                    n_boot: int = 1000, seed: int = 0) -> dict:
    """PSO's choice against the untuned configuration on every video (notebook B3, section
    "Tuned against untuned, every video"): ``tuned`` and ``untuned`` are ``(units, outs)`` of
    :func:`fold_units` runs with the same seeds and folds; ``identity`` maps a video id to
    its identity, the unit the paired bootstrap resamples
    (:func:`~deepfake_lib.core.stats.paired_mean_auc_difference`). Returns ``{"tuned",
    "untuned"}`` (each :func:`~deepfake_lib.core.stats.mean_auc_interval` and its runs'
    last-epoch losses), ``"difference"`` (tuned - untuned) and ``"seeds"``. Raises
    ``ValueError`` if the two scored other videos or other seeds."""
    from deepfake_lib.core import stats

    a, b = out_of_fold(*tuned), out_of_fold(*untuned)
    if set(a["video"]) != set(b["video"]) or a["seeds"] != b["seeds"]:
        raise ValueError("tuned and untuned runs must score the same videos with the same "
                         f"seeds (seeds {a['seeds']} and {b['seeds']})")
    order = {v: i for i, v in enumerate(b["video"])}
    pb = b["p"][[order[v] for v in a["video"]]]
    groups = np.array([str(identity[v]) for v in a["video"]])
    out = {"seeds": a["seeds"], "difference": stats.paired_mean_auc_difference(
        a["y"], a["p"], pb, groups, n_boot=n_boot, seed=seed)}
    for name, p, outs in (("tuned", a["p"], tuned[1]), ("untuned", pb, untuned[1])):
        last = [float(o["loss"][-1]) for o in outs]
        out[name] = {**stats.mean_auc_interval(a["y"], p, groups, n_boot=n_boot, seed=seed),
                     "last_loss": last, "runs_below_ln2": stats.left_ln2(last)}
    return out


def comparison_report(comp: dict, tuned_hp: dict, untuned_hp: dict) -> str:
    """:func:`fold_comparison` as text (notebook B3, section "Tuned against untuned, every
    video")."""
    from deepfake_lib.core import stats

    out = []
    for name, hp in (("tuned", tuned_hp), ("untuned", untuned_hp)):
        a = comp[name]
        out.append(f"{name:8s} mean AUC over {a['fits']} seeds {a['auc']:.3f} "
                   f"({a['ci_low']:.3f}-{a['ci_high']:.3f}), {a['n']} videos; learned: "
                   f"{stats.learned_word(a['above_chance'])}; runs below ln 2: "
                   f"{a['runs_below_ln2']} of {len(a['last_loss'])}  {hp}")
    d = comp["difference"]
    verdict = {True: "tuned better", False: "untuned better"}.get(d["better"], "not decided")
    out.append(f"tuned - untuned: {d['diff']:+.3f} ({d['ci_low']:+.3f}, {d['ci_high']:+.3f}), "
               f"{d['method']}: {verdict}")
    return "\n".join(out)


def fold_report(folds: dict, single_split: dict | None = None, controls: dict | None = None
                ) -> str:
    """:func:`fold_summary` as text (notebook B3, section "Every video tested: identity
    folds"): the mean AUC over seeds on all videos and without the choice folds, the
    interval's width beside the single split's (``single_split``, a
    :func:`~deepfake_lib.core.stats.mean_auc_interval`), each seed, the mean +- sd over
    seeds, the controls (``{name: auc_interval}``, :func:`deepfake_lib.demo.controls.d1_aucs`;
    a line saying so when there are none) and the training loss against ln 2."""
    from deepfake_lib.core import stats

    def iv(a):
        return f"{a['auc']:.3f} ({a['ci_low']:.3f}-{a['ci_high']:.3f})"

    out = []
    for key, label in (("all", "all videos"), ("without_choice_folds",
                                               "without the choice fold")):
        a = folds[key]
        out.append(f"{label:24s} {a['n']:3d} videos of {folds['identities'][key]:2d} "
                   f"identities: mean AUC over {a['fits']} seeds {iv(a)}; "
                   f"learned: {stats.learned_word(a['above_chance'])}")
    if single_split is not None:
        def width(a):
            w = a["ci_high"] - a["ci_low"]
            return "no interval" if np.isnan(w) else f"{w:.3f}"

        out.append(f"interval width: {width(folds['all'])} over the folds, "
                   f"{width(single_split)} on the single split ({single_split['n']} videos)")
    out += [f"  seed {s}: AUC {iv(a)}" for s, a in zip(folds["seeds"], folds["per_seed"])]
    o = folds["over_seeds"]
    if o["n"] > 1:
        out.append(f"  over seeds: {o['mean']:.3f} +- {o['sd']:.3f} (mean +- sd, n = {o['n']})")
    if controls:
        out += [f"control {k:9s} (D1, same folds): AUC {iv(v)}" for k, v in controls.items()]
    else:
        out.append("controls: D1 has not run on this manifest in this profile")
    lo, hi = folds["loss"]["last_epoch_range"]
    out.append(f"training loss (mean of {folds['loss']['runs']} runs): first epoch "
               f"{folds['loss']['first_epoch_mean']:.3f}, last epoch "
               f"{folds['loss']['last_epoch_mean']:.3f} (range {lo:.3f}-{hi:.3f}); "
               f"ln 2 = {np.log(2):.3f}; runs that ended below ln 2 - {stats.LN2_MARGIN:g}: "
               f"{folds['loss']['runs_below_ln2']} of {folds['loss']['runs']}")
    return "\n".join(out)


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
