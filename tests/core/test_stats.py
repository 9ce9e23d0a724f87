import numpy as np
import pytest

from sklearn.metrics import roc_auc_score

from deepfake_lib.core import metrics, stats


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


def test_none_from_a_results_file_counts_as_nan():
    s = stats.summarise([0.5, None, 0.7])
    assert np.isnan(s["mean"]) and s["n"] == 3 and np.isnan(s["values"][1])
    d = stats.paired_seed_difference([0.9, 0.8, None], [0.5, 0.5, 0.5])
    assert np.isnan(d["diff"]) and stats.decide(d["ci_low"], d["ci_high"]) is None


def test_t_interval_matches_scipy_and_decide_reads_it():
    from scipy import stats as st

    x = [0.71, 0.69, 0.74, 0.70]
    lo, hi = stats.t_interval(x)
    ref = st.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=st.sem(x))
    assert (lo, hi) == pytest.approx(ref)
    assert stats.decide(0.01, 0.2) is True and stats.decide(-0.2, -0.01) is False
    assert stats.decide(-0.1, 0.1) is None and stats.decide(float("nan"), 1.0) is None


def test_group_bootstrap_draws_whole_groups():
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.9, 0.8, 0.3, 0.7])
    groups = np.array(["a", "a", "b", "b", "c", "c"])
    seen = [np.sort(i) for i in stats._resamples(len(y), groups, 20, 0)]
    for idx in seen:  # every drawn group comes whole: a's rows 0 and 1 together
        assert (idx == 0).sum() == (idx == 1).sum()
    lo, hi = stats.bootstrap_metric(y, s, lambda a, b: float(np.mean(b[a == 1]) - np.mean(b[a == 0])),
                                    groups, n_boot=200)
    assert lo <= hi


def test_auc_interval_says_above_chance_only_when_the_lower_bound_is():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 60)
    separated = stats.auc_interval(y, y + rng.normal(0, 0.8, y.size), n_boot=300)
    noise = stats.auc_interval(y, rng.normal(size=y.size), n_boot=300)
    assert separated["ci_low"] > 0.5 and separated["above_chance"] is True
    assert noise["ci_low"] < 0.5 < noise["ci_high"] and noise["above_chance"] is None
    flipped = stats.auc_interval(y, -y + rng.normal(0, 0.8, y.size), n_boot=300)
    assert flipped["above_chance"] is False
    assert separated["auc"] == pytest.approx(roc_auc_score(y, y + np.random.default_rng(0).normal(0, 0.8, y.size)))


def test_mean_auc_interval_resamples_identities_and_recomputes_every_fit():
    """The seed-averaged AUC and its interval against a brute-force loop over the same
    identity resamples; with one fit it is auc_interval's interval."""
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(10), 6)
    y = np.tile([0, 1], 30)
    S = y[:, None] * 0.6 + rng.normal(size=(60, 3))
    d = stats.mean_auc_interval(y, S, groups, n_boot=200, seed=4)
    assert d["auc"] == pytest.approx(np.mean([roc_auc_score(y, S[:, j]) for j in range(3)]))
    vals = [np.mean([roc_auc_score(y[i], S[i, j]) for j in range(3)])
            for i in stats._resamples(60, groups, 200, 4) if np.unique(y[i]).size > 1]
    assert (d["ci_low"], d["ci_high"]) == pytest.approx(tuple(np.quantile(vals, [0.025, 0.975])))
    assert d["fits"] == 3 and "10 groups" in d["method"]
    one = stats.mean_auc_interval(y, S[:, :1], groups, n_boot=200, seed=4)
    ref = stats.auc_interval(y, S[:, 0], groups, n_boot=200, seed=4)
    assert (one["ci_low"], one["ci_high"]) == pytest.approx((ref["ci_low"], ref["ci_high"]))
    few = stats.mean_auc_interval(y[:12], S[:12], groups[:12], n_boot=50)
    assert np.isnan(few["ci_low"]) and few["above_chance"] is None
    with pytest.raises(ValueError, match=r"scores must have shape \(n, k\) with n = 60"):
        stats.mean_auc_interval(y, S[:, 0], groups)


def test_auc_interval_gives_no_interval_over_fewer_than_five_identities():
    y = np.repeat([0, 1], 6)
    groups = np.array(["a", "b", "c"] * 4)
    d = stats.auc_interval(y, y + 0.1 * np.arange(12), groups=groups)
    assert d["auc"] == 1.0 and np.isnan(d["ci_low"]) and d["above_chance"] is None
    assert "3 groups, fewer than 5" in d["method"]


def test_summarise_cuts_the_interval_to_the_metric_range_and_says_so():
    wide = stats.summarise([0.1, 0.9, 0.5])
    assert wide["ci_low"] < 0 and wide["ci_high"] > 1 and wide["interval"] == "t95"
    cut = stats.summarise([0.1, 0.9, 0.5], bounds=(0, 1))
    assert (cut["ci_low"], cut["ci_high"]) == (0.0, 1.0) and cut["mean"] == wide["mean"]
    assert cut["interval"] == "t95, cut to [0, 1]"
    one = stats.summarise([0.4], bounds=(0, 1))
    assert np.isnan(one["ci_low"]) and one["interval"] == "t95"


def test_learned_word_reads_the_interval_rule():
    y = np.repeat([0, 1], 20)
    groups = np.arange(40) // 2
    sure = stats.auc_interval(y, y + 0.01 * np.arange(40), groups=groups, n_boot=200)
    assert sure["above_chance"] is True and stats.learned_word(sure["above_chance"]) == "yes"
    assert stats.learned_word(False) == "no, below chance"
    assert stats.learned_word(None) == "not decided"


def test_paired_mean_auc_difference_is_the_mean_of_per_seed_differences():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 20)
    a = y[:, None] * 0.8 + rng.normal(size=(40, 3))          # informative, 3 seeds
    b = rng.normal(size=(40, 3))                              # noise
    groups = np.arange(40) // 2                               # 20 identities of 2 videos
    d = stats.paired_mean_auc_difference(y, a, b, groups, n_boot=200, seed=0)
    brute = np.mean([roc_auc_score(y, a[:, j]) - roc_auc_score(y, b[:, j]) for j in range(3)])
    assert d["diff"] == pytest.approx(brute) and d["fits"] == 3 and d["n"] == 40
    assert d["ci_low"] < d["diff"] < d["ci_high"] and d["better"] is True
    assert "20 groups" in d["method"] and d["units"] == 20
    same = stats.paired_mean_auc_difference(y, a, a, groups, n_boot=50)
    assert same["diff"] == 0 and same["ci_low"] == same["ci_high"] == 0 and same["better"] is None
    flipped = stats.paired_mean_auc_difference(y, b, a, groups, n_boot=200)
    assert flipped["diff"] == pytest.approx(-brute) and flipped["better"] is False
    with pytest.raises(ValueError, match="same seeds"):
        stats.paired_mean_auc_difference(y, a, b[:, :2], groups)
