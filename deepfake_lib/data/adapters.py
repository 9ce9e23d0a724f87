"""Dataset layouts: scan a real dataset's canonical folder tree into one manifest.

``dfbook data index --layout {ffpp,celebdf,dfdc,ciplab} ROOT`` calls :func:`index`. Every
layout ends in the same :class:`deepfake_lib.manifest.Manifest` (label 1 = fake, splits
``train``/``val``/``test``), so the face pipeline and the notebooks never see the layout
(notebook C1, section "The data", shows where a notebook gets its manifest).

Split rules, always with the unit that must not be cut in two (the item field ``group``):

- FaceForensics++: the official ``splits/{train,val,test}.json`` (lists of ``(target, source)``
  id pairs) when present; else a seeded 72/14/14 split of the groups formed by joining each
  fake ``<target>_<source>`` with both originals.
- Celeb-DF v2: ``List_of_testing_videos.txt`` (label 1 = real there) is the test split and
  training never includes those videos; the rest is split train/val by target identity
  (``idN``), each fake going with the real video it was made from.
- DFDC: ``metadata.json`` of each ``dfdc_train_part_*``; a fake is grouped with its
  ``original``, groups split 70/15/15 (seeded).
- Ciplab real-and-fake-face: images, no identities, a seeded stratified 70/15/15 split.

Missing folders, metadata files or media files and unreadable media are recorded in the
manifest's ``skipped`` with a one-line reason; the scan goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np

from deepfake_lib.data.manifest import Manifest
from deepfake_lib.core.paths import data_dir
from deepfake_lib.core.results import file_sha256

LAYOUTS = ("ffpp", "celebdf", "dfdc", "ciplab")
FFPP_METHODS = ("Deepfakes", "FaceSwap", "Face2Face", "NeuralTextures")
COMPRESSIONS = ("raw", "c23", "c40")
VIDEO_EXT = (".mp4", ".avi", ".mov", ".mkv", ".webm")
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")

#: What each layout expects under ROOT (printed when ROOT matches none).
EXPECTS = {
    "ffpp": "original_sequences/youtube/{raw,c23,c40}/videos/*.mp4, manipulated_sequences/"
            "{Deepfakes,FaceSwap,Face2Face,NeuralTextures}/{raw,c23,c40}/videos/*.mp4, "
            "optional splits/{train,val,test}.json",
    "celebdf": "Celeb-real/*.mp4, YouTube-real/*.mp4, Celeb-synthesis/*.mp4, List_of_testing_videos.txt",
    "dfdc": "dfdc_train_part_*/metadata.json and the part's *.mp4",
    "ciplab": "training_real/*.jpg and training_fake/*.jpg",
}


class LayoutError(ValueError):
    """ROOT does not hold the layout asked for, or any known layout.
    Notebook C1, section "The data"."""


def _expectations() -> str:
    return "; ".join(f"{k}: {v}" for k, v in EXPECTS.items())


def _matches(root: Path) -> list[str]:
    found = []
    if (root / "original_sequences").is_dir() or (root / "manipulated_sequences").is_dir():
        found.append("ffpp")
    if any((root / d).is_dir() for d in ("Celeb-real", "Celeb-synthesis", "YouTube-real")):
        found.append("celebdf")
    if any(p.is_dir() for p in root.glob("dfdc_train_part_*")):
        found.append("dfdc")
    if (root / "training_real").is_dir() or (root / "training_fake").is_dir():
        found.append("ciplab")
    return found


def detect_layout(root: str | os.PathLike) -> str:
    """The layout whose folders ROOT holds; :class:`LayoutError` listing every layout's
    expected tree if none or several match.
    Notebook C1, section "The data"."""
    root = Path(root)
    if not root.is_dir():
        raise LayoutError(f"{root}: not a folder")
    found = _matches(root)
    if len(found) == 1:
        return found[0]
    if not found:
        raise LayoutError(f"{root} matches no known dataset layout. Expected one of: {_expectations()}")
    raise LayoutError(f"{root} matches several layouts {found}; pass --layout")


def default_manifest_path(layout: str, root: str | os.PathLike, compression: str = "c23",
                          seed: int = 0) -> Path:
    """Where :func:`index` writes by default:
    ``data_dir()/manifests/<layout>[-<compression>]-s<seed>-<hash of ROOT's absolute path>.json``.
    Notebook C1, section "The data"."""
    root_key = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:10]
    tag = f"{layout}-{compression}" if layout == "ffpp" else layout
    return data_dir() / "manifests" / f"{tag}-s{seed}-{root_key}.json"


# --------------------------------------------------------------------------- media checks
def probe(path: Path, kind: str) -> tuple[dict | None, str | None]:
    """Open a media file: ``({"n_frames", "fps"}, None)`` or ``(None, one-line reason)``.
    Notebook C1, section "The data"."""
    import cv2

    try:
        if path.stat().st_size == 0:
            return None, "empty file (0 bytes)"
    except OSError as exc:
        return None, f"cannot read ({exc.strerror})"
    if kind == "image":
        img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if img is None:
            return None, "cannot decode image (corrupt or unsupported format)"
        return {"n_frames": 1, "fps": None}, None
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            return None, "cannot open video (corrupt, truncated or unsupported codec)"
        ok, _ = cap.read()
        if not ok:
            return None, "no decodable frame (corrupt, truncated or unsupported codec)"
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(cap.get(cv2.CAP_PROP_FPS)) or None
        return {"n_frames": n if n > 0 else None, "fps": round(fps, 3) if fps else None}, None
    finally:
        cap.release()


class _Scan:
    """Adds items to a manifest after checking (and hashing) each file."""

    def __init__(self, m: Manifest, root: Path, check_media: bool, hash_files: bool):
        from tqdm.auto import tqdm

        self.m, self.root, self.check, self.hash = m, root, check_media, hash_files
        self.bar = tqdm(desc=f"indexing {m.layout}", unit="file", leave=False)

    def rel(self, p: Path) -> str:
        return p.relative_to(self.root).as_posix()

    def missing(self, rel: str, what: str) -> None:
        self.m.skip(rel, f"missing {what}")

    def add(self, p: Path, kind: str = "video", **fields) -> bool:
        rel = self.rel(p)
        info = {"n_frames": None, "fps": None}
        self.bar.update(1)
        if self.check:
            info, reason = probe(p, kind)
            if reason:
                self.m.skip(rel, reason)
                self.bar.write(f"skipped {p}: {reason}")
                return False
        sha = file_sha256(p) if self.hash else None
        self.m.add(path=rel, kind=kind, sha256=sha, **info, **fields)
        return True


def _files(folder: Path, exts) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in exts)


# --------------------------------------------------------------------------- splits
def split_groups(groups: list[str], seed: int, fractions=(0.7, 0.15, 0.15),
                 names=("train", "val", "test")) -> dict[str, str]:
    """Assign whole groups to splits: shuffle the sorted unique groups with ``seed`` and cut
    at the cumulative ``fractions`` (every split non-empty when there are enough groups).
    Notebook C1, section "The data".

    Returns a dict group -> split name.
    """
    uniq = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(uniq))
    n = len(uniq)
    cuts = np.floor(np.cumsum(fractions)[:-1] * n + 0.5).astype(int)
    if n >= len(names):  # at least one group per split
        for k in range(len(cuts)):
            cuts[k] = min(max(cuts[k], k + 1), n - (len(names) - 1 - k))
    out = {}
    for rank, i in enumerate(order):
        out[uniq[i]] = names[int(np.searchsorted(cuts, rank, side="right"))]
    return out


class _Union:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, a: str) -> str:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# --------------------------------------------------------------------------- layouts
def _ffpp(root: Path, m: Manifest, scan: _Scan, compression: str, seed: int) -> None:
    if compression not in COMPRESSIONS:
        raise LayoutError(f"unknown compression {compression!r}; use one of {COMPRESSIONS}")
    folders = [("real", f"original_sequences/youtube/{compression}/videos")]
    folders += [(meth, f"manipulated_sequences/{meth}/{compression}/videos") for meth in FFPP_METHODS]
    for method, rel in folders:
        folder = root / rel
        if not folder.is_dir():
            scan.missing(rel, "folder")
            continue
        for p in _files(folder, VIDEO_EXT):
            if method == "real":
                target, source = p.stem, None
            else:
                parts = p.stem.split("_")
                if len(parts) != 2:
                    m.skip(scan.rel(p), "name is not <target>_<source>")
                    continue
                target, source = parts
            scan.add(p, id=f"{method}/{p.stem}", label=int(method != "real"), method=method,
                     identity=target, donor_identity=source)
    extra = sorted(p.name for p in (root / "manipulated_sequences").glob("*")
                   if p.is_dir() and p.name not in FFPP_METHODS)
    if extra:  # e.g. FaceShifter, DeepFakeDetection: outside the four methods the papers use
        m.meta["not_indexed"] = [f"manipulated_sequences/{e}" for e in extra]
    # splits: official pairs, else seeded groups joining each fake with both originals
    official: dict[str, str] = {}
    missing = [s for s in ("train", "val", "test") if not (root / "splits" / f"{s}.json").is_file()]
    if not missing:
        for s in ("train", "val", "test"):
            try:
                pairs = json.loads((root / "splits" / f"{s}.json").read_text())
                for pair in pairs:
                    for vid in pair:
                        official[str(vid)] = s
            except (OSError, json.JSONDecodeError, TypeError) as exc:
                m.skip(f"splits/{s}.json", f"unreadable split file ({exc})")
                official = {}
                break
    elif len(missing) < 3:
        m.skip("splits", f"incomplete official splits (missing {', '.join(missing)}.json)")
    u = _Union()
    for it in m.items:
        u.find(it["identity"])
        if it["donor_identity"]:
            u.join(it["identity"], it["donor_identity"])
    for it in m.items:
        it["group"] = u.find(it["identity"])
    if official:
        m.split_kind = "official (FaceForensics++ splits/*.json)"
        keep = []
        for it in m.items:
            s = official.get(it["identity"])
            if s is None or (it["donor_identity"] and official.get(it["donor_identity"]) != s):
                m.skip(it["path"], "id not in (or split across) the official split files")
                continue
            it["split"] = s
            keep.append(it)
        m.items[:] = keep
    else:
        assign = split_groups([it["group"] for it in m.items], seed, (0.72, 0.14, 0.14))
        for it in m.items:
            it["split"] = assign[it["group"]]
        m.split_kind = "video-disjoint, seeded 72/14/14 (no official split files; fakes grouped with both originals)"


_CELEB_SYN = re.compile(r"^(id\d+)_(id\d+)_(\d+)$")
_CELEB_REAL = re.compile(r"^(id\d+)_(\d+)$")


def _celebdf(root: Path, m: Manifest, scan: _Scan, seed: int) -> None:
    test: dict[str, int] = {}
    listfile = root / "List_of_testing_videos.txt"
    if listfile.is_file():
        for n, line in enumerate(listfile.read_text().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or parts[0] not in ("0", "1"):
                m.skip(f"List_of_testing_videos.txt:{n}", f"unreadable line {line.strip()!r}")
                continue
            test[parts[1]] = 1 - int(parts[0])  # the file says 1 = real; ours 1 = fake
    else:
        scan.missing("List_of_testing_videos.txt", "official test list (test split made by identity instead)")
    seen = set()
    for folder, label in (("Celeb-real", 0), ("YouTube-real", 0), ("Celeb-synthesis", 1)):
        if not (root / folder).is_dir():
            scan.missing(folder, "folder")
            continue
        for p in _files(root / folder, VIDEO_EXT):
            rel = scan.rel(p)
            seen.add(rel)
            if folder == "Celeb-synthesis":
                mt = _CELEB_SYN.match(p.stem)
                target, donor = (mt.group(1), mt.group(2)) if mt else (p.stem, None)
            elif folder == "Celeb-real":
                mt = _CELEB_REAL.match(p.stem)
                target, donor = (mt.group(1) if mt else p.stem), None
            else:
                target, donor = f"youtube-{p.stem}", None
            if rel in test and test[rel] != label:
                m.skip(rel, f"label in List_of_testing_videos.txt disagrees with folder {folder}")
                continue
            scan.add(p, id=rel.rsplit(".", 1)[0], label=label,
                     method="real" if label == 0 else "Celeb-synthesis",
                     identity=target, donor_identity=donor, group=target,
                     split="test" if rel in test else None)
    for rel in sorted(set(test) - seen):
        m.skip(rel, "listed in List_of_testing_videos.txt but not found")
    rest = [it for it in m.items if it["split"] is None]
    if test:
        assign = split_groups([it["identity"] for it in rest], seed, (0.85, 0.15), ("train", "val"))
        m.split_kind = ("official test list; train/val by target identity (seeded 85/15), "
                        "each fake with its source video")
    else:
        assign = split_groups([it["identity"] for it in rest], seed)
        m.split_kind = "identity-disjoint by target identity, seeded 70/15/15 (no official test list)"
    for it in rest:
        it["split"] = assign[it["identity"]]


def _dfdc(root: Path, m: Manifest, scan: _Scan, seed: int) -> None:
    parts = sorted(p for p in root.glob("dfdc_train_part_*") if p.is_dir())
    for part in parts:
        meta_path = part / "metadata.json"
        if not meta_path.is_file():
            scan.missing(scan.rel(meta_path), "metadata.json (part not indexed)")
            continue
        try:
            meta = json.loads(meta_path.read_text())
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            m.skip(scan.rel(meta_path), f"unreadable metadata.json ({exc})")
            continue
        listed = set()
        for name, rec in sorted(meta.items()):
            listed.add(name)
            p = part / name
            rel = scan.rel(p)
            label_s = str(rec.get("label", "")).upper() if isinstance(rec, dict) else ""
            if label_s not in ("FAKE", "REAL"):
                m.skip(rel, f"metadata.json has no REAL/FAKE label ({rec!r})")
                continue
            if not p.is_file():
                m.skip(rel, "listed in metadata.json but not found")
                continue
            original = rec.get("original") if label_s == "FAKE" else None
            group = Path(original).stem if original else p.stem
            scan.add(p, id=f"{part.name}/{p.stem}", label=int(label_s == "FAKE"),
                     method="fake" if label_s == "FAKE" else "real",
                     identity=None, donor_identity=None, group=group, original=original)
        for p in _files(part, VIDEO_EXT):
            if p.name not in listed:
                m.skip(scan.rel(p), "not listed in metadata.json")
    assign = split_groups([it["group"] for it in m.items], seed)
    for it in m.items:
        it["split"] = assign[it["group"]]
    m.split_kind = "video-disjoint, seeded 70/15/15; each fake grouped with its original"


def _ciplab(root: Path, m: Manifest, scan: _Scan, seed: int) -> None:
    for folder, label in (("training_real", 0), ("training_fake", 1)):
        if not (root / folder).is_dir():
            scan.missing(folder, "folder")
            continue
        for p in _files(root / folder, IMAGE_EXT):
            level = p.stem.split("_")[0]
            method = "real" if label == 0 else (f"fake_{level}" if level in ("easy", "mid", "hard") else "fake")
            scan.add(p, kind="image", id=f"{folder}/{p.stem}", label=label, method=method,
                     identity=None, donor_identity=None, group=f"{folder}/{p.stem}")
    for label in (0, 1):  # stratified: split each class separately
        items = [it for it in m.items if it["label"] == label]
        assign = split_groups([it["group"] for it in items], seed + label)
        for it in items:
            it["split"] = assign[it["group"]]
    m.split_kind = "image-level, seeded stratified 70/15/15 (no official split; identities unknown)"


def index(layout: str | None, root: str | os.PathLike, out: str | os.PathLike | None = None,
          compression: str = "c23", *, seed: int = 0, check_media: bool = True,
          hash_files: bool = True) -> Path:
    """Scan ``root`` as ``layout`` and write its manifest; print a one-line summary.
    Notebook C1, section "The data".

    Parameters
    ----------
    layout : {"ffpp", "celebdf", "dfdc", "ciplab"} or None
        None: :func:`detect_layout`.
    root : path of the dataset's top folder
    out : manifest path; default :func:`default_manifest_path`
    compression : {"raw", "c23", "c40"}
        FaceForensics++ only.
    seed : int
        Seed of the splits that are not official.
    check_media : bool
        Open every file (zero-byte, corrupt, truncated or undecodable ones go to ``skipped``)
        and record frame count and fps.
    hash_files : bool
        Record each file's sha256.

    Returns
    -------
    Path of the manifest.

    Raises
    ------
    LayoutError
        Unknown layout, or ROOT without the layout's folders (the message lists what each
        layout expects).
    """
    root = Path(root).resolve()
    if layout is None:
        layout = detect_layout(root)
    if layout not in LAYOUTS:
        raise LayoutError(f"unknown layout {layout!r}; known layouts: {', '.join(LAYOUTS)}")
    if not root.is_dir():
        raise LayoutError(f"{root}: not a folder")
    if layout not in _matches(root):
        raise LayoutError(f"{root} does not look like {layout} (expected {EXPECTS[layout]}). "
                          f"What each layout expects: {_expectations()}")
    m = Manifest(layout=layout, root=str(root),
                 meta={"seed": seed, "check_media": check_media,
                       **({"compression": compression} if layout == "ffpp" else {})})
    scan = _Scan(m, root, check_media, hash_files)
    if layout == "ffpp":
        _ffpp(root, m, scan, compression, seed)
    elif layout == "celebdf":
        _celebdf(root, m, scan, seed)
    elif layout == "dfdc":
        _dfdc(root, m, scan, seed)
    else:
        _ciplab(root, m, scan, seed)
    scan.bar.close()
    path = m.write(Path(out) if out else default_manifest_path(layout, root, compression, seed))
    print(summary_line(m))
    return path


def summary_line(m: Manifest) -> str:
    """``<layout> <root>: N items (train a, val b, test c; real r, fake f), K skipped``.
    Notebook C1, section "The data"."""
    splits = ", ".join(f"{s} {sum(it['split'] == s for it in m.items)}" for s in ("train", "val", "test"))
    labels = f"real {sum(it['label'] == 0 for it in m.items)}, fake {sum(it['label'] == 1 for it in m.items)}"
    return f"{m.layout} {m.root}: {len(m.items)} items ({splits}; {labels}), {len(m.skipped)} skipped"
