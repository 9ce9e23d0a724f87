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
(the paper: "random numbers ranging from 0 to 1"; per-dimension draws are the usual reading and
the one pyswarms uses). :math:`w` is the inertia, :math:`c_1` the cognitive and :math:`c_2`
the social coefficient. Paper B uses a swarm of 15, 8 iterations and :math:`c_1 = c_2 = 4`,
and does not state :math:`w`.

The swarm is synchronous, as the paper's steps read: all particles of one iteration are
evaluated as one batch (the objective receives them together; notebook B2 sends them
through :func:`deepfake_lib.core.dispatch.map_units`), then pbest and gbest are updated and
the driver alone draws :math:`r_1, r_2` and moves the swarm. An evaluation depends on its
rounded position only (:func:`unit_seed`), so the order in which a batch is run changes
nothing.

Three practical additions, each optional and each shown in notebook B1:

- **bounds**: positions are clipped to the box after each move (pyswarms' ``"nearest"``);
- **velocity clamping**: :math:`v \leftarrow \operatorname{clip}(v, -v_{\max}, v_{\max})`;
- **integer dimensions** (number of filters, kernel size, stride): the particle moves in
  :math:`\mathbb{R}^d` and is *evaluated* at its rounded position. A fitness cache keyed on
  that rounded position means a configuration is trained once, however often particles land
  on it; hits are counted.

Stability (where the moments of the swarm converge, and the constriction reading of the
paper's coefficients) is in :mod:`deepfake_lib.paper_b.stability`; the pyswarms cross-check
in :mod:`deepfake_lib.paper_b.crosscheck`; the plots in :mod:`deepfake_lib.paper_b.plots`.

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
>>> from deepfake_lib.paper_b import pso
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

Objective = Callable[[np.ndarray], np.ndarray]


# ----------------------------------------------------------------------------- test functions
def sphere(X: np.ndarray) -> np.ndarray:
    r"""Sphere :math:`f(x) = \sum_j x_j^2`; minimum 0 at the origin. ``X`` ``(n, d)`` ->
    ``(n,)``. Notebook B1, section "Swarm dynamics on test functions"."""
    X = np.atleast_2d(X)
    return (X ** 2).sum(axis=1)


def rastrigin(X: np.ndarray) -> np.ndarray:
    r"""Rastrigin :math:`10 d + \sum_j (x_j^2 - 10 \cos 2\pi x_j)`; minimum 0 at the origin,
    a grid of local minima around it. ``X`` ``(n, d)`` -> ``(n,)``. Notebook B1, section
    "Swarm dynamics on test functions"."""
    X = np.atleast_2d(X)
    return 10 * X.shape[1] + (X ** 2 - 10 * np.cos(2 * np.pi * X)).sum(axis=1)


def rosenbrock(X: np.ndarray) -> np.ndarray:
    r"""Rosenbrock :math:`\sum_j 100 (x_{j+1} - x_j^2)^2 + (1 - x_j)^2`; minimum 0 at
    :math:`(1, \dots, 1)`, at the end of a long curved valley. ``X`` ``(n, d)`` -> ``(n,)``.
    Notebook B1, section "Swarm dynamics on test functions"."""
    X = np.atleast_2d(X)
    return (100 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (1 - X[:, :-1]) ** 2).sum(axis=1)


#: name -> (function, half-width of the usual search box, position of the minimum for d dims)
TEST_FUNCTIONS: dict[str, tuple[Objective, float, Callable[[int], np.ndarray]]] = {
    "sphere": (sphere, 5.12, np.zeros),
    "rastrigin": (rastrigin, 5.12, np.zeros),
    "rosenbrock": (rosenbrock, 2.048, np.ones),
}


def box(name: str, d: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The usual search box ``(lower (d,), upper (d,))`` of a test function in ``d`` dims
    (notebook B1, section "Swarm dynamics on test functions")."""
    half = TEST_FUNCTIONS[name][1]
    return np.full(d, -half), np.full(d, half)


# ----------------------------------------------------------------------------- the update
def velocity_update(v: np.ndarray, x: np.ndarray, pbest: np.ndarray, gbest: np.ndarray,
                    w: float, c1: float, c2: float, r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    r"""Paper B's velocity update for the whole swarm at once (notebook B1, "The update").

    :math:`v_{t+1} = w v_t + c_1 r_1 (\text{pbest} - x_t) + c_2 r_2 (\text{gbest} - x_t)`.

    Parameters
    ----------
    v, x, pbest, r1, r2 : ndarray ``(n, d)``
        Velocities, positions, personal bests and the two uniform draws.
    gbest : ndarray ``(d,)``
        Global best position (broadcast over particles).
    w, c1, c2 : float
        Inertia, cognitive and social coefficients.

    Returns
    -------
    ndarray ``(n, d)``
    """
    return w * v + c1 * r1 * (pbest - x) + c2 * r2 * (gbest - x)


def velocity_update_loop(v, x, pbest, gbest, w, c1, c2, r1, r2) -> np.ndarray:
    """The same update, one particle at a time in Python (the benchmark's baseline;
    notebook B1, section "The update")."""
    out = np.empty_like(v)
    for i in range(v.shape[0]):
        out[i] = w * v[i] + c1 * r1[i] * (pbest[i] - x[i]) + c2 * r2[i] * (gbest - x[i])
    return out


def diameter(X: np.ndarray) -> float:
    """Swarm diameter: the largest distance between two particles. ``X`` ``(n, d)`` ->
    float. Notebook B1, section "Swarm dynamics on test functions"."""
    from scipy.spatial.distance import pdist

    return float(pdist(X).max()) if len(X) > 1 else 0.0


# ----------------------------------------------------------------------------- fitness cache
class FitnessCache:
    """Cost of each evaluated (rounded) position, so a configuration is evaluated once.

    Keys are the rounded positions as tuples of Python floats. ``hits`` counts requests
    answered from the cache (including repeats within one batch), ``misses`` the rows
    actually passed to the objective. The objective must give the same cost for the same
    position whenever it is asked (:func:`unit_seed`), so a cached cost is the cost a new
    evaluation would give. Notebook B2, section "PSO over the CNN-RNN".
    """

    def __init__(self) -> None:
        self.store: dict[tuple, float] = {}
        self.hits = 0
        self.misses = 0

    def __call__(self, objective: Objective, X: np.ndarray) -> np.ndarray:
        """Costs ``(m,)`` of rounded positions ``X`` ``(m, d)``; only unseen rows, in order of
        first appearance, reach ``objective``, as one batch."""
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
    """What :func:`minimize` returns (notebook B1, section "Swarm dynamics on test
    functions"); ``T`` = iterations, ``n`` = particles, ``d`` = dimensions.

    Attributes
    ----------
    best_position : ndarray ``(d,)``
        Best position found, as evaluated (integer dimensions rounded).
    best_cost : float
    positions : ndarray ``(T, n, d)``
        Positions at each evaluation (continuous, before rounding).
    costs : ndarray ``(T, n)``
        Cost of each particle at each evaluation.
    gbest_cost : ndarray ``(T,)``
        Global best cost after each evaluation (non-increasing).
    gbest_position : ndarray ``(T, d)``
    diameter : ndarray ``(T,)``
        Swarm diameter at each evaluation (see :func:`diameter`).
    speed : ndarray ``(T,)``
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
    """Positions ``X`` ``(n, d)`` with the ``integer`` dimensions (bool mask ``(d,)``)
    rounded to the nearest integer and, if ``bounds`` are given, kept inside them (notebook
    B2, section "PSO over the CNN-RNN")."""
    X = np.array(X, dtype=float, copy=True)
    if integer is not None and np.any(integer):
        X[:, integer] = np.rint(X[:, integer])
        if bounds is not None:
            lo, hi = (np.asarray(b, dtype=float) for b in bounds)
            X[:, integer] = np.clip(X[:, integer], np.ceil(lo[integer]), np.floor(hi[integer]))
    return X


def unit_seed(seed: int, position) -> int:
    """The seed of one fitness evaluation: a digest of the run's ``seed`` and the rounded
    ``position`` alone, never of the worker, the particle's index or the iteration
    (notebook B2, section "PSO over the CNN-RNN"). In ``[0, 2**31)``."""
    import hashlib
    import json

    pos = [round(float(v), 6) + 0.0 for v in np.asarray(position, dtype=float).ravel()]
    text = json.dumps({"seed": int(seed), "position": pos})
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 2 ** 31


def minimize(objective: Objective, bounds: tuple[np.ndarray, np.ndarray], n_particles: int = 15,
             iters: int = 8, *, w: float = 0.7298, c1: float = 1.49618, c2: float = 1.49618,
             v_max: float | np.ndarray | None = None, confine: bool = True,
             integer: np.ndarray | list[int] | None = None, cache: bool = True,
             seed: int = 0, rng=None) -> PSOResult:
    """Minimise ``objective`` with gbest PSO (notebook B1, section "Swarm dynamics on test
    functions"; paper B, section 4.2.2).

    Each of the ``iters`` iterations evaluates the whole swarm, updates pbest and gbest, then
    moves every particle with :func:`velocity_update`. Velocities start at zero; positions
    start uniform in ``bounds``.

    Parameters
    ----------
    objective : callable
        ``f(X (m, d)) -> costs (m,)`` (lower is better), called once per iteration with
        the positions to evaluate. Paper B maximises validation accuracy: pass
        ``1 - accuracy``.
    bounds : (ndarray ``(d,)``, ndarray ``(d,)``)
        Lower and upper corners of the search box (the initialisation box when ``confine``
        is False).
    n_particles, iters : int
        Swarm size and number of swarm evaluations (paper B: 15 and 8).
    w, c1, c2 : float
        Inertia, cognitive, social coefficients. The defaults are Clerc & Kennedy's
        constriction-equivalent values (0.7298, 1.49618, 1.49618); paper B uses c1 = c2 = 4.
    v_max : float or ndarray ``(d,)``, optional
        Velocity clamp; ``None`` = no clamping.
    confine : bool
        Clip positions to ``bounds`` after each move.
    integer : bool mask ``(d,)`` or list of indices, optional
        Dimensions evaluated at their rounded value.
    cache : bool
        Evaluate each rounded position once (:class:`FitnessCache`).
    seed : int
        Seed of the ``np.random.default_rng`` generator used for initialisation and r1, r2.
    rng : numpy Generator or RandomState, optional
        The generator to draw from instead (its ``random(shape)`` is called for the start
        positions, then for r1 and r2 together each iteration); the pyswarms step-for-step
        check passes a ``RandomState`` shared with pyswarms.

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
    rng = np.random.default_rng(seed) if rng is None else rng
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
