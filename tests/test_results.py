"""Results files: content, JSON safety, determinism helpers."""

import json

import numpy as np
import pytest

from deepfake_lib import results


def test_run_writes_values_params_versions_and_timing(tmp_path):
    ns = {"seed": 3, "profile": "smoke", "data_root": None, "results_dir": str(tmp_path)}
    run = results.Run("performance", ns)
    run["x"] = np.float32(0.5)
    run["arr"] = np.arange(3)
    run.evidence("P.t1.x", "x is one half", holds=True, ours=0.5)
    with run.timed("step"):
        pass
    path = run.save()
    d = json.loads(path.read_text())
    assert d["values"]["x"] == 0.5 and d["values"]["arr"] == [0, 1, 2]
    assert d["params"] == {"seed": 3, "profile": "smoke", "data_root": None, "results_dir": str(tmp_path)}
    assert d["seed"] == 3 and d["profile"] == "smoke"
    assert "numpy" in d["versions"] and "python" in d["versions"]
    assert set(d["timing"]) == {"step"} and "step" not in d["values"]
    assert d["values"]["evidence"]["P.t1.x"]["holds"] is True
    assert "timing" not in results.without_timing(d)


def test_seed_everything_is_repeatable():
    results.seed_everything(7)
    a = np.random.rand(3)
    results.seed_everything(7)
    assert np.array_equal(a, np.random.rand(3))


def test_nan_and_inf_become_valid_json():
    assert results.to_jsonable({"a": float("nan"), "b": float("inf"), "c": (1, 2)}) == {
        "a": None, "b": "inf", "c": [1, 2]}


def test_missing_results_file_names_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="dfbook run --only ghost"):
        results.load("ghost", tmp_path)
