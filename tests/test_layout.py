"""The conventions that keep the book readable, checked so that they stay true.

Notebooks (CONTRIBUTING.md, "Notebooks"): no code cell over 15 lines but the parameters cell,
no function or class defined in a notebook, code lines of at most 88 characters (they would
scroll sideways on the book's pages), a "What next" section at the end.

Library (CONTRIBUTING.md, "Layout and one home per concept"): two levels at most, no module
over 500 lines, no import cycle, every public function and class of the science subpackages
names the notebook section that explains it, and shapes are written ``(B, T, K)``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from deepfake_lib.book import notebook_params
from deepfake_lib.core.paths import notebooks_dir, repo_root

PACKAGE = repo_root() / "deepfake_lib"
MODULES = sorted(PACKAGE.rglob("*.py"))
NOTEBOOKS = notebook_params.notebook_names()
#: Subpackages whose public names are explained by a notebook section.
SCIENCE = ("core", "data", "demo", "paper_a", "paper_b", "paper_c", "claims", "bench")
REFERENCE = re.compile(r"[Nn]otebooks?\s+`*(?:[ABCD]\d|claims_dashboard|performance)")
BRACKET_SHAPE = re.compile(r"``\[(?:[A-Za-z0-9_*+\- ]+,\s*)+[A-Za-z0-9_*+\- ]+\]``")
MAX_CELL, MAX_LINE, MAX_MODULE = 15, 88, 500


def _cells(name: str) -> list[tuple[str, str, list[str]]]:
    """(header, kind, lines) of each cell of a percent-format notebook source."""
    text = (notebooks_dir() / f"{name}.py").read_text()
    cells, header, lines = [], None, []
    for line in text.splitlines():
        if line.startswith("# %%"):
            if header is not None:
                cells.append((header, "markdown" if "[markdown]" in header else "code", lines))
            header, lines = line, []
        elif header is not None:
            lines.append(line)
    if header is not None:
        cells.append((header, "markdown" if "[markdown]" in header else "code", lines))
    return cells


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_code_cells_are_short_narrow_and_define_nothing(name):
    problems = []
    for i, (header, kind, lines) in enumerate(_cells(name)):
        if kind != "code":
            continue
        code = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        if "parameters" not in header and len(code) > MAX_CELL:
            problems.append(f"cell {i}: {len(code)} lines of code (at most {MAX_CELL})")
        for ln in lines:
            if len(ln) > MAX_LINE:
                problems.append(f"cell {i}: line of {len(ln)} characters: {ln[:60]}...")
            if re.match(r"(def|class|async def) \w", ln):
                problems.append(f"cell {i}: defines {ln.split('(')[0]} (library code belongs in deepfake_lib)")
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_ends_with_what_next(name):
    headings = [ln for _, kind, lines in _cells(name) if kind == "markdown" for ln in lines
                if ln.startswith("# ## ")]
    assert headings and headings[-1].startswith("# ## What next"), \
        f"{name}: the last section is {headings[-1] if headings else None!r}, not '## What next'"


def test_two_levels_at_most():
    deep = [p for p in MODULES if len(p.relative_to(PACKAGE).parts) > 2]
    assert not deep, f"modules nested deeper than deepfake_lib/<subpackage>/: {deep}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_size(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_MODULE, f"{path.relative_to(PACKAGE)}: {n} lines (at most {MAX_MODULE}): split it"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of deepfake_lib that ``path`` imports (anywhere in the file)."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("deepfake_lib"):
                continue
            for a in node.names:
                out.add(f"{base}.{a.name}" if f"{base}.{a.name}" in _ALL else base)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("deepfake_lib")}
    return {m for m in out if m in _ALL and m != me}


_ALL = {_module_name(p) for p in MODULES}


def test_no_import_cycles():
    graph = {_module_name(p): _imports(p) for p in MODULES}
    for pkg in [m for m in _ALL if (PACKAGE.parent / m.replace(".", "/") / "__init__.py").exists()]:
        graph[pkg] = graph.get(pkg, set())
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):  # a package importing its own modules is no cycle
                continue
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _public(path: Path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            yield node


@pytest.mark.parametrize("sub", SCIENCE)
def test_public_docstrings_name_their_notebook_section(sub):
    missing = [f"{p.relative_to(PACKAGE)}:{n.name}" for p in MODULES
               if p.relative_to(PACKAGE).parts[0] == sub for n in _public(p)
               if not REFERENCE.search(ast.get_docstring(n) or "")]
    assert not missing, (f"{len(missing)} public names of deepfake_lib/{sub} have no docstring naming "
                         "a notebook section (e.g. 'Notebook C1, section \"Face crops\".'):\n"
                         + "\n".join(missing))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_shapes_in_one_notation(path):
    found = BRACKET_SHAPE.findall(path.read_text())
    assert not found, f"{path.relative_to(PACKAGE)}: write shapes as ``(B, T, K)``, not {found[:3]}"


SECTION_REF = re.compile(r'[Nn]otebook\s+`*([ABCD]\d|claims_dashboard|performance)\w*`*,?\s+'
                         r'sections?\s+"([^"]+)"')


def _headings() -> dict[str, set[str]]:
    out = {}
    for name in NOTEBOOKS:
        key = name.split("_")[0] if name[0] in "ABCD" and name[1].isdigit() else name
        out[key] = {ln[len("# ## "):].strip() for _, kind, lines in _cells(name) if kind == "markdown"
                    for ln in lines if ln.startswith("# ## ")}
    return out


def test_every_section_a_docstring_names_exists():
    headings, dangling = _headings(), []
    for p in MODULES:
        for m in SECTION_REF.finditer(p.read_text()):
            nb, section = m.group(1), " ".join(m.group(2).split())
            known = headings.get(nb, ())
            if not any(h == section or h.startswith((section + ":", section + " (")) for h in known):
                dangling.append(f"{p.relative_to(PACKAGE)}: notebook {nb} has no section {section!r}")
    assert not dangling, "\n".join(sorted(set(dangling)))
