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
    return (f"Measured on {m['cores']} cores, {m['cpu']} ({m['platform']})"
            + (", quick mode (fewer repetitions)" if report.get("quick") else "") + ".")


def bench_table(report: dict | None):
    """One row per benchmark: description, ratio and every other measurement it returned."""
    import pandas as pd

    if not report:
        return pd.DataFrame(columns=["benchmark", "description", "ratio"])
    rows = [{"benchmark": name, **res} for name, res in sorted(report["benchmarks"].items())]
    df = pd.DataFrame(rows)
    first = [c for c in ("benchmark", "description", "ratio") if c in df.columns]
    return df[first + [c for c in df.columns if c not in first]].set_index("benchmark")


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
