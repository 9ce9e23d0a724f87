"""Paper C's evaluation: the two splits, the seed x system grid, rankings with intervals.

Notebook C1 ("Two splits") builds the splits; notebook C3 trains the grid through
:func:`deepfake_lib.core.dispatch.map_units` (one unit = one split and one seed, every
system of that unit trained on the same standardised features) and reads the rankings with
:mod:`deepfake_lib.core.stats` (paired bootstrap over test videos, paired t over seeds).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from deepfake_lib.core import dispatch, stats
from deepfake_lib.core.metrics import binary_metrics, score_metrics
from deepfake_lib.paper_c.heads import ALTERNATIVES, SYSTEMS, standardize, table4, train_system

#: Every system a grid unit can train, in the order they are trained.
ALL_SYSTEMS = SYSTEMS + ALTERNATIVES


# --------------------------------------------------------------------------- splits
def frame_split(mask: np.ndarray, y: np.ndarray, train_frac: float = 0.7,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Paper C's split as written: the frame images divided at random 7:3, per class.

    Notebook C1, section "Two splits". The frames of each class are pooled and
    ``round(train_frac * n)`` of them drawn for training, so the 7:3 holds within the real
    and within the fake frames, as the paper's counts (21,000 : 9,000 real, 42,000 : 18,000
    fake) do. Every video keeps its frames in order; a frame is either in train or in test,
    so most videos have frames on both sides.

    Parameters
    ----------
    mask : bool ``(V, T)``, the frames that exist; y : int ``(V,)``, the videos' labels

    Returns
    -------
    train_mask, test_mask : bool ``(V, T)``, disjoint, their union is ``mask``
    """
    rng = np.random.default_rng(seed)
    labels = np.broadcast_to(np.asarray(y)[:, None], mask.shape).ravel()
    flat = mask.ravel()
    train = np.zeros(mask.size, bool)
    for c in np.unique(labels[flat]):
        idx = np.flatnonzero(flat & (labels == c))
        train[rng.permutation(idx)[:int(round(train_frac * idx.size))]] = True
    train = train.reshape(mask.shape)
    return train, mask & ~train


def video_split(mask: np.ndarray, splits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Video-disjoint split from the manifest (``train`` and ``val`` -> train, ``test`` -> test).

    Notebook C1, section "Two splits".

    Parameters
    ----------
    mask : bool ``(V, T)``; splits : str ``(V,)``

    Returns
    -------
    train_mask, test_mask : bool ``(V, T)``
    """
    is_test = (np.asarray(splits) == "test")[:, None]
    return mask & ~is_test, mask & is_test


def fold_splits(mask: np.ndarray, folds: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One video-disjoint split per identity fold: ``"fold<k>"`` tests the videos of fold
    ``k`` and trains on every other video, so each video is scored once, by a model that never
    saw its identity. Notebook C3, section "Every video tested: identity folds".

    Parameters
    ----------
    mask : bool ``(V, T)``; folds : int ``(V,)`` (-1: no fold, never tested)

    Returns
    -------
    ``{"fold<k>": (train_mask, test_mask)}``, bool ``(V, T)`` each, for every fold ``k >= 0``
    """
    folds = np.asarray(folds)
    if folds.size != mask.shape[0] or not (folds >= 0).any():
        raise ValueError("identity folds need a fold per video (the demo benchmark's manifest "
                         f"has them); got {folds.size} folds for {mask.shape[0]} videos")
    return {f"fold{k}": (mask & (folds != k)[:, None], mask & (folds == k)[:, None])
            for k in np.unique(folds[folds >= 0])}


def out_of_fold(scores: dict, fold_names, seed: int, kind: str) -> dict[str, np.ndarray]:
    """The video-level scores of ``kind`` over every fold of :func:`fold_splits`, stacked:
    ``{"y", "score", "video"}`` arrays ``(V,)`` sorted by video index, each video once.
    Notebook C3, section "Every video tested: identity folds"."""
    parts = [scores[(name, seed, kind, "video")] for name in fold_names]
    video = np.concatenate([np.asarray(d["group"]) for d in parts])
    if np.unique(video).size != video.size:
        raise ValueError("a video is tested by more than one fold")
    order = np.argsort(video)
    return {"y": np.concatenate([np.asarray(d["y"]) for d in parts])[order],
            "score": np.concatenate([np.asarray(d["score"], float) for d in parts])[order],
            "video": video[order]}


def leaked_test_frames(train_mask: np.ndarray, test_mask: np.ndarray) -> int:
    """Number of test frames whose video also has frames in train (notebook C1, "Two splits")."""
    return int(test_mask[train_mask.any(axis=1)].sum())


# --------------------------------------------------------------------------- the grid
def grid_units(splits, seeds, systems=ALL_SYSTEMS, **settings) -> list[dict]:
    """One unit per (split, seed): the JSON-able configuration :func:`fit_unit` trains.

    Notebook C3, section "Training the systems". ``settings``: ``epochs``, ``units``,
    ``aux_weight``, ``merge``, ``l2``, ``temporal_kernel`` (list of int).
    """
    return [{"split": sp, "seed": int(s), "systems": list(systems), **settings}
            for sp in splits for s in seeds]


def fit_unit(unit: dict, shared: dict) -> dict:
    """Train the systems of one unit and score its split's test frames.

    Notebook C3, section "Training the systems". A module-level function for
    :func:`deepfake_lib.core.dispatch.map_units`: everything comes from ``unit`` (its split,
    seed and settings) and ``shared`` (``feats`` float ``(V, T, F)``, ``y`` int ``(V,)``,
    ``masks`` ``{split: (train_mask, test_mask)}``), so the result depends on the unit alone.
    ``bilstm_crf`` is the CRF stage on this unit's trained ``bilstm`` (so ``bilstm`` is
    trained whenever ``bilstm_crf`` is asked for).

    Returns
    -------
    dict with ``unit`` and ``systems``: ``{system: {level: {"y", "score", "pred",
    "group"}}}``, lists over test frames (level "frame", ``group`` = the video's index) or
    test videos (level "video": ``score`` and ``pred`` are the log-odds of
    :func:`deepfake_lib.paper_c.heads.log_odds_scores` and their sign, ``mean_p`` and
    ``mean_p_pred`` the mean p(fake) at 0.5 beside them), and ``cost``: ``{system: {"steps",
    "examples", "seconds"}}`` of its fit (a ``bilstm_crf``: the CRF stage alone).
    """
    tr, te = shared["masks"][unit["split"]]
    y = np.asarray(shared["y"])
    x = standardize(shared["feats"], tr)
    keep = np.flatnonzero(te.any(axis=1))
    m = te[keep]
    frame_y = np.repeat(y[keep][:, None], m.shape[1], axis=1)[m]
    frame_group = np.repeat(keep[:, None], m.shape[1], axis=1)[m]
    kw = {k: unit[k] for k in ("units", "aux_weight", "merge", "l2") if k in unit}
    kw["temporal_kernel"] = tuple(unit.get("temporal_kernel") or ())
    fit = dict(seed=unit["seed"], epochs=unit["epochs"])
    if unit.get("learning_rate") is not None:
        kw["learning_rate"] = float(unit["learning_rate"])
    n_train = int(tr.any(axis=1).sum())
    steps = unit["epochs"] * -(-n_train // table4()["batch_size"])
    models, out, cost = {}, {}, {}
    wanted = [s for s in ALL_SYSTEMS
              if s in unit["systems"] or (s == "bilstm" and "bilstm_crf" in unit["systems"])]
    for kind in wanted:
        t0 = time.perf_counter()
        if kind == "bilstm_crf":                      # the CRF stage on this unit's BiLSTM
            models[kind] = train_system(kind, x, tr, y, bilstm=models["bilstm"], **fit, **kw)
        elif kind == "xception":                      # no time axis: no temporal kernel
            models[kind] = train_system(kind, x, tr, y, **fit, **{**kw, "temporal_kernel": ()})
        else:
            models[kind] = train_system(kind, x, tr, y, **fit, **kw)
        # the CRF stage alone: the BiLSTM under it is the bilstm system's own fit
        cost[kind] = {"steps": steps, "examples": unit["epochs"] * n_train,
                      "seconds": time.perf_counter() - t0}
        if kind not in unit["systems"]:
            continue
        p = models[kind].predict_scores(x[keep], m)
        out[kind] = {"frame": {"y": frame_y, "score": p["frame_score"][m], "pred": p["frame_pred"][m],
                               "group": frame_group, "log_odds": p["frame_log_odds"][m]},
                     "video": {"y": y[keep], "score": p["video_log_odds"], "pred": p["video_log_odds_pred"],
                               "group": keep, "mean_p": p["video_score"], "mean_p_pred": p["video_pred"]}}
    return {"unit": unit, "cost": cost,
            "systems": {k: {lv: {n: np.asarray(a).tolist() for n, a in d.items()}
                            for lv, d in v.items()} for k, v in out.items()}}


def run_grid(units: list[dict], feats: np.ndarray, y: np.ndarray, masks: dict, desc: str = "fits") -> list[dict]:
    """:func:`fit_unit` over ``units`` through :func:`deepfake_lib.core.dispatch.map_units`
    (the features sent once, as ``shared``). Notebook C3, section "Training the systems"."""
    shared = {"feats": np.asarray(feats, "float32"), "y": np.asarray(y), "masks": masks}
    return dispatch.map_units(fit_unit, units, shared=shared, desc=desc, progress=False)


def grid_table(results: list[dict]):
    """One row per (split, seed, system, level) with the metrics of
    :func:`deepfake_lib.core.metrics.binary_metrics` and ``score_metrics``.

    Notebook C3, section "Training the systems". Returns a pandas.DataFrame."""
    import pandas as pd

    rows = []
    for r in results:
        u = r["unit"]
        for kind, levels in r["systems"].items():
            for level, d in levels.items():
                rows.append({"split": u["split"], "seed": u["seed"], "system": kind, "level": level,
                             "kernel": "+".join(map(str, u.get("temporal_kernel") or [])) or "none",
                             "n": len(d["y"]), **binary_metrics(d["y"], d["pred"]),
                             **score_metrics(d["y"], d["score"])})
    return pd.DataFrame(rows)


def scores_of(results: list[dict]) -> dict[tuple, dict[str, np.ndarray]]:
    """``(split, seed, system, level) -> {"y", "score", "pred", "group"}`` as arrays.

    Notebook C3, section "Figure 9: ROC curves"."""
    return {(r["unit"]["split"], r["unit"]["seed"], k, lv): {n: np.asarray(a) for n, a in d.items()}
            for r in results for k, levels in r["systems"].items() for lv, d in levels.items()}


def fit_costs(results: list[dict]) -> dict[str, dict]:
    """Fits, optimiser steps, training examples (videos x epochs) and seconds of every system,
    summed over the units of a grid, for ``run.fit_cost``. Notebook C3, section "What the
    fits cost"."""
    out: dict[str, dict] = {}
    for r in results:
        for kind, c in r.get("cost", {}).items():
            d = out.setdefault(kind, {"fits": 0, "steps": 0, "examples": 0, "seconds": 0.0})
            d["fits"] += 1
            for k in ("steps", "examples", "seconds"):
                d[k] += c[k]
    return out


def count_ties(score: np.ndarray) -> dict[str, int]:
    """How many test videos share their score with another one, and the tied pairs among
    them (float equality: what a ROC cannot order). Notebook C3, section "Coherent video
    scores for the CRF".

    Parameters
    ----------
    score : float ``(V,)``

    Returns
    -------
    dict ``tied_videos``, ``tied_pairs``, ``distinct`` (distinct values), ``videos``
    """
    _, counts = np.unique(np.asarray(score, float), return_counts=True)
    return {"tied_videos": int(counts[counts > 1].sum()),
            "tied_pairs": int((counts * (counts - 1) // 2).sum()),
            "distinct": int(counts.size), "videos": int(np.size(score))}


def video_auc_table(scores: dict, split: str, seed: int, systems=ALL_SYSTEMS, n_boot: int = 1000,
                    boot_seed: int = 0, key: str = "score") -> dict[str, dict]:
    """Video-level AUC of each system with :func:`deepfake_lib.core.stats.auc_interval`
    (bootstrap over test videos), one seed. Notebook C3, section "Does the headline model
    learn?". ``key``: ``"score"`` (log-odds) or ``"mean_p"``."""
    out = {}
    for kind in systems:
        d = scores.get((split, seed, kind, "video"))
        if d is not None:
            out[kind] = stats.auc_interval(d["y"], d[key], n_boot=n_boot, seed=boot_seed)
    return out


def seed_auc_difference(scores: dict, split: str, seeds, a: str, b: str, level: str = "video") -> dict:
    """AUC(a) - AUC(b) paired by seed on the same test examples: the t-interval over seeds of
    :func:`deepfake_lib.core.stats.paired_seed_difference`. Notebook C3, section "Figure 9 at
    video level"."""
    from sklearn.metrics import roc_auc_score

    auc = {k: [roc_auc_score(scores[(split, s, k, level)]["y"], scores[(split, s, k, level)]["score"])
               for s in seeds] for k in (a, b)}
    return {**stats.paired_seed_difference(np.array(auc[a]), np.array(auc[b])), "auc": auc}


def validation_choice(candidates: dict[str, np.ndarray], mask: np.ndarray, y: np.ndarray,
                      splits: np.ndarray, *, seed: int = 0, epochs: int = 10, n_boot: int = 1000,
                      **kwargs) -> dict[str, dict]:
    """Train the headline BiLSTM on the ``train`` videos of each candidate feature set and
    score the ``val`` videos (never ``test``): video-level AUC of the summed logits with
    :func:`deepfake_lib.core.stats.auc_interval`, and the training loss per epoch.

    Notebook C2, section "Which features: chosen on validation videos".

    Parameters
    ----------
    candidates : ``{name: float (V, T, F)}``; mask : bool ``(V, T)``; y : int ``(V,)``;
    splits : str ``(V,)``; kwargs : passed to :func:`heads.train_system` (units, l2, ...)

    Returns
    -------
    ``{name: {"auc", "ci_low", "ci_high", "n", "above_chance", "method", "loss"}}``
    """
    splits = np.asarray(splits)
    tr, va = mask & (splits == "train")[:, None], mask & (splits == "val")[:, None]
    keep = va.any(axis=1)
    out = {}
    for name, f in candidates.items():
        x = standardize(f, tr)
        model = train_system("bilstm", x, tr, y, seed=seed, epochs=epochs, **kwargs)
        loss = [float(v) for v in model.history.history["loss"]]
        p = model.predict_scores(x[keep], va[keep])
        out[name] = {**stats.auc_interval(np.asarray(y)[keep], p["video_log_odds"], n_boot=n_boot,
                                          seed=seed), "loss": loss}
    return out


# --------------------------------------------------------------------------- rankings
def _accuracy(y, pred) -> float:
    return float(np.mean(np.asarray(y) == np.asarray(pred)))


def auc_ranking(a: dict, b: dict, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Evidence for "system A has a higher AUC than system B" on the same test examples.

    Notebook C3, section "Figure 9". ``a`` and ``b`` are :func:`scores_of`
    entries of the same split, seed and level. ``holds`` is
    :func:`deepfake_lib.core.stats.decide` of the paired bootstrap interval of
    AUC(A) - AUC(B), resampling whole test videos (``group``), except that it is None
    (inconclusive) when neither system's AUC interval lies above 0.5: a ranking of two
    detectors that do not beat chance says nothing about the paper's claim.

    Returns
    -------
    dict with ``diff``, ``ci`` (of the difference), ``auc_a``, ``auc_b`` (each ``(auc, lo, hi)``),
    ``above_chance``, ``holds`` and ``method``.
    """
    from sklearn.metrics import roc_auc_score

    y, g = a["y"], a["group"]
    if not (np.array_equal(y, b["y"]) and np.array_equal(g, b["group"])):
        raise ValueError("a paired ranking needs the same test examples for both systems")
    d = stats.paired_bootstrap_difference(y, a["score"], b["score"], roc_auc_score, g, n_boot=n_boot, seed=seed)
    aucs = {}
    for name, sc in (("auc_a", a["score"]), ("auc_b", b["score"])):
        lo, hi = stats.bootstrap_metric(y, sc, roc_auc_score, g, n_boot=n_boot, seed=seed)
        aucs[name] = [float(roc_auc_score(y, sc)), lo, hi]
    above = bool(max(aucs["auc_a"][1], aucs["auc_b"][1]) > 0.5)
    return {"diff": d["diff"], "ci": [d["ci_low"], d["ci_high"]], **aucs, "above_chance": above,
            "holds": stats.decide(d["ci_low"], d["ci_high"]) if above else None,
            "method": d["method"] + " (test videos)"}


def best_kernel(scores: dict[str, dict], best: str = "3", n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Evidence for "kernel ``best`` gives the best recognition" (the paper's Table 3).

    Notebook C3, section "Table 3: the kernel-size experiment, re-run". ``scores`` maps a
    kernel label (``"3"``, ``"5"``, ``"7"``, ``"3+5"``) to the frame-level :func:`scores_of`
    entry of the same split and seed. For every other kernel, the paired bootstrap interval
    (whole test videos resampled) of accuracy(``best``) - accuracy(other), read by
    :func:`deepfake_lib.core.stats.decide`: ``holds`` is True when ``best`` beats every other,
    False when some other beats it, None otherwise, or when no configuration's AUC interval
    lies above 0.5.
    """
    from sklearn.metrics import roc_auc_score

    ref = scores[best]
    out, verdicts, above = {}, [], False
    for label, s in scores.items():
        lo, _ = stats.bootstrap_metric(s["y"], s["score"], roc_auc_score, s["group"], n_boot=n_boot, seed=seed)
        above = above or lo > 0.5
        if label == best:
            continue
        d = stats.paired_bootstrap_difference(ref["y"], ref["pred"], s["pred"], _accuracy, ref["group"],
                                              n_boot=n_boot, seed=seed)
        out[f"{best} - {label}"] = {"accuracy_diff": d["diff"], "ci": [d["ci_low"], d["ci_high"]]}
        verdicts.append(stats.decide(d["ci_low"], d["ci_high"]))
    holds = (False if False in verdicts else True if all(v is True for v in verdicts) else None)
    return {"differences": out, "above_chance": above, "holds": holds if above else None,
            "accuracy": {k: _accuracy(s["y"], s["pred"]) for k, s in scores.items()},
            "method": f"paired bootstrap over test videos, {n_boot} resamples"}


def frame_difference_auc(feats: np.ndarray, mask: np.ndarray, y: np.ndarray, train_videos: np.ndarray,
                         test_videos: np.ndarray, seed: int = 0) -> float:
    """Test AUC of a diagnostic baseline: logistic regression on each video's mean absolute
    change of the features between consecutive used frames (notebook C3, "Is there a temporal
    signal?"). Not one of the paper's systems: it asks whether the features change from frame
    to frame differently in fakes, the signal a temporal model is meant to find.

    Parameters
    ----------
    feats : float ``(V, T, F)``; mask : bool ``(V, T)``; y : int ``(V,)``
    train_videos, test_videos : bool ``(V,)``
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    both = mask[:, 1:] & mask[:, :-1]
    d = np.abs(np.diff(feats, axis=1)) * both[..., None]
    d = d.sum(axis=1) / np.maximum(both.sum(axis=1), 1)[:, None]
    mu, sd = d[train_videos].mean(axis=0), d[train_videos].std(axis=0) + 1e-12
    clf = LogisticRegression(C=0.01, max_iter=2000, random_state=seed)
    clf.fit((d[train_videos] - mu) / sd, y[train_videos])
    return float(roc_auc_score(y[test_videos], clf.predict_proba((d[test_videos] - mu) / sd)[:, 1]))


def plot_rocs(ax, scores: dict, split: str, seed: int, level: str, title: str = "") -> None:
    """ROC curves of the systems on one axis (paper C, Figure 9's colours; the end-to-end
    alternative dotted). Notebook C3, section "Figure 9: ROC curves"."""
    from sklearn.metrics import roc_auc_score, roc_curve

    style = {"xception": ("tab:blue", (0, (4, 2))), "bilstm": ("gold", "-"), "bilstm_crf": ("green", "-"),
             "bilstm_crf_e2e": ("grey", ":")}
    for kind in ALL_SYSTEMS:
        if (split, seed, kind, level) not in scores:
            continue
        s = scores[(split, seed, kind, level)]
        fpr, tpr, _ = roc_curve(s["y"], s["score"])
        color, ls = style[kind]
        ax.plot(fpr, tpr, color=color, ls=ls, lw=2, label=f"{kind} (AUC {roc_auc_score(s['y'], s['score']):.3f})")
    ax.plot([0, 1], [0, 1], "r:", lw=1)
    ax.set(xlabel="false positive rate (real called fake)", ylabel="true positive rate (fake caught)",
           title=title)
    ax.legend(loc="lower right", fontsize=8)


def interval_table(scores: dict, splits, seed: int, n_boot: int = 1000, boot_seed: int = 0):
    """AUC, EER and average precision with 95 % bootstrap intervals that resample whole test
    videos, one row per (split, level, system) of seed ``seed``.

    Notebook C3, section "Intervals over videos". Returns a pandas.DataFrame of strings
    ``"value [lo, hi]"``.
    """
    import pandas as pd
    from sklearn.metrics import average_precision_score, roc_auc_score

    from deepfake_lib.core.metrics import eer

    rows = []
    for (split, s, kind, level), d in scores.items():
        if s != seed or split not in splits:
            continue
        row = {"split": split, "level": level, "system": kind}
        for name, fn in (("AUC", roc_auc_score), ("EER", eer), ("AP", average_precision_score)):
            lo, hi = stats.bootstrap_metric(d["y"], d["score"], fn, d["group"], n_boot=n_boot, seed=boot_seed)
            row[name] = f"{fn(d['y'], d['score']):.3f} [{lo:.3f}, {hi:.3f}]"
        rows.append(row)
    return pd.DataFrame(rows).set_index(["split", "level", "system"])


def ledger_tables() -> dict:
    """Paper C's kernel-size table (Table 3), its models table and Table 5, from the ledger.

    Notebook C3, section "Do the paper's own numbers agree with each other?". Returns
    ``{"table3", "models", "table5"}`` as pandas.DataFrames (Table 3: one row per kernel with
    accuracy, f1, recall, precision; the others: Celeb-DF and FF++ accuracy per method).
    """
    import pandas as pd

    from deepfake_lib.claims.ledger import claims_by_id

    c = claims_by_id()
    kernels = {"3x3": "k3", "5x5": "k5", "7x7": "k7", "3x3+5x5": "k3k5"}
    table3 = pd.DataFrame({label: {m: c[f"C.table3.{k}.{m}"].value
                                   for m in ("accuracy", "f1", "recall", "precision")}
                           for label, k in kernels.items()}).T

    def accuracy_table(prefix: str, rows: dict) -> "pd.DataFrame":
        return pd.DataFrame({name: {"Celeb-DF": c[f"{prefix}.{k}.celebdf"].value,
                                    "FF++": c[f"{prefix}.{k}.ffpp"].value} for name, k in rows.items()}).T

    models = accuracy_table("C.table_models", {"Meso4": "meso4", "Capsule": "capsule", "ConvLSTM": "convlstm",
                                               "DenseNet": "densenet", "proposed": "proposed"})
    table5 = accuracy_table("C.table5", {"Xception": "xception", "BiLSTM (no CRF)": "bilstm_nocrf",
                                         "Capsule": "capsule", "ConvLSTM": "convlstm", "DenseNet": "densenet",
                                         "proposed": "proposed"})
    return {"table3": table3, "models": models, "table5": table5}
