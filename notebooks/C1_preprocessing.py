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
# # C1 · Preprocessing: frames, faces, labels and the split
#
# Paper C (Wang, *PeerJ Computer Science* 11:e2867, 2025) detects deepfake videos with
# Xception frame features, a BiLSTM and a conditional random field. Its section
# "Experiment / Dataset and preprocessing" fixes the data pipeline this notebook rebuilds:
#
# - OpenCV splits each video into frames; **30 frames** are taken evenly from each video;
# - MTCNN finds the face (the paper preferred it to Dlib) and the crop is resized to **256 x 256**;
# - labels: **0 = deepfake, 1 = real** as the paper writes them;
# - FaceForensics++: 1,000 real videos and 500 videos of each of four manipulations
#   (Deepfakes, FaceSwap, Face2Face, NeuralTextures), and **the frame images are divided 7:3**
#   into training and test sets.
#
# Everything here runs on the book's embedded demo benchmark unless `data_root` points at a
# real dataset. The demo benchmark is small and its manipulations are synthetic: its numbers
# are **not comparable** with the paper's FaceForensics++ numbers.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None          # None: the embedded demo benchmark
results_dir = None
layout = None             # with data_root: "ffpp", "celebdf", ...
demo_size = "small"       # "small" (smoke) or "demo"
n_frames = 8              # paper: 30
crop_size = 64            # paper: 256
detector_videos = 2       # real videos used for MTCNN vs the cascade
detector_frames = 8       # frames per video for MTCNN vs the cascade

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from deepfake_lib import bilstm_crf as bc
from deepfake_lib import datasets, faces, manifest, metrics
from deepfake_lib.results import Run

run = Run("C1_preprocessing", globals())

# %% [markdown]
# ## The data
#
# One call turns the `data_root` parameter into a manifest: one row per video with its label
# (**1 = fake** in this book), its manipulation method, the identity shown and its split.

# %%
manifest_path = datasets.resolve(data_root, layout, demo_size=demo_size, seed=seed)
run.use_manifest(manifest_path)
m = manifest.load(manifest_path)
df = m.frame()
print(m.summary())
composition = df.groupby(["method", "split"]).size().unstack(fill_value=0)
composition

# %% [markdown]
# Paper C's composition is **1 real : 2 fake** (1,000 real videos, 4 x 500 fake). The
# demo benchmark has real videos plus its own manipulation kinds:

# %%
# NBVAL_CHECK_OUTPUT
n_real, n_fake = int((df.label == 0).sum()), int((df.label == 1).sum())
print(f"real videos {n_real}, fake videos {n_fake}, fake:real = {n_fake / max(n_real, 1):.2f} "
      f"(paper C: 2000:1000 = 2.00)")
run.update(n_videos=len(df), n_real=n_real, n_fake=n_fake, methods=sorted(df.method.unique()))

# %% [markdown]
# ## Frame sampling
#
# "Uniformly selected 30 frames": frame $t$ of $T$ is the centre of the $t$-th of $T$ equal
# segments of the video, $i_t = \lfloor (2t+1)N / 2T \rfloor$, so the whole video is covered
# in order. For a 10-second clip at 30 fps (N = 300) and the paper's T = 30:

# %%
# NBVAL_CHECK_OUTPUT
print(faces.sample_indices(300, 30))

# %% [markdown]
# ## Face crops
#
# MTCNN runs on each sampled frame; the largest face is cut out as a square with a 20 % margin
# and resized to `crop_size` (the paper: 256). Crops are cached on disk, so later notebooks
# read them instantly. A video with fewer frames than asked is padded and its `mask` says
# which positions are real frames.

# %%
with run.timed("load_sequences"):
    seqs = faces.load_sequences(manifest_path, n_frames, crop_size, progress=False)
print("X", seqs.X.shape, "mask", seqs.mask.shape, "frames used", int(seqs.mask.sum()))
run.update(crops_shape=list(seqs.X.shape), n_frames_used=int(seqs.mask.sum()),
           n_skipped=len(seqs.skipped))

# %%
show = [int(np.flatnonzero(seqs.methods == k)[0]) for k in sorted(set(seqs.methods))]
fig, axes = plt.subplots(len(show), n_frames, figsize=(1.2 * n_frames, 1.3 * len(show)), squeeze=False)
for r, v in enumerate(show):
    for t in range(n_frames):
        axes[r, t].imshow(seqs.X[v, t]); axes[r, t].axis("off")
    axes[r, 0].set_title(seqs.methods[v], fontsize=8, loc="left")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Which face detector
#
# The paper chose MTCNN over Dlib for accuracy and speed. Dlib is not part of this book's
# environment, and OpenCV 5 no longer ships its Haar cascade files; the other detector here is
# OpenCV's LBP frontal-face cascade, which scikit-image ships and runs (a classic
# Viola-Jones-style detector, like Dlib's HOG detector a pre-deep-learning one). Both see the
# same frames of real demo videos, downscaled to a longer side of 320 pixels. "Agrees with
# MTCNN" counts frames whose cascade box overlaps the MTCNN box with IoU >= 0.5.

# %%
real_paths = [m.abspath(it) for it in m.items if it["label"] == 0 and it.get("kind") != "image"]
with run.timed("detectors"):
    det = bc.compare_detectors(real_paths[:detector_videos], detector_frames)
det.round(3)

# %%
# NBVAL_CHECK_OUTPUT
print(f"detection rate: MTCNN {det.detection_rate['MTCNN']:.3f}, LBP cascade {det.detection_rate['LBP cascade']:.3f}; "
      f"cascade agrees with MTCNN on {det.agrees_with_mtcnn['LBP cascade']:.3f} of the frames")
run["detectors"] = {k: {"detection_rate": det.detection_rate[k], "agrees_with_mtcnn": det.agrees_with_mtcnn[k]}
                    for k in det.index}
run.timing.update({f"fps_{k.split()[0].lower()}": round(float(det.fps[k]), 2) for k in det.index})
run.evidence("C.preproc.mtcnn_detects_more_than_alternative",
             "MTCNN detects faces more reliably than the alternative detector (paper: Dlib; here: OpenCV's LBP cascade)",
             holds=bool(det.detection_rate["MTCNN"] > det.detection_rate["LBP cascade"])
             if det.detection_rate["MTCNN"] != det.detection_rate["LBP cascade"] else None,
             ours=run["detectors"], detail=f"{int(det.frames.iloc[0])} frames of real videos",
             data="demo" if data_root is None else (layout or "data_root"))

# %% [markdown]
# Frames per second depend on this machine and are stored under `timing`. They compare these
# two implementations (MTCNN batched on TensorFlow, the cascade in scikit-image's Cython), not
# the algorithms in general; OpenCV 4's C++ cascade was much faster than scikit-image's. On
# the machine that built this page:

# %%
print({k: f"{v:.1f} frames/s" for k, v in det.fps.items()})

# %% [markdown]
# ## Labels: the paper's 0 = fake versus the book's 1 = fake
#
# Precision and recall are defined for one class, the "positive" one. Paper C labels fakes 0
# and reals 1, but its formulas (19)-(20) speak of "videos predicted to be deep forgeries",
# i.e. fake = positive, the convention every function of this book uses. If one computed the
# metrics with the paper's labels as they are, "positive" would become *real*: precision
# becomes the share of real among videos called real, recall the share of real videos kept,
# and a fake-probability score would draw its ROC below the diagonal. A tiny example:

# %%
# NBVAL_CHECK_OUTPUT
y_book = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0])          # 1 = fake
score = np.array([.9, .8, .7, .6, .4, .3, .5, .2, .1, .05])  # p(fake)
pred = (score >= 0.5).astype(int)
y_paper, pred_paper = 1 - y_book, 1 - pred                    # 0 = fake, as paper C writes
a, b = metrics.binary_metrics(y_book, pred), metrics.binary_metrics(y_paper, pred_paper)
print(f"fake = positive : precision {a['precision']:.3f}  recall {a['recall']:.3f}  "
      f"AUC {metrics.score_metrics(y_book, score)['auc']:.3f}")
print(f"real = positive : precision {b['precision']:.3f}  recall {b['recall']:.3f}  "
      f"AUC of p(fake) {metrics.score_metrics(y_paper, score)['auc']:.3f}  "
      f"AUC of p(real) {metrics.score_metrics(y_paper, 1 - score)['auc']:.3f}")

# %% [markdown]
# The same predictions give another precision and recall (precision of "real" is the
# negative predictive value of "fake"; recall of "real" is the specificity), and the ROC flips
# to $1 - \text{AUC}$ unless the score is flipped too. Every number in notebooks C2 and C3 uses
# fake = positive.

# %% [markdown]
# ## Two splits
#
# The paper divides **the frame images** 7:3. Its counts follow from its data: 1,000 real and
# 2,000 fake videos, 30 frames each:

# %%
# NBVAL_CHECK_OUTPUT
real_frames, fake_frames = 1000 * 30, 4 * 500 * 30
print(f"train: real {0.7 * real_frames:.0f}, fake {0.7 * fake_frames:.0f}   "
      f"test: real {0.3 * real_frames:.0f}, fake {0.3 * fake_frames:.0f}   (paper: 21000, 42000, 9000, 18000)")
run.evidence("C.data.split_counts_consistent",
             "Train/test frame counts 21,000/42,000 and 9,000/18,000 follow from 1,000 real + 4x500 fake videos x 30 frames at 7:3",
             holds=bool(np.allclose([0.7 * real_frames, 0.7 * fake_frames, 0.3 * real_frames, 0.3 * fake_frames],
                                    [21000, 42000, 9000, 18000])),
             ours=[0.7 * real_frames, 0.7 * fake_frames, 0.3 * real_frames, 0.3 * fake_frames],
             detail="arithmetic on the paper's own numbers", data="paper")

# %% [markdown]
# Dividing frames, not videos, puts frames of the same video on both sides: the test set then
# measures how well a model recognises videos it has already seen. We implement the split as
# written (every frame goes to train with probability 0.7, the sequence keeps its order and the
# test frames become holes in the mask) and a video-disjoint split (the manifest's, where no
# identity is shared either when identities allow). Notebook C3 carries both.

# %%
# NBVAL_CHECK_OUTPUT
splits = {"frame 7:3 (paper)": bc.frame_split(seqs.mask, 0.7, seed),
          "video-disjoint": bc.video_split(seqs.mask, seqs.splits)}
rows = {name: {"train frames": int(tr.sum()), "test frames": int(te.sum()),
               "test videos": int(te.any(1).sum()),
               "test frames whose video is also in train": bc.leaked_test_frames(tr, te)}
        for name, (tr, te) in splits.items()}
split_table = pd.DataFrame(rows).T
print(split_table.to_string())
run["splits"] = rows

# %% [markdown]
# ## What next
#
# Notebook C2 turns these crops into Xception features and builds the BiLSTM and the CRF;
# notebook C3 trains the paper's three systems on both splits.

# %%
run.save()
