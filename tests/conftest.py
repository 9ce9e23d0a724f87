"""Shared fixtures: what a test needs that it does not make itself, and what to do without it.

- The papers' text (``DFBOOK_PAPERS``, default ``../shared/papers``) is never committed. Where
  it is missing, the tests that re-read it skip, naming the setting, under CI as well: no
  command of the repository can make it.
- The notebook tests read what ``make test`` made first: the smoke run's executed notebooks
  and results files, the small demo benchmark, the built book, Chromium. Where one is
  missing they skip with the command that makes it (under CI they fail).
- Determinism: nbval re-executes every notebook; its kernels write their results files into a
  folder of their own (``DFBOOK_RESULTS`` is pointed there for this session, or for all the
  pytest processes of ``scripts/test.sh`` through ``DFBOOK_NBVAL_RESULTS``; the files keep
  the ``<notebook>/<profile>-<data>-s<seed>.json`` names), and
  ``tests/notebooks/test_determinism.py``, which runs last, compares them with the smoke run's.
  The nbval kernels get an empty run store of their own (``DFBOOK_STORE``), so that they
  compute every fit again rather than read the smoke run's, and the thread settings
  ``dfbook run`` gives its kernels (one TensorFlow thread per process), so that the numbers
  agree to the last bit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from deepfake_lib.core import paths
from deepfake_lib.core.settings import Settings
from support import ON_CI, OUTSIDE, need

#: The smoke run's results, before nbval (in its kernels) writes its own elsewhere.
SMOKE_RESULTS = paths.results_dir()
#: Where the nbval re-execution writes its results files (see the module docstring):
#: ``DFBOOK_NBVAL_RESULTS`` when several pytest processes share one folder
#: (scripts/test.sh), else a folder of this session's own, removed at its end.
_SHARED_NBVAL = os.environ.get("DFBOOK_NBVAL_RESULTS")
NBVAL_RESULTS = Path(_SHARED_NBVAL or tempfile.mkdtemp(prefix="dfbook-nbval-results-"))
#: The nbval kernels' run store, empty at the start.
NBVAL_STORE = Path(tempfile.mkdtemp(prefix="dfbook-nbval-store-"))


def pytest_configure(config):
    if SMOKE_RESULTS.is_dir():
        for extra in SMOKE_RESULTS.glob("bench.json"):  # read by the performance notebook
            shutil.copy2(extra, NBVAL_RESULTS / extra.name)
    os.environ["DFBOOK_RESULTS"] = str(NBVAL_RESULTS)  # inherited by nbval's kernels
    settings = Settings.from_env()
    for key, value in Settings(threads=settings.threads, store=str(NBVAL_STORE)).to_env().items():
        if key in ("DFBOOK_STORE", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                   "OMP_NUM_THREADS", "DFBOOK_THREADS"):
            os.environ[key] = value


def pytest_unconfigure(config):
    if not _SHARED_NBVAL:
        shutil.rmtree(NBVAL_RESULTS, ignore_errors=True)
    shutil.rmtree(NBVAL_STORE, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """The determinism comparison runs after nbval has re-executed the notebooks."""
    last = [it for it in items if "test_determinism" in it.nodeid]
    items[:] = [it for it in items if it not in last] + last


@pytest.fixture(scope="session")
def paper_texts() -> dict[str, str]:
    """The three papers' text, keyed by paper letter, whitespace collapsed."""
    from deepfake_lib.claims import ledger as L

    folder = paths.papers_dir()
    need(folder.is_dir(), f"the papers' text ({folder})",
         "set DFBOOK_PAPERS to the folder holding A-cnn-lstm-transfer-learning.txt, "
         "B-cnn-rnn-pso.txt and C-bilstm-crf.txt", made_by_repo=False)
    out = {}
    for p, led in L.load_all().items():
        path = folder / led.source
        need(path.exists(), f"paper {p} ({path})", "set DFBOOK_PAPERS to the papers' folder",
             made_by_repo=False)
        out[p] = L.normalise(path.read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="session")
def smoke_run() -> Path:
    """The folder of the smoke run's results files; skips when the smoke run has not run."""
    from deepfake_lib.book import notebook_params

    names = notebook_params.notebook_names()
    executed = [paths.book_dir() / "notebooks" / f"{n}.ipynb" for n in names]
    need(all(p.exists() for p in executed), "the smoke run's executed notebooks",
         "run `make test`, or `dfbook data demo --size small && dfbook run --profile smoke`")
    return SMOKE_RESULTS


@pytest.fixture(scope="session")
def smoke_results_dir(smoke_run) -> Path:
    return smoke_run


@pytest.fixture(scope="session")
def nbval_results_dir() -> Path:
    return NBVAL_RESULTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI every input the repository makes exists (``make test`` made them), so a
    skipped test hides a failure: it is reported as failed, naming the skip's reason. Only
    a skip for an input from outside the repository (:data:`support.OUTSIDE`) stays one."""
    outcome = yield
    report = outcome.get_result()
    if ON_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        if OUTSIDE in str(reason):
            return
        report.outcome = "failed"
        report.longrepr = f"skipped under CI (CI=true), where nothing may skip: {reason}"


@pytest.fixture(autouse=True)
def _no_run_store_in_library_tests(monkeypatch):
    """The run store set above is the nbval kernels'; a library test that wants one makes its
    own, so no test passes because an earlier one stored its result."""
    monkeypatch.delenv("DFBOOK_STORE", raising=False)
