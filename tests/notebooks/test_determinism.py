"""Same seed, same results file (apart from `timing`): every notebook, executed twice.

`make test` executes each notebook twice and no more: papermill for the smoke run (its results
files are what the book shows), then nbval, which re-executes every notebook, compares the
outputs of its `# NBVAL_CHECK_OUTPUT` cells and, in its own kernels, writes a second set of
results files (tests/conftest.py points them at a folder of their own). This test runs after
nbval (conftest orders it last) and compares the two sets file by file.
"""

import json

import pytest

from deepfake_lib.book import notebook_params
from deepfake_lib.core.results import without_timing

from support import need


def _results(folder):
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*.json"))
            if p.name != "bench.json"}


@pytest.mark.slow
def test_nbval_rerun_gives_identical_results_files(smoke_results_dir, nbval_results_dir):
    first, second = _results(smoke_results_dir), _results(nbval_results_dir)
    need(bool(second), "the nbval re-execution's results files",
         "run pytest with the executed notebooks too: `pytest tests book/notebooks --nbval-lax "
         "--nbval-current-env` (as `make test` does)")
    names = notebook_params.notebook_names()
    assert len(second) >= len(names), f"nbval wrote {sorted(second)}, expected one per notebook"
    differ = []
    for rel, path in second.items():
        assert rel in first, f"{rel}: written by the nbval run, not by the smoke run"
        a = json.loads(first[rel].read_text())
        b = json.loads(path.read_text())
        assert b.get("values"), f"{rel}: a results file with no values proves nothing"
        if without_timing(a) != without_timing(b):
            keys = sorted(k for k in set(a["values"]) | set(b["values"])
                          if a["values"].get(k) != b["values"].get(k))
            differ.append(f"{rel}: values differ under {keys[:8]}")
    assert not differ, "same seed, different results:\n" + "\n".join(differ)
