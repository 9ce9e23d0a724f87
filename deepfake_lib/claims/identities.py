r"""Metric identities: what reported metrics imply about each other and about the test set.

The one home of every identity the checks and the notebooks use. All functions take
fractions or percentages consistently (same unit in, same unit out) and work on numpy arrays.

- :math:`F_1 = 2PR/(P+R)` (:func:`f1_from`) and its inverse (:func:`precision_from`);
- accuracy is the prevalence-weighted mean of sensitivity and specificity,
  :math:`a = \pi s + (1-\pi) s_p`, so :math:`\pi = (a - s_p)/(s - s_p)`
  (:func:`prevalence_from_accuracy`);
- precision from the same rates, :math:`P = \pi s / (\pi s + (1-\pi)(1-s_p))`
  (:func:`precision_from_rates`), and :math:`\pi` back from an F1 (:func:`prevalence_from_f1`);
- from accuracy, precision and recall: errors are :math:`FN + FP = \mathrm{Pos}\,((1-R) +
  R(1-P)/P)`, so :math:`\mathrm{Pos}/N = (1-a)/((1-R) + R(1-P)/P)`
  (:func:`prevalence_from_precision`).

Explained in notebook ``claims_dashboard``, section "Checks"; paper B's tables in notebook
B3, section "Are the paper's tables internally consistent?"; paper C's in notebook C3, section "Do the paper's own numbers agree with each other?".
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Sequence

import numpy as np

from . import ledger as L


# ----------------------------------------------------------------------------- identities
def f1_from(precision, recall):
    """Harmonic mean of precision and recall (paper C, formula 21).

    Notebook claims_dashboard, section "Checks".
    """
    return 2 * precision * recall / (precision + recall)


def precision_from(f1, recall):
    """Precision implied by an F1 and a recall (inverse of :func:`f1_from`).

    Notebook claims_dashboard, section "Checks".
    """
    return f1 * recall / (2 * recall - f1)


def prevalence_from_accuracy(acc, sens, spec):
    r"""Share of positives :math:`\pi` with :math:`acc = \pi\,sens + (1-\pi)\,spec`.

    ``nan`` where sensitivity equals specificity. Notebook claims_dashboard, section "Checks".
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(np.subtract(acc, spec, dtype=float), np.subtract(sens, spec, dtype=float))
    out = np.where(np.isfinite(out), out, np.nan)
    return float(out) if out.ndim == 0 else out


def precision_from_rates(prevalence, sens, spec, unit: float = 1.0):
    r"""Precision :math:`\pi s / (\pi s + (1-\pi)(u - s_p))` from the share of positives and
    the two rates (``unit`` = 1 for fractions, 100 for percent).

    Notebook claims_dashboard, section "Checks".
    """
    return prevalence * sens / (prevalence * sens + (1 - prevalence) * (unit - spec))


def prevalence_from_f1(f1, sens, spec):
    r"""Share of positives implied by F1, sensitivity (= recall) and specificity, fractions:
    :math:`\pi = F_1 (1 - s_p) / (2 s - F_1 (s + s_p))`.

    Notebook B3, section "Are the paper's tables internally consistent?".
    """
    return f1 * (1 - spec) / (2 * sens - f1 * (sens + spec))


def prevalence_from_precision(accuracy, precision, recall):
    """Share of positives a test set must have for (accuracy, precision, recall) to hold.

    Errors per example = FN + FP = p (1 - R) + p R (1 - P) / P, so
    p = (1 - accuracy) / ((1 - R) + R (1 - P) / P). Notebook C3, section "Do the paper's own numbers agree with each other?".
    """
    return (1 - accuracy) / ((1 - recall) + recall * (1 - precision) / precision)


def macro_rates(acc, recall_macro, share):
    r"""Sensitivity and specificity (of the class whose share is ``share``) that give
    accuracy ``acc`` and macro-averaged recall ``recall_macro``:
    :math:`acc - R = (\pi - \tfrac12)(s - s_p)` and :math:`s + s_p = 2R`; ``nan`` at
    :math:`\pi = 1/2`. Notebook claims_dashboard, section "Checks".
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        sens = (np.asarray(acc, dtype=float) - 2 * recall_macro * (1 - share)) / (2 * share - 1)
    return sens, 2 * recall_macro - sens


def macro_precision(share, sens, spec):
    """Mean of the two classes' precisions, from the share of the first class and its rates.

    Notebook claims_dashboard, section "Checks".
    """
    return (precision_from_rates(share, sens, spec) + precision_from_rates(1 - share, spec, sens)) / 2


def macro_shares(acc: float, precision: float, recall: float, h: float, n: int = 2001) -> np.ndarray:
    """Shares of the first class (grid of ``n`` in [0, 1]) at which some point of the rounding
    box (+-``h`` on each input; precision within ``h`` + 0.002 for the grid) fits accuracy and
    macro-averaged precision and recall.

    Notebook claims_dashboard, section "Checks".
    """
    pi = np.linspace(0, 1, n)
    ok = np.zeros(n, dtype=bool)
    for da, dr in itertools.product((-h, 0, h), repeat=2):
        s, sp = macro_rates(acc + da, recall + dr, pi)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = macro_precision(pi, s, sp)
        valid = (s >= 0) & (s <= 1) & (sp >= 0) & (sp <= 1) & np.isfinite(p)
        ok |= valid & (np.abs(p - precision) <= h + 2e-3)
    return pi[ok]


def box_range(fn: Callable[..., float], values: Sequence[float], halves: Sequence[float]
              ) -> tuple[float, float]:
    """Range of ``fn(*values)`` when each value may be off by its half unit (printed
    rounding), over the corners of the box: exact for maps monotone in each argument.

    Notebook claims_dashboard, section "Checks".
    """
    out = [fn(*(v + s * h for v, s, h in zip(values, signs, halves)))
           for signs in itertools.product((-1, 1), repeat=len(values))]
    out = [x for x in out if not math.isnan(x)]
    return (min(out), max(out)) if out else (math.nan, math.nan)


def prevalence_interval(acc: float, sens: float, spec: float, h: float) -> tuple[float, float]:
    """Range of :func:`prevalence_from_accuracy` when each input (in %) may be off by ``h``;
    unbounded when ``sens - spec`` can vanish inside the box.

    Notebook claims_dashboard, section "Checks".
    """
    if abs(sens - spec) <= 2 * h:
        return (-math.inf, math.inf)
    return box_range(lambda a, s, p: prevalence_from_accuracy(a, s, p), (acc, sens, spec),
                     (h, h, h))


def f1_interval_from_rates(acc: float, sens: float, spec: float, h: float,
                           n: int = 21) -> tuple[float, float]:
    """Range of F1 (in %) implied by accuracy, sensitivity and specificity (in %), each
    possibly off by ``h``, over an ``n``-point grid per input; only points whose implied
    prevalence lies in [0, 1] count. (nan, nan) when none does.

    Notebook claims_dashboard, section "Checks".
    """
    g = np.linspace(-h, h, n)
    A, S, P = np.meshgrid(acc + g, sens + g, spec + g, indexing="ij")
    A, S, P = A / 100, S / 100, P / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = prevalence_from_accuracy(A, S, P)
        ok = (pi >= 0) & (pi <= 1) & np.isfinite(pi)
        f1 = f1_from(precision_from_rates(pi, S, P), S) * 100
    f1 = f1[ok & np.isfinite(f1)]
    return (float(f1.min()), float(f1.max())) if f1.size else (math.nan, math.nan)


# ----------------------------------------------------------------------------- paper B's tables
#: Columns of paper B's Tables 2 and 3, as the ledger names them.
PAPER_COLUMNS = ("accuracy", "sensitivity", "specificity", "f1")


def _paper_b_tables() -> dict[str, np.ndarray]:
    claims = L.claims_by_id()
    out = {}
    for t, slug, name in (("2", "celebdf", "Celeb-DF (Table 2)"), ("3", "dfdc", "DFDC (Table 3)")):
        out[name] = np.array([[float(claims[f"B.table{t}.{slug}.run{r}.{m}"].value)
                               for m in PAPER_COLUMNS] for r in range(1, 6)])
    return out


#: Paper B, Tables 2 (Celeb-DF) and 3 (DFDC), read from the ledger: one row per run, columns
#: :data:`PAPER_COLUMNS` in percent. Notebook B3, section "Are the paper's tables internally consistent?".
PAPER_TABLES = _paper_b_tables()


def implied_prevalence(acc, sens, spec, f1, half_ulp: float = 0.005, k: int = 5) -> dict:
    r"""Share of fakes :math:`\pi` in the test set implied by one row of reported metrics
    (percent), as an interval over the rounding box of +-``half_ulp``, once from accuracy
    (:func:`prevalence_from_accuracy`) and once from F1 (:func:`prevalence_from_f1`); the
    two must overlap if the row comes from one confusion matrix.

    Returns ``{"from_accuracy": (lo, hi), "from_f1": (lo, hi), "consistent": bool}``.
    Notebook B3, section "Are the paper's tables internally consistent?".
    """
    g = np.linspace(-half_ulp, half_ulp, k)
    A, S, SP, F = ((np.asarray(v, dtype=float) + g) / 100 for v in (acc, sens, spec, f1))
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = prevalence_from_accuracy(*np.meshgrid(A, S, SP, indexing="ij"))
        s2, sp2, f = np.meshgrid(S, SP, F, indexing="ij")
        pf = prevalence_from_f1(f, s2, sp2)
    ra = (float(np.nanmin(pa)), float(np.nanmax(pa)))
    rf = (float(np.nanmin(pf)), float(np.nanmax(pf)))
    return {"from_accuracy": ra, "from_f1": rf, "consistent": ra[0] <= rf[1] and rf[0] <= ra[1]}


def _count_candidates(value: float, n_max: int, half_ulp: float) -> np.ndarray:
    """``(n, k)`` pairs with ``n <= n_max`` and ``100 k / n`` within ``half_ulp`` of ``value``."""
    n = np.arange(1, n_max + 1)
    out = []
    for off in (-1, 0, 1):
        k = np.floor(value / 100 * n).astype(int) + off
        ok = (k >= 0) & (k <= n) & (np.abs(100 * k / n - value) <= half_ulp + 1e-9)
        out.append(np.c_[n[ok], k[ok]])
    return np.unique(np.vstack(out), axis=0)


def confusion_solutions(acc, sens, spec, f1, n_max: int = 1500, half_ulp: float = 0.005) -> np.ndarray:
    """Every confusion matrix with at most ``n_max`` fakes and ``n_max`` reals that reproduces
    one row of reported metrics (percent, rounded to ``half_ulp``), as rows
    ``(n_fake, n_real, tp, tn)``, shape ``(K, 4)``. Empty: no such test set exists.

    Notebook B3, section "Are the paper's tables internally consistent?".
    """
    P = _count_candidates(sens, n_max, half_ulp)          # (n_fake, tp)
    Q = _count_candidates(spec, n_max, half_ulp)          # (n_real, tn)
    if not len(P) or not len(Q):
        return np.zeros((0, 4), dtype=int)
    nf, tp = P[:, :1], P[:, 1:]
    nr, tn = Q[:, 0][None], Q[:, 1][None]
    a = 100 * (tp + tn) / (nf + nr)
    f = 100 * 2 * tp / (2 * tp + (nr - tn) + (nf - tp))
    i, j = np.nonzero((np.abs(a - acc) <= half_ulp + 1e-9) & (np.abs(f - f1) <= half_ulp + 1e-9))
    return np.c_[P[i, 0], Q[j, 0], P[i, 1], Q[j, 1]]


def table_consistency(rows: np.ndarray, n_max: int = 1500):
    """Per-run consistency of a paper table, shape ``(runs, 4)`` (accuracy, sensitivity,
    specificity, F1 in percent): implied prevalence from accuracy and from F1, whether they
    agree, how many integer confusion matrices (<= ``n_max`` per class) reproduce the row, the
    smallest such test set, and which columns F1 repeats exactly. Returns a pandas DataFrame,
    one row per run, and the set of ``(n_fake, n_real)`` shared by every run.

    Notebook B3, section "Are the paper's tables internally consistent?".
    """
    import pandas as pd

    out, shared = [], None
    for r, (acc, s, sp, f1) in enumerate(rows, start=1):
        pr = implied_prevalence(acc, s, sp, f1)
        sol = confusion_solutions(acc, s, sp, f1, n_max)
        sizes = set(map(tuple, sol[:, :2].tolist()))
        shared = sizes if shared is None else shared & sizes
        small = sol[np.argmin(sol[:, 0] + sol[:, 1])] if len(sol) else None
        out.append({"run": r, "prevalence_from_accuracy": "%.3f-%.3f" % pr["from_accuracy"],
                    "prevalence_from_f1": "%.3f-%.3f" % pr["from_f1"],
                    "identities_agree": pr["consistent"], "n_confusion_matrices": len(sol),
                    "smallest_test_set": "none" if small is None else
                    f"{small[0]} fake + {small[1]} real",
                    "f1_repeats": ",".join(c for c, v in zip(PAPER_COLUMNS[:3], (acc, s, sp)) if v == f1)})
    return pd.DataFrame(out).set_index("run"), shared or set()
