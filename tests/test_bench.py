"""dfbook bench machinery and the performance page's table."""

import json

import pytest

from deepfake_lib import bench, perf


def test_bench_runs_registered_benchmarks_and_writes_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_REGISTRY", {})
    monkeypatch.setattr(bench, "BENCH_MODULES", [])

    @bench.benchmark("toy", "sum of a list vs itself")
    def toy(quick):
        return {"baseline_s": 2.0, "fast_s": 0.5, "ratio": 4.0}

    out = bench.run(out=tmp_path / "bench.json", quick=True)
    d = json.loads(out.read_text())
    assert d["machine"]["cores"] >= 1 and d["quick"] is True
    assert d["benchmarks"]["toy"]["ratio"] == 4.0 and "wall_s" in d["benchmarks"]["toy"]
    table = perf.bench_table(perf.load_bench(tmp_path))
    assert table.loc["toy", "ratio"] == 4.0
    assert "cores" in perf.describe_machine(d)
    with pytest.raises(KeyError, match="unknown benchmark"):
        bench.run(only=["nope"], out=tmp_path / "b.json")


def test_every_registered_module_imports_and_registers():
    reg = bench.registry()
    assert len(reg) >= len(bench.BENCH_MODULES)
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
