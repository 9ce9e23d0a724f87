"""Paper C's systems (timm-style: build, one training step, every weight gets a gradient, no
NaNs), the directions' sum, formula 11's terms, the two-stage CRF and the aggregation."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from deepfake_lib.paper_c import heads

from paper_c.toy_sequences import F, T, make_toy


@pytest.mark.parametrize("kind", heads.TemporalHead.KINDS + ("crf_stage",))
def test_system_builds_trains_and_every_weight_gets_a_gradient(kind):
    tf = pytest.importorskip("tensorflow")
    feats, mask, y = make_toy()
    if kind == "crf_stage":
        model = heads.build_system(kind, T)
        feats = np.stack([1 - feats[..., 0], feats[..., 0]], -1).clip(0, 1).astype("float32")
    else:
        model = heads.build_system(kind, T, F, units=4, temporal_kernel=(3,) if kind != "xception" else ())
    tags = np.repeat(y[:, None], T, 1).astype("int32")
    x = (tf.constant(feats), tf.constant(mask.astype("float32")))
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = model.compute_loss(x, tags, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    assert np.isfinite(float(loss)) and float(loss) > 0
    for v, g in zip(model.trainable_variables, grads):
        assert g is not None, v.path
        assert np.isfinite(g.numpy()).all(), v.path
        assert np.abs(g.numpy()).sum() > 0, v.path
    if "crf" in kind:
        assert any("transitions" in v.path for v in model.trainable_variables)
    hist = model.fit(x, tags, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    if kind == "crf_stage":
        return
    out = model.predict_scores(feats, mask)
    assert out["frame_score"].shape == (8, T) and out["video_score"].shape == (8,)
    assert np.isnan(out["frame_score"][~mask]).all() and np.isfinite(out["frame_score"][mask]).all()
    assert ((out["frame_score"][mask] >= 0) & (out["frame_score"][mask] <= 1)).all()
    assert (out["frame_pred"][~mask] == -1).all() and set(np.unique(out["frame_pred"][mask])) <= {0, 1}


def test_directions_are_summed_as_the_paper_says_or_concatenated():
    """merge="sum": h_t = forward_t + backward_t (the paper); "concat" stacks them."""
    feats, _, _ = make_toy()
    summed = heads.build_system("bilstm", T, F, units=4)
    cat = heads.build_system("bilstm", T, F, units=4, merge="concat")
    cat.bilstm.set_weights(summed.bilstm.get_weights())
    h_sum = keras.ops.convert_to_numpy(summed.bilstm(feats))
    h_cat = keras.ops.convert_to_numpy(cat.bilstm(feats))
    assert h_sum.shape == (8, T, 4) and h_cat.shape == (8, T, 8)
    np.testing.assert_allclose(h_sum, h_cat[..., :4] + h_cat[..., 4:], atol=1e-6)
    fwd = keras.ops.convert_to_numpy(summed.bilstm.forward_layer(feats))
    bwd = keras.ops.convert_to_numpy(summed.bilstm.backward_layer(feats))[:, ::-1]   # reads backwards
    np.testing.assert_allclose(h_sum, fwd + bwd, atol=1e-5)
    with pytest.raises(ValueError, match="unknown merge"):
        heads.TemporalHead("bilstm", T, F, merge="mul")


def test_formula_11_regularisation_term_is_the_l2_of_the_kernels():
    feats, mask, y = make_toy()
    tags = np.repeat(y[:, None], T, 1)
    x = (feats, mask.astype("float32"))
    m0 = heads.build_system("bilstm", T, F, units=4, l2=0.0)
    m1 = heads.build_system("bilstm", T, F, units=4, l2=1e-2)
    m1.set_weights(m0.get_weights())
    l0 = float(m0.compute_loss(x, tags, m0(x, training=True)))
    l1 = float(m1.compute_loss(x, tags, m1(x, training=True)))
    kernels = [v for v in m1.trainable_variables if "kernel" in v.path]
    assert len(kernels) >= 5                   # LSTM kernels both ways, recurrent, aux, emissions
    penalty = 1e-2 * sum(float(np.sum(keras.ops.convert_to_numpy(v) ** 2)) for v in kernels)
    assert np.isclose(l1 - l0, penalty, rtol=1e-4)


def test_two_stage_crf_sits_on_the_trained_bilstm_and_leaves_it_unchanged():
    feats, mask, y = make_toy(4, n=16)
    bilstm = heads.train_system("bilstm", feats, mask, y, seed=0, epochs=3, units=4)
    before = [w.copy() for w in bilstm.get_weights()]
    probs = bilstm.predict((feats, mask.astype("float32")), verbose=0)["probs"]
    two = heads.train_system("bilstm_crf", feats, mask, y, seed=0, epochs=3, bilstm=bilstm)
    assert two.bilstm is bilstm
    for a, b in zip(before, bilstm.get_weights()):
        np.testing.assert_array_equal(a, b)    # the BiLSTM is frozen during the CRF stage
    out = two.predict_scores(feats, mask)
    em = two.crf_stage((probs, mask.astype("float32")), training=True)["emissions"]
    marg = keras.ops.convert_to_numpy(two.crf.marginals(em, mask))
    np.testing.assert_allclose(out["frame_score"][mask], marg[..., 1][mask], atol=1e-5)
    np.testing.assert_array_equal(out["frame_pred"], keras.ops.convert_to_numpy(two.crf.decode(em, mask)))


def test_crf_stage_starts_from_the_bilstm_decision():
    """Node features start as the identity: the untrained CRF ranks frames as p(fake) does."""
    stage = heads.build_system("crf_stage", T)
    p = np.random.default_rng(0).random((6, T))
    probs = np.stack([1 - p, p], -1).astype("float32")
    em = keras.ops.convert_to_numpy(stage((probs, np.ones((6, T), "float32")), training=True)["emissions"])
    np.testing.assert_allclose(em, probs, atol=1e-6)


def test_crf_system_predictions_are_viterbi_and_marginals():
    feats, mask, y = make_toy(1)
    model = heads.build_system("bilstm_crf_e2e", T, F, units=4)
    out = model.predict_scores(feats, mask)
    em = model((feats, mask.astype("float32")), training=False)["emissions"]
    np.testing.assert_array_equal(out["frame_pred"], keras.ops.convert_to_numpy(model.crf.decode(em, mask)))
    marg = keras.ops.convert_to_numpy(model.crf.marginals(em, mask))
    np.testing.assert_allclose(out["frame_score"][mask], marg[..., 1][mask], atol=1e-5)


def test_training_learns_a_separable_toy_task():
    feats, mask, y = make_toy(2, n=32)
    for kind in ("bilstm_crf", "bilstm_crf_e2e"):
        model = heads.train_system(kind, feats, mask, y, epochs=8, units=8, batch_size=8)
        out = model.predict_scores(feats, mask)
        assert (out["video_pred"] == y).mean() >= 0.9, kind


def test_aux_weight_changes_the_loss():
    feats, mask, y = make_toy()
    tags = np.repeat(y[:, None], T, 1)
    x = (feats, mask.astype("float32"))
    m0 = heads.build_system("bilstm", T, F, units=4, aux_weight=0.0)
    m1 = heads.build_system("bilstm", T, F, units=4, aux_weight=1.0)
    m1.set_weights(m0.get_weights())
    l0 = float(m0.compute_loss(x, tags, m0(x, training=True)))
    l1 = float(m1.compute_loss(x, tags, m1(x, training=True)))
    assert l1 > l0


def test_unknown_system_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown system"):
        heads.TemporalHead("cnn", T)
    with pytest.raises(ValueError, match="bilstm_crf is trained by train_system"):
        heads.TemporalHead("bilstm_crf", T)


def test_table4_comes_from_the_ledger():
    from deepfake_lib.claims.ledger import claims_by_id

    t = heads.table4()
    assert t["batch_size"] == claims_by_id()["C.table4.batch_size"].value
    assert t["learning_rate"] == claims_by_id()["C.table4.learning_rate"].value


def test_video_level_aggregation():
    score = np.array([[0.9, 0.8, np.nan], [0.1, 0.7, 0.2], [np.nan] * 3])
    mask = ~np.isnan(score)   # the CRF's Viterbi labels of video 2 could be [0, 1, 1]
    out = heads.video_level(score, mask)
    np.testing.assert_allclose(out["video_score"][:2], [0.85, 1.0 / 3])
    assert np.isnan(out["video_score"][2])
    # Video 2: two of three frames decoded fake, but its score is 1/3: the decision follows
    # the score the ROC ranks by, not the vote.
    assert list(out["video_pred"]) == [1, 0, -1]


def test_reused_trainer_gives_the_same_model_as_a_fresh_one():
    """train_system reuses a compiled model across seeds; the result must not depend on it."""
    feats, mask, y = make_toy(3)
    heads._TRAINERS.clear()
    a = heads.train_system("bilstm", feats, mask, y, seed=1, epochs=2, units=4).predict_scores(feats, mask)
    heads.train_system("bilstm", feats, mask, y, seed=2, epochs=2, units=4)       # moves the shared model
    b = heads.train_system("bilstm", feats, mask, y, seed=1, epochs=2, units=4).predict_scores(feats, mask)
    heads._TRAINERS.clear()
    c = heads.train_system("bilstm", feats, mask, y, seed=1, epochs=2, units=4).predict_scores(feats, mask)
    np.testing.assert_allclose(a["frame_score"], b["frame_score"], atol=1e-5)
    np.testing.assert_allclose(a["frame_score"], c["frame_score"], atol=1e-5)




def test_crf_collapse_counts_label_changes_and_the_pooling_it_becomes():
    feats, mask, y = make_toy(5, n=16)
    two = heads.train_system("bilstm_crf", feats, mask, y, seed=0, epochs=3, units=4)
    rep = heads.crf_collapse(two, feats, mask)
    pred = two.predict_scores(feats, mask)["frame_pred"]
    changes = sum(int(np.sum(p[m][1:] != p[m][:-1])) for p, m in zip(pred, mask))
    assert rep["label_changes"] == changes and rep["pairs"] == int(mask.sum() - len(mask))
    # A switch penalty larger than any emission: every path is constant, and the label is
    # the argmax of the two constant-path scores (summed emissions plus the bias terms).
    two.crf.transitions.assign(np.array([[0.0, -1e3], [-1e3, 0.0]], "float32"))
    stuck = heads.crf_collapse(two, feats, mask)
    assert stuck["label_changes"] == 0 and stuck["constant_videos"] == 1.0
    assert stuck["pooling_agrees"] == 1.0 and stuck["stay_minus_switch"] == 2e3
    # Switching rewarded instead: the decoded labels alternate and no video is constant.
    two.crf.transitions.assign(np.array([[-1e3, 0.0], [0.0, -1e3]], "float32"))
    flip = heads.crf_collapse(two, feats, mask)
    assert flip["change_share"] == 1.0 and flip["constant_videos"] == 0.0


def test_log_odds_scores_sum_the_logits_without_a_crf():
    em = np.zeros((3, 3, 2), "float32")
    em[..., 1] = [[1.0, 2.0, 9.0], [-1.0, 0.5, 0.0], [3.0, 3.0, 3.0]]
    mask = np.array([[True, True, False], [True, True, True], [False] * 3])
    out = heads.log_odds_scores(em, mask)
    np.testing.assert_allclose(out["video_log_odds"][:2], [3.0, -0.5])
    assert np.isnan(out["video_log_odds"][2]) and np.isnan(out["frame_log_odds"][0, 2])
    assert list(out["video_log_odds_pred"]) == [1, 0, -1]


def test_two_stage_video_log_odds_are_the_crf_constant_path_difference():
    """The two-stage system's video score is s(all fake) - s(all real) of its own CRF, on
    the emissions its CRF stage computes; its sign is the video decision."""
    from keras import ops

    feats, mask, y = make_toy(5, n=16)
    two = heads.train_system("bilstm_crf", feats, mask, y, seed=0, epochs=2, units=4)
    out = two.predict_scores(feats, mask)
    em = two.stage_outputs(feats, mask)["emissions"]
    ref = ops.convert_to_numpy(two.crf.constant_path_log_odds(em, mask))
    np.testing.assert_allclose(out["video_log_odds"], ref, rtol=1e-5, atol=1e-5)
    assert ((out["video_log_odds"] >= 0) == (out["video_log_odds_pred"] == 1)).all()
    assert np.isfinite(out["frame_log_odds"][mask]).all()
