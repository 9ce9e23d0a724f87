"""Benchmarks of the dispatch of independent units: inline against a local Ray, and resume.

Notebook performance, section "Dispatch: inline and Ray". Three figures, each measured in
one run on this machine:

- ``dispatch_overhead``: seconds per trivial unit, inline and on a local Ray whose workers
  are already started; its ratio is Ray's fixed cost per task over inline's (here the
  baseline is the fast path: a larger ratio is a costlier Ray task);
- ``dispatch_speedup``: a CPU-sized grid of small CNN-RNN fits (paper B's model, the size of
  the smoke profile), inline in one process against a local Ray with 2 workers, one
  TensorFlow thread each, both with Keras already imported, with a check that both give
  identical results;
- ``dispatch_resume``: the same grid from an empty run store, then resumed after half of its
  units were stored (what an interrupted run finds), then rerun with every unit stored.

Ratios on a machine shared with other work swing with the load: the load average is recorded
beside each ratio. The unit functions live here, in the library, so that Ray workers (and
the tests) import them by name.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

import numpy as np

from deepfake_lib import bench


def trivial_unit(unit: dict, shared: Any) -> dict:
    """A unit that does nothing but draw once from the NumPy generator its seed set (the
    dispatch cost alone). Notebook performance, section "Dispatch: inline and Ray"."""
    return {"seed": unit["seed"], "draw": float(np.random.random())}


def sleep_unit(unit: dict, shared: Any) -> dict:
    """``unit["x"]`` squared after ``unit["sleep"]`` seconds, plus a seeded draw; with
    ``unit["marker_dir"]`` every start (first run or retry) leaves a file
    ``<x>-<pid>-<ns>`` there. Notebook performance, section "Dispatch: inline and Ray"."""
    if unit.get("marker_dir"):
        name = f"{unit['x']}-{os.getpid()}-{time.time_ns()}"
        open(os.path.join(unit["marker_dir"], name), "w").close()
    time.sleep(unit.get("sleep", 0.0))
    return {"x2": unit["x"] ** 2, "draw": float(np.random.random())}


def clips(n: int = 96, frames: int = 4, size: int = 16, seed: int = 0) -> dict:
    """Synthetic clips ``(N, T, S, S, 3)`` whose label shifts the mean, split 3:1 into
    ``train`` and ``val`` pairs (the ``shared`` of paper B's fitness units).
    Notebook performance, section "Dispatch: inline and Ray"."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.normal(0, 1, (n, frames, size, size, 3)).astype("float32")
    X += 0.3 * y[:, None, None, None, None].astype("float32")
    k = n // 4
    return {"train": (X[k:], y[k:]), "val": (X[:k], y[:k])}


def fit_grid(n: int = 8, epochs: int = 2, eager: bool = False) -> list[dict]:
    """``n`` fitness units of paper B's CNN-RNN (filters x kernel x repetition), each with
    its own seed; ``eager`` skips graph tracing (faster for the tiniest fits).
    Notebook performance, section "Dispatch: inline and Ray"."""
    grid = [(f, k, r) for r in range(4) for f in (8, 16) for k in (3, 5)][:n]
    fit = {"epochs": epochs, "batch_size": 16, "dropout": 0.3, "lr": 0.01,
           "run_eagerly": eager}
    return [{"seed": 1000 + i, "hp": {"filters": f, "kernel": k, "conv_layers": 1,
                                     "rnn_units": 8}, "fit": fit}
            for i, (f, k, r) in enumerate(grid)]


def _fit_unit(unit: dict, shared: Any) -> dict:
    """Fit paper B's CNN-RNN as a PSO fitness evaluation does; return the validation
    accuracy and every validation probability (a bitwise check of two executors)."""
    from deepfake_lib.paper_b.cnn_rnn import fit, predict_proba

    (Xtr, ytr), (Xva, yva) = shared["train"], shared["val"]
    p = predict_proba(fit(unit["hp"], Xtr, ytr, seed=unit["seed"], **unit["fit"]), Xva)
    return {"val_accuracy": float(((p > 0.5) == yva).mean()), "p_val": p.tolist()}


def warm_unit(unit: dict, shared: Any) -> dict:
    """Import what a fit imports (Keras, paper B's model) and sleep ``unit["sleep"]`` s, so
    that every worker has paid its start before a timed grid.
    Notebook performance, section "Dispatch: inline and Ray"."""
    import deepfake_lib.paper_b.cnn_rnn  # noqa: F401

    time.sleep(unit.get("sleep", 0.0))
    return {"pid": os.getpid()}


def _timed(fn, *args, **kw) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t0, out


def _local(ray_cpus: int = 2, store: str | None = None):
    from deepfake_lib.core.settings import Settings

    return (Settings(executor="inline", store=store),
            Settings(executor="ray", ray_cpus=ray_cpus, store=store))


@bench.benchmark("dispatch_overhead", "Dispatch cost per trivial unit: a local Ray vs inline "
                 "(the ratio: how many times inline's cost Ray's fixed cost per task is)")
def bench_overhead(quick: bool) -> dict:
    """Seconds per trivial unit inline and on a warm local Ray.
    Notebook performance, section "Dispatch: inline and Ray"."""
    from deepfake_lib.core import dispatch, ray_executor

    n = 50 if quick else 200
    units = [{"seed": i} for i in range(n)]
    inline, ray = _local()
    t_start, _ = _timed(ray_executor.start_ray, None, 2)
    try:
        dispatch.map_units(trivial_unit, units[:4], settings=ray, progress=False)  # warm
        t_in, a = _timed(dispatch.map_units, trivial_unit, units, settings=inline,
                         progress=False)
        t_ray, b = _timed(dispatch.map_units, trivial_unit, units, settings=ray,
                          progress=False)
    finally:
        ray_executor.stop_ray()
    return {"ratio": t_ray / t_in, "inline_ms_per_unit": 1e3 * t_in / n,
            "ray_ms_per_unit": 1e3 * t_ray / n, "ray_start_s": t_start, "units": n,
            "results_equal": a == b, "load_average": os.getloadavg()[0]}


@bench.benchmark("dispatch_speedup", "CPU-sized grid of CNN-RNN fits: one inline process vs "
                 "a local Ray with 2 workers (1 TensorFlow thread each)")
def bench_speedup(quick: bool) -> dict:
    """Seconds of the grid inline and on a 2-worker local Ray, and whether they agree.
    Notebook performance, section "Dispatch: inline and Ray"."""
    from deepfake_lib.core import dispatch, ray_executor

    units, shared = fit_grid(4 if quick else 8), clips()
    inline, ray = _local()
    load0 = os.getloadavg()[0]
    t_start, _ = _timed(ray_executor.start_ray, None, 2)
    try:
        dispatch.map_units(warm_unit, [{"seed": 0, "sleep": 1.0}, {"seed": 1, "sleep": 1.0}],
                           settings=ray, progress=False)  # both workers up, Keras imported
        t_ray, b = _timed(dispatch.map_units, _fit_unit, units, shared=shared, settings=ray,
                          progress=False)
    finally:
        ray_executor.stop_ray()
    warm_unit({"seed": 0}, None)
    t_in, a = _timed(dispatch.map_units, _fit_unit, units, shared=shared, settings=inline,
                     progress=False)
    return {"ratio": t_in / t_ray, "inline_s": t_in, "ray_s": t_ray, "ray_start_s": t_start,
            "fits": len(units), "results_equal": a == b,
            "load_average": [load0, os.getloadavg()[0]]}


@bench.benchmark("dispatch_resume", "Grid of CNN-RNN fits: fresh run vs resumed after half "
                 "its units were stored")
def bench_resume(quick: bool) -> dict:
    """Seconds of a fresh run, of a resume with half the units stored, of a rerun with all
    stored. Notebook performance, section "Dispatch: inline and Ray"."""
    from deepfake_lib.core import dispatch, run_store

    units, shared = fit_grid(4 if quick else 8), clips()
    with tempfile.TemporaryDirectory() as tmp:
        fresh_store = run_store.RunStore(os.path.join(tmp, "a"), "bench", "m")
        t_fresh, a = _timed(dispatch.map_units, _fit_unit, units, shared=shared,
                            store=fresh_store, progress=False)
        store = run_store.RunStore(os.path.join(tmp, "b"), "bench", "m")
        dispatch.map_units(_fit_unit, units[: len(units) // 2], shared=shared, store=store,
                           progress=False)  # the part an interrupted run had stored
        t_resume, b = _timed(dispatch.map_units, _fit_unit, units, shared=shared,
                             store=store, progress=False)
        t_done, c = _timed(dispatch.map_units, _fit_unit, units, shared=shared, store=store,
                           progress=False)
    return {"ratio": t_fresh / t_resume, "fresh_s": t_fresh, "resume_s": t_resume,
            "all_stored_s": t_done, "fits": len(units), "results_equal": a == b == c,
            "load_average": os.getloadavg()[0]}


def worker_unit(unit: dict, shared: Any) -> dict:
    """Where a unit ran and what it saw: process, node address, priority, thread and GPU
    settings, and whether ``shared["X"]`` arrived read-only (from Ray's object store).
    Notebook performance, section "Dispatch: inline and Ray"."""
    import ray

    time.sleep(unit.get("sleep", 0.0))
    X = (shared or {}).get("X") if isinstance(shared, dict) else None
    return {"pid": os.getpid(), "ip": ray.util.get_node_ip_address(), "nice": os.nice(0),
            "threads": os.environ.get("TF_NUM_INTRAOP_THREADS"),
            "cuda": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "writeable": None if X is None else bool(X.flags.writeable),
            "x_sum": None if X is None else float(X.sum())}
