"""Does paper A's model learn, how fast, and at what cost (notebook A3).

Three questions the paper's tables do not ask, each answered from the fits of
:func:`deepfake_lib.paper_a.ablations.run_plan`:

* **Does the headline model learn?** Model2's crops are scored, a video's score is the mean
  of its crops' fake probabilities, and the video-level test AUC gets a bootstrap interval
  (:func:`deepfake_lib.core.stats.auc_interval`) over the test videos' identities (a
  person's videos share a face, a camera and a light). Beside it, the per-frame
  learnability control of notebook D1 (:mod:`deepfake_lib.demo.learnability`), fitted on
  the same training crops and scored on the same test videos: what these inputs allow.
* **Do residual blocks speed up learning?** The training loss of every optimiser step, for
  fits of model0, model1 and model2 given the same number of steps, with a t-interval over
  seeds; the loss after N steps and the paired difference between models over seeds, read
  by :func:`deepfake_lib.core.stats.decide`.
* **What did a fit cost?** Optimiser steps, training images seen and seconds, per system.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from deepfake_lib.core import metrics, stats
from deepfake_lib.paper_a.ablations import config_name, split_index
from deepfake_lib.paper_a.training import STEP_KEY

if TYPE_CHECKING:
    import pandas


def split_ids(images, seed: int = 0) -> dict[str, np.ndarray]:
    """The video id of every image of :func:`deepfake_lib.paper_a.ablations.split_data`'s
    splits, in the same order: ``{"train"|"val"|"test": str (N,)}``. Notebook A3, section
    "Does the headline model learn?"."""
    return {s: np.asarray(images.video_ids)[split_index(images, s, seed)]
            for s in ("train", "val", "test")}


def identities(manifest_path, video_ids: Sequence[str]) -> np.ndarray:
    """The identity of each video of ``video_ids`` ``(V,)`` from the manifest (its ``id`` when
    the manifest gives none). Notebook A3, section "Does the headline model learn?"."""
    from deepfake_lib.data import manifest

    who = {str(it["id"]): str(it.get("identity") or it["id"])
           for it in manifest.load(manifest_path).items}
    return np.array([who[str(v)] for v in video_ids], dtype=str)


def video_auc(scores, video_ids, y, groups: dict | None = None, n_boot: int = 1000,
              seed: int = 0) -> dict:
    """Video-level AUC of crop ``scores`` ``(N,)``
    (:func:`deepfake_lib.core.metrics.video_scores`) with its bootstrap
    interval (:func:`deepfake_lib.core.stats.auc_interval`): over ``groups`` (``{video id:
    identity}``) when given, else over videos. Notebook A3, section "Does the headline
    model learn?"."""
    videos, sv, yv = metrics.video_scores(scores, video_ids, y)
    g = None if groups is None else np.array([groups[v] for v in videos])
    out = stats.auc_interval(yv, sv, g, n_boot=n_boot, seed=seed)
    out["n_groups"] = int(len(set(g))) if g is not None else out["n"]
    return out


def video_auc_over_seeds(scores_by_seed: dict, video_ids, y, groups: dict | None = None,
                         n_boot: int = 1000, seed: int = 0) -> dict:
    """The seed-averaged video-level AUC of several fits scored on the same test crops
    (``{seed: scores (N,)}``), with a bootstrap interval over ``groups`` (``{video id:
    identity}``) that resamples the identities once for all fits
    (:func:`deepfake_lib.core.stats.mean_auc_interval`). Notebook A3, section "Does the
    headline model learn?"."""
    cols, videos, yv = [], None, None
    for s in scores_by_seed.values():
        v, sv, yy = metrics.video_scores(s, video_ids, y)
        if videos is not None and list(v) != list(videos):
            raise ValueError("every fit must score the same test videos")
        videos, yv = v, yy
        cols.append(sv)
    g = None if groups is None else np.array([groups[v] for v in videos])
    out = stats.mean_auc_interval(yv, np.column_stack(cols), g, n_boot=n_boot, seed=seed)
    out["n_groups"] = int(len(set(g))) if g is not None else out["n"]
    return out


def video_auc_report(aucs: dict, pooled: dict, label: str = "model2") -> str:
    """Each seed's :func:`video_auc` (``{seed: dict}``) and the mean over seeds
    (:func:`video_auc_over_seeds`) as lines of text, the mean's line ending in "learned:
    yes / no, below chance / not decided" (:func:`deepfake_lib.core.stats.learned_word`).
    Notebook A3, section "Does the headline model learn?"."""
    lines = [f"{label}, seed {s}: AUC {a['auc']:.3f} ({a['ci_low']:.3f}-{a['ci_high']:.3f}), "
             f"{a['n']} videos of {a['n_groups']} identities" for s, a in aucs.items()]
    p = pooled
    lines.append(f"mean over {p['fits']} seed(s): AUC {p['auc']:.3f} ({p['ci_low']:.3f}-"
                 f"{p['ci_high']:.3f}, {p['method']}); "
                 f"learned: {stats.learned_word(p['above_chance'])}")
    return "\n".join(lines)


def frame_control(X_train, y_train, X_test) -> np.ndarray:
    """The per-frame learnability control of notebook D1 on paper A's own split: the
    standardised logistic regression of :func:`deepfake_lib.demo.learnability.fit_scores`
    on :func:`~deepfake_lib.demo.learnability.frame_features` of the training crops
    ``(N, S, S, 3)``, scoring the test crops ``(M, S, S, 3)``. Returns log-odds ``(M,)``.
    Notebook A3, section "Does the headline model learn?"."""
    from deepfake_lib.demo import learnability

    F_tr, F_te = learnability.frame_features(X_train), learnability.frame_features(X_test)
    return learnability.fit_scores(F_tr, y_train, F_te)


def _rows(results: dict, rows: list[tuple]):
    for label, cfg, init in rows:
        yield label, results[config_name(cfg, init)]


def step_curves(results: dict, rows: list[tuple], window: int = 10) -> "pandas.DataFrame":
    """Training loss per optimiser step, as a running mean over ``window`` steps, with its
    mean and 95 % t-interval over seeds per label and step (:func:`deepfake_lib.core.stats.
    t_interval`; a shorter fit: a shorter window): columns label, step, mean, ci_low, ci_high,
    n. Notebook A3, section
    "Residual blocks and the speed of learning"."""
    import pandas as pd

    recs = []
    for label, per_seed in _rows(results, rows):
        losses = [r["history"][STEP_KEY] for r in per_seed.values()]
        w = max(1, min(window, *map(len, losses)))
        L = np.array([np.convolve(v[:min(map(len, losses))], np.ones(w) / w, "valid")
                      for v in losses])
        for j in range(L.shape[1]):
            lo, hi = stats.t_interval(L[:, j])
            recs.append({"label": label, "step": j + w, "mean": float(L[:, j].mean()),
                         "ci_low": lo, "ci_high": hi, "n": len(L)})
    return pd.DataFrame(recs)


def loss_after(results: dict, rows: list[tuple], window: int = 20) -> dict:
    """Per label, the training loss after the fit's last step: the mean loss of its last
    ``window`` steps (all of them when it has fewer), summarised over seeds
    (:func:`deepfake_lib.core.stats.summarise`).
    ``{label: summarise-dict}``. Notebook A3, section "Residual blocks and the speed of
    learning"."""
    return {label: stats.summarise([float(np.mean(r["history"][STEP_KEY][-window:]))
                                    for r in per_seed.values()])
            for label, per_seed in _rows(results, rows)}


def paired_loss_differences(after: dict, base: str) -> dict:
    """Loss after N steps of each other label minus ``base``'s, paired over seeds
    (:func:`deepfake_lib.core.stats.paired_seed_difference`), and whether the label learns
    faster: :func:`deepfake_lib.core.stats.decide` on ``base - label`` (True: a lower loss
    with an interval below 0). ``{label: {"diff", "ci_low", "ci_high", "n", "faster"}}``.
    Notebook A3, section "Residual blocks and the speed of learning"."""
    out = {}
    for label, s in after.items():
        if label == base:
            continue
        d = stats.paired_seed_difference(s["values"], after[base]["values"])
        out[label] = {**d, "faster": stats.decide(-d["ci_high"], -d["ci_low"])}
    return out


#: The book's question on section 4.4's "speed of model learning" (no number in the paper).
SPEED_CLAIM = ("Residual blocks speed up learning (section 4.4: \"this effect also appears "
               "in the speed of model learning\")")


LN2_MARGIN = stats.LN2_MARGIN


def left_ln2(summary: dict, margin: float = LN2_MARGIN) -> int:
    """How many seeds of a :func:`loss_after` summary ended below ``ln 2 - margin``
    (:func:`deepfake_lib.core.stats.left_ln2`). Notebook A3, section "Residual blocks and
    the speed of learning"."""
    return stats.left_ln2(summary["values"], margin)


def loss_table(after: dict, diffs: dict, steps: dict) -> "pandas.DataFrame":
    """One row per label: its optimiser ``steps``, the loss after them (:func:`loss_after`,
    ``mean ± sd [95 % t-interval]``), how many seeds left ln 2 (:func:`left_ln2`) and,
    against the base of ``diffs`` (:func:`paired_loss_differences`), the paired difference
    and whether it is faster. Notebook A3, section "Residual blocks and the speed of
    learning"."""
    import pandas as pd

    def f(d, k="diff"):
        return f"{d[k]:+.4f} [{d['ci_low']:+.4f}, {d['ci_high']:+.4f}]"

    rows = {}
    for label, v in after.items():
        d = diffs.get(label)
        rows[label] = {"steps": steps[label],
                       "loss after the steps": f"{v['mean']:.4f} ± {v['sd']:.4f} "
                                               f"[{v['ci_low']:.4f}, {v['ci_high']:.4f}]",
                       f"left ln 2 - {LN2_MARGIN:g}": f"{left_ln2(v)} of {v['n']}",
                       "minus the base": f(d) if d else "(base)",
                       "faster": d["faster"] if d else ""}
    return pd.DataFrame(rows).T


def faster_verdict(diffs: dict, label: str, steps: int) -> tuple[bool | None, str]:
    """``(holds, sentence)`` for "``label`` learns faster than the base": the rule's reading
    of :func:`paired_loss_differences` (the argument of ``ablations.record_evidence``).
    Notebook A3, section "Residual blocks and the speed of learning"."""
    d = diffs[label]
    word = {True: "holds", False: "does not hold", None: "is not decided"}[d["faster"]]
    return d["faster"], (f"{label} minus the base, training loss after {steps} optimiser "
                         f"steps, paired over {d['n']} seed(s): {d['diff']:+.4f} "
                         f"[{d['ci_low']:+.4f}, {d['ci_high']:+.4f}]; 'faster' {word}.")


def fit_costs(results: dict) -> dict:
    """Per system (a configuration of :func:`deepfake_lib.paper_a.ablations.run_plan`):
    ``{"fits", "steps", "examples", "seconds"}`` summed over its fits (seeds), the arguments
    of ``Run.fit_cost``. Notebook A3, section "What a fit costs"."""
    return {name: {"fits": len(per), "steps": sum(r["steps"] for r in per.values()),
                   "examples": sum(r["examples"] for r in per.values()),
                   "seconds": sum(r["seconds"] for r in per.values())}
            for name, per in results.items()}
