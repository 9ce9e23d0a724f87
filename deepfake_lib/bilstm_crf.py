r"""Paper C's detector: Xception frame features, a BiLSTM, a CRF, and the two baselines.

Notebook C2 ("The model") builds each piece; notebook C3 ("Evaluation") trains and compares
the three systems of the paper's Figure 9 on the same test videos:

========== =====================================================================
``kind``   system
========== =====================================================================
xception   Xception features -> fully connected layer, frame by frame (no time)
bilstm     features -> BiLSTM -> batch normalisation -> per-frame softmax
bilstm_crf features -> BiLSTM -> batch normalisation -> emissions -> linear-chain CRF
========== =====================================================================

Training loss (paper C, formula 11):
:math:`L = L_{main} + \lambda L_{aux}`. :math:`L_{main}` is the per-frame cross-entropy
(xception, bilstm) or the CRF negative log-likelihood divided by the number of frames
(bilstm_crf); :math:`L_{aux}` is the cross-entropy of an auxiliary video-level classifier on
the masked mean of the normalised BiLSTM outputs (the two BiLSTM systems; the frame
classifier has no hidden layer to attach it to). Every frame carries its video's label.

Scores (probability of *fake*, label 1): softmax per frame for xception and bilstm; the
CRF's posterior marginal :math:`p(y_t = 1 | x)` (forward-backward) for bilstm_crf. Hard
frame decisions: argmax, or the Viterbi path for bilstm_crf. **Video level**: score = mean
of the frame scores over the video's frames used; decision = majority of the frame
decisions (ties count as fake).

Inputs of every system: ``(features, mask)`` with features float ``(B, T, F)`` and mask
``(B, T)`` (1 = the frame is used). The mask is how short videos and the paper's frame-level
7:3 split (a video's frames shared between train and test) reach the BiLSTM and the CRF.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from .crf import CRF
from .paths import data_dir

SYSTEMS = ("xception", "bilstm", "bilstm_crf")
#: Paper C, Table 4 (the training settings the notebooks use by default).
TABLE4 = {"batch_size": 32, "learning_rate": 0.01, "optimizer": "Adam", "pooling": "2x2",
          "activation": "ReLU", "loss": "cross-entropy", "kernel_size": "3x3"}
FEAT_DIM = 2048
#: Fits with at most this many optimiser steps run eagerly (see :func:`train_system`).
EAGER_MAX_STEPS = 20


# --------------------------------------------------------------------------- Xception features
def xception_backbone(input_size: int = 299, backbone_weights: str | None = None,
                      seed: int = 0) -> keras.Model:
    """Xception without its top, global average pooling: image -> 2048-d feature.

    Notebook C2, section "Xception features".

    Parameters
    ----------
    input_size : int
        Side of the square input (>= 71, Xception's minimum; the paper's crops are 256).
    backbone_weights : None, "imagenet" or a path to a weights file
        ``None`` builds randomly initialised (untrained) weights, seeded by ``seed``;
        nothing is ever downloaded unless "imagenet" is asked for explicitly.
    seed : int
        Seed of the random initialisation (sets Keras' global seed).

    Returns
    -------
    keras.Model mapping float ``(N, input_size, input_size, 3)`` in [-1, 1] to ``(N, 2048)``.
    """
    if input_size < 71:
        raise ValueError(f"Xception needs input_size >= 71, got {input_size}")
    if backbone_weights not in (None, "imagenet") and not Path(backbone_weights).exists():
        raise FileNotFoundError(f"backbone_weights file {backbone_weights} does not exist")
    weights = "imagenet" if backbone_weights == "imagenet" else None
    if weights is None:
        keras.utils.set_random_seed(seed)
    model = keras.applications.Xception(weights=weights, include_top=False, pooling="avg",
                                        input_shape=(input_size, input_size, 3))
    if backbone_weights not in (None, "imagenet"):
        model.load_weights(str(backbone_weights))
    return model


def preprocess(frames: np.ndarray, input_size: int) -> np.ndarray:
    """uint8 RGB ``(N, S, S, 3)`` -> float32 ``(N, input_size, input_size, 3)`` in [-1, 1]
    (Xception's own preprocessing), resized when ``S != input_size``."""
    x = np.asarray(frames, dtype="float32")
    if x.shape[1] != input_size:
        x = ops.convert_to_numpy(ops.image.resize(x, (input_size, input_size), antialias=True))
    return x / 127.5 - 1.0


def extract_features(frames: np.ndarray, backbone: keras.Model, batch_size: int = 32) -> np.ndarray:
    """Xception features of frames.

    Parameters
    ----------
    frames : uint8 ``(N, S, S, 3)``
    backbone : the model of :func:`xception_backbone`
    batch_size : int

    Returns
    -------
    float32 ``(N, 2048)``
    """
    size = backbone.input_shape[1]
    out = [backbone.predict_on_batch(preprocess(frames[i:i + batch_size], size))
           for i in range(0, len(frames), batch_size)]
    return np.concatenate([np.asarray(o) for o in out]) if out else np.zeros((0, FEAT_DIM), "float32")


def _weights_tag(backbone_weights) -> str | None:
    if backbone_weights in (None, "imagenet"):
        return backbone_weights
    from .results import file_sha256
    return "sha256:" + file_sha256(backbone_weights)


def feature_cache_path(key: dict[str, Any]) -> Path:
    """``paths.data_dir()/"features"/<sha256 of the key>.npz`` for a dict of parameters."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    return data_dir() / "features" / f"{digest}.npz"


def sequence_features(X: np.ndarray, mask: np.ndarray, *, manifest_sha256: str, input_size: int,
                      backbone_weights: str | None = None, seed: int = 0, batch_size: int = 32,
                      extra: dict | None = None, cache: bool = True) -> tuple[np.ndarray, bool]:
    """Xception features of every used frame of a set of sequences, cached on disk.

    Notebook C2, section "Xception features". The cache key is the manifest's sha256, the
    crop shape ``(T, S)``, ``input_size``, the backbone weights (file sha256 for a path),
    ``seed`` (random backbones differ by seed) and ``extra`` (e.g. the split).

    Parameters
    ----------
    X : uint8 ``(V, T, S, S, 3)``; mask : bool ``(V, T)``

    Returns
    -------
    features : float32 ``(V, T, 2048)``, zeros at masked frames
    hit : bool, True when read from the cache
    """
    key = {"manifest": manifest_sha256, "shape": list(X.shape[1:3]), "n_videos": int(len(X)),
           "input_size": int(input_size), "weights": _weights_tag(backbone_weights), "seed": int(seed),
           "extra": extra or {}}
    path = feature_cache_path(key)
    if cache and path.exists():
        with np.load(path) as z:
            return z["features"], True
    backbone = xception_backbone(input_size, backbone_weights, seed)
    feats = np.zeros(X.shape[:2] + (FEAT_DIM,), "float32")
    feats[mask] = extract_features(X[mask], backbone, batch_size)
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, features=feats)
        os.replace(tmp, path)
    return feats, False


# --------------------------------------------------------------------------- splits
def frame_split(mask: np.ndarray, train_frac: float = 0.7, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Paper C's split as written: all frame images pooled and divided at random 7:3.

    Notebook C1, section "Two splits". Every video keeps its frames in order; a frame is either
    in train or in test, so most videos have frames on both sides.

    Parameters
    ----------
    mask : bool ``(V, T)``, the frames that exist

    Returns
    -------
    train_mask, test_mask : bool ``(V, T)``, disjoint, their union is ``mask``
    """
    rng = np.random.default_rng(seed)
    idx = np.flatnonzero(mask.ravel())
    n_train = int(round(train_frac * idx.size))
    chosen = rng.permutation(idx)[:n_train]
    train = np.zeros(mask.size, bool)
    train[chosen] = True
    train = train.reshape(mask.shape)
    return train, mask & ~train


def video_split(mask: np.ndarray, splits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Video-disjoint split from the manifest (``train`` and ``val`` -> train, ``test`` -> test).

    Parameters
    ----------
    mask : bool ``(V, T)``; splits : str ``(V,)``

    Returns
    -------
    train_mask, test_mask : bool ``(V, T)``
    """
    splits = np.asarray(splits)
    is_test = (splits == "test")[:, None]
    return mask & ~is_test, mask & is_test


def leaked_test_frames(train_mask: np.ndarray, test_mask: np.ndarray) -> int:
    """Number of test frames whose video also has frames in train (notebook C1)."""
    return int(test_mask[train_mask.any(axis=1)].sum())


# --------------------------------------------------------------------------- the three systems
class TemporalHead(keras.Model):
    """One of the :data:`SYSTEMS` on given frame features (notebook C2, "The three systems").

    Parameters
    ----------
    kind : "xception", "bilstm" or "bilstm_crf"
    n_steps : int, sequence length ``T``
    feat_dim : int, feature size ``F`` (2048 for Xception)
    units : int, LSTM units per direction
    aux_weight : float, :math:`\\lambda` of formula 11
    temporal_kernel : tuple of int
        Kernel sizes of optional 1-D convolutions over time before the BiLSTM (``()`` = none;
        ``(3, 5)`` = two parallel branches, concatenated), the notebook's stand-in for the
        kernel-size experiment of Table 2.

    ``call((features, mask))`` returns a dict: ``emissions`` ``(B, T, 2)`` logits/emissions,
    ``aux`` ``(B, 2)`` video logits (BiLSTM systems), and when not training ``probs``
    ``(B, T, 2)`` (softmax or CRF marginals) and, for bilstm_crf, ``tags`` ``(B, T)`` Viterbi.
    """

    def __init__(self, kind: str, n_steps: int, feat_dim: int = FEAT_DIM, units: int = 64,
                 aux_weight: float = 0.3, temporal_kernel: tuple[int, ...] = (), **kwargs):
        super().__init__(**kwargs)
        if kind not in SYSTEMS:
            raise ValueError(f"unknown system {kind!r}; use one of {SYSTEMS}")
        self.kind, self.n_steps, self.feat_dim = kind, int(n_steps), int(feat_dim)
        self.units, self.aux_weight, self.temporal_kernel = int(units), float(aux_weight), tuple(temporal_kernel)
        self.convs = [keras.layers.Conv1D(units, k, padding="same", activation="relu")
                      for k in self.temporal_kernel]
        if kind != "xception":
            self.bilstm = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True))
            self.norm = keras.layers.BatchNormalization()
            self.aux = keras.layers.Dense(2, name="aux_classifier")
        self.emit = keras.layers.Dense(2, name="emissions")
        self.crf = CRF(2, name="crf") if kind == "bilstm_crf" else None

    def call(self, inputs, training=False):
        feats, mask = inputs
        mask = ops.cast(mask, "bool")
        x = ops.cast(feats, "float32")
        if self.convs:
            x = ops.concatenate([c(x) for c in self.convs], axis=-1) if len(self.convs) > 1 else self.convs[0](x)
        out = {}
        if self.kind != "xception":
            h = self.bilstm(x, mask=mask, training=training)
            h = self.norm(h, training=training, mask=mask)
            m = ops.cast(mask, h.dtype)[..., None]
            pooled = ops.sum(h * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)
            out["aux"] = self.aux(pooled)
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

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Formula 11: main loss + ``aux_weight`` x auxiliary loss. ``y`` int ``(B, T)``."""
        feats, mask = x
        mask = ops.cast(mask, "bool")
        y = ops.cast(y, "int32")
        em = y_pred["emissions"]
        mf = ops.cast(mask, "float32")
        n = ops.maximum(ops.sum(mf), 1.0)
        if self.crf is not None:
            main = self.crf.loss(em, y, mask, reduction="token_mean")
        else:
            ce = keras.losses.sparse_categorical_crossentropy(y, em, from_logits=True)
            main = ops.sum(ce * mf) / n
        loss = main
        if self.kind != "xception" and self.aux_weight:
            video_y = ops.cast(ops.max(ops.where(mask, y, ops.zeros_like(y)), axis=1), "int32")
            aux = keras.losses.sparse_categorical_crossentropy(video_y, y_pred["aux"], from_logits=True)
            has = ops.cast(ops.any(mask, axis=1), "float32")
            loss = loss + self.aux_weight * ops.sum(aux * has) / ops.maximum(ops.sum(has), 1.0)
        return loss + ops.sum(self.losses) if self.losses else loss

    def predict_scores(self, feats: np.ndarray, mask: np.ndarray, batch_size: int = 64) -> dict[str, np.ndarray]:
        """Frame and video scores and decisions (module docstring for the aggregation).

        Parameters
        ----------
        feats : float ``(V, T, F)``; mask : bool ``(V, T)``

        Returns
        -------
        dict with ``frame_score`` float ``(V, T)`` (p(fake), NaN where masked), ``frame_pred``
        int ``(V, T)`` (-1 where masked), ``video_score`` float ``(V,)``, ``video_pred`` int
        ``(V,)`` (NaN / -1 for a video with no used frame).
        """
        mask = np.asarray(mask, bool)
        out = self.predict((np.asarray(feats, "float32"), mask.astype("float32")),
                           batch_size=batch_size, verbose=0)
        score = np.where(mask, out["probs"][..., 1], np.nan)
        if self.crf is not None:
            pred = np.asarray(out["tags"]).astype(int)
        else:
            pred = np.where(mask, out["probs"].argmax(-1), -1)
        return {"frame_score": score, "frame_pred": pred, **video_level(score, pred, mask)}


def video_level(frame_score: np.ndarray, frame_pred: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    """Video score = mean frame score; video decision = majority of frame decisions (ties: fake).

    Parameters
    ----------
    frame_score : float ``(V, T)``; frame_pred : int ``(V, T)``; mask : bool ``(V, T)``

    Returns
    -------
    dict ``video_score`` float ``(V,)`` (NaN if no frame), ``video_pred`` int ``(V,)`` (-1 if none)
    """
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vs = np.where(n > 0, np.nansum(np.where(mask, frame_score, 0.0), axis=1) / np.maximum(n, 1), np.nan)
        frac = ((frame_pred == 1) & mask).sum(axis=1) / np.maximum(n, 1)
    return {"video_score": vs, "video_pred": np.where(n > 0, (frac >= 0.5).astype(int), -1)}


def build_system(kind: str, n_steps: int, feat_dim: int = FEAT_DIM, units: int = 64,
                 aux_weight: float = 0.3, learning_rate: float = TABLE4["learning_rate"],
                 temporal_kernel: tuple[int, ...] = ()) -> TemporalHead:
    """A compiled :class:`TemporalHead` (Adam, Table 4's learning rate), built on ``(1, T, F)``.

    XLA is off: compiling the unrolled CRF loops costs more than it saves at these sizes, and
    the notebooks run with TensorFlow's op determinism, which XLA does not support.
    """
    model = TemporalHead(kind, n_steps, feat_dim, units, aux_weight, temporal_kernel)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), jit_compile=False)
    model((np.zeros((1, n_steps, feat_dim), "float32"), np.ones((1, n_steps), "float32")), training=True)
    return model


#: Compiled models kept for reuse across seeds and splits (see :func:`train_system`).
_TRAINERS: dict[tuple, TemporalHead] = {}


def reinitialise(model: TemporalHead, seed: int) -> None:
    """Give ``model`` the initial weights a fresh build with ``seed`` would have, and a fresh
    optimiser state (Adam's moments and step counter back to zero, the learning rate kept)."""
    keras.utils.set_random_seed(seed)
    fresh = TemporalHead(model.kind, model.n_steps, model.feat_dim, model.units, model.aux_weight,
                         model.temporal_kernel)
    fresh((np.zeros((1, model.n_steps, model.feat_dim), "float32"),
           np.ones((1, model.n_steps), "float32")), training=True)
    model.set_weights(fresh.get_weights())
    for v in model.optimizer.variables:
        if not v.path.endswith("learning_rate"):
            v.assign(ops.zeros_like(v))


def train_system(kind: str, feats: np.ndarray, mask: np.ndarray, y: np.ndarray, *, seed: int = 0,
                 epochs: int = 10, batch_size: int = TABLE4["batch_size"], run_eagerly: bool | None = None,
                 **kwargs) -> TemporalHead:
    """Build (or reuse) and fit one system on the frames of ``mask``; every frame gets its
    video's label. Notebook C3, section "Training the three systems".

    Tracing the BiLSTM and CRF training graph costs seconds, more than a small fit, so a
    compiled model of the same configuration is kept and reused: :func:`reinitialise` gives it
    the initial weights of a fresh model with ``seed`` and a fresh optimiser state first. The
    returned model is therefore only valid until the next call with the same configuration.

    Parameters
    ----------
    feats : float ``(V, T, F)``; mask : bool ``(V, T)``, the training frames; y : int ``(V,)``
    run_eagerly : bool or None
        None: eager when the fit has at most :data:`EAGER_MAX_STEPS` optimiser steps, compiled
        (and reused) otherwise.
    kwargs : passed to :func:`build_system` (units, aux_weight, learning_rate, temporal_kernel)
    """
    keep = mask.any(axis=1)
    feats, mask, y = feats[keep], mask[keep], np.asarray(y)[keep]
    steps = epochs * -(-len(feats) // batch_size)
    eager = steps <= EAGER_MAX_STEPS if run_eagerly is None else run_eagerly
    key = (kind, feats.shape[1], feats.shape[2], eager, tuple(sorted(kwargs.items())))
    if key in _TRAINERS:
        model = _TRAINERS[key]
        reinitialise(model, seed)
    else:
        keras.utils.set_random_seed(seed)
        model = build_system(kind, feats.shape[1], feats.shape[2], **kwargs)
        model.run_eagerly = eager
        _TRAINERS[key] = model
    keras.utils.set_random_seed(seed)
    tags = np.repeat(y[:, None], feats.shape[1], axis=1).astype("int32")
    model.fit((feats.astype("float32"), mask.astype("float32")), tags, batch_size=batch_size,
              epochs=epochs, shuffle=True, verbose=0)
    return model


def standardize(feats: np.ndarray, train_mask: np.ndarray) -> np.ndarray:
    """Z-score every feature with the mean and sd of the training frames only.

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


def evaluate_split(feats: np.ndarray, y: np.ndarray, train_mask: np.ndarray, test_mask: np.ndarray, *,
                   kinds=SYSTEMS, seeds=(0,), epochs: int = 10, **kwargs):
    """Train every system on ``train_mask`` for every seed; score the frames of ``test_mask``.

    Notebook C3, section "Training the three systems". Features are standardised with the
    training frames' statistics (:func:`standardize`).

    Parameters
    ----------
    feats : float ``(V, T, F)``; y : int ``(V,)``; train_mask, test_mask : bool ``(V, T)``
    kwargs : passed to :func:`train_system`

    Returns
    -------
    table : pandas.DataFrame, one row per (seed, system, level) with
        :func:`deepfake_lib.metrics.binary_metrics` and ``score_metrics`` columns
    scores : dict ``(seed, system, level) -> (y_true, score)``, 1-D arrays over test frames
        (level "frame") or test videos (level "video")
    """
    import pandas as pd

    from .metrics import binary_metrics, score_metrics

    y = np.asarray(y)
    x = standardize(feats, train_mask)
    keep = test_mask.any(axis=1)
    m = test_mask[keep]
    yf = np.repeat(y[keep][:, None], feats.shape[1], axis=1)[m]
    rows, scores = [], {}
    for seed in seeds:
        for kind in kinds:
            model = train_system(kind, x, train_mask, y, seed=seed, epochs=epochs, **kwargs)
            out = model.predict_scores(x[keep], m)
            for level, yt, sc, pr in (("frame", yf, out["frame_score"][m], out["frame_pred"][m]),
                                      ("video", y[keep], out["video_score"], out["video_pred"])):
                rows.append({"seed": seed, "system": kind, "level": level, "n": int(yt.size),
                             **binary_metrics(yt, pr), **score_metrics(yt, sc)})
                scores[(seed, kind, level)] = (yt, sc)
    return pd.DataFrame(rows), scores


def frame_difference_auc(feats: np.ndarray, mask: np.ndarray, y: np.ndarray, train_videos: np.ndarray,
                         test_videos: np.ndarray, seed: int = 0) -> float:
    """Test AUC of a diagnostic baseline: logistic regression on each video's mean absolute
    change of the features between consecutive used frames (notebook C3, "Is there a temporal
    signal?"). Not one of the paper's systems: it asks whether the features change from frame
    to frame differently in fakes, the signal a temporal model is meant to find.

    Parameters
    ----------
    feats : float ``(V, T, F)``; mask : bool ``(V, T)``; y : int ``(V,)``
    train_videos, test_videos : bool ``(V,)``
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    both = mask[:, 1:] & mask[:, :-1]
    d = np.abs(np.diff(feats, axis=1)) * both[..., None]
    d = d.sum(axis=1) / np.maximum(both.sum(axis=1), 1)[:, None]
    mu, sd = d[train_videos].mean(axis=0), d[train_videos].std(axis=0) + 1e-12
    clf = LogisticRegression(C=0.01, max_iter=2000, random_state=seed)
    clf.fit((d[train_videos] - mu) / sd, y[train_videos])
    return float(roc_auc_score(y[test_videos], clf.predict_proba((d[test_videos] - mu) / sd)[:, 1]))


def difference_ci(y_true: np.ndarray, score_a: np.ndarray, score_b: np.ndarray, metric,
                  n_boot: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """``metric(a) - metric(b)`` on the same examples and its paired bootstrap interval.

    Returns ``(difference, ci_low, ci_high)``; uses :func:`deepfake_lib.stats.paired_bootstrap_ci`.
    """
    from .stats import paired_bootstrap_ci

    both = np.stack([score_a, score_b], axis=1)

    def diff(yt, s):
        return metric(yt, s[:, 0]) - metric(yt, s[:, 1])

    lo, hi = paired_bootstrap_ci(y_true, both, diff, n_boot=n_boot, seed=seed)
    return float(diff(np.asarray(y_true), both)), lo, hi


def verdict(lo: float, hi: float) -> bool | None:
    """A claim "A > B" from the interval of A - B: True above 0, False below 0, None if it spans 0."""
    if not np.isfinite(lo) or not np.isfinite(hi):
        return None
    return True if lo > 0 else (False if hi < 0 else None)


def auc_ranking(y_true: np.ndarray, score_a: np.ndarray, score_b: np.ndarray, n_boot: int = 1000,
                seed: int = 0) -> dict[str, Any]:
    """Evidence for "system A has a higher AUC than system B" on the same test examples.

    Notebook C3, "Does the ranking of Figure 9 hold?". ``holds`` is :func:`verdict` of the
    paired bootstrap interval of AUC(A) - AUC(B), except that it is None (inconclusive) when
    neither system's AUC interval lies above 0.5: a ranking of two detectors that do not beat
    chance says nothing about the paper's claim.

    Returns
    -------
    dict with ``diff``, ``ci`` (of the difference), ``auc_a``, ``auc_b`` (each ``[auc, lo, hi]``),
    ``above_chance`` and ``holds``.
    """
    from sklearn.metrics import roc_auc_score

    from .stats import paired_bootstrap_ci

    d, lo, hi = difference_ci(y_true, score_a, score_b, roc_auc_score, n_boot=n_boot, seed=seed)
    aucs = {}
    for name, sc in (("auc_a", score_a), ("auc_b", score_b)):
        a_lo, a_hi = paired_bootstrap_ci(y_true, sc, roc_auc_score, n_boot=n_boot, seed=seed)
        aucs[name] = [float(roc_auc_score(y_true, sc)), a_lo, a_hi]
    above = bool(max(aucs["auc_a"][1], aucs["auc_b"][1]) > 0.5)
    return {"diff": d, "ci": [lo, hi], **aucs, "above_chance": above,
            "holds": verdict(lo, hi) if above else None}


def plot_rocs(ax, scores: dict, seed: int, level: str, title: str = "") -> None:
    """ROC curves of the three systems (paper C, Figure 9's colours) on one axis."""
    from sklearn.metrics import roc_auc_score, roc_curve

    style = {"xception": ("tab:blue", (0, (4, 2))), "bilstm": ("gold", "-"), "bilstm_crf": ("green", "-")}
    for kind in SYSTEMS:
        if (seed, kind, level) not in scores:
            continue
        yt, sc = scores[(seed, kind, level)]
        fpr, tpr, _ = roc_curve(yt, sc)
        color, ls = style[kind]
        ax.plot(fpr, tpr, color=color, ls=ls, lw=2, label=f"{kind} (AUC {roc_auc_score(yt, sc):.3f})")
    ax.plot([0, 1], [0, 1], "r:", lw=1)
    ax.set(xlabel="false positive rate (real called fake)", ylabel="true positive rate (fake caught)",
           title=title)
    ax.legend(loc="lower right", fontsize=8)


def compare_detectors(video_paths, n_frames: int, det_size: int = 320) -> "pd.DataFrame":
    """MTCNN vs a cascade detector on the same frames (notebook C1, "Which face detector").

    The cascade is OpenCV's LBP frontal-face cascade, run by scikit-image (OpenCV 5 no longer
    ships cascade files or the ``CascadeClassifier``). Both detectors see the same evenly
    spaced frames, downscaled so the longer side is ``det_size``. Per detector: share of frames
    with a face, frames/s (detection only), and the share of frames whose largest box overlaps
    MTCNN's with IoU >= 0.5.

    Returns
    -------
    pandas.DataFrame indexed by detector
    """
    import cv2
    import pandas as pd
    from skimage import data as skdata
    from skimage import feature

    from . import faces

    frames = []
    for p in video_paths:
        frames += faces.read_frames(p, n_frames)[0]
    small = []
    for f in frames:
        s = min(1.0, det_size / max(f.shape[:2]))
        small.append(cv2.resize(f, None, fx=s, fy=s, interpolation=cv2.INTER_AREA))
    faces.detect_largest(small[:1], det_size)                  # warm-up (graph tracing)
    t0 = time.perf_counter()
    mt = faces.detect_largest(small, det_size)
    t_mt = time.perf_counter() - t0
    cascade = feature.Cascade(skdata.lbp_frontal_face_cascade_filename())
    cb = np.full((len(small), 4), np.nan)
    t0 = time.perf_counter()
    for i, f in enumerate(small):
        grey = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype("float64") / 255.0
        found = cascade.detect_multi_scale(img=grey, scale_factor=1.2, step_ratio=1, min_size=(24, 24),
                                           max_size=grey.shape)
        if found:
            b = max(found, key=lambda d: d["width"] * d["height"])
            cb[i] = [b["c"], b["r"], b["c"] + b["width"], b["r"] + b["height"]]
    t_cas = time.perf_counter() - t0
    return pd.DataFrame({
        "frames": [len(small)] * 2,
        "detection_rate": [float(np.mean(~np.isnan(mt[:, 0]))), float(np.mean(~np.isnan(cb[:, 0])))],
        "agrees_with_mtcnn": [1.0, float(np.mean(_iou(mt, cb) >= 0.5))],
        "fps": [len(small) / t_mt, len(small) / t_cas]}, index=["MTCNN", "LBP cascade"])


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of matching rows of two ``(N, 4)`` box arrays (0 where either is NaN)."""
    x1, y1 = np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])
    x2, y2 = np.minimum(a[:, 2], b[:, 2]), np.minimum(a[:, 3], b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = lambda r: (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])  # noqa: E731
    with np.errstate(invalid="ignore"):
        out = inter / (area(a) + area(b) - inter)
    return np.nan_to_num(out, nan=0.0)


# --------------------------------------------------------------------------- timing
def pipeline_fps(video_path, model: TemporalHead, backbone: keras.Model, n_frames: int,
                 crop_size: int, repeats: int = 1) -> dict[str, float]:
    """Frames/s of the whole uncached pipeline on one video: decode + MTCNN + crop + Xception + head.

    Notebook C3, section "The real-time claim". Uses the face pipeline's own steps
    (:func:`deepfake_lib.faces.read_frames`, ``detect_largest``, ``square_crop``) without its
    cache, so every stage really runs. The head reads the video's frames as sequences of
    ``model.n_steps`` frames (the last one padded and masked). Returns seconds per stage and
    frames/s overall.
    """
    from . import faces

    t = {"decode": 0.0, "mtcnn_crop": 0.0, "xception": 0.0, "head": 0.0}
    n_done = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        frames, _ = faces.read_frames(video_path, n_frames)
        t1 = time.perf_counter()
        boxes, _ = faces.fill_missing(faces.detect_largest(frames))
        crops = np.stack([faces.square_crop(f, b, crop_size) for f, b in zip(frames, boxes)])
        t2 = time.perf_counter()
        feats = extract_features(crops, backbone)
        t3 = time.perf_counter()
        T, n = model.n_steps, len(feats)
        k = -(-n // T)                                    # sequences of T frames, last one padded
        f = np.zeros((k * T, feats.shape[1]), "float32")
        f[:n] = feats
        m = (np.arange(k * T) < n).reshape(k, T)
        model.predict_scores(f.reshape(k, T, -1), m)
        t4 = time.perf_counter()
        for k, dt in zip(t, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            t[k] += dt
        n_done += len(frames)
    total = sum(t.values())
    return {"frames": n_done, **{f"{k}_s": v for k, v in t.items()}, "fps": n_done / total}


def head_fps(model: TemporalHead, batch: int = 32, repeats: int = 3, seed: int = 0) -> float:
    """Frames/s of a system's head alone on random features ``(batch, T, F)`` (warm, compiled)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(batch, model.n_steps, model.feat_dim)).astype("float32")
    m = np.ones((batch, model.n_steps), bool)
    model.predict_scores(f, m, batch_size=batch)
    t0 = time.perf_counter()
    for _ in range(repeats):
        model.predict_scores(f, m, batch_size=batch)
    return batch * model.n_steps * repeats / (time.perf_counter() - t0)


# --------------------------------------------------------------------------- the paper's tables
def f1_from(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (paper C, formula 21)."""
    return 2 * precision * recall / (precision + recall)


def precision_from(f1: float, recall: float) -> float:
    """Precision implied by an F1 and a recall (inverse of :func:`f1_from`)."""
    return f1 * recall / (2 * recall - f1)


def implied_prevalence(accuracy: float, precision: float, recall: float) -> float:
    """Share of positives a test set must have for (accuracy, precision, recall) to hold.

    Errors per example = FN + FP = p (1 - R) + p R (1 - P) / P, so
    p = (1 - accuracy) / ((1 - R) + R (1 - P) / P). Notebook C3, "Tables cross-checked".
    """
    return (1 - accuracy) / ((1 - recall) + recall * (1 - precision) / precision)
