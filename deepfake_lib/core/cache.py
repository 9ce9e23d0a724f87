"""The disk cache: one key, one file, written atomically, read back only when whole.

Face boxes and crops (:mod:`deepfake_lib.data.faces`), MTCNN results of the demo's source
media (:mod:`deepfake_lib.demo.sources`) and Xception features
(:mod:`deepfake_lib.paper_c.features`) are cached under ``paths.data_dir()`` with these
helpers, so a run that is interrupted resumes where it stopped and a corrupt or half-written
file is recomputed, never read. Notebook C1, section "Face crops", shows the cache at work.

Usage::

    path = cache.entry("features", cache.key_digest({"video": sha, "size": 96}), ".npz")
    arrays = cache.read_npz(path)           # None when missing or unreadable
    if arrays is None:
        arrays = {"features": compute()}
        cache.write_npz(path, **arrays)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from deepfake_lib.core.paths import data_dir
from deepfake_lib.core.results import file_sha256

_SHA_MEMO: dict[tuple[str, int, int], str] = {}


def key_digest(params: dict, length: int = 16) -> str:
    """Hex digest of a JSON-able dict (keys sorted), the name of its cache entry.
    Notebook D1, section "How every notebook runs"."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def file_digest(path: str | os.PathLike) -> str:
    """sha256 of a file, memoised by (path, size, modification time) within a process.
    Notebook D1, section "How every notebook runs"."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_MEMO:
        _SHA_MEMO[key] = file_sha256(path)
    return _SHA_MEMO[key]


def forget_digests() -> None:
    """Empty the memo of :func:`file_digest` (a benchmark of a cold cache hashes again).
    Notebook D1, section "How every notebook runs"."""
    _SHA_MEMO.clear()


def entry(kind: str, name: str, suffix: str) -> Path:
    """``<data cache>/<kind>/<name[:2]>/<name><suffix>``: the path of one cache entry.
    Notebook D1, section "How every notebook runs"."""
    return data_dir() / kind / name[:2] / f"{name}{suffix}"


def _atomic_write(path: Path, write: Callable[[Any], None], mode: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, mode) as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:  # interrupted: no half-written entry is ever read back
        tmp.unlink(missing_ok=True)
        raise


def write_npz(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    """Write arrays as an ``.npz`` atomically (a temporary file in the same folder, renamed).
    Notebook D1, section "How every notebook runs"."""
    _atomic_write(Path(path), lambda fh: np.savez(fh, **arrays), "wb")


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray] | None:
    """The arrays of an ``.npz`` entry, or None when it is missing or unreadable (corrupt,
    truncated): the caller recomputes.
    Notebook D1, section "How every notebook runs"."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError, EOFError):
        return None


def write_json(path: str | os.PathLike, value: Any) -> None:
    """Write a JSON entry atomically. Notebook D1, section "How every notebook runs"."""
    _atomic_write(Path(path), lambda fh: fh.write(json.dumps(value)), "w")


def read_json(path: str | os.PathLike) -> Any | None:
    """The value of a JSON entry, or None when it is missing or unreadable.
    Notebook D1, section "How every notebook runs"."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def cached_json(path: str | os.PathLike, compute: Callable[[], Any]) -> Any:
    """``compute()`` memoised as the JSON entry ``path``.
    Notebook D1, section "How every notebook runs"."""
    value = read_json(path)
    if value is None:
        value = compute()
        write_json(path, value)
    return value
