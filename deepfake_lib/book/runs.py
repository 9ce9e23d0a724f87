"""``dfbook runs``: the results file of every run, and the run store, listed and pruned.

Results files (``book/results/<notebook>/<profile>-<data>-s<seed>.json``,
:mod:`deepfake_lib.core.results`) are listed one per run with its data manifest and the
units it took from the run store; the run store (:mod:`deepfake_lib.core.run_store`) one
line per notebook and library version. ``--clear`` deletes store entries (``--stale``: only
those of another library version); results files are never deleted here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path


def results_lines(notebooks: list[str] | None = None, folder=None) -> list[str]:
    """One line per results file: notebook, run label, when it was written, its data
    manifest (12 hex digits) and how many units ran or came from the store."""
    from deepfake_lib.core import results

    rows = [["notebook", "run", "written", "manifest", "units run/stored"]]
    for r in results.runs(folder):
        if notebooks and r["notebook"] not in notebooks:
            continue
        try:
            payload = json.loads(Path(r["path"]).read_text())
        except (OSError, json.JSONDecodeError):
            payload = {}
        ex = payload.get("execution") or {}
        units = f"{ex['units_run']}/{ex['units_from_store']}" if ex else "-"
        rows.append([r["notebook"], r["label"],
                     time.strftime("%Y-%m-%d %H:%M", time.localtime(r["mtime"])),
                     (payload.get("data_manifest_sha256") or "-")[:12], units])
    return _aligned(rows)


def store_lines(root: Path, notebooks: list[str] | None = None) -> list[str]:
    """One line per (notebook, library version) of the run store at ``root``."""
    from deepfake_lib.core import run_store

    rows = [["notebook", "library version", "entries", "MiB", "last written"]]
    for r in run_store.summary(root):
        if notebooks and r["notebook"] not in notebooks:
            continue
        version = r["version"] + ("" if r["current"] else " (stale)")
        rows.append([r["notebook"], version, str(r["entries"]), f"{r['bytes'] / 2**20:.2f}",
                     r["last_written"]])
    return _aligned(rows)


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def cli(notebooks: list[str] | None = None, clear: bool = False, stale: bool = False,
        store: Path | None = None, echo=print) -> int:
    """What ``dfbook runs`` prints (or, with ``clear``, deletes); returns the exit code."""
    from deepfake_lib.core import results, run_store
    from deepfake_lib.core.settings import Settings

    root = Path(store or Settings.from_env().store or run_store.default_root())
    if stale and not clear:
        raise ValueError("--stale only applies with --clear")
    if clear:
        n = run_store.prune(root, notebooks, stale_only=stale)
        echo(f"deleted {n} entr{'y' if n == 1 else 'ies'} from the run store {root}")
        return 0
    echo(f"results files ({results.results_dir()}):")
    echo("\n".join("  " + line for line in results_lines(notebooks)))
    echo(f"run store ({root}):")
    echo("\n".join("  " + line for line in store_lines(root, notebooks)))
    return 0
