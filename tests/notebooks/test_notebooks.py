"""Conventions of the notebooks, the profiles and the table of contents; results files exist.

The notebooks themselves are executed by `make test` (`dfbook run --profile smoke`) before
pytest, and re-executed by nbval (`--nbval-lax book/notebooks`), which compares the outputs of
cells marked `# NBVAL_CHECK_OUTPUT`.
"""

import json

import pytest

from deepfake_lib.book import notebook_params, runner
from deepfake_lib.core.paths import book_dir, notebooks_dir

NAMES = notebook_params.notebook_names()
REQUIRED = {"seed", "profile", "data_root", "results_dir"}


def test_there_are_notebooks():
    assert len(NAMES) >= 1


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell(name):
    params = notebook_params.parameters(notebooks_dir() / f"{name}.py")
    assert REQUIRED <= set(params), f"{name}: parameters cell lacks {REQUIRED - set(params)}"
    assert params["profile"] == "smoke", "the parameters cell holds the smoke defaults"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_saves_its_results(name):
    src = (notebooks_dir() / f"{name}.py").read_text()
    assert f'Run("{name}", globals())' in src and "run.save()" in src


def test_toc_and_notebooks_agree():
    toc = runner.toc_order()
    assert sorted(toc) == NAMES, "every notebook is in book/_toc.yml and every toc notebook exists"


@pytest.mark.parametrize("profile", runner.profiles())
def test_every_profile_is_valid(profile):
    plan = runner.make_plan(profile)
    assert [j.name for j in plan.jobs] == runner.toc_order()


SMOKE_LABELS = {j.name: j.label for j in runner.make_plan("smoke").jobs}


@pytest.mark.parametrize("name", NAMES)
def test_smoke_run_left_an_executed_copy_and_a_results_file(name, smoke_results_dir):
    """`make test` ran every notebook under smoke first; a missing results file fails here.
    Its results file is named by the run: ``<notebook>/smoke-<data>-s0.json``."""
    executed = book_dir() / "notebooks" / f"{name}.ipynb"
    assert executed.exists(), f"{executed} missing: run `dfbook run --profile smoke`"
    path = smoke_results_dir / name / f"{SMOKE_LABELS[name]}.json"
    assert path.exists(), f"{path} missing: notebook {name} did not save its results"
    payload = json.loads(path.read_text())
    assert payload["notebook"] == name and payload["profile"] == "smoke"
    assert f"{payload['profile']}-{payload['data']}-s{payload['seed']}" == path.stem
    for key in ("seed", "params", "backend", "versions", "values", "timing", "execution",
                "settings", "data_manifest_sha256"):
        assert key in payload, f"{path}: no {key!r}"
    assert payload["settings"] == {"threads": 1, "deterministic": True}


@pytest.mark.parametrize("name", NAMES)
def test_papermill_reads_every_parameter(name, caplog):
    """papermill inspects the parameters cell; a line it cannot parse is a parameter it ignores."""
    import nbformat
    from papermill.translators import PythonTranslator

    src = notebook_params.parameters_source(notebooks_dir() / f"{name}.py")
    with caplog.at_level("WARNING"):
        found = PythonTranslator.inspect(nbformat.v4.new_code_cell(src))
    assert "Unable to parse" not in caplog.text, caplog.text
    assert {p.name for p in found} == set(notebook_params.parameters(notebooks_dir() / f"{name}.py"))
