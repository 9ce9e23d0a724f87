"""dfbook run: refusals before anything runs, failing notebooks, order, summary."""

import re
from pathlib import Path

import pytest

from deepfake_lib import runner
from deepfake_lib.cli import main

HEADER = "# ---\n# jupyter:\n#   kernelspec:\n#     display_name: Python 3\n#     language: python\n#     name: python3\n# ---\n"


def write_nb(folder: Path, name: str, body: str, params: str = "seed = 0\nprofile = 'smoke'\nn = 1\n"):
    (folder / f"{name}.py").write_text(
        HEADER + f"\n# %% [markdown]\n# # {name}\n\n# %% tags=[\"parameters\"]\n{params}\n# %%\n{body}\n")


@pytest.fixture
def nbdir(tmp_path):
    folder = tmp_path / "notebooks"
    (folder / "profiles").mkdir(parents=True)
    write_nb(folder, "good", "print(n * 2)")
    write_nb(folder, "bad", "raise RuntimeError('boom in cell')")
    write_nb(folder, "later", "print('after')")
    (folder / "profiles" / "smoke.yaml").write_text("good: {}\nbad: {}\n")
    (folder / "profiles" / "demo.yaml").write_text("good: {n: 3}\n")
    toc = tmp_path / "_toc.yml"
    toc.write_text("root: intro\nchapters:\n  - file: notebooks/later\n  - file: notebooks/good\n  - file: notebooks/bad\n")
    return folder, toc


def test_unknown_profile_lists_valid(nbdir):
    folder, toc = nbdir
    with pytest.raises(runner.RunError, match="valid profiles: demo, smoke"):
        runner.make_plan("nope", folder=folder, toc=toc)


def test_unknown_notebook_lists_valid(nbdir):
    folder, toc = nbdir
    with pytest.raises(runner.RunError, match=r"unknown notebook\(s\) ghost; valid notebooks: later, good, bad"):
        runner.make_plan("smoke", only=["ghost"], folder=folder, toc=toc)


def test_unknown_parameter_lists_valid(nbdir):
    folder, toc = nbdir
    with pytest.raises(runner.RunError, match=r"good: unknown parameter\(s\) lr; valid: n, profile, seed"):
        runner.make_plan("smoke", only=["good"], overrides={"lr": 0.1}, folder=folder, toc=toc)


def test_profile_values_and_overrides(nbdir):
    folder, toc = nbdir
    plan = runner.make_plan("demo", only=["good"], folder=folder, toc=toc)
    assert plan.jobs[0].parameters == {"n": 3, "profile": "demo"}
    plan = runner.make_plan("demo", only=["good"], overrides={"n": 7}, folder=folder, toc=toc)
    assert plan.jobs[0].parameters["n"] == 7


def test_order_follows_toc(nbdir):
    folder, toc = nbdir
    assert [j.name for j in runner.make_plan("smoke", folder=folder, toc=toc).jobs] == ["later", "good", "bad"]


def test_parse_overrides_reads_yaml_values():
    assert runner.parse_overrides(["a=1", "b=0.5", "c=[1, 2]", "d=/x/y", "e=None", "f="]) == {
        "a": 1, "b": 0.5, "c": [1, 2], "d": "/x/y", "e": "None", "f": None}
    with pytest.raises(runner.RunError, match="expected key=value"):
        runner.parse_overrides(["novalue"])


@pytest.mark.slow
def test_failing_notebook_is_kept_reported_and_others_run(nbdir, tmp_path, capsys):
    folder, toc = nbdir
    plan = runner.make_plan("smoke", folder=folder, toc=toc)
    out = tmp_path / "executed"
    outcomes = runner.run(plan, out_dir=out)
    status = {o.name: o.status for o in outcomes}
    assert status == {"later": "ok", "good": "ok", "bad": "failed"}
    bad = next(o for o in outcomes if o.name == "bad")
    assert "RuntimeError" in bad.error and "boom in cell" in bad.error
    assert (out / "bad.ipynb").exists(), "the failing notebook's executed copy must be kept"
    printed = capsys.readouterr()
    assert "FAILED bad" in printed.err + printed.out and str(out / "bad.ipynb") in printed.err + printed.out
    assert "3 notebooks, 1 failed" in printed.out


@pytest.mark.slow
def test_fail_fast_stops_at_first_failure(nbdir, tmp_path):
    folder, toc = nbdir
    (toc).write_text("root: intro\nchapters:\n  - file: notebooks/bad\n  - file: notebooks/good\n")
    plan = runner.make_plan("smoke", folder=folder, toc=toc)
    outcomes = runner.run(plan, out_dir=tmp_path / "x", fail_fast=True)
    assert [o.name for o in outcomes] == ["bad"]


def test_cli_refuses_with_one_line_and_exit_2(capsys):
    assert main(["run", "--profile", "no-such-profile"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dfbook: error: unknown profile 'no-such-profile'") and "smoke" in err
    assert main(["run", "--only", "no_such_notebook"]) == 2
    assert "valid notebooks:" in capsys.readouterr().err
    assert main(["run", "--backend", "theano", "--only", "performance"]) == 2
    assert "valid backends" in capsys.readouterr().err


@pytest.mark.slow
def test_two_jobs_give_the_same_outcomes_in_plan_order(nbdir, tmp_path, capsys):
    folder, toc = nbdir
    plan = runner.make_plan("smoke", folder=folder, toc=toc)
    outcomes = runner.run(plan, out_dir=tmp_path / "x", jobs=2)
    assert [(o.name, o.status) for o in outcomes] == [("later", "ok"), ("good", "ok"), ("bad", "failed")]
    assert "boom in cell" in outcomes[2].error
    assert re.search(r"3 notebooks, 1 failed, [\d.]+ s of notebook time in [\d.]+ s wall",
                     capsys.readouterr().out)
    with pytest.raises(runner.RunError, match="at least 1"):
        runner.run(plan, out_dir=tmp_path / "y", jobs=0)


@pytest.mark.slow
def test_a_notebook_that_reads_results_waits_for_them(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    (folder / "profiles").mkdir(parents=True)
    (folder / "profiles" / "smoke.yaml").write_text("{}\n")
    log = tmp_path / "log.txt"
    write_nb(folder, "slow", f"import time\ntime.sleep(3)\nopen({str(log)!r}, 'a').write('slow done\\n')")
    write_nb(folder, "reader", f"open({str(log)!r}, 'a').write('reader starts\\n')")
    toc = tmp_path / "_toc.yml"
    toc.write_text("root: intro\nchapters:\n  - file: notebooks/slow\n  - file: notebooks/reader\n")
    plan = runner.make_plan("smoke", folder=folder, toc=toc)
    monkeypatch.setattr(runner, "READS_RESULTS_OF", {"reader": "*"})
    assert runner.needs(plan.jobs[1], plan) == ["slow"]
    assert all(o.status == "ok" for o in runner.run(plan, out_dir=tmp_path / "x", jobs=2))
    assert log.read_text().splitlines() == ["slow done", "reader starts"]


def test_reads_results_of_matches_the_notebooks():
    """Every notebook that loads another's results file is declared, and only those."""
    from deepfake_lib.paths import notebooks_dir

    found = {}
    for path in sorted(notebooks_dir().glob("*.py")):
        text = path.read_text()
        if "assess(results_dir)" in text or "notebook_timings(results_dir)" in text:
            found[path.stem] = "*"
        loads = re.findall(r"results\.load\(\s*[\"'](\w+)[\"']", text)
        if loads:
            found[path.stem] = tuple(loads)
    assert found == runner.READS_RESULTS_OF
