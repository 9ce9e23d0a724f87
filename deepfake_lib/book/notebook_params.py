"""Read a notebook's ``parameters`` cell without running it.

Each ``notebooks/<name>.py`` (jupytext percent format) has exactly one cell tagged
``parameters``; its assignments are the smoke-level defaults. ``dfbook run`` uses them to
refuse unknown ``-p`` names and values of the wrong type before anything runs, and
:class:`deepfake_lib.core.results.Run`
uses them to record the parameters a notebook ran with.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from deepfake_lib.core.paths import notebooks_dir

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


def _type_error(value, default) -> str | None:
    """Why ``value`` cannot replace ``default`` (its type), or None when it can."""
    if default is None or value is None:
        return None  # optional parameters (data_root, layout, weights...) take any value
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "true or false"
    if isinstance(default, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "a number"
    if isinstance(default, str):
        return None if isinstance(value, str) else "a string"
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            return "a list"
        kinds = {type(d) for d in default}
        if len(kinds) == 1 and default:
            for v in value:
                why = _type_error(v, default[0])
                if why:
                    return f"a list of {why.removeprefix('a ').removeprefix('an ')}s"
        return None
    if isinstance(default, dict):
        return None if isinstance(value, dict) else "a mapping"
    return None


def check_types(name: str, values: dict, defaults: dict) -> list[str]:
    """One message per value of ``values`` whose type does not fit its default's (an
    integer for an integer, a number for a float, a list for a list...; a parameter
    whose default is None takes anything). ``dfbook run`` refuses them before any kernel
    starts."""
    problems = []
    for key, value in values.items():
        if key in defaults:
            why = _type_error(value, defaults[key])
            if why:
                problems.append(f"{name}: parameter {key}={value!r} must be {why} "
                                f"(its default is {defaults[key]!r})")
    return problems


def params_table(name: str, folder: Path | None = None) -> str:
    """``dfbook params NOTEBOOK``: one line per parameter with its default and each
    profile's value (``.`` where the profile keeps the default)."""
    import yaml

    folder = folder or notebooks_dir()
    names = notebook_names(folder)
    if name not in names:
        raise NotebookError(f"unknown notebook {name!r}; valid notebooks: {', '.join(names)}")
    defaults = parameters(folder / f"{name}.py")
    profiles = {}
    for path in sorted((folder / "profiles").glob("*.yaml")):
        profiles[path.stem] = (yaml.safe_load(path.read_text()) or {}).get(name) or {}
    header = ["parameter", "default", *profiles]
    rows = [[k, repr(v), *(repr(p[k]) if k in p else "." for p in profiles.values())]
            for k, v in defaults.items()]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    return "\n".join([f"{name} ({folder / f'{name}.py'})", *lines])
