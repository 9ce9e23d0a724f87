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
# # C2 · The model: Xception features, BiLSTM, CRF
#
# Paper C (section "Methodology") extracts a **2,048-dimensional** Xception feature per
# frame (global average pooling), feeds the sequence to a **BiLSTM** (formulas 1-9), applies
# **batch normalisation** after it (formulas 12-15), and refines the per-frame outputs with a
# **linear-chain conditional random field** trained by maximum likelihood (formulas 16-17).
# Training adds an **auxiliary classifier** loss with weight $\lambda$ (formula 11). Table 4
# gives the settings: batch 32, Adam, learning rate 0.01, ReLU, cross-entropy, 3 x 3 kernels.
#
# This notebook builds each piece and checks the CRF against brute force. Notebook C3 trains
# and compares the systems.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None          # None: the embedded demo benchmark
results_dir = None
layout = None
demo_size = "small"
n_frames = 8              # paper: 30
crop_size = 64            # paper: 256
input_size = 71           # Xception input side (paper: Xception's 299 on 256 crops; 71 is its minimum)
backbone_weights = None   # None (random, offline), "imagenet", or a weights file
units = 64                # LSTM units per direction (not stated by the paper)
aux_weight = 0.3          # lambda of formula 11 (not stated by the paper)
epochs = 10

# %%
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from deepfake_lib import bilstm_crf as bc
from deepfake_lib import crf as crf_mod
from deepfake_lib import datasets, faces
from deepfake_lib.results import Run

run = Run("C2_model", globals())
run["backend"] = keras.config.backend()

# %% [markdown]
# ## Xception features
#
# `keras.applications.Xception(include_top=False, pooling="avg")` maps a face crop to a
# 2,048-d vector. The paper trained its Xception ("after several rigorous training
# sessions"); the book never downloads weights at run time, so by default
# (`backbone_weights=None`) the backbone keeps its **random initialisation**: its features
# are random convolutional features, weaker than trained ones. Pass `backbone_weights="imagenet"`
# or a weights file where they are available. Features are computed once per
# (manifest, crop size, input size, weights, seed) and cached on disk.

# %%
backbone = bc.xception_backbone(input_size, backbone_weights, seed)
print(f"Xception at {input_size}x{input_size}: {backbone.count_params():,} parameters, "
      f"output {backbone.output_shape}")

# %%
manifest_path = datasets.resolve(data_root, layout, demo_size=demo_size, seed=seed)
run.use_manifest(manifest_path)
seqs = faces.load_sequences(manifest_path, n_frames, crop_size, progress=False)
with run.timed("features"):
    feats, hit = bc.sequence_features(seqs.X, seqs.mask, manifest_sha256=run.manifest,
                                      input_size=input_size, backbone_weights=backbone_weights, seed=seed)
print("features", feats.shape, "(from cache)" if hit else "(computed, now cached)")
run["feature_shape"] = list(feats.shape)

# %% [markdown]
# ## The three systems
#
# Figure 9 of the paper compares: an **Xception-only** classifier (features -> fully connected
# layer, frame by frame), a **BiLSTM** (features -> BiLSTM -> batch normalisation -> softmax per
# frame) and the proposed **BiLSTM + CRF** (the same BiLSTM's outputs as CRF emissions). The
# BiLSTM reads the sequence both ways, $\overrightarrow{h}_t = \mathrm{LSTM}(x_t,
# \overrightarrow{h}_{t-1})$, $\overleftarrow{h}_t = \mathrm{LSTM}(x_t, \overleftarrow{h}_{t+1})$,
# and concatenates them; batch normalisation then standardises each unit,
# $y = \gamma (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon} + \beta$ (formulas 12-15), over the used
# frames only.

# %%
models = {k: bc.build_system(k, n_frames, feats.shape[-1], units=units, aux_weight=aux_weight)
          for k in bc.SYSTEMS}

# %%
# NBVAL_CHECK_OUTPUT
sizes = pd.Series({k: int(sum(np.prod(v.shape) for v in mdl.trainable_variables)) for k, mdl in models.items()},
                  name="trainable parameters")
print(sizes.to_string())
run["parameters_per_system"] = sizes.to_dict()

# %% [markdown]
# ## The CRF layer
#
# Keras 3 has no maintained CRF, so the book writes one with `keras.ops` only
# (`deepfake_lib/crf.py`). For emissions $e_{t,k}$ from the BiLSTM, transitions $A_{ij}$ and
# start/end scores, a tag path $y$ scores
# $s(x,y) = a^s_{y_1} + \sum_t e_{t,y_t} + \sum_{t>1} A_{y_{t-1} y_t} + a^e_{y_T}$ and
#
# $$\log p(y|x) = s(x,y) - \log Z(x), \qquad \log Z(x) = \operatorname{logsumexp}_{y'} s(x,y'),$$
#
# the log-likelihood of formula 17. $\log Z$ needs the **forward algorithm**
# $\alpha_t(j) = e_{t,j} + \operatorname{logsumexp}_i(\alpha_{t-1}(i) + A_{ij})$; the loss is
# $-\log p(y|x)$; decoding is the **Viterbi** path (the same recursion with max). Frames a
# mask switches off are skipped: the transition jumps from the last used frame to the next.
# The forward recursion, in the library:

# %%
src = inspect.getsource(crf_mod.CRF._forward)
print(src[src.index("for t in"):src.index("log_z =")])

# %% [markdown]
# ### Checking the CRF against brute force
#
# On one random example with 3 tags, 6 frames and two masked frames (one on the left, one in
# the middle) we enumerate all $3^4 = 81$ paths over the used frames and compare.

# %%
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(seed)
crf = crf_mod.CRF(3)
for w in (crf.transitions, crf.start_transitions, crf.end_transitions):
    w.assign(rng.normal(size=w.shape).astype("float32"))
em = rng.normal(size=(1, 6, 3)).astype("float32")
tags = rng.integers(0, 3, size=(1, 6))
mask = np.array([[False, True, True, False, True, True]])
ref = crf_mod.brute_force(em[0], **{"transitions": crf.transitions.numpy(), "start": crf.start_transitions.numpy(),
                                    "end": crf.end_transitions.numpy()}, mask=mask[0], tags=tags[0])
check = {"log Z": (float(crf.log_partition(em, mask)[0]), ref["log_partition"]),
         "log-likelihood": (float(crf.log_likelihood(em, tags, mask)[0]), ref["log_likelihood"]),
         "Viterbi score": (float(crf.viterbi(em, mask)[1][0]), ref["best_score"])}
for k, (ours, bf) in check.items():
    print(f"{k:15s} layer {ours:9.4f}   brute force {bf:9.4f}   |diff| < 1e-5: {abs(ours - bf) < 1e-5}")
print("Viterbi path   layer", np.asarray(crf.decode(em, mask))[0], "  brute force", ref["best_path"])
run["crf_brute_force_agrees"] = bool(max(abs(a - b) for a, b in check.values()) < 1e-5)
run["crf_viterbi_matches"] = bool((np.asarray(crf.decode(em, mask))[0] == ref["best_path"]).all())

# %% [markdown]
# `tests/test_crf.py` repeats this on 45 random cases (several seeds, lengths 4-6, 2-4 tags,
# masks on the right, on the left and with holes) and checks that gradients reach the
# emissions and the transitions, and that a fit on a toy task lowers the loss.
#
# ## The loss (formula 11)
#
# $L = L_{main} + \lambda L_{aux}$. $L_{main}$ is the per-frame cross-entropy (Xception-only,
# BiLSTM) or the CRF's negative log-likelihood per frame (BiLSTM + CRF). The auxiliary
# classifier reads the mean of the normalised BiLSTM outputs over the used frames and predicts
# the video's label. Every frame carries its video's label. On one batch of real data:

# %%
tr, te = bc.video_split(seqs.mask, seqs.splits)
x = bc.standardize(feats, tr)
batch = (x[:8], seqs.mask[:8].astype("float32"))
frame_y = np.repeat(seqs.y[:8, None], n_frames, 1)
for k in ("bilstm", "bilstm_crf"):
    out = models[k](batch, training=True)
    total = float(models[k].compute_loss(batch, frame_y, out))
    models[k].aux_weight, main = 0.0, None
    main = float(models[k].compute_loss(batch, frame_y, out))
    models[k].aux_weight = aux_weight
    print(f"{k:11s} L = {total:.4f} = L_main {main:.4f} + {aux_weight} x L_aux {(total - main) / aux_weight:.4f}")

# %% [markdown]
# ## Table 4 settings
#
# The paper's settings and where they apply here. Pooling and kernel size describe a CNN: in
# this model they are Xception's own (3 x 3 separable convolutions; its poolings are 3 x 3 with
# stride 2), the paper's "2 x 2" pooling has no counterpart.

# %%
pd.DataFrame({"paper C (Table 4)": bc.TABLE4,
              "this book": {"batch_size": 32, "learning_rate": 0.01, "optimizer": "Adam",
                            "pooling": "Xception's own (3x3, stride 2)", "activation": "ReLU (Xception)",
                            "loss": "cross-entropy / CRF NLL + lambda x auxiliary CE",
                            "kernel_size": "3x3 (Xception)"}})

# %% [markdown]
# ## Training the BiLSTM + CRF once
#
# A short fit on the video-disjoint training videos (the full comparison, with seeds and
# both splits, is notebook C3). Every frame carries its video's label, so the CRF has reason to
# learn transitions that favour staying in the same state (the diagonal above the
# off-diagonal); how far it gets depends on how many steps it is trained for.

# %%
with run.timed("fit"):
    model = bc.train_system("bilstm_crf", x, tr, seqs.y, seed=seed, epochs=epochs, units=units,
                            aux_weight=aux_weight)
trans = model.crf.transitions.numpy()
print(pd.DataFrame(trans, index=["from real", "from fake"], columns=["to real", "to fake"]).round(2))
run["transitions"] = trans.round(4)

# %% [markdown]
# ## What next
#
# Notebook C3 trains the three systems with several seeds on both splits and compares them
# with the paper's Figure 8, Figure 9 and Tables 2-5, and times the real-time claim.

# %%
run.save()
