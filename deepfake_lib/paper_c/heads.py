r"""Paper C's detector on Xception frame features: a BiLSTM, a CRF, and the baselines.

Notebook C2 ("The model") builds each piece; notebook C3 ("Evaluation") trains and compares
the three systems of the paper's Figure 9, and the end-to-end alternative, on the same
test videos:

============== =================================================================
``kind``       system
============== =================================================================
xception       Xception features -> fully connected layer, frame by frame (no time)
bilstm         features -> BiLSTM (directions summed) -> batch norm -> softmax per frame
bilstm_crf     **the paper's two stages**: the trained ``bilstm``'s per-frame
               probabilities -> a linear-chain CRF trained by maximum likelihood
bilstm_crf_e2e the alternative: features -> BiLSTM -> batch norm -> emissions -> CRF,
               one model trained end to end with the CRF likelihood
============== =================================================================

Training loss (paper C, formula 11):
:math:`L = L_{main} + \lambda L_{aux} + \mu \lVert\theta\rVert^2`. :math:`L_{main}` is the
per-frame cross-entropy (xception, bilstm) or the CRF negative log-likelihood divided by the
number of frames (bilstm_crf_e2e); :math:`L_{aux}` is the cross-entropy of an auxiliary
video-level classifier (binary: real or fake) on the masked mean of the normalised BiLSTM
outputs; :math:`\mu \lVert\theta\rVert^2` is the regularisation term, an L2 penalty on every
kernel (``l2`` = :math:`\mu`). Every frame carries its video's label. The CRF stage of
``bilstm_crf`` is fitted by maximum likelihood alone (the paper's "Maximum Likelihood
method"), the BiLSTM under it frozen.

Scores (probability of *fake*, label 1): softmax per frame; the CRF's posterior marginal
:math:`p(y_t = 1 | x)` (forward-backward) for the CRF systems. Hard frame decisions: argmax,
or the Viterbi path. **Video level**: score = mean of the frame scores over the video's
frames used, decided at 0.5; beside it the log-odds of :func:`log_odds_scores` (summed
logits, or the CRF's all-fake against all-real path), decided at 0.

Inputs of every system: ``(features, mask)`` with features float ``(B, T, F)`` and mask
``(B, T)`` (1 = the frame is used). The mask is how short videos and the paper's frame-level
7:3 split (a video's frames shared between train and test) reach the BiLSTM and the CRF.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from deepfake_lib.paper_c.crf import CRF
from deepfake_lib.paper_c.features import FEAT_DIM

#: The three systems of the paper's Figure 9, and the alternative the book also runs.
SYSTEMS = ("xception", "bilstm", "bilstm_crf")
ALTERNATIVES = ("bilstm_crf_e2e",)
#: How the two directions of the BiLSTM are fused: the paper's sum, or concatenation.
MERGES = ("sum", "concat")
#: Fits with at most this many optimiser steps run eagerly (see :func:`train_system`).
EAGER_MAX_STEPS = 20


def table4() -> dict:
    """Paper C's Table 4 (training settings), read from the claims ledger.

    Notebook C2, section "Table 4 settings". Keys: ``batch_size``, ``learning_rate``,
    ``optimizer``, ``pooling_size``, ``activation``, ``loss``, ``kernel_size``.
    """
    from deepfake_lib.claims.ledger import claims_by_id

    names = ("batch_size", "learning_rate", "optimizer", "pooling_size", "activation", "loss",
             "kernel_size")
    claims = claims_by_id()
    return {n: claims[f"C.table4.{n}"].value for n in names}


def _l2(l2: float):
    return keras.regularizers.L2(l2) if l2 else None


class _Scorer:
    """Frame and video scores from a model's ``probs`` (and Viterbi ``tags``) outputs, and
    the log-odds of :func:`log_odds_scores`."""

    def _scores(self, out: dict, mask: np.ndarray, crf: CRF | None = None) -> dict[str, np.ndarray]:
        score = np.where(mask, np.asarray(out["probs"])[..., 1], np.nan)
        if "tags" in out:
            pred = np.asarray(out["tags"]).astype(int)
        else:
            pred = np.where(mask, np.asarray(out["probs"]).argmax(-1), -1)
        return {"frame_score": score, "frame_pred": pred, **video_level(score, mask),
                **log_odds_scores(np.asarray(out["emissions"]), mask, crf)}


def log_odds_scores(emissions: np.ndarray, mask: np.ndarray, crf: CRF | None = None) -> dict:
    """Scores that do not saturate: log-odds, decided at 0 (ties: fake).

    Notebook C3, section "Coherent video scores for the CRF". Without a CRF (softmax
    systems): frame log-odds :math:`e_{t,1} - e_{t,0}` and the video's **summed-logit
    pooling** :math:`\sum_t (e_{t,1} - e_{t,0})` over its used frames. With a CRF: frame
    log-odds of its posterior marginals computed in log space (:meth:`CRF.marginals` with
    ``log=True``), and the video's :meth:`CRF.constant_path_log_odds`, the CRF's own
    log-odds of the all-fake against the all-real path.

    Parameters
    ----------
    emissions : float ``(V, T, 2)``; mask : bool ``(V, T)``; crf : the CRF or None

    Returns
    -------
    dict ``frame_log_odds`` ``(V, T)`` (NaN where masked), ``video_log_odds`` ``(V,)`` and
    ``video_log_odds_pred`` ``(V,)`` (NaN / -1 for a video with no used frame)
    """
    mask = np.asarray(mask, bool)
    em = np.asarray(emissions, "float32")
    has = mask.any(axis=1)
    if crf is None:
        frame = em[..., 1] - em[..., 0]
        video = np.where(mask, frame, 0.0).sum(axis=1)
    else:
        out = np.zeros(len(em)), np.zeros(mask.shape)
        if has.any():
            e, m = em[has], mask[has]
            lp = ops.convert_to_numpy(crf.marginals(e, m, log=True))
            out[1][has] = lp[..., 1] - lp[..., 0]
            out[0][has] = ops.convert_to_numpy(crf.constant_path_log_odds(e, m))
        video, frame = out
    video = np.where(has, video, np.nan)
    return {"frame_log_odds": np.where(mask, frame, np.nan), "video_log_odds": video,
            "video_log_odds_pred": np.where(has, (np.nan_to_num(video) >= 0).astype(int), -1)}


class TemporalHead(keras.Model, _Scorer):
    """``xception``, ``bilstm`` or ``bilstm_crf_e2e`` on given frame features.

    Notebook C2, section "The three systems".

    Parameters
    ----------
    kind : "xception", "bilstm" or "bilstm_crf_e2e"
    n_steps : int, sequence length ``T``
    feat_dim : int, feature size ``F`` (2048 for Xception)
    units : int, LSTM units per direction
    aux_weight : float, :math:`\\lambda` of formula 11
    temporal_kernel : tuple of int
        Kernel sizes of optional 1-D convolutions over time before the BiLSTM (``()`` = none;
        ``(3, 5)`` = two parallel branches, concatenated), the notebook's stand-in for the
        kernel-size experiment of the paper's Table 3.
    merge : "sum" (the paper: "the sum of forward and reversed outputs") or "concat"
    l2 : float, :math:`\\mu` of the regularisation term of formula 11

    ``call((features, mask))`` returns a dict: ``emissions`` ``(B, T, 2)`` logits/emissions,
    ``aux`` ``(B, 2)`` video logits (BiLSTM systems), and when not training ``probs``
    ``(B, T, 2)`` (softmax or CRF marginals) and, for bilstm_crf_e2e, ``tags`` ``(B, T)``.
    """

    KINDS = ("xception", "bilstm", "bilstm_crf_e2e")

    def __init__(self, kind: str, n_steps: int, feat_dim: int = FEAT_DIM, units: int = 64,
                 aux_weight: float = 0.3, temporal_kernel: tuple[int, ...] = (),
                 merge: str = "sum", l2: float = 1e-4, **kwargs):
        super().__init__(**kwargs)
        if kind not in self.KINDS:
            raise ValueError(f"unknown system {kind!r}; use one of {self.KINDS}"
                             + (" (bilstm_crf is trained by train_system)" if kind == "bilstm_crf" else ""))
        if merge not in MERGES:
            raise ValueError(f"unknown merge {merge!r}; use one of {MERGES}")
        self.settings = dict(kind=kind, n_steps=int(n_steps), feat_dim=int(feat_dim), units=int(units),
                             aux_weight=float(aux_weight), temporal_kernel=tuple(temporal_kernel),
                             merge=merge, l2=float(l2))
        self.kind, self.n_steps, self.feat_dim = kind, int(n_steps), int(feat_dim)
        self.aux_weight = float(aux_weight)
        reg = _l2(l2)
        self.convs = [keras.layers.Conv1D(units, k, padding="same", activation="relu",
                                          kernel_regularizer=reg) for k in temporal_kernel]
        if kind != "xception":
            lstm = keras.layers.LSTM(units, return_sequences=True, kernel_regularizer=reg,
                                     recurrent_regularizer=reg)
            self.bilstm = keras.layers.Bidirectional(lstm, merge_mode=merge)
            self.norm = keras.layers.BatchNormalization()
            self.aux = keras.layers.Dense(2, name="aux_classifier", kernel_regularizer=reg)
        self.emit = keras.layers.Dense(2, name="emissions", kernel_regularizer=reg)
        self.crf = CRF(2, name="crf") if kind == "bilstm_crf_e2e" else None

    def call(self, inputs, training=False):
        feats, mask = inputs
        mask = ops.cast(mask, "bool")
        x = ops.cast(feats, "float32")
        if len(self.convs) == 1:
            x = self.convs[0](x)
        elif self.convs:
            x = ops.concatenate([c(x) for c in self.convs], axis=-1)
        out = {}
        if self.kind != "xception":
            h = self.bilstm(x, mask=mask, training=training)
            h = self.norm(h, training=training, mask=mask)
            m = ops.cast(mask, h.dtype)[..., None]
            out["aux"] = self.aux(ops.sum(h * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0))
            x = h
        em = self.emit(x)
        out["emissions"] = em
        if not training:
            if self.crf is None:
                out["probs"] = ops.softmax(em, axis=-1)
            else:
                out["probs"] = self.crf.marginals(em, mask)
                out["tags"] = self.crf.decode(em, mask)
        return out

    def loss_terms(self, x, y, y_pred) -> dict:
        """The three terms of formula 11, unweighted: ``main``, ``aux`` (0 for xception) and
        ``l2`` (:math:`\mu \lVert\theta\rVert^2`, already multiplied by ``l2``); ``y`` int
        ``(B, T)``. Notebook C2, section "The loss (formula 11)"."""
        _, mask = x
        mask = ops.cast(mask, "bool")
        y = ops.cast(y, "int32")
        em = y_pred["emissions"]
        mf = ops.cast(mask, "float32")
        if self.crf is not None:
            main = self.crf.loss(em, y, mask, reduction="token_mean")
        else:
            ce = keras.losses.sparse_categorical_crossentropy(y, em, from_logits=True)
            main = ops.sum(ce * mf) / ops.maximum(ops.sum(mf), 1.0)
        aux = ops.zeros(())
        if self.kind != "xception":
            video_y = ops.cast(ops.max(ops.where(mask, y, ops.zeros_like(y)), axis=1), "int32")
            ce = keras.losses.sparse_categorical_crossentropy(video_y, y_pred["aux"], from_logits=True)
            has = ops.cast(ops.any(mask, axis=1), "float32")
            aux = ops.sum(ce * has) / ops.maximum(ops.sum(has), 1.0)
        l2 = ops.sum(self.losses) if self.losses else ops.zeros(())
        return {"main": main, "aux": aux, "l2": l2}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Formula 11: main loss + ``aux_weight`` x auxiliary loss + the L2 term."""
        t = self.loss_terms(x, y, y_pred)
        return t["main"] + self.aux_weight * t["aux"] + t["l2"]

    def dummy(self) -> tuple[np.ndarray, np.ndarray]:
        """A one-sequence input ``((1, T, F), (1, T))`` that builds the model."""
        return np.zeros((1, self.n_steps, self.feat_dim), "float32"), np.ones((1, self.n_steps), "float32")

    def predict_scores(self, feats: np.ndarray, mask: np.ndarray, batch_size: int = 64) -> dict[str, np.ndarray]:
        """Frame and video scores and decisions of features ``(V, T, F)`` under a bool mask
        ``(V, T)`` (the module docstring gives the aggregation). Notebook C3, section
        "Training the systems".

        Returns a dict with ``frame_score`` float ``(V, T)`` (p(fake), NaN where masked),
        ``frame_pred`` int ``(V, T)`` (-1 where masked), ``video_score`` float ``(V,)`` and
        ``video_pred`` int ``(V,)`` (NaN / -1 for a video with no used frame).
        """
        mask = np.asarray(mask, bool)
        out = self.predict((np.asarray(feats, "float32"), mask.astype("float32")),
                           batch_size=batch_size, verbose=0)
        return self._scores(out, mask, self.crf)


class ProbabilityCRF(keras.Model):
    """The CRF stage of the paper's two-stage ``bilstm_crf``: a linear-chain CRF whose inputs
    are a trained BiLSTM's per-frame probabilities. Notebook C2, section "The CRF on the
    BiLSTM's probabilities".

    The node feature functions are a dense map of the probabilities ``(B, T, 2)`` to the
    emissions (:math:`e_{t,k} = \\sum_j w_{kj} p_{t,j} + b_k`); the CRF adds the transition
    scores ("the model's correlation characteristic function and transition probabilities").
    The map starts as the identity (emissions = probabilities), so before training the CRF's
    decisions follow the BiLSTM's and maximum likelihood moves them from there.
    """

    def __init__(self, n_steps: int, **kwargs):
        super().__init__(**kwargs)
        self.settings = dict(n_steps=int(n_steps))
        self.n_steps = int(n_steps)
        self.node = keras.layers.Dense(2, name="node_features", kernel_initializer="identity")
        self.crf = CRF(2, name="crf")

    def call(self, inputs, training=False):
        probs, mask = inputs
        em = self.node(ops.cast(probs, "float32"))
        out = {"emissions": em}
        if not training:
            out["probs"] = self.crf.marginals(em, mask)
            out["tags"] = self.crf.decode(em, mask)
        return out

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The CRF's negative log-likelihood per frame (maximum likelihood)."""
        return self.crf.loss(y_pred["emissions"], y, ops.cast(x[1], "bool"), reduction="token_mean")

    def dummy(self) -> tuple[np.ndarray, np.ndarray]:
        """A one-sequence input ``((1, T, 2), (1, T))`` that builds the model."""
        return np.full((1, self.n_steps, 2), 0.5, "float32"), np.ones((1, self.n_steps), "float32")


class TwoStage(_Scorer):
    """``bilstm_crf`` as the paper describes it: a trained BiLSTM, then a CRF on its per-frame
    probabilities. Notebook C2, section "The CRF on the BiLSTM's probabilities"."""

    def __init__(self, bilstm: TemporalHead, crf_stage: ProbabilityCRF):
        self.bilstm, self.crf_stage, self.crf = bilstm, crf_stage, crf_stage.crf

    def stage_outputs(self, feats: np.ndarray, mask: np.ndarray, batch_size: int = 64) -> dict:
        """The CRF stage's outputs on the BiLSTM's probabilities: ``emissions`` ``(V, T, 2)``,
        ``probs`` (marginals) ``(V, T, 2)`` and ``tags`` (Viterbi) ``(V, T)``."""
        m = np.asarray(mask, bool).astype("float32")
        probs = self.bilstm.predict((np.asarray(feats, "float32"), m), batch_size=batch_size,
                                    verbose=0)["probs"]
        return self.crf_stage.predict((np.asarray(probs, "float32"), m), batch_size=batch_size,
                                      verbose=0)

    def predict_scores(self, feats: np.ndarray, mask: np.ndarray, batch_size: int = 64) -> dict[str, np.ndarray]:
        """As :meth:`TemporalHead.predict_scores`, the CRF's marginals and Viterbi path."""
        mask = np.asarray(mask, bool)
        return self._scores(self.stage_outputs(feats, mask, batch_size), mask, self.crf)


def build_system(kind: str, n_steps: int, feat_dim: int = FEAT_DIM, learning_rate: float | None = None,
                 **kwargs) -> TemporalHead | ProbabilityCRF:
    """A compiled :class:`TemporalHead` (Adam, Table 4's learning rate) built on one sequence;
    ``kind="crf_stage"`` gives the :class:`ProbabilityCRF` of the two-stage system.

    Notebook C2, section "The three systems". XLA is off: compiling the unrolled CRF loops
    costs more than it saves at these sizes, and the notebooks run with TensorFlow's op
    determinism, which XLA does not support.
    """
    lr = table4()["learning_rate"] if learning_rate is None else learning_rate
    model = ProbabilityCRF(n_steps) if kind == "crf_stage" else TemporalHead(kind, n_steps, feat_dim, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(lr), jit_compile=False)
    model(model.dummy(), training=True)
    return model


#: Compiled models kept for reuse across seeds and splits (see :func:`train_system`).
_TRAINERS: dict[tuple, keras.Model] = {}


def reinitialise(model: TemporalHead | ProbabilityCRF, seed: int) -> None:
    """Give ``model`` the initial weights a fresh build with ``seed`` would have, and a fresh
    optimiser state (Adam's moments and step counter back to zero, the learning rate kept).
    Notebook C3, section "Training the systems"."""
    keras.utils.set_random_seed(seed)
    fresh = type(model)(**model.settings)
    fresh(model.dummy(), training=True)
    model.set_weights(fresh.get_weights())
    for v in model.optimizer.variables:
        if not v.path.endswith("learning_rate"):
            v.assign(ops.zeros_like(v))


def _fit(kind: str, inputs: tuple, tags: np.ndarray, seed: int, epochs: int, batch_size: int,
         run_eagerly: bool | None, kwargs: dict):
    steps = epochs * -(-len(tags) // batch_size)
    eager = steps <= EAGER_MAX_STEPS if run_eagerly is None else run_eagerly
    key = (kind, inputs[0].shape[1:], eager, tuple(sorted(kwargs.items())))
    if key in _TRAINERS:
        model = _TRAINERS[key]
        reinitialise(model, seed)
    else:
        keras.utils.set_random_seed(seed)
        model = build_system(kind, inputs[0].shape[1], inputs[0].shape[2], **kwargs)
        model.run_eagerly = eager
        _TRAINERS[key] = model
    keras.utils.set_random_seed(seed)
    model.fit(inputs, tags, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return model


def train_system(kind: str, feats: np.ndarray, mask: np.ndarray, y: np.ndarray, *, seed: int = 0,
                 epochs: int = 10, batch_size: int | None = None, run_eagerly: bool | None = None,
                 bilstm: TemporalHead | None = None, **kwargs) -> TemporalHead | TwoStage:
    """Build (or reuse) and fit one system on the frames of ``mask``; every frame gets its
    video's label. Notebook C3, section "Training the systems".

    ``bilstm_crf`` is the paper's two stages: the BiLSTM (``bilstm``, or one trained here
    with ``seed``), frozen, then a :class:`ProbabilityCRF` fitted by maximum likelihood on its
    probabilities for the same training frames, with the same epochs and batch size.

    Tracing the BiLSTM and CRF training graph costs seconds, more than a small fit, so a
    compiled model of the same configuration is kept and reused: :func:`reinitialise` gives it
    the initial weights of a fresh model with ``seed`` and a fresh optimiser state first. The
    returned model is therefore only valid until the next call with the same configuration.

    Parameters
    ----------
    feats : float ``(V, T, F)``; mask : bool ``(V, T)``, the training frames; y : int ``(V,)``
    batch_size : int or None (Table 4's 32)
    run_eagerly : bool or None
        None: eager when the fit has at most :data:`EAGER_MAX_STEPS` optimiser steps, compiled
        (and reused) otherwise.
    kwargs : passed to :class:`TemporalHead` (units, aux_weight, temporal_kernel, merge, l2)
        and ``learning_rate``
    """
    batch_size = table4()["batch_size"] if batch_size is None else batch_size
    keep = mask.any(axis=1)
    feats, mask, y = feats[keep].astype("float32"), mask[keep], np.asarray(y)[keep]
    tags = np.repeat(y[:, None], feats.shape[1], axis=1).astype("int32")
    if kind != "bilstm_crf":
        return _fit(kind, (feats, mask.astype("float32")), tags, seed, epochs, batch_size, run_eagerly, kwargs)
    if bilstm is None:
        bilstm = _fit("bilstm", (feats, mask.astype("float32")), tags, seed, epochs, batch_size,
                      run_eagerly, kwargs)
    probs = bilstm.predict((feats, mask.astype("float32")), batch_size=64, verbose=0)["probs"]
    lr = {k: v for k, v in kwargs.items() if k == "learning_rate"}
    stage = _fit("crf_stage", (np.asarray(probs, "float32"), mask.astype("float32")), tags, seed,
                 epochs, batch_size, run_eagerly, lr)
    return TwoStage(bilstm, stage)


def standardize(feats: np.ndarray, train_mask: np.ndarray) -> np.ndarray:
    """Z-score every feature with the mean and sd of the training frames only.

    Notebook C3, section "Training the systems".

    Parameters
    ----------
    feats : float ``(V, T, F)``; train_mask : bool ``(V, T)``

    Returns
    -------
    float32 ``(V, T, F)`` (masked frames included; the heads ignore them)
    """
    ref = feats[train_mask]
    mu, sd = ref.mean(axis=0), ref.std(axis=0) + 1e-6
    return ((feats - mu) / sd).astype("float32")


def video_level(frame_score: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    """Video score = mean frame score; video decision = that score at 0.5 (ties: fake), so the
    decision comes from the score the ROC ranks by (frame decisions, argmax or Viterbi, do
    not vote for the video).

    Notebook C3, section "Training the systems".

    Parameters
    ----------
    frame_score : float ``(V, T)``; mask : bool ``(V, T)``

    Returns
    -------
    dict ``video_score`` float ``(V,)`` (NaN if no frame), ``video_pred`` int ``(V,)`` (-1 if none)
    """
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vs = np.where(n > 0, np.nansum(np.where(mask, frame_score, 0.0), axis=1) / np.maximum(n, 1), np.nan)
    return {"video_score": vs, "video_pred": np.where(n > 0, (vs >= 0.5).astype(int), -1)}


def crf_collapse(model: TwoStage, feats: np.ndarray, mask: np.ndarray) -> dict:
    """What a CRF learns from whole-video labels, measured on the videos of ``mask``.

    Every training frame carries its video's label, so no label change between frames is
    ever observed: maximum likelihood rewards staying (:math:`A_{00}, A_{11}`) over switching
    (:math:`A_{01}, A_{10}`) without bound. Once switching costs more than any frame's
    emissions can pay, Viterbi returns one of the two constant paths, and it picks the one
    of larger score :math:`s_k = \\mathrm{start}_k + \\sum_t e_{t,k} + (n-1) A_{kk} +
    \\mathrm{end}_k`: the CRF is then a summed per-frame logit pooling with a bias. Notebook
    C2, section "What the CRF learns from whole-video labels".

    Parameters
    ----------
    model : a trained ``bilstm_crf`` (:class:`TwoStage`); feats : float ``(V, T, F)``;
    mask : bool ``(V, T)``, the frames to decode (videos with none are left out)

    Returns
    -------
    dict with ``stay_minus_switch`` (:math:`A_{00} + A_{11} - A_{01} - A_{10}`), ``pairs``
    (neighbouring used frames), ``label_changes`` and ``change_share`` (changes of the
    Viterbi label between them), ``constant_videos`` (share decoded as one label) and
    ``pooling_agrees`` (share of videos whose decoded label, where constant, is the argmax
    of the two constant-path scores), over ``videos`` videos.
    """
    mask = np.asarray(mask, bool)
    keep = mask.any(axis=1)
    feats, mask = np.asarray(feats, "float32")[keep], mask[keep]
    out = model.stage_outputs(feats, mask)
    em, tags = np.asarray(out["emissions"], np.float64), np.asarray(out["tags"])
    p = model.crf.numpy_params()
    a = np.asarray(p["transitions"], np.float64)
    changes = pairs = constant = agree = 0
    for e, t, used in zip(em, tags, mask):
        path = t[used]
        pairs += len(path) - 1
        changes += int(np.sum(path[1:] != path[:-1]))
        if np.all(path == path[0]):
            constant += 1
            score = p["start"] + e[used].sum(axis=0) + (len(path) - 1) * np.diag(a) + p["end"]
            agree += int(np.argmax(score) == path[0])
    n = len(em)
    return {"stay_minus_switch": float(a[0, 0] + a[1, 1] - a[0, 1] - a[1, 0]),
            "transitions": a.round(4).tolist(), "videos": n, "pairs": int(pairs),
            "label_changes": int(changes), "change_share": changes / max(pairs, 1),
            "constant_videos": constant / max(n, 1), "pooling_agrees": agree / max(n, 1)}
