r"""Where gbest PSO converges, and the two forms paper B's coefficients can be read in
(notebook B1, sections "Stability: where PSO converges" and "Two readings of c1 = c2 = 4").

Under stagnation (pbest and gbest fixed) the update is a linear recurrence with random
coefficients, and its moments converge only for some :math:`(w, c_1 + c_2)` (:func:`stable`):

- deterministic (every :math:`r = 1`), van den Bergh & Engelbrecht (2006):
  :math:`|w| < 1,\ 0 < c_1 + c_2 < 2(1 + w)`;
- order-1 (the mean), Trelea (2003), Poli (2009): :math:`|w| < 1,\ 0 < c_1 + c_2 < 4(1 + w)`;
- order-2 (mean and variance), Poli & Broomhead (2007), Poli (2009), for :math:`c_1 = c_2`:
  :math:`|w| < 1,\ 0 < c_1 + c_2 < \frac{24 (1 - w^2)}{7 - 5 w}`.

:func:`moment_matrix` builds the moment recurrences themselves, so the closed forms can be
checked by an eigenvalue computation.

Paper B prints the inertia form and gives :math:`c_1 = c_2 = 4` without :math:`w`. Read in
Clerc and Kennedy's constriction form instead, :math:`v \leftarrow \chi\,(v + c_1 r_1
(\text{pbest} - x) + c_2 r_2 (\text{gbest} - x))` with :math:`\varphi = c_1 + c_2 > 4` and
:math:`\chi = 2 / |2 - \varphi - \sqrt{\varphi^2 - 4 \varphi}|`, the same coefficients are
the inertia form with :math:`w = \chi` and :math:`c_i' = \chi c_i` (:func:`constriction`).

References: M. Clerc and J. Kennedy, "The particle swarm - explosion, stability, and
convergence in a multidimensional complex space", IEEE Trans. Evolutionary Computation
6(1), 2002, 58-73; the others in :mod:`deepfake_lib.paper_b.pso`.
"""

from __future__ import annotations

import numpy as np
from deepfake_lib.paper_b.pso import TEST_FUNCTIONS, box, minimize


# ----------------------------------------------------------------------------- stability
def limit(w, order: str):
    """Largest stable ``c1 + c2`` at inertia ``w`` (array-friendly) for ``order`` in
    ``"deterministic"``, ``"order1"``, ``"order2"`` (module docstring; notebook B1, section
    "Stability: where PSO converges")."""
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
    (notebook B1, section "Stability: where PSO converges"); arrays broadcast."""
    w, c = np.asarray(w, dtype=float), np.asarray(c, dtype=float)
    return (np.abs(w) < 1) & (c > 0) & (c < limit(w, order))


def moment_matrix(w: float, c1: float, c2: float, order: str = "order2") -> np.ndarray:
    r"""Linear map of the moments of :math:`y_t = x_t - p` during stagnation with
    pbest = gbest = p, where :math:`y_{t+1} = a_t y_t - w y_{t-1}`,
    :math:`a_t = 1 + w - c_1 r_1 - c_2 r_2`.

    ``order="order1"``: state :math:`(E y_t, E y_{t-1})`, matrix [2, 2].
    ``order="order2"``: state :math:`(E y_t^2, E y_t y_{t-1}, E y_{t-1}^2)`, matrix [3, 3].
    The moments converge iff the spectral radius is below 1 (:func:`spectral_radius`).
    Notebook B1, section "Stability: where PSO converges".
    """
    ea = 1 + w - (c1 + c2) / 2
    if order == "order1":
        return np.array([[ea, -w], [1.0, 0.0]])
    if order == "order2":
        ea2 = ea ** 2 + (c1 ** 2 + c2 ** 2) / 12      # E[a^2] = (E a)^2 + Var(c1 r1 + c2 r2)
        return np.array([[ea2, -2 * w * ea, w ** 2], [ea, -w, 0.0], [1.0, 0.0, 0.0]])
    raise ValueError(f"unknown order {order!r}; use 'order1' or 'order2'")


def spectral_radius(w: float, c1: float, c2: float, order: str = "order2") -> float:
    """Largest eigenvalue modulus of :func:`moment_matrix` (< 1: the moments converge;
    notebook B1, section "Stability: where PSO converges")."""
    return float(np.abs(np.linalg.eigvals(moment_matrix(w, c1, c2, order))).max())


def diameter_growth(w_values, c1: float, c2: float, n_particles: int, iters: int, seeds=range(20),
                    name: str = "sphere", **kw) -> np.ndarray:
    """Median over ``seeds`` of diameter(last iteration) / diameter(first) for each inertia in
    ``w_values`` ``(k,)`` -> ``(k,)`` (notebook B1, section "What the swarm does with the
    paper's settings");
    ``kw`` goes to :func:`minimize` (e.g. ``confine=False``)."""
    f = TEST_FUNCTIONS[name][0]
    out = []
    for w in np.asarray(w_values, dtype=float):
        ratios = [(lambda r: r.diameter[-1] / r.diameter[0])(
            minimize(f, box(name), n_particles, iters, w=float(w), c1=c1, c2=c2, seed=int(s), **kw))
            for s in seeds]
        out.append(float(np.median(ratios)))
    return np.array(out)


def constriction(c1: float, c2: float) -> dict:
    """Clerc and Kennedy's constriction factor of ``phi = c1 + c2 > 4`` and the equivalent
    inertia-form coefficients (module docstring; notebook B1, section "Two readings of
    c1 = c2 = 4").

    Returns ``{"phi", "chi", "w", "c1", "c2", "c_sum"}`` with ``w = chi``, ``c1 = chi * c1``,
    ``c2 = chi * c2``.
    """
    phi = float(c1 + c2)
    if phi <= 4:
        raise ValueError(f"the constriction form needs c1 + c2 > 4, got {phi:g}")
    chi = float(2.0 / abs(2.0 - phi - np.sqrt(phi ** 2 - 4 * phi)))
    return {"phi": phi, "chi": chi, "w": chi, "c1": chi * c1, "c2": chi * c2,
            "c_sum": chi * phi}


def readings_table(c1: float, c2: float):
    """The paper's ``c1``, ``c2`` under the inertia reading (every ``|w| < 1``) and the
    constriction reading, against the three regions (notebook B1, section "Two readings of
    c1 = c2 = 4"): one row per reading, whether it is inside each region."""
    import pandas as pd

    w = np.linspace(-1, 1, 4001)[1:-1]
    k = constriction(c1, c2)
    orders = ("deterministic", "order1", "order2")
    rows = {"inertia, any |w| < 1": {"w": "any", "c1 + c2": c1 + c2,
                                      **{o: bool(stable(w, c1 + c2, o).any()) for o in orders}},
            f"constriction, chi = {k['chi']:.4f}": {
                "w": round(k["w"], 4), "c1 + c2": round(k["c_sum"], 4),
                **{o: bool(stable(k["w"], k["c_sum"], o)) for o in orders}}}
    return pd.DataFrame(rows).T
