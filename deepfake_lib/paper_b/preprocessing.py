r"""Paper B's preprocessing of 1-second clips (section 4.2.1; notebook B2, "Preprocessing").

The paper lists its steps without an order; the book applies them in this one (a reading,
stated in B2's readings table), each clip ``(T, S, S, 3)`` of :mod:`deepfake_lib.paper_b.clips`:

1. **resize** to ``S`` x ``S`` (paper: 256), done when the clips are read;
2. **stabilisation** (:func:`stabilise`): each frame is shifted back by its translation
   against the clip's first frame, estimated by phase correlation (``cv2.phaseCorrelate``);
   the paper names no method, so the simplest one that removes camera translation (a 1-s
   clip moves little; rotation and zoom are not corrected);
3. **denoising** (:func:`denoise`): OpenCV's non-local means, frame by frame (no method is
   named either);
4. **augmentation** (:func:`augment`), training clips only: one random colour, brightness
   and contrast change per clip;
5. **z-score per clip** (:func:`zscore`), as the paper writes. It undoes any clip-wide
   brightness or contrast change exactly; only the per-channel colour part of step 4
   survives it (notebook B2 measures this);
6. **SMOTE** (:func:`smote`), training clips only, on the flattened z-scored clips: the
   network reads pixels end to end, so a synthetic sample must be a clip it can take. The
   synthetic clips are cross-fades of two same-class clips, a known weakness of SMOTE on
   images.

Not implemented (B2's readings table says why): audio, "inter-frame and spatial-temporal
analysis", video compression, pre-training on "a large dataset".
"""

from __future__ import annotations

import numpy as np


def stabilise(X: np.ndarray) -> np.ndarray:
    """Remove each clip's camera translation (notebook B2, section "Preprocessing").

    ``X`` uint8 ``(C, T, S, S, 3)`` -> same shape: frame ``t`` of a clip is shifted back by
    its displacement against the clip's first frame, estimated by phase correlation on grey
    levels under a Hann window (sub-pixel), so every frame lines up with the first; borders
    are filled by reflection. Rotation and zoom are left as they are.
    """
    import cv2

    out = X.copy()
    h, w = X.shape[-3:-1]
    if X.shape[1] < 2 or min(h, w) < 8:
        return out
    window = cv2.createHanningWindow((w, h), cv2.CV_32F)
    for c in range(X.shape[0]):
        # windowed here, not by phaseCorrelate's own window argument: that path is not
        # deterministic in OpenCV 5.0 (it varies from call to call on the same input)
        grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float32) * window for f in X[c]]
        for t in range(1, X.shape[1]):
            (dx, dy), _ = cv2.phaseCorrelate(grey[0], grey[t])
            dx, dy = round(dx, 1), round(dy, 1)       # below 0.1 px: noise of the estimate
            if dx == dy == 0:
                continue
            M = np.float32([[1, 0, -dx], [0, 1, -dy]])
            out[c, t] = cv2.warpAffine(X[c, t], M, (w, h), borderMode=cv2.BORDER_REFLECT)
    return out


def denoise(X: np.ndarray, h: float = 5.0) -> np.ndarray:
    """Non-local means denoising of uint8 frames ``X`` ``(..., S, S, 3)``, frame by frame
    (``cv2.fastNlMeansDenoisingColored``, filter strength ``h``, 3 x 3 patches, 9 x 9
    search). Notebook B2, section "Preprocessing"."""
    import cv2

    flat = np.ascontiguousarray(X.reshape((-1,) + X.shape[-3:]))
    out = np.stack([cv2.fastNlMeansDenoisingColored(f, None, h, h, 3, 9) for f in flat])
    return out.reshape(X.shape)


def augment(X: np.ndarray, rng: np.random.Generator, colour: float = 0.1,
            brightness: float = 0.15, contrast: float = 0.2) -> np.ndarray:
    """Random colour, brightness and contrast change per clip, the same for all its frames.

    ``X`` uint8 ``(C, T, S, S, 3)`` -> uint8, same shape. For each clip: per-channel gains in
    ``1 +- colour``, an offset of ``+- brightness * 255``, and a contrast factor in
    ``1 +- contrast`` about the clip's mean. Notebook B2, section "Preprocessing".
    """
    C = X.shape[0]
    shape = (C,) + (1,) * (X.ndim - 2) + (3,)
    gain = rng.uniform(1 - colour, 1 + colour, shape)
    shift = rng.uniform(-brightness, brightness, (C,) + (1,) * (X.ndim - 1)) * 255
    k = rng.uniform(1 - contrast, 1 + contrast, (C,) + (1,) * (X.ndim - 1))
    Z = X.astype(np.float32) * gain
    mean = Z.mean(axis=tuple(range(1, X.ndim)), keepdims=True)
    Z = (Z - mean) * k + mean + shift
    return np.clip(Z, 0, 255).round().astype(np.uint8)


def zscore(X: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Per-clip z-score: ``(X - mean) / sd`` over all pixels of each clip (paper B, 4.2.1).
    ``X`` ``(C, T, S, S, 3)`` -> float32, same shape. Notebook B2, section "Preprocessing"."""
    X = X.astype(np.float32)
    axes = tuple(range(1, X.ndim))
    return (X - X.mean(axes, keepdims=True)) / (X.std(axes, keepdims=True) + eps)


def smote(X: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Balance classes with SMOTE on the flattened clips (module docstring says why).

    ``X`` float ``(C, T, S, S, 3)``, ``y`` ``(C,)`` -> ``(X' (C', T, S, S, 3), y' (C',),
    n_synthetic)``; the originals come first. With one class, or a minority of one clip,
    nothing is added. Notebook B2, section "Preprocessing".
    """
    from imblearn.over_sampling import SMOTE

    counts = np.bincount(y, minlength=2)
    if counts.min() < 2 or counts[0] == counts[1]:
        return X, y, 0
    sm = SMOTE(k_neighbors=int(min(5, counts.min() - 1)), random_state=seed)
    Xr, yr = sm.fit_resample(X.reshape(len(X), -1), y)
    return Xr.reshape((-1,) + X.shape[1:]).astype(np.float32), yr.astype(np.int64), len(yr) - len(y)


def prepare(clips, train: bool, *, seed: int = 0, stabilise_clips: bool = True,
            denoise_h: float | None = 5.0, n_augment: int = 1,
            use_smote: bool = True) -> tuple[np.ndarray, np.ndarray, dict]:
    """The whole preprocessing of the module docstring for one split of a
    :class:`deepfake_lib.paper_b.clips.ClipSet` (notebook B2, section "Preprocessing").

    Training clips (``train=True``) get ``n_augment`` augmented copies each and SMOTE; other
    splits only stabilisation, denoising and z-score. Returns ``(X float32 (C', T, S, S, 3),
    y (C',), info)`` with ``info`` = counts before/after each step.
    """
    rng = np.random.default_rng(seed)
    X, y = clips.X, clips.y
    info = {"clips": int(len(y)), "real": int((y == 0).sum()), "fake": int((y == 1).sum())}
    if stabilise_clips and len(X):
        X = stabilise(X)
    if denoise_h:
        X = denoise(X, denoise_h)
    if train and n_augment:
        X = np.concatenate([X] + [augment(X, rng) for _ in range(n_augment)])
        y = np.concatenate([y] * (n_augment + 1))
        info["after_augment"] = int(len(y))
    X = zscore(X)
    if train and use_smote:
        X, y, n_syn = smote(X, y, seed)
        info["smote_synthetic"] = int(n_syn)
    info["final"] = int(len(y))
    return X, y, info
