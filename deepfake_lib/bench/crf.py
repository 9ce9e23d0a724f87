"""Benchmark of the CRF head."""

from __future__ import annotations

import time

import keras
import numpy as np

from deepfake_lib import bench
from deepfake_lib.paper_c.crf import CRF, viterbi_numpy


class _Decoder(keras.Model):
    """A CRF's Viterbi decoding as a model, so ``predict_on_batch`` runs it compiled."""

    def __init__(self, crf: CRF):
        super().__init__(name="viterbi_decoder")
        self.crf = crf

    def call(self, emissions):
        return self.crf.decode(emissions)


@bench.benchmark("crf_head", "BiLSTM+CRF head frames/s (features given); batched Viterbi vs a "
                             "per-sequence NumPy loop")
def bench_crf_head(quick: bool) -> dict:
    """Frames/s of the paper-C head on given 2048-d features, and the Viterbi speed-up.

    Head: the paper's two stages (BiLSTM, then the CRF on its probabilities), batch 32
    sequences of 30 frames (paper C: 30 frames per video, batch 32); ``quick`` uses batch 8.
    Notebook C3, section "The real-time claim", measures the same head at batch 1.
    Viterbi: 512 sequences of 30 frames, 2 tags; ``ratio`` = seconds of a per-sequence
    NumPy loop / seconds of the layer's batched Viterbi (compiled by ``predict_on_batch``).
    """
    from deepfake_lib.paper_c.heads import TwoStage, build_system

    batch, n_steps, dim = (8 if quick else 32), 30, 2048
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(batch, n_steps, dim)).astype("float32")
    mask = np.ones((batch, n_steps), bool)
    model = TwoStage(build_system("bilstm", n_steps, feat_dim=dim), build_system("crf_stage", n_steps))
    model.predict_scores(feats, mask)                     # warm-up (graph tracing)
    reps = 2 if quick else 5
    t0 = time.perf_counter()
    for _ in range(reps):
        model.predict_scores(feats, mask)
    head_s = (time.perf_counter() - t0) / reps

    crf, vb = model.crf, 512
    em = rng.normal(size=(vb, n_steps, 2)).astype("float32")
    p = crf.numpy_params()
    decoder = _Decoder(crf)
    decoder.predict_on_batch(em)                          # warm-up (graph tracing)
    t0 = time.perf_counter()
    for _ in range(reps):
        decoder.predict_on_batch(em)
    fast_s = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(reps):
        for b in range(vb):
            viterbi_numpy(em[b], p["transitions"], p["start"], p["end"])
    base_s = (time.perf_counter() - t0) / reps
    return {"batch": batch, "seq_len": n_steps, "feat_dim": dim, "viterbi_batch": vb,
            "head_frames_per_s": batch * n_steps / head_s,
            "fast_s": fast_s, "baseline_s": base_s, "ratio": base_s / fast_s,
            "unit": "frames/s (head); ratio = per-sequence NumPy Viterbi / batched Viterbi"}
