"""Real clips of the demo benchmark: photos moved by a simulated camera, clips cut from videos.

Notebook D1, section "Real videos and pseudo-videos".
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any
import numpy as np
from deepfake_lib.demo.geometry import apply_affine, face_ellipse, face_frame, invert_affine
FRAME_W, FRAME_H = 384, 288
FPS = 25.0
CROP_SIZE = 128


def smooth_path(rng: np.random.Generator, n: int, fps: float = FPS,
                freq: tuple[float, float] = (0.15, 0.7)) -> np.ndarray:
    """A smooth path in [-1, 1]: the mean of two sinusoids with seeded frequencies (Hz) and phases.
    Notebook D1, section "Real videos and pseudo-videos".

    Returns
    -------
    np.ndarray ``[n]`` float
    """
    t = np.arange(n) / fps
    f = rng.uniform(*freq, size=2)
    ph = rng.uniform(0, 2 * np.pi, size=2)
    return 0.5 * (np.sin(2 * np.pi * f[0] * t + ph[0]) + np.sin(2 * np.pi * f[1] * t + ph[1]))


# --------------------------------------------------------------------------- sources
@dataclass
class Clip:
    """A real clip: source frames, their keypoints and the maps into the output frame.

    ``frames`` holds ``T`` references to source images (the same photo ``T`` times for a
    pseudo-video); ``kps`` ``(T, 5, 2)`` are in source pixels; ``maps`` ``(T, 2, 3)`` map
    source to output pixels; ``light`` ``(T, 4)`` is (gain, tint r, tint b, gradient) or zeros.
    Notebook D1, section "Real videos and pseudo-videos".
    """
    identity: str
    source: str
    frames: list[np.ndarray]
    kps: np.ndarray
    maps: np.ndarray
    light: np.ndarray
    start: int = 0
    noise: float = 0.0

    def out_kps(self) -> np.ndarray:
        """Keypoints in output pixels, ``(T, 5, 2)``. Notebook D1, section "Real videos and pseudo-videos"."""
        return np.stack([apply_affine(A, k) for A, k in zip(self.maps, self.kps)])

    def render(self, t: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """Output frame ``t``: ``(FRAME_H, FRAME_W, 3)`` uint8 RGB (notebook D1, section
        "Real videos and pseudo-videos")."""
        import cv2

        img = cv2.warpAffine(self.frames[t], self.maps[t], (FRAME_W, FRAME_H),
                             flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        gain, tint_r, tint_b, grad = self.light[t]
        if gain or tint_r or tint_b or grad:
            x = np.linspace(-0.5, 0.5, FRAME_W, dtype=np.float32)[None, :, None]
            tint = np.array([1 + tint_r, 1.0, 1 + tint_b], np.float32) * np.float32(1 + gain)
            img = img.astype(np.float32) * (tint * (1 + np.float32(grad) * x))   # one pass per frame
            if self.noise and rng is not None:
                img += np.float32(self.noise) * rng.standard_normal(img.shape, dtype=np.float32)
            img += 0.5
            img = np.clip(img, 0, 255, out=img).astype(np.uint8)
        return img


def photo_clip(identity: str, source: str, image: np.ndarray, kps: np.ndarray, n: int,
               rng: np.random.Generator, face_frac: float = 0.45) -> Clip:
    """A pseudo-video of a photo: smooth simulated camera motion and lighting drift.

    Parameters
    ----------
    image : np.ndarray ``(H, W, 3)`` uint8 RGB; kps : ``(5, 2)`` its keypoints; n : frames.

    Notebook D1, section "Real videos and pseudo-videos".
    """
    centre = face_frame(kps)[0]
    s0 = _face_scale(kps, face_frac)
    ang = 6.0 * smooth_path(rng, n)
    scl = 1 + 0.08 * smooth_path(rng, n)
    tx, ty = 0.05 * FRAME_W * smooth_path(rng, n), 0.04 * FRAME_H * smooth_path(rng, n)
    maps = np.stack([fit_to_source(_centre_map(centre, s0 * scl[t], ang[t], (tx[t], ty[t])), image.shape[:2])
                     for t in range(n)])
    light = np.stack([0.12 * smooth_path(rng, n), 0.04 * smooth_path(rng, n),
                      0.04 * smooth_path(rng, n), 0.15 * smooth_path(rng, n)], axis=1)
    return Clip(identity, source, [image] * n, np.repeat(kps[None], n, 0), maps, light, noise=1.5)


def video_clip(identity: str, source: str, frames: list[np.ndarray], kps: np.ndarray, start: int,
               face_frac: float = 0.45) -> Clip:
    """A clip cut from a real video: a crop that follows the head loosely (centre smoothed
    over about half a second, scale fixed per clip), no simulated motion or lighting.

    Parameters
    ----------
    frames : list of ``T`` source frames; kps : ``(T, 5, 2)`` their (smoothed) keypoints.

    Notebook D1, section "Real videos and pseudo-videos".
    """
    from scipy.ndimage import gaussian_filter1d

    n = len(frames)
    centres = np.stack([face_frame(k)[0] for k in kps])
    centres = gaussian_filter1d(centres, sigma=5.0, axis=0, mode="nearest")
    s0 = float(np.median([_face_scale(k, face_frac) for k in kps]))
    maps = np.stack([fit_to_source(_centre_map(centres[t], s0), frames[t].shape[:2]) for t in range(n)])
    return Clip(identity, source, list(frames), kps, maps, np.zeros((n, 4)), start=start)


def _rng(seed: int, *keys: Any) -> np.random.Generator:
    """A generator seeded by ``seed`` and ``keys`` (so draws do not depend on build order)."""
    words = [seed] + [zlib.crc32(str(k).encode()) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))


def crop_face(frame: np.ndarray, kps: np.ndarray, size: int = CROP_SIZE, margin: float = 0.25) -> np.ndarray:
    """Square crop ``(size, size, 3)`` centred on the face ellipse, side ``(1 + 2 margin)``
    times its height. Where a close-up's crop reaches past the frame, the frame's border rows
    and columns are replicated (the notebooks' MTCNN crops are black there instead,
    :func:`deepfake_lib.data.faces.square_crop`). Notebook D1, section "Contact sheet"."""
    import cv2

    c, (hw, hh), _ = face_ellipse(kps)
    side = 2 * max(hw, hh) * (1 + 2 * margin)
    s = size / side
    A = np.array([[s, 0, size / 2 - s * c[0]], [0, s, size / 2 - s * c[1]]])
    return cv2.warpAffine(frame, A, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def _face_scale(kps: np.ndarray, face_frac: float) -> float:
    """Scale that makes a face ``face_frac`` of the frame height tall (from eye-mouth distance)."""
    _, _, _, eye_mouth = face_frame(kps)
    return face_frac * FRAME_H / (2.6 * eye_mouth)


def _centre_map(centre: np.ndarray, scale: float, angle_deg: float = 0.0,
                shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Affine that puts source point ``centre`` at the frame centre (+ ``shift``), scaled and rotated."""
    a = np.radians(angle_deg)
    R = scale * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    target = np.array([FRAME_W / 2 + shift[0], FRAME_H * 0.5 + shift[1]])
    return np.hstack([R, (target - R @ centre)[:, None]])


def fit_to_source(M: np.ndarray, src_shape: tuple[int, int]) -> np.ndarray:
    """Adjust the map ``M`` ``(2, 3)`` (source -> output) so the output frame shows only source
    pixels: raise the scale if the rotated window is larger than the source, then move the window
    inside it. No mirrored or smeared border ever enters a frame.
    Notebook D1, section "Real videos and pseudo-videos"."""
    h, w = src_shape
    s = float(np.hypot(*M[:, 0]))
    c, sn = abs(M[0, 0]) / s, abs(M[1, 0]) / s
    need = max((FRAME_W * c + FRAME_H * sn) / w, (FRAME_W * sn + FRAME_H * c) / h) * 1.01
    M = M.copy()
    centre_out = np.array([FRAME_W / 2, FRAME_H / 2])
    if s < need:
        Minv = invert_affine(M)
        p = apply_affine(Minv, centre_out)
        M[:, :2] *= need / s
        M[:, 2] = centre_out - M[:, :2] @ p
        s = need
    bw, bh = (FRAME_W * c + FRAME_H * sn) / s, (FRAME_W * sn + FRAME_H * c) / s
    p = apply_affine(invert_affine(M), centre_out)
    q = np.array([np.clip(p[0], bw / 2, w - bw / 2), np.clip(p[1], bh / 2, h - bh / 2)])
    M[:, 2] += M[:, :2] @ (p - q)
    return M
