"""Our gbest PSO against pyswarms 1.3.0, an independent implementation (notebook B1,
section "Cross-check against pyswarms").

Two checks. :func:`step_for_step` gives both implementations the same start positions, zero
velocities and the same random stream (pyswarms draws :math:`r_1, r_2` from NumPy's global
``RandomState``; :func:`deepfake_lib.paper_b.pso.minimize` is handed a ``RandomState`` in
the same state) and compares every position of every iteration: they must be equal.
:func:`cross_check` runs both from their own random starts and compares the distributions
of the optima over seeds.
"""

from __future__ import annotations

import numpy as np

from deepfake_lib.paper_b import pso
from deepfake_lib.paper_b.pso import TEST_FUNCTIONS, Objective, box


def _quiet_pyswarms():
    import logging

    import pyswarms as ps

    logging.getLogger("pyswarms").setLevel(logging.WARNING)
    return ps


def step_for_step(objective: Objective, bounds, n_particles: int, iters: int, *, w: float,
                  c1: float, c2: float, seed: int) -> dict:
    """Positions of every iteration from pyswarms' ``GlobalBestPSO`` and from
    :func:`deepfake_lib.paper_b.pso.minimize` on shared random draws (module docstring;
    notebook B1, section "Cross-check against pyswarms").

    Returns ``{"ours": (T, n, d), "pyswarms": (T, n, d), "max_abs_diff": float,
    "best_cost": (ours, pyswarms)}``.
    """
    ps = _quiet_pyswarms()
    lo, hi = (np.asarray(b, dtype=float) for b in bounds)
    ours = pso.minimize(objective, (lo, hi), n_particles, iters, w=w, c1=c1, c2=c2,
                        cache=False, rng=np.random.RandomState(seed))
    rs = np.random.RandomState(seed)
    x0 = lo + rs.random((n_particles, lo.size)) * (hi - lo)   # the start minimize drew
    opt = ps.single.GlobalBestPSO(n_particles=n_particles, dimensions=lo.size,
                                  options={"c1": c1, "c2": c2, "w": w}, bounds=(lo, hi),
                                  bh_strategy="nearest", init_pos=x0)
    opt.swarm.velocity = np.zeros_like(x0)                    # minimize starts at rest
    state = np.random.get_state()
    np.random.set_state(rs.get_state())
    try:
        best = float(opt.optimize(objective, iters=iters, verbose=False)[0])
    finally:
        np.random.set_state(state)
    theirs = np.asarray(opt.pos_history)
    return {"ours": ours.positions, "pyswarms": theirs,
            "max_abs_diff": float(np.abs(ours.positions - theirs).max()),
            "best_cost": (float(ours.best_cost), best)}


def pyswarms_minimize(objective: Objective, bounds, n_particles: int, iters: int, *, w: float,
                      c1: float, c2: float, seed: int) -> float:
    """Best cost found by pyswarms' ``GlobalBestPSO`` (an independent implementation) with
    the same budget, coefficients and clipping to ``bounds`` (its ``"nearest"`` strategy).
    pyswarms draws from NumPy's global generator, so this seeds ``np.random``. Notebook B1,
    section "Cross-check against pyswarms"."""
    ps = _quiet_pyswarms()
    np.random.seed(seed)
    opt = ps.single.GlobalBestPSO(n_particles=n_particles, dimensions=len(bounds[0]),
                                  options={"c1": c1, "c2": c2, "w": w},
                                  bounds=tuple(np.asarray(b, float) for b in bounds),
                                  bh_strategy="nearest")
    return float(opt.optimize(objective, iters=iters, verbose=False)[0])


def cross_check(names=("sphere", "rastrigin", "rosenbrock"), d: int = 5, n_particles: int = 20,
                iters: int = 100, seeds=range(10), w: float = 0.7298, c1: float = 1.49618,
                c2: float = 1.49618):
    """Best costs of :func:`minimize` and of pyswarms on the same functions and budget, one
    row per (function, seed), plus a per-function summary with a two-sided Mann-Whitney U
    test on the costs (notebook B1, section "Cross-check against pyswarms";
    tests/paper_b/test_crosscheck.py).

    Returns
    -------
    (runs, summary) : pandas.DataFrame, pandas.DataFrame
        ``runs`` columns: function, seed, ours, pyswarms. ``summary`` index: function;
        columns: median_ours, median_pyswarms, mannwhitney_p, comparable (medians within a
        factor 10 of each other and p > 0.01).
    """
    import pandas as pd
    from scipy.stats import mannwhitneyu

    rows = []
    for name in names:
        f = TEST_FUNCTIONS[name][0]
        for s in seeds:
            kw = dict(w=w, c1=c1, c2=c2, seed=int(s))
            rows.append({"function": name, "seed": int(s),
                         "ours": pso.minimize(f, box(name, d), n_particles, iters, **kw).best_cost,
                         "pyswarms": pyswarms_minimize(f, box(name, d), n_particles, iters, **kw)})
    runs = pd.DataFrame(rows)
    summary = runs.groupby("function", sort=False).agg(median_ours=("ours", "median"),
                                                      median_pyswarms=("pyswarms", "median"))
    summary["mannwhitney_p"] = [
        float(mannwhitneyu(g["ours"], g["pyswarms"], alternative="two-sided").pvalue)
        for _, g in runs.groupby("function", sort=False)]
    ratio = summary["median_ours"] / summary["median_pyswarms"]
    summary["comparable"] = (ratio > 0.1) & (ratio < 10) & (summary["mannwhitney_p"] > 0.01)
    return runs, summary
