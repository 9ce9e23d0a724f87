"""The HTML book builds from the smoke-executed notebooks with warnings as errors."""

import subprocess
import sys
from pathlib import Path

import pytest

from deepfake_lib.book import runner
from deepfake_lib.book.cli import build_book
from deepfake_lib.core.paths import book_dir

JB = str(Path(sys.executable).with_name("jupyter-book"))


def _mini_book(root: Path, intro: str) -> Path:
    root.mkdir()
    (root / "_config.yml").write_text('title: t\nexecute:\n  execute_notebooks: "off"\n')
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (root / "intro.md").write_text(intro)
    return root


@pytest.mark.slow
def test_a_broken_reference_fails_the_build(tmp_path):
    ok = _mini_book(tmp_path / "ok", "# Intro\n\nText.\n")
    bad = _mini_book(tmp_path / "bad", "# Intro\n\nSee {doc}`no_such_page` and [x](missing.md).\n")
    args = ["build", "--builder", "html", "-W", "-n", "--keep-going"]
    assert subprocess.run([JB, *args, str(ok)], capture_output=True).returncode == 0
    result = subprocess.run([JB, *args, str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "no_such_page" in result.stdout + result.stderr


@pytest.mark.slow
def test_book_builds_with_warnings_as_errors(smoke_run):
    assert build_book() == 0, "jupyter-book build -W failed: see the warnings above"
    html = book_dir() / "_build" / "html"
    assert (html / "index.html").exists()
    for name in runner.toc_order():
        page = html / "notebooks" / f"{name}.html"
        assert page.exists(), f"{page} was not built"
        assert "cell_output" in page.read_text(), f"{page} shows no executed output"
