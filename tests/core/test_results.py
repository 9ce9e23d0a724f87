"""Results files: content, JSON safety, determinism helpers."""

import json

import numpy as np
import pytest

from deepfake_lib.core import results


def test_run_writes_values_params_versions_and_timing(tmp_path):
    ns = {"seed": 3, "profile": "smoke", "data_root": None, "results_dir": str(tmp_path)}
    run = results.Run("performance", ns)
    run["x"] = np.float32(0.5)
    run["arr"] = np.arange(3)
    run.evidence("P.t1.x", "x is one half", holds=True, ours=0.5)
    with run.timed("step"):
        pass
    path = run.save()
    assert path == tmp_path / "performance" / "smoke-demo-s3.json"
    d = json.loads(path.read_text())
    assert d["values"]["x"] == 0.5 and d["values"]["arr"] == [0, 1, 2]
    assert d["params"] == {"seed": 3, "profile": "smoke", "data_root": None, "results_dir": str(tmp_path)}
    assert d["seed"] == 3 and d["profile"] == "smoke"
    assert "numpy" in d["versions"] and "python" in d["versions"]
    assert set(d["timing"]) == {"step"} and "step" not in d["values"]
    assert d["values"]["evidence"]["P.t1.x"]["holds"] is True
    assert "timing" not in results.without_timing(d)
    assert "execution" not in results.without_timing(d)


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
    with pytest.raises(FileNotFoundError, match=r"no results file of ghost \(profile=full\)"):
        results.load("ghost", tmp_path, profile="full")


@pytest.mark.parametrize("params, label", [
    ({"data_root": None, "demo_size": "small"}, "demo-small"),
    ({"data_root": None, "size": "demo"}, "demo-demo"),
    ({"data_root": None}, "demo"),
    ({"data_root": "/data/dfdc", "layout": "dfdc", "demo_size": "small"}, "dfdc"),
    ({"data_root": "/data/Celeb-DF v2/", "layout": None}, "Celeb-DF_v2"),
])
def test_data_labels(params, label):
    assert results.data_label(params) == label
    assert results.run_label("full", label, 2) == f"full-{label}-s2"


def _save(folder, evidence_key, data_root, layout, seed=0, profile="full", value=1.0):
    ns = {"seed": seed, "profile": profile, "data_root": data_root, "results_dir": str(folder)}
    run = results.Run("performance", ns)
    run.params["layout"] = layout  # the notebook's layout parameter
    run.data = results.data_label(run.params)
    run.label = results.run_label(profile, run.data, seed)
    run["value"] = value
    run.evidence(evidence_key, "a claim", holds=True, ours=value, data=layout or "demo")
    return run.save()


def test_results_of_two_datasets_coexist_and_the_dashboard_sees_both(tmp_path):
    demo = _save(tmp_path, "B.demo.acc", None, None, profile="demo", value=0.5)
    a = _save(tmp_path, "B.celebdf.acc", "/d/celebdf", "celebdf", value=0.7)
    b = _save(tmp_path, "B.dfdc.acc", "/d/dfdc", "dfdc", value=0.8)
    assert len({a, b, demo}) == 3 and all(p.exists() for p in (a, b, demo))
    assert sorted(r["label"] for r in results.runs(tmp_path)) == [
        "demo-demo-s0", "full-celebdf-s0", "full-dfdc-s0"]
    assert results.load("performance", tmp_path, data="celebdf")["values"]["value"] == 0.7
    assert results.load("performance", tmp_path, data="dfdc")["values"]["value"] == 0.8
    # the run closest to the calling notebook's: here the last Run made, full on dfdc
    assert results.current_run().label == "full-dfdc-s0"
    assert results.load("performance", tmp_path)["data"] == "dfdc"
    chosen = results.select(tmp_path)["performance"]
    assert chosen["data"] == "dfdc"
    evidence = chosen["values"]["evidence"]
    assert set(evidence) == {"B.celebdf.acc", "B.dfdc.acc"}  # both datasets; not the demo run
    assert evidence["B.celebdf.acc"]["data"] == "celebdf"
    (tmp_path / "performance" / "full-broken-s0.json").write_text("{not json")
    assert any(k.endswith("full-broken-s0.json!error") for k in results.select(tmp_path))


def test_backend_is_recorded_whether_or_not_keras_was_imported(monkeypatch, tmp_path):
    """D1 imports no Keras; its results file must still name the backend a rerun would use."""
    import sys

    from deepfake_lib.core import results

    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert results.keras_backend() == "tensorflow"
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert results.keras_backend() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert results.keras_backend() == "torch"


def test_fit_cost_counts_go_to_values_and_seconds_to_timing(tmp_path):
    run = results.Run("performance", {"seed": 0, "results_dir": str(tmp_path)})
    run.fit_cost("model2", fits=3, steps=600, examples=19200, seconds=30.0)
    d = json.loads(run.save().read_text())
    assert d["values"]["fit_cost"]["model2"] == {"fits": 3, "steps": 600, "examples": 19200}
    assert d["timing"]["fit_seconds/model2"] == 10.0
