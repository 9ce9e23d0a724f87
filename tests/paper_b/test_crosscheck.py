"""Tests of deepfake_lib.paper_b.crosscheck: our PSO equals pyswarms 1.3.0 step for step on
shared random draws, and the two give the same distribution of optima from their own."""

import numpy as np
import pytest

from deepfake_lib.paper_b import crosscheck, pso


@pytest.mark.parametrize("name", list(pso.TEST_FUNCTIONS))
@pytest.mark.parametrize("coeffs", [(0.7298, 1.49618, 1.49618), (0.7, 4.0, 4.0)],
                         ids=["constriction", "paper"])
def test_identical_to_pyswarms_step_for_step(name, coeffs):
    pytest.importorskip("pyswarms")
    w, c1, c2 = coeffs
    r = crosscheck.step_for_step(pso.TEST_FUNCTIONS[name][0], pso.box(name, 4), 15, 25,
                                 w=w, c1=c1, c2=c2, seed=7)
    assert r["ours"].shape == r["pyswarms"].shape == (25, 15, 4)
    assert r["max_abs_diff"] == 0.0
    assert r["best_cost"][0] == r["best_cost"][1]
    assert not np.allclose(r["ours"][0], r["ours"][-1])             # the swarm did move


def test_cross_check_against_pyswarms():
    pytest.importorskip("pyswarms")
    runs, summary = crosscheck.cross_check(d=5, n_particles=20, iters=100, seeds=range(8))
    assert summary.loc["sphere", "median_ours"] < 1e-4
    assert summary.loc["sphere", "median_pyswarms"] < 1e-4
    ratio = summary["median_ours"] / summary["median_pyswarms"]
    assert ((ratio > 0.1) & (ratio < 10)).all(), summary
    assert (summary["mannwhitney_p"] > 0.01).all(), summary     # same distribution of optima
    assert summary["comparable"].all()
