"""The performance page: read ``bench.json`` and show it (notebook ``performance``).

:mod:`deepfake_lib.bench` writes the file; this module only presents it, so the page renders
whatever benchmarks the subsystems registered.
"""

from __future__ import annotations

import json
from pathlib import Path

from .paths import results_dir


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

    from .bench import headline

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
            for k, v in sorted(res.items()) if k not in skip]
    return pd.DataFrame(rows, columns=["benchmark", "quantity", "value"]).set_index(["benchmark", "quantity"])


def notebook_timings(folder=None):
    """The ``timing`` each notebook recorded in ``book/results/<notebook>.json``.

    Keys ending in ``_fps`` are frames per second, the others seconds. Timings stay out of the
    results' ``values`` because they vary by machine and run; this is where they are read.
    """
    import pandas as pd

    rows = []
    for path in sorted(Path(results_dir(folder)).glob("*.json")):
        if path.name == "bench.json":
            continue
        try:
            timing = json.loads(path.read_text()).get("timing") or {}
        except (json.JSONDecodeError, AttributeError):
            continue
        for step, v in timing.items():
            unit = "frames/s" if step.endswith("_fps") else "s"
            rows.append({"notebook": path.stem, "step": step, "value": float(v), "unit": unit})
    return pd.DataFrame(rows, columns=["notebook", "step", "value", "unit"]).set_index(["notebook", "step"])


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
