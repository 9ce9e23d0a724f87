r"""Intervals and the one rule that decides "A beats B": the book's honest statistics.

Every number a notebook trains is reported over **seeds** (the runs are the independent
unit) or over **videos / identities** (the test examples are): never over frames of one
video as if they were independent. Notebook A3, section "How a ranking is decided", and
notebook C3, section "Intervals over videos", explain the choices:

- over :math:`n` seeds, the mean, the standard deviation and a **t-interval**
  :math:`\bar x \pm t_{n-1,\,0.975}\, s / \sqrt n` (:func:`t_interval`); a percentile
  bootstrap of three values is not a 95 % interval, so none is given;
- over test examples, a **bootstrap that resamples the independent unit**
  (:func:`bootstrap_metric`): a frame-level metric resamples whole videos (all their frames
  together), a video-level metric resamples videos, or identities when a dataset has few;
- a ranking compares the two systems **paired**, on the same seeds
  (:func:`paired_seed_difference`) or the same resampled test units
  (:func:`paired_bootstrap_difference`), and :func:`decide` reads the interval of the
  difference: above 0 -> the claim holds, below 0 -> it does not, across 0 -> not decided.

Usage::

    s = stats.summarise([0.71, 0.69, 0.74])          # mean, sd, t-interval over 3 seeds
    d = stats.paired_bootstrap_difference(y, a, b, roc_auc_score, groups=video_ids)
    stats.decide(d["ci_low"], d["ci_high"])          # True / False / None
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

#: How a ranking is decided; printed beside every verdict that :func:`decide` gives.
RULE = ("the claim holds when the 95 % interval of the paired difference lies above 0, does "
        "not hold when it lies below 0, and is not decided when it contains 0")


def _floats(values: Sequence[float | None]) -> np.ndarray:
    """Values as floats; None (how a results file writes NaN) becomes NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0.0 for a single value); None counts as
    NaN. Notebook A3, section "How a ranking is decided"."""
    x = _floats(values)
    sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
    return float(x.mean()), sd


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean of ``values`` (one value per seed).

    ``(nan, nan)`` for fewer than two values: one seed says nothing about spread.
    Notebook A3, section "How a ranking is decided".
    """
    from scipy import stats as st

    x = _floats(values)
    if x.size < 2:
        return float("nan"), float("nan")
    half = st.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean() - half), float(x.mean() + half)


def summarise(values: Sequence[float], bounds: tuple[float, float] | None = None) -> dict:
    """``{"mean", "sd", "ci_low", "ci_high", "interval", "n", "values"}`` for one metric over
    seeds; the interval is :func:`t_interval` (``"t95"``; NaN bounds for one seed), cut to
    ``bounds`` (a metric's range, e.g. ``(0, 1)`` for an accuracy) when given, and then
    named ``"t95, cut to [lo, hi]"``. Notebook A3, section "How a ranking is decided"."""
    m, s = mean_sd(values)
    lo, hi = t_interval(values)
    interval = "t95"
    if bounds is not None and not np.isnan(lo):
        lo, hi = float(np.clip(lo, *bounds)), float(np.clip(hi, *bounds))
        interval = f"t95, cut to [{bounds[0]:g}, {bounds[1]:g}]"
    return {"mean": m, "sd": s, "ci_low": lo, "ci_high": hi, "interval": interval,
            "n": len(values), "values": [float(v) for v in _floats(values)]}


def bootstrap_ci(values: Sequence[float], level: float = 0.95, n_boot: int = 2000,
                 seed: int = 0, stat: Callable[[np.ndarray], float] = np.mean) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat`` over independent ``values`` (1-D).
    Notebook C3, section "Intervals over videos".

    With a single value the interval collapses to that value.
    """
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        v = float(stat(x)) if x.size else float("nan")
        return v, v
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boots = np.array([stat(x[i]) for i in idx])
    lo, hi = np.quantile(boots, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def _resamples(n: int, groups: np.ndarray | None, n_boot: int, seed: int):
    """Index arrays of ``n_boot`` resamples: rows, or whole groups (all rows of a drawn group)."""
    rng = np.random.default_rng(seed)
    if groups is None:
        for _ in range(n_boot):
            yield rng.integers(0, n, n)
        return
    groups = np.asarray(groups)
    _, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(inverse.max() + 1)]
    for _ in range(n_boot):
        drawn = rng.integers(0, len(members), len(members))
        yield np.concatenate([members[g] for g in drawn])


def bootstrap_metric(y_true: np.ndarray, scores: np.ndarray, metric: Callable,
                     groups: np.ndarray | None = None, level: float = 0.95, n_boot: int = 1000,
                     seed: int = 0) -> tuple[float, float]:
    """Bootstrap interval of ``metric(y_true, scores)`` resampling the independent unit.

    Parameters
    ----------
    y_true : ``(n,)`` labels; scores : ``(n,)`` or ``(n, k)`` scores
    metric : callable ``(y, s) -> float`` (e.g. ``sklearn.metrics.roc_auc_score``)
    groups : ``(n,)`` or None
        The unit each row belongs to (a video id for frame rows, an identity for video
        rows): a resample draws whole groups. None: rows are independent.

    Resamples that hold a single class are skipped (AUC is undefined there). Notebook C3,
    section "Intervals over videos".
    """
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    vals = [metric(y_true[i], scores[i]) for i in _resamples(len(y_true), groups, n_boot, seed)
            if np.unique(y_true[i]).size > 1]
    if not vals:
        return float("nan"), float("nan")
    lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def paired_bootstrap_difference(y_true: np.ndarray, score_a: np.ndarray, score_b: np.ndarray,
                                metric: Callable, groups: np.ndarray | None = None,
                                level: float = 0.95, n_boot: int = 1000, seed: int = 0) -> dict:
    """``metric(a) - metric(b)`` on the same test examples, with a paired bootstrap interval
    (both systems scored on every resample; ``groups`` as in :func:`bootstrap_metric`).

    Returns ``{"diff", "ci_low", "ci_high", "method"}``. Notebook C3, section
    "Figure 9".
    """
    both = np.stack([np.asarray(score_a), np.asarray(score_b)], axis=1)

    def diff(y, s):
        return metric(y, s[:, 0]) - metric(y, s[:, 1])

    lo, hi = bootstrap_metric(y_true, both, diff, groups, level, n_boot, seed)
    unit = "rows" if groups is None else "groups"
    return {"diff": float(diff(np.asarray(y_true), both)), "ci_low": lo, "ci_high": hi,
            "method": f"paired bootstrap over {unit}, {n_boot} resamples"}


#: Fewest independent units (test videos, identities) :func:`auc_interval` bootstraps over.
MIN_UNITS = 5


def auc_interval(y_true: np.ndarray, scores: np.ndarray, groups: np.ndarray | None = None,
                 n_boot: int = 1000, seed: int = 0) -> dict:
    """ROC AUC of one system on ``(n,)`` test units with its bootstrap interval
    (:func:`bootstrap_metric`, resampling ``groups`` when given), and whether it learned:
    ``above_chance`` is :func:`decide` on the interval minus 0.5 (True: the lower bound is
    above 0.5). A headline model's row in notebooks A3, B3 and C3, section "Does the headline
    model learn?".

    With fewer than :data:`MIN_UNITS` units to resample (rows, or groups when given) a
    percentile bootstrap says nothing: the interval is NaN and ``above_chance`` None.

    Returns ``{"auc", "ci_low", "ci_high", "n", "above_chance", "method"}``.
    """
    from sklearn.metrics import roc_auc_score

    y_true, scores = np.asarray(y_true), np.asarray(scores, dtype=float)
    auc = float(roc_auc_score(y_true, scores)) if np.unique(y_true).size > 1 else float("nan")
    unit = "test units" if groups is None else "groups"
    units = y_true.size if groups is None else np.unique(np.asarray(groups)).size
    if units < MIN_UNITS:
        return {"auc": auc, "ci_low": float("nan"), "ci_high": float("nan"),
                "n": int(y_true.size), "above_chance": None,
                "method": f"no interval: {units} {unit}, fewer than {MIN_UNITS}"}
    lo, hi = bootstrap_metric(y_true, scores, roc_auc_score, groups, n_boot=n_boot, seed=seed)
    return {"auc": auc, "ci_low": lo, "ci_high": hi, "n": int(y_true.size),
            "above_chance": decide(lo - 0.5, hi - 0.5),
            "method": f"bootstrap over {units} {unit}, {n_boot} resamples"}


def _mean_auc(y: np.ndarray, s: np.ndarray) -> float:
    """Mean ROC AUC of the ``k`` columns (fits) of scores ``s`` ``(n, k)``."""
    from sklearn.metrics import roc_auc_score

    return float(np.mean([roc_auc_score(y, s[:, j]) for j in range(s.shape[1])]))


def mean_auc_interval(y_true: np.ndarray, scores: np.ndarray, groups: np.ndarray | None = None,
                      n_boot: int = 1000, seed: int = 0) -> dict:
    """Mean ROC AUC of ``k`` fits (seeds) scored on the same ``(n,)`` test units, ``scores``
    ``(n, k)``, with a bootstrap interval that resamples the units (whole ``groups`` when
    given) and recomputes every fit's AUC on each resample: the test-sampling uncertainty of
    the seed-averaged AUC, which a t-interval over the seeds alone leaves out (the seeds
    share one test set). ``above_chance`` as in :func:`auc_interval`. Notebook A3, section
    "Does the headline model learn?".

    Returns ``{"auc", "ci_low", "ci_high", "n", "fits", "above_chance", "method"}``.
    """
    y_true, scores = np.asarray(y_true), np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] != y_true.size:
        raise ValueError(f"scores must have shape (n, k) with n = {y_true.size} test units, "
                         f"got {scores.shape}")

    auc = _mean_auc(y_true, scores) if np.unique(y_true).size > 1 else float("nan")
    unit = "test units" if groups is None else "groups"
    units = y_true.size if groups is None else np.unique(np.asarray(groups)).size
    base = {"auc": auc, "n": int(y_true.size), "fits": int(scores.shape[1])}
    if units < MIN_UNITS:
        return {**base, "ci_low": float("nan"), "ci_high": float("nan"), "above_chance": None,
                "method": f"no interval: {units} {unit}, fewer than {MIN_UNITS}"}
    lo, hi = bootstrap_metric(y_true, scores, _mean_auc, groups, n_boot=n_boot, seed=seed)
    return {**base, "ci_low": lo, "ci_high": hi, "above_chance": decide(lo - 0.5, hi - 0.5),
            "method": f"bootstrap over {units} {unit} of the mean over {scores.shape[1]} "
                      f"fits, {n_boot} resamples"}


def paired_mean_auc_difference(y_true: np.ndarray, scores_a: np.ndarray, scores_b: np.ndarray,
                               groups: np.ndarray | None = None, n_boot: int = 1000,
                               seed: int = 0) -> dict:
    """Mean AUC over ``k`` seeds of system A minus that of system B, both ``(n, k)`` on the
    same ``(n,)`` test units and the same seeds, with a paired bootstrap interval: each
    resample draws units (whole ``groups`` when given) and recomputes all ``2k`` AUCs on
    it. ``better`` is :func:`decide` on the interval (True: A better). Notebook B3, section
    "Tuned against untuned, every video".

    Returns ``{"diff", "ci_low", "ci_high", "better", "n", "units", "fits", "method"}``
    (``units``: the test units or groups resampled).
    """
    a, b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    y_true = np.asarray(y_true)
    if a.shape != b.shape or a.ndim != 2 or a.shape[0] != y_true.size:
        raise ValueError(f"both systems need scores of shape (n, k) with n = {y_true.size} "
                         f"test units and the same seeds, got {a.shape} and {b.shape}")
    d = paired_bootstrap_difference(y_true, a, b, _mean_auc, groups, n_boot=n_boot, seed=seed)
    unit = "test units" if groups is None else "groups"
    units = y_true.size if groups is None else np.unique(np.asarray(groups)).size
    return {**d, "better": decide(d["ci_low"], d["ci_high"]), "n": int(y_true.size),
            "units": int(units), "fits": a.shape[1],
            "method": f"paired bootstrap over {units} {unit} of the mean over {a.shape[1]} "
                      f"seeds, {n_boot} resamples"}


def paired_seed_difference(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> dict:
    """Mean of ``a[i] - b[i]`` over seeds ``i`` (the same seeds for both) and its t-interval.

    Returns ``{"diff", "ci_low", "ci_high", "n", "method"}``. Notebook A3, section "How a
    ranking is decided".
    """
    a, b = _floats(a), _floats(b)
    if a.shape != b.shape:
        raise ValueError(f"paired values must have one entry per seed each, got {a.shape} and {b.shape}")
    d = a - b
    lo, hi = t_interval(d, level)
    return {"diff": float(d.mean()) if d.size else float("nan"), "ci_low": lo, "ci_high": hi,
            "n": int(d.size), "method": f"paired t-interval over {d.size} seed(s)"}


#: How far below ln 2 a training loss must end for a fit to count as having left the constant
#: output (binary cross-entropy of a model that answers 0.5 for everything is ln 2): a
#: description beside the rule's verdicts, not a verdict. Notebooks A3 and B3.
LN2_MARGIN = 0.01


def left_ln2(losses: Sequence[float], margin: float = LN2_MARGIN) -> int:
    """How many of ``losses`` (one final training loss per fit) ended below ``ln 2 -
    margin``. Notebook A3, section "Residual blocks and the speed of learning"."""
    return int(sum(v < np.log(2) - margin for v in _floats(losses)))


def learned_word(above_chance: bool | None) -> str:
    """How a notebook prints ``above_chance`` of :func:`auc_interval`: ``"yes"`` (the
    interval lies above 0.5), ``"no, below chance"``, ``"not decided"`` (it holds 0.5, or
    there is no interval). Notebook A3, section "Does the headline model learn?"."""
    return {True: "yes", False: "no, below chance"}.get(above_chance, "not decided")


def decide(ci_low: float, ci_high: float) -> bool | None:
    """The verdict on "A beats B" from the interval of the difference A - B (:data:`RULE`):
    True above 0, False below 0, None when it contains 0 or is undefined (one seed).
    Notebook A3, section "How a ranking is decided"."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return None
    return True if ci_low > 0 else (False if ci_high < 0 else None)
