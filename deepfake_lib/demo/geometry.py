"""Geometry of the demo benchmark: similarity alignment, affine maps, the face frame and ellipse."""

from __future__ import annotations

import numpy as np

#: Keypoint order (MTCNN's): left eye, right eye, nose, mouth left, mouth right (image left/right).
LE, RE, NOSE, ML, MR = range(5)


# --------------------------------------------------------------------------- geometry
def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping ``src`` to ``dst``.

    Umeyama's closed form, used to align a donor face on the target's five keypoints
    (notebook D1, section "Fakes").

    Parameters
    ----------
    src, dst : np.ndarray, shape ``(K, 2)``
        Corresponding points, ``K >= 2``.

    Returns
    -------
    np.ndarray, shape ``(2, 3)``
        Affine matrix ``A`` with ``dst ~ src @ A[:, :2].T + A[:, 2]``.
    """
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    xs, xd = src - mu_s, dst - mu_d
    cov = xd.T @ xs / len(src)
    u, d, vt = np.linalg.svd(cov)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rot = u @ sign @ vt
    scale = np.trace(np.diag(d) @ sign) / xs.var(0).sum()
    A = np.zeros((2, 3))
    A[:, :2] = scale * rot
    A[:, 2] = mu_d - A[:, :2] @ mu_s
    return A


def apply_affine(A: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points ``(..., 2)`` mapped by the ``(2, 3)`` affine ``A``. Notebook D1, section "Fakes"."""
    return pts @ A[:, :2].T + A[:, 2]


def compose(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The affine ``A o B`` (``B`` first), both ``(2, 3)``. Notebook D1, section "Fakes"."""
    return np.hstack([A[:, :2] @ B[:, :2], (A[:, :2] @ B[:, 2] + A[:, 2])[:, None]])


def face_frame(kps: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Centre, unit axes and sizes of a face from its five keypoints.
    Notebook D1, section "Fakes".

    Returns
    -------
    centre : np.ndarray ``[2]`` (between the eyes and the mouth)
    axes : np.ndarray ``(2, 2)`` rows: along the eye line, and from the eyes towards the mouth
    eye_dist : float, eye_mouth : float (pixels)
    """
    eyes = (kps[LE] + kps[RE]) / 2
    mouth = (kps[ML] + kps[MR]) / 2
    u = kps[RE] - kps[LE]
    eye_dist = float(np.hypot(*u))
    u = u / max(eye_dist, 1e-6)
    v = np.array([-u[1], u[0]])
    if np.dot(v, mouth - eyes) < 0:
        v = -v
    eye_mouth = float(np.dot(mouth - eyes, v))
    return (eyes + mouth) / 2, np.stack([u, v]), eye_dist, max(eye_mouth, 1e-6)


def face_ellipse(kps: np.ndarray, grow: float = 1.0) -> tuple[np.ndarray, tuple[float, float], float]:
    """The inner-face ellipse (brows to chin, cheek to cheek) from five keypoints.

    Returns ``centre [2]``, ``(half_width, half_height)`` in pixels and the angle in degrees.
    Notebook D1, section "Fakes".
    """
    centre, axes, eye_dist, eye_mouth = face_frame(kps)
    eyes = (kps[LE] + kps[RE]) / 2
    top = eyes - 0.55 * eye_dist * axes[1]
    bottom = eyes + (eye_mouth + 0.45 * eye_dist) * axes[1]
    c = (top + bottom) / 2
    half_h = grow * float(np.hypot(*(bottom - top))) / 2
    half_w = grow * 0.95 * eye_dist
    angle = float(np.degrees(np.arctan2(axes[0, 1], axes[0, 0])))
    return c, (half_w, half_h), angle


def face_mask(kps: np.ndarray, shape: tuple[int, int], feather: float = 0.0,
              jitter_xy: tuple[float, float] = (0.0, 0.0), jitter_axes: tuple[float, float] = (0.0, 0.0)
              ) -> np.ndarray:
    """Elliptic face mask, optionally feathered and perturbed (the temporal trace).
    Notebook D1, section "Traces of both kinds".

    Parameters
    ----------
    kps : np.ndarray ``(5, 2)`` keypoints in frame pixels
    shape : ``(H, W)`` of the frame
    feather : float
        Gaussian blur sigma as a fraction of the eye distance (0 = hard edge).
    jitter_xy : centre shift, in eye distances; jitter_axes : relative change of the two axes.

    Returns
    -------
    np.ndarray ``(H, W)`` float32 in [0, 1]
    """
    import cv2

    c, (hw, hh), angle = face_ellipse(kps)
    _, _, eye_dist, _ = face_frame(kps)
    c = c + np.asarray(jitter_xy) * eye_dist
    axes = (max(1, int(round(hw * (1 + jitter_axes[0])))), max(1, int(round(hh * (1 + jitter_axes[1])))))
    m = np.zeros(shape, np.uint8)
    cv2.ellipse(m, (int(round(c[0])), int(round(c[1]))), axes, angle, 0, 360, 255, -1)
    m = m.astype(np.float32) / 255
    if feather > 0:  # blur only around the ellipse: beyond 4 sigma of it the mask stays 0
        sigma = feather * eye_dist
        r = max(axes) + int(np.ceil(4 * sigma)) + 2
        x0, y0 = max(0, int(c[0]) - r), max(0, int(c[1]) - r)
        x1, y1 = min(shape[1], int(c[0]) + r + 1), min(shape[0], int(c[1]) + r + 1)
        if x1 > x0 and y1 > y0:
            m[y0:y1, x0:x1] = cv2.GaussianBlur(m[y0:y1, x0:x1], (0, 0), sigma)
    return m


def face_roi(kps: np.ndarray, shape: tuple[int, int], grow: float = 1.5) -> tuple[int, int, int, int]:
    """Integer box ``(x0, y0, x1, y1)`` around the face ellipse (``grow`` times its larger
    half-axis on each side of the centre), clipped to a frame of ``shape`` ``(H, W)``.
    Notebook D1, section "Fakes"."""
    c, (hw, hh), _ = face_ellipse(kps)
    r = grow * max(hw, hh)
    x0, y0 = max(0, int(c[0] - r)), max(0, int(c[1] - r))
    x1, y1 = min(shape[1], int(c[0] + r) + 1), min(shape[0], int(c[1] + r) + 1)
    return x0, y0, x1, y1


def invert_affine(M: np.ndarray) -> np.ndarray:
    """Inverse of an invertible affine ``(2, 3)``. Notebook D1, section "Real videos and pseudo-videos"."""
    L = np.linalg.inv(M[:, :2])
    return np.hstack([L, (-L @ M[:, 2])[:, None]])
