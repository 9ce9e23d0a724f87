r"""Paper B's CNN-RNN: 1-second clips, a per-frame CNN, an LSTM, a sigmoid, tuned by PSO.

Preprocessing (paper B, section 4.2.1; notebook B2, "Preprocessing"), in the order applied:

1. **1-second clips** (:func:`clip_windows`, :func:`make_clips`): a video's sampled frames are
   grouped by the 1-s window of the source video they come from (frame index / fps), and each
   window with at least ``frames_per_clip`` usable frames gives one clip of that many frames,
   evenly spaced inside the window. A clip keeps its video's label, split and id, so splits
   stay video-disjoint.
2. **resize** to ``size`` x ``size`` (paper: 256; a parameter) -- done by the face pipeline
   (:func:`deepfake_lib.faces.load_sequences`), :func:`resize` for other inputs.
3. **denoising** (:func:`denoise`): OpenCV's non-local means,
   ``cv2.fastNlMeansDenoisingColored``, frame by frame (the paper names no method).
4. **augmentation** (:func:`augment`), training clips only: one random colour (per-channel
   gain), brightness (offset) and contrast (scale about the mean) change per clip, the same
   for all its frames.
5. **z-score per clip** (:func:`zscore`): subtract the clip's mean pixel value and divide by its
   standard deviation, as the paper writes. Note that this undoes any clip-wide brightness or
   contrast change exactly; only the per-channel colour part of step 4 survives it (notebook
   B2 measures this).
6. **SMOTE** (:func:`smote`), training clips only: imbalanced-learn's ``SMOTE`` on the
   *flattened z-scored clips*. The network is trained end to end on pixels, so a synthetic
   sample must be a clip it can read; SMOTE on a pooled or learned representation would give
   vectors the CNN cannot take. The synthetic clips are cross-fades of two same-class clips
   (double exposures), a known weakness of SMOTE on images; memory grows as
   ``n_clips * T * S * S * 3`` floats.

Not implemented, with the reason (notebook B2 lists them): video stabilisation (no method or
parameters given; face crops already remove most camera motion), audio (the model has no
audio input and the paper does not say how audio enters it), "inter-frame and
spatial-temporal analysis" (not defined beyond the LSTM itself), video compression (a
storage step, not a feature step), pre-training on "a large dataset" (none named).

Model (sections 4.2.4-4.2.5; :func:`build_model`): a CNN applied to every frame
(``TimeDistributed``: ``L`` same-padded convolutions of ``N`` filters, kernel ``k``, stride
``s``, activation ``A``, then global max pooling, the paper's pooling
:math:`f(x, y) = \max`), ``R`` stacked LSTMs of ``M`` units with activation ``B``, dropout
and one sigmoid unit (fake probability). PSO tunes ``N`` (16-64), ``k`` (3-6), ``s`` (2-4)
as the paper states, and the feasible items of its list L, A, R, M, B
(:data:`SEARCH_SPACE`); fitness is validation accuracy (:func:`make_fitness`), never test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

#: Activation names that the integer PSO dimensions ``A`` and ``B`` index.
CNN_ACTIVATIONS = ("relu", "elu", "tanh")
RNN_ACTIVATIONS = ("tanh", "relu")


@dataclass(frozen=True)
class Dim:
    """One PSO dimension: name, bounds, and (for categorical ones) the choices it indexes."""
    name: str
    low: float
    high: float
    choices: tuple = ()


#: The search space of notebook B2: the paper's three CNN ranges (section 5) and the feasible
#: items of its L, N, A, R, M, B list (section 4.2.2). All integer.
SEARCH_SPACE = (
    Dim("filters", 16, 64),            # N, paper: 16-64
    Dim("kernel", 3, 6),               # paper: 3-6
    Dim("stride", 2, 4),               # paper: 2-4
    Dim("conv_layers", 1, 3),          # L
    Dim("cnn_activation", 0, len(CNN_ACTIVATIONS) - 1, CNN_ACTIVATIONS),   # A
    Dim("rnn_layers", 1, 2),           # R
    Dim("rnn_units", 16, 64),          # M
    Dim("rnn_activation", 0, len(RNN_ACTIVATIONS) - 1, RNN_ACTIVATIONS),   # B
)


def space_bounds(space=SEARCH_SPACE) -> tuple[np.ndarray, np.ndarray]:
    """``(lower [d], upper [d])`` of a search space, for :func:`deepfake_lib.pso.minimize`.
    Integer dims get +-0.49 so that rounding reaches both ends with fair probability."""
    lo = np.array([d.low for d in space], dtype=float) - 0.49
    hi = np.array([d.high for d in space], dtype=float) + 0.49
    return lo, hi


def decode(x, space=SEARCH_SPACE) -> dict:
    """A position ``x`` [d] -> hyperparameters ``{name: int or activation name}``."""
    out = {}
    for v, d in zip(np.asarray(x, dtype=float), space):
        i = int(np.clip(np.rint(v), d.low, d.high))
        out[d.name] = d.choices[i] if d.choices else i
    return out


# ----------------------------------------------------------------------------- preprocessing
def clip_windows(frame_idx: np.ndarray, valid: np.ndarray, fps: float, frames_per_clip: int,
                 clip_seconds: float = 1.0, n_total: int | None = None) -> list[np.ndarray]:
    """Group sampled frames into 1-second clips (notebook B2, "Preprocessing").

    Parameters
    ----------
    frame_idx : ndarray [T] of int
        Source-video frame index of each sampled frame.
    valid : ndarray [T] of bool
        Frames that hold a face crop (``mask`` of the face pipeline).
    fps : float
        Frame rate of the source video.
    frames_per_clip : int
        Frames kept per clip, evenly spaced inside the window.
    clip_seconds : float
        Window length (paper: 1 s).
    n_total : int, optional
        Frames in the source video. If given, a trailing window cut short by the end of the
        video is dropped, unless the video is shorter than one window (then its one window
        is kept).

    Returns
    -------
    list of ndarray [frames_per_clip]
        Positions (into the ``T`` sampled frames) of each clip's frames, one entry per window
        that holds at least ``frames_per_clip`` valid frames.
    """
    pos = np.flatnonzero(np.asarray(valid, dtype=bool))
    window = np.floor(np.asarray(frame_idx)[pos] / (fps * clip_seconds)).astype(int)
    keep = np.unique(window)
    if n_total is not None:
        full = keep[(keep + 1) * fps * clip_seconds <= n_total + 1e-9]
        keep = full if full.size else keep[:1]
    clips = []
    for w in keep:
        p = pos[window == w]
        if p.size >= frames_per_clip:
            clips.append(p[np.linspace(0, p.size - 1, frames_per_clip).round().astype(int)])
    return clips


@dataclass
class ClipSet:
    """Clips of ``frames_per_clip`` frames: ``X`` [C, T, S, S, 3] (uint8 or float32), ``y``
    [C], ``video`` [C] (id of the source video), ``splits`` [C], ``methods`` [C]."""
    X: np.ndarray
    y: np.ndarray
    video: np.ndarray
    splits: np.ndarray
    methods: np.ndarray
    meta: dict = field(default_factory=dict)

    def take(self, sel) -> "ClipSet":
        """The clips selected by a boolean mask or index array."""
        return ClipSet(self.X[sel], self.y[sel], self.video[sel], self.splits[sel],
                       self.methods[sel], dict(self.meta))

    def split(self, name: str) -> "ClipSet":
        return self.take(self.splits == name)


def make_clips(seqs, frame_idx: list[np.ndarray], fps: list[float], frames_per_clip: int,
               clip_seconds: float = 1.0, n_total: list[int] | None = None) -> ClipSet:
    """1-second clips of every video of a :class:`deepfake_lib.faces.SequenceSet`.

    ``frame_idx[v]`` [T] are the source indices of video ``v``'s sampled frames, ``fps[v]``
    its frame rate and ``n_total[v]`` its length in frames (all from the manifest, see
    :func:`frame_positions`).
    """
    X, y, vid, sp, me = [], [], [], [], []
    for v in range(len(seqs.y)):
        nt = None if n_total is None else n_total[v]
        for p in clip_windows(frame_idx[v], seqs.mask[v], fps[v], frames_per_clip, clip_seconds, nt):
            X.append(seqs.X[v, p])
            y.append(seqs.y[v])
            vid.append(seqs.ids[v])
            sp.append(seqs.splits[v])
            me.append(seqs.methods[v])
    shape = (0, frames_per_clip) + tuple(seqs.X.shape[2:])
    return ClipSet(np.stack(X) if X else np.zeros(shape, np.uint8), np.array(y, dtype=np.int64),
                   np.array(vid, dtype=str), np.array(sp, dtype=str), np.array(me, dtype=str),
                   {"frames_per_clip": frames_per_clip, "clip_seconds": clip_seconds})


def frame_positions(manifest_path, ids, n_frames: int) -> tuple[list[np.ndarray], list[float], list[int]]:
    """Source frame index of each of the ``n_frames`` sampled frames, the frame rate and the
    length in frames of the manifest items ``ids`` (as :func:`deepfake_lib.faces.load_sequences`
    sampled them): ``(frame_idx [V] of [n_frames], fps [V], n_total [V])``."""
    from . import manifest
    from .faces import sample_indices

    items = {str(it["id"]): it for it in manifest.load(manifest_path).items}
    idx, fps, totals = [], [], []
    for i in ids:
        it = items[str(i)]
        n_total = int(it.get("n_frames") or n_frames)
        f = np.full(n_frames, -1, dtype=np.int64)
        s = sample_indices(n_total, n_frames)
        f[:s.size] = s
        idx.append(f)
        fps.append(float(it.get("fps") or 25.0))
        totals.append(n_total)
    return idx, fps, totals


def resize(X: np.ndarray, size: int) -> np.ndarray:
    """Frames ``X`` [..., H, W, 3] resized to [..., size, size, 3] (OpenCV, area filter)."""
    import cv2

    flat = X.reshape((-1,) + X.shape[-3:])
    out = np.stack([cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA) for f in flat])
    return out.reshape(X.shape[:-3] + (size, size, 3))


def denoise(X: np.ndarray, h: float = 5.0) -> np.ndarray:
    """Non-local means denoising of uint8 frames ``X`` [..., S, S, 3], frame by frame
    (``cv2.fastNlMeansDenoisingColored``, filter strength ``h``, 3 x 3 patches, 9 x 9 search)."""
    import cv2

    flat = np.ascontiguousarray(X.reshape((-1,) + X.shape[-3:]))
    out = np.stack([cv2.fastNlMeansDenoisingColored(f, None, h, h, 3, 9) for f in flat])
    return out.reshape(X.shape)


def augment(X: np.ndarray, rng: np.random.Generator, colour: float = 0.1,
            brightness: float = 0.15, contrast: float = 0.2) -> np.ndarray:
    """Random colour, brightness and contrast change per clip, the same for all its frames.

    ``X`` uint8 [C, T, S, S, 3] -> uint8 [C, T, S, S, 3]. For each clip: per-channel gains in
    ``1 +- colour``, an offset of ``+- brightness * 255``, and a contrast factor in
    ``1 +- contrast`` about the clip's mean.
    """
    C = X.shape[0]
    shape = (C,) + (1,) * (X.ndim - 2) + (3,)
    gain = rng.uniform(1 - colour, 1 + colour, shape)
    shift = rng.uniform(-brightness, brightness, (C,) + (1,) * (X.ndim - 1)) * 255
    k = rng.uniform(1 - contrast, 1 + contrast, (C,) + (1,) * (X.ndim - 1))
    Z = X.astype(np.float32) * gain
    mean = Z.mean(axis=tuple(range(1, X.ndim)), keepdims=True)
    Z = (Z - mean) * k + mean + shift
    return np.clip(Z, 0, 255).round().astype(np.uint8)


def zscore(X: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Per-clip z-score: ``(X - mean) / sd`` over all pixels of each clip (paper B, 4.2.1).
    ``X`` [C, T, S, S, 3] -> float32, same shape."""
    X = X.astype(np.float32)
    axes = tuple(range(1, X.ndim))
    return (X - X.mean(axes, keepdims=True)) / (X.std(axes, keepdims=True) + eps)


def smote(X: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Balance classes with SMOTE on the flattened clips (module docstring says why).

    ``X`` float [C, T, S, S, 3], ``y`` [C] -> ``(X' [C', ...], y' [C'], n_synthetic)``; the
    originals come first. With one class, or a minority of one clip, nothing is added.
    """
    from imblearn.over_sampling import SMOTE

    counts = np.bincount(y, minlength=2)
    if counts.min() < 2 or counts[0] == counts[1]:
        return X, y, 0
    sm = SMOTE(k_neighbors=int(min(5, counts.min() - 1)), random_state=seed)
    Xr, yr = sm.fit_resample(X.reshape(len(X), -1), y)
    return Xr.reshape((-1,) + X.shape[1:]).astype(np.float32), yr.astype(np.int64), len(yr) - len(y)


def prepare(clips: ClipSet, train: bool, *, seed: int = 0, denoise_h: float | None = 5.0,
            n_augment: int = 1, use_smote: bool = True) -> tuple[np.ndarray, np.ndarray, dict]:
    """The whole preprocessing of the module docstring for one split.

    Training clips (``train=True``) get ``n_augment`` augmented copies each and SMOTE; other
    splits only denoising and z-score. Returns ``(X float32 [C', T, S, S, 3], y [C'], info)``
    with ``info`` = counts before/after each step.
    """
    rng = np.random.default_rng(seed)
    X, y = clips.X, clips.y
    info = {"clips": int(len(y)), "real": int((y == 0).sum()), "fake": int((y == 1).sum())}
    if denoise_h:
        X = denoise(X, denoise_h)
    if train and n_augment:
        X = np.concatenate([X] + [augment(X, rng) for _ in range(n_augment)])
        y = np.concatenate([y] * (n_augment + 1))
        info["after_augment"] = int(len(y))
    X = zscore(X)
    if train and use_smote:
        X, y, n_syn = smote(X, y, seed)
        info["smote_synthetic"] = int(n_syn)
    info["final"] = int(len(y))
    return X, y, info


# ----------------------------------------------------------------------------- model
def build_model(frames: int, size: int, *, filters: int = 32, kernel: int = 3, stride: int = 2,
                conv_layers: int = 2, cnn_activation: str = "relu", rnn_layers: int = 1,
                rnn_units: int = 32, rnn_activation: str = "tanh", dropout: float = 0.4,
                lr: float = 0.01, run_eagerly: bool = False, name: str = "cnn_rnn"):
    """The CNN-RNN of paper B, sections 4.2.4-4.2.5 (notebook B2, "Model").

    Input [batch, frames, size, size, 3] (z-scored clips) -> fake probability [batch, 1].
    ``TimeDistributed`` CNN (``conv_layers`` x Conv2D(filters, kernel, stride, same padding,
    ``cnn_activation``), global max pooling) -> dropout -> ``rnn_layers`` x LSTM(rnn_units,
    ``rnn_activation``) -> dropout -> Dense(1, sigmoid). Compiled with Adam(``lr``) and binary
    cross-entropy (the paper names neither; Adam is our choice). ``run_eagerly`` skips graph
    tracing, several times faster for the tiny trainings of the smoke profile.
    """
    import keras
    from keras import layers

    cnn = keras.Sequential(name="frame_cnn")
    cnn.add(keras.Input((size, size, 3)))
    for i in range(conv_layers):
        cnn.add(layers.Conv2D(filters, kernel, strides=stride, padding="same",
                              activation=cnn_activation, name=f"conv{i + 1}"))
    cnn.add(layers.GlobalMaxPooling2D(name="max_pool"))
    inp = keras.Input((frames, size, size, 3), name="clip")
    h = layers.TimeDistributed(cnn, name="per_frame_cnn")(inp)
    h = layers.Dropout(dropout, name="dropout_cnn")(h)
    for i in range(rnn_layers):
        h = layers.LSTM(rnn_units, activation=rnn_activation, return_sequences=i < rnn_layers - 1,
                        name=f"lstm{i + 1}")(h)
    h = layers.Dropout(dropout, name="dropout_rnn")(h)
    out = layers.Dense(1, activation="sigmoid", name="fake_prob")(h)
    model = keras.Model(inp, out, name=name)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy",
                  metrics=["accuracy"], run_eagerly=run_eagerly)
    return model


def predict_proba(model, X: np.ndarray, batch_size: int = 128) -> np.ndarray:
    """Fake probabilities [C] of clips ``X`` [C, T, S, S, 3] (direct calls, no tracing)."""
    if not len(X):
        return np.zeros(0)
    return np.concatenate([np.asarray(model(X[i:i + batch_size], training=False)).ravel()
                           for i in range(0, len(X), batch_size)])


def fit(hp: dict, X, y, *, epochs: int, batch_size: int, dropout: float = 0.4, lr: float = 0.01,
        seed: int = 0, run_eagerly: bool = False):
    """A fresh :func:`build_model` with hyperparameters ``hp``, weights seeded by ``seed``,
    trained on clips ``X`` [C, T, S, S, 3], labels ``y`` [C]."""
    import keras

    keras.utils.set_random_seed(seed)
    model = build_model(X.shape[1], X.shape[2], dropout=dropout, lr=lr, run_eagerly=run_eagerly,
                        **hp)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    return model


def fit_evaluate(hp: dict, X_train, y_train, X_val, y_val, *, epochs: int, batch_size: int,
                 dropout: float = 0.4, lr: float = 0.01, seed: int = 0,
                 run_eagerly: bool = False) -> tuple[float, object]:
    """Train a fresh :func:`build_model` with hyperparameters ``hp`` and return
    ``(validation accuracy, model)``; the weights are seeded by ``seed``."""
    model = fit(hp, X_train, y_train, epochs=epochs, batch_size=batch_size, dropout=dropout,
                lr=lr, seed=seed, run_eagerly=run_eagerly)
    p = predict_proba(model, X_val)
    return float(((p > 0.5).astype(int) == y_val).mean()), model


def make_fitness(X_train, y_train, X_val, y_val, *, epochs: int, batch_size: int,
                 space=SEARCH_SPACE, seed: int = 0, log: list | None = None,
                 run_eagerly: bool = False):
    """PSO objective ``f(X [m, d]) -> costs [m]``, cost = 1 - validation accuracy.

    Each row is decoded (:func:`decode`), trained from the same seed, and scored on the
    *validation* clips; ``log`` (if given) receives one dict per training run with the
    hyperparameters, accuracy and seconds (notebook B2, "PSO over the CNN-RNN").
    """
    def f(P):
        costs = []
        for x in np.atleast_2d(P):
            hp = decode(x, space)
            t0 = time.perf_counter()
            acc, _ = fit_evaluate(hp, X_train, y_train, X_val, y_val, epochs=epochs,
                                  batch_size=batch_size, seed=seed, run_eagerly=run_eagerly)
            if log is not None:
                log.append({**hp, "val_accuracy": acc, "seconds": time.perf_counter() - t0})
            costs.append(1.0 - acc)
        return np.array(costs)

    return f


def predict_videos(model, X: np.ndarray, video: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clip probabilities [C] averaged per video; returns ``(video ids [V], p_fake [V])``
    (the paper's tables count videos)."""
    p = predict_proba(model, X)
    ids = np.unique(video)
    return ids, np.array([p[video == v].mean() for v in ids])


def train_and_test(clips: ClipSet, hp: dict, *, seed: int, epochs: int, batch_size: int,
                   dropout: float = 0.4, lr: float = 0.01, denoise_h: float | None = 5.0,
                   n_augment: int = 1, use_smote: bool = True, run_eagerly: bool = False) -> dict:
    """One run of notebooks B2/B3: preprocess the train split (seeded augmentation and SMOTE),
    train :func:`build_model` with ``hp`` from ``seed``, and score the test split.

    Returns ``{"model", "clip": metrics, "video": metrics, "prep": counts}`` where the
    metrics are :func:`deepfake_lib.metrics.binary_metrics` plus AUC at threshold 0.5, per
    clip and per video (clip probabilities averaged).
    """
    from .metrics import binary_metrics, score_metrics

    Xtr, ytr, prep = prepare(clips.split("train"), True, seed=seed, denoise_h=denoise_h,
                             n_augment=n_augment, use_smote=use_smote)
    test = clips.split("test")
    Xte, yte, _ = prepare(test, False, seed=seed, denoise_h=denoise_h)
    model = fit(hp, Xtr, ytr, epochs=epochs, batch_size=batch_size, dropout=dropout, lr=lr,
                seed=seed, run_eagerly=run_eagerly)
    p = predict_proba(model, Xte)
    ids = np.unique(test.video)
    pv = np.array([p[test.video == v].mean() for v in ids])
    yv = np.array([test.y[test.video == v][0] for v in ids])
    out = {"model": model, "prep": prep}
    for level, (yy, pp) in {"clip": (yte, p), "video": (yv, pv)}.items():
        out[level] = {**binary_metrics(yy, (pp > 0.5).astype(int)), **score_metrics(yy, pp),
                      "n": int(len(yy))}
    return out


# ----------------------------------------------------------------------------- paper tables
#: Paper B, Tables 2 (Celeb-DF) and 3 (DFDC): one row per run, columns
#: accuracy, sensitivity, specificity, F1 in percent, as printed (two decimals).
PAPER_COLUMNS = ("accuracy", "sensitivity", "specificity", "f1")
PAPER_TABLES = {
    "Celeb-DF (Table 2)": np.array([[97.40, 96.84, 97.94, 97.35], [97.12, 97.14, 97.09, 97.14],
                                    [97.25, 97.39, 97.09, 97.39], [97.17, 98.36, 95.24, 97.17],
                                    [97.35, 98.36, 96.15, 97.56]]),
    "DFDC (Table 3)": np.array([[94.42, 93.75, 95.24, 94.86], [93.99, 94.40, 93.52, 94.40],
                                [94.12, 94.62, 93.52, 94.62], [94.47, 94.57, 94.34, 94.94],
                                [94.02, 94.53, 93.40, 94.53]]),
}


def implied_prevalence(acc, sens, spec, f1, half_ulp: float = 0.005, k: int = 5) -> dict:
    r"""Share of fakes :math:`\pi` in the test set implied by one row of reported metrics
    (percent), as an interval over the rounding box of +-``half_ulp`` (notebook B3).

    From accuracy (a prevalence-weighted mean): :math:`\pi = (acc - spec) / (sens - spec)`.
    From F1 with precision :math:`P = \pi s / (\pi s + (1 - \pi)(1 - sp))` and recall
    :math:`s`: :math:`\pi = F_1 (1 - sp) / (2 s - F_1 (s + sp))`. The two intervals must
    overlap if the row comes from one confusion matrix.

    Returns ``{"from_accuracy": (lo, hi), "from_f1": (lo, hi), "consistent": bool}``.
    """
    g = np.linspace(-half_ulp, half_ulp, k)
    A, S, SP, F = ((np.asarray(v, dtype=float) + g) / 100 for v in (acc, sens, spec, f1))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, s, sp = np.meshgrid(A, S, SP, indexing="ij")
        pa = (a - sp) / (s - sp)
        s2, sp2, f = np.meshgrid(S, SP, F, indexing="ij")
        pf = f * (1 - sp2) / (2 * s2 - f * (s2 + sp2))
    ra = (float(np.nanmin(pa)), float(np.nanmax(pa)))
    rf = (float(np.nanmin(pf)), float(np.nanmax(pf)))
    return {"from_accuracy": ra, "from_f1": rf, "consistent": ra[0] <= rf[1] and rf[0] <= ra[1]}


def _count_candidates(value: float, n_max: int, half_ulp: float) -> np.ndarray:
    """``(n, k)`` pairs with ``n <= n_max`` and ``100 k / n`` within ``half_ulp`` of ``value``."""
    n = np.arange(1, n_max + 1)
    out = []
    for off in (-1, 0, 1):
        k = np.floor(value / 100 * n).astype(int) + off
        ok = (k >= 0) & (k <= n) & (np.abs(100 * k / n - value) <= half_ulp + 1e-9)
        out.append(np.c_[n[ok], k[ok]])
    return np.unique(np.vstack(out), axis=0)


def confusion_solutions(acc, sens, spec, f1, n_max: int = 1500, half_ulp: float = 0.005) -> np.ndarray:
    """Every confusion matrix with at most ``n_max`` fakes and ``n_max`` reals that reproduces
    one row of reported metrics (percent, rounded to ``half_ulp``), as rows
    ``(n_fake, n_real, tp, tn)`` [K, 4] (notebook B3). Empty: no such test set exists."""
    P = _count_candidates(sens, n_max, half_ulp)          # (n_fake, tp)
    Q = _count_candidates(spec, n_max, half_ulp)          # (n_real, tn)
    if not len(P) or not len(Q):
        return np.zeros((0, 4), dtype=int)
    nf, tp = P[:, :1], P[:, 1:]
    nr, tn = Q[:, 0][None], Q[:, 1][None]
    a = 100 * (tp + tn) / (nf + nr)
    f = 100 * 2 * tp / (2 * tp + (nr - tn) + (nf - tp))
    i, j = np.nonzero((np.abs(a - acc) <= half_ulp + 1e-9) & (np.abs(f - f1) <= half_ulp + 1e-9))
    return np.c_[P[i, 0], Q[j, 0], P[i, 1], Q[j, 1]]


def table_consistency(rows: np.ndarray, n_max: int = 1500):
    """Per-run consistency of a paper table [runs, 4] (accuracy, sensitivity, specificity, F1
    in percent): implied prevalence from accuracy and from F1, whether they agree, how many
    integer confusion matrices (<= ``n_max`` per class) reproduce the row, the smallest such
    test set, and which columns F1 repeats exactly. Returns a pandas DataFrame, one row per run,
    and the set of ``(n_fake, n_real)`` shared by every run (one fixed test set)."""
    import pandas as pd

    out, shared = [], None
    for r, (acc, s, sp, f1) in enumerate(rows, start=1):
        pr = implied_prevalence(acc, s, sp, f1)
        sol = confusion_solutions(acc, s, sp, f1, n_max)
        sizes = set(map(tuple, sol[:, :2].tolist()))
        shared = sizes if shared is None else shared & sizes
        small = sol[np.argmin(sol[:, 0] + sol[:, 1])] if len(sol) else None
        out.append({"run": r, "prevalence_from_accuracy": "%.3f-%.3f" % pr["from_accuracy"],
                    "prevalence_from_f1": "%.3f-%.3f" % pr["from_f1"],
                    "identities_agree": pr["consistent"], "n_confusion_matrices": len(sol),
                    "smallest_test_set": "none" if small is None else
                    f"{small[0]} fake + {small[1]} real",
                    "f1_repeats": ",".join(c for c, v in zip(PAPER_COLUMNS[:3], (acc, s, sp)) if v == f1)})
    return pd.DataFrame(out).set_index("run"), shared or set()
