import numpy as np
import pytest

from deepfake_lib import metrics, stats


def test_mean_sd_matches_numpy():
    x = [0.9, 0.8, 0.85]
    m, s = stats.mean_sd(x)
    assert m == pytest.approx(np.mean(x)) and s == pytest.approx(np.std(x, ddof=1))
    assert stats.mean_sd([0.5]) == (0.5, 0.0)


def test_bootstrap_ci_contains_mean_and_is_seeded():
    x = np.random.default_rng(0).normal(1.0, 0.1, 50)
    lo, hi = stats.bootstrap_ci(x, seed=1)
    assert lo < x.mean() < hi and hi - lo < 0.1
    assert stats.bootstrap_ci(x, seed=1) == (lo, hi)
    assert stats.bootstrap_ci([0.7]) == (0.7, 0.7)


def test_binary_metrics_against_sklearn():
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    m = metrics.binary_metrics(y, p)
    assert m["accuracy"] == pytest.approx(accuracy_score(y, p))
    assert m["precision"] == pytest.approx(precision_score(y, p))
    assert m["recall"] == pytest.approx(recall_score(y, p))
    assert m["specificity"] == pytest.approx(recall_score(1 - y, 1 - p))
    assert m["f1"] == pytest.approx(f1_score(y, p))


def test_eer_of_perfect_and_random_scores():
    y = np.array([0, 0, 1, 1])
    assert metrics.eer(y, np.array([0.1, 0.2, 0.8, 0.9])) == 0.0
    s = metrics.score_metrics(y, np.array([0.1, 0.2, 0.8, 0.9]))
    assert s["auc"] == 1.0 and s["ap"] == 1.0
    assert np.isnan(metrics.score_metrics(np.array([1, 1]), np.array([0.2, 0.3]))["auc"])
