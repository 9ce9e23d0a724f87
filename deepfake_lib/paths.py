"""Where things live: the repository, the data cache, the results folder.

Every path the library uses comes from here, so one environment variable moves it:

- ``DFBOOK_DATA``     the data cache (downloaded media, demo benchmark, face crops);
  default ``<repo>/data``.
- ``DFBOOK_RESULTS``  where notebooks write ``<notebook>.json``; default
  ``<repo>/book/results``.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The checkout holding ``deepfake_lib`` (the folder with ``pyproject.toml``)."""
    for parent in (_PACKAGE_DIR, *_PACKAGE_DIR.parents):
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd()


def data_dir() -> Path:
    """The data cache: ``$DFBOOK_DATA`` or ``<repo>/data``."""
    return Path(os.environ.get("DFBOOK_DATA", repo_root() / "data"))


def results_dir(override: str | os.PathLike | None = None) -> Path:
    """Folder for results files: ``override`` if given, else ``$DFBOOK_RESULTS``,
    else ``<repo>/book/results``."""
    if override:
        return Path(override)
    return Path(os.environ.get("DFBOOK_RESULTS", repo_root() / "book" / "results"))


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def book_dir() -> Path:
    return repo_root() / "book"
