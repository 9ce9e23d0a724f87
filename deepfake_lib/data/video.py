r"""Decoding and writing videos and images, and even frame sampling: the one home of both.

Every notebook reads its frames through here (notebook C1, sections "Frame sampling" and
"Decoding"). For a video of :math:`N` frames and :math:`T` wanted frames, frame :math:`t` is
taken at the centre of the :math:`t`-th of :math:`T` equal segments,

.. math:: i_t = \left\lfloor \frac{(2t + 1)\, N}{2T} \right\rfloor, \qquad t = 0, \dots, T-1,

so the whole video is covered, in order (never just the first :math:`T` frames). Videos with
:math:`N < T` frames give their :math:`N` frames.

Frames and images are ``(H, W, 3)`` uint8 RGB. A file that cannot be used (missing, empty,
corrupt, truncated, an unsupported codec, no decodable frame) raises :class:`UnusableFile`
with one line naming the file and the reason; the loaders catch it, record it and go on.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class UnusableFile(ValueError):
    """A video or image the pipeline cannot use; the message is one line that names the file
    and the reason (notebook C1, section "Face crops")."""


# --------------------------------------------------------------------------- sampling
def sample_indices(n_total: int, n: int) -> np.ndarray:
    """Indices of ``n`` frames evenly spaced over a video of ``n_total`` frames, in order.

    Frame ``t`` is the centre of the ``t``-th of ``n`` equal segments (module docstring).
    Notebook C1, section "Frame sampling".

    Parameters
    ----------
    n_total : int
        Number of frames in the video.
    n : int
        Number of frames wanted.

    Returns
    -------
    np.ndarray of int, shape ``[min(n, n_total)]``
        Strictly increasing indices; all frames when the video is shorter than ``n``.
    """
    if n <= 0 or n_total <= 0:
        return np.zeros(0, dtype=np.int64)
    if n_total <= n:
        return np.arange(n_total, dtype=np.int64)
    t = np.arange(n, dtype=np.int64)
    return (2 * t + 1) * n_total // (2 * n)


# --------------------------------------------------------------------------- decoding
def _check_file(path: Path) -> None:
    if not path.exists():
        raise UnusableFile(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise UnusableFile(f"{path}: empty file (0 bytes)")


def read_frames(path: str | os.PathLike, n: int) -> tuple[list[np.ndarray], int]:
    """Decode ``n`` evenly spaced frames of a video with OpenCV.
    Notebook C1, section "Frame sampling".

    The frame count comes from the container; when fewer frames decode than it claims
    (truncated file), the frames are re-sampled over the frames that do decode.

    Parameters
    ----------
    path : path of the video
    n : int
        Frames wanted, sampled by :func:`sample_indices`.

    Returns
    -------
    frames : list of np.ndarray, each ``(H, W, 3)`` uint8 RGB
        ``min(n, n_decodable)`` frames, in order.
    n_total : int
        Number of frames the video has (decodable ones).

    Raises
    ------
    UnusableFile
        Zero-byte file, a file OpenCV cannot open (corrupt, truncated, unknown codec) or one
        with no decodable frame.
    """
    import cv2

    path = Path(path)
    _check_file(path)
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise UnusableFile(f"{path}: cannot open video (corrupt, truncated or unsupported codec)")
        n_total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if n_total <= 0:  # some containers do not store the count: count by decoding
            while cap.grab():
                n_total += 1
            cap.release()
            cap = cv2.VideoCapture(str(path))
        frames, decoded = _grab(cap, sample_indices(n_total, n))
    finally:
        cap.release()
    if decoded == 0:
        raise UnusableFile(f"{path}: no decodable frame (corrupt, truncated or unsupported codec)")
    if len(frames) < min(n, n_total):  # the container claims more frames than decode
        cap = cv2.VideoCapture(str(path))
        try:
            frames, _ = _grab(cap, sample_indices(decoded, n))
        finally:
            cap.release()
        n_total = decoded
    return frames, n_total


def _grab(cap, indices: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Decode sequentially up to the last wanted index; convert only the wanted frames."""
    import cv2

    wanted = set(int(i) for i in indices)
    frames, i = [], 0
    last = int(indices[-1]) if len(indices) else -1
    while i <= last:
        if not cap.grab():
            break
        if i in wanted:
            ok, bgr = cap.retrieve()
            if not ok or bgr is None:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        i += 1
    return frames, i


def to_rgb(img: np.ndarray) -> np.ndarray:
    """Any OpenCV-decoded image as ``(H, W, 3)`` uint8 RGB.
    Notebook C1, section "Face crops".

    Grey ``(H, W)`` or ``(H, W, 1)`` is replicated, BGRA drops its alpha channel, 16-bit is
    scaled to 8 bits.
    """
    import cv2

    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 2 or img.shape[2] == 1:
        return cv2.cvtColor(img.reshape(img.shape[:2]), cv2.COLOR_GRAY2RGB)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as ``(H, W, 3)`` uint8 RGB (grey and RGBA converted).
    Notebook C1, section "Face crops".

    Raises :class:`UnusableFile` for a zero-byte or undecodable file.
    """
    import cv2

    path = Path(path)
    _check_file(path)
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise UnusableFile(f"{path}: cannot decode image (corrupt or unsupported format)")
    return to_rgb(img)


# --------------------------------------------------------------------------- writing
def astronaut_video(path: str | os.PathLike, n_frames: int = 48, width: int = 640,
                    height: int = 360, fps: float = 25.0) -> Path:
    """A short synthetic video of a real face: a moving, zooming crop of scikit-image's
    ``astronaut()`` photograph on a grey background (tests and the benchmark's fallback).
    Notebook performance, section "Ratios measured in one run"."""
    import cv2
    from skimage import data

    img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)  # 512 x 512, face near the top
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise UnusableFile(f"{path}: OpenCV cannot write mp4 videos here")
    for t in range(n_frames):
        a = t / max(n_frames - 1, 1)
        side = int(300 - 60 * a)                    # zoom in slowly
        x0, y0 = int(100 + 40 * a), int(20 + 20 * a)  # pan
        crop = cv2.resize(img[y0:y0 + side, x0:x0 + side], (height, height))
        frame = np.full((height, width, 3), 110, np.uint8)
        off = int((width - height) * a)
        frame[:, off:off + height] = crop
        writer.write(frame)
    writer.release()
    return path


def read_video(path: str | os.PathLike, scale: float = 1.0, keep: set[int] | None = None
               ) -> tuple[list[np.ndarray | None], float]:
    """Decode every frame of a video, resized by ``scale``; frames not in ``keep`` are skipped.

    Notebook D1, section "Real videos and pseudo-videos" (the demo benchmark cuts its clips from whole videos).

    Returns
    -------
    frames : list of ``(H', W', 3)`` uint8 RGB arrays, one per decoded frame, None for the
        frames not in ``keep`` (all kept when ``keep`` is None)
    fps : float, the container's frame rate (25 when it does not say)

    Raises
    ------
    UnusableFile
        Missing, empty or undecodable file (the message names it).
    """
    import cv2

    path = Path(path)
    _check_file(path)
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames: list[np.ndarray | None] = []
    try:
        while cap.grab():
            i = len(frames)
            if keep is not None and i not in keep:
                frames.append(None)
                continue
            ok, bgr = cap.retrieve()
            if not ok or bgr is None:
                break
            if scale != 1.0:
                bgr = cv2.resize(bgr, (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale)),
                                 interpolation=cv2.INTER_AREA)
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    if not frames:
        raise UnusableFile(f"{path}: no decodable frame (corrupt, truncated or unsupported codec)")
    return frames, fps


def video_shape(path: str | os.PathLike) -> tuple[int, int]:
    """``(H, W)`` of a video's frames as its container states them.
    Notebook D1, section "Real videos and pseudo-videos"."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    shape = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    cap.release()
    return shape


def write_video(path: str | os.PathLike, frames: list[np.ndarray], fps: float = 25.0) -> None:
    """Write RGB frames ``(H, W, 3)`` as an mp4v video (a temporary name, then renamed, so a
    half-written video never carries the final name). Notebook D1, section "Real videos and pseudo-videos"."""
    import cv2

    path = Path(path)
    tmp = path.with_name(path.stem + ".part.mp4")
    h, w = frames[0].shape[:2]
    wr = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not wr.isOpened():
        raise UnusableFile(f"{path}: OpenCV cannot write mp4v videos here")
    for f in frames:
        wr.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    wr.release()
    tmp.replace(path)
