"""Xception features of face crops (paper C, section "Feature extraction"), and a
face-trained stand-in.

Notebook C2, section "Xception features": the backbone, its input size (the Keras
default of 299 px; the paper gives only its 256 x 256 crops) and the per-video cache.
Notebook C2, section "A face-trained feature beside it": MTCNN's O-Net, whose trained
weights ship inside the installed ``mtcnn`` package, read at its penultimate 256-d layer on
48 x 48 crops (:func:`onet_features`), for offline runs where ImageNet weights cannot be
had.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
import keras
import numpy as np
from keras import ops
from deepfake_lib.core import cache as disk
FEAT_DIM = 2048
#: Width of O-Net's penultimate layer (``fc5`` + PReLU) and the side of its input.
ONET_DIM, ONET_SIZE = 256, 48
#: The feature extractors :func:`sequence_features` knows, and their feature sizes.
EXTRACTORS = {"xception": FEAT_DIM, "onet": ONET_DIM}


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
    (Xception's own preprocessing), resized when ``S != input_size``. Notebook C2, section
    "Xception features"."""
    x = np.asarray(frames, dtype="float32")
    if x.shape[1] != input_size:
        x = ops.convert_to_numpy(ops.image.resize(x, (input_size, input_size), antialias=True))
    return x / 127.5 - 1.0


def extract_features(frames: np.ndarray, backbone: keras.Model, batch_size: int = 32) -> np.ndarray:
    """Xception features of frames (notebook C2, section "Xception features").

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


# --------------------------------------------------------------------------- O-Net features
def onet_backbone() -> keras.Model:
    """MTCNN's O-Net with the trained weights shipped in the ``mtcnn`` package (nothing is
    downloaded). Notebook C2, section "A face-trained feature beside it"."""
    from mtcnn.stages import StageONet

    return StageONet().model


def onet_features(frames: np.ndarray, onet: keras.Model | None = None,
                  batch_size: int = 256) -> np.ndarray:
    """O-Net's penultimate 256-d layer (``fc5`` + PReLU) of face crops.

    Notebook C2, section "A face-trained feature beside it". Each crop is resized to
    48 x 48 (area averaging, as MTCNN resizes its patches) and scaled as MTCNN does,
    :math:`(x - 127.5) / 128`; the layers run up to ``prelu5``, before the three heads
    (box, landmarks, face score). Deterministic: fixed weights, no randomness.

    Parameters
    ----------
    frames : uint8 ``(N, S, S, 3)`` RGB crops
    onet : the model of :func:`onet_backbone` (built when None)

    Returns
    -------
    float32 ``(N, 256)``
    """
    import tensorflow as tf

    onet = onet_backbone() if onet is None else onet
    out = []
    for i in range(0, len(frames), batch_size):
        x = tf.image.resize(np.asarray(frames[i:i + batch_size], "float32"),
                            (ONET_SIZE, ONET_SIZE), method="area")
        x = (x - 127.5) / 128.0
        for name in ("conv1", "prelu1", "maxpool1", "conv2", "prelu2", "maxpool2", "conv3",
                     "prelu3", "maxpool3", "conv4", "prelu4", "permute", "flatten", "fc5",
                     "prelu5"):
            x = getattr(onet, name)(x)
        out.append(np.asarray(x, "float32"))
    return np.concatenate(out) if out else np.zeros((0, ONET_DIM), "float32")


def _weights_tag(backbone_weights) -> str | None:
    if backbone_weights in (None, "imagenet"):
        return backbone_weights
    return "sha256:" + disk.file_digest(backbone_weights)


def feature_cache_path(key: dict[str, Any]) -> Path:
    """``paths.data_dir()/"features"/<digest of the key>.npz`` for a dict of parameters.

    Notebook C2, section "Xception features"."""
    return disk.entry("features", disk.key_digest(key, 20), ".npz")


def _video_key(crops: np.ndarray, used: np.ndarray, common: dict) -> dict:
    """Cache key of one video: the sha256 of its used crops (their bytes and positions)."""
    h = hashlib.sha256(np.ascontiguousarray(crops[used]).tobytes())
    h.update(np.packbits(used).tobytes() + str(crops.shape).encode())
    return {**common, "crops": h.hexdigest()}


def sequence_features(X: np.ndarray, mask: np.ndarray, *, input_size: int,
                      backbone_weights: str | None = None, seed: int = 0, batch_size: int = 32,
                      cache: bool = True, extractor: str = "xception") -> tuple[np.ndarray, int]:
    """Xception (or O-Net) features of every used frame of a set of sequences, cached per video.

    Notebook C2, section "Xception features". Each video's features are one cache entry,
    keyed by the sha256 of its crops, ``input_size``, the backbone weights (a file's sha256
    for a path) and ``seed`` (random backbones differ by seed); an entry is written as soon
    as its video is done, so an interrupted extraction keeps every finished video and a rerun
    computes only the rest. The backbone is built only when some video misses.

    ``extractor="onet"`` takes :func:`onet_features` instead (``input_size``,
    ``backbone_weights`` and ``seed`` then play no part; the key says "onet").

    Parameters
    ----------
    X : uint8 ``(V, T, S, S, 3)``; mask : bool ``(V, T)``
    extractor : ``"xception"`` or ``"onet"`` (:data:`EXTRACTORS`)

    Returns
    -------
    features : float32 ``(V, T, F)``, F = 2048 (Xception) or 256 (O-Net), zeros at masked
        frames
    n_cached : int, videos read from the cache
    """
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r}; use one of {tuple(EXTRACTORS)}")
    dim = EXTRACTORS[extractor]
    if extractor == "onet":
        common = {"v": 1, "extractor": "onet"}
    else:
        common = {"v": 2, "input_size": int(input_size),
                  "weights": _weights_tag(backbone_weights), "seed": int(seed)}
    feats = np.zeros(X.shape[:2] + (dim,), "float32")
    todo = []
    for v in range(len(X)):
        path = feature_cache_path(_video_key(X[v], mask[v], common))
        hit = disk.read_npz(path) if cache else None
        if hit is not None and hit.get("features", np.zeros(0)).shape == (int(mask[v].sum()), dim):
            feats[v, mask[v]] = hit["features"]
        else:
            todo.append((v, path))
    if not todo:
        return feats, len(X)
    if extractor == "onet":
        backbone, batch_size = onet_backbone(), max(batch_size, 256)
        extract = onet_features
    else:
        backbone, extract = xception_backbone(input_size, backbone_weights, seed), extract_features
    chunk = max(1, batch_size // max(1, X.shape[1]))               # about one batch of frames
    for i in range(0, len(todo), chunk):
        part = todo[i:i + chunk]
        frames = np.concatenate([X[v][mask[v]] for v, _ in part])
        out, start = extract(frames, backbone, batch_size), 0
        for v, path in part:
            n = int(mask[v].sum())
            feats[v, mask[v]] = out[start:start + n]
            start += n
            if cache:
                disk.write_npz(path, features=feats[v, mask[v]])
    return feats, len(X) - len(todo)
