"""Paper C's three systems (timm-style: build, one training step, every weight gets a gradient,
no NaNs), the splits, the aggregation, the feature cache and the paper-table helpers."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from deepfake_lib import bilstm_crf as bc  # noqa: E402

T, F = 5, 16


def toy(seed=0, n=8):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    feats = (rng.normal(size=(n, T, F)) + y[:, None, None] * 0.8).astype("float32")
    mask = np.ones((n, T), bool)
    mask[0, -2:] = False                      # padding on the right
    mask[1, 2] = False                        # a hole
    return feats, mask, y


@pytest.mark.parametrize("kind", bc.SYSTEMS)
def test_system_builds_trains_and_every_weight_gets_a_gradient(kind):
    tf = pytest.importorskip("tensorflow")
    feats, mask, y = toy()
    model = bc.build_system(kind, T, F, units=4, temporal_kernel=(3,) if kind != "xception" else ())
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
    if kind == "bilstm_crf":
        names = [v.path for v in model.trainable_variables]
        assert any("transitions" in n for n in names)
    hist = model.fit(x, tags, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    out = model.predict_scores(feats, mask)
    assert out["frame_score"].shape == (8, T) and out["video_score"].shape == (8,)
    assert np.isnan(out["frame_score"][~mask]).all() and np.isfinite(out["frame_score"][mask]).all()
    assert ((out["frame_score"][mask] >= 0) & (out["frame_score"][mask] <= 1)).all()
    assert (out["frame_pred"][~mask] == -1).all() and set(np.unique(out["frame_pred"][mask])) <= {0, 1}


def test_crf_system_predictions_are_viterbi_and_marginals():
    feats, mask, y = toy(1)
    model = bc.build_system("bilstm_crf", T, F, units=4)
    out = model.predict_scores(feats, mask)
    em = model((feats, mask.astype("float32")), training=False)["emissions"]
    np.testing.assert_array_equal(out["frame_pred"], keras.ops.convert_to_numpy(model.crf.decode(em, mask)))
    marg = keras.ops.convert_to_numpy(model.crf.marginals(em, mask))
    np.testing.assert_allclose(out["frame_score"][mask], marg[..., 1][mask], atol=1e-5)


def test_training_learns_a_separable_toy_task():
    feats, mask, y = toy(2, n=32)
    model = bc.train_system("bilstm_crf", feats, mask, y, epochs=8, units=8, batch_size=8)
    out = model.predict_scores(feats, mask)
    assert (out["video_pred"] == y).mean() >= 0.9


def test_aux_weight_changes_the_loss():
    feats, mask, y = toy()
    tags = np.repeat(y[:, None], T, 1)
    x = (feats, mask.astype("float32"))
    m0 = bc.build_system("bilstm", T, F, units=4, aux_weight=0.0)
    m1 = bc.build_system("bilstm", T, F, units=4, aux_weight=1.0)
    m1.set_weights(m0.get_weights())
    l0 = float(m0.compute_loss(x, tags, m0(x, training=True)))
    l1 = float(m1.compute_loss(x, tags, m1(x, training=True)))
    assert l1 > l0


def test_unknown_system_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown system"):
        bc.TemporalHead("cnn", T)


def test_video_level_aggregation():
    score = np.array([[0.9, 0.8, np.nan], [0.1, 0.7, 0.2], [np.nan] * 3])
    pred = np.array([[1, 1, -1], [0, 1, 1], [-1] * 3])
    mask = ~np.isnan(score)
    out = bc.video_level(score, pred, mask)
    np.testing.assert_allclose(out["video_score"][:2], [0.85, 1.0 / 3])
    assert np.isnan(out["video_score"][2])
    assert list(out["video_pred"]) == [1, 1, -1]


def test_frame_split_is_the_papers_7_3_and_leaks_videos():
    mask = np.ones((20, 10), bool)
    mask[0, 5:] = False
    tr, te = bc.frame_split(mask, 0.7, seed=0)
    assert not (tr & te).any() and ((tr | te) == mask).all()
    assert tr.sum() == round(0.7 * mask.sum())
    assert bc.leaked_test_frames(tr, te) > 0.9 * te.sum()


def test_video_split_is_video_disjoint():
    mask = np.ones((4, 3), bool)
    tr, te = bc.video_split(mask, np.array(["train", "val", "test", "test"]))
    assert tr[:2].all() and not tr[2:].any() and te[2:].all()
    assert bc.leaked_test_frames(tr, te) == 0


def test_sequence_features_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path))
    rng = np.random.default_rng(0)
    X = rng.integers(0, 255, size=(2, 3, 40, 40, 3), dtype=np.uint8)
    mask = np.array([[True, True, False], [True, False, True]])
    f1, hit1 = bc.sequence_features(X, mask, manifest_sha256="abc", input_size=71)
    f2, hit2 = bc.sequence_features(X, mask, manifest_sha256="abc", input_size=71)
    assert not hit1 and hit2 and f1.shape == (2, 3, 2048)
    np.testing.assert_array_equal(f1, f2)
    assert (f1[~mask] == 0).all() and np.isfinite(f1).all() and np.abs(f1[mask]).sum() > 0
    assert len(list((tmp_path / "features").glob("*.npz"))) == 1


def test_backbone_rejects_small_input_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="71"):
        bc.xception_backbone(32)
    with pytest.raises(FileNotFoundError, match="nope"):
        bc.xception_backbone(71, str(tmp_path / "nope.weights.h5"))


def test_paper_table_helpers():
    assert np.isclose(bc.f1_from(0.923, 0.923), 0.923)
    assert np.isclose(bc.precision_from(bc.f1_from(0.7, 0.9), 0.9), 0.7)
    # a test set with 1/3 positives, P = R = 0.9: errors = 2 * 0.1 * (1/3) -> accuracy 0.9333
    assert np.isclose(bc.implied_prevalence(1 - 0.2 / 3, 0.9, 0.9), 1 / 3)


def test_reused_trainer_gives_the_same_model_as_a_fresh_one():
    """train_system reuses a compiled model across seeds; the result must not depend on it."""
    feats, mask, y = toy(3)
    bc._TRAINERS.clear()
    a = bc.train_system("bilstm", feats, mask, y, seed=1, epochs=2, units=4).predict_scores(feats, mask)
    bc.train_system("bilstm", feats, mask, y, seed=2, epochs=2, units=4)       # moves the shared model
    b = bc.train_system("bilstm", feats, mask, y, seed=1, epochs=2, units=4).predict_scores(feats, mask)
    bc._TRAINERS.clear()
    c = bc.train_system("bilstm", feats, mask, y, seed=1, epochs=2, units=4).predict_scores(feats, mask)
    np.testing.assert_allclose(a["frame_score"], b["frame_score"], atol=1e-5)
    np.testing.assert_allclose(a["frame_score"], c["frame_score"], atol=1e-5)


def test_frame_difference_baseline_sees_jitter_and_not_noise():
    rng = np.random.default_rng(0)
    n = 40
    y = np.arange(n) % 2
    base = rng.normal(size=(n, 1, F))
    jitter = rng.normal(size=(n, T, F)) * (0.05 + 0.5 * y[:, None, None])   # fakes flicker
    mask = np.ones((n, T), bool)
    tr, te = np.arange(n) < 24, np.arange(n) >= 24
    assert bc.frame_difference_auc(base + jitter, mask, y, tr, te) > 0.9
    same = base + rng.normal(size=(n, T, F)) * 0.3                            # no label signal
    assert 0.2 < bc.frame_difference_auc(same, mask, y, tr, te) < 0.8
