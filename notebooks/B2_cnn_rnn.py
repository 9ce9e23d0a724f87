# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # B2 · The PSO-tuned CNN-RNN
#
# Paper B (Al-Adwan et al., *Computers* 13:99, 2024) cuts videos into 1-second clips,
# resizes them to 256 x 256, normalises each clip (z-score), augments, denoises and balances
# the classes with SMOTE (section 4.2.1), then classifies each clip with a CNN applied to
# every frame followed by an RNN and a threshold (sections 4.2.4-4.2.5, Algorithm 1). PSO
# (notebook B1) chooses the CNN's number of filters (16-64), kernel size (3-6) and stride
# (2-4), and items of its list L, N, A, R, M, B; fitness is accuracy on a validation set.
# Final training: dropout 0.4, learning rate 0.01, 20 epochs, batch 100 (section 5).
#
# **Data.** By default this notebook runs on the book's small embedded demo benchmark: a few
# dozen short clips of real faces and synthetic manipulations (notebook D1). Its numbers say
# whether the pipeline works; they are not comparable with the paper's Celeb-DF and DFDC
# results. `data_root` and `layout` point it at a real dataset.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None          # None: the embedded demo benchmark
layout = None             # e.g. "celebdf" or "dfdc" with a data_root
results_dir = None
demo_size = "small"
n_frames = 8              # frames sampled per video, evenly spaced
frames_per_clip = 4       # frames kept per 1-second clip
clip_seconds = 1.0        # paper: 1 s
size = 32                 # paper: 256
denoise_h = 5.0           # non-local means strength
n_augment = 1             # augmented copies of each training clip
use_smote = True
swarm = 3                 # paper: 15
pso_iters = 2             # paper: 8
c1 = 4.0                  # paper
c2 = 4.0                  # paper
w = 0.7                   # not stated by the paper
pso_epochs = 1            # epochs of each fitness evaluation
epochs = 2                # paper: 20
batch_size = 100          # paper: 100
dropout = 0.4             # paper: 0.4
lr = 0.01                 # paper: 0.01
run_eagerly = True        # no graph tracing: faster for tiny trainings

# %%
import logging
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from deepfake_lib import cnn_rnn, datasets, faces, manifest, pso
from deepfake_lib.results import Run

logging.getLogger("tensorflow").setLevel(logging.ERROR)
run = Run("B2_cnn_rnn", globals())
print("Keras backend:", keras.config.backend())

# %% [markdown]
# ## Data
#
# The face pipeline samples `n_frames` frames evenly over each video and crops the largest
# face (MTCNN) at `size` x `size`, so "resize" is done here. Splits come from the manifest:
# video-disjoint, identity-disjoint where the identities allow.

# %%
manifest_path = datasets.resolve(data_root, layout, demo_size=demo_size, seed=seed)
run.use_manifest(manifest_path)
seqs = faces.load_sequences(manifest_path, n_frames, size, progress=False)
print(pd.crosstab(seqs.splits, np.where(seqs.y == 1, "fake", "real")))

# %% [markdown]
# ## Preprocessing
#
# **1-second clips.** Each sampled frame knows its index in the source video, hence its
# second, $\lfloor i / \text{fps} \rfloor$. Frames of the same second form a clip, of which
# `frames_per_clip` evenly spaced frames are kept; seconds with fewer usable frames, and a
# last second cut short by the end of the video, are dropped. A clip inherits its video's
# label and split. A video shorter than a second gives one shorter clip (the small demo
# benchmark's videos are that short).

# %%
items = manifest.load(manifest_path).frame().set_index("id").loc[seqs.ids]
seconds = items["n_frames"].astype(float) / items["fps"].astype(float)
print(f"video length: {seconds.min():.2f}-{seconds.max():.2f} s (median {seconds.median():.2f} s)")
frame_idx, fps, n_total = cnn_rnn.frame_positions(manifest_path, seqs.ids, n_frames)
clips = cnn_rnn.make_clips(seqs, frame_idx, fps, frames_per_clip, clip_seconds, n_total)
counts = pd.crosstab(clips.splits, np.where(clips.y == 1, "fake", "real"))
print(counts)
run["clips"] = {s: {k: int(v) for k, v in row.items()} for s, row in counts.iterrows()}

# %%
fig, axes = plt.subplots(2, frames_per_clip, figsize=(1.6 * frames_per_clip, 3.4))
for row, label in zip(axes, (0, 1)):
    k = int(np.flatnonzero(clips.y == label)[0])
    for ax, frame in zip(row, clips.X[k]):
        ax.imshow(frame)
        ax.axis("off")
    row[0].set_title(f"{'real' if label == 0 else 'fake'} clip ({clips.methods[k]})", loc="left", fontsize=9)
plt.tight_layout()

# %% [markdown]
# **Denoising** (OpenCV non-local means, `cv2.fastNlMeansDenoisingColored`, strength
# `denoise_h`): each pixel becomes a weighted mean of pixels whose surrounding patches look
# alike. **Augmentation**: per clip, a random per-channel gain (colour), offset (brightness)
# and scaling about the mean (contrast), the same for all frames of the clip.
# **Z-score per clip**: $z = (x - \mu_{\text{clip}}) / \sigma_{\text{clip}}$.
#
# Denoising one frame, and how much it changes the pixels on average:

# %%
# NBVAL_CHECK_OUTPUT
frame = clips.X[:1, :1]
clean = cnn_rnn.denoise(frame, denoise_h)
fig, axes = plt.subplots(1, 3, figsize=(7, 2.5))
for ax, img, title in zip(axes, (frame[0, 0], clean[0, 0], np.abs(frame[0, 0].astype(int) - clean[0, 0]) * 4),
                          ("frame", f"non-local means, h = {denoise_h:g}", "|difference| x 4")):
    ax.imshow(np.clip(img, 0, 255).astype(np.uint8))
    ax.set_title(title, fontsize=9)
    ax.axis("off")
print(f"mean |change| from denoising: {np.abs(frame.astype(int) - clean).mean():.2f} grey levels")

# %% [markdown]
# The last two interact: a clip-wide brightness $x \mapsto x + b$ or contrast
# $x \mapsto \mu + k(x - \mu)$ change is removed exactly by the clip's z-score, so only the
# colour part of the augmentation reaches the network. Measured on the training clips:

# %%
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(seed)
sample = clips.split("train").X[:8]
z = cnn_rnn.zscore(sample)
for name, kw in {"brightness+contrast": dict(colour=0.0), "colour only": dict(brightness=0.0, contrast=0.0)}.items():
    aug = cnn_rnn.augment(sample, np.random.default_rng(seed), **kw)
    print(f"{name:20s} mean |change| before z-score {np.abs(aug.astype(float) - sample).mean():6.2f} (0-255), "
          f"after {np.abs(cnn_rnn.zscore(aug) - z).mean():.3f} (sd units)")

# %% [markdown]
# (What remains after the z-score for brightness and contrast comes from rounding to 8 bits
# and clipping at 0 and 255.)
#
# **SMOTE** runs on the training split only, on the flattened z-scored clips: the network
# reads pixels end to end, so a synthetic sample must be a clip (a pooled or learned feature
# vector could not be fed to the CNN). A synthetic clip is a cross-fade of a clip and one of
# its nearest same-class neighbours. Validation and test clips are never resampled.

# %%
with run.timed("preprocess"):
    Xtr, ytr, prep_info = cnn_rnn.prepare(clips.split("train"), True, seed=seed, denoise_h=denoise_h,
                                          n_augment=n_augment, use_smote=use_smote)
    Xva, yva, _ = cnn_rnn.prepare(clips.split("val"), False, seed=seed, denoise_h=denoise_h)
print(prep_info)
run["prep_train"] = prep_info

# %% [markdown]
# **Not implemented**, because the paper does not define them well enough to reproduce:
#
# | paper step | why not |
# |---|---|
# | video stabilisation | no method or parameters; face crops already remove most camera motion |
# | audio track "processed separately" | the model has no audio input; how audio enters the decision is not said |
# | "inter-frame and spatial-temporal analysis" | not defined beyond what the LSTM itself does |
# | video compression | a storage step, not a feature step |
# | pre-training on "a large dataset" (Algorithm 1, step 2) | no dataset is named |
# | "PSO initialises the weights and biases" (Algorithm 1, step 4) | contradicts the stated search space (filters, kernel, stride); weights are trained by gradient descent here |
#
# ## Model
#
# A CNN reads every frame (`TimeDistributed`): $L$ convolutions of $N$ filters, kernel $k$,
# stride $s$, activation $A$, then global max pooling (the paper's pooling,
# $f(x, y) = \max$). $R$ LSTM layers of $M$ units (activation $B$) read the sequence of
# frame features; $h_t = \text{LSTM}(h_{t-1}, x_t)$; the last state goes through dropout
# and a sigmoid unit, the fake probability, thresholded at 0.5.

# %%
mid = cnn_rnn.decode(np.mean(cnn_rnn.space_bounds(), axis=0))
model = cnn_rnn.build_model(frames_per_clip, size, dropout=dropout, lr=lr, **mid)
print(mid)
model.summary()

# %% [markdown]
# ## PSO over the CNN-RNN
#
# Eight integer dimensions: filters $N \in [16, 64]$, kernel $\in [3, 6]$ and stride
# $\in [2, 4]$ as in the paper, and $L \in [1, 3]$, $A \in$ {relu, elu, tanh},
# $R \in [1, 2]$, $M \in [16, 64]$, $B \in$ {tanh, relu} from its list. Fitness = accuracy on
# the **validation** clips after `pso_epochs` of training (PSO minimises $1 -$ accuracy).
# The paper's $c_1 = c_2 = 4$ lie outside every convergence region (notebook B1), so the
# particles are confined to the box; each rounded configuration is trained once (cache).

# %%
log = []
fitness = cnn_rnn.make_fitness(Xtr, ytr, Xva, yva, epochs=pso_epochs, batch_size=batch_size,
                               seed=seed, log=log, run_eagerly=run_eagerly)
with run.timed("pso"):
    res = pso.minimize(fitness, cnn_rnn.space_bounds(), swarm, pso_iters, w=w, c1=c1, c2=c2,
                       integer=np.ones(len(cnn_rnn.SEARCH_SPACE), bool), confine=True, seed=seed)
best_hp = cnn_rnn.decode(res.best_position)
print(f"requested {res.n_requests} evaluations (swarm {swarm} x {pso_iters} iterations), "
      f"trained {res.n_evaluations}, cache hits {res.cache_hits}")
print(f"PSO wall time {res.seconds:.1f} s, {res.seconds / max(res.n_evaluations, 1):.1f} s per training")
print("best:", best_hp, f"validation accuracy {1 - res.best_cost:.3f}")

# %%
pd.DataFrame(log).sort_values("val_accuracy", ascending=False).round(3).head(10)

# %% [markdown]
# How much the swarm had to go on: the number of distinct validation accuracies among the
# trained configurations (one value means a flat landscape, where gbest is simply the first
# particle evaluated), and the optimizer steps each fitness training took
# ($\lceil n_{\text{train}} / \text{batch} \rceil \times$ epochs).

# %%
# NBVAL_CHECK_OUTPUT
n_distinct = len({round(r["val_accuracy"], 6) for r in log})
steps = int(np.ceil(len(ytr) / batch_size)) * pso_epochs
print(f"{len(log)} trainings, {n_distinct} distinct validation accuracies, "
      f"{len(yva)} validation clips, {steps} optimizer steps per training")
run.update(pso_distinct_val_accuracies=n_distinct, pso_steps_per_training=steps)

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(1 - res.gbest_cost, "o-", label="gbest")
ax.plot((1 - res.costs).mean(1), "s--", label="swarm mean")
ax.set(xlabel="iteration", ylabel="validation accuracy", title="PSO on the CNN-RNN")
ax.legend();

# %%
run.update(best_hp=best_hp, best_val_accuracy=1 - res.best_cost,
           pso={"swarm": swarm, "iters": pso_iters, "requested": res.n_requests,
                "trained": res.n_evaluations, "cache_hits": res.cache_hits,
                "gbest_val_accuracy": (1 - res.gbest_cost).tolist(),
                "log": [{k: v for k, v in r.items() if k != "seconds"} for r in log]})
run.timing["pso_per_training"] = round(res.seconds / max(res.n_evaluations, 1), 3)

# %% [markdown]
# ## Final training and test
#
# The best configuration, retrained from scratch with the paper's dropout 0.4, learning rate
# 0.01, batch 100 and `epochs` epochs (paper: 20), then scored once on the **test** split,
# per clip and per video (clip probabilities averaged). Notebook B3 repeats this over five
# seeds.

# %%
with run.timed("final"):
    final = cnn_rnn.train_and_test(clips, best_hp, seed=seed, epochs=epochs, batch_size=batch_size,
                                   dropout=dropout, lr=lr, denoise_h=denoise_h, n_augment=n_augment,
                                   use_smote=use_smote, run_eagerly=run_eagerly)
cols = ["n", "accuracy", "sensitivity", "specificity", "f1", "auc"]
table = pd.DataFrame({k: final[k] for k in ("clip", "video")}).T[cols]
print(f"data: {'demo benchmark (' + demo_size + ')' if data_root is None else data_root}")
table.round(3)

# %%
run["test"] = {k: {c: final[k][c] for c in cols} for k in ("clip", "video")}
run.save();

# %% [markdown]
# ## What next
#
# One run says little: notebook B3 trains the chosen configuration from five seeds and lays
# the results out like the paper's Tables 2 and 3, next to the paper's numbers, and checks
# those tables against the metric identities.
