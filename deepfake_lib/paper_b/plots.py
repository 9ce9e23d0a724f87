"""Plots of notebook B1: swarms over test functions, their animation, and the stability map."""

from __future__ import annotations

import numpy as np

from deepfake_lib.paper_b.pso import Objective, PSOResult
from deepfake_lib.paper_b.stability import limit


def _contour(ax, f: Objective, bounds, levels: int = 25) -> None:
    lo, hi = bounds
    g = np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120)
    A, B = np.meshgrid(*g)
    Z = f(np.c_[A.ravel(), B.ravel()]).reshape(A.shape)
    ax.contourf(A, B, np.log1p(Z), levels=levels, cmap="Greys")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")


def plot_trajectories(res: PSOResult, f: Objective, bounds, steps=None, axes=None):
    """Small multiples of a 2-D swarm (notebook B1, section "Swarm dynamics on test
    functions"): the particles at the
    iterations ``steps`` over the log-contours of ``f``, gbest as a red cross."""
    import matplotlib.pyplot as plt

    T = len(res.positions)
    steps = list(steps) if steps is not None else sorted({0, 1, 2, 4, T // 2, T - 1})
    if axes is None:
        _, axes = plt.subplots(1, len(steps), figsize=(2.2 * len(steps), 2.4))
    for ax, t in zip(np.ravel(axes), steps):
        _contour(ax, f, bounds)
        ax.scatter(*res.positions[t].T, s=10, c="tab:blue")
        ax.scatter(*res.gbest_position[t], marker="x", s=50, c="red")
        ax.set_title(f"t = {t}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


def animate(res: PSOResult, f: Objective, bounds, path, fps: int = 4, dpi: int = 60):
    """Write the swarm's 2-D trajectory as an animated GIF at ``path`` (Pillow writer) and
    return the path (notebook B1, section "Swarm dynamics on test functions"); particles
    leave a short trail."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig, ax = plt.subplots(figsize=(3.2, 3.2))
    _contour(ax, f, bounds)
    trail = ax.plot([], [], ".", ms=3, c="tab:blue", alpha=0.25)[0]
    dots = ax.scatter(*res.positions[0].T, s=14, c="tab:blue")
    best = ax.scatter(*res.gbest_position[0], marker="x", s=60, c="red")
    title = ax.set_title("")

    def frame(t):
        past = res.positions[max(0, t - 3):t + 1].reshape(-1, 2)
        trail.set_data(past[:, 0], past[:, 1])
        dots.set_offsets(res.positions[t])
        best.set_offsets(res.gbest_position[t][None])
        title.set_text(f"t = {t}   gbest = {res.gbest_cost[t]:.2g}")
        return trail, dots, best, title

    anim = FuncAnimation(fig, frame, frames=len(res.positions), blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    plt.close(fig)
    return path


def plot_stability(ax=None, points=(), c_max: float = 9.0):
    """The (w, c1 + c2) plane with the deterministic, order-1 and order-2 convergence regions
    (notebook B1, "Stability"); ``points`` are ``(w, c, label)`` markers or ``(w_array, c,
    label)`` segments."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(5, 3.6))[1]
    w = np.linspace(-1, 1, 401)
    for order, colour in (("order1", "#c6dbef"), ("order2", "#6baed6"), ("deterministic", "#2171b5")):
        ax.fill_between(w, 0, np.clip(limit(w, order), 0, None), color=colour, alpha=0.8,
                        label={"deterministic": "deterministic (vdB & E 2006)",
                               "order1": "order-1 (Trelea 2003; Poli 2009)",
                               "order2": "order-2 (Poli & Broomhead 2007; Poli 2009)"}[order])
    for pw, pc, label in points:
        if np.ndim(pw):
            ax.plot(pw, np.full(np.shape(pw), pc), "r-", lw=2, label=label)
        else:
            ax.plot(pw, pc, "ko", label=label)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(0, c_max)
    ax.set_xlabel("inertia w")
    ax.set_ylabel("c1 + c2")
    ax.legend(fontsize=7, loc="upper left")
    return ax
