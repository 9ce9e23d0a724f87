"""dfbook bench machinery and the performance page's table."""

import json

import pytest

from deepfake_lib import bench
from deepfake_lib.book import perf


def test_bench_runs_registered_benchmarks_and_writes_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_REGISTRY", {})
    monkeypatch.setattr(bench, "__path__", [])  # no benchmark modules to discover

    @bench.benchmark("toy", "sum of a list vs itself")
    def toy(quick):
        return {"baseline_s": 2.0, "fast_s": 0.5, "ratio": 4.0}

    out = bench.run(out=tmp_path / "bench.json", quick=True)
    d = json.loads(out.read_text())
    assert d["machine"]["cores"] >= 1 and d["quick"] is True
    assert d["benchmarks"]["toy"]["ratio"] == 4.0 and "wall_s" in d["benchmarks"]["toy"]
    table = perf.bench_table(perf.load_bench(tmp_path))
    assert table.loc["toy", "ratio"] == 4.0 and table.loc["toy", "result"] == "4.0x"
    assert table.loc["toy", "met"] == "-"
    assert "cores" in perf.describe_machine(d)
    with pytest.raises(KeyError, match="unknown benchmark"):
        bench.run(only=["nope"], out=tmp_path / "b.json")


def test_every_registered_module_imports_and_registers():
    reg = bench.registry()
    assert {"face_pipeline", "demo_keypoints", "demo_build", "pso", "crf_head", "train_step"} <= set(reg)
    for name, (desc, fn) in reg.items():
        assert desc and callable(fn), name


def test_performance_page_without_bench_file_says_so(tmp_path):
    assert perf.load_bench(tmp_path) is None
    assert "dfbook bench" in perf.describe_machine(None)


def test_headline_shows_ratio_or_time_against_budget():
    assert bench.headline({"ratio": 18.46}) == "18.5x"
    assert bench.headline({"seconds": 31.47, "budget_s": 180.0}) == "31.5/180 s"
    assert bench.headline({"seconds": 2.0, "budget_s": None}) == "2.0 s"
    assert bench.headline({}) == "-"


def test_bench_table_judges_targets_and_budgets():
    report = {"benchmarks": {
        "fast": {"ratio": 11.1, "target_ratio": 5, "cached_ratio": 2249.0, "target_cached_ratio": 100, "wall_s": 1.0},
        "slow": {"ratio": 3.0, "target_ratio": 5, "wall_s": 1.0},
        "build": {"seconds": 200.0, "budget_s": 180.0, "frames": 10, "wall_s": 200.0}}}
    t = perf.bench_table(report)
    assert list(t["met"]) == ["no", "yes", "no"]          # build, fast, slow (sorted)
    assert t.loc["build", "result"] == "200.0/180 s" and t.loc["build", "target"] == "<= 180 s"
    assert t.loc["fast", "target"] == ">= 5x; cached >= 100x"
    report["benchmarks"]["fast"]["cached_ratio"] = 50.0
    assert perf.bench_table(report).loc["fast", "met"] == "no"
    m = perf.measurements(report)
    assert m.loc[("build", "frames"), "value"] == "10" and ("fast", "ratio") not in m.index


def test_notebook_timings_reads_every_results_file(tmp_path):
    for nb, payload in (("C3_evaluation", {"timing": {"pipeline_fps": 14.6, "train_all": 85.8}}),
                        ("A1", {"values": {}})):  # one results file per run: <nb>/<run>.json
        (tmp_path / nb).mkdir()
        (tmp_path / nb / "demo-demo-small-s0.json").write_text(json.dumps(payload))
    (tmp_path / "bench.json").write_text(json.dumps({"benchmarks": {}}))
    t = perf.notebook_timings(tmp_path)
    assert t.loc[("C3_evaluation", "demo-demo-small-s0", "pipeline_fps"), "unit"] == "frames/s"
    assert t.loc[("C3_evaluation", "demo-demo-small-s0", "train_all"), "value"] == 85.8
    assert len(t) == 2


def test_training_costs_reads_every_system_of_every_run(tmp_path):
    from deepfake_lib.core.results import Run

    run = Run("A3_training", {"seed": 0, "profile": "demo", "results_dir": str(tmp_path)})
    run.fit_cost("model2", fits=3, steps=630, examples=10080, seconds=13.5)
    run.fit_cost("model0", fits=3, steps=630, examples=10080, seconds=9.0)
    run.save()
    t = perf.training_costs(tmp_path)
    assert len(t) == 2
    row = t.loc[("A3_training", "demo-demo-s0", "model2")]
    assert (row["fits"], row["steps_per_fit"], row["examples_per_fit"]) == (3, 210, 3360)
    assert row["seconds_per_fit"] == 4.5


def test_bench_only_keeps_the_other_benchmarks_of_this_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_REGISTRY", {})
    monkeypatch.setattr(bench, "__path__", [])  # no benchmark modules to discover
    bench.benchmark("a", "first")(lambda quick: {"ratio": 2.0})
    bench.benchmark("b", "second")(lambda quick: {"ratio": 3.0})
    out = tmp_path / "bench.json"
    bench.run(out=out)
    bench.run(only=["b"], quick=True, out=out)
    d = json.loads(out.read_text())
    assert sorted(d["benchmarks"]) == ["a", "b"] and d["quick"] is False
    assert d["benchmarks"]["b"]["quick"] is True and d["benchmarks"]["a"]["quick"] is False
    assert perf.describe_machine(d).endswith("quick mode (smaller sizes, fewer repetitions) for b.")
    d["machine"]["cpu"] = "another machine"
    out.write_text(json.dumps(d))
    bench.run(only=["b"], out=out)
    assert sorted(json.loads(out.read_text())["benchmarks"]) == ["b"]


def test_a_failing_benchmark_is_named_and_the_others_are_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "_REGISTRY", {})
    monkeypatch.setattr(bench, "__path__", [])  # no benchmark modules to discover
    bench.benchmark("fine", "works")(lambda quick: {"ratio": 2.0})

    def broken(quick):
        raise ValueError("too many values to unpack (expected 3)")

    bench.benchmark("broken", "raises")(broken)
    out = tmp_path / "bench.json"
    with pytest.raises(bench.BenchError, match=r"broken: ValueError: too many values"):
        bench.run(quick=True, out=out)
    assert list(json.loads(out.read_text())["benchmarks"]) == ["fine"]
    assert "FAILED" in capsys.readouterr().out


def test_rerun_plan_counts_every_fit_of_the_full_profile():
    from deepfake_lib.bench import rerun

    for name in rerun.DATASETS:
        fits = rerun.fit_plan(name, rerun.full_params(name))
        assert fits and all(f["count"] > 0 and f["epochs"] > 0 for f in fits), name
    a3 = rerun.fit_plan("A3_training", rerun.full_params("A3_training"))
    readings = {f["model"][3] for f in a3}
    assert {"after_block", "after_layer"} <= readings  # the literal reading is trained at full


def test_rerun_estimate_builds_a_model_for_every_kind_of_fit():
    """One spec of each paper's plan builds (Xception's backbone is tested in paper_c)."""
    from deepfake_lib.bench import rerun

    specs = {}
    for name in rerun.DATASETS:
        for fit in rerun.fit_plan(name, rerun.full_params(name)):
            specs.setdefault(fit["model"][0], fit["model"])
    assert set(specs) == {"A", "B", "C", "X"}
    for letter in "ABC":
        model, shape, forward_only = rerun._model(specs[letter])
        assert model.count_params() > 0 and not forward_only and len(shape) >= 2, letter
