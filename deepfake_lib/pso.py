r"""Global-best particle swarm optimisation (gbest PSO), as used by paper B (section 4.2.2).

A swarm of :math:`n` particles moves through a box :math:`[\ell, u] \subset \mathbb{R}^d`.
Particle :math:`i` has a position :math:`x_{i,t}`, a velocity :math:`v_{i,t}`, and remembers
the best position it has evaluated, :math:`\text{pbest}_i`; the swarm remembers the best of
all, :math:`\text{gbest}`. Paper B's update (section 4.2.2), applied to every particle and
every dimension at once:

.. math::

   v_{i,t+1} = w\,v_{i,t} + c_1 r_1 \odot (\text{pbest}_i - x_{i,t})
               + c_2 r_2 \odot (\text{gbest} - x_{i,t}),
   \qquad x_{i,t+1} = x_{i,t} + v_{i,t+1},

with :math:`r_1, r_2 \sim U(0, 1)^d` drawn afresh for every particle, dimension and step
(the paper says "random numbers from 0 to 1"; per-dimension draws are the usual reading and
the one pyswarms uses). :math:`w` is the inertia, :math:`c_1` the cognitive and :math:`c_2`
the social coefficient. Paper B uses a swarm of 15, 8 iterations and :math:`c_1 = c_2 = 4`,
and does not state :math:`w`.

Three practical additions, each optional and each shown in notebook B1:

- **bounds**: positions are clipped to the box after each move (pyswarms' ``"nearest"``);
- **velocity clamping**: :math:`v \leftarrow \operatorname{clip}(v, -v_{\max}, v_{\max})`;
- **integer dimensions** (number of filters, kernel size, stride): the particle moves in
  :math:`\mathbb{R}^d` and is *evaluated* at its rounded position. A fitness cache keyed on
  that rounded position means a configuration is trained once, however often particles land
  on it; hits are counted.

Stability. Under stagnation (pbest and gbest fixed) the update is a linear recurrence with
random coefficients, and its moments converge only for some :math:`(w, c_1 + c_2)`
(:func:`stable`; notebook B1, "Stability"):

- deterministic (every :math:`r = 1`), van den Bergh & Engelbrecht (2006):
  :math:`|w| < 1,\ 0 < c_1 + c_2 < 2(1 + w)`;
- order-1 (the mean), Trelea (2003), Poli (2009):
  :math:`|w| < 1,\ 0 < c_1 + c_2 < 4(1 + w)`;
- order-2 (mean and variance), Poli & Broomhead (2007), Poli (2009), for :math:`c_1 = c_2`:
  :math:`|w| < 1,\ 0 < c_1 + c_2 < \frac{24 (1 - w^2)}{7 - 5 w}`.

:func:`moment_matrix` builds the moment recurrences themselves, so the closed forms can be
checked by an eigenvalue computation (tests/test_pso.py does).

References
----------
J. Kennedy and R. C. Eberhart, "Particle swarm optimization", Proc. IEEE ICNN, 1995, 1942-1948.
I. C. Trelea, "The particle swarm optimization algorithm: convergence analysis and parameter
selection", Information Processing Letters 85(6), 2003, 317-325.
F. van den Bergh and A. P. Engelbrecht, "A study of particle swarm optimization particle
trajectories", Information Sciences 176(8), 2006, 937-971.
R. Poli and D. Broomhead, "Exact analysis of the sampling distribution for the canonical
particle swarm optimiser and its convergence during stagnation", Proc. GECCO 2007, 134-141.
R. Poli, "Mean and variance of the sampling distribution of particle swarm optimizers during
stagnation", IEEE Transactions on Evolutionary Computation 13(4), 2009, 712-721.

Example
-------
>>> import numpy as np
>>> from deepfake_lib import pso
>>> res = pso.minimize(pso.sphere, bounds=(np.full(2, -5.12), np.full(2, 5.12)),
...                    n_particles=20, iters=60, seed=0)
>>> bool(res.best_cost < 1e-4)
True
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import bench

Objective = Callable[[np.ndarray], np.ndarray]


# ----------------------------------------------------------------------------- test functions
def sphere(X: np.ndarray) -> np.ndarray:
    r"""Sphere :math:`f(x) = \sum_j x_j^2`; minimum 0 at the origin. ``X`` [n, d] -> [n]."""
    X = np.atleast_2d(X)
    return (X ** 2).sum(axis=1)


def rastrigin(X: np.ndarray) -> np.ndarray:
    r"""Rastrigin :math:`10 d + \sum_j (x_j^2 - 10 \cos 2\pi x_j)`; minimum 0 at the origin,
    a grid of local minima around it. ``X`` [n, d] -> [n]."""
    X = np.atleast_2d(X)
    return 10 * X.shape[1] + (X ** 2 - 10 * np.cos(2 * np.pi * X)).sum(axis=1)


def rosenbrock(X: np.ndarray) -> np.ndarray:
    r"""Rosenbrock :math:`\sum_j 100 (x_{j+1} - x_j^2)^2 + (1 - x_j)^2`; minimum 0 at
    :math:`(1, \dots, 1)`, at the end of a long curved valley. ``X`` [n, d] -> [n]."""
    X = np.atleast_2d(X)
    return (100 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (1 - X[:, :-1]) ** 2).sum(axis=1)


#: name -> (function, half-width of the usual search box, position of the minimum for d dims)
TEST_FUNCTIONS: dict[str, tuple[Objective, float, Callable[[int], np.ndarray]]] = {
    "sphere": (sphere, 5.12, np.zeros),
    "rastrigin": (rastrigin, 5.12, np.zeros),
    "rosenbrock": (rosenbrock, 2.048, np.ones),
}


def box(name: str, d: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The usual search box ``(lower [d], upper [d])`` of a test function in ``d`` dims."""
    half = TEST_FUNCTIONS[name][1]
    return np.full(d, -half), np.full(d, half)


# ----------------------------------------------------------------------------- the update
def velocity_update(v: np.ndarray, x: np.ndarray, pbest: np.ndarray, gbest: np.ndarray,
                    w: float, c1: float, c2: float, r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    r"""Paper B's velocity update for the whole swarm at once (notebook B1, "The update").

    :math:`v_{t+1} = w v_t + c_1 r_1 (\text{pbest} - x_t) + c_2 r_2 (\text{gbest} - x_t)`.

    Parameters
    ----------
    v, x, pbest, r1, r2 : ndarray [n, d]
        Velocities, positions, personal bests and the two uniform draws.
    gbest : ndarray [d]
        Global best position (broadcast over particles).
    w, c1, c2 : float
        Inertia, cognitive and social coefficients.

    Returns
    -------
    ndarray [n, d]
    """
    return w * v + c1 * r1 * (pbest - x) + c2 * r2 * (gbest - x)


def velocity_update_loop(v, x, pbest, gbest, w, c1, c2, r1, r2) -> np.ndarray:
    """The same update, one particle at a time in Python (the benchmark's baseline)."""
    out = np.empty_like(v)
    for i in range(v.shape[0]):
        out[i] = w * v[i] + c1 * r1[i] * (pbest[i] - x[i]) + c2 * r2[i] * (gbest - x[i])
    return out


def diameter(X: np.ndarray) -> float:
    """Swarm diameter: the largest distance between two particles. ``X`` [n, d] -> float."""
    from scipy.spatial.distance import pdist

    return float(pdist(X).max()) if len(X) > 1 else 0.0


# ----------------------------------------------------------------------------- fitness cache
class FitnessCache:
    """Cost of each evaluated (rounded) position, so a configuration is evaluated once.

    Keys are the rounded positions as tuples of Python floats. ``hits`` counts requests
    answered from the cache (including repeats within one batch), ``misses`` the rows
    actually passed to the objective.
    """

    def __init__(self) -> None:
        self.store: dict[tuple, float] = {}
        self.hits = 0
        self.misses = 0

    def __call__(self, objective: Objective, X: np.ndarray) -> np.ndarray:
        """Costs [m] of rounded positions ``X`` [m, d]; only unseen rows reach ``objective``."""
        keys = [tuple(float(a) for a in row) for row in X]
        new = list(dict.fromkeys(k for k in keys if k not in self.store))
        if new:
            costs = np.asarray(objective(np.array(new, dtype=float)), dtype=float).reshape(-1)
            if costs.shape[0] != len(new):
                raise ValueError(f"objective returned {costs.shape[0]} costs for {len(new)} positions")
            self.store.update(zip(new, costs.tolist()))
        self.misses += len(new)
        self.hits += len(keys) - len(new)
        return np.array([self.store[k] for k in keys])


# ----------------------------------------------------------------------------- the optimiser
@dataclass
class PSOResult:
    """What :func:`minimize` returns; ``T`` = iterations, ``n`` = particles, ``d`` = dimensions.

    Attributes
    ----------
    best_position : ndarray [d]
        Best position found, as evaluated (integer dimensions rounded).
    best_cost : float
    positions : ndarray [T, n, d]
        Positions at each evaluation (continuous, before rounding).
    costs : ndarray [T, n]
        Cost of each particle at each evaluation.
    gbest_cost : ndarray [T]
        Global best cost after each evaluation (non-increasing).
    gbest_position : ndarray [T, d]
    diameter : ndarray [T]
        Swarm diameter at each evaluation (see :func:`diameter`).
    speed : ndarray [T]
        Largest particle speed ``max_i |v_i|`` entering each evaluation.
    n_requests : int
        Evaluations asked for, ``n * T``.
    n_evaluations : int
        Evaluations actually run (cache misses).
    cache_hits : int
    seconds : float
        Wall time of the whole optimisation.
    """

    best_position: np.ndarray
    best_cost: float
    positions: np.ndarray
    costs: np.ndarray
    gbest_cost: np.ndarray
    gbest_position: np.ndarray
    diameter: np.ndarray
    speed: np.ndarray
    n_requests: int
    n_evaluations: int
    cache_hits: int
    seconds: float = 0.0
    params: dict = field(default_factory=dict)


def rounded(X: np.ndarray, integer: np.ndarray | None, bounds=None) -> np.ndarray:
    """Positions ``X`` [n, d] with the ``integer`` dimensions (bool mask [d]) rounded to the
    nearest integer and, if ``bounds`` are given, kept inside them."""
    X = np.array(X, dtype=float, copy=True)
    if integer is not None and np.any(integer):
        X[:, integer] = np.rint(X[:, integer])
        if bounds is not None:
            lo, hi = (np.asarray(b, dtype=float) for b in bounds)
            X[:, integer] = np.clip(X[:, integer], np.ceil(lo[integer]), np.floor(hi[integer]))
    return X


def minimize(objective: Objective, bounds: tuple[np.ndarray, np.ndarray], n_particles: int = 15,
             iters: int = 8, *, w: float = 0.7298, c1: float = 1.49618, c2: float = 1.49618,
             v_max: float | np.ndarray | None = None, confine: bool = True,
             integer: np.ndarray | list[int] | None = None, cache: bool = True,
             seed: int = 0) -> PSOResult:
    """Minimise ``objective`` with gbest PSO (notebook B1; paper B, section 4.2.2).

    Each of the ``iters`` iterations evaluates the whole swarm, updates pbest and gbest, then
    moves every particle with :func:`velocity_update`. Velocities start at zero; positions
    start uniform in ``bounds``.

    Parameters
    ----------
    objective : callable
        ``f(X [m, d]) -> costs [m]`` (lower is better). Paper B maximises validation accuracy:
        pass ``1 - accuracy``.
    bounds : (ndarray [d], ndarray [d])
        Lower and upper corners of the search box (the initialisation box when ``confine``
        is False).
    n_particles, iters : int
        Swarm size and number of swarm evaluations (paper B: 15 and 8).
    w, c1, c2 : float
        Inertia, cognitive, social coefficients. The defaults are Clerc & Kennedy's
        constriction-equivalent values (0.7298, 1.49618, 1.49618); paper B uses c1 = c2 = 4.
    v_max : float or ndarray [d], optional
        Velocity clamp; ``None`` = no clamping.
    confine : bool
        Clip positions to ``bounds`` after each move.
    integer : bool mask [d] or list of indices, optional
        Dimensions evaluated at their rounded value.
    cache : bool
        Evaluate each rounded position once (:class:`FitnessCache`).
    seed : int
        Seed of the ``np.random.default_rng`` generator used for initialisation and r1, r2.

    Returns
    -------
    PSOResult
    """
    t0 = time.perf_counter()
    lo, hi = (np.asarray(b, dtype=float).reshape(-1) for b in bounds)
    d = lo.size
    if hi.shape != lo.shape or np.any(hi < lo):
        raise ValueError("bounds must be (lower [d], upper [d]) with lower <= upper")
    mask = np.zeros(d, dtype=bool)
    if integer is not None:
        integer = np.asarray(integer)
        mask[integer if integer.dtype != bool else np.flatnonzero(integer)] = True
    rng = np.random.default_rng(seed)
    fit = FitnessCache()
    evaluate = (lambda Z: fit(objective, Z)) if cache else \
        (lambda Z: np.asarray(objective(Z), dtype=float).reshape(-1))
    box_ = (lo, hi) if confine else None

    x = lo + rng.random((n_particles, d)) * (hi - lo)
    v = np.zeros_like(x)
    pbest, pbest_cost = x.copy(), np.full(n_particles, np.inf)
    gbest, gbest_cost = x[0].copy(), np.inf
    hist = {k: [] for k in ("positions", "costs", "gbest_cost", "gbest_position", "diameter", "speed")}
    n_direct = 0
    for _ in range(iters):
        cost = evaluate(rounded(x, mask, box_))
        n_direct += n_particles
        better = cost < pbest_cost
        pbest[better], pbest_cost[better] = x[better], cost[better]
        i = int(np.argmin(pbest_cost))
        if pbest_cost[i] < gbest_cost:
            gbest, gbest_cost = pbest[i].copy(), float(pbest_cost[i])
        for key, val in (("positions", x.copy()), ("costs", cost), ("gbest_cost", gbest_cost),
                         ("gbest_position", gbest.copy()), ("diameter", diameter(x)),
                         ("speed", float(np.linalg.norm(v, axis=1).max()))):
            hist[key].append(val)
        r1, r2 = rng.random((2, n_particles, d))
        v = velocity_update(v, x, pbest, gbest, w, c1, c2, r1, r2)
        if v_max is not None:
            v = np.clip(v, -np.asarray(v_max), np.asarray(v_max))
        x = x + v
        if confine:
            x = np.clip(x, lo, hi)
    return PSOResult(
        best_position=rounded(gbest[None], mask, box_)[0], best_cost=gbest_cost,
        **{k: np.asarray(val) for k, val in hist.items()},
        n_requests=n_particles * iters,
        n_evaluations=fit.misses if cache else n_direct, cache_hits=fit.hits,
        seconds=time.perf_counter() - t0,
        params=dict(n_particles=n_particles, iters=iters, w=w, c1=c1, c2=c2, v_max=v_max,
                    confine=confine, integer=mask.tolist(), cache=cache, seed=seed))


# ----------------------------------------------------------------------------- stability
def limit(w, order: str):
    """Largest stable ``c1 + c2`` at inertia ``w`` (array-friendly) for ``order`` in
    ``"deterministic"``, ``"order1"``, ``"order2"`` (see the module docstring)."""
    w = np.asarray(w, dtype=float)
    if order == "deterministic":
        return 2 * (1 + w)
    if order == "order1":
        return 4 * (1 + w)
    if order == "order2":
        return 24 * (1 - w ** 2) / (7 - 5 * w)
    raise ValueError(f"unknown order {order!r}; use 'deterministic', 'order1' or 'order2'")


def stable(w, c, order: str = "order2"):
    """True where ``(w, c = c1 + c2)`` lies in the convergence region of ``order``
    (notebook B1, "Stability"); arrays broadcast."""
    w, c = np.asarray(w, dtype=float), np.asarray(c, dtype=float)
    return (np.abs(w) < 1) & (c > 0) & (c < limit(w, order))


def moment_matrix(w: float, c1: float, c2: float, order: str = "order2") -> np.ndarray:
    r"""Linear map of the moments of :math:`y_t = x_t - p` during stagnation with
    pbest = gbest = p, where :math:`y_{t+1} = a_t y_t - w y_{t-1}`,
    :math:`a_t = 1 + w - c_1 r_1 - c_2 r_2`.

    ``order="order1"``: state :math:`(E y_t, E y_{t-1})`, matrix [2, 2].
    ``order="order2"``: state :math:`(E y_t^2, E y_t y_{t-1}, E y_{t-1}^2)`, matrix [3, 3].
    The moments converge iff the spectral radius is below 1 (:func:`spectral_radius`).
    """
    ea = 1 + w - (c1 + c2) / 2
    if order == "order1":
        return np.array([[ea, -w], [1.0, 0.0]])
    if order == "order2":
        ea2 = ea ** 2 + (c1 ** 2 + c2 ** 2) / 12      # E[a^2] = (E a)^2 + Var(c1 r1 + c2 r2)
        return np.array([[ea2, -2 * w * ea, w ** 2], [ea, -w, 0.0], [1.0, 0.0, 0.0]])
    raise ValueError(f"unknown order {order!r}; use 'order1' or 'order2'")


def spectral_radius(w: float, c1: float, c2: float, order: str = "order2") -> float:
    """Largest eigenvalue modulus of :func:`moment_matrix` (< 1: the moments converge)."""
    return float(np.abs(np.linalg.eigvals(moment_matrix(w, c1, c2, order))).max())


# ----------------------------------------------------------------------------- benchmark
@bench.benchmark("pso", "PSO velocity update: vectorised over particles vs a per-particle Python loop")
def bench_pso(quick: bool) -> dict:
    rng = np.random.default_rng(0)
    n, d, reps = (200, 8, 5) if quick else (2000, 8, 10)
    v, x, p, r1, r2 = rng.random((5, n, d))
    g = rng.random(d)

    def timeit(fn) -> float:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn(v, x, p, g, 0.7, 1.5, 1.5, r1, r2)
        return (time.perf_counter() - t0) / reps

    fast, base = timeit(velocity_update), timeit(velocity_update_loop)
    return {"baseline_s": base, "fast_s": fast, "ratio": base / fast, "unit": "s per step",
            "n_particles": n, "dimensions": d}


def diameter_growth(w_values, c1: float, c2: float, n_particles: int, iters: int, seeds=range(20),
                    name: str = "sphere", **kw) -> np.ndarray:
    """Median over ``seeds`` of diameter(last iteration) / diameter(first) for each inertia in
    ``w_values`` [k] -> [k] (notebook B1, "What the swarm does with the paper's settings");
    ``kw`` goes to :func:`minimize` (e.g. ``confine=False``)."""
    f = TEST_FUNCTIONS[name][0]
    out = []
    for w in np.asarray(w_values, dtype=float):
        ratios = [(lambda r: r.diameter[-1] / r.diameter[0])(
            minimize(f, box(name), n_particles, iters, w=float(w), c1=c1, c2=c2, seed=int(s), **kw))
            for s in seeds]
        out.append(float(np.median(ratios)))
    return np.array(out)


# ----------------------------------------------------------------------------- cross-check
def pyswarms_minimize(objective: Objective, bounds, n_particles: int, iters: int, *, w: float,
                      c1: float, c2: float, seed: int) -> float:
    """Best cost found by pyswarms' ``GlobalBestPSO`` (an independent implementation) with
    the same budget, coefficients and clipping to ``bounds`` (its ``"nearest"`` strategy).
    pyswarms draws from NumPy's global generator, so this seeds ``np.random``."""
    import logging

    import pyswarms as ps

    logging.getLogger("pyswarms").setLevel(logging.WARNING)
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
    test on the costs (notebook B1, "Cross-check"; tests/test_pso.py).

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
                         "ours": minimize(f, box(name, d), n_particles, iters, **kw).best_cost,
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


# ----------------------------------------------------------------------------- plots
def _contour(ax, f: Objective, bounds, levels: int = 25) -> None:
    lo, hi = bounds
    g = np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120)
    A, B = np.meshgrid(*g)
    Z = f(np.c_[A.ravel(), B.ravel()]).reshape(A.shape)
    ax.contourf(A, B, np.log1p(Z), levels=levels, cmap="Greys")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")


def plot_trajectories(res: PSOResult, f: Objective, bounds, steps=None, axes=None):
    """Small multiples of a 2-D swarm (notebook B1, "Swarm dynamics"): the particles at the
    iterations ``steps`` over the log-contours of ``f``, gbest as a red cross."""
    import matplotlib.pyplot as plt

    T = len(res.positions)
    steps = list(steps) if steps is not None else sorted({0, 1, 2, 4, T // 2, T - 1})
    if axes is None:
        _, axes = plt.subplots(1, len(steps), figsize=(2.2 * len(steps), 2.4))
    for ax, t in zip(np.ravel(axes), steps):
        _contour(ax, f, bounds)
        ax.scatter(*res.positions[t].T, s=10, c="tab:blue")
        ax.scatter(*res.gbest_position[t], marker="x", s=50, c="red")
        ax.set_title(f"t = {t}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


def animate(res: PSOResult, f: Objective, bounds, path, fps: int = 4, dpi: int = 60):
    """Write the swarm's 2-D trajectory as an animated GIF at ``path`` (Pillow writer) and
    return the path (notebook B1, "Swarm dynamics"); particles leave a short trail."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig, ax = plt.subplots(figsize=(3.2, 3.2))
    _contour(ax, f, bounds)
    trail = ax.plot([], [], ".", ms=3, c="tab:blue", alpha=0.25)[0]
    dots = ax.scatter(*res.positions[0].T, s=14, c="tab:blue")
    best = ax.scatter(*res.gbest_position[0], marker="x", s=60, c="red")
    title = ax.set_title("")

    def frame(t):
        past = res.positions[max(0, t - 3):t + 1].reshape(-1, 2)
        trail.set_data(past[:, 0], past[:, 1])
        dots.set_offsets(res.positions[t])
        best.set_offsets(res.gbest_position[t][None])
        title.set_text(f"t = {t}   gbest = {res.gbest_cost[t]:.2g}")
        return trail, dots, best, title

    anim = FuncAnimation(fig, frame, frames=len(res.positions), blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    plt.close(fig)
    return path


def plot_stability(ax=None, points=(), c_max: float = 9.0):
    """The (w, c1 + c2) plane with the deterministic, order-1 and order-2 convergence regions
    (notebook B1, "Stability"); ``points`` are ``(w, c, label)`` markers or ``(w_array, c,
    label)`` segments."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(5, 3.6))[1]
    w = np.linspace(-1, 1, 401)
    for order, colour in (("order1", "#c6dbef"), ("order2", "#6baed6"), ("deterministic", "#2171b5")):
        ax.fill_between(w, 0, np.clip(limit(w, order), 0, None), color=colour, alpha=0.8,
                        label={"deterministic": "deterministic (vdB & E 2006)",
                               "order1": "order-1 (Trelea 2003; Poli 2009)",
                               "order2": "order-2 (Poli & Broomhead 2007; Poli 2009)"}[order])
    for pw, pc, label in points:
        if np.ndim(pw):
            ax.plot(pw, np.full(np.shape(pw), pc), "r-", lw=2, label=label)
        else:
            ax.plot(pw, pc, "ko", label=label)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(0, c_max)
    ax.set_xlabel("inertia w")
    ax.set_ylabel("c1 + c2")
    ax.legend(fontsize=7, loc="upper left")
    return ax
