"""The two learnability controls, scored out of fold over identities, per manipulation.

Notebook D1, section "Is there anything to learn?". Every video is scored by a model fitted
on the other folds of the manifest (``fold``, drawn over identities: the model saw neither
the video's identity nor its donor's). The controls (:mod:`deepfake_lib.demo.learnability`):

* ``per-frame``: a logistic regression on the 12 features of single face crops, fitted on
  every frame of the training videos; a video's score is the mean of its frames' log-odds
  (paper A's input, one crop at a time);
* ``temporal``: a logistic regression on the 12 statistics of the crop sequence (papers B's
  and C's input);
* ``temporal-only``: the same on its 9 statistics taken over frames alone.

Each has a **shuffled-label control**: the same procedure with the video labels permuted
(the same permutation for every fold), scored against the true labels; it must sit near 0.5.
AUCs are video-level, real videos against all fakes and against each manipulation's fakes,
with a 95 % percentile bootstrap interval that resamples **identities**
(:func:`deepfake_lib.core.stats.bootstrap_metric` with ``groups``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from deepfake_lib.core.stats import bootstrap_metric, paired_bootstrap_difference
from deepfake_lib.data.manifest import load
from deepfake_lib.demo import learnability as L

#: The controls, in the order the tables show them.
CONTROLS = ("per-frame", "temporal", "temporal-only")


@dataclass
class Crops:
    """Face crops of a manifest's videos with what the controls need: ``X`` uint8
    ``(V, T, S, S, 3)``, ``mask`` bool ``(V, T)``, and ``[V]`` arrays ``y`` (1 = fake),
    ``ids``, ``identities``, ``methods``, ``folds``; ``source`` says which crops (``"mtcnn"``:
    the notebooks' loader, ``"builder"``: the builder's keypoint crops).
    Notebook D1, section "Is there anything to learn?"."""
    X: np.ndarray
    mask: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    identities: np.ndarray
    methods: np.ndarray
    folds: np.ndarray
    source: str


def _by_id(manifest_path) -> dict:
    m = load(manifest_path)
    missing = [it["id"] for it in m.items if it.get("fold") is None]
    if missing:
        raise ValueError(f"{manifest_path}: items without a fold (e.g. {missing[0]}); the controls "
                         "need a manifest with identity folds (the demo benchmark's)")
    return {it["id"]: it for it in m.items}


def _crops(items: dict, ids, X, mask, source: str) -> Crops:
    rows = [items[i] for i in ids]
    return Crops(X=X, mask=mask, y=np.array([int(r["label"]) for r in rows]), ids=np.array(ids),
                 identities=np.array([r["identity"] for r in rows]),
                 methods=np.array([r["method"] for r in rows]),
                 folds=np.array([int(r["fold"]) for r in rows]), source=source)


def mtcnn_crops(manifest_path: str | os.PathLike, n_frames: int, size: int) -> Crops:
    """The crops every paper notebook loads (:func:`deepfake_lib.data.loaders.load_sequences`:
    ``n_frames`` evenly spaced frames, MTCNN boxes, margin 0.2, ``size`` px).
    Notebook D1, section "Is there anything to learn?"."""
    from deepfake_lib.data.loaders import load_sequences

    items = _by_id(manifest_path)
    seq = load_sequences(manifest_path, n_frames, size, progress=False)
    return _crops(items, seq.ids, seq.X, seq.mask, "mtcnn")


def builder_crops(manifest_path: str | os.PathLike, size: int) -> Crops:
    """The builder's 128 px keypoint crops (``crops/<id>/<frame>.png``), area-resized to
    ``size``. Notebook D1, section "Is there anything to learn?"."""
    import cv2

    items = _by_id(manifest_path)
    root = Path(load(manifest_path).root)
    ids = sorted(items)
    T = max(len(items[i]["crop_frames"]) for i in ids)
    X = np.zeros((len(ids), T, size, size, 3), np.uint8)
    mask = np.zeros((len(ids), T), bool)
    for v, i in enumerate(ids):
        for t, f in enumerate(items[i]["crop_frames"]):
            img = cv2.imread(str(root / items[i]["crops"] / f"{f:03d}.png"))
            if img is None:
                raise ValueError(f"{root / items[i]['crops']}: crop {f:03d}.png is missing or unreadable")
            X[v, t] = cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (size, size), interpolation=cv2.INTER_AREA)
            mask[v, t] = True
    return _crops(items, ids, X, mask, "builder")


def _per_frame(F: np.ndarray, mask: np.ndarray, y: np.ndarray, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
    """Video scores of ``te`` videos: mean frame log-odds of a fit on every valid frame of ``tr``."""
    K = F.shape[-1]
    ytr = np.broadcast_to(y[tr][:, None], mask[tr].shape)[mask[tr]]
    s = L.fit_scores(F[tr][mask[tr]].reshape(-1, K), ytr, F[te].reshape(-1, K)).reshape(mask[te].shape)
    return np.where(mask[te], s, 0).sum(1) / mask[te].sum(1)


def out_of_fold(features: dict[str, np.ndarray], mask: np.ndarray, y: np.ndarray, folds: np.ndarray
                ) -> dict[str, np.ndarray]:
    """Out-of-fold video scores ``[V]`` of every control: the videos of fold ``k`` scored by a
    fit on the other folds. Notebook D1, section "Is there anything to learn?".

    Parameters
    ----------
    features : ``{"per-frame": (V, T, K), "temporal": (V, K), "temporal-only": (V, K)}``
    mask : bool ``(V, T)``; y : int ``[V]`` (1 = fake); folds : int ``[V]``
    """
    out = {c: np.zeros(len(y)) for c in features}
    for k in np.unique(folds):
        tr, te = folds != k, folds == k
        for c, F in features.items():
            out[c][te] = _per_frame(F, mask, y, tr, te) if F.ndim == 3 else L.fit_scores(F[tr], y[tr], F[te])
    return out


def features_of(crops: Crops) -> dict[str, np.ndarray]:
    """The features of the three controls for ``crops`` (:data:`CONTROLS`).
    Notebook D1, section "Is there anything to learn?"."""
    Fv = L.video_features(crops.X, crops.mask)
    cols = [L.FEATURES.index(f) for f in L.TEMPORAL_ONLY]
    return {"per-frame": L.frame_features(crops.X), "temporal": Fv, "temporal-only": Fv[:, cols]}


def _auc(y, s) -> float:
    """ROC AUC by ranks (Mann-Whitney, ties counted half): the value of
    ``sklearn.metrics.roc_auc_score`` at a fraction of its cost, for the thousands of
    bootstrap resamples; NaN with a single class."""
    y = np.asarray(y).astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if not n1 or not n0:
        return float("nan")
    _, inverse, count = np.unique(np.asarray(s), return_inverse=True, return_counts=True)
    rank = np.cumsum(count) - (count - 1) / 2            # the mean rank of each tied value
    return float((rank[inverse][y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def subsets(y: np.ndarray, methods: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean ``[V]`` selections: ``all`` videos, and for each manipulation the real videos
    with that manipulation's fakes. Notebook D1, section "Is there anything to learn?"."""
    out = {"all": np.ones(len(y), bool)}
    for meth in sorted(set(methods[y == 1])):
        out[str(meth)] = (y == 0) | (methods == meth)
    return out


def auc_with_interval(y, s, groups, n_boot: int = 1000, seed: int = 0) -> dict[str, float]:
    """``{"auc", "ci_low", "ci_high"}``: video-level AUC and its 95 % bootstrap interval over
    ``groups`` (identities). Notebook D1, section "Is there anything to learn?"."""
    lo, hi = bootstrap_metric(y, s, _auc, groups=groups, n_boot=n_boot, seed=seed)
    return {"auc": _auc(y, s), "ci_low": lo, "ci_high": hi}


def evaluate(crops: Crops, seed: int = 0, n_boot: int = 1000, n_shuffles: int = 10) -> dict:
    """Both controls (and the temporal-only variant) on ``crops``, out of fold, per manipulation.
    Notebook D1, section "Is there anything to learn?".

    Returns
    -------
    dict
        ``auc``: control -> subset -> ``{"auc", "ci_low", "ci_high"}``; ``shuffled``: control
        -> subset -> ``{"mean", "sd"}`` over ``n_shuffles`` label permutations; ``difference``:
        subset -> paired bootstrap of AUC(per-frame) - AUC(temporal) with its ``half_width``
        (the smallest AUC difference the benchmark resolves); ``scores``: control -> ``[V]``;
        ``n``: videos, fakes, identities, folds; ``source``.
    """
    F = features_of(crops)
    y, g, sel = crops.y, crops.identities, subsets(crops.y, crops.methods)
    scores = out_of_fold(F, crops.mask, y, crops.folds)
    auc = {c: {k: auc_with_interval(y[m], scores[c][m], g[m], n_boot, seed) for k, m in sel.items()}
           for c in F}
    rng = np.random.default_rng(seed)
    perms = [out_of_fold(F, crops.mask, rng.permutation(y), crops.folds) for _ in range(n_shuffles)]
    shuffled = {c: {k: {"mean": float(np.mean(v := [_auc(y[m], p[c][m]) for p in perms])),
                        "sd": float(np.std(v))} for k, m in sel.items()} for c in F}
    diff = {}
    for k, m in sel.items():
        d = paired_bootstrap_difference(y[m], scores["per-frame"][m], scores["temporal"][m], _auc,
                                        groups=g[m], n_boot=n_boot, seed=seed)
        diff[k] = {**d, "half_width": (d["ci_high"] - d["ci_low"]) / 2}
    n = {"videos": int(len(y)), "fakes": int(y.sum()), "identities": int(len(set(g))),
         "folds": int(len(set(crops.folds))), "frames_per_video": int(crops.X.shape[1]),
         "crop_size": int(crops.X.shape[2])}
    return {"auc": auc, "shuffled": shuffled, "difference": diff, "scores": scores, "n": n,
            "source": crops.source}


def table(result: dict, fmt: Callable[[float], str] = "{:.3f}".format):
    """One row per control (and its shuffled-label control), one column per subset:
    ``AUC (low-high)``. A pandas DataFrame. Notebook D1, section "Is there anything to learn?"."""
    import pandas as pd

    rows = {}
    for c, per in result["auc"].items():
        rows[c] = {k: f"{fmt(v['auc'])} ({fmt(v['ci_low'])}-{fmt(v['ci_high'])})" for k, v in per.items()}
        rows[f"{c}, shuffled labels"] = {k: f"{fmt(v['mean'])} (sd {fmt(v['sd'])})"
                                         for k, v in result["shuffled"][c].items()}
    return pd.DataFrame(rows).T.rename_axis(f"control ({result['source']} crops)")


def summary(result: dict) -> dict:
    """The JSON-able part of :func:`evaluate` (no scores), rounded to 4 decimals, for the
    results file. Notebook D1, section "Is there anything to learn?"."""
    def r(x):
        if isinstance(x, dict):
            return {k: r(v) for k, v in x.items()}
        return round(float(x), 4) if isinstance(x, (float, np.floating)) else x

    return r({k: v for k, v in result.items() if k != "scores"})


def d1_aucs(profile: str, demo_size: str, seed: int = 0, results_dir=None,
            manifest_sha: str | None = None) -> dict:
    """The learnability controls' out-of-fold AUCs (per-frame, temporal; all videos, MTCNN
    crops) from notebook D1's results file of the same profile: the reference of what the
    data allow, beside a paper's model tested on the same folds. ``{}`` if D1 has not run,
    or (``manifest_sha`` given) ran on another manifest. Notebooks B3 and C3, sections
    "Every video tested: identity folds" and "Does the headline model learn?"."""
    import json

    from deepfake_lib.core.paths import results_dir as where

    path = where(results_dir) / "D1_demo_benchmark" / f"{profile}-demo-{demo_size}-s{seed}.json"
    if not path.exists():
        return {}
    d1 = json.loads(path.read_text())
    if manifest_sha is not None and d1.get("data_manifest_sha256") != manifest_sha:
        return {}
    auc = d1["values"]["controls_mtcnn"]["auc"]
    return {k: auc[k]["all"] for k in ("per-frame", "temporal") if k in auc}
