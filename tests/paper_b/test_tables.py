"""Tests of deepfake_lib.paper_b.tables: the paper's Tables 2-3 come from the ledger (and agree
with the copy the metric identities keep), section 5's summaries are checked against them,
our runs are summarised with a t-interval, and the identities B3 applies recover a known
confusion matrix."""

import numpy as np
import pandas as pd
import pytest

from deepfake_lib.claims import identities
from deepfake_lib.core import stats
from deepfake_lib.paper_b import tables


def test_paper_tables_from_the_ledger():
    t2 = tables.paper_table("celebdf")
    assert t2.shape == (5, 4) and list(t2.columns) == list(tables.COLUMNS)
    assert t2.loc[1, "accuracy"] == 97.40 and t2.loc[4, "specificity"] == 95.24
    for name, rows in tables.paper_tables().items():
        np.testing.assert_array_equal(rows, identities.PAPER_TABLES[name])


def test_text_summaries_are_checked_against_the_tables():
    df = tables.text_against_tables()
    assert len(df) == 8 and df["agrees"].dtype == bool
    row = df.loc[("Celeb-DF (Table 2)", "accuracy")]
    assert (row["text_low"], row["text_high"], row["text_mean"]) == (97.12, 97.4, 97.26)
    assert row["table_min"] == 97.12 and row["agrees"]
    assert pd.isna(df.loc[("DFDC (Table 3)", "f1"), "text_mean"])


def test_summary_rows_use_the_t_interval_over_runs():
    df = pd.DataFrame({"accuracy": [90.0, 92.0, 91.0, 93.0, 94.0]})
    table, s = tables.with_summary(df)
    lo, hi = stats.t_interval(df["accuracy"].to_numpy())
    assert s["accuracy"]["ci_low"] == pytest.approx(lo) and s["accuracy"]["ci_high"] == pytest.approx(hi)
    assert table.loc["95% CI", "accuracy"] == f"{lo:.2f}-{hi:.2f}"
    assert table.loc["mean ± sd", "accuracy"].startswith("92.00 ± 1.58")


def test_mean_claims_and_dataset_share_from_the_ledger():
    assert tables.claim_value("B.sec5.celebdf.accuracy_mean") == 97.26
    assert tables.claim_value("B.sec5.dfdc.accuracy_mean") == 94.2
    share = tables.dataset_fake_share()
    assert share["fake"] == 5639 and share["share"] == pytest.approx(5639 / 6229)


def test_consistency_checks_recover_a_true_confusion_matrix():
    from deepfake_lib.core import metrics

    y = np.array([1] * 70 + [0] * 50)
    p = y.copy()
    p[:4] = 0                                                      # 4 false negatives
    p[70:73] = 1                                                   # 3 false positives
    m = metrics.binary_metrics(y, p)
    row = [round(100 * m[k], 2) for k in ("accuracy", "sensitivity", "specificity", "f1")]
    pr = identities.implied_prevalence(*row)
    assert pr["consistent"]
    assert pr["from_f1"][0] - 1e-3 <= 70 / 120 <= pr["from_f1"][1] + 1e-3
    sol = identities.confusion_solutions(*row, n_max=200)
    assert (70, 50, 66, 47) in set(map(tuple, sol.tolist()))
    bad = [row[0] + 1.0] + row[1:]                                 # accuracy off by one point
    assert not identities.implied_prevalence(*bad)["consistent"]
    assert len(identities.confusion_solutions(*bad, n_max=200)) == 0
