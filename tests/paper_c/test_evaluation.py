"""Paper C's splits (stratified 7:3 by frames, video-disjoint), the seed x system grid
through map_units (results independent of order and of what ran before), and the rankings."""

import json

import numpy as np
import pytest

pytest.importorskip("keras")

from deepfake_lib.paper_c import evaluation

from paper_c.toy_sequences import F, T, make_toy


def test_frame_split_is_the_papers_7_3_per_class_and_leaks_videos():
    mask = np.ones((30, 10), bool)
    mask[0, 5:] = False
    y = (np.arange(30) % 3 != 0).astype(int)              # 1 real : 2 fake, as the paper
    tr, te = evaluation.frame_split(mask, y, 0.7, seed=0)
    assert not (tr & te).any() and ((tr | te) == mask).all()
    for c in (0, 1):
        n_c = mask[y == c].sum()
        assert tr[y == c].sum() == round(0.7 * n_c)       # 7:3 within each class
    assert evaluation.leaked_test_frames(tr, te) > 0.9 * te.sum()


def test_frame_split_per_class_matches_the_papers_counts():
    """1,000 real and 2,000 fake videos x 30 frames -> 21,000/42,000 train, 9,000/18,000 test."""
    y = np.r_[np.zeros(1000, int), np.ones(2000, int)]
    mask = np.ones((3000, 30), bool)
    tr, te = evaluation.frame_split(mask, y, 0.7, seed=1)
    assert [int(tr[y == 0].sum()), int(tr[y == 1].sum()), int(te[y == 0].sum()), int(te[y == 1].sum())] \
        == [21000, 42000, 9000, 18000]


def test_video_split_is_video_disjoint():
    mask = np.ones((4, 3), bool)
    tr, te = evaluation.video_split(mask, np.array(["train", "val", "test", "test"]))
    assert tr[:2].all() and not tr[2:].any() and te[2:].all()
    assert evaluation.leaked_test_frames(tr, te) == 0


def _grid(order, systems):
    feats, mask, y = make_toy(n=16)
    masks = {"frame": evaluation.frame_split(mask, y, 0.7, 0),
             "video": evaluation.video_split(mask, np.array(["train"] * 10 + ["test"] * 6))}
    units = evaluation.grid_units(["video", "frame"], [0, 1], systems=systems, epochs=2, units=4)[:3]
    out = evaluation.run_grid([units[i] for i in order], feats, y, masks)
    return [out[order.index(i)] for i in range(len(units))]


def test_grid_results_do_not_depend_on_order_or_on_what_ran_before():
    from deepfake_lib.paper_c import heads

    systems = ["xception", "bilstm_crf"]
    heads._TRAINERS.clear()
    fresh = _grid([0, 1, 2], systems)
    again = _grid([2, 0, 1], systems)            # another order, with the models of the first grid warm
    for r in fresh + again:                      # seconds are timings; steps and examples are not
        assert set(r["cost"]) == {"xception", "bilstm", "bilstm_crf"}
        for c in r["cost"].values():
            assert c.pop("seconds") >= 0
    assert json.dumps(fresh) == json.dumps(again)
    assert list(fresh[0]["systems"]) == systems and fresh[0]["unit"]["seed"] == 0


def test_grid_unit_is_json_and_two_stage_crf_uses_the_units_bilstm():
    feats, mask, y = make_toy(n=16)
    masks = {"video": evaluation.video_split(mask, np.array(["train"] * 10 + ["test"] * 6))}
    unit = evaluation.grid_units(["video"], [0], systems=["bilstm_crf"], epochs=2, units=4)[0]
    json.dumps(unit)
    r = evaluation.fit_unit(unit, {"feats": feats, "y": y, "masks": masks})
    json.dumps(r)
    assert list(r["systems"]) == ["bilstm_crf"]         # its BiLSTM is trained, not reported
    d = r["systems"]["bilstm_crf"]["frame"]
    assert len(d["y"]) == len(d["score"]) == len(d["group"]) == int(masks["video"][1].sum())
    assert set(d["group"]) == set(range(10, 16))


def _scores(y, s, pred=None, groups=None):
    y = np.asarray(y)
    return {"y": y, "score": np.asarray(s, float), "pred": np.asarray(pred if pred is not None else (np.asarray(s) > .5)),
            "group": np.arange(len(y)) if groups is None else np.asarray(groups)}


def test_auc_ranking_pairs_the_same_examples_and_resamples_videos():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(40) % 2, 5)
    g = np.repeat(np.arange(40), 5)
    good = _scores(y, y + rng.normal(0, .5, y.size), groups=g)
    weak = _scores(y, y + rng.normal(0, 3, y.size), groups=g)
    r = evaluation.auc_ranking(good, weak, n_boot=200)
    assert r["holds"] is True and r["above_chance"] and "test videos" in r["method"]
    assert evaluation.auc_ranking(weak, good, n_boot=200)["holds"] is False
    noise = [_scores(y, rng.random(y.size), groups=g) for _ in range(2)]
    assert evaluation.auc_ranking(*noise, n_boot=200)["holds"] is None     # neither beats chance
    with pytest.raises(ValueError, match="same test examples"):
        evaluation.auc_ranking(good, _scores(y[::-1], good["score"], groups=g))


def test_best_kernel_verdict():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(60) % 2, 4)
    g = np.repeat(np.arange(60), 4)

    def system(noise):
        s = y + rng.normal(0, noise, y.size)
        return _scores(y, s, s > .5, g)

    clear = {"3": system(0.3), "5": system(1.5), "7": system(2.0), "3+5": system(1.5)}
    r = evaluation.best_kernel(clear, n_boot=200)
    assert r["holds"] is True and set(r["differences"]) == {"3 - 5", "3 - 7", "3 - 3+5"}
    worse = {"3": system(2.0), "5": system(0.3), "7": system(2.0), "3+5": system(2.0)}
    assert evaluation.best_kernel(worse, n_boot=200)["holds"] is False
    chance = {k: _scores(y, rng.random(y.size), None, g) for k in ("3", "5")}
    assert evaluation.best_kernel(chance, n_boot=200)["holds"] is None


def test_frame_difference_baseline_sees_jitter_and_not_noise():
    rng = np.random.default_rng(0)
    n = 40
    y = np.arange(n) % 2
    base = rng.normal(size=(n, 1, F))
    jitter = rng.normal(size=(n, T, F)) * (0.05 + 0.5 * y[:, None, None])   # fakes flicker
    mask = np.ones((n, T), bool)
    tr, te = np.arange(n) < 24, np.arange(n) >= 24
    assert evaluation.frame_difference_auc(base + jitter, mask, y, tr, te) > 0.9
    same = base + rng.normal(size=(n, T, F)) * 0.3                            # no label signal
    assert 0.2 < evaluation.frame_difference_auc(same, mask, y, tr, te) < 0.8


def test_count_ties():
    t = evaluation.count_ties(np.array([1.0, 1.0, 1.0, 0.5, 0.2, 0.2]))
    assert t == {"tied_videos": 5, "tied_pairs": 4, "distinct": 3, "videos": 6}
    assert evaluation.count_ties(np.arange(4.0))["tied_pairs"] == 0


def test_fit_costs_sum_over_units():
    grid = [{"cost": {"bilstm": {"steps": 10, "examples": 40, "seconds": 1.0}}},
            {"cost": {"bilstm": {"steps": 10, "examples": 40, "seconds": 3.0},
                      "xception": {"steps": 5, "examples": 20, "seconds": 0.5}}}]
    c = evaluation.fit_costs(grid)
    assert c["bilstm"] == {"fits": 2, "steps": 20, "examples": 80, "seconds": 4.0}
    assert c["xception"]["fits"] == 1


def test_validation_choice_never_reads_test_videos():
    """Changing the test videos' features (or their labels) changes nothing: the choice is
    made on the validation videos alone."""
    from paper_c.toy_sequences import make_toy

    feats, mask, y = make_toy(2, n=12)
    splits = np.array(["train"] * 6 + ["val"] * 3 + ["test"] * 3)
    a = evaluation.validation_choice({"toy": feats}, mask, y, splits, epochs=2, units=4,
                                     n_boot=20)
    f2, y2 = feats.copy(), y.copy()
    f2[9:] = 100.0
    y2[9:] = 1 - y2[9:]
    b = evaluation.validation_choice({"toy": f2}, mask, y2, splits, epochs=2, units=4,
                                     n_boot=20)
    assert a["toy"]["n"] == 3 and len(a["toy"]["loss"]) == 2
    np.testing.assert_allclose(a["toy"]["auc"], b["toy"]["auc"])
    np.testing.assert_allclose(a["toy"]["loss"], b["toy"]["loss"], rtol=1e-5)


def test_identity_folds_test_every_video_once_and_never_train_on_its_fold():
    rng = np.random.default_rng(0)
    mask = rng.random((12, 5)) < 0.8
    mask[:, 0] = True
    folds = np.array([0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, -1])
    splits = evaluation.fold_splits(mask, folds)
    assert sorted(splits) == ["fold0", "fold1", "fold2"]
    tested = np.zeros(12, int)
    for k, (tr, te) in ((int(n[4:]), v) for n, v in splits.items()):
        assert not (tr & te).any() and ((tr | te) == mask).all()
        assert (te.any(axis=1) == (folds == k)).all()          # tests exactly fold k
        assert not tr[folds == k].any()                         # never trains on it
        tested += te.any(axis=1)
    assert tested.tolist() == [1] * 11 + [0]                   # no fold: never tested
    with pytest.raises(ValueError, match="a fold per video"):
        evaluation.fold_splits(mask, np.full(12, -1))


def test_out_of_fold_stacks_each_video_once_in_video_order():
    scores = {("fold0", 0, "bilstm", "video"): {"y": [1, 0], "score": [0.5, -2.0], "group": [3, 0]},
              ("fold1", 0, "bilstm", "video"): {"y": [1], "score": [4.0], "group": [1]}}
    d = evaluation.out_of_fold(scores, ["fold0", "fold1"], 0, "bilstm")
    assert d["video"].tolist() == [0, 1, 3] and d["y"].tolist() == [0, 1, 1]
    assert d["score"].tolist() == [-2.0, 4.0, 0.5]
    scores[("fold1", 0, "bilstm", "video")]["group"] = [3]
    with pytest.raises(ValueError, match="more than one fold"):
        evaluation.out_of_fold(scores, ["fold0", "fold1"], 0, "bilstm")
