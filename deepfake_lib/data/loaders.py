"""Face-crop sets of a manifest: sequences (papers B, C) and images (paper A)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
import numpy as np
from deepfake_lib.data.faces import DET_SIZE, image_crop, video_crops
from deepfake_lib.data.video import UnusableFile


# --------------------------------------------------------------------------- datasets
@dataclass
class SequenceSet:
    """Face-crop sequences of a manifest's videos (notebooks B and C).
    Notebook C1, section "Face crops".

    ``X`` uint8 ``(V, T, S, S, 3)``, ``mask`` bool ``(V, T)``, ``y`` int ``[V]`` (1 = fake),
    ``ids`` list of ``V`` item ids, ``splits`` and ``methods`` str ``[V]``; ``identities``
    str ``[V]`` (a video's own id where the manifest gives no identity) and ``folds`` int
    ``[V]`` (the manifest's identity folds, -1 where it has none); ``skipped`` lists ``{"id", "path" (as in the manifest), "reason"}`` of the items
    left out.
    """
    X: np.ndarray
    mask: np.ndarray
    y: np.ndarray
    ids: list[str]
    splits: np.ndarray
    methods: np.ndarray
    skipped: list[dict[str, str]] = field(default_factory=list)
    identities: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    folds: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))


@dataclass
class ImageSet:
    """Face-crop images (notebook A): ``X`` uint8 ``(M, S, S, 3)``, ``y`` int ``[M]``,
    ``video_ids``, ``splits``, ``methods`` ``[M]``; ``skipped`` as in :class:`SequenceSet`.
    Notebook A3, section "Data"."""
    X: np.ndarray
    y: np.ndarray
    video_ids: np.ndarray
    splits: np.ndarray
    methods: np.ndarray
    skipped: list[dict[str, str]] = field(default_factory=list)


def _items(manifest_path, split):
    from deepfake_lib.data import manifest

    m = manifest.load(manifest_path)
    if split is not None and split not in ("train", "val", "test"):
        raise ValueError(f"unknown split {split!r}; use 'train', 'val', 'test' or None")
    items = [it for it in m.items if split is None or it.get("split") == split]
    return m, items


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``), else ``None``.
    Notebook C1, section "Face crops"."""
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
    Notebook C1, section "Face crops".

    The loaders allocate one ``(n_items, *item_shape)`` uint8 array up front and fill it in
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


def _skip(skipped: list, pbar, item, path, exc: UnusableFile) -> None:
    """Print the one-line reason and keep ``{"id", "path" (as in the manifest), "reason"}``."""
    msg = str(exc)
    reason = msg[len(str(path)) + 2:] if msg.startswith(f"{path}: ") else msg
    skipped.append({"id": str(item["id"]), "path": str(item["path"]), "reason": reason})
    pbar.write(f"skipped {msg}")


def record_skipped(manifest_path, skipped: list[dict[str, str]]) -> None:
    """Add ``skipped`` entries (``{"path", "reason", ...}``, as :func:`load_sequences` returns
    them) to a manifest's ``skipped`` list, once each, and rewrite it atomically.
    Notebook C1, section "Face crops"."""
    from deepfake_lib.data import manifest

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
        ``X`` ``(V, T, S, S, 3)`` uint8, ``mask`` ``(V, T)``, ``y`` ``[V]``, ``ids``, ``splits``,
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
        except UnusableFile as exc:
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
        skipped=skipped,
        identities=np.array([str(it.get("identity") or it["id"]) for it in kept], dtype=str),
        folds=np.array([-1 if it.get("fold") is None else int(it["fold"]) for it in kept],
                       dtype=np.int64))


def load_images(manifest_path, size: int, per_video: int, split: str | None = None, *,
                margin: float = 0.2, det_size: int = DET_SIZE, record: bool = False,
                progress: bool = True) -> ImageSet:
    """Face-crop images: ``per_video`` evenly spaced crops per video, one per image item.
    Notebook A3, section "Data".

    Paper A's image models use it. Failing items are handled as in :func:`load_sequences`.

    Returns
    -------
    ImageSet
        ``X`` ``(M, S, S, 3)`` uint8, ``y`` ``[M]``, ``video_ids``, ``splits``, ``methods``
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
        except UnusableFile as exc:
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
