"""Metric identities against real confusion matrices (deepfake_lib/claims/identities.py)."""

import math

import numpy as np
import pytest

from deepfake_lib.claims import identities as I
from deepfake_lib.claims import ledger as L
from deepfake_lib.core import metrics


def _confusion(n_pos, n_neg, tp, tn):
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    pred = np.r_[np.ones(tp, int), np.zeros(n_pos - tp, int), np.zeros(tn, int), np.ones(n_neg - tn, int)]
    return metrics.binary_metrics(y, pred)


@pytest.mark.parametrize("n_pos, n_neg, tp, tn", [(300, 700, 280, 650), (500, 500, 450, 490), (90, 10, 88, 7)])
def test_identities_recover_a_real_confusion_matrix(n_pos, n_neg, tp, tn):
    m = _confusion(n_pos, n_neg, tp, tn)
    share = n_pos / (n_pos + n_neg)
    assert I.prevalence_from_accuracy(m["accuracy"], m["sensitivity"], m["specificity"]) == pytest.approx(share)
    assert I.prevalence_from_precision(m["accuracy"], m["precision"], m["recall"]) == pytest.approx(share)
    assert I.prevalence_from_f1(m["f1"], m["sensitivity"], m["specificity"]) == pytest.approx(share)
    assert I.precision_from_rates(share, m["sensitivity"], m["specificity"]) == pytest.approx(m["precision"])
    assert I.f1_from(m["precision"], m["recall"]) == pytest.approx(m["f1"])
    assert I.precision_from(m["f1"], m["recall"]) == pytest.approx(m["precision"])
    lo, hi = I.f1_interval_from_rates(100 * m["accuracy"], 100 * m["sensitivity"], 100 * m["specificity"],
                                      h=1e-6, n=3)
    assert lo == pytest.approx(100 * m["f1"], abs=1e-3) and hi == pytest.approx(100 * m["f1"], abs=1e-3)


@pytest.mark.parametrize("n_pos, n_neg, tp, tn", [(600, 300, 500, 290), (200, 800, 150, 700)])
def test_macro_averaged_metrics_give_back_the_share(n_pos, n_neg, tp, tn):
    pos, neg = _confusion(n_pos, n_neg, tp, tn), _confusion(n_neg, n_pos, tn, tp)
    acc = pos["accuracy"]
    r_macro, p_macro = (pos["recall"] + neg["recall"]) / 2, (pos["precision"] + neg["precision"]) / 2
    share = n_pos / (n_pos + n_neg)
    s, sp = I.macro_rates(acc, r_macro, share)
    assert (s, sp) == pytest.approx((pos["sensitivity"], pos["specificity"]))
    assert I.macro_precision(share, s, sp) == pytest.approx(p_macro)
    assert min(abs(I.macro_shares(acc, p_macro, r_macro, 1e-4) - share)) < 1e-3


def test_prevalence_is_nan_or_unbounded_when_sensitivity_equals_specificity():
    assert math.isnan(I.prevalence_from_accuracy(0.95, 0.95, 0.95))
    assert I.prevalence_interval(95.0, 95.0, 95.0, 0.005) == (-math.inf, math.inf)


def test_box_range_spans_the_corners():
    assert I.box_range(lambda a, b: a - b, (1.0, 0.5), (0.1, 0.1)) == pytest.approx((0.3, 0.7))


def test_paper_b_tables_are_read_from_the_ledger():
    claims = L.claims_by_id()
    t = I.PAPER_TABLES["Celeb-DF (Table 2)"]
    assert t.shape == (5, 4)
    assert t[3, 3] == claims["B.table2.celebdf.run4.f1"].value == 97.17
    assert I.PAPER_TABLES["DFDC (Table 3)"][0, 0] == claims["B.table3.dfdc.run1.accuracy"].value
    assert I.PAPER_COLUMNS == ("accuracy", "sensitivity", "specificity", "f1")


def test_run_4_of_table_2_has_no_confusion_matrix():
    """Paper B, Table 2 run 4: (97.17, 98.36, 95.24, 97.17) fits no integer test set."""
    row = I.PAPER_TABLES["Celeb-DF (Table 2)"][3]
    assert not I.implied_prevalence(*row)["consistent"]
    assert len(I.confusion_solutions(*row, n_max=300)) == 0
