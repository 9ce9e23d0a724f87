"""map_units inline: units named when bad, each seeded from its seed alone, results in
order, settings from the environment, the run store (skip, resume after a kill, atomic
entries, keys), and what a run records (deepfake_lib/core/dispatch.py, run_store.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from deepfake_lib.bench.dispatch import sleep_unit, trivial_unit
from deepfake_lib.core import dispatch, results, run_store
from deepfake_lib.core.settings import Settings

INLINE = Settings()


@pytest.mark.parametrize("units, error, message", [
    ({"seed": 1}, TypeError, "units must be a list of dicts, got dict"),
    ([{"seed": 1}, 3], TypeError, r"units\[1\] must be a dict, got int"),
    ([{"x": 1}], ValueError, r"units\[0\] must have an integer 'seed', got None"),
    ([{"seed": 1.5}], ValueError, r"units\[0\] must have an integer 'seed', got 1.5"),
    ([{"seed": True}], ValueError, r"units\[0\] must have an integer 'seed', got True"),
    ([{"seed": 1}, {"seed": 2, "x": object()}], ValueError, r"units\[1\] is not JSON-able"),
])
def test_bad_units_are_named(units, error, message):
    with pytest.raises(error, match=message):
        dispatch.validate_units(units)


def test_numpy_values_become_plain():
    assert dispatch.validate_units([{"seed": np.int64(3), "x": np.float32(0.5)}]) == [
        {"seed": 3, "x": 0.5}]


def test_inline_seeds_each_unit_from_its_seed_alone_and_keeps_order():
    seeds = (5, 3, 5, 9)
    got = dispatch.map_units(trivial_unit, [{"seed": s} for s in seeds], settings=INLINE,
                             progress=False)
    want = []
    for s in seeds:  # brute force: seed NumPy, draw once
        np.random.seed(s)
        want.append({"seed": s, "draw": float(np.random.random())})
    assert got == want


def test_settings_from_the_environment():
    env = {"DFBOOK_EXECUTOR": "ray", "DFBOOK_RAY_ADDRESS": "auto", "DFBOOK_GPUS_PER_FIT": "0.5",
           "DFBOOK_THREADS": "2", "DFBOOK_DETERMINISTIC": "off", "DFBOOK_STORE": "off"}
    s = Settings.from_env(env)
    assert (s.executor, s.address, s.gpus_per_unit, s.threads, s.deterministic, s.store) == (
        "ray", "auto", 0.5, 2, False, None)
    assert Settings.from_env(s.to_env()) == s
    assert s.to_env()["TF_NUM_INTRAOP_THREADS"] == "2"
    assert Settings.from_env({}) == Settings()
    with pytest.raises(ValueError, match="DFBOOK_THREADS='two' is not a valid threads"):
        Settings.from_env({"DFBOOK_THREADS": "two"})
    with pytest.raises(ValueError, match="executor must be one of inline, ray, got 'dask'"):
        Settings.from_env({"DFBOOK_EXECUTOR": "dask"})
    with dispatch.using(s):
        assert dispatch.current_settings() is s


def test_store_keys_and_atomic_entries(tmp_path):
    store = run_store.RunStore(tmp_path, "B2", manifest="m1", version="v1")
    unit = {"seed": 1, "filters": 8}
    key = store.key("f", unit, "d")
    assert key == store.key("f", {"filters": 8, "seed": 1}, "d")
    others = [run_store.RunStore(tmp_path, "B3", "m1", "v1").key("f", unit, "d"),
              run_store.RunStore(tmp_path, "B2", "m2", "v1").key("f", unit, "d"),
              run_store.RunStore(tmp_path, "B2", "m1", "v2").key("f", unit, "d"),
              store.key("g", unit, "d"), store.key("f", unit, "e"),
              store.key("f", {**unit, "seed": 2}, "d")]
    assert key not in others and len(set(others)) == len(others)
    assert store.get(key) is None
    store.put(key, unit, {"acc": 0.5})
    assert store.get(key) == {"acc": 0.5}
    bad = store.key("f", {"seed": 2}, "d")
    with pytest.raises(ValueError):  # NaN is not JSON: nothing half-written is left
        store.put(bad, {"seed": 2}, {"acc": float("nan")})
    assert store.get(bad) is None and not list(tmp_path.rglob(".tmp-*"))
    store.path(bad).write_text('{"result": ')  # a truncated entry is not done
    assert store.get(bad) is None


def test_shared_data_is_part_of_the_key():
    a = {"X": np.zeros((2, 3), "float32"), "y": [0, 1]}
    assert run_store.data_digest(a) == run_store.data_digest({"y": [0, 1], "X": np.zeros((2, 3), "float32")})
    assert run_store.data_digest(a) != run_store.data_digest({**a, "X": np.ones((2, 3), "float32")})
    assert run_store.data_digest(a) != run_store.data_digest({**a, "X": np.zeros((3, 2), "float32")})
    assert run_store.library_version().count("+") == 1


def test_rerun_skips_done_units(tmp_path):
    store = run_store.RunStore(tmp_path / "store", "X", "m")
    marks = tmp_path / "marks"
    marks.mkdir()
    units = [{"seed": s, "x": s, "marker_dir": str(marks)} for s in range(6)]
    first = dispatch.map_units(sleep_unit, units[:4], store=store, settings=INLINE,
                               progress=False)
    assert len(os.listdir(marks)) == 4
    again = dispatch.map_units(sleep_unit, units, store=store, settings=INLINE, progress=False)
    assert len(os.listdir(marks)) == 6  # only units 4 and 5 ran
    assert again[:4] == first
    assert again == dispatch.map_units(sleep_unit, units, settings=INLINE, progress=False)
    assert [r["notebook"] for r in run_store.summary(tmp_path / "store")] == ["X"]
    assert run_store.prune(tmp_path / "store", stale_only=True) == 0
    assert run_store.prune(tmp_path / "store", ["X"]) == 6 and len(store) == 0


def test_resume_after_the_driver_is_killed(tmp_path):
    """A run killed (SIGKILL) after 3 of 8 results resumes with the missing units only,
    and gives what an uninterrupted run gives."""
    root, marks = tmp_path / "store", tmp_path / "marks"
    marks.mkdir()
    units = [{"seed": s, "x": s, "sleep": 0.3, "marker_dir": str(marks)} for s in range(8)]
    code = textwrap.dedent(f"""
        from deepfake_lib.bench.dispatch import sleep_unit
        from deepfake_lib.core import dispatch, run_store
        dispatch.map_units(sleep_unit, {units!r}, progress=False,
                           store=run_store.RunStore({str(root)!r}, "X", "m"))
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    store = run_store.RunStore(root, "X", "m")
    deadline = time.time() + 90
    while len(store) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done, started = len(store), len(os.listdir(marks))
    assert 3 <= done < 8 and started - done in (0, 1)  # at most one unit was in flight
    got = dispatch.map_units(sleep_unit, units, store=store, settings=INLINE, progress=False)
    assert len(os.listdir(marks)) - started == 8 - done  # only the missing units ran
    assert got == dispatch.map_units(sleep_unit, [{**u, "marker_dir": ""} for u in units],
                                     settings=INLINE, progress=False)


def test_a_run_stores_its_units_and_records_how_they_ran(tmp_path):
    ns = {"seed": 0, "profile": "smoke", "data_root": None, "results_dir": str(tmp_path / "r")}
    settings = Settings(store=str(tmp_path / "store"))
    units = [{"seed": s} for s in range(3)]
    payloads = []
    for _ in range(2):
        with dispatch.using(settings):
            run = results.Run("performance", ns)
            run["out"] = dispatch.map_units(trivial_unit, units, progress=False)
        payloads.append(json.loads(run.save().read_text()))
    first, second = payloads
    assert first["execution"]["units_run"] == 3 and first["execution"]["units_from_store"] == 0
    assert second["execution"]["units_run"] == 0 and second["execution"]["units_from_store"] == 3
    assert results.without_timing(first) == results.without_timing(second)
    assert first["settings"] == {"threads": 1, "deterministic": True}


def test_a_write_killed_halfway_is_no_entry(tmp_path):
    store = run_store.RunStore(tmp_path, "X", "m")
    key = store.key("f", {"seed": 1})
    store.put(key, {"seed": 1}, {"ok": True})
    (store.path(key).parent / ".tmp-abc.json").write_text('{"result": {"half')
    assert len(store) == 1 and len(list(run_store.entries(tmp_path))) == 1
    assert run_store.prune(tmp_path) == 1 and not list(tmp_path.rglob("*.json"))
