"""Benchmark of the PSO update (notebook B1, section "The update")."""

from __future__ import annotations

import time
import numpy as np
from deepfake_lib import bench
from deepfake_lib.paper_b.pso import velocity_update, velocity_update_loop


# ----------------------------------------------------------------------------- benchmark
@bench.benchmark("pso", "PSO velocity update: vectorised over particles vs a per-particle Python loop")
def bench_pso(quick: bool) -> dict:
    """Seconds per velocity update of a large swarm, vectorised (:func:`velocity_update`)
    against one particle at a time; notebook B1, section "The update", shows both agree."""
    rng = np.random.default_rng(0)
    n, d, reps = (200, 8, 5) if quick else (2000, 8, 10)
    v, x, p, r1, r2 = rng.random((5, n, d))
    g = rng.random(d)

    def timeit(fn) -> float:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn(v, x, p, g, 0.7, 1.5, 1.5, r1, r2)
        return (time.perf_counter() - t0) / reps

    fast, base = timeit(velocity_update), timeit(velocity_update_loop)
    return {"baseline_s": base, "fast_s": fast, "ratio": base / fast, "unit": "s per step",
            "n_particles": n, "dimensions": d}
