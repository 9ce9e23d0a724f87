"""Tests of deepfake_lib.pso: reproducibility, bounds, convergence, cache, rounding,
stability closed forms against eigenvalues, and a statistical cross-check with pyswarms."""

import numpy as np
import pytest

from deepfake_lib import pso

BOX2 = pso.box("sphere", 2)


def test_reproducible_by_seed():
    a = pso.minimize(pso.rastrigin, BOX2, 10, 20, seed=3)
    b = pso.minimize(pso.rastrigin, BOX2, 10, 20, seed=3)
    c = pso.minimize(pso.rastrigin, BOX2, 10, 20, seed=4)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.best_cost == b.best_cost
    assert not np.array_equal(a.positions, c.positions)


def test_respects_bounds_even_with_divergent_coefficients():
    lo, hi = np.array([-1.0, 0.0, 2.0]), np.array([1.0, 5.0, 3.0])
    res = pso.minimize(lambda X: -X.sum(1), (lo, hi), 15, 30, w=0.9, c1=4, c2=4, seed=0)
    assert np.all(res.positions >= lo) and np.all(res.positions <= hi)
    np.testing.assert_allclose(res.best_position, hi)          # the maximum of sum is a corner


def test_unconfined_paper_settings_diverge():
    res = pso.minimize(pso.sphere, BOX2, 15, 30, w=0.7, c1=4, c2=4, confine=False, seed=0)
    assert res.diameter[-1] > 100 * res.diameter[0]


def test_velocity_clamp_bounds_speed():
    res = pso.minimize(pso.sphere, BOX2, 15, 30, w=0.7, c1=4, c2=4, confine=False,
                       v_max=0.5, seed=0)
    assert res.speed.max() <= 0.5 * np.sqrt(2) + 1e-12


def test_finds_sphere_minimum():
    res = pso.minimize(pso.sphere, pso.box("sphere", 3), 20, 80, seed=0)
    assert res.best_cost < 1e-6
    np.testing.assert_allclose(res.best_position, 0, atol=1e-3)
    assert np.all(np.diff(res.gbest_cost) <= 0)                # gbest never gets worse


def test_cache_counts_hits_and_integer_rounding():
    seen = []

    def f(X):
        seen.extend(map(tuple, X))
        return ((X - np.array([7, 3])) ** 2).sum(1)

    lo, hi = np.array([0.0, 0.0]), np.array([10.0, 6.0])
    res = pso.minimize(f, (lo, hi), 15, 10, integer=[0, 1], seed=1)
    pts = np.array(seen)
    np.testing.assert_array_equal(pts, np.rint(pts))            # objective saw integers only
    assert len(set(seen)) == len(seen) == res.n_evaluations     # each point evaluated once
    assert res.n_evaluations + res.cache_hits == res.n_requests == 150
    assert res.cache_hits > 0
    np.testing.assert_array_equal(res.best_position, [7, 3])
    nocache = pso.minimize(f, (lo, hi), 15, 10, integer=[0, 1], cache=False, seed=1)
    assert nocache.n_evaluations == 150 and nocache.cache_hits == 0
    np.testing.assert_array_equal(nocache.positions, res.positions)  # cache changes no dynamics


def test_cache_mixed_dims_rounds_only_integer_ones():
    X = pso.rounded(np.array([[1.4, 2.6, 0.33]]), np.array([True, False, True]))
    np.testing.assert_array_equal(X, [[1.0, 2.6, 0.0]])
    cache = pso.FitnessCache()
    out = cache(pso.sphere, np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]]))
    np.testing.assert_array_equal(out, [5.0, 5.0, 1.0])
    assert (cache.hits, cache.misses) == (1, 2)


def test_vectorised_update_equals_loop():
    rng = np.random.default_rng(0)
    v, x, p, r1, r2 = rng.random((5, 7, 3))
    g = rng.random(3)
    np.testing.assert_allclose(pso.velocity_update(v, x, p, g, 0.7, 1.5, 2.0, r1, r2),
                               pso.velocity_update_loop(v, x, p, g, 0.7, 1.5, 2.0, r1, r2))


@pytest.mark.parametrize("order", ["order1", "order2"])
def test_closed_form_stability_matches_moment_eigenvalues(order):
    for w in np.linspace(-0.95, 0.95, 39):
        for c in np.linspace(0.05, 8.0, 40):
            closed = bool(pso.stable(w, c, order))
            rho = pso.spectral_radius(w, c / 2, c / 2, order)
            if abs(rho - 1) > 1e-6:                              # skip points on the boundary
                assert closed == (rho < 1), (w, c, rho)


def test_paper_settings_outside_every_region():
    w = np.linspace(-1, 1, 2001)
    for order in ("deterministic", "order1", "order2"):
        assert not pso.stable(w, 8.0, order).any()
    assert pso.stable(0.7298, 2 * 1.49618, "order2")             # the usual constriction point


def test_cross_check_against_pyswarms():
    pytest.importorskip("pyswarms")
    runs, summary = pso.cross_check(d=5, n_particles=20, iters=100, seeds=range(8))
    assert summary.loc["sphere", "median_ours"] < 1e-4
    assert summary.loc["sphere", "median_pyswarms"] < 1e-4
    ratio = summary["median_ours"] / summary["median_pyswarms"]
    assert ((ratio > 0.1) & (ratio < 10)).all(), summary
    assert (summary["mannwhitney_p"] > 0.01).all(), summary     # same distribution of optima
    assert summary["comparable"].all()
