"""Tests of deepfake_lib.paper_b.pso: reproducibility, bounds, convergence, cache, rounding,
one batch per iteration, and the seed of a fitness evaluation."""

import numpy as np

from deepfake_lib.paper_b import pso

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


def test_one_batch_per_iteration_and_the_driver_draws():
    """The objective sees each iteration's new positions as one batch; the dynamics do not
    depend on how (or whether) the objective is cached."""
    batches = []

    def f(X):
        batches.append(len(X))
        return pso.sphere(X)

    res = pso.minimize(f, BOX2, 7, 5, cache=False, seed=2)
    assert batches == [7] * 5
    ref = pso.minimize(pso.sphere, BOX2, 7, 5, seed=2)
    np.testing.assert_array_equal(res.positions, ref.positions)


def test_unit_seed_depends_on_seed_and_position_only():
    a = pso.unit_seed(0, [16.0, 3.0, 2.0])
    assert a == pso.unit_seed(0, np.array([16, 3, 2])) == pso.unit_seed(0, [16.0, 3.0, -0.0 + 2])
    assert a != pso.unit_seed(1, [16, 3, 2]) and a != pso.unit_seed(0, [16, 3, 3])
    assert 0 <= a < 2 ** 31
