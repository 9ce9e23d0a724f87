"""Summaries over seeds and bootstrap confidence intervals.

The book reports every trained metric as mean +- sd over seeds with a confidence interval
(design.md, "Honesty rules"). Both helpers live here so that every notebook computes them
the same way.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0.0 for a single value)."""
    x = np.asarray(values, dtype=float)
    sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
    return float(x.mean()), sd


def bootstrap_ci(values: Sequence[float], level: float = 0.95, n_boot: int = 2000,
                 seed: int = 0, stat: Callable[[np.ndarray], float] = np.mean) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat`` over ``values`` (1-D).

    With a single value the interval collapses to that value: one seed says nothing
    about spread, and the book labels smoke runs as such.
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


def paired_bootstrap_ci(y_true: np.ndarray, scores: np.ndarray, metric: Callable, level: float = 0.95,
                        n_boot: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Bootstrap interval of ``metric(y_true, scores)`` resampling examples (e.g. AUC).

    Resamples that hold a single class are skipped, since AUC-like metrics are undefined there.
    """
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n_boot):
        i = rng.integers(0, y_true.size, y_true.size)
        if np.unique(y_true[i]).size < 2:
            continue
        vals.append(metric(y_true[i], scores[i]))
    if not vals:
        v = float("nan")
        return v, v
    lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def summarise(values: Sequence[float], seed: int = 0) -> dict:
    """``{"mean", "sd", "ci_low", "ci_high", "n", "values"}`` for one metric over seeds."""
    m, s = mean_sd(values)
    lo, hi = bootstrap_ci(values, seed=seed)
    return {"mean": m, "sd": s, "ci_low": lo, "ci_high": hi, "n": len(values),
            "values": [float(v) for v in values]}
