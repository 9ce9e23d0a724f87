"""The performance page: read ``bench.json`` and show it (notebook ``performance``).

:mod:`deepfake_lib.bench` writes the file; this module only presents it, so the page renders
whatever benchmarks the subsystems registered.
"""

from __future__ import annotations

import json
from pathlib import Path

from deepfake_lib.core.paths import results_dir


def load_bench(folder=None) -> dict | None:
    """``bench.json`` as a dict, or ``None`` when ``dfbook bench`` has not been run."""
    path = Path(results_dir(folder)) / "bench.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def describe_machine(report: dict | None) -> str:
    if report is None:
        return ("No benchmark results yet: `dfbook bench` writes book/results/bench.json "
                "(`make book` runs it before the notebooks).")
    m = report["machine"]
    quick = sorted(n for n, r in report.get("benchmarks", {}).items() if r.get("quick", report.get("quick")))
    note = ""
    if quick:
        every = len(quick) == len(report["benchmarks"])
        note = ", quick mode (smaller sizes, fewer repetitions)" + ("" if every else f" for {', '.join(quick)}")
    return f"Measured on {m['cores']} cores, {m['cpu']} ({m['platform']}){note}."


def _target(res: dict) -> tuple[str, bool | None]:
    """The benchmark's own target, as text, and whether this run met it (``None``: no target).

    A ``target_<name>`` entry is a floor for the ratio ``<name>`` (``target_ratio`` for ``ratio``,
    ``target_cached_ratio`` for ``cached_ratio``); ``budget_s`` is a ceiling for ``seconds``.
    """
    floors = {k[len("target_"):]: v for k, v in res.items() if k.startswith("target_") and k[len("target_"):] in res}
    if floors:
        text = "; ".join(f"{name.removesuffix('ratio').rstrip('_')} >= {v}x".strip() for name, v in floors.items())
        return text, all(res[name] >= v for name, v in floors.items())
    if res.get("budget_s") and "seconds" in res:
        return f"<= {res['budget_s']:.0f} s", bool(res["seconds"] <= res["budget_s"])
    return "-", None


def bench_table(report: dict | None):
    """One row per benchmark: what it compares, its headline figure, its target and the verdict.

    Columns: ``description``, ``result`` (ratio or time against budget, see
    :func:`deepfake_lib.bench.headline`), ``ratio`` (float, NaN for budget benchmarks),
    ``target``, ``met`` (yes / no / -), ``wall_s``.
    """
    import pandas as pd

    from deepfake_lib.bench import headline

    cols = ["description", "result", "ratio", "target", "met", "wall_s"]
    if not report:
        return pd.DataFrame(columns=cols).rename_axis("benchmark")
    rows = {}
    for name, res in sorted(report["benchmarks"].items()):
        target, met = _target(res)
        rows[name] = {"description": res.get("description", ""), "result": headline(res),
                      "ratio": res.get("ratio", float("nan")), "target": target,
                      "met": {True: "yes", False: "no", None: "-"}[met], "wall_s": res.get("wall_s")}
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("benchmark")


def measurements(report: dict | None):
    """Every other figure a benchmark returned, one row per (benchmark, quantity)."""
    import pandas as pd

    skip = {"description", "ratio", "wall_s", "quick"}
    rows = [{"benchmark": name, "quantity": k, "value": _fmt(v)}
            for name, res in sorted((report or {}).get("benchmarks", {}).items())
            for k, v in sorted(res.items()) if k not in skip and not isinstance(v, dict)]
    return pd.DataFrame(rows, columns=["benchmark", "quantity", "value"]).set_index(["benchmark", "quantity"])


def notebook_timings(folder=None):
    """The ``timing`` every run recorded in its results file
    (``book/results/<notebook>/<profile>-<data>-s<seed>.json``), one row per step.

    Keys ending in ``_fps`` are frames per second, the others seconds. Timings stay out of the
    results' ``values`` because they vary by machine and run; this is where they are read.
    """
    import pandas as pd

    rows = []
    for run, payload in _payloads(folder):
        for step, v in (payload.get("timing") or {}).items():
            if isinstance(v, (int, float)):
                unit = "frames/s" if step.endswith("_fps") else "s"
                rows.append({"notebook": run["notebook"], "run": run["label"], "step": step,
                             "value": float(v), "unit": unit})
    cols = ["notebook", "run", "step", "value", "unit"]
    return pd.DataFrame(rows, columns=cols).set_index(["notebook", "run", "step"])


def training_costs(folder=None):
    """What each trained system cost in every run, as the notebooks record it with
    :meth:`deepfake_lib.core.results.Run.fit_cost`: the fits, and per fit the optimiser steps,
    the training examples seen (``values["fit_cost"]``) and the seconds
    (``timing["fit_seconds/<system>"]``). Notebook performance, section "What training costs".
    """
    import pandas as pd

    cols = ["fits", "steps_per_fit", "examples_per_fit", "seconds_per_fit"]
    rows = []
    for run, payload in _payloads(folder):
        timing = payload.get("timing") or {}
        for system, c in ((payload.get("values") or {}).get("fit_cost") or {}).items():
            fits = max(int(c.get("fits", 1)), 1)
            rows.append({"notebook": run["notebook"], "run": run["label"], "system": system,
                         "fits": fits, "steps_per_fit": round(c["steps"] / fits, 1),
                         "examples_per_fit": round(c["examples"] / fits, 1),
                         "seconds_per_fit": timing.get(f"fit_seconds/{system}")})
    return pd.DataFrame(rows, columns=["notebook", "run", "system", *cols]).set_index(
        ["notebook", "run", "system"])


def executions(folder=None):
    """How each run's independent units were dispatched (its ``execution`` record): the
    executor, the GPUs per unit, the units that ran and those taken from the run store.
    Runs that dispatched nothing are left out."""
    import pandas as pd

    cols = ["executor", "gpus_per_unit", "units_run", "units_from_store", "calls"]
    rows = []
    for run, payload in _payloads(folder):
        ex = payload.get("execution") or {}
        if ex:
            rows.append({"notebook": run["notebook"], "run": run["label"],
                         **{c: ex.get(c) for c in cols}})
    return pd.DataFrame(rows, columns=["notebook", "run", *cols]).set_index(["notebook", "run"])


def _payloads(folder=None):
    from deepfake_lib.core.results import runs

    for run in runs(folder):
        try:
            payload = json.loads(Path(run["path"]).read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(payload, dict):
            yield run, payload


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


def plot_ratios(table):
    """Horizontal bars of each benchmark's speed-up ratio (log scale)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(table), 1)))
    if "ratio" in table.columns and table["ratio"].notna().any():
        r = table["ratio"].dropna().astype(float)
        ax.barh(r.index, r.values, color="#4c72b0")
        ax.set_xscale("log")
        ax.axvline(1, color="grey", lw=1)
        for y, v in enumerate(r.values):
            ax.text(v, y, f" {v:.1f}x", va="center")
        ax.set_xlabel("speed-up over the baseline measured in the same run (log scale)")
    else:
        ax.text(0.5, 0.5, "no benchmark results yet: run `dfbook bench`", ha="center", va="center")
        ax.set_axis_off()
    fig.tight_layout()
    return ax


#: The dispatch benchmarks (:mod:`deepfake_lib.bench.dispatch`) and the figures shown of each.
DISPATCH_FIGURES = {
    "dispatch_overhead": ("inline_ms_per_unit", "ray_ms_per_unit", "ray_start_s"),
    "dispatch_speedup": ("inline_s", "ray_s", "fits"),
    "dispatch_resume": ("fresh_s", "resume_s", "all_stored_s"),
}


def dispatch_figures(report: dict | None):
    """The dispatch benchmarks side by side: ratio, the two timings it divides (and a
    third figure), whether both executors gave equal results, and the load average."""
    import pandas as pd

    rows = {}
    for name, keys in DISPATCH_FIGURES.items():
        res = (report or {}).get("benchmarks", {}).get(name)
        if res:
            rows[name] = {"ratio": round(res["ratio"], 3),
                          **{k: round(float(res[k]), 4) for k in keys},
                          "results_equal": res.get("results_equal"),
                          "load_average": _fmt(res.get("load_average"))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("benchmark")


def rerun_table(report: dict | None):
    """The ``rerun_estimate`` benchmark (:mod:`deepfake_lib.bench.rerun`) as a table: one
    row per notebook and kind of fit at the ``full`` profile, with the fits, their samples
    and epochs, GFLOPs per sample, CPU-hours per fit measured from a scaled run here, and
    GPU-hours per fit and in all at the assumed GPU rate."""
    import pandas as pd

    res = (report or {}).get("benchmarks", {}).get("rerun_estimate") or {}
    rows = []
    for nb, row in (res.get("notebooks") or {}).items():
        for k in row["kinds"]:
            rows.append({"notebook": nb, "fit": k["kind"], "dataset": row["dataset"],
                         "fits": k["count"], "epochs": k["epochs"], "samples": k["samples"],
                         "GFLOPs/sample": k["gflops_per_sample"],
                         "CPU-h/fit here": k["cpu_hours_per_fit"],
                         "GPU-h/fit": k["gpu_hours_per_fit"],
                         "GPU-h": round(k["count"] * k["gpu_hours_per_fit"], 3)})
    cols = ["notebook", "fit", "dataset", "fits", "epochs", "samples", "GFLOPs/sample",
            "CPU-h/fit here", "GPU-h/fit", "GPU-h"]
    return pd.DataFrame(rows, columns=cols).set_index(["notebook", "fit"])
