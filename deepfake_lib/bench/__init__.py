"""``dfbook bench``: registered benchmarks, measured in one run, written to ``bench.json``.

Each subsystem registers its own benchmark with :func:`benchmark`. A benchmark returns a dict
of measurements; by convention it compares a fast path with a baseline measured in the same
run and reports ``ratio`` (baseline seconds / fast seconds) so the performance page never
compares numbers taken on different machines.

    @benchmark("pso", "PSO step vs a per-particle Python loop")
    def bench_pso(quick: bool) -> dict:
        ...
        return {"baseline_s": t0, "fast_s": t1, "ratio": t0 / t1, "unit": "iterations/s"}
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import pkgutil
import time
from pathlib import Path
from typing import Callable

from deepfake_lib.core.paths import results_dir


_REGISTRY: dict[str, tuple[str, Callable[[bool], dict]]] = {}


def benchmark(name: str, description: str):
    """Register ``fn(quick: bool) -> dict`` under ``name``.
    Notebook performance, section "Ratios measured in one run"."""
    def deco(fn):
        _REGISTRY[name] = (description, fn)
        return fn
    return deco


def registry() -> dict[str, tuple[str, Callable[[bool], dict]]]:
    """Every benchmark: each module of this package registers its own when imported.
    Notebook performance, section "Ratios measured in one run"."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)


def machine() -> dict[str, str | int]:
    """Cores and CPU model of this machine, stated beside every benchmark table.
    Notebook performance, section "Ratios measured in one run"."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count() or 0, "cpu": model, "platform": platform.platform()}


def headline(res: dict) -> str:
    """One short figure per benchmark: its speed-up ratio, or its time against its budget.
    Notebook performance, section "Ratios measured in one run"."""
    if "ratio" in res:
        return f"{res['ratio']:.1f}x"
    if res.get("budget_s"):
        return f"{res['seconds']:.1f}/{res['budget_s']:.0f} s"
    return f"{res['seconds']:.1f} s" if "seconds" in res else "-"


class BenchError(RuntimeError):
    """One or more benchmarks raised; the message names each and its reason.
    Notebook performance, section "Ratios measured in one run"."""


def run(only: list[str] | None = None, quick: bool = False, out: Path | None = None) -> Path:
    """Run the selected benchmarks and write ``bench.json``; return its path.
    Notebook performance, section "Ratios measured in one run".

    With ``only``, the other benchmarks already in the file stay, if they were measured on this
    machine; each entry says whether it ran in ``quick`` mode.
    """
    reg = registry()
    unknown = sorted(set(only or []) - set(reg))
    if unknown:
        raise KeyError(f"unknown benchmark(s) {unknown}; known: {sorted(reg)}")
    out = out or results_dir() / "bench.json"
    results = {}
    if only and out.exists():  # keep the other benchmarks measured on this machine
        previous = json.loads(out.read_text())
        if previous.get("machine") == machine():
            results = previous.get("benchmarks", {})
    failed = {}
    for name in sorted(only or reg):
        desc, fn = reg[name]
        t0 = time.perf_counter()
        try:
            res = fn(quick)
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            failed[name] = f"{type(exc).__name__}: {exc}"
            results.pop(name, None)
            print(f"{name:24s} {'FAILED':>14s}  {failed[name]}")
            continue
        results[name] = {"description": desc, **res, "quick": quick,
                         "wall_s": round(time.perf_counter() - t0, 3)}
        print(f"{name:24s} {headline(res):>14s}  {desc}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "quick": all(r.get("quick", False) for r in results.values()),
                               "benchmarks": results}, indent=2, sort_keys=True) + "\n")
    if failed:
        raise BenchError(f"{len(failed)} benchmark(s) failed (the others are in {out}): "
                         + "; ".join(f"{k}: {v}" for k, v in failed.items()))
    return out
