"""A learnability control: hand-crafted video features and a logistic regression.

This is **not** one of the papers' methods. It answers a question the papers' models cannot
answer when they stay at chance on a benchmark: does the data carry any signal that a simple,
fast detector can learn? A handful of per-video statistics of the face-crop sequence (how much
the crop flickers from frame to frame, how much fine texture it has, how its colour drifts,
how blocky it is) go into a standardised logistic regression fitted on the train split and
scored on the test split. The same pipeline with permuted train labels is the control of the
control: it should sit near chance. Notebook D1, section "Is there anything to learn?".
"""

from __future__ import annotations

import numpy as np

#: Names of the columns of :func:`video_features`, in order.
FEATURES = (
    "flicker",              # mean |F_{t+1} - F_t| of the grey crop, grey levels
    "flicker_centre",       # the same inside the central half of the crop (where the face is)
    "flicker_border",       # the same outside it
    "lap_flicker",          # mean |L_{t+1} - L_t| of the Laplacian (high-pass) of the crop
    "lap_var",              # mean over frames of the Laplacian variance (fine texture energy)
    "lap_var_sd",           # its standard deviation over frames
    "lap_centre_ratio",     # Laplacian variance of the centre / of the whole crop (local blur)
    "red_sd", "green_sd", "blue_sd",  # sd over frames of each channel's mean
    "contrast_sd",          # sd over frames of the grey crop's standard deviation
    "blockiness",           # 8x8 block-boundary gradient / in-block gradient, mean over frames
)


def _laplacian(g: np.ndarray) -> np.ndarray:
    """4-neighbour Laplacian of grey frames ``[T, S, S]`` (float) -> ``[T, S-2, S-2]``."""
    return (g[:, :-2, 1:-1] + g[:, 2:, 1:-1] + g[:, 1:-1, :-2] + g[:, 1:-1, 2:]
            - 4.0 * g[:, 1:-1, 1:-1])


def _centre(a: np.ndarray) -> np.ndarray:
    """The central half (in each direction) of ``[T, H, W]`` frames."""
    h, w = a.shape[1], a.shape[2]
    return a[:, h // 4: h - h // 4, w // 4: w - w // 4]


def _blockiness(g: np.ndarray, block: int = 8) -> float:
    """Mean horizontal gradient across ``block``-pixel boundaries over the mean gradient
    inside blocks, for grey frames ``[T, S, S]``; about 1 without compression blocks."""
    dx = np.abs(np.diff(g, axis=2))  # [T, S, S-1]; column j is the step between j and j+1
    at_edge = (np.arange(dx.shape[2]) % block) == block - 1
    if not at_edge.any() or at_edge.all():
        return 1.0
    return float(dx[:, :, at_edge].mean() / (dx[:, :, ~at_edge].mean() + 1e-6))


def _one_video(frames: np.ndarray) -> np.ndarray:
    """Features of one video's valid frames ``[T, S, S, 3]`` uint8 -> ``[len(FEATURES)]``."""
    x = frames.astype(np.float32)
    g = x @ np.array([0.299, 0.587, 0.114], np.float32)  # grey [T, S, S]
    lap = _laplacian(g)
    lap_var = lap.reshape(len(g), -1).var(axis=1)
    lap_var_c = _centre(lap).reshape(len(g), -1).var(axis=1)
    if len(g) > 1:
        d = np.abs(np.diff(g, axis=0))
        centre = np.zeros(g.shape[1:], bool)
        h, w = centre.shape
        centre[h // 4: h - h // 4, w // 4: w - w // 4] = True
        flick = [d.mean(), d[:, centre].mean(), d[:, ~centre].mean(),
                 np.abs(np.diff(lap, axis=0)).mean()]
    else:  # a single frame (an image item) has no temporal change
        flick = [0.0, 0.0, 0.0, 0.0]
    chan_sd = x.mean(axis=(1, 2)).std(axis=0)  # [3]
    return np.array([*flick, lap_var.mean(), lap_var.std(),
                     float(np.mean(lap_var_c / (lap_var + 1e-6))), *chan_sd,
                     g.reshape(len(g), -1).std(axis=1).std(), _blockiness(g)], dtype=np.float64)


def video_features(X: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Hand-crafted features of face-crop sequences (the learnability control of notebook D1).

    Only the frames where ``mask`` is True enter a video's statistics; temporal differences
    are taken between consecutive valid frames.

    Parameters
    ----------
    X : np.ndarray
        uint8 ``[V, T, S, S, 3]`` RGB face crops (``faces.load_sequences(...).X``), ``S >= 3``.
    mask : np.ndarray, optional
        bool ``[V, T]``, True for a real (not padded) frame; default all True. Every video
        needs at least one valid frame.

    Returns
    -------
    np.ndarray
        float64 ``[V, len(FEATURES)]``, columns named by :data:`FEATURES`.
    """
    X = np.asarray(X)
    if X.ndim != 5 or X.shape[-1] != 3:
        raise ValueError(f"X must be [V, T, S, S, 3], got shape {X.shape}")
    mask = np.ones(X.shape[:2], bool) if mask is None else np.asarray(mask, bool)
    if mask.shape != X.shape[:2]:
        raise ValueError(f"mask must be [V, T] = {X.shape[:2]}, got {mask.shape}")
    if len(X) and not mask.any(axis=1).all():
        raise ValueError("every video needs at least one valid frame in mask")
    out = np.zeros((len(X), len(FEATURES)))
    for v in range(len(X)):
        out[v] = _one_video(X[v][mask[v]])
    return out


def fit_scores(F_train: np.ndarray, y_train: np.ndarray, F_test: np.ndarray) -> np.ndarray:
    """Standardise, fit an L2 logistic regression (C = 1) on train, score test.

    Parameters
    ----------
    F_train : np.ndarray
        ``[N, K]`` features; ``y_train`` int ``[N]`` with both classes (1 = fake).
    F_test : np.ndarray
        ``[M, K]`` features.

    Returns
    -------
    np.ndarray
        ``[M]`` predicted probability of fake.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    model.fit(F_train, np.asarray(y_train).astype(int))
    return model.predict_proba(F_test)[:, 1]


def _auc(y, s) -> float:
    from .metrics import score_metrics

    return score_metrics(y, s)["auc"]


def evaluate(F: np.ndarray, y: np.ndarray, splits: np.ndarray, methods: np.ndarray, seed: int = 0,
             n_boot: int = 1000, n_shuffles: int = 20) -> dict:
    """Fit on the ``"train"`` rows, report on the ``"test"`` rows (``"val"`` is not used).

    Parameters
    ----------
    F : np.ndarray
        ``[V, K]`` features (:func:`video_features`).
    y, splits, methods : np.ndarray
        ``[V]`` labels (1 = fake), split names and manipulation kinds (``"real"`` for real).
    seed : int
        Seeds the bootstrap and the label permutations.
    n_boot : int
        Bootstrap resamples of the test videos for the AUC interval.
    n_shuffles : int
        Label permutations of the shuffled control; its AUC is their mean.

    Returns
    -------
    dict
        ``auc``, ``ci_low``, ``ci_high`` (95 % paired bootstrap), ``accuracy`` (threshold 0.5),
        ``per_method`` (AUC of real vs each fake kind on test), ``shuffled_auc`` and
        ``shuffled_auc_sd`` (over permutations), ``n_train``, ``n_test``, ``features``,
        ``scores`` (test scores, ``[n_test]``).
    """
    from .metrics import binary_metrics
    from .stats import paired_bootstrap_ci

    y, splits, methods = np.asarray(y).astype(int), np.asarray(splits), np.asarray(methods)
    tr, te = splits == "train", splits == "test"
    s = fit_scores(F[tr], y[tr], F[te])
    lo, hi = paired_bootstrap_ci(y[te], s, _auc, n_boot=n_boot, seed=seed)
    yt, mt = y[te], methods[te]
    per_method = {str(meth): _auc(yt[(yt == 0) | (mt == meth)], s[(yt == 0) | (mt == meth)])
                  for meth in sorted(set(mt[yt == 1]))}
    rng = np.random.default_rng(seed)
    shuffled = []
    for _ in range(n_shuffles):
        yp = rng.permutation(y[tr])
        shuffled.append(_auc(y[te], fit_scores(F[tr], yp, F[te])))
    return {"auc": _auc(y[te], s), "ci_low": lo, "ci_high": hi,
            "accuracy": binary_metrics(y[te], s >= 0.5)["accuracy"], "per_method": per_method,
            "shuffled_auc": float(np.mean(shuffled)), "shuffled_auc_sd": float(np.std(shuffled)),
            "n_train": int(tr.sum()), "n_test": int(te.sum()), "features": list(FEATURES),
            "scores": s}


def learnability(manifest_path, n_frames: int = 8, size: int = 64, seed: int = 0,
                 n_boot: int = 1000) -> dict:
    """The learnability control on a manifest: can simple video statistics tell fake from real?

    A control, not one of the papers' methods (notebook D1, "Is there anything to learn?").
    Loads the face-crop sequences with ``faces.load_sequences(manifest_path, n_frames, size)``,
    computes :func:`video_features`, fits on train and reports on test with :func:`evaluate`.

    Returns
    -------
    dict
        As :func:`evaluate`, plus ``n_frames`` and ``size``.
    """
    from .faces import load_sequences

    seq = load_sequences(manifest_path, n_frames, size, progress=False)
    F = video_features(seq.X, seq.mask)
    out = evaluate(F, seq.y, seq.splits, seq.methods, seed=seed, n_boot=n_boot)
    return {**out, "n_frames": int(n_frames), "size": int(size)}


def summary_table(results: dict):
    """One row per run of :func:`learnability`: ``{n_frames: result}`` -> DataFrame with the
    test AUC, its interval, the accuracy, the AUC per manipulation and the shuffled control
    (notebook D1)."""
    import pandas as pd

    rows = {nf: {"AUC": r["auc"], "CI low": r["ci_low"], "CI high": r["ci_high"],
                 "accuracy": r["accuracy"], **{f"AUC {k}": v for k, v in r["per_method"].items()},
                 "AUC shuffled": r["shuffled_auc"]} for nf, r in results.items()}
    return pd.DataFrame(rows).T.rename_axis("frames")
