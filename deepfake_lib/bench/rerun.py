"""What a full-scale rerun costs: fits per notebook, and GPU-hours per fit from a scaled run.

Notebook performance, section "What a full-scale rerun costs"; the rerun page quotes it.

For each training notebook, the fits the ``full`` profile asks for are counted from its
parameters the way the notebook runs them (A3: every distinct configuration of its
ablations, transfer runs included, for every seed; B2: one fit per particle and PSO
iteration plus the final fit; B3: one per seed; C2: one head; C3: three systems per split
kind and seed, plus one per temporal kernel). The cost of one fit is estimated from a
*scaled run*: each model is built at the full profile's input size and trained for a few
batches on this machine, which gives seconds per training sample here; a fit's samples
(dataset size x share of the training split x crops or clips per item) times its epochs
give CPU-hours per fit. The same model's forward FLOPs, counted by TensorFlow's profiler,
times 3 (forward and backward) give the FLOPs of a fit; its GPU time is those FLOPs at an
assumed sustained :data:`GPU_TFLOPS` plus an assumed :data:`GPU_STEP_S` per training step
(what a small model costs a GPU however few its FLOPs: Keras' dispatch of each step). The
scaled run also gives the rate this CPU reached, beside it. Xception's feature pass (C2,
cached for C3) is one forward pass over every frame.

Every figure is an estimate: the datasets' sizes are their published ones
(:data:`DATASETS`), the share of the training split is the adapters' 0.7, and the assumed
GPU rate fits fp32 Keras training of mid-sized convolutional networks on a current
data-centre GPU (about half an A100's fp32 peak; count about three times as long on a T4).
Recurrent and CRF heads reach a smaller share of a GPU's peak than convolutions: their
GPU figure is a lower bound.
"""

from __future__ import annotations

import time

import numpy as np

from deepfake_lib import bench

#: Sustained fp32 throughput assumed for one GPU, TFLOP/s.
GPU_TFLOPS = 10.0
#: Seconds a GPU is assumed to spend per training step beyond its FLOPs (dispatch).
GPU_STEP_S = 0.01
#: Share of a dataset in the training split (the adapters' split of groups).
TRAIN_SHARE = 0.7
#: Published sizes of the datasets each paper trains on: (name, videos).
DATASETS = {"A3_training": ("DFDC", 119_154), "B2_cnn_rnn": ("Celeb-DF v2", 6_229),
            "B3_results": ("Celeb-DF v2", 6_229), "C2_model": ("FaceForensics++ c23", 5_000),
            "C3_evaluation": ("FaceForensics++ c23", 5_000)}


def full_params(name: str) -> dict:
    """A notebook's parameters under the ``full`` profile (defaults, then the profile).
    Notebook performance, section "What a full-scale rerun costs"."""
    import yaml

    from deepfake_lib.book import notebook_params
    from deepfake_lib.core.paths import notebooks_dir

    table = yaml.safe_load((notebooks_dir() / "profiles" / "full.yaml").read_text()) or {}
    return {**notebook_params.parameters(notebooks_dir() / f"{name}.py"),
            **(table.get(name) or {})}


def _a3_fits(p: dict, n_train: int) -> dict[tuple[str, int, str, int], int]:
    """Fits per (model, batch size, LSTM reading, epochs) of the units A3 runs (its
    :func:`~deepfake_lib.paper_a.ablations.plan` and
    :func:`~deepfake_lib.paper_a.ablations.units`, LSTM readings and transfer budgets
    included); a transferred unit also counts the model0 fit it starts from."""
    from deepfake_lib.paper_a import ablations as abl

    runs = abl.plan([a for a in p["ablations"] if a != "cross"], p["batch_sizes"],
                    p["dropouts"], p["batch_size"], p["dropout"], reading=p["reading"],
                    n_train=n_train, compare_readings=p["compare_readings"],
                    budgets=p["transfer_budgets"])
    out: dict[tuple[str, int, str, int], int] = {}
    for u in abl.units(runs, n_train, epochs=p["epochs"], seeds=p["seeds"]):
        fits = [(u["model"], u["epochs"])]
        if u.get("source_epochs"):
            fits.append((u["source_model"], u["source_epochs"]))
        for model, epochs in fits:
            key = (model, u["batch_size"], u["reading"], epochs)
            out[key] = out.get(key, 0) + 1
    return out


def fit_plan(name: str, p: dict) -> list[dict]:
    """The fits of notebook ``name`` with parameters ``p``: one dict per kind of fit with
    ``kind``, ``count``, ``epochs``, ``samples`` (per epoch), ``batch`` and ``model`` (what
    :func:`_model` builds). Notebook performance, section "What a full-scale rerun costs"."""
    videos = DATASETS[name][1]
    train = TRAIN_SHARE * videos
    if name == "A3_training":
        n = int(train * p["per_video"])
        return [{"kind": f"{m} ({r}), batch {b}, {p['image_size']} px", "count": c,
                 "epochs": e, "samples": n, "batch": b, "model": ("A", m, p["image_size"], r)}
                for (m, b, r, e), c in sorted(_a3_fits(p, n).items())]
    if name in ("B2_cnn_rnn", "B3_results"):
        clips = int(train * (p["n_frames"] // p["frames_per_clip"]) * (1 + p["n_augment"]))
        model = ("B", p["frames_per_clip"], p["size"])
        common = {"samples": clips, "batch": p["batch_size"], "model": model}
        if name == "B3_results":
            return [{"kind": "run", "count": len(p["seeds"]), "epochs": p["epochs"], **common}]
        return [{"kind": "PSO fitness", "count": p["swarm"] * p["pso_iters"],
                 "epochs": p["pso_epochs"], **common},
                {"kind": "final", "count": 1, "epochs": p["epochs"], **common}]
    head = {"samples": int(train), "batch": 32, "model": ("C", p["n_frames"])}
    if name == "C2_model":
        return [{"kind": "Xception features (forward only)", "count": 1, "epochs": 1,
                 "samples": videos * p["n_frames"], "batch": 32,
                 "model": ("X", p["input_size"])},
                {"kind": "BiLSTM-CRF head", "count": 1, "epochs": p["epochs"], **head}]
    systems = len(p["split_kinds"]) * len(p["seeds"]) * 3
    return [{"kind": "three systems x splits x seeds", "count": systems,
             "epochs": p["epochs"], **head},
            {"kind": "temporal kernels", "count": len(p["kernel_sizes"]),
             "epochs": p["epochs"], **head}]


def _model(spec: tuple):
    """(keras model, one sample's input shape, forward only) for a fit's ``model`` spec."""
    if spec[0] == "A":
        from deepfake_lib.paper_a.models import build_model
        from deepfake_lib.paper_a.training import compile_model

        model = build_model(spec[1], reading=spec[3], image_size=spec[2])
        return compile_model(model), (spec[2], spec[2], 3), False
    if spec[0] == "B":
        from deepfake_lib.paper_b.cnn_rnn import build_model, decode, space_bounds

        hp = decode(np.mean(space_bounds(), axis=0))  # the middle of the search space
        return build_model(spec[1], spec[2], **hp), (spec[1], spec[2], spec[2], 3), False
    if spec[0] == "X":
        from deepfake_lib.paper_c.features import xception_backbone

        return xception_backbone(spec[1]), (spec[1], spec[1], 3), True
    from deepfake_lib.paper_c.heads import FEAT_DIM, build_system

    # The BiLSTM and the CRF in one model: what the two stages of ``bilstm_crf`` train, and
    # an upper bound for the plain BiLSTM and the Xception-only head.
    return build_system("bilstm_crf_e2e", spec[1]), (spec[1], FEAT_DIM), False


def forward_flops(model, shape: tuple) -> int:
    """Floating-point operations of one forward pass of one sample of ``shape``, counted by
    TensorFlow's profiler on the frozen graph (loops counted once: a lower bound for
    recurrent layers). Notebook performance, section "What a full-scale rerun costs"."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    if len(shape) == 2:  # the temporal heads take (features, mask)
        spec = (tf.TensorSpec((1, *shape), tf.float32), tf.TensorSpec((1, shape[0]), tf.float32))
        fn = tf.function(lambda x, m: model((x, m), training=False))
    else:
        spec = (tf.TensorSpec((1, *shape), tf.float32),)
        fn = tf.function(lambda x: model(x, training=False))
    graph = convert_variables_to_constants_v2(fn.get_concrete_function(*spec)).graph
    opts = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    prof = tf.compat.v1.profiler.profile(graph=graph, run_meta=tf.compat.v1.RunMetadata(),
                                         cmd="op", options=opts)
    return int(prof.total_float_ops)


def seconds_per_sample(model, shape: tuple, forward_only: bool, batch: int = 4,
                       reps: int = 2) -> float:
    """Seconds per sample of training (or, ``forward_only``, inference) on this machine:
    the median of ``reps`` batches after one to warm up.
    Notebook performance, section "What a full-scale rerun costs"."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (batch, *shape)).astype("float32")
    if len(shape) == 2:
        args = ((x, np.ones((batch, shape[0]), "float32")), rng.integers(0, 2, (batch, shape[0])))
    else:
        args = (x, rng.integers(0, 2, (batch, 1)).astype("float32"))
    times = []
    for _ in range(reps + 1):
        t0 = time.perf_counter()
        if forward_only:
            model.predict(x, batch_size=batch, verbose=0)
        else:
            model.train_on_batch(*args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times[1:])) / batch


@bench.benchmark("rerun_estimate", "Full-scale reruns: fits per notebook and GPU-hours per "
                 "fit, estimated from a scaled run on this machine")
def bench_rerun(quick: bool) -> dict:
    """Fits and GPU-hours per notebook at the ``full`` profile (module docstring).
    Notebook performance, section "What a full-scale rerun costs"."""
    import keras

    t0 = time.perf_counter()
    measured: dict = {}
    rows = {}
    for name in DATASETS:
        kinds = []
        for fit in fit_plan(name, full_params(name)):
            spec = fit["model"]
            if spec not in measured:
                keras.backend.clear_session()
                model, shape, fwd = _model(spec)
                measured[spec] = (forward_flops(model, shape),
                                  seconds_per_sample(model, shape, fwd, reps=1 if quick else 2),
                                  fwd)
            flops, sec, fwd = measured[spec]
            work = fit["samples"] * fit["epochs"]
            fit_flops = flops * (1 if fwd else 3) * work
            steps = -(-fit["samples"] // fit["batch"]) * fit["epochs"]
            gpu_s = fit_flops / (GPU_TFLOPS * 1e12) + steps * GPU_STEP_S
            kinds.append({**{k: fit[k] for k in ("kind", "count", "epochs", "samples", "batch")},
                          "gflops_per_sample": round(flops / 1e9, 4),
                          "cpu_hours_per_fit": round(sec * work / 3600, 3),
                          "cpu_gflops_here": round(fit_flops / (sec * work) / 1e9, 2),
                          "steps": steps, "gpu_hours_per_fit": round(gpu_s / 3600, 4)})
        rows[name] = {"dataset": DATASETS[name][0], "fits": sum(k["count"] for k in kinds),
                      "gpu_hours": round(sum(k["count"] * k["gpu_hours_per_fit"] for k in kinds), 3),
                      "kinds": kinds}
    return {"seconds": time.perf_counter() - t0, "gpu_tflops_assumed": GPU_TFLOPS,
            "gpu_step_s_assumed": GPU_STEP_S, "train_share": TRAIN_SHARE, "notebooks": rows}
