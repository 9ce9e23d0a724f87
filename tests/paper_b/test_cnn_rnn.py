"""Tests of deepfake_lib.paper_b.cnn_rnn: search space, the model (a series of convolution and
pooling blocks, every weight gets a gradient, no NaN), separable against ordinary parameter
counts, and the PSO fitness as dispatched units: the same cost for a position whatever the
batch it comes in, its order or the evaluations before it; and deepfake_lib.paper_b.folds:
identity folds, out-of-fold scores, tuned against untuned."""

import json

import numpy as np
import pytest

from deepfake_lib.core import metrics, results
from deepfake_lib.paper_b import cnn_rnn
from deepfake_lib.paper_b import folds as fold_lib
from deepfake_lib.paper_b.clips import ClipSet

T, S = 3, 16


def test_decode_covers_the_paper_ranges_and_labels_the_book_ones():
    lo, hi = cnn_rnn.space_bounds()
    assert cnn_rnn.decode(lo)["filters"] == 16 and cnn_rnn.decode(hi)["filters"] == 64
    assert (cnn_rnn.decode(lo)["kernel"], cnn_rnn.decode(hi)["kernel"]) == (3, 6)
    assert (cnn_rnn.decode(lo)["stride"], cnn_rnn.decode(hi)["stride"]) == (2, 4)
    assert cnn_rnn.decode(hi)["cnn_activation"] in cnn_rnn.CNN_ACTIVATIONS
    table = cnn_rnn.space_table()
    assert table.loc[["filters", "kernel", "stride"], "range from"].eq("paper").all()
    assert table["range from"].eq("book").sum() == 5               # L, A, R, M, B


CONFIGS = [
    dict(filters=16, kernel=3, stride=2, conv_layers=1, cnn_activation="relu", rnn_layers=1,
         rnn_units=16, rnn_activation="tanh"),
    dict(filters=20, kernel=6, stride=4, conv_layers=3, cnn_activation="elu", rnn_layers=2,
         rnn_units=8, rnn_activation="relu"),
    dict(filters=8, kernel=5, stride=3, conv_layers=2, cnn_activation="tanh", rnn_layers=1,
         rnn_units=8, rnn_activation="tanh", separable=False),
]


@pytest.mark.parametrize("hp", CONFIGS, ids=["smallest", "deepest", "ordinary-conv"])
def test_model_trains_one_step_and_every_weight_gets_a_gradient(hp):
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, T, S, S, 3)).astype(np.float32)
    y = np.array([0, 1, 0, 1], dtype=np.float32)
    model = cnn_rnn.build_model(T, S, **hp)
    assert model.output_shape == (None, 1)
    cnn = model.get_layer("per_frame_cnn").layer
    kinds = [type(layer).__name__ for layer in cnn.layers]
    conv = "SeparableConv2D" if hp.get("separable", True) else "Conv2D"
    assert kinds == [conv, "MaxPooling2D"] * hp["conv_layers"] + ["GlobalMaxPooling2D"]
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(X, y)
    assert np.all(np.isfinite(loss))
    after = model.get_weights()
    assert all(np.isfinite(w).all() for w in after)
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    if keras.config.backend() != "tensorflow":
        pytest.skip("gradient check written with tf.GradientTape")
    import tensorflow as tf

    with tf.GradientTape() as tape:
        p = model(X, training=True)
        loss = keras.losses.binary_crossentropy(y[:, None], p)
    grads = tape.gradient(loss, model.trainable_variables)
    for v, g in zip(model.trainable_variables, grads):
        assert g is not None, v.path
        g = np.asarray(g)
        assert np.isfinite(g).all() and np.abs(g).sum() > 0, v.path
    p = np.asarray(model(X, training=False))
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()


def test_separable_convolutions_have_fewer_parameters():
    keras = pytest.importorskip("keras")
    hp = dict(filters=32, kernel=5, stride=2, conv_layers=2, cnn_activation="relu",
              rnn_layers=1, rnn_units=16, rnn_activation="tanh")
    n = cnn_rnn.parameter_counts(T, S, hp)
    # by hand: ordinary conv k*k*c_in*f + f; separable k*k*c_in + c_in*f + f
    conv = (5 * 5 * 3 * 32 + 32) + (5 * 5 * 32 * 32 + 32)
    sep = (5 * 5 * 3 + 3 * 32 + 32) + (5 * 5 * 32 + 32 * 32 + 32)
    assert n["ordinary"] - n["separable"] == conv - sep
    keras.backend.clear_session()


def _data(seed=4):
    rng = np.random.default_rng(seed)
    train = rng.normal(size=(6, 2, 8, 8, 3)).astype(np.float32), np.array([0, 1] * 3)
    val = rng.normal(size=(4, 2, 8, 8, 3)).astype(np.float32), np.array([0, 1, 1, 1])
    return train, val


def test_fitness_uses_validation_and_logs():
    train, val = _data()
    log = []
    f = cnn_rnn.make_fitness(train, val, seed=0, log=log, epochs=1, batch_size=6,
                             run_eagerly=True)
    lo, _ = cnn_rnn.space_bounds()
    costs = f(np.rint(lo)[None])
    assert costs.shape == (1,) and 0 <= costs[0] <= 1
    assert len(log) == 1 and log[0]["filters"] == 16
    assert costs[0] == pytest.approx(1 - log[0]["val_accuracy"])
    assert log[0]["val_accuracy"] * 4 == pytest.approx(round(log[0]["val_accuracy"] * 4))


def test_a_units_cost_depends_on_its_position_alone():
    """Inline, a batch is run in order; on another executor in any order. Either way a
    position's cost must not depend on its batch, its place in it or what ran before."""
    train, val = _data()
    lo, hi = cnn_rnn.space_bounds()
    a, b = np.rint(lo), np.rint((lo + hi) / 2)
    kw = dict(seed=3, epochs=1, batch_size=6, run_eagerly=True)
    log = []
    both = cnn_rnn.make_fitness(train, val, log=log, **kw)(np.stack([a, b]))
    rev = cnn_rnn.make_fitness(train, val, **kw)(np.stack([b, a]))
    alone = cnn_rnn.make_fitness(train, val, **kw)(b[None])
    np.testing.assert_array_equal(both, rev[::-1])
    np.testing.assert_array_equal(both[1:], alone)
    assert log[0]["seed"] != log[1]["seed"]                         # seeded by position


def _six_videos(epochs: int, batch_size: int):
    """Twelve random clips, two per video, four test clips; the smallest configuration."""
    rng = np.random.default_rng(6)
    n = 12
    X = rng.integers(0, 256, (n, 2, 8, 8, 3)).astype(np.uint8)
    video = np.array([f"v{i // 2}" for i in range(n)])              # two clips per video
    y = np.array([int(v[1:]) % 2 for v in video])
    splits = np.array(["train"] * 8 + ["test"] * 4)
    cs = ClipSet(X, y, video, splits, np.array(["m"] * n))
    hp = cnn_rnn.decode(np.rint(cnn_rnn.space_bounds()[0]))
    unit = {"seed": 0, "hp": hp, "prep": {"denoise_h": None, "n_augment": 0},
            "fit": {"epochs": epochs, "batch_size": batch_size, "run_eagerly": True}}
    return unit, cs


def test_run_unit_scores_clips_and_videos():
    unit, cs = _six_videos(epochs=1, batch_size=8)
    out = cnn_rnn.run_unit(unit, cs)
    assert out["clip"]["n"] == 4 and out["video"]["n"] == 2
    assert out["clip"]["tp"] + out["clip"]["fn"] == 2
    again = cnn_rnn.run_unit(unit, cs)
    assert json.dumps(again, sort_keys=True) == json.dumps(out, sort_keys=True)  # NaN-safe


def test_the_fitness_cache_changes_no_number():
    """A PSO search over the CNN-RNN with and without the fitness cache: the same swarm, the
    same costs (a cached cost is the cost a new training would give)."""
    from deepfake_lib.paper_b import pso

    train, val = _data(9)
    kw = dict(seed=1, epochs=1, batch_size=6, run_eagerly=True)
    space = cnn_rnn.SEARCH_SPACE[:3]                                # filters, kernel, stride
    integer = np.ones(3, bool)
    bounds = cnn_rnn.space_bounds(space)
    logs = {True: [], False: []}
    res = {c: pso.minimize(cnn_rnn.make_fitness(train, val, space=space, log=logs[c], **kw),
                           bounds, 3, 3, w=0.7, c1=4, c2=4, integer=integer, cache=c, seed=0)
           for c in (True, False)}
    np.testing.assert_array_equal(res[True].positions, res[False].positions)
    np.testing.assert_array_equal(res[True].costs, res[False].costs)
    assert len(logs[True]) == res[True].n_evaluations <= len(logs[False]) == 9


def test_video_scores_match_a_loop_over_videos():
    rng = np.random.default_rng(2)
    video = rng.choice([f"v{i}" for i in range(7)], size=40)
    y = np.array([int(v[1:]) % 2 for v in video])
    p = rng.random(40)
    ids, score, label = metrics.video_scores(p, video, y)
    assert list(ids) == sorted(set(video))
    for v, s, lab in zip(ids, score, label):
        assert s == pytest.approx(np.mean([pi for pi, vi in zip(p, video) if vi == v]))
        assert lab == y[list(video).index(v)]


def test_video_scores_reject_mixed_labels_and_ragged_input():
    with pytest.raises(ValueError, match="different labels"):
        metrics.video_scores(np.array([0.1, 0.2]), np.array(["a", "a"]), np.array([0, 1]))
    with pytest.raises(ValueError, match="one entry per row"):
        metrics.video_scores(np.array([0.1]), np.array(["a", "b"]), np.array([0, 1]))


def test_training_cost_counts_steps_and_examples():
    assert cnn_rnn.training_cost(288, 100, 10) == {"steps": 30, "examples": 2880}
    assert cnn_rnn.training_cost(288, 16, 2) == {"steps": 36, "examples": 576}
    assert cnn_rnn.training_cost(0, 16, 2) == {"steps": 0, "examples": 0}


def test_default_configuration_is_the_centre_and_lies_in_the_space():
    hp = cnn_rnn.default_configuration()
    for d in cnn_rnn.SEARCH_SPACE:
        v = d.choices.index(hp[d.name]) if d.choices else hp[d.name]
        assert d.low <= v <= d.high
        assert abs(v - (d.low + d.high) / 2) <= 0.5               # the middle, rounded
    assert hp == cnn_rnn.decode(np.mean(cnn_rnn.space_bounds(), axis=0))


def test_fitness_history_is_gbest_and_never_rises():
    from deepfake_lib.paper_b import pso

    res = pso.minimize(pso.rastrigin, pso.box("rastrigin", 3), 6, 12, seed=4)
    h = cnn_rnn.fitness_history(res)
    assert len(h) == 12 and list(h.index) == list(range(12))
    g = h["gbest fitness"].to_numpy()
    assert np.all(np.diff(g) <= 0)
    assert np.all(g <= h["iteration best"].to_numpy() + 1e-12)
    np.testing.assert_allclose(g, np.minimum.accumulate(h["iteration best"].to_numpy()))
    assert g[-1] == pytest.approx(res.best_cost)
    assert np.all(h["iteration best"] <= h["iteration mean"])


def test_run_unit_reports_loss_cost_and_video_scores():
    unit, cs = _six_videos(epochs=2, batch_size=3)
    out = cnn_rnn.run_unit(unit, cs)
    assert len(out["loss"]) == 2 and all(np.isfinite(out["loss"]))
    n_train = out["prep"]["final"]
    assert out["cost"] == cnn_rnn.training_cost(n_train, 3, 2)
    assert out["scores"]["video"] == ["v4", "v5"] and out["scores"]["y"] == [0, 1]
    from sklearn.metrics import roc_auc_score
    assert out["video"]["auc"] == pytest.approx(
        roc_auc_score(out["scores"]["y"], out["scores"]["p"]))


def _three_folds():
    """The six videos of :func:`_six_videos` in three identity folds of two videos each."""
    unit, cs = _six_videos(epochs=1, batch_size=4)
    folds = np.array([int(v[1:]) // 2 for v in cs.video])        # v0, v1 -> 0; v2, v3 -> 1 ...
    return unit, ClipSet(cs.X, cs.y, cs.video, cs.splits, cs.methods, folds)


def test_fold_split_keeps_the_folds_apart():
    _, cs = _three_folds()
    train, test = cs.fold(1)
    assert sorted(set(test.video)) == ["v2", "v3"]
    assert not set(train.video) & set(test.video) and len(train.y) + len(test.y) == 12
    with pytest.raises(ValueError, match="no clip is in identity fold 7"):
        cs.fold(7)
    with pytest.raises(ValueError, match="real datasets have none"):
        fold_lib.fold_units(cs.take(cs.folds == 0), {}, [0], {}, {})
    bare = ClipSet(cs.X, cs.y, cs.video, cs.splits, cs.methods)     # a manifest without folds
    assert (bare.folds == -1).all()


def test_out_of_fold_scores_every_video_once_per_seed(tmp_path):
    unit, cs = _three_folds()
    units = fold_lib.fold_units(cs, unit["hp"], [0, 1], unit["prep"], unit["fit"])
    assert [(u["seed"], u["fold"]) for u in units] == [(s, k) for s in (0, 1) for k in (0, 1, 2)]
    outs = [cnn_rnn.run_unit(u, cs) for u in units]
    for u, o in zip(units, outs):                  # each unit scores its own fold's videos
        assert set(o["scores"]["video"]) == {f"v{2 * u['fold']}", f"v{2 * u['fold'] + 1}"}
    run = results.Run("B3_results", {"seed": 0, "results_dir": str(tmp_path)})
    again = fold_lib.run_folds(cs, unit["hp"], [0, 1], unit["prep"], unit["fit"], run=run,
                               timer="folds", system="B3 identity folds")
    assert again[0] == units and [o["scores"] for o in again[1]] == [o["scores"] for o in outs]
    assert run.values["fit_cost"]["B3 identity folds"] == {
        "fits": 6, "steps": sum(o["cost"]["steps"] for o in outs),
        "examples": sum(o["cost"]["examples"] for o in outs)} and run.timing["folds"] > 0
    oof = fold_lib.out_of_fold(units, outs)
    assert sorted(oof["video"]) == [f"v{i}" for i in range(6)] and oof["p"].shape == (6, 2)
    assert oof["y"].tolist() == [int(v[1:]) % 2 for v in oof["video"]]
    first = {v: p for o in outs[:3] for v, p in zip(o["scores"]["video"], o["scores"]["p"])}
    assert oof["p"][:, 0].tolist() == [first[v] for v in oof["video"]]
    with pytest.raises(ValueError, match="scored by two folds"):
        fold_lib.out_of_fold(units[:3] + units[:1], outs[:3] + outs[:1])
    with pytest.raises(ValueError, match="seed 1 scores other videos"):
        fold_lib.out_of_fold(units[:4], outs[:4])

    # the summary: identities are the units; each identity holds a real and a fake video
    identity = {f"v{i}": f"id{i // 2}" for i in range(6)}
    fold_of = {f"v{i}": i // 2 for i in range(6)}
    summ = fold_lib.fold_summary(units, outs, identity, fold_of, choice_folds={1}, n_boot=50)
    assert summ["videos"] == 6 and summ["identities"] == {"all": 3, "without_choice_folds": 2}
    assert summ["all"]["n"] == 6 and summ["without_choice_folds"]["n"] == 4
    assert summ["all"]["fits"] == 2 and len(summ["per_seed"]) == 2
    assert summ["over_seeds"]["mean"] == pytest.approx(np.mean([a["auc"] for a in summ["per_seed"]]))
    assert summ["loss"]["runs"] == 6 and summ["loss"]["runs_below_ln2"] == sum(
        o["loss"][-1] < np.log(2) - 0.01 for o in outs)
    text = fold_lib.fold_report(summ, single_split=summ["all"])
    assert "all videos" in text and "ln 2 = 0.693" in text and "D1 has not run" in text
    with pytest.raises(ValueError, match="identities in more than one fold"):
        fold_lib.fold_summary(units, outs, {v: "same" for v in identity}, fold_of)
    with pytest.raises(ValueError, match="identities in more than one fold"):   # as a donor
        fold_lib.fold_summary(units, outs, identity, fold_of, donor={"v1": "id2"})


def test_fold_comparison_pairs_videos_by_id_and_refuses_other_seeds():
    y = {f"v{i}": i % 2 for i in range(12)}

    def runs(scores, seeds=(0, 1), order=1):
        units, outs = [], []
        for s in seeds:
            for k in range(3):
                vids = [f"v{i}" for i in range(12) if i // 4 == k][::order]
                units.append({"seed": s, "fold": k})
                outs.append({"scores": {"video": vids, "p": [scores(v, s) for v in vids],
                                        "y": [y[v] for v in vids]},
                             "loss": [0.70, 0.60 if scores is good else 0.70]})
        return units, outs

    def good(v, s):
        return y[v] + 0.1 * s + 0.01 * int(v[1:])

    def flat(v, s):
        return 0.5 + 0.01 * ((int(v[1:]) * 7 + s) % 5)

    identity = {f"v{i}": f"id{i // 2}" for i in range(12)}
    fold_of = {f"v{i}": i // 4 for i in range(12)}
    comp = fold_lib.fold_comparison(runs(good), runs(flat, order=-1), identity, fold_of,
                                    {"without fold 1": {0, 2}, "fold 0": {0}}, n_boot=100)
    assert comp["tuned"]["auc"] == 1.0 and comp["seeds"] == [0, 1]
    assert comp["per_seed"] == pytest.approx([1.0 - u for u in comp["untuned"]["per_seed"]])
    assert np.mean(comp["per_seed"]) == pytest.approx(comp["difference"]["diff"])
    assert comp["subsets"]["without fold 1"]["n"] == 8 and comp["subsets"]["fold 0"]["n"] == 4
    assert comp["untuned"]["runs_below_ln2"] == 0 and comp["tuned"]["runs_below_ln2"] == 6
    same_order = fold_lib.fold_comparison(runs(good), runs(flat), identity, n_boot=100)
    assert comp["untuned"]["auc"] == pytest.approx(same_order["untuned"]["auc"])
    assert comp["difference"]["diff"] == pytest.approx(1.0 - comp["untuned"]["auc"])
    text = fold_lib.comparison_report(comp, {"filters": 21}, {"filters": 40})
    assert "tuned - untuned" in text and "{'filters': 40}" in text and "fold 0: " in text
    b2 = {"params": {"pso_epochs": 2}, "values": {"pso_distinct_val_accuracies": 3,
                                                  "pso": {"swarm": 5, "iters": 3, "trained": 14}}}
    rec = fold_lib.pso_evidence(comp, b2)
    assert rec["holds"] is comp["difference"]["better"] and rec["units"] == 6   # identities
    unread = fold_lib.pso_evidence(comp, b2, unread="without fold 1")
    assert unread["ours"] == comp["subsets"]["without fold 1"] and unread["units"] == 4
    assert "the verdict reads without fold 1, whose labels no choice read" in unread["detail"]
    assert "5 particles x 3 iterations (paper 15 x 8)" in rec["detail"]
    assert "not the paper's PSO" in rec["detail"] and "fold 0 (4 videos): " in rec["detail"]
    assert "tuned 6/6, untuned 0/6" in rec["detail"]
    with pytest.raises(ValueError, match="same seeds"):
        fold_lib.fold_comparison(runs(good), runs(flat, seeds=(0, 2)), identity)
