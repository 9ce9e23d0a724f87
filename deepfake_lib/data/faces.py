"""The face pipeline shared by every notebook: decode, even frame sampling, MTCNN crops, cache.

Notebook C1 (preprocessing, paper C's "MTCNN together with OpenCV") explains each step in its
sections "Frame sampling" and "Face crops". For a video of :math:`N` frames and
:math:`T` wanted frames, frame :math:`t` is taken at the centre of the :math:`t`-th of
:math:`T` equal segments,

.. math:: i_t = \\left\\lfloor \\frac{(2t + 1)\\, N}{2T} \\right\\rfloor, \\qquad t = 0, \\dots, T-1,

so the whole video is covered, in order (never just the first :math:`T` frames). Videos with
:math:`N < T` frames give their :math:`N` frames followed by padding, and a boolean ``mask``
says which positions hold a real frame.

On each sampled frame, MTCNN runs on a copy downscaled so its longer side is
``det_size // 2`` pixels, in batches of :data:`BATCH` frames; frames whose face is small
there (or not found) are detected again at ``det_size`` (:func:`detect_largest`). The
largest face's box is mapped back to full resolution, widened by ``margin`` on every side into
a square and resized to ``size``. A sampled frame without a face borrows the box of the
nearest earlier frame with one (:func:`fill_missing`); a video with no face in any sampled
frame is skipped. Boxes and crops are cached under ``paths.data_dir()/"crops"``, keyed by the
file's sha256 and the parameters, written atomically (temporary file + rename) so an
interrupted run resumes where it stopped.

Bad input never ends a run: a file that cannot be used raises :class:`FaceError` with a
one-line reason naming it; :func:`load_sequences` and :func:`load_images` catch it, print the
line, return it in ``skipped`` and print a summary count at the end.

Usage::

    from deepfake_lib import faces, datasets
    seqs = faces.load_sequences(datasets.resolve(), n_frames=8, size=128, split="train")
    seqs.X.shape      # (V, 8, 128, 128, 3) uint8, RGB
"""

from __future__ import annotations

import os
from pathlib import Path
import numpy as np
from deepfake_lib.core import cache as disk
from deepfake_lib.data.video import UnusableFile, _check_file, read_frames
from deepfake_lib.data.video import read_image

#: Bumped whenever the crop computation changes, so old cache entries are not reused.
PIPELINE_VERSION = 2
#: Longer side, in pixels, of the copy MTCNN's fine pass runs on (the coarse pass: half).
DET_SIZE = 320
#: Frames per MTCNN call.
BATCH = 16
#: Smallest face MTCNN looks for, in pixels of the downscaled copy (MTCNN's own default).
MIN_FACE = 20
#: Side of the view MTCNN's last network (ONet) refines each face box from.
ONET_SIZE = 48


# --------------------------------------------------------------------------- detection
_DETECTOR = None


def detector():
    """The one MTCNN instance of this process (TensorFlow backend), created on first use.
    Notebook C1, section "Face crops"."""
    global _DETECTOR
    if _DETECTOR is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from mtcnn import MTCNN

        _DETECTOR = MTCNN()
    return _DETECTOR


def detect_all(frames: list[np.ndarray], det_size: int = DET_SIZE,
               min_face: int = MIN_FACE) -> list[np.ndarray]:
    """Every MTCNN face of each frame, found on copies downscaled to ``det_size``, in batches.

    The one batched MTCNN of the library (the demo benchmark's source media use it too).
    A frame is shrunk so that its longer side is ``det_size`` (never enlarged); frames of
    one shape go to MTCNN together, :data:`BATCH` at a time. Notebook C1, section "Face crops".

    Parameters
    ----------
    frames : list of ``(H, W, 3)`` uint8 RGB arrays
    det_size : int
        Longer side of the copy MTCNN sees.
    min_face : int
        Smallest face searched, in pixels of that copy.

    Returns
    -------
    list of ``(F, 15)`` float arrays, one per frame: per face ``x1, y1, x2, y2, confidence``
    and the five keypoints (left eye, right eye, nose, mouth left, mouth right) as ``x, y``
    pairs, all in full-resolution pixels, faces sorted by ``x1``.
    """
    import cv2

    det = detector()
    out: list[np.ndarray] = []
    for start in range(0, len(frames), BATCH):
        chunk = frames[start:start + BATCH]
        scales = [min(1.0, det_size / max(f.shape[:2])) for f in chunk]
        small = [f if s == 1.0 else cv2.resize(f, (round(f.shape[1] * s), round(f.shape[0] * s)),
                                                interpolation=cv2.INTER_AREA)
                 for f, s in zip(chunk, scales)]
        groups: dict[tuple, list[int]] = {}
        for j, im in enumerate(small):
            groups.setdefault(im.shape, []).append(j)
        found = [np.zeros((0, 15))] * len(chunk)
        for idx in groups.values():
            res = det.detect_faces([small[j] for j in idx], output_type="numpy",
                                   box_format="xyxy", min_face_size=min_face)
            res = np.asarray(res, float).reshape(-1, 16) if len(res) else np.zeros((0, 16))
            for k, j in enumerate(idx):
                rows = res[res[:, 0] == k]
                kp = np.stack([rows[:, 6:11], rows[:, 11:16]], -1) / scales[j]  # (F, 5, 2)
                f = np.hstack([rows[:, 1:5] / scales[j], rows[:, 5:6], kp.reshape(len(rows), 10)])
                found[j] = f[np.argsort(f[:, 0], kind="stable")]
        out.extend(found)
    return out


def _detect_at(frames: list[np.ndarray], det_size: int, min_face: int) -> tuple[np.ndarray, np.ndarray]:
    """Largest-face boxes (full-resolution ``(n, 4)``, NaN if none) and their side in pixels
    of the copy with longer side ``det_size`` (``(n,)``, 0 if none)."""
    boxes, sides = np.full((len(frames), 4), np.nan), np.zeros(len(frames))
    for i, (f, faces) in enumerate(zip(frames, detect_all(frames, det_size, min_face))):
        if len(faces):
            w, h = faces[:, 2] - faces[:, 0], faces[:, 3] - faces[:, 1]
            k = int(np.argmax(w * h))
            boxes[i] = faces[k, :4]
            sides[i] = max(w[k], h[k]) * min(1.0, det_size / max(f.shape[:2]))
    return boxes, sides


def detect_largest(frames: list[np.ndarray], det_size: int = DET_SIZE,
                   min_face: int = MIN_FACE, coarse: bool = True) -> np.ndarray:
    """Box of the largest face in each frame, found on downscaled copies, in batches.

    Coarse to fine: MTCNN first runs on copies half as large (longer side ``det_size // 2``);
    a frame keeps that box when its face is at least :data:`ONET_SIZE` pixels there (MTCNN's
    last network refines every box from a 48 x 48 view, so more pixels would not sharpen
    it). Frames with no face or a smaller one are detected again at ``det_size``. Notebook C1,
    section "Face crops".

    Parameters
    ----------
    frames : list of np.ndarray, each ``(H, W, 3)`` uint8 RGB (one size per call is fastest)
    det_size : int
        Longer side of the copy MTCNN sees; frames already smaller are not upscaled.
    min_face : int
        Smallest face searched, in pixels of that copy.
    coarse : bool
        Run the coarse pass first (False: ``det_size`` only).

    Returns
    -------
    np.ndarray, shape ``[len(frames), 4]`` float
        ``x1, y1, x2, y2`` in full-resolution pixels; a row of NaN where no face was found.
    """
    boxes = np.full((len(frames), 4), np.nan)
    todo = np.arange(len(frames))
    if coarse and len(frames):
        b, side = _detect_at(frames, det_size // 2, min_face)
        keep = side >= ONET_SIZE
        boxes[keep] = b[keep]
        todo = np.flatnonzero(~keep)
    if len(todo):
        boxes[todo] = _detect_at([frames[i] for i in todo], det_size, min_face)[0]
    return boxes


def fill_missing(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give each frame without a face the box of the nearest earlier detected frame of the same
    video (the nearest later one for frames before the first detection).
    Notebook C1, section "Face crops".

    Parameters
    ----------
    boxes : np.ndarray, shape ``(T, 4)``, NaN rows where no face was found

    Returns
    -------
    boxes : np.ndarray, shape ``(T, 4)`` (all NaN if no frame had a face)
    borrowed : np.ndarray of bool, shape ``[T]``, True where the box was borrowed
    """
    found = ~np.isnan(boxes).any(axis=1)
    out = boxes.copy()
    if not found.any():
        return out, ~found
    idx = np.flatnonzero(found)
    for t in np.flatnonzero(~found):
        before = idx[idx < t]
        out[t] = boxes[before[-1]] if len(before) else boxes[idx[idx > t][0]]
    return out, ~found


def square_crop(frame: np.ndarray, box: np.ndarray, size: int, margin: float = 0.2) -> np.ndarray:
    """Square crop around a face box, widened by ``margin`` and resized.
    Notebook C1, section "Face crops".

    The square is centred on the box, with side ``max(w, h) * (1 + 2 * margin)``; parts
    outside the frame are black.

    Parameters
    ----------
    frame : np.ndarray, ``(H, W, 3)`` uint8
    box : np.ndarray, ``[4]`` as ``x1, y1, x2, y2``
    size : int
        Output side in pixels.
    margin : float
        Fraction of the box side added on every side.

    Returns
    -------
    np.ndarray, ``(size, size, 3)`` uint8
    """
    import cv2

    x1, y1, x2, y2 = (float(v) for v in box)
    side = max(x2 - x1, y2 - y1) * (1 + 2 * margin)
    side = max(int(round(side)), 2)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    left, top = int(round(cx - side / 2)), int(round(cy - side / 2))
    h, w = frame.shape[:2]
    canvas = np.zeros((side, side, 3), dtype=np.uint8)
    sx0, sy0 = max(left, 0), max(top, 0)
    sx1, sy1 = min(left + side, w), min(top + side, h)
    if sx1 > sx0 and sy1 > sy0:
        canvas[sy0 - top:sy1 - top, sx0 - left:sx1 - left] = frame[sy0:sy1, sx0:sx1]
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return cv2.resize(canvas, (size, size), interpolation=interp)


# --------------------------------------------------------------------------- cache
def cache_path(sha: str, params: dict) -> Path:
    """Cache file of one input (by sha256) and one parameter set.
    Notebook C1, section "Face crops"."""
    return disk.entry("crops", f"{sha}-{disk.key_digest(params)}", ".npz")


def _cached(path: Path, params: dict, compute, cache: bool) -> dict[str, np.ndarray]:
    """``compute()`` -> dict of arrays, through the cache when ``cache``. A "no face" outcome
    (:class:`_NoFace`) is cached too, and raised as :class:`FaceError` naming the file."""
    if not cache:
        try:
            return compute()
        except _NoFace as exc:
            raise FaceError(f"{path}: {exc.reason}") from None
    _check_file(path)
    cp = cache_path(disk.file_digest(path), params)
    hit = disk.read_npz(cp)
    if hit is not None:
        reason = str(hit.pop("reason"))
        if reason:
            raise FaceError(f"{path}: {reason}")
        return hit
    try:
        arrays = compute()
    except _NoFace as exc:
        disk.write_npz(cp, reason=np.str_(exc.reason))
        raise FaceError(f"{path}: {exc.reason}") from None
    disk.write_npz(cp, reason=np.str_(""), **arrays)
    return arrays


class FaceError(UnusableFile):
    """A file in which no face was found; the message is one line that names the file.
    Notebook C1, section "Face crops"."""


class _NoFace(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- crops
def video_crops(path: str | os.PathLike, n_frames: int, size: int, margin: float = 0.2, *,
                det_size: int = DET_SIZE, min_face: int = MIN_FACE,
                cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Face crops of ``n_frames`` evenly spaced frames of a video.

    A sampled frame where MTCNN finds no face takes the box of the nearest earlier frame
    with a face in the same video (the nearest later one before the first detection), see
    :func:`fill_missing`; its mask stays True. Notebook C1, section "Face crops".

    Parameters
    ----------
    path : path of the video
    n_frames : int
        Frames wanted ``T``.
    size : int
        Side ``S`` of the square crops.
    margin : float
        Fraction of the face box added on every side (:func:`square_crop`).
    det_size, min_face : int
        Detection on a copy with longer side ``det_size``; smallest face in its pixels.
    cache : bool
        Read/write the cache (``paths.data_dir()/"crops"``): the face boxes (keyed by file,
        ``T`` and the detection parameters) and the crops (also keyed by ``size`` and
        ``margin``), so another crop size reuses the detections.

    Returns
    -------
    frames : np.ndarray, ``(T, S, S, 3)`` uint8 RGB
        Zeros at padded positions.
    mask : np.ndarray, ``[T]`` bool
        True for a real frame; False for padding when the video has fewer than ``T`` frames.

    Raises
    ------
    FaceError
        Unusable file (empty, corrupt, truncated, unsupported codec) or no face in any
        sampled frame; the message names the file.
    """
    path = Path(path)
    det = {"v": PIPELINE_VERSION, "n": int(n_frames), "det_size": int(det_size), "min_face": int(min_face)}
    decoded: list = []

    def frames():  # decoded once, only if the cache misses
        if not decoded:
            decoded.append(read_frames(path, n_frames)[0])
        return decoded[0]

    def boxes():  # cached apart from the crops: other sizes and margins reuse the detections
        b, _ = fill_missing(detect_largest(frames(), det_size, min_face))
        if np.isnan(b).all():
            raise _NoFace(f"no face found in any of {len(b)} sampled frames")
        return {"boxes": b}

    def crops():
        b = _cached(path, {**det, "kind": "video-boxes"}, boxes, cache)["boxes"]
        out = np.zeros((n_frames, size, size, 3), dtype=np.uint8)
        mask = np.zeros(n_frames, dtype=bool)
        for t, (f, box) in enumerate(zip(frames(), b)):
            out[t] = square_crop(f, box, size, margin)
            mask[t] = True
        return {"frames": out, "mask": mask}

    r = _cached(path, {**det, "kind": "video", "size": int(size), "margin": float(margin)}, crops, cache)
    return r["frames"], r["mask"]


def image_crop(path: str | os.PathLike, size: int, margin: float = 0.2, *,
               det_size: int = DET_SIZE, min_face: int = MIN_FACE, cache: bool = True) -> np.ndarray:
    """Face crop of an image file (largest face), ``(S, S, 3)`` uint8 RGB.
    Notebook C1, section "Face crops".

    Grey and RGBA images are converted to RGB. Raises :class:`FaceError` for an unusable
    file or an image without a face.
    """
    path = Path(path)
    params = {"v": PIPELINE_VERSION, "kind": "image", "size": int(size), "margin": float(margin),
              "det_size": int(det_size), "min_face": int(min_face)}

    def compute():
        img = read_image(path)
        box = detect_largest([img], det_size, min_face)[0]
        if np.isnan(box).any():
            raise _NoFace("no face found in the image")
        return {"crop": square_crop(img, box, size, margin)}

    return _cached(path, params, compute, cache)["crop"]
