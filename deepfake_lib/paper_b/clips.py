r"""Paper B's 1-second clips of a video, read with a bound on the frames per video.

Paper B (section 4.2.1): "We segmented the videos into smaller clips with a length of 1 s".
A video of :math:`N` frames at :math:`f` frames per second has :math:`W = \lfloor N / f
\rfloor` whole 1-s windows; window :math:`w` holds frames :math:`\lceil w f \rceil \dots
\lceil (w + 1) f \rceil - 1` (a last second cut short by the end of the video is no clip).
A clip is ``frames_per_clip`` frames spaced evenly inside its window
(:func:`deepfake_lib.data.video.sample_indices`). So that a long video does not read
thousands of frames, at most ``max_clips`` windows are kept, spread evenly over the video
(:func:`clip_plan`): a 22-s video gives ``min(22, max_clips)`` clips, never none. A video
shorter than one window gives one clip spread over its whole length (the small demo
benchmark's videos last 0.64 s), and a video with fewer frames than ``frames_per_clip`` in
every window gives none: it is left out with its reason, listed in the manifest's
``skipped`` list (notebook B2, section "1-second clips").

Each frame of a clip is then either the MTCNN face crop of the face pipeline
(``crop="face"``, the book's departure: paper B never mentions face detection) or the whole
frame resized (``crop="frame"``, the paper's "we resized the clips to a standard resolution
of 256 x 256 pixels"). Crops are cached per video under ``paths.data_dir()/"crops"``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepfake_lib.core import cache as disk
from deepfake_lib.data import faces
from deepfake_lib.data.video import UnusableFile, _check_file, read_video, sample_indices

#: Bumped whenever the clip computation changes, so old cache entries are not reused.
CLIP_VERSION = 1
CROPS = ("face", "frame")


@dataclass
class ClipSet:
    """Clips of ``T = frames_per_clip`` frames (notebook B2, section "1-second clips").

    ``X`` ``(C, T, S, S, 3)`` (uint8, float32 after preprocessing), ``y`` ``(C,)``, ``video``
    ``(C,)`` (id of the source video), ``splits`` and ``methods`` ``(C,)``, ``folds``
    ``(C,)`` (the video's identity fold, -1 where the manifest has none); ``meta`` holds the
    clip parameters, ``per_video`` (clips of each video) and ``skipped`` (the videos that
    gave no clip, ``{"id", "path", "reason"}``).
    """
    X: np.ndarray
    y: np.ndarray
    video: np.ndarray
    splits: np.ndarray
    methods: np.ndarray
    folds: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.folds is None:
            self.folds = np.full(len(self.y), -1, dtype=np.int64)

    def take(self, sel) -> "ClipSet":
        """The clips selected by a boolean mask or index array (notebook B2, section
        "1-second clips")."""
        return ClipSet(self.X[sel], self.y[sel], self.video[sel], self.splits[sel],
                       self.methods[sel], self.folds[sel], dict(self.meta))

    def split(self, name: str) -> "ClipSet":
        """The clips of one split, ``"train"``, ``"val"`` or ``"test"`` (notebook B2)."""
        return self.take(self.splits == name)

    def fold(self, k: int) -> tuple["ClipSet", "ClipSet"]:
        """``(train, test)`` of identity fold ``k`` (notebook B3, section "Every video
        tested: identity folds"): the test clips are fold ``k``'s, the training clips those
        of every other fold, so no identity is on both sides. Raises ``ValueError`` when the
        manifest has no such fold (real datasets have none)."""
        if not (self.folds == k).any():
            raise ValueError(f"no clip is in identity fold {k}; folds present: "
                             f"{sorted(set(self.folds[self.folds >= 0].tolist()))} (the demo "
                             "benchmark's manifest has folds, real datasets have none)")
        return self.take((self.folds >= 0) & (self.folds != k)), self.take(self.folds == k)


def clip_plan(n_total: int, fps: float, frames_per_clip: int, max_clips: int,
              clip_seconds: float = 1.0) -> list[np.ndarray]:
    """Source frame indices of each clip of a video (module docstring; notebook B2, section
    "1-second clips").

    Parameters
    ----------
    n_total : int
        Frames in the video ``N``.
    fps : float
        Its frame rate ``f``.
    frames_per_clip : int
        Frames per clip ``T``.
    max_clips : int
        Most clips kept; the kept windows are spread evenly over the video.
    clip_seconds : float
        Window length (paper: 1 s).

    Returns
    -------
    list of int arrays of shape ``(T,)``, in time order; empty when no window holds ``T``
    frames.
    """
    if n_total <= 0 or fps <= 0 or max_clips <= 0 or frames_per_clip <= 0:
        return []
    win = fps * clip_seconds
    n_win = int(np.floor(n_total / win + 1e-9))
    starts = np.ceil(np.arange(n_win + 1) * win - 1e-9).astype(int)
    bounds = list(zip(starts[:-1], starts[1:])) if n_win else [(0, n_total)]
    chosen = [bounds[i] for i in sample_indices(len(bounds), max_clips)]
    return [a + sample_indices(b - a, frames_per_clip) for a, b in chosen
            if b - a >= frames_per_clip]


def _frame_rate(path: Path, item: dict) -> tuple[int, float]:
    """``(N, fps)`` from the manifest item, or from decoding when it does not say."""
    n, fps = item.get("n_frames"), item.get("fps")
    if n and fps:
        return int(n), float(fps)
    frames, fps_read = read_video(path, keep=set())
    return len(frames), float(fps or fps_read)


def _crop_clips(path: Path, plan: list[np.ndarray], size: int, crop: str, margin: float,
                det_size: int) -> np.ndarray:
    """Decode the planned frames and crop them: ``(C, T, S, S, 3)`` uint8."""
    import cv2

    wanted = np.concatenate(plan)
    decoded, _ = read_video(path, keep=set(int(i) for i in wanted))
    whole = [c for c in plan if c[-1] < len(decoded) and all(decoded[i] is not None for i in c)]
    if not whole:
        raise UnusableFile(f"{path}: none of the {len(plan)} planned clips decodes (truncated?)")
    frames = [decoded[i] for c in whole for i in c]
    if crop == "frame":
        out = [cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA) for f in frames]
    else:
        boxes, _ = faces.fill_missing(faces.detect_largest(frames, det_size))
        if np.isnan(boxes).all():
            raise faces.FaceError(f"{path}: no face found in any of {len(frames)} clip frames")
        out = [faces.square_crop(f, b, size, margin) for f, b in zip(frames, boxes)]
    return np.stack(out).reshape((len(whole), len(plan[0]), size, size, 3))


def video_clips(path: str | os.PathLike, item: dict, frames_per_clip: int, size: int,
                max_clips: int, *, clip_seconds: float = 1.0, crop: str = "face",
                margin: float = 0.2, det_size: int = faces.DET_SIZE,
                cache: bool = True) -> np.ndarray:
    """The clips of one video, ``(C, T, S, S, 3)`` uint8, at most ``max_clips * T`` frames
    read (notebook B2, section "1-second clips").

    ``item`` is the video's manifest entry (its ``n_frames`` and ``fps``). Raises
    :class:`deepfake_lib.data.video.UnusableFile` (naming the file and the reason) when the
    video yields no clip: too short or too low a frame rate for ``T`` frames in a window,
    unreadable, or (``crop="face"``) no face in any clip frame. Results, failures included,
    are cached.
    """
    if crop not in CROPS:
        raise ValueError(f"crop must be one of {CROPS}, got {crop!r}")
    path = Path(path)
    _check_file(path)
    n_total, fps = _frame_rate(path, item)
    plan = clip_plan(n_total, fps, frames_per_clip, max_clips, clip_seconds)
    if not plan:
        raise UnusableFile(f"{path}: no clip of {frames_per_clip} frames in any "
                           f"{clip_seconds:g}-s window ({n_total} frames at {fps:g} fps)")
    key = {"v": CLIP_VERSION, "kind": "b-clips", "file": disk.file_digest(path),
           "plan": disk.key_digest({"plan": [c.tolist() for c in plan]}), "size": int(size),
           "crop": crop, "margin": float(margin), "det_size": int(det_size)}
    entry = disk.entry("crops", disk.key_digest(key), ".npz")
    hit = disk.read_npz(entry) if cache else None
    if hit is None:
        try:
            hit = {"clips": _crop_clips(path, plan, size, crop, margin, det_size), "reason": ""}
        except UnusableFile as exc:  # kept without the path: the key is the file's digest
            hit = {"clips": np.zeros((0,), np.uint8), "reason": str(exc).split(": ", 1)[-1]}
        if cache:
            disk.write_npz(entry, clips=hit["clips"], reason=np.str_(hit["reason"]))
    if str(hit["reason"]):
        raise UnusableFile(f"{path}: {hit['reason']}")
    return hit["clips"]


def load_clips(manifest_path, frames_per_clip: int, size: int, max_frames: int, *,
               clip_seconds: float = 1.0, crop: str = "face", margin: float = 0.2,
               det_size: int = faces.DET_SIZE, record: bool = True,
               progress: bool = False) -> ClipSet:
    """The 1-second clips of every video of a manifest (notebook B2, section "1-second
    clips").

    At most ``max_frames`` frames are read per video, so at most ``max_frames //
    frames_per_clip`` clips (:func:`clip_plan`). A clip keeps its video's label, split,
    method and id, so splits stay video-disjoint. Every video that yields no clip is left
    out, printed with its reason, kept in ``meta["skipped"]`` and (``record``) added to the
    manifest's ``skipped`` list.

    Returns
    -------
    ClipSet
        ``X`` ``(C, T, S, S, 3)`` uint8; ``meta["per_video"]`` maps video id -> clips.
    """
    from tqdm.auto import tqdm

    from deepfake_lib.data import loaders, manifest

    max_clips = max_frames // frames_per_clip
    if max_clips < 1:
        raise ValueError(f"max_frames={max_frames} reads no clip of {frames_per_clip} frames")
    m = manifest.load(manifest_path)
    items = [it for it in m.items if it.get("kind", "video") == "video"]
    shape = (frames_per_clip, size, size, 3)
    loaders.check_memory(len(items) * max_clips, shape, "load_clips")
    X_all = np.zeros((len(items) * max_clips,) + shape, np.uint8)  # filled in place
    rows, per_video, skipped = [], {}, []
    for it in tqdm(items, desc="1-s clips", unit="video", disable=not progress, leave=False):
        try:
            X = video_clips(m.abspath(it), it, frames_per_clip, size, max_clips,
                            clip_seconds=clip_seconds, crop=crop, margin=margin,
                            det_size=det_size)
        except UnusableFile as exc:
            skipped.append({"id": str(it["id"]), "path": str(it["path"]),
                            "reason": str(exc).split(": ", 1)[-1]})
            print(f"skipped {exc}")
            continue
        X_all[len(rows):len(rows) + len(X)] = X
        rows += [it] * len(X)
        per_video[str(it["id"])] = len(X)
    if record and skipped:
        loaders.record_skipped(manifest_path, skipped)
    meta = {"frames_per_clip": frames_per_clip, "clip_seconds": clip_seconds,
            "max_clips": max_clips, "crop": crop, "per_video": per_video, "skipped": skipped}
    return ClipSet(X_all[:len(rows)],
                   np.array([int(it["label"]) for it in rows], dtype=np.int64),
                   np.array([str(it["id"]) for it in rows], dtype=str),
                   np.array([str(it.get("split")) for it in rows], dtype=str),
                   np.array([str(it.get("method")) for it in rows], dtype=str),
                   np.array([-1 if it.get("fold") is None else int(it["fold"]) for it in rows],
                            dtype=np.int64), meta)
