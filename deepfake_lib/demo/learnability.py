"""The features of the two learnability controls: per-frame and temporal.

These are **not** the papers' methods. They answer a question the papers' models cannot
answer when they stay at chance on a benchmark: does the data carry signal that a simple,
fixed detector can learn, in single frames (paper A's input) or across frames (papers B's
and C's)? Each control is a standardised L2 logistic regression (:func:`fit_scores`) on a
dozen hand-made statistics; :mod:`deepfake_lib.demo.controls` scores them out of fold.
Notebook D1, section "Is there anything to learn?".

**Temporal control** (:func:`video_features`, :data:`FEATURES`): statistics of a video's
face-crop sequence: how much the crop flickers from frame to frame, how much fine texture it
has and how that varies, how its colour drifts, how blocky it is. Nine of them are taken over
frames (:data:`TEMPORAL_ONLY`, the temporal-only variant); three are per-frame averages.

**Per-frame control** (:func:`frame_features`, :data:`FRAME_FEATURES`): twelve statistics of
one ``S x S`` face crop in a fixed crop geometry (the face ellipse centred, half-height
``S/3`` and half-width ``0.27 S``; regions ``inner`` inside 0.8 of it, ``band_in`` and
``band_out`` at 0.8-1.0 and 1.0-1.25, ``ring`` outside 1.3, ``edge`` at 0.9-1.1): log
Laplacian variance of inner and ring and their difference (sharpness mismatch), the log share
of spectral energy above 0.25 cycles/px in the central 32x32 patch, log median absolute
Laplacian of inner and inner minus ring (noise level), the absolute Lab step between band_in
and band_out (colour step at the blend boundary, three values), log gradient energy of edge
over inner (a seam), log contrast ratio inner over ring and the saturation difference.
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
#: The features of :data:`FEATURES` taken over frames (the temporal-only variant).
TEMPORAL_ONLY = ("flicker", "flicker_centre", "flicker_border", "lap_flicker", "lap_var_sd",
                 "red_sd", "green_sd", "blue_sd", "contrast_sd")
#: Names of the columns of :func:`frame_features`, in order.
FRAME_FEATURES = ("lap_inner", "lap_ring", "lap_diff", "hf_share", "noise_inner", "noise_diff",
                  "step_L", "step_a", "step_b", "seam", "contrast_ratio", "sat_diff")


def _laplacian(g: np.ndarray) -> np.ndarray:
    """4-neighbour Laplacian of grey frames ``(T, S, S)`` (float) -> ``(T, S-2, S-2)``."""
    return (g[:, :-2, 1:-1] + g[:, 2:, 1:-1] + g[:, 1:-1, :-2] + g[:, 1:-1, 2:]
            - 4.0 * g[:, 1:-1, 1:-1])


def _centre(a: np.ndarray) -> np.ndarray:
    """The central half (in each direction) of ``(T, H, W)`` frames."""
    h, w = a.shape[1], a.shape[2]
    return a[:, h // 4: h - h // 4, w // 4: w - w // 4]


def _blockiness(g: np.ndarray, block: int = 8) -> float:
    """Mean horizontal gradient across ``block``-pixel boundaries over the mean gradient
    inside blocks, for grey frames ``(T, S, S)``; about 1 without compression blocks."""
    dx = np.abs(np.diff(g, axis=2))  # [T, S, S-1]; column j is the step between j and j+1
    at_edge = (np.arange(dx.shape[2]) % block) == block - 1
    if not at_edge.any() or at_edge.all():
        return 1.0
    return float(dx[:, :, at_edge].mean() / (dx[:, :, ~at_edge].mean() + 1e-6))


def _one_video(frames: np.ndarray) -> np.ndarray:
    """Features of one video's valid frames ``(T, S, S, 3)`` uint8 -> ``[K]``."""
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
    """Features of the temporal control for face-crop sequences (module docstring).
    Notebook D1, section "Is there anything to learn?".

    Only the frames where ``mask`` is True enter a video's statistics; temporal differences
    are taken between consecutive valid frames.

    Parameters
    ----------
    X : np.ndarray
        uint8 ``(V, T, S, S, 3)`` RGB face crops (``faces.load_sequences(...).X``), ``S >= 3``.
    mask : np.ndarray, optional
        bool ``(V, T)``, True for a real (not padded) frame; default all True. Every video
        needs at least one valid frame.

    Returns
    -------
    np.ndarray
        float64 ``(V, K)``, ``K = len(FEATURES)``, columns named by :data:`FEATURES`.
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


def _regions(S: int) -> dict[str, np.ndarray]:
    """The boolean ``(S, S)`` regions of the per-frame control's crop geometry."""
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32) + 0.5
    r = np.sqrt(((xx - S / 2) / (0.27 * S)) ** 2 + ((yy - S / 2) / (S / 3)) ** 2)
    return dict(inner=r < 0.8, band_in=(r >= 0.8) & (r < 1.0), band_out=(r >= 1.0) & (r < 1.25),
                ring=r >= 1.3, edge=(r >= 0.9) & (r < 1.1))


def _one_crop(im: np.ndarray, R: dict[str, np.ndarray], high: np.ndarray, win: np.ndarray) -> list[float]:
    import cv2

    S = im.shape[0]
    g = cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lap = _laplacian(g[None])[0]
    inner, ring = R["inner"][1:-1, 1:-1], R["ring"][1:-1, 1:-1]
    li, lr = np.log(lap[inner].var() + 1e-3), np.log(lap[ring].var() + 1e-3)
    c0 = S // 2 - 16
    p = g[c0:c0 + 32, c0:c0 + 32]
    F = np.abs(np.fft.fft2((p - p.mean()) * win)) ** 2
    hf = np.log(F[high].sum() / (F.sum() - F[0, 0] + 1e-6) + 1e-6)
    ni = np.log(np.median(np.abs(lap[inner])) + 0.1)
    nr = np.log(np.median(np.abs(lap[ring])) + 0.1)
    lab = cv2.cvtColor(im, cv2.COLOR_RGB2LAB).astype(np.float32)
    step = np.abs(lab[R["band_in"]].mean(0) - lab[R["band_out"]].mean(0))
    gy, gx = np.gradient(g)
    gm = np.hypot(gx, gy)
    seam = np.log((gm[R["edge"]].mean() + 1e-3) / (gm[R["inner"]].mean() + 1e-3))
    L = lab[..., 0]
    con = np.log((L[R["inner"]].std() + 1e-3) / (L[R["ring"]].std() + 1e-3))
    sat = cv2.cvtColor(im, cv2.COLOR_RGB2HSV)[..., 1].astype(np.float32)
    return [li, lr, li - lr, hf, ni, ni - nr, *step, seam, con, (sat[R["inner"]].mean() - sat[R["ring"]].mean()) / 255]


def frame_features(X: np.ndarray) -> np.ndarray:
    """Features of the per-frame control for single face crops (module docstring).
    Notebook D1, section "Is there anything to learn?".

    Parameters
    ----------
    X : np.ndarray
        uint8 ``(..., S, S, 3)`` RGB crops, ``S >= 32`` (any leading shape, e.g. ``(V, T)``).

    Returns
    -------
    np.ndarray
        float64 ``(..., K)``, ``K = len(FRAME_FEATURES)``, the leading shape of ``X`` kept.
    """
    X = np.asarray(X)
    if X.ndim < 3 or X.shape[-1] != 3 or X.shape[-2] != X.shape[-3] or X.shape[-2] < 32:
        raise ValueError(f"X must be (..., S, S, 3) with S >= 32, got shape {X.shape}")
    S, lead = X.shape[-2], X.shape[:-3]
    R = _regions(S)
    fy, fx = np.meshgrid(np.fft.fftfreq(32), np.fft.fftfreq(32), indexing="ij")
    high, win = np.hypot(fy, fx) > 0.25, np.outer(np.hanning(32), np.hanning(32))
    flat = X.reshape(-1, S, S, 3)
    out = np.array([_one_crop(im, R, high, win) for im in flat], dtype=np.float64)
    return out.reshape(*lead, len(FRAME_FEATURES))


def fit_scores(F_train: np.ndarray, y_train: np.ndarray, F_test: np.ndarray) -> np.ndarray:
    """Standardise, fit an L2 logistic regression (C = 1) on train, score test (log-odds).
    Notebook D1, section "Is there anything to learn?".

    Parameters
    ----------
    F_train : np.ndarray
        ``(N, K)`` features; ``y_train`` int ``[N]`` with both classes (1 = fake).
    F_test : np.ndarray
        ``(M, K)`` features.

    Returns
    -------
    np.ndarray
        ``[M]`` decision values (log-odds of fake; rank-equivalent to the probability).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # Newton steps (a dozen features): the same L2 optimum as lbfgs, in a few iterations
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=200))
    model.fit(F_train, np.asarray(y_train).astype(int))
    return model.decision_function(F_test)
