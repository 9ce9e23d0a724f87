"""Figures of notebook A3: training curves laid out as the paper's Figures 9-15."""

from __future__ import annotations

from typing import Sequence


def plot_curves(frame, metrics_: Sequence[str], titles: Sequence[str], hue_title: str = ""):
    """One panel per metric, one line per label (mean over seeds, band = sd): the layout of
    the paper's Figures 9-12. ``frame``: :func:`deepfake_lib.paper_a.ablations.curves`.
    Returns the matplotlib figure. Notebook A3, section "Batch size (Figures 9 and 10)"."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, axes = plt.subplots(1, len(metrics_), figsize=(5 * len(metrics_), 3.6), squeeze=False)
    for ax, metric, title in zip(axes[0], metrics_, titles):
        sub = frame[frame.metric == metric]
        sns.lineplot(data=sub, x="epoch", y="value", hue="label", errorbar="sd", marker="o", ax=ax)
        ax.set(title=title, ylabel=metric.replace("_", " "), xlabel="epoch")
        ax.legend(title=hue_title, fontsize=8)
    fig.tight_layout()
    return fig


def plot_ablation(results: dict, rows: list[tuple], figure: str, validation_only: bool = True,
                  hue_title: str = ""):
    """The curves of one comparison: validation accuracy and loss (Figures 10-12), or the
    training ones too (``validation_only=False``, Figure 9's panels first). ``figure``: the
    paper's figure number, for the titles. Notebook A3, section "Batch size (Figures 9 and
    10)"."""
    from deepfake_lib.paper_a.ablations import curves

    frame = curves(results, rows)
    figs = []
    if not validation_only:
        figs.append(plot_curves(frame, ["accuracy", "loss"],
                                [f"Figure {figure - 1}a: training accuracy",
                                 f"Figure {figure - 1}b: training loss"], hue_title))
    figs.append(plot_curves(frame, ["val_accuracy", "val_loss"],
                            [f"Figure {figure}a: validation accuracy",
                             f"Figure {figure}b: validation loss"], hue_title))
    return figs


def plot_model_curves(results: dict, rows: list[tuple], data_kind: str) -> list:
    """Figures 13-15: per model, training and validation accuracy and error rate (loss) on
    one dataset. Returns one figure per row. Notebook A3, section "Residual blocks and the
    three models (Figures 12-15, Tables 2-4)"."""
    from deepfake_lib.paper_a.ablations import curves

    figs = []
    for label, cfg, init in rows:
        f = curves(results, [(label, cfg, init)])
        f["label"] = f["metric"].map(lambda m: "validation" if m.startswith("val_") else "training")
        f["metric"] = f["metric"].str.replace("val_", "")
        figs.append(plot_curves(f[f.metric != "lr"], ["accuracy", "loss"],
                                [f"{label}: accuracy ({data_kind})",
                                 f"{label}: error rate (loss)"]))
    return figs


def plot_step_loss(frame, title: str = "training loss per optimiser step"):
    """Training loss against optimiser step, one line per label (the mean over seeds) with
    its 95 % t-interval band. ``frame``: :func:`deepfake_lib.paper_a.learning.step_curves`.
    Returns the matplotlib figure. Notebook A3, section "Residual blocks and the speed of
    learning"."""
    import math

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    for label, sub in frame.groupby("label", sort=False):
        line, = ax.plot(sub.step, sub["mean"], label=label)
        ax.fill_between(sub.step, sub.ci_low, sub.ci_high, alpha=0.2, color=line.get_color())
    ax.axhline(math.log(2), color="grey", lw=0.8, ls="--", label="ln 2 (constant output)")
    n = int(frame["n"].max()) if len(frame) else 0
    ylabel = "training loss (running mean)"
    if len(frame):
        # the first tenth of the steps can start far above ln 2 (He kernels): keep the axis
        # on where the curves part, and say so when something is cut off
        first = frame.step.min()
        late = frame[frame.step > first + 0.1 * (frame.step.max() - first)]
        top = max(1.0, float(late.ci_high.max()) + 0.02)
        if float(frame.ci_high.max()) > top:
            ylabel += f", cut at {top:.2f}"
        ax.set_ylim(max(0.0, float(frame.ci_low.min()) - 0.02), top)
    ax.set(title=f"{title} (band: 95 % t-interval over {n} seeds)", xlabel="optimiser step",
           ylabel=ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
