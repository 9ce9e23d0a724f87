"""The CRF layer against brute-force enumeration of every tag path (pytorch-crf's test style)."""

import itertools

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import ops  # noqa: E402

from deepfake_lib.paper_c.crf import CRF, brute_force, viterbi_numpy

MASKS = {
    "none": None,
    "right_pad": lambda T: np.arange(T) < T - 2,
    "left_pad": lambda T: np.arange(T) >= 2,
    "holes": lambda T: np.isin(np.arange(T), [1, T - 2], invert=True),
    "holes_left_right": lambda T: np.isin(np.arange(T), [0, 2, T - 1], invert=True),
}


def make_case(seed, batch, n_steps, k, mask_kind):
    rng = np.random.default_rng(seed)
    crf = CRF(k)
    crf.transitions.assign(rng.normal(size=(k, k)).astype("float32"))
    crf.start_transitions.assign(rng.normal(size=k).astype("float32"))
    crf.end_transitions.assign(rng.normal(size=k).astype("float32"))
    em = rng.normal(size=(batch, n_steps, k)).astype("float32")
    tags = rng.integers(0, k, size=(batch, n_steps)).astype("int32")
    if MASKS[mask_kind] is None:
        mask = None
    else:
        mask = np.tile(MASKS[mask_kind](n_steps), (batch, 1))
        mask[-1, :] = rng.random(n_steps) < 0.6          # one random pattern per case
    return crf, em, tags, mask


CASES = [(seed, n_steps, k, m) for seed, (n_steps, k) in zip(range(3), [(5, 2), (6, 3), (4, 4)])
         for m in MASKS]


@pytest.mark.parametrize("seed,n_steps,k,mask_kind", CASES)
def test_against_brute_force(seed, n_steps, k, mask_kind):
    crf, em, tags, mask = make_case(seed, 3, n_steps, k, mask_kind)
    p = crf.numpy_params()
    log_z = ops.convert_to_numpy(crf.log_partition(em, mask))
    ll = ops.convert_to_numpy(crf.log_likelihood(em, tags, mask))
    nll = ops.convert_to_numpy(crf.loss(em, tags, mask, reduction="none"))
    path, best = (ops.convert_to_numpy(a) for a in crf.viterbi(em, mask))
    marg = ops.convert_to_numpy(crf.marginals(em, mask))
    for b in range(em.shape[0]):
        mb = None if mask is None else mask[b]
        ref = brute_force(em[b], p["transitions"], p["start"], p["end"], mask=mb, tags=tags[b])
        np.testing.assert_allclose(log_z[b], ref["log_partition"], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ll[b], ref["log_likelihood"], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(nll[b], -ref["log_likelihood"], rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(path[b], ref["best_path"])
        np.testing.assert_allclose(best[b], ref["best_score"], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(marg[b], ref["marginals"], atol=1e-5)


def test_brute_force_reference_is_a_distribution():
    """The reference itself: probabilities of all paths sum to one, written out independently."""
    rng = np.random.default_rng(7)
    em, tr, st, en = rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2)
    total = 0.0
    for y in itertools.product(range(2), repeat=3):
        s = st[y[0]] + em[0, y[0]] + tr[y[0], y[1]] + em[1, y[1]] + tr[y[1], y[2]] + em[2, y[2]] + en[y[2]]
        total += np.exp(s)
    assert np.isclose(np.log(total), brute_force(em, tr, st, en)["log_partition"])


def test_masked_frames_are_skipped_not_scored():
    """Changing emissions or tags at masked frames changes nothing; a hole joins its neighbours."""
    crf, em, tags, _ = make_case(3, 2, 6, 3, "none")
    mask = np.tile(np.array([False, True, False, True, True, False]), (2, 1))
    em2, tags2 = em.copy(), tags.copy()
    em2[:, [0, 2, 5]] += 10.0
    tags2[:, [0, 2, 5]] = (tags2[:, [0, 2, 5]] + 1) % 3
    for f in (lambda e, t: crf.log_likelihood(e, t, mask), lambda e, t: crf.log_partition(e, mask)):
        np.testing.assert_allclose(ops.convert_to_numpy(f(em, tags)), ops.convert_to_numpy(f(em2, tags2)),
                                   rtol=1e-6)
    # the same as the compacted sequence without the masked frames
    keep = mask[0]
    np.testing.assert_allclose(ops.convert_to_numpy(crf.log_likelihood(em, tags, mask)),
                               ops.convert_to_numpy(crf.log_likelihood(em[:, keep], tags[:, keep])), rtol=1e-6)


def test_all_masked_sequence_is_an_error_and_zero_inside_a_graph():
    crf, em, tags, _ = make_case(0, 2, 4, 2, "none")
    mask = np.array([[False] * 4, [True] * 4])
    for call in (lambda: crf.log_partition(em, mask), lambda: crf.loss(em, tags, mask),
                 lambda: crf.decode(em, mask), lambda: crf.marginals(em, mask)):
        with pytest.raises(ValueError, match=r"at least one unmasked frame; sequence\(s\) \[0\] have none"):
            call()
    tf = pytest.importorskip("tensorflow")
    if keras.config.backend() != "tensorflow":
        return
    graph = tf.function(lambda e, m: (crf.log_partition(e, m), crf.decode(e, m)))
    log_z, path = graph(tf.constant(em), tf.constant(mask))   # values unknown at trace time
    assert float(log_z[0]) == 0.0 and (path.numpy()[0] == -1).all()
    assert np.isfinite(float(log_z[1])) and (path.numpy()[1] >= 0).all()


VALIDATION = [
    ("rank", lambda em, tags, mask: (em[0], None, None), "emissions must have dimension of 3 (B, T, K), got 2"),
    ("tag_count", lambda em, tags, mask: (em[..., :2], None, None), "expected last dimension of emissions is 3, got 2"),
    ("tags_shape", lambda em, tags, mask: (em, tags[:, :-1], None),
     "the first two dimensions of emissions and tags must match, got (2, 5) and (2, 4)"),
    ("mask_shape", lambda em, tags, mask: (em, None, mask[0]),
     "the first two dimensions of emissions and mask must match, got (2, 5) and (5,)"),
    ("mask_batch", lambda em, tags, mask: (em, None, mask[:1]),
     "the first two dimensions of emissions and mask must match, got (2, 5) and (1, 5)"),
    ("empty_sequence", lambda em, tags, mask: (em, None, np.array([[True] * 5, [False] * 5])),
     "every sequence needs at least one unmasked frame; sequence(s) [1] have none"),
    ("tag_range", lambda em, tags, mask: (em, np.where(tags == 0, 3, tags), None),
     "tags must lie in [0, 3), got values from"),
    ("negative_tag", lambda em, tags, mask: (em, np.full_like(tags, -1), None),
     "tags must lie in [0, 3), got values from -1 to -1"),
]


@pytest.mark.parametrize("name,make,message", VALIDATION, ids=[v[0] for v in VALIDATION])
def test_inputs_are_validated_with_a_message(name, make, message):
    """pytorch-crf's _validate, message by message; every public method checks its inputs."""
    crf, em, tags, mask = make_case(4, 2, 5, 3, "none")
    tags[:, 0] = 0
    mask = np.ones((2, 5), bool)
    e, t, m = make(em, tags, mask)
    calls = [lambda: crf.log_likelihood(e, tags if t is None else t, m),
             lambda: crf.loss(e, tags if t is None else t, m)]
    if t is None:
        calls += [lambda: crf.log_partition(e, m), lambda: crf.decode(e, m),
                  lambda: crf.marginals(e, m), lambda: crf.viterbi(e, m)]
    for call in calls:
        with pytest.raises(ValueError) as err:
            call()
        assert message in str(err.value)


def test_masked_tags_are_not_range_checked():
    """Tags at masked frames are ignored, so any value there is allowed (like padding ids)."""
    crf, em, tags, _ = make_case(4, 2, 5, 3, "none")
    mask = np.ones((2, 5), bool)
    mask[:, -1] = False
    tags[:, -1] = 99
    assert np.isfinite(ops.convert_to_numpy(crf.loss(em, tags, mask, reduction="none"))).all()


def test_invalid_tag_count_and_reduction():
    with pytest.raises(ValueError, match="invalid number of tags: 0"):
        CRF(0)
    crf, em, tags, _ = make_case(0, 2, 4, 2, "none")
    with pytest.raises(ValueError, match="invalid reduction: 'max'"):
        crf.loss(em, tags, reduction="max")


def test_loss_is_positive_nll_and_reductions():
    crf, em, tags, mask = make_case(1, 4, 5, 2, "holes")
    per = ops.convert_to_numpy(crf.loss(em, tags, mask, reduction="none"))
    assert (per > 0).all()                                  # -log p of a path, p < 1
    assert np.isclose(float(crf.loss(em, tags, mask)), per.mean(), rtol=1e-6)
    assert np.isclose(float(crf.loss(em, tags, mask, reduction="sum")), per.sum(), rtol=1e-6)
    assert np.isclose(float(crf.loss(em, tags, mask, reduction="token_mean")), per.sum() / mask.sum(),
                      rtol=1e-6)


def test_viterbi_numpy_baseline_matches_layer():
    crf, em, _, _ = make_case(5, 6, 7, 3, "none")
    p = crf.numpy_params()
    ours = ops.convert_to_numpy(crf.decode(em))
    for b in range(6):
        np.testing.assert_array_equal(viterbi_numpy(em[b], p["transitions"], p["start"], p["end"]), ours[b])


def test_gradients_reach_emissions_and_transitions():
    tf = pytest.importorskip("tensorflow")
    if keras.config.backend() != "tensorflow":
        pytest.skip("gradient tape test written for the tensorflow backend")
    crf, em, tags, mask = make_case(2, 3, 5, 3, "holes")
    em_v = tf.Variable(em)
    with tf.GradientTape() as tape:
        loss = crf.loss(em_v, tags, mask)
    grads = tape.gradient(loss, [em_v, crf.transitions.value, crf.start_transitions.value,
                                 crf.end_transitions.value])
    for g in grads:
        assert g is not None and np.isfinite(g.numpy()).all() and np.abs(g.numpy()).sum() > 0
    g_em = grads[0].numpy()
    assert np.all(g_em[~mask] == 0)                          # masked frames receive no gradient
    # d NLL / d emissions = marginals - one_hot(tags), at unmasked frames
    marg = ops.convert_to_numpy(crf.marginals(em, mask))
    expected = (marg - np.eye(3)[tags] * mask[..., None]) / em.shape[0]
    np.testing.assert_allclose(g_em, expected, atol=1e-5)


def test_fit_on_toy_sequence_task_lowers_loss():
    """Tags are sticky (long runs); emissions are noisy: the CRF learns the transitions."""
    tf = pytest.importorskip("tensorflow")
    if keras.config.backend() != "tensorflow":
        pytest.skip("training loop written for the tensorflow backend")
    rng = np.random.default_rng(0)
    n, n_steps = 64, 12
    tags = np.zeros((n, n_steps), "int32")
    tags[:, 0] = rng.integers(0, 2, n)
    for t in range(1, n_steps):
        flip = rng.random(n) < 0.1
        tags[:, t] = np.where(flip, 1 - tags[:, t - 1], tags[:, t - 1])
    x = (tags[..., None] * 2.0 - 1.0 + rng.normal(scale=1.5, size=(n, n_steps, 1))).astype("float32")
    dense, crf = keras.layers.Dense(2), CRF(2)
    opt = keras.optimizers.Adam(0.05)
    losses = []
    for _ in range(40):
        with tf.GradientTape() as tape:
            loss = crf.loss(dense(x), tags)
        variables = dense.trainable_variables + crf.trainable_variables
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
        losses.append(float(loss))
    assert losses[-1] < 0.6 * losses[0]
    trans = ops.convert_to_numpy(crf.transitions)
    assert trans[0, 0] > trans[0, 1] and trans[1, 1] > trans[1, 0]   # learnt "stay" transitions
    acc = (ops.convert_to_numpy(crf.decode(dense(x))) == tags).mean()
    per_frame = ((x[..., 0] > 0) == tags).mean()           # the best frame-by-frame decision
    assert acc > per_frame + 0.03


def test_layer_in_functional_model_and_config():
    inp = keras.Input((6, 3))
    out = CRF(3, name="crf")(keras.layers.Dense(3)(inp))
    model = keras.Model(inp, out)
    y = model.predict(np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32"), verbose=0)
    assert y.shape == (2, 6, 3) and np.allclose(y.sum(-1), 1, atol=1e-5)
    assert CRF.from_config(model.get_layer("crf").get_config()).num_tags == 3


@pytest.mark.parametrize("seed,n_steps,k,mask_kind", [c for c in CASES if c[2] == 2 or c[2] == 3])
def test_constant_path_log_odds_and_log_marginals_against_brute_force(seed, n_steps, k, mask_kind):
    """s(x, all K-1) - s(x, all 0) is log p(all K-1 | x) - log p(all 0 | x) over enumerated
    paths, and the log-space marginals are the logs of the enumerated ones."""
    crf, em, _, mask = make_case(seed, 3, n_steps, k, mask_kind)
    p = crf.numpy_params()
    odds = ops.convert_to_numpy(crf.constant_path_log_odds(em, mask))
    logm = ops.convert_to_numpy(crf.marginals(em, mask, log=True))
    for b in range(em.shape[0]):
        mb = np.ones(n_steps, bool) if mask is None else mask[b]
        ref = brute_force(em[b], p["transitions"], p["start"], p["end"], mask=mb,
                          tags=np.full(n_steps, k - 1))
        ref0 = brute_force(em[b], p["transitions"], p["start"], p["end"], mask=mb,
                           tags=np.zeros(n_steps, int))
        np.testing.assert_allclose(odds[b], ref["log_likelihood"] - ref0["log_likelihood"],
                                   rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(logm[b][mb], np.log(ref["marginals"][mb]), atol=1e-4)
        assert (logm[b][~mb] == 0).all()


def test_log_odds_do_not_tie_where_marginals_saturate():
    """Emissions of a decided video saturate float32 marginals to exactly 1.0 (ties between
    videos); the constant-path log-odds and the log-space marginals keep them apart."""
    crf = CRF(2, use_boundary=False)                                # start = end = 0
    crf.transitions.assign(np.array([[5.0, -5.0], [-5.0, 5.0]], "float32"))
    em = np.zeros((4, 6, 2), "float32")
    em[..., 1] = np.array([20.0, 25.0, 30.0, 35.0])[:, None]       # four ever surer fakes
    marg = ops.convert_to_numpy(crf.marginals(em))[..., 1]
    assert (marg == 1.0).all()                                      # saturated: all tied
    odds = ops.convert_to_numpy(crf.constant_path_log_odds(em))
    np.testing.assert_allclose(odds, 6 * np.array([20.0, 25.0, 30.0, 35.0]), rtol=1e-6)
    logm = ops.convert_to_numpy(crf.marginals(em, log=True))
    frame = logm[..., 1] - logm[..., 0]
    assert len(np.unique(odds)) == 4 and np.all(np.diff(frame[:, 0]) > 0)
