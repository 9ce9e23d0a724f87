"""dfbook run: refusals before anything runs, failing notebooks, order, summary."""

import re
from pathlib import Path

import pytest
import yaml

from deepfake_lib.book import notebook_params, runner
from deepfake_lib.core.paths import notebooks_dir
from deepfake_lib.book.cli import main

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
    assert plan.jobs[0].label == "demo-demo-s0" and plan.jobs[0].demo_data
    plan = runner.make_plan("demo", only=["good"], overrides={"n": 7}, folder=folder, toc=toc)
    assert plan.jobs[0].parameters["n"] == 7


def test_overlay_file_per_notebook_and_for_all(nbdir, tmp_path):
    folder, toc = nbdir
    path = tmp_path / "overlay.yaml"
    path.write_text("seed: 4\ngood: {n: 5}\n")
    overlay = runner.load_overlay(path)
    plan = runner.make_plan("demo", overlay=overlay, folder=folder, toc=toc)
    params = {j.name: j.parameters for j in plan.jobs}
    assert params["good"] == {"n": 5, "seed": 4, "profile": "demo"}  # overlay beats profile
    assert params["later"] == {"seed": 4, "profile": "demo"}
    plan = runner.make_plan("demo", only=["good"], overlay=overlay, overrides={"n": 9},
                            folder=folder, toc=toc)
    assert plan.jobs[0].parameters["n"] == 9 and plan.jobs[0].label == "demo-demo-s4"
    path.write_text("- a list\n")
    with pytest.raises(runner.RunError, match="must hold a mapping"):
        runner.load_overlay(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        runner.load_overlay(tmp_path / "missing.yaml")


@pytest.mark.parametrize("value, message", [
    ("abc", r"n='abc' must be an integer \(its default is 1\)"),
    ("1.5", r"n=1.5 must be an integer"),
    ("true", r"n=True must be an integer"),
])
def test_values_of_the_wrong_type_are_refused_before_anything_runs(nbdir, value, message):
    folder, toc = nbdir
    with pytest.raises(runner.RunError, match=r"good: parameter " + message):
        runner.make_plan("smoke", only=["good"], overrides=runner.parse_overrides([f"n={value}"]),
                         folder=folder, toc=toc)


def test_type_rules_follow_the_default():
    from deepfake_lib.book.notebook_params import check_types

    defaults = {"lr": 0.1, "seeds": [0], "sizes": [], "root": None, "flag": True, "name": "x"}
    ok = {"lr": 1, "seeds": [1, 2], "sizes": [[3], [5]], "root": "/d", "flag": False, "name": "y"}
    assert check_types("nb", ok, defaults) == []
    bad = check_types("nb", {"lr": "fast", "seeds": [0.5], "flag": 1, "name": 3}, defaults)
    assert [m.split(" must be ")[1].split(" (")[0] for m in bad] == [
        "a number", "a list of integers", "true or false", "a string"]


def test_cli_refuses_a_wrong_type_before_any_kernel_starts(capsys):
    import time

    t0 = time.perf_counter()
    assert main(["run", "--only", "A3_training", "-p", "epochs=abc"]) == 2
    assert time.perf_counter() - t0 < 5
    err = capsys.readouterr().err
    default = notebook_params.parameters(notebooks_dir() / "A3_training.py")["epochs"]
    assert err.strip() == ("dfbook: error: A3_training: parameter epochs='abc' must be an "
                           f"integer (its default is {default})")


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
    failed = tmp_path / "runs" / "failed" / "bad.ipynb"
    assert failed.exists(), "the failing notebook's executed copy must be kept"
    assert not (out / "bad.ipynb").exists(), "a failed copy never takes the page's place"
    printed = capsys.readouterr()
    assert "FAILED bad" in printed.err + printed.out and str(failed) in printed.err + printed.out
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
    assert main(["run", "--only", "performance", "--on-ray", "A3_training"]) == 2
    assert "--on-ray names notebook(s) not in this run: A3_training" in capsys.readouterr().err


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
    import inspect

    from deepfake_lib.core.paths import notebooks_dir
    from deepfake_lib.paper_b import cnn_rnn

    # Library functions a notebook calls that load another notebook's results file.
    readers = {"cnn_rnn.chosen_configuration(": inspect.getsource(cnn_rnn.chosen_configuration)}
    found = {}
    for path in sorted(notebooks_dir().glob("*.py")):
        text = path.read_text()
        text += "".join(src for call, src in readers.items() if call in text)
        if "assess(results_dir)" in text or "notebook_timings(results_dir)" in text:
            found[path.stem] = "*"
        loads = re.findall(r"results\.load\(\s*[\"'](\w+)[\"']", text)
        if loads:
            found[path.stem] = tuple(dict.fromkeys(loads))
    assert found == runner.READS_RESULTS_OF


@pytest.mark.slow
def test_a_failed_run_keeps_the_last_good_copy(nbdir, tmp_path):
    """The good executed copy stays in place, byte for byte, when a later run fails."""
    folder, toc = nbdir
    out = tmp_path / "executed"
    plan = runner.make_plan("smoke", only=["good"], folder=folder, toc=toc)
    assert runner.run(plan, out_dir=out)[0].status == "ok"
    good = (out / "good.ipynb").read_bytes()
    write_nb(folder, "good", "print(n * 2)\nraise ValueError('broken later')")
    outcome = runner.run(runner.make_plan("smoke", only=["good"], folder=folder, toc=toc),
                         out_dir=out)[0]
    assert outcome.status == "failed" and "broken later" in outcome.error
    assert (out / "good.ipynb").read_bytes() == good
    assert outcome.output == tmp_path / "runs" / "failed" / "good.ipynb"
    assert not list((tmp_path / "runs" / "partial").iterdir())


@pytest.mark.slow
def test_settings_reach_the_kernels_and_each_gets_its_own_gpu(tmp_path):
    """Two notebooks side by side on a machine with devices 0 and 1 each get one of them,
    each inherits the run's executor settings or its own (``--on-ray``), and a real-data
    run goes beside the demo pages."""
    folder = tmp_path / "notebooks"
    (folder / "profiles").mkdir(parents=True)
    (folder / "profiles" / "smoke.yaml").write_text("{}\n")
    log = tmp_path / "log"
    log.mkdir()
    body = ("import os, time\ntime.sleep(2)\nopen(os.path.join({log!r}, '{name}'), 'w').write("
            "os.environ.get('CUDA_VISIBLE_DEVICES', '') + ' ' + os.environ['DFBOOK_EXECUTOR'] + "
            "' ' + os.environ['TF_NUM_INTRAOP_THREADS'])")
    params = "seed = 0\nprofile = 'smoke'\ndata_root = None\nlayout = None\n"
    for name in ("one", "two"):
        write_nb(folder, name, body.format(log=str(log), name=name), params)
    toc = tmp_path / "_toc.yml"
    toc.write_text("root: intro\nchapters:\n  - file: notebooks/one\n  - file: notebooks/two\n")
    from deepfake_lib.core.settings import Settings

    env = Settings(executor="inline", threads=1).to_env()
    plan = runner.make_plan("smoke", folder=folder, toc=toc,
                            overrides={"data_root": "/data/x", "layout": "dfdc"})
    out = tmp_path / "executed"
    outcomes = runner.run(plan, out_dir=out, jobs=2, env=env, gpus=["0", "1"],
                          env_for={"two": Settings(executor="ray", threads=1).to_env()})
    assert [o.status for o in outcomes] == ["ok", "ok"]
    seen = {n: (log / n).read_text().split() for n in ("one", "two")}
    assert sorted(v[0] for v in seen.values()) == ["0", "1"]
    assert seen["one"][1:] == ["inline", "1"] and seen["two"][1:] == ["ray", "1"]
    assert outcomes[0].output == tmp_path / "runs" / "smoke-dfdc-s0" / "one.ipynb"
    assert not out.exists() or not list(out.glob("*.ipynb"))


def test_gpu_ids_from_the_environment(monkeypatch):
    monkeypatch.setenv("DFBOOK_GPUS", "2,3")
    assert runner.gpu_ids() == ["2", "3"]
    monkeypatch.delenv("DFBOOK_GPUS")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert runner.gpu_ids() == []


def test_cli_version_params_runs_and_exit_codes(capsys, tmp_path, monkeypatch):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and re.match(r"dfbook \d+\.\d+", capsys.readouterr().out)
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "exit codes:" in text and all(f"  {c} " in text for c in ("0", "1", "2", "130"))
    assert main(["params", "A3_training"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["parameter", "default", "demo", "full", "smoke"]
    epochs = next(ln.split() for ln in lines if ln.startswith("epochs "))
    default = notebook_params.parameters(notebooks_dir() / "A3_training.py")["epochs"]
    profile = {name: (yaml.safe_load((notebooks_dir() / "profiles" / f"{name}.yaml").read_text())
                      .get("A3_training") or {}).get("epochs", ".") for name in ("demo", "full", "smoke")}
    assert epochs == ["epochs", str(default), *(str(profile[n]) for n in ("demo", "full", "smoke"))]
    assert main(["params", "ghost"]) == 2
    monkeypatch.setenv("DFBOOK_RESULTS", str(tmp_path / "results"))
    assert main(["runs", "--store", str(tmp_path / "store")]) == 0
    assert "results files" in capsys.readouterr().out
    assert main(["runs", "--stale"]) == 2


@pytest.mark.slow
def test_log_output_streams_each_cell_with_the_notebook_name(nbdir, tmp_path, capfd):
    folder, toc = nbdir
    plan = runner.make_plan("demo", only=["good"], folder=folder, toc=toc)
    assert runner.run(plan, out_dir=tmp_path / "x", log_output=True)[0].status == "ok"
    assert "[good] 6" in capfd.readouterr().out  # n = 3 in the demo profile: print(n * 2)
