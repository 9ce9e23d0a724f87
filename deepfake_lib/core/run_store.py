"""The run store: every unit's outcome on disk as it finishes, so a rerun skips what is done.

:func:`deepfake_lib.core.dispatch.map_units` writes each unit's result here the moment it
arrives, and looks a unit up before running it. A unit's entry is keyed by the sha256 of

- the notebook (the :class:`deepfake_lib.core.results.Run` that called ``map_units``),
- the unit function's qualified name and the unit itself (configuration and seed: epochs,
  hyperparameters... travel inside the unit),
- a digest of ``shared`` (the training arrays the units read),
- the sha256 of the data manifest the notebook recorded,
- the library version *and a digest of the library's source*, so that a changed line of
  code is a new key and is computed again, never served from an older version.

Each entry is one JSON file, ``<root>/<notebook>/<key[:2]>/<key>.json``, written atomically
(a temporary file in the same folder, flushed, then ``os.replace``): a crash never leaves a
half-written entry that a rerun would take as done. A killed run loses at most the units in
flight. Models are not stored: a unit returns JSON (histories, scores, PSO fitness).
``dfbook runs`` lists the store and prunes it. Notebook D1, section "How every notebook runs".
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np


def default_root() -> Path:
    """Where ``dfbook run`` keeps the run store by default: ``<data cache>/runs``.
    Notebook D1, section "How every notebook runs"."""
    from deepfake_lib.core.paths import data_dir

    return data_dir() / "runs"


def canonical_json(value: Any) -> str:
    """The one JSON text of ``value`` (sorted keys, no spaces, no NaN) that keys hash.
    Notebook D1, section "How every notebook runs"."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


@lru_cache(maxsize=1)
def library_version() -> str:
    """``<package version>+<12 hex digits of the sha256 of every deepfake_lib source file>``.
    Notebook D1, section "How every notebook runs"."""
    from importlib import metadata

    try:
        version = metadata.version("deepfake_lib")
    except metadata.PackageNotFoundError:
        version = "0"
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    return f"{version}+{h.hexdigest()[:12]}"


def _digest_into(h, value: Any) -> None:
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        h.update(f"nd{arr.dtype.str}{arr.shape}".encode())
        h.update(memoryview(arr).cast("B"))
    elif isinstance(value, Mapping):
        h.update(b"{")
        for k in sorted(value, key=str):
            h.update(str(k).encode() + b":")
            _digest_into(h, value[k])
        h.update(b"}")
    elif isinstance(value, (list, tuple)):
        h.update(b"[" if isinstance(value, list) else b"(")
        for v in value:
            _digest_into(h, v)
        h.update(b"]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(type(value).__qualname__.encode())
        _digest_into(h, {f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    elif value is None or isinstance(value, (bool, int, float, str, np.generic)):
        h.update(repr(value).encode())
    else:
        import pickle

        h.update(pickle.dumps(value, protocol=4))


def data_digest(value: Any) -> str:
    """sha256 of ``shared``: NumPy arrays by their bytes (no copy), dicts, lists, tuples and
    dataclasses by their parts, anything else by its pickle.
    Notebook D1, section "How every notebook runs"."""
    h = hashlib.sha256()
    _digest_into(h, value)
    return h.hexdigest()


class RunStore:
    """The stored outcomes of one notebook's units, under ``root``.

    Parameters
    ----------
    root : path
        Folder of the store (``$DFBOOK_STORE``; created on first write).
    notebook : str
        Notebook name, e.g. ``"B2_cnn_rnn"``.
    manifest : str or None
        sha256 of the data manifest the units read.
    version : str, optional
        Library version and source digest (default :func:`library_version`).

    Notebook D1, section "How every notebook runs".
    """

    def __init__(self, root: str | os.PathLike, notebook: str, manifest: str | None = None,
                 version: str | None = None) -> None:
        self.root = Path(root)
        self.notebook = notebook
        self.manifest = manifest
        self.version = version or library_version()

    def key(self, fn_name: str, unit: Mapping[str, Any], shared_digest: str = "") -> str:
        """sha256 of (notebook, function, unit, shared digest, manifest, version)."""
        text = canonical_json({"notebook": self.notebook, "fn": fn_name, "unit": dict(unit),
                               "shared": shared_digest, "manifest": self.manifest,
                               "version": self.version})
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, key: str) -> Path:
        """The file that holds the entry ``key``."""
        return self.root / self.notebook / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any:
        """The stored result of ``key``, or ``None`` when it has none (or it is unreadable)."""
        try:
            with open(self.path(key), encoding="utf-8") as fh:
                return json.load(fh)["result"]
        except (OSError, ValueError, KeyError):
            return None

    def put(self, key: str, unit: Mapping[str, Any], result: Any, fn_name: str = "") -> Path:
        """Write ``unit``'s JSON-able ``result`` atomically under ``key``; returns the file."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"notebook": self.notebook, "fn": fn_name, "unit": dict(unit),
                  "manifest": self.manifest, "version": self.version,
                  "written": time.strftime("%Y-%m-%dT%H:%M:%S"), "result": result}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, sort_keys=True, allow_nan=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def __len__(self) -> int:
        return sum(1 for _ in _entry_files(self.root / self.notebook, "*/*.json"))


def _entry_files(root: Path, pattern: str) -> Iterator[Path]:
    """The entry files under ``root``: never a temporary file a killed write left behind."""
    return (p for p in sorted(root.glob(pattern)) if not p.name.startswith("."))


def entries(root: str | os.PathLike) -> Iterator[tuple[Path, dict]]:
    """Every readable entry of the store at ``root``: ``(path, record without result)``.
    Notebook D1, section "How every notebook runs"."""
    for path in _entry_files(Path(root), "*/*/*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        record.pop("result", None)
        yield path, record


def summary(root: str | os.PathLike) -> list[dict]:
    """One row per (notebook, library version): entries, bytes, last written, whether the
    version is this library's. What ``dfbook runs`` prints.
    Notebook D1, section "How every notebook runs"."""
    rows: dict[tuple[str, str], dict] = {}
    for path, rec in entries(root):
        key = (rec.get("notebook", path.parts[-3]), rec.get("version", "?"))
        row = rows.setdefault(key, {"notebook": key[0], "version": key[1], "entries": 0,
                                    "bytes": 0, "last_written": ""})
        row["entries"] += 1
        row["bytes"] += path.stat().st_size
        row["last_written"] = max(row["last_written"], rec.get("written", ""))
    current = library_version()
    return [{**r, "current": r["version"] == current} for _, r in sorted(rows.items())]


def prune(root: str | os.PathLike, notebooks: list[str] | None = None,
          stale_only: bool = False) -> int:
    """Delete entries of ``notebooks`` (all when None); with ``stale_only``, only those
    written by another library version. Returns the number of entries deleted.
    Notebook D1, section "How every notebook runs"."""
    root = Path(root)
    current = library_version()
    removed = 0
    for path, rec in list(entries(root)):
        if notebooks and rec.get("notebook", path.parts[-3]) not in notebooks:
            continue
        if stale_only and rec.get("version") == current:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    for tmp in root.glob("*/*/.tmp-*"):  # left by a write that was killed
        tmp.unlink(missing_ok=True)
    for folder in sorted(root.glob("*/*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    for folder in root.glob("*"):
        if folder.is_dir() and not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
    return removed
