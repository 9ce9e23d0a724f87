"""Benchmark of paper A's training step."""

from __future__ import annotations

import numpy as np
from deepfake_lib import bench
from deepfake_lib.paper_a.models import PAPER_IMAGE_SIZE, _keras, build_model
from deepfake_lib.paper_a.training import _COMPILED, compile_model, fresh_model


# ---------------------------------------------------------------- benchmark (performance page)
@bench.benchmark("train_step", "paper A model2 training step: eager vs compiled graph; the graph "
                               "reuse of fresh_model; LSTM after each layer vs each block")
def bench_train_step(quick: bool) -> dict:
    """Paper A's model2 (``after_block``) training step: compiled graph vs eager, and the graph
    reuse of :func:`fresh_model`; the cost of the literal reading ``after_layer``.

    128 x 128 images, batch 32 (``quick``: 64 px, batch 16). ``ratio`` = seconds of a steady
    eager step / seconds of a steady compiled step. ``*_overhead_s`` is what building the model
    (and, compiled, tracing its graph) adds to the first step; ``break_even_steps`` how many
    steps a fit needs before compiling pays off; ``reuse_ratio`` the first-step time of a newly
    compiled model over that of a reused one (what :func:`fresh_model` saves per run);
    ``after_layer_ratio`` the seconds of a steady compiled step with an LSTM after each of
    the 15 convolutions over those with one after each block (notebook A3, section "Where
    the LSTM sits", says why the demo profile does not train it). Performance page.
    """
    import time

    keras = _keras()
    size, batch, reps = (64, 16, 2) if quick else (PAPER_IMAGE_SIZE, 32, 4)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    y = rng.integers(0, 2, batch).astype("float32")

    def steps(net, n):
        t0 = time.perf_counter()
        for _ in range(n):
            net.train_on_batch(X, y)
        return (time.perf_counter() - t0) / n

    def first(make):
        t0 = time.perf_counter()
        net = make()
        steps(net, 1)
        return net, time.perf_counter() - t0

    _COMPILED.clear()
    net, compiled_first = first(lambda: fresh_model("model2", "after_block", size, 0.0, 1e-4, seed=0))
    compiled_s = steps(net, reps)
    _, reuse_first = first(lambda: fresh_model("model2", "after_block", size, 0.0, 1e-4, seed=1))

    def eager_model():
        m = compile_model(build_model("model2", "after_block", image_size=size))
        m.run_eagerly = True
        return m

    eager, eager_first = first(eager_model)
    eager_s = steps(eager, reps)
    layer_net, _ = first(lambda: fresh_model("model2", "after_layer", size, 0.0, 1e-4, seed=0))
    layer_s = steps(layer_net, reps)
    _COMPILED.clear()
    keras.backend.clear_session()
    overhead_c, overhead_e = max(compiled_first - compiled_s, 0.0), max(eager_first - eager_s, 0.0)
    gain = eager_s - compiled_s
    return {"image_size": size, "batch": batch, "fast_s": compiled_s, "baseline_s": eager_s,
            "ratio": eager_s / compiled_s, "images_per_s": batch / compiled_s,
            "compiled_overhead_s": overhead_c, "eager_overhead_s": overhead_e,
            "break_even_steps": (overhead_c - overhead_e) / gain if gain > 0 else None,
            "reuse_ratio": compiled_first / reuse_first, "after_layer_s": layer_s,
            "after_layer_ratio": layer_s / compiled_s, "unit": "s per step"}
