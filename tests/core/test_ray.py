"""The Ray executor: loopback only, the same results files as inline for a grid and a PSO
search, ``shared`` from the object store, a worker node killed mid-run
(deepfake_lib/core/ray_executor.py). Every Ray started here is stopped here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from deepfake_lib.core import ray_executor

ray_executor.loopback_env()  # before anything imports ray: a local Ray on 127.0.0.1 only

from deepfake_lib.bench import dispatch as units  # noqa: E402
from deepfake_lib.core import dispatch, results  # noqa: E402
from deepfake_lib.core.settings import Settings  # noqa: E402

RAY = Settings(executor="ray", ray_cpus=2)
INLINE = Settings()
pytestmark = pytest.mark.slow


def _parents() -> dict[int, int]:
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    out[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    return out


def _descendants(root: int) -> set[int]:
    parent, out, todo = _parents(), {root}, [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in out]
        out.update(kids)
        todo.extend(kids)
    return out


def _listening_hosts(pids: set[int]) -> list[str]:
    """The local host of every TCP/UDP socket listening in ``pids`` (from ``ss``)."""
    hosts = []
    for flag in ("-ltnpH", "-lunpH"):
        out = subprocess.run(["ss", flag], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            users = line.split("users:", 1)[-1]
            if "users:" in line and any(int(t.split(",")[0]) in pids
                                        for t in users.split("pid=")[1:]):
                hosts.append(line.split()[3].rsplit(":", 1)[0].strip("[]"))
    return hosts


@pytest.fixture(scope="module")
def local_ray():
    ray = ray_executor.start_ray(num_cpus=2)
    yield ray
    ray_executor.stop_ray()


def test_local_ray_is_on_loopback_only(local_ray):
    out = dispatch.map_units(units.worker_unit, [{"seed": 0}, {"seed": 1}], settings=RAY,
                             progress=False)
    assert {r["ip"] for r in out} == {"127.0.0.1"}
    addresses = ray_executor.node_addresses()
    assert addresses and all(ray_executor.is_loopback(a) for a in addresses)
    hosts = _listening_hosts(_descendants(os.getpid()))
    assert len(hosts) >= 3  # GCS, raylet, workers at least
    assert [h for h in hosts if not ray_executor.is_loopback(h)] == []


def test_shared_comes_from_the_object_store_read_only(local_ray):
    data = {"X": np.arange(12, dtype="float32").reshape(3, 4)}
    out = dispatch.map_units(units.worker_unit, [{"seed": i} for i in range(4)], shared=data,
                             settings=RAY, progress=False)
    assert {r["writeable"] for r in out} == {False}  # zero-copy from the object store
    assert {r["x_sum"] for r in out} == {66.0}
    assert {r["threads"] for r in out} == {"1"}
    assert {r["nice"] for r in out} == {os.nice(0)}  # not Ray's default nice 15
    assert {r["cuda"] for r in out} == {None}  # no GPU here: Ray sets none


def _search_and_grid(settings: Settings, folder) -> dict:
    """One grid of fits and one PSO search (paper B's CNN-RNN on small clips) through
    map_units with ``settings``, saved as a results file; returns it."""
    from deepfake_lib.paper_b import cnn_rnn, pso

    shared = units.clips(n=32, frames=2, size=8)
    ns = {"seed": 0, "profile": "smoke", "data_root": None, "results_dir": str(folder)}
    with dispatch.using(settings):
        run = results.Run("B2_cnn_rnn", ns)
        with run.timed("grid"):
            run["grid"] = dispatch.map_units(units._fit_unit, units.fit_grid(4, 1, eager=True),
                                             shared=shared, progress=False)
        log: list = []
        f = cnn_rnn.make_fitness(shared["train"], shared["val"], seed=0, log=log, epochs=1,
                                 batch_size=16, run_eagerly=True)
        res = pso.minimize(f, cnn_rnn.space_bounds(), n_particles=2, iters=2, seed=0,
                           integer=np.ones(len(cnn_rnn.SEARCH_SPACE), bool))
        run["pso"] = {"best_cost": res.best_cost, "gbest": res.gbest_cost,
                      "log": [{k: v for k, v in r.items() if k != "seconds"} for r in log]}
    return json.loads(run.save().read_text())


def test_ray_and_inline_give_identical_results_files(local_ray, tmp_path):
    inline = _search_and_grid(INLINE, tmp_path)  # the same folder: the same parameters
    ray = _search_and_grid(RAY, tmp_path)
    assert inline["execution"]["executor"] == "inline" and ray["execution"]["executor"] == "ray"
    assert len({r["p_val"][0] for r in inline["values"]["grid"]}) == 4  # four different fits
    assert len(inline["values"]["pso"]["log"]) >= 2
    assert results.without_timing(ray) == results.without_timing(inline)


def test_start_ray_refuses_a_ray_imported_without_loopback():
    code = textwrap.dedent("""
        import os
        os.environ.pop("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", None)
        import ray
        from deepfake_lib.core.ray_executor import start_ray
        try:
            start_ray(num_cpus=1)
        except RuntimeError as err:
            print("refused:", err)
        print("initialised:", ray.is_initialized())
    """)
    env = {k: v for k, v in os.environ.items() if k != ray_executor.LOOPBACK_ENV}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120).stdout
    assert "refused: ray was imported before RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0" in out
    assert "initialised: False" in out


class _KillWhileVictimRuns:
    """A run store that, at the first result, waits until a unit started less than 0.3 s
    ago runs in a worker of ``victim`` (a child of its raylet), then kills that node."""

    def __init__(self, cluster, victim, marks):
        self.cluster, self.victim, self.marks = cluster, victim, marks
        self.raylet = victim.all_processes["raylet"][0].process.pid
        self.done: set = set()
        self.killed_running = None

    def key(self, fn, unit, digest=""):
        return str(unit["x"])

    def get(self, key):
        return None

    def put(self, key, unit, result, fn=""):
        self.done.add(unit["x"])
        deadline = time.time() + 20
        while self.killed_running is None and time.time() < deadline:
            parents = _parents()
            for name in os.listdir(self.marks):
                x, pid, t_ns = (int(v) for v in name.split("-"))
                young = time.time_ns() - t_ns < 0.3e9  # of its 0.8 s sleep
                if x not in self.done and young and parents.get(pid) == self.raylet:
                    self.killed_running = x
            time.sleep(0.005)
            if self.killed_running is not None:
                self.cluster.remove_node(self.victim, allow_graceful=False)


@pytest.mark.parametrize("retries", [3, 0])
def test_killing_a_worker_node_mid_run_loses_nothing(tmp_path, retries):
    """A head (0 CPUs) and two 1-CPU worker nodes on 127.0.0.1; one is killed while it runs
    a unit. With retries the run completes with the undisturbed results, the lost unit run
    again; without, the loss is an error (so the retries are what save the run)."""
    import ray
    from ray.cluster_utils import Cluster

    ray_executor.stop_ray()
    marks = tmp_path / "marks"
    marks.mkdir()
    todo = [{"seed": 100 + x, "x": x, "sleep": 0.8, "marker_dir": str(marks)} for x in range(8)]
    undisturbed = dispatch.map_units(units.sleep_unit, [{**u, "sleep": 0, "marker_dir": ""}
                                                        for u in todo], progress=False)
    fast_health_check = {"health_check_initial_delay_ms": 0, "health_check_period_ms": 300,
                         "health_check_timeout_ms": 300, "health_check_failure_threshold": 3}
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 0, "include_dashboard": False, "_system_config": fast_health_check})
    try:
        victim = cluster.add_node(num_cpus=1)
        cluster.add_node(num_cpus=1)
        store = _KillWhileVictimRuns(cluster, victim, marks)
        settings = Settings(executor="ray", address=cluster.address, max_retries=retries)
        if retries == 0:
            with pytest.raises(ray.exceptions.RayError):
                dispatch.map_units(units.sleep_unit, todo, settings=settings, store=store,
                                   progress=False)
            assert store.killed_running is not None
            return
        got = dispatch.map_units(units.sleep_unit, todo, settings=settings, store=store,
                                 progress=False)
        assert all(ray_executor.is_loopback(n["NodeManagerAddress"]) for n in ray.nodes())
    finally:
        ray_executor.stop_ray()
        cluster.shutdown()
    assert store.killed_running is not None and not victim.any_processes_alive()
    assert got == undisturbed
    assert len(os.listdir(marks)) > len(todo)  # the unit on the killed node ran again
