"""Where things live: the repository, the data cache, the results folder.

Every path the library uses comes from here, so one environment variable moves it:

- ``DFBOOK_DATA``     the data cache (downloaded media, demo benchmark, face crops);
  default ``<repo>/data``.
- ``DFBOOK_RESULTS``  where notebooks write ``<notebook>.json``; default
  ``<repo>/book/results``.
- ``DFBOOK_PAPERS``   the papers' text (never committed), which the ledger tests re-read;
  default ``../shared/papers`` next to the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The checkout holding ``deepfake_lib`` (the folder with ``pyproject.toml``).
    Notebook D1, section "How every notebook runs"."""
    for parent in (_PACKAGE_DIR, *_PACKAGE_DIR.parents):
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd()


def data_dir() -> Path:
    """The data cache: ``$DFBOOK_DATA`` or ``<repo>/data``.
    Notebook D1, section "How every notebook runs"."""
    return Path(os.environ.get("DFBOOK_DATA", repo_root() / "data"))


def results_dir(override: str | os.PathLike | None = None) -> Path:
    """Folder for results files: ``override`` if given, else ``$DFBOOK_RESULTS``,
    else ``<repo>/book/results``.
    Notebook D1, section "How every notebook runs"."""
    if override:
        return Path(override)
    return Path(os.environ.get("DFBOOK_RESULTS", repo_root() / "book" / "results"))


def notebooks_dir() -> Path:
    """The notebook sources: ``<repo>/notebooks``. Notebook D1, section "How every notebook runs"."""
    return repo_root() / "notebooks"


def book_dir() -> Path:
    """The Jupyter Book source: ``<repo>/book``. Notebook D1, section "How every notebook runs"."""
    return repo_root() / "book"


def papers_dir() -> Path:
    """The papers' text files: ``$DFBOOK_PAPERS`` (relative to the repository) or
    ``<repo>/../shared/papers``.
    Notebook D1, section "How every notebook runs"."""
    value = os.environ.get("DFBOOK_PAPERS")
    if not value:
        return repo_root().parent / "shared" / "papers"
    path = Path(value).expanduser()
    return path if path.is_absolute() else repo_root() / path
