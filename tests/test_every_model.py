"""Every model of the three papers, and the CRF, through one test (as timm tests its models).

Each model is built small, run forward on a random batch, differentiated through its own
training loss, and must: give the output shape its docstring states, no NaN in the output or
the loss, a gradient for every trainable weight, and no gradient that is NaN or everywhere
zero; each within a time limit.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from deepfake_lib.paper_a import models as A  # noqa: E402
from deepfake_lib.paper_a import training as A_training  # noqa: E402
from deepfake_lib.paper_b import cnn_rnn as B  # noqa: E402
from deepfake_lib.paper_c import crf as C_crf  # noqa: E402
from deepfake_lib.paper_c import heads as C  # noqa: E402

#: Seconds one case may take on 2 CPU cores (build, forward and backward).
TIME_LIMIT = 60
RNG = np.random.default_rng(0)


def _paper_a(model: str, reading: str):
    net = A_training.compile_model(A.build_model(model, reading, image_size=32, dropout=0.25))
    x = RNG.integers(0, 256, (2, 32, 32, 3)).astype("float32")
    y = np.array([[0.0], [1.0]], "float32")
    return net, x, y, (2, 1)


def _paper_b(separable: bool):
    net = B.build_model(4, 32, filters=8, rnn_units=8, separable=separable)
    x = RNG.normal(size=(2, 4, 32, 32, 3)).astype("float32")
    y = np.array([[0.0], [1.0]], "float32")
    return net, x, y, (2, 1)


def _paper_c(kind: str):
    T = 6
    net = C.build_system(kind, T, feat_dim=16) if kind != "crf_stage" else C.build_system(kind, T)
    feats = RNG.normal(size=(2, T, 16 if kind != "crf_stage" else 2)).astype("float32")
    if kind == "crf_stage":
        feats = np.abs(feats) / np.abs(feats).sum(-1, keepdims=True)
    mask = np.ones((2, T), "float32")
    mask[1, 4:] = 0                                   # a shorter second sequence
    y = np.stack([np.zeros(T, "int32"), np.ones(T, "int32")])
    return net, (feats, mask), y, (2, T, 2)


CASES = ([(f"A.{m}.{r}", _paper_a, (m, r)) for m in A.MODELS for r in A.READINGS]
         + [(f"B.cnn_rnn.{'separable' if s else 'conv'}", _paper_b, (s,)) for s in (True, False)]
         + [(f"C.{k}", _paper_c, (k,)) for k in (*C.TemporalHead.KINDS, "crf_stage")])


def _output(out):
    """The tensor whose shape the docstring states: the model output, or ``emissions``."""
    return out["emissions"] if isinstance(out, dict) else out


@pytest.mark.slow
@pytest.mark.parametrize("name,make,args", CASES, ids=[c[0] for c in CASES])
def test_forward_backward_every_weight_learns(name, make, args):
    keras.utils.set_random_seed(0)
    t0 = time.perf_counter()
    net, x, y, shape = make(*args)
    with tf.GradientTape() as tape:
        out = net(x, training=True)
        loss = net.compute_loss(x=x, y=y, y_pred=out)
    grads = tape.gradient(loss, net.trainable_variables)
    assert tuple(_output(out).shape) == shape, f"{name}: output {tuple(_output(out).shape)}, expected {shape}"
    assert np.isfinite(np.asarray(_output(out))).all() and np.isfinite(float(loss)), f"{name}: NaN"
    assert net.trainable_variables, f"{name}: no trainable weight"
    missing = [v.path for v, g in zip(net.trainable_variables, grads) if g is None]
    assert not missing, f"{name}: no gradient reaches {missing}"
    bad = [v.path for v, g in zip(net.trainable_variables, grads) if not np.isfinite(np.asarray(g)).all()]
    assert not bad, f"{name}: non-finite gradient in {bad}"
    dead = [v.path for v, g in zip(net.trainable_variables, grads) if not np.any(np.asarray(g))]
    assert not dead, f"{name}: gradient identically zero in {dead}"
    assert time.perf_counter() - t0 < TIME_LIMIT, f"{name}: over {TIME_LIMIT} s"


def test_crf_layer_forward_backward():
    crf = C_crf.CRF(3)
    em = tf.Variable(RNG.normal(size=(2, 5, 3)).astype("float32"))
    tags = np.array([[0, 1, 2, 1, 0], [2, 2, 1, 0, 0]], "int32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    with tf.GradientTape() as tape:
        nll = crf.loss(em, tags, mask)
    grads = tape.gradient(nll, [em, *crf.trainable_variables])
    assert np.isfinite(float(nll)) and all(g is not None and np.any(np.asarray(g)) for g in grads)
    assert np.asarray(crf.decode(em, mask)).shape == (2, 5)
