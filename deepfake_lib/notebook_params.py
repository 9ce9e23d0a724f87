"""Read a notebook's ``parameters`` cell without running it.

Each ``notebooks/<name>.py`` (jupytext percent format) has exactly one cell tagged
``parameters``; its assignments are the smoke-level defaults. ``dfbook run`` uses them to
refuse unknown ``-p`` names before anything runs, and :class:`deepfake_lib.results.Run`
uses them to record the parameters a notebook ran with.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .paths import notebooks_dir

_CELL = re.compile(r"^# %%(?P<header>.*)$", re.MULTILINE)


class NotebookError(ValueError):
    """A notebook source that breaks the book's conventions."""


def notebook_names(folder: Path | None = None) -> list[str]:
    """Names (file stems) of the book's notebooks, sorted: ``["A1_equations", ...]``."""
    folder = folder or notebooks_dir()
    return sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))


def parameters_source(path: Path) -> str:
    """Source of the single cell tagged ``parameters`` in a percent-format notebook."""
    text = Path(path).read_text(encoding="utf-8")
    marks = list(_CELL.finditer(text))
    found = []
    for i, m in enumerate(marks):
        if "parameters" in m.group("header"):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            found.append(text[m.end():end])
    if len(found) != 1:
        raise NotebookError(f"{path}: expected exactly one cell tagged 'parameters', found {len(found)}")
    return found[0]


def parameters(path: Path) -> dict:
    """Defaults of the parameters cell as a dict ``{name: value}`` (literals only)."""
    tree = ast.parse(parameters_source(path), filename=str(path))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    try:
                        out[target.id] = ast.literal_eval(node.value)
                    except ValueError as exc:
                        raise NotebookError(
                            f"{path}: parameter {target.id!r} must be a literal ({exc})") from exc
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = ast.literal_eval(node.value) if node.value else None
    return out
