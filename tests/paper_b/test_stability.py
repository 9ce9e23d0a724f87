"""Tests of deepfake_lib.paper_b.stability: closed-form regions against the eigenvalues of the
moment recurrences, the paper's c1 = c2 = 4 under both readings, the constriction factor."""

import numpy as np
import pytest

from deepfake_lib.paper_b import stability


@pytest.mark.parametrize("order", ["order1", "order2"])
def test_closed_form_stability_matches_moment_eigenvalues(order):
    for w in np.linspace(-0.95, 0.95, 39):
        for c in np.linspace(0.05, 8.0, 40):
            closed = bool(stability.stable(w, c, order))
            rho = stability.spectral_radius(w, c / 2, c / 2, order)
            if abs(rho - 1) > 1e-6:                              # skip points on the boundary
                assert closed == (rho < 1), (w, c, rho)


def test_paper_settings_outside_every_region():
    w = np.linspace(-1, 1, 2001)
    for order in ("deterministic", "order1", "order2"):
        assert not stability.stable(w, 8.0, order).any()
    assert stability.stable(0.7298, 2 * 1.49618, "order2")             # the usual constriction point


def test_constriction_of_the_paper_coefficients():
    k = stability.constriction(4, 4)
    assert k["chi"] == pytest.approx(0.171573, abs=1e-6)           # 2 / (6 + sqrt 32)
    assert k["w"] == pytest.approx(0.1716, abs=1e-4) and k["c_sum"] == pytest.approx(1.3726, abs=1e-4)
    for order in ("deterministic", "order1", "order2"):
        assert stability.stable(k["w"], k["c_sum"], order)
    usual = stability.constriction(2.05, 2.05)                     # Clerc and Kennedy's phi = 4.1
    assert usual["chi"] == pytest.approx(0.7298, abs=1e-4) and usual["c1"] == pytest.approx(1.4962, abs=1e-4)
    with pytest.raises(ValueError, match="c1 \\+ c2 > 4"):
        stability.constriction(1.5, 1.5)


def test_readings_table_shows_both_readings():
    t = stability.readings_table(4.0, 4.0)
    assert not t.iloc[0][["deterministic", "order1", "order2"]].any()
    assert t.iloc[1][["deterministic", "order1", "order2"]].all()
