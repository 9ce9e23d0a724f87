"""How fast the detector is, and what "real-time" can mean for its design.

Notebook C3, section "The real-time claim". The paper says its approach "outperforms
existing methods in real-time detection" and reports no frame rate, latency or hardware
timing. Two measurements:

- **latency of one stream** (batch 1): one video alone through the whole uncached
  pipeline (OpenCV decode of the sampled frames, MTCNN, crop, Xception, head), seconds per
  stage; and the head alone on one sequence;
- **throughput** (batch 32 sequences): frames per second of the head on given features.

And what the design implies (:func:`realtime_readings`): a BiLSTM's backward direction reads
every later frame, and the paper's 30 frames "uniformly selected" over a 10-15 s clip are
known only when the clip has been seen to its end, so a verdict comes after the clip, never
while it plays.
"""

from __future__ import annotations

import time

import numpy as np


def pipeline_latency(video_path, model, backbone, n_frames: int, crop_size: int) -> dict[str, float]:
    """Seconds per stage for one video alone (one stream, batch 1), nothing cached.

    Notebook C3, section "The real-time claim". Uses the face pipeline's own steps
    (:func:`deepfake_lib.data.video.read_frames`, ``detect_largest``, ``fill_missing``,
    ``square_crop``) without its cache, so every stage really runs; the head reads the video's
    frames as sequences of ``model.n_steps`` frames (the last one padded and masked).
    ``model`` is any system with ``predict_scores`` (a :class:`heads.TwoStage` runs both stages).

    Returns
    -------
    dict ``frames`` and ``decode_s``, ``mtcnn_crop_s``, ``xception_s``, ``head_s``, ``total_s``
    """
    from deepfake_lib.data import faces, video
    from deepfake_lib.paper_c.features import extract_features

    t0 = time.perf_counter()
    frames, _ = video.read_frames(video_path, n_frames)
    t1 = time.perf_counter()
    boxes, _ = faces.fill_missing(faces.detect_largest(frames))
    crops = np.stack([faces.square_crop(f, b, crop_size) for f, b in zip(frames, boxes)])
    t2 = time.perf_counter()
    feats = extract_features(crops, backbone)
    t3 = time.perf_counter()
    n_steps, n = model_steps(model), len(feats)
    k = -(-n // n_steps)
    f = np.zeros((k * n_steps, feats.shape[1]), "float32")
    f[:n] = feats
    m = (np.arange(k * n_steps) < n).reshape(k, n_steps)
    model.predict_scores(f.reshape(k, n_steps, -1), m, batch_size=1)
    t4 = time.perf_counter()
    return {"frames": len(frames), "decode_s": t1 - t0, "mtcnn_crop_s": t2 - t1, "xception_s": t3 - t2,
            "head_s": t4 - t3, "total_s": t4 - t0}


def model_steps(model) -> int:
    """Sequence length ``T`` of a system (a two-stage one: its BiLSTM's). Notebook C3,
    section "The real-time claim"."""
    return getattr(model, "n_steps", None) or model.bilstm.n_steps


def head_speed(model, feat_dim: int, batch: int = 32, repeats: int = 3, seed: int = 0) -> dict[str, float]:
    """Head alone on random features: seconds per sequence at batch 1 (latency of one stream)
    and frames per second at batch ``batch`` (throughput), warm (after one untimed call).

    Notebook C3, section "The real-time claim".
    """
    rng = np.random.default_rng(seed)
    n_steps = model_steps(model)
    f = rng.normal(size=(batch, n_steps, feat_dim)).astype("float32")
    m = np.ones((batch, n_steps), bool)
    out = {}
    for name, b in (("batch1", 1), (f"batch{batch}", batch)):
        model.predict_scores(f[:b], m[:b], batch_size=b)
        t0 = time.perf_counter()
        for _ in range(repeats):
            model.predict_scores(f[:b], m[:b], batch_size=b)
        dt = (time.perf_counter() - t0) / repeats
        out[f"{name}_s_per_call"] = dt
        out[f"{name}_frames_per_s"] = b * n_steps / dt
    return out


def realtime_readings(latency: dict[str, float], frames_per_video: int, clip_seconds: tuple[float, float],
                      margin: float = 1.5) -> dict:
    """Both readings of "real-time" for a detector that reads ``frames_per_video`` frames
    sampled uniformly over a clip of ``clip_seconds`` (the paper: 30 frames, 10-15 s).

    Notebook C3, section "The real-time claim".

    - **keeps up** (throughput): one clip is classified in less time than the shortest clip
      lasts, so a stream of clips never falls behind. The seconds per clip are this
      machine's measured per-frame cost of decode, MTCNN and Xception times
      ``frames_per_video``, plus the head. True when they are below the clip's length by the
      factor ``margin``, False when above it by that factor, None in between (one timing on a
      shared machine).
    - **while it plays** (streaming): a verdict before the clip has ended. The last sampled
      frame sits at :math:`(1 - 1/2T)` of the clip (notebook C1, "Frame sampling") and the
      backward LSTM needs it: the earliest verdict comes after that much of the clip, so this
      reading fails by design, whatever the speed.

    Returns
    -------
    dict ``keeps_up`` and ``while_it_plays`` (True / False / None), ``holds`` (their common
    verdict, None when they differ), ``clip_seen_before_verdict_s`` (seconds of the shortest
    clip that must have played), ``why``; and ``timing`` (``seconds_per_clip``, machine-dependent:
    keep it out of a results file's values).
    """
    per_frame = (latency["decode_s"] + latency["mtcnn_crop_s"] + latency["xception_s"]) / latency["frames"]
    per_clip = per_frame * frames_per_video + latency["head_s"]
    shortest = float(min(clip_seconds))
    keeps_up = True if per_clip * margin <= shortest else (False if per_clip >= margin * shortest else None)
    wait = (1 - 1 / (2 * frames_per_video)) * shortest
    return {"keeps_up": keeps_up, "while_it_plays": False, "holds": keeps_up if keeps_up is False else None,
            "clip_seen_before_verdict_s": wait,
            "why": f"the last of {frames_per_video} uniformly sampled frames comes {wait:.2f} s into a "
                   f"{shortest:g} s clip, and the backward LSTM needs it",
            "timing": {"seconds_per_clip": per_clip}}


def machine_free_verdict(readings: dict) -> bool | None:
    """The verdict on the real-time claim that a results file carries, from the readings of
    :func:`realtime_readings` that do not depend on this machine (a results file is the same
    for the same seed; timings are not). The claim holds if some reading holds and fails
    only if every reading fails. "While it plays" is decided by design; "keeps up" only by
    a timing, kept under the run's ``timing`` and printed beside it. So: True when the
    design reading holds, else None (it fails, and the other reading is a timing).
    Notebook C3, section "The real-time claim"."""
    return True if readings["while_it_plays"] is True else None
