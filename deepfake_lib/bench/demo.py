"""Benchmarks of the demo benchmark's build."""

from __future__ import annotations

import time
from pathlib import Path
import numpy as np
from deepfake_lib import bench
from deepfake_lib.data import media
from deepfake_lib.data.manifest import load
from deepfake_lib.core.paths import data_dir
from deepfake_lib.demo.render import _rng, photo_clip
from deepfake_lib.demo.build import build
from deepfake_lib.demo.sources import detect, largest


# --------------------------------------------------------------------------- benchmark
@bench.benchmark("demo_keypoints", "demo build: keypoints carried by the known camera map vs "
                 "MTCNN on every rendered frame")
def bench_keypoints(quick: bool) -> dict:
    """Seconds per frame to get the five keypoints of a rendered pseudo-video frame: MTCNN on
    each frame (the baseline) against carrying the source's keypoints by the frame's map.
    Notebook performance, section "Ratios measured in one run"."""
    n = 8 if quick else 32
    img = media.skimage_image("astronaut")
    kp = largest(detect([img])[0])
    clip = photo_clip("astronaut", "astronaut", img, kp, n, _rng(0, "bench"))
    frames = [clip.render(t) for t in range(n)]
    detect(frames[:1])  # load the detector outside the timing
    t0 = time.perf_counter()
    found = detect(frames)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    carried = clip.out_kps()
    t_fast = max(time.perf_counter() - t0, 1e-6)
    err = [float(np.abs(largest(f) - k).max()) for f, k in zip(found, carried) if len(f)]
    return {"baseline_s": t_base, "fast_s": t_fast, "ratio": t_base / t_fast, "unit": "frames",
            "frames": n, "max_keypoint_gap_px": max(err) if err else None}


#: The build-time budget of ``--size demo`` on two cores (seconds).
BUILD_BUDGET_S = 180.0


@bench.benchmark("demo_build", "demo benchmark build time (--size demo; small with --quick) "
                 "against its 180 s budget")
def bench_build(quick: bool) -> dict:
    """Wall seconds of a fresh build into a temporary folder. MTCNN results of the source media
    are reused from the data cache when an earlier build left them (``detections_cached``).
    Notebook performance, section "Ratios measured in one run"."""
    import tempfile

    size = "small" if quick else "demo"
    cached = (data_dir() / "demo" / "detections").is_dir() and any((data_dir() / "demo" / "detections").iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = build(Path(tmp) / "demo", seed=0, size=size, force=True, verbose=False)
        seconds = time.perf_counter() - t0
        m = load(path)
        frames = sum(it["n_frames"] for it in m.items)
    return {"size": size, "seconds": seconds, "budget_s": BUILD_BUDGET_S if size == "demo" else None,
            "within_budget": bool(seconds <= BUILD_BUDGET_S) if size == "demo" else None, "videos": len(m.items), "frames": frames,
            "frames_per_s": frames / seconds, "detections_cached": bool(cached)}
