"""The three manipulations of the demo benchmark, each carrying both kinds of trace.

:func:`manipulate` renders a fake: the manipulation itself (:func:`swap_frame`,
:func:`reenact_frame`, :func:`texture_frame`) with the temporal trace's per-frame errors, then
the per-frame trace (:mod:`deepfake_lib.demo.traces`). Notebook D1, section "Fakes".
"""

from __future__ import annotations

import numpy as np
from deepfake_lib.demo.render import Clip, smooth_path
from deepfake_lib.demo.geometry import LE, ML, MR, RE, compose, face_frame, face_mask, face_roi, similarity_transform
from deepfake_lib.demo.traces import STRENGTHS, Strength, apply_frame_trace, draw_frame_trace, frame_jitter

#: The three manipulation families, in the order the kinds cycle.
METHODS = ("swap", "reenact", "texture")


def color_transfer(src: np.ndarray, ref: np.ndarray, mask: np.ndarray, gain: np.ndarray | None = None
                   ) -> np.ndarray:
    """Reinhard colour match: ``src``'s Lab mean and sd inside ``mask`` set to ``ref``'s.

    Parameters
    ----------
    src, ref : np.ndarray ``(H, W, 3)`` uint8 RGB
    mask : np.ndarray ``(H, W)`` (> 0.5 selects the region)
    gain : np.ndarray ``[3]`` or None
        Multiplicative error on the matched Lab sd (the colour part of the temporal flaw).

    Returns
    -------
    np.ndarray ``(H, W, 3)`` uint8 RGB: ``src`` matched inside the box around the mask,
    unchanged outside it. Notebook D1, section "Fakes".
    """
    import cv2

    sel = mask > 0.5
    if sel.sum() < 16:
        return src.copy()
    ys, xs = np.nonzero(sel)
    y0, y1, x0, x1 = max(0, ys.min() - 2), ys.max() + 3, max(0, xs.min() - 2), xs.max() + 3
    box = sel[y0:y1, x0:x1]  # only the region around the mask is converted and matched
    s = cv2.cvtColor(src[y0:y1, x0:x1], cv2.COLOR_RGB2LAB).astype(np.float32)
    r = cv2.cvtColor(ref[y0:y1, x0:x1], cv2.COLOR_RGB2LAB).astype(np.float32)
    ms, ss = s[box].mean(0), s[box].std(0) + 1e-3
    mr, sr = r[box].mean(0), r[box].std(0) + 1e-3
    ratio = np.clip(sr / ss, 0.5, 2.0)  # a wild ratio would tint dark or bright parts
    if gain is not None:
        ratio = ratio * gain
    out = src.copy()
    out[y0:y1, x0:x1] = cv2.cvtColor(np.clip((s - ms) * ratio + mr, 0, 255).astype(np.uint8),
                                     cv2.COLOR_LAB2RGB)
    return out


def swap_frame(target: np.ndarray, target_kps: np.ndarray, donor: np.ndarray, donor_kps: np.ndarray,
               jit: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """FaceSwap-like: the donor face aligned, masked, colour-matched and Poisson-blended.

    Parameters
    ----------
    target : ``(H, W, 3)`` uint8 RGB; target_kps : ``(5, 2)`` in target pixels
    donor : ``(h, w, 3)`` uint8 RGB (any size); donor_kps : ``(5, 2)`` in donor pixels
    jit : errors of this frame from :func:`~deepfake_lib.demo.traces.frame_jitter` (None = none)

    Returns
    -------
    np.ndarray ``(H, W, 3)`` uint8 RGB. Notebook D1, section "Fakes".
    """
    import cv2

    H, W = target.shape[:2]
    jit = jit or frame_jitter(np.random.default_rng(0), 0.0)
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


def reenact_frame(frame: np.ndarray, kps: np.ndarray, mouth: float, eyes: float,
                  jit: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Face2Face-like: mouth opened by ``mouth`` and eyes narrowed by ``eyes`` (fractions).

    The sampling map moves each pixel :math:`p` by :math:`-a\\,((p-c)\\cdot v)\\,v\\,w(p)`, with
    :math:`v` the face's vertical axis, :math:`c` the mouth (or eye) centre and :math:`w` a
    Gaussian window; :math:`a = \\mathrm{mouth}` stretches the mouth, :math:`a = -\\mathrm{eyes}`
    squeezes each eye. The result is blended back inside the jittered face mask.

    Parameters
    ----------
    frame : ``(H, W, 3)`` uint8 RGB; kps : ``(5, 2)``; mouth, eyes : float in about [0, 0.5]

    Returns
    -------
    np.ndarray ``(H, W, 3)`` uint8 RGB. Notebook D1, section "Fakes".
    """
    import cv2

    jit = jit or frame_jitter(np.random.default_rng(0), 0.0)
    H, W = frame.shape[:2]
    x0, y0, x1, y1 = face_roi(kps, (H, W))
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
    frame : ``(H, W, 3)`` uint8 RGB; kps : ``(5, 2)``; factor : float > 1; noise : float >= 0

    Returns
    -------
    np.ndarray ``(H, W, 3)`` uint8 RGB. Notebook D1, section "Fakes".
    """
    import cv2

    jit = jit or frame_jitter(np.random.default_rng(0), 0.0)
    H, W = frame.shape[:2]
    x0, y0, x1, y1 = face_roi(kps, (H, W), grow=1.2)
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


def manipulate(clip: Clip, method: str, rng: np.random.Generator, strength: Strength | None = None,
               donor: Clip | None = None, frames: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Render ``clip`` with manipulation ``method`` and both of its traces on every frame.

    ``strength`` (default :data:`~deepfake_lib.demo.traces.STRENGTHS` of ``method``) sets the
    per-frame trace (drawn once for the video) and the temporal one (drawn anew per frame).
    ``frames`` are the clip's already rendered real frames (the fake then differs from its
    real twin by the manipulation only); None renders them here.

    Returns
    -------
    list of ``T`` frames ``(FRAME_H, FRAME_W, 3)`` uint8 RGB. Notebook D1, section "Fakes".
    """
    if method not in METHODS:
        raise KeyError(f"unknown manipulation {method!r}; known: {METHODS}")
    if method == "swap" and donor is None:
        raise ValueError("a swap needs a donor clip")
    strength = STRENGTHS[method] if strength is None else strength
    T = len(clip.frames)
    kps = clip.out_kps()
    if method == "reenact":
        mouth = 0.25 + 0.2 * smooth_path(rng, T, freq=(0.4, 1.2))
        eyes = 0.2 + 0.15 * smooth_path(rng, T, freq=(0.3, 1.0))
    elif method == "texture":
        factor, noise = rng.uniform(2.5, 4.0), rng.uniform(2.0, 5.0)
    trace = draw_frame_trace(rng, method, strength.frame)
    out = []
    for t in range(T):
        frame = clip.render(t, rng) if frames is None else frames[t]
        jit = frame_jitter(rng, strength.temporal)
        if method == "swap":
            d = t % len(donor.frames)
            fake = swap_frame(frame, kps[t], donor.frames[d], donor.kps[d], jit)
        elif method == "reenact":
            fake = reenact_frame(frame, kps[t], float(mouth[t]), float(eyes[t]), jit)
        else:
            fake = texture_frame(frame, kps[t], factor, noise, rng, jit)
        lab_jitter = 0.3 * strength.temporal * trace.lab * rng.standard_normal() if trace.active else None
        out.append(apply_frame_trace(fake, kps[t], trace, jit, lab_jitter))
    return out
