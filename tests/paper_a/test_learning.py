"""Does paper A's model learn, how fast, at what cost (deepfake_lib.paper_a.learning), and the
fits of an exact number of optimiser steps (deepfake_lib.paper_a.training.fit with steps)."""

import itertools

import numpy as np
import pytest

from deepfake_lib.core import stats
from deepfake_lib.core import metrics
from deepfake_lib.paper_a import ablations, learning, training


def test_video_scores_are_the_mean_of_each_videos_crops_brute_force():
    rng = np.random.default_rng(0)
    vids = rng.choice(["v3", "v1", "v2", "v7"], 40)
    label = {"v1": 0, "v2": 1, "v3": 1, "v7": 0}
    y = np.array([label[v] for v in vids])
    s = rng.random(40)
    videos, sv, yv = metrics.video_scores(s, vids, y)
    assert list(videos) == sorted(set(vids))
    for v, lab, score in zip(videos, yv, sv):
        crops = [s[i] for i in range(40) if vids[i] == v]
        assert lab == label[v] and score == pytest.approx(sum(crops) / len(crops))
    with pytest.raises(ValueError, match="different labels"):
        metrics.video_scores([0.1, 0.2], ["a", "a"], [0, 1])


def test_video_auc_ranks_videos_not_crops():
    # video a (real) has many low crops, video b (fake) one high crop: one pair, AUC 1
    s = [0.1] * 9 + [0.9, 0.2, 0.3]
    vids = ["a"] * 9 + ["b", "c", "c"]
    y = [0] * 9 + [1, 0, 0]
    out = learning.video_auc(s, vids, y, n_boot=50)
    assert out["auc"] == 1.0 and out["n"] == 3
    grouped = learning.video_auc(s, vids, y, groups={"a": "p", "b": "p", "c": "q"}, n_boot=50)
    assert grouped["n_groups"] == 2 and "groups" in grouped["method"]
    pooled = learning.video_auc_over_seeds({0: s, 1: s}, vids, y, n_boot=50)
    text = learning.video_auc_report({0: out, 1: out}, pooled).splitlines()
    assert text[0] == f"model2, seed 0: AUC 1.000 ({out['ci_low']:.3f}-{out['ci_high']:.3f}), "\
                      "3 videos of 3 identities"
    assert len(text) == 3 and text[2].startswith("mean over 2 seed(s): AUC 1.000")
    assert text[2].endswith("learned: not decided")        # three videos: no interval


def test_n_examples_counts_every_batch_brute_force():
    for n, b, steps in itertools.product((5, 8, 13), (2, 4, 8, 16), (1, 3, 7, 12)):
        seen, done = 0, 0
        while done < steps:
            for i in range(0, n, b):
                if done == steps:
                    break
                seen += len(range(n)[i:i + b])
                done += 1
        assert training.n_examples(n, b, steps) == seen, (n, b, steps)


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_a_step_budget_gives_exactly_that_many_optimiser_steps(steps):
    pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    y = np.array([0, 1] * 3)
    net = training.fresh_model("model0", "none", 32, 0.0, 1e-3, seed=0, eager=True)
    h = training.fit(net, X, y, X[:2], y[:2], epochs=99, batch_size=4, seed=0, steps=steps)
    assert len(h[training.STEP_KEY]) == steps
    assert int(np.asarray(net.optimizer.iterations)) == steps
    assert len(h["loss"]) == -(-steps // 2)      # 2 batches per epoch of 6 images


def test_units_carry_a_step_budget_split_by_the_transfer():
    runs = ablations.plan(["residual", "transfer"], [8], [0.0], 8, 0.25, n_train=100)
    todo = ablations.units(runs, 100, epochs=4, seeds=[0], steps=30)
    by = {u["name"]: u for u in todo}
    assert all("epochs" not in u for u in todo)
    assert by["model2|d0|b8|after_block"]["steps"] == 30
    moved = by["model2|d0|b8|after_block|from model0"]
    assert (moved["source_steps"], moved["steps"]) == (15, 15)


def _results(losses_by_label):
    return {ablations.config_name((m, 0.0, 8, "r")): {
        s: {"history": {training.STEP_KEY: list(v)}, "steps": len(v), "examples": 8 * len(v),
            "seconds": 1.0} for s, v in enumerate(per_seed)}
        for m, per_seed in losses_by_label.items()}


def test_loss_after_and_the_paired_difference_read_by_the_rule():
    flat = [[0.69] * 30, [0.70] * 30, [0.69] * 29 + [0.68]]
    falling = [list(np.linspace(0.7, 0.5 + 0.01 * k, 30)) for k in range(3)]
    res = _results({"model0": flat, "model2": falling})
    rows = [(m, (m, 0.0, 8, "r"), "") for m in ("model0", "model2")]
    after = learning.loss_after(res, rows, window=5)
    want = [np.mean(v[-5:]) for v in falling]
    assert after["model2"]["values"] == pytest.approx(want)
    d = learning.paired_loss_differences(after, "model0")["model2"]
    ref = stats.paired_seed_difference(want, [np.mean(v[-5:]) for v in flat])
    assert d["diff"] == pytest.approx(ref["diff"]) and d["faster"] is True
    assert learning.paired_loss_differences(after, "model2")["model0"]["faster"] is False
    curves = learning.step_curves(res, rows, window=5)
    assert curves.step.min() == 5 and curves.step.max() == 30 and set(curves.n) == {3}
    costs = learning.fit_costs(res)["model2|d0|b8|r"]
    assert costs == {"fits": 3, "steps": 90, "examples": 720, "seconds": 3.0}


def test_frame_control_scores_every_test_crop():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (12, 32, 32, 3), dtype=np.uint8)
    y = np.array([0, 1] * 6)
    assert learning.frame_control(X, y, X[:5]).shape == (5,)


def test_loss_table_and_verdict_sentence_follow_the_differences():
    after = {"model0": stats.summarise([0.69, 0.70, 0.69]),
             "model2": stats.summarise([0.60, 0.62, 0.61])}
    diffs = learning.paired_loss_differences(after, "model0")
    table = learning.loss_table(after, diffs, {"model0": 80, "model2": 80})
    assert table.loc["model0", "minus the base"] == "(base)"
    assert table.loc["model2", "faster"] is True
    assert table.loc["model0", "left ln 2 - 0.01"] == "0 of 3"     # 0.69 and 0.70 are not
    assert table.loc["model2", "left ln 2 - 0.01"] == "3 of 3"
    assert learning.left_ln2(stats.summarise([0.6831, 0.6832, 0.5])) == 2   # ln 2 - 0.01 = 0.6831
    holds, sentence = learning.faster_verdict(diffs, "model2", 80)
    assert holds is True and "80 optimiser steps" in sentence and "holds" in sentence


def test_step_loss_plot_keeps_the_axis_where_the_curves_part():
    """He kernels can start a fit far above ln 2; the plot cuts the first tenth's spike and
    says so in the axis label, and leaves an axis alone that needs no cut."""
    import matplotlib

    matplotlib.use("Agg")
    from deepfake_lib.paper_a import plots

    spike = [[8.0] * 5 + [0.69] * 95 for _ in range(3)]
    res = _results({"model0": spike, "model2": [[0.69] * 50 + [0.5] * 50] * 3})
    rows = [(m, (m, 0.0, 8, "r"), "") for m in ("model0", "model2")]
    for window in (5, 20):      # the spike inside the first tenth, wherever the curve starts
        ax = plots.plot_step_loss(learning.step_curves(res, rows, window=window)).axes[0]
        assert ax.get_ylim()[1] == pytest.approx(1.0) and "cut at 1.00" in ax.get_ylabel()
    calm = _results({"model2": [[0.69] * 50 + [0.5] * 50] * 3})
    ax = plots.plot_step_loss(learning.step_curves(calm, rows[1:], window=5)).axes[0]
    assert "cut" not in ax.get_ylabel()
