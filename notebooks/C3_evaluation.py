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
# # C3 · Evaluation: Xception vs BiLSTM vs BiLSTM + CRF, and the real-time claim
#
# Paper C's results (section "Analysis of experimental results"):
#
# - **Figure 9**: ROC AUC **0.743** (Xception-only), **0.890** (BiLSTM), **0.912** (BiLSTM + CRF);
# - **Figure 8** and the abstract: with the CRF, recall **90.00 %**, F1 **87.09 %**, and
#   **+1.6 %** precision, **+2.0 %** recall, **+2.5 %** F1 over the BiLSTM alone;
# - **Table 3**: 3 x 3 kernels best (accuracy 0.973) among 3 x 3, 5 x 5, 7 x 7, 3 x 3 + 5 x 5;
# - the **models table** and **Table 5**: accuracy on Celeb-DF and FaceForensics++ against
#   other detectors;
# - the abstract: the approach "outperforms existing methods in **real-time** detection"
#   (the paper gives no frame rate, latency or timing).
#
# We train the systems on the same features, on both splits of notebook C1, with several
# seeds, and score the same test videos. Our numbers come from the embedded demo benchmark
# (small, synthetic manipulations, random Xception weights by default): they test whether
# the *comparisons* hold, not the paper's FaceForensics++ values, and they never share a
# column with the paper's numbers without saying so. The paper's numbers in the code below
# are read from the claims ledger.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
seeds = [0]               # seeds of the grid (demo/full: at least 3)
epochs = 4
split_kinds = ["video", "frame"]
systems = ["xception", "bilstm", "bilstm_crf", "bilstm_crf_e2e"]
kernel_sizes = []         # Table 3 re-run, e.g. [[3], [5], [7], [3, 5]]; [] skips it
identity_folds = False    # also score every video out of fold (demo: True; needs folds)
n_boot = 50               # bootstrap resamples of the test videos (demo: 500)
pipeline_frames = 8       # frames of one video timed through the whole pipeline
head_seq_len = 8          # sequence length of the timed head (paper: 30)
data_root = None          # None: the embedded demo benchmark
results_dir = None
layout = None
demo_size = "small"
n_frames = 8              # as in C2, so the feature cache is shared (paper: 30)
crop_size = 64            # as in C2 (paper: 256 x 256 crops)
input_size = 71           # as in C2 (Keras's Xception default: 299)
backbone_weights = None   # as in C2: None (random, offline), "imagenet" or a file
units = 64
merge = "sum"             # "sum" (the paper) or "concat"
aux_weight = 0.3
l2 = 1e-4
learning_rate = None      # None: Table 4's 0.01 (demo: chosen on validation in C2)
extractor = "xception"    # as in C2: "xception" or "onet" (chosen on validation in C2)

# %%
import os

# TensorFlow's C++ log up to errors hidden: this build prints a harmless error line for
# each graph-compiled fit ("NodeDef mentions attribute use_unbounded_threadpool")
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

# %%
import keras
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.metrics import roc_auc_score

from deepfake_lib.claims import identities, ledger, readings
from deepfake_lib.core import stats
from deepfake_lib.core.results import Run
from deepfake_lib.data import datasets, loaders, manifest
from deepfake_lib.demo import controls
from deepfake_lib.paper_c import evaluation, features, heads, timing

run = Run("C3_evaluation", globals())
run["backend"] = keras.config.backend()
claims = ledger.claims_by_id()
data_label = "demo" if data_root is None else (layout or "data_root")
arch = dict(units=units, aux_weight=aux_weight, merge=merge, l2=l2)

# %% [markdown]
# ## Readings and departures
#
# Where the paper can be read more than one way, or where this notebook departs from it,
# and what the book does (`deepfake_lib/claims/readings_C.yaml`):

# %%
readings.table("C3_evaluation")

# %% [markdown]
# ## Data and features
#
# Crops and Xception features come from the caches notebooks C1 and C2 filled (computed
# here if missing, one video at a time). The frame split is C1's: 7:3 within each class.

# %%
manifest_path = datasets.resolve(data_root, layout, demo_size=demo_size, seed=seed)
run.use_manifest(manifest_path)
seqs = loaders.load_sequences(manifest_path, n_frames, crop_size, progress=False)
with run.timed("features"):
    feats, _ = features.sequence_features(seqs.X, seqs.mask, input_size=input_size,
                                          backbone_weights=backbone_weights, seed=seed,
                                          extractor=extractor)
ratio = claims["C.sec_data.split_ratio"].value
train_share = ratio[0] / sum(ratio)
masks = {"video": evaluation.video_split(seqs.mask, seqs.splits),
         "frame": evaluation.frame_split(seqs.mask, seqs.y, train_share, seed)}
print({k: (int(tr.sum()), int(te.sum())) for k, (tr, te) in masks.items()},
      "train/test frames;", extractor, "features", feats.shape)

# %% [markdown]
# ## Training the systems
#
# One unit of work per (split, seed): every system of the unit is trained with that seed on
# the split's training frames (Adam, Table 4's learning rate and batch size) and scores the
# test frames. `bilstm_crf` is the paper's two stages: the CRF fitted on **this unit's
# trained BiLSTM**, so BiLSTM and BiLSTM + CRF differ by the CRF alone; `bilstm_crf_e2e` is
# the end-to-end alternative. The units go through `core.dispatch.map_units` (the features
# sent once); a unit's result depends on the unit alone, not on the order or on what ran
# before. **Frame score**: p(fake) from the softmax, or the CRF's posterior marginal.
# **Video score**: a log-odds that never saturates, decided at 0 (ties: fake), so a video's
# decision never contradicts the score its ROC ranks it by: for the softmax systems the
# **summed per-frame logits** $\sum_t (e_{t,1} - e_{t,0})$ over the video's test frames,
# for the CRFs the CRF's own log-odds of the all-fake against the all-real path (section
# "Coherent video scores for the CRF"). Frame decisions are the argmax, or the Viterbi path
# for the CRFs.

# %%
units_ = evaluation.grid_units(split_kinds, seeds, systems, epochs=epochs,
                                learning_rate=learning_rate, **arch)
with run.timed("train_all"):
    grid = evaluation.run_grid(units_, feats, seqs.y, masks, desc="C3 fits")
results = evaluation.grid_table(grid)
scores = evaluation.scores_of(grid)
print(f"{len(units_)} units, {len(results)} rows")

# %% [markdown]
# ## What the fits cost
#
# Optimiser steps and training examples (videos x epochs) summed over every fit of the
# grid, per system (the CRF stage of `bilstm_crf` alone: its BiLSTM is the `bilstm` fit),
# for the performance page; seconds per fit go to the results file's timings.

# %%
costs = evaluation.fit_costs(grid)
for k, c in costs.items():
    run.fit_cost(k, **c)
print(pd.DataFrame(costs).T[["fits", "steps", "examples"]].to_string())

# %% [markdown]
# ## Does the headline model learn?
#
# Video-level test AUC on the **video-disjoint** split (no test video was seen in
# training), seed `seeds[0]`, with a 95 % bootstrap interval over the test videos
# (`stats.auc_interval`): the model learned when the lower bound is above 0.5. Beside it,
# the learnability controls of notebook D1 on the same benchmark (out of fold over all
# videos, so a reference, not a paired comparison).

# %%
main_split = "video" if "video" in split_kinds else split_kinds[0]
learns = evaluation.video_auc_table(scores, main_split, seeds[0], systems, n_boot, seed)
for k, v in learns.items():
    print(f"{k:15s} video AUC {v['auc']:.3f} [{v['ci_low']:.3f}, {v['ci_high']:.3f}] "
          f"n={v['n']}  above chance: {stats.learned_word(v['above_chance'])}")
for k, v in controls.d1_aucs(profile, demo_size, seed, results_dir,
                             run.manifest).items():
    print(f"control {k:9s} (D1) AUC {v['auc']:.3f} "
          f"[{v['ci_low']:.3f}, {v['ci_high']:.3f}]")
run["headline_learns"] = {"split": main_split, "extractor": extractor, "auc": learns}

# %% [markdown]
# ## Every video tested: identity folds
#
# One test split of 54 videos resolves an AUC to about $\pm 0.15$. The demo benchmark
# carries five folds drawn over identities, so every video can be tested once, by a
# model trained on the other four folds that never saw its identity (`identity_folds`,
# seed `seeds[0]`; the folds are the benchmark's, fixed when it was built, not chosen
# here). The interval resamples **identities** (the independent unit: a fake and its real
# twin share one), and the rankings are paired on the same videos.

# %%
if identity_folds:
    folds = evaluation.fold_splits(seqs.mask, seqs.folds)
    fold_units = evaluation.grid_units(list(folds), seeds[:1], systems, epochs=epochs,
                                       learning_rate=learning_rate, **arch)
    with run.timed("identity_folds"):
        fold_grid = evaluation.run_grid(fold_units, feats, seqs.y, folds, desc="folds")
    fold_scores = evaluation.scores_of(fold_grid)
    oof = {k: evaluation.out_of_fold(fold_scores, folds, seeds[0], k) for k in systems}
    oof_auc = {k: stats.auc_interval(d["y"], d["score"], seqs.identities[d["video"]],
                                     n_boot=n_boot, seed=seed) for k, d in oof.items()}
    print(pd.DataFrame(oof_auc).T[["auc", "ci_low", "ci_high", "n", "above_chance"]])
    run["identity_folds"] = {"auc": oof_auc, "folds": len(folds)}

# %%
if identity_folds:
    for a, b in (("bilstm_crf", "bilstm"), ("bilstm", "xception")):
        if a in oof and b in oof:
            d = stats.paired_bootstrap_difference(
                oof[a]["y"], oof[a]["score"], oof[b]["score"], roc_auc_score,
                groups=seqs.identities[oof[a]["video"]], n_boot=n_boot, seed=seed)
            print(f"AUC {a} - {b}: {d['diff']:+.3f} [{d['ci_low']:+.3f}, "
                  f"{d['ci_high']:+.3f}] -> {stats.decide(d['ci_low'], d['ci_high'])} "
                  f"({d['method']})")
            run[f"identity_folds/{a}_minus_{b}"] = d

# %% [markdown]
# ## Coherent video scores for the CRF
#
# The mean of the CRF's posterior marginals saturates: in float32 a sure frame is exactly
# 1.0, and whole videos tie at 1.0 (or 0.0), which a ROC cannot order. The CRF's own
# log-odds of its two constant paths,
# $\log p(\mathbf 1|x) - \log p(\mathbf 0|x) = s(x,\mathbf 1) - s(x,\mathbf 0)$, needs no
# $\log Z$ and no exponential. Tied test videos before (mean p) and after (log-odds):

# %%
# NBVAL_CHECK_OUTPUT
for kind in [k for k in ("bilstm", "bilstm_crf") if k in systems]:
    d = scores[(main_split, seeds[0], kind, "video")]
    before = evaluation.count_ties(d["mean_p"])
    after = evaluation.count_ties(d["score"])
    print(f"{kind:11s} tied videos: mean p {before['tied_videos']:3d} "
          f"({before['tied_pairs']} pairs) -> log-odds {after['tied_videos']:3d} "
          f"of {after['videos']}")
    run[f"ties/{kind}"] = {"mean_p": before, "log_odds": after}

# %% [markdown]
# Once the CRF has collapsed onto constant paths (notebook C2), its log-odds is the
# BiLSTM's summed-logit pooling seen through the CRF's node map and a bias. How close, on
# the same test videos: the paired bootstrap over videos of the AUC difference, and the
# rank correlation of the two scores.

# %%
if {"bilstm", "bilstm_crf"} <= set(systems):
    a, b = (scores[(main_split, seeds[0], k, "video")]
            for k in ("bilstm_crf", "bilstm"))
    near = evaluation.auc_ranking(a, b, n_boot=n_boot, seed=seed)
    rho = pd.Series(a["score"]).corr(pd.Series(b["score"]), method="spearman")
    print(f"AUC(CRF log-odds) - AUC(BiLSTM summed logits) = {near['diff']:+.3f} "
          f"[{near['ci'][0]:+.3f}, {near['ci'][1]:+.3f}]; Spearman rho {rho:.3f}")
    run["crf_vs_summed_logits"] = {**near, "spearman": float(rho)}

# %% [markdown]
# ## Figure 9: ROC curves
#
# Same test videos for every system; seed `seeds[0]`. Colours as in the paper (blue
# dashed: Xception-only, yellow: BiLSTM, green: BiLSTM + CRF); grey dotted: the end-to-end
# alternative. The headline is the **video level on the video-disjoint split** (top right);
# frame level beside it; the frame split (bottom row) only as the leakage contrast, since
# its test frames come from training videos.

# %%
fig, axes = plt.subplots(len(split_kinds), 2, figsize=(10, 4.6 * len(split_kinds)),
                         squeeze=False)
for r, split in enumerate(split_kinds):
    for c, level in enumerate(["frame", "video"]):
        evaluation.plot_rocs(axes[r, c], scores, split, seeds[0], level,
                             f"{split} split, {level} level")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Intervals over videos
#
# AUC, EER and average precision with 95 % bootstrap intervals, seed `seeds[0]`. The
# frames of one video are not independent, so a resample draws **whole test videos** (all
# their frames together) at both levels. Beside them, the paper's AUC (FaceForensics++,
# level not stated; no AUC is given for the end-to-end alternative):

# %%
auc_table = evaluation.interval_table(scores, split_kinds, seeds[0], n_boot, seed)
systems_shown = auc_table.index.get_level_values("system")
paper_auc = {k: claims[f"C.fig9.auc_{k}"].value for k in heads.SYSTEMS}
paper_col = [paper_auc.get(k, float("nan")) for k in systems_shown]
auc_table.insert(0, "paper AUC (FF++)", paper_col)
print(auc_table.to_string())
run["auc_table"] = auc_table.reset_index().to_dict("records")

# %% [markdown]
# ### Does the ranking of Figure 9 hold?
#
# The claim "CRF > BiLSTM > Xception-only" in AUC, tested on the video-disjoint split at
# **video level** (and, for comparison, on the paper's frame split): the paired bootstrap
# interval of the AUC difference on the same test videos, same seed. True: the
# interval is above 0; False: below; None: it spans 0, *or neither system beats chance* (no
# AUC interval above 0.5), since a ranking of two detectors that do not work says nothing
# about the paper's claim. The end-to-end alternative is compared with the BiLSTM too
# (video-disjoint split).

# %%
pairs = {"crf_beats_bilstm_auc": ("bilstm_crf", "bilstm"),
         "bilstm_beats_xception_auc": ("bilstm", "xception"),
         "e2e_crf_beats_bilstm_auc": ("bilstm_crf_e2e", "bilstm")}
ranking = {}
for split in split_kinds:
    for key in list(pairs)[:3 if split == main_split else 2]:
        sa, sb = (scores.get((split, seeds[0], k, "video")) for k in pairs[key])
        if sa is not None and sb is not None:
            r = evaluation.auc_ranking(sa, sb, n_boot=n_boot, seed=seed)
            ranking[(split, key)] = r
            print(f"{split:5s} AUC({pairs[key][0]}) - AUC({pairs[key][1]}) = "
                  f"{r['diff']:+.3f} [{r['ci'][0]:+.3f}, {r['ci'][1]:+.3f}]  "
                  f"above chance: {r['above_chance']}  -> {r['holds']}")
run["fig9_ranking"] = {f"{s}/{k}": v for (s, k), v in ranking.items()}

# %%
for key in ("crf_beats_bilstm_auc", "bilstm_beats_xception_auc"):
    if (main_split, key) in ranking:
        (a, b), r = pairs[key], ranking[(main_split, key)]
        run.evidence(f"C.fig9.{key}",
                     f"AUC of {a} > AUC of {b} (paper: {paper_auc[a]} vs "
                     f"{paper_auc[b]})",
                     r["holds"], ours=r,
                     detail=f"{main_split} split, video level, seed {seeds[0]}, paired "
                            f"bootstrap over test videos n={n_boot}; None if neither "
                            "system beats chance", data=data_label)

# %% [markdown]
# ## Figure 9 at video level (paired by seed)
#
# The same differences paired by seed (every seed scores the same test videos), with the
# t-interval over seeds; shown beside the bootstrap, not used for the verdict (three seeds
# give a wide interval).

# %%
if len(seeds) > 1:
    for key in ("crf_beats_bilstm_auc", "bilstm_beats_xception_auc"):
        a, b = pairs[key]
        if a in systems and b in systems:
            d = evaluation.seed_auc_difference(scores, main_split, seeds, a, b)
            print(f"AUC({a}) - AUC({b}) over {len(seeds)} seeds: {d['diff']:+.3f} "
                  f"[{d['ci_low']:+.3f}, {d['ci_high']:+.3f}] ({d['method']})")
            run[f"fig9_seeds/{key}"] = d

# %% [markdown]
# ### Is there a temporal signal?
#
# When the systems stay near chance on unseen videos, is that because nothing in the
# features separates fakes, or because the heads do not learn it from this little data? A
# diagnostic outside the paper: a logistic regression on each video's mean absolute change
# of the features between consecutive frames, trained on the video-disjoint training videos.

# %%
tr_v, te_v = (seqs.splits != "test"), (seqs.splits == "test")
diag_auc = evaluation.frame_difference_auc(feats, seqs.mask, seqs.y, tr_v, te_v,
                                           seed=seed)
print(f"frame-difference baseline, video-disjoint test videos: AUC {diag_auc:.3f} "
      f"({int(te_v.sum())} videos)")
run["frame_difference_auc"] = diag_auc

# %% [markdown]
# ## Figure 8: accuracy, precision, recall, F1 over seeds
#
# Mean +- sd over seeds with a t-interval over seeds (smoke: one seed, no spread and no
# interval). The paper's numbers for BiLSTM + CRF: recall 90.00 %, F1 87.09 %.

# %%
summary = {}
for (split, level, kind), g in results.groupby(["split", "level", "system"]):
    for metric in ["accuracy", "precision", "recall", "f1"]:
        summary[(split, level, kind, metric)] = stats.summarise(g[metric].to_numpy())
fig8 = pd.Series({k: f"{v['mean']:.3f} +- {v['sd']:.3f}" for k, v in summary.items()})
print(fig8.unstack()[["accuracy", "precision", "recall", "f1"]].to_string())
run["fig8"] = {"/".join(k): v for k, v in summary.items()}

# %% [markdown]
# What the CRF adds to the same trained BiLSTM, paired by seed (paper: precision +1.6,
# recall +2.0, F1 +2.5), on the video-disjoint split at frame level, with the t-interval of
# the paired difference over seeds:

# %%
g = results[(results.split == main_split) & (results.level == "frame")]
g = g.set_index(["seed", "system"])
paper_gain = {m: claims[f"C.abstract.{m}_gain"].value
              for m in ["precision", "recall", "f1"]}
for m, gain in paper_gain.items():
    d = stats.paired_seed_difference(g.xs("bilstm_crf", level="system")[m] * 100,
                                     g.xs("bilstm", level="system")[m] * 100)
    print(f"{m:9s} CRF - BiLSTM = {d['diff']:+.2f} points  "
          f"CI [{d['ci_low']:+.2f}, {d['ci_high']:+.2f}]   paper {gain:+.1f}")
    run.evidence(f"C.fig8.crf_gain_{m}",
                 f"The CRF raises {m} over the BiLSTM (paper: +{gain}%)",
                 stats.decide(d["ci_low"], d["ci_high"]), ours=d,
                 detail=f"{main_split} split, frame level, {d['method']}; "
                        "one seed gives no interval", data=data_label)

# %% [markdown]
# ## Do the paper's own numbers agree with each other?
#
# Three checks that need no data, only arithmetic on the paper's figures (read from the
# ledger):
#
# 1. **Figure 8 vs the abstract.** Recall 90.00 % and F1 87.09 % imply a precision of
#    $P = F_1 R / (2R - F_1)$. F1 is a harmonic mean: if precision rises by at most 1.6 % and
#    recall by at most 2.0 %, F1 cannot rise by 2.5 % (relative), nor by 2.5 points.
# 2. **Table 3** (kernel sizes). On a test set where a share $p$ of examples is positive,
#    accuracy, precision and recall fix $p = (1-\text{acc}) / ((1-R) + R(1-P)/P)$. The
#    paper's test set is 1/3 real, 2/3 fake; every column of Table 3 should give one of these.
# 3. **The models table vs Table 5.** The same accuracies appear in both, one row apart.
#    (The text announces the kernel-size table as "Table 2" where it stands and calls it
#    "Table 3" after it; the book follows the ledger: Table 2 is the batch-size table, whose
#    cells are not in the text, Table 3 the kernel sizes, and the accuracy table of Meso4 ...
#    "the proposed model", which the text never numbers, "the models table".)

# %%
# NBVAL_CHECK_OUTPUT
R, F1 = claims["C.fig8.recall"].value / 100, claims["C.fig8.f1"].value / 100
gp, gr, gf = (paper_gain[m] for m in ("precision", "recall", "f1"))
P = identities.precision_from(F1, R)
F1_0 = identities.f1_from(P / (1 + gp / 100), R / (1 + gr / 100))
F1_0a = identities.f1_from(P - gp / 100, R - gr / 100)
rel, pts = (F1 / F1_0 - 1) * 100, (F1 - F1_0a) * 100

# %%
# NBVAL_CHECK_OUTPUT
print(f"implied precision with CRF {P:.4f}; relative gains +{gp}%/+{gr}% give F1 "
      f"{F1_0:.4f} -> {F1:.4f}: {rel:+.2f}% relative (paper: +{gf}%)")
print(f"as absolute points: F1 {F1_0a:.4f} -> {F1:.4f}: {pts:+.2f} points "
      f"(paper: +{gf})")
run.evidence("C.consistency.f1_gain_possible",
             f"+{gp}% precision and +{gr}% recall can produce +{gf}% F1 (abstract)",
             holds=bool(max(rel, pts) >= gf - 0.05),
             ours={"relative_f1_gain_pct": rel, "absolute_f1_gain_points": pts},
             detail="F1 is a harmonic mean: its gain is bounded by those of P and R",
             data="paper")

# %%
# NBVAL_CHECK_OUTPUT
tables = evaluation.ledger_tables()
table3 = tables["table3"]
table3["F1 from P, R"] = [identities.f1_from(p, r)
                          for p, r in zip(table3.precision, table3.recall)]
table3["implied share of positives"] = [
    identities.prevalence_from_precision(a, p, r)
    for a, p, r in zip(table3.accuracy, table3.precision, table3.recall)]
print(table3.round(3).to_string())
shares = table3["implied share of positives"]
ok = [min(abs(v - 1 / 3), abs(v - 2 / 3)) < 0.02 for v in shares]
run.evidence("C.consistency.table3_accuracy_matches_test_set",
             "Table 3's accuracy, precision and recall fit a test set with 1/3 or 2/3 "
             "positives", holds=bool(all(ok)), ours=shares.round(4).to_dict(),
             detail="p = (1-acc)/((1-R)+R(1-P)/P); F1 column agrees with P and R",
             data="paper")

# %%
# NBVAL_CHECK_OUTPUT
models_t, table5 = tables["models"], tables["table5"]
named = ["Capsule", "ConvLSTM", "DenseNet", "proposed"]
same_by_name = {n: bool((models_t.loc[n] == table5.loc[n]).all()) for n in named}
shifted = bool((models_t.to_numpy()[:5] == table5.to_numpy()[:5]).all())
print("rows that agree by name:", same_by_name)
print("Table 5's first five rows = the models table's five, one row apart:", shifted)
gap = claims["C.sec_results.capsule_ffpp"].value - models_t.loc["proposed", "FF++"]
print(f"Table 5: BiLSTM without CRF on FF++ {table5.loc['BiLSTM (no CRF)', 'FF++']} > "
      f"proposed {table5.loc['proposed', 'FF++']}; text: gap to Capsule {gap:.2f} "
      f"points (paper says {claims['C.sec_results.gap_to_capsule'].value})")

# %%
run.evidence("C.consistency.models_table_table5_agree",
             "The models table and Table 5 agree on the same models' accuracies",
             holds=bool(all(same_by_name.values())),
             ours={"agree_by_name": same_by_name, "rows_shifted": shifted},
             detail="Table 5 repeats the models table's column one row lower and "
                    "gives DenseNet the proposed model's numbers; it also puts the "
                    "BiLSTM without CRF above the proposed model on FF++", data="paper")

# %% [markdown]
# ## Table 3: the kernel-size experiment, re-run
#
# The paper varies "the convolution kernel" (3 x 3, 5 x 5, 7 x 7, 3 x 3 + 5 x 5) without saying
# which layer. Xception's kernels are fixed by its design; the convolution we can vary without
# retraining the backbone is a 1-D convolution over time placed before the BiLSTM (kernels of
# 3, 5, 7 frames, and 3 and 5 in parallel). It is a stand-in, not the paper's experiment.
# The paper's two-stage BiLSTM + CRF, video-disjoint split, video level, seed `seeds[0]`
# (one run, like the paper's table; the smoke profile skips it). The claim "3 x 3 is best"
# holds when kernel 3's accuracy beats every other's (paired bootstrap over test videos).

# %%
if kernel_sizes:
    k_units = [u for ks in kernel_sizes for u in evaluation.grid_units(
        [main_split], seeds[:1], ["bilstm_crf"], epochs=epochs,
        learning_rate=learning_rate, temporal_kernel=list(ks), **arch)]
    with run.timed("kernel_sizes"):
        k_grid = evaluation.run_grid(k_units, feats, seqs.y, masks, desc="kernels")
    k_table = evaluation.grid_table(k_grid).query("level == 'video'")
    print(k_table.set_index("kernel")[["accuracy", "f1", "recall", "precision", "auc"]]
          .round(3).to_string())
    run["table3_rerun"] = (k_table.set_index("kernel")[["accuracy", "auc"]]
                           .to_dict("index"))

# %%
if kernel_sizes and "3" in set(k_table.kernel):
    per_kernel = {"+".join(map(str, r["unit"]["temporal_kernel"])):
                  r["systems"]["bilstm_crf"]["video"] for r in k_grid}
    per_kernel = {k: {n: pd.Series(a).to_numpy() for n, a in d.items()}
                  for k, d in per_kernel.items()}
    best = evaluation.best_kernel(per_kernel, "3", n_boot=n_boot, seed=seed)
    for k, v in best["differences"].items():
        print(f"accuracy {k}: {v['accuracy_diff']:+.3f} "
              f"[{v['ci'][0]:+.3f}, {v['ci'][1]:+.3f}]")
    print("3 best:", best["holds"], "(None when no configuration beats chance)")
    run.evidence("C.table3.best_kernel", claims["C.table3.best_kernel"].quote,
                 best["holds"],
                 ours=best, detail="temporal Conv1D stand-in before the BiLSTM; "
                 f"{main_split} split, video level, seed {seeds[0]}; " + best["method"],
                 data=data_label)

# %% [markdown]
# ## The real-time claim
#
# The paper says the approach "outperforms existing methods in real-time detection" and
# gives no frame rate, latency or timing, so nothing here is compared with a number of the
# paper's. We measure, on this machine's CPU (shared with other jobs while the book is
# built; the `dfbook bench` page states the machine): (1) the head alone (the two stages:
# BiLSTM, then the CRF) on given 2,048-d features, one sequence of `head_seq_len` frames at
# batch 1 (the latency of one stream) and 32 sequences at batch 32 (throughput); (2) one
# video alone through the whole pipeline (OpenCV decode + MTCNN + crop + Xception + head,
# nothing cached) at this notebook's crop and input size.

# %%
head = heads.TwoStage(
    heads.build_system("bilstm", head_seq_len, features.FEAT_DIM, **arch),
    heads.build_system("crf_stage", head_seq_len))
with run.timed("head_speed"):
    speed = timing.head_speed(head, features.FEAT_DIM, batch=32, repeats=3, seed=seed)
backbone = features.xception_backbone(input_size, backbone_weights, seed)
man = manifest.load(manifest_path)
video_path = man.abspath(next(it for it in man.items if it.get("kind") != "image"))
timing.pipeline_latency(video_path, head, backbone, 2, crop_size)         # warm-up
lat = timing.pipeline_latency(video_path, head, backbone, pipeline_frames, crop_size)
print(f"head, one stream (batch 1, {head_seq_len} frames): "
      f"{speed['batch1_s_per_call'] * 1000:.1f} ms per sequence; batch 32: "
      f"{speed['batch32_frames_per_s']:,.0f} frames/s")
print(f"one video alone ({lat['frames']} frames, Xception at {input_size}px): "
      + ", ".join(f"{k} {v:.2f}s" for k, v in lat.items() if k.endswith("_s")))

# %% [markdown]
# What the design implies, before any timing: the BiLSTM's backward direction reads every
# later frame, and the paper's 30 frames are "uniformly selected" over a clip of 10 to 15 s,
# so the last of them comes only at the end of the clip. Two readings of "real-time":
# **keeps up** (a clip of 30 frames is classified in less time than the shortest clip lasts,
# from the measured per-frame cost of this one stream) and **while it plays** (a verdict
# before the clip has ended: impossible by design, whatever the speed).

# %%
rt = timing.realtime_readings(lat, claims["C.sec_data.frames_per_video"].value,
                              claims["C.sec_data.video_duration"].value)
print(f"keeps up: {rt['keeps_up']} ({rt['timing']['seconds_per_clip']:.2f} s per clip "
      f"of {claims['C.sec_data.frames_per_video'].value} frames)")
print(f"while it plays: {rt['while_it_plays']} ({rt['why']})")
run.timing["head_fps"] = round(speed["batch32_frames_per_s"], 1)
run.timing["head_batch1_s"] = round(speed["batch1_s_per_call"], 4)
run.timing["pipeline_fps"] = round(lat["frames"] / lat["total_s"], 2)
run.timing["seconds_per_clip"] = round(rt["timing"]["seconds_per_clip"], 3)

# %%
shown = ("while_it_plays", "clip_seen_before_verdict_s")       # keeps_up: a timing
run.evidence("C.realtime.pipeline_fps", claims["C.abstract.realtime"].quote,
             timing.machine_free_verdict(rt), ours={k: rt[k] for k in shown},
             detail="two readings; while it plays fails by design, keeps up is a "
                    "timing of this machine (timing.seconds_per_clip against the "
                    "shortest clip), judged apart. " + rt["why"]
                    + f"; timings in timing.*, crops {crop_size}px, "
                      f"Xception {input_size}px", data=data_label)

# %% [markdown]
# ## Summary of the evidence
#
# Every claim this notebook tested, with the verdict computed above (True: holds; False:
# does not; None: inconclusive, e.g. the systems do not beat chance on this data, one seed
# gives no interval, or the readings of a claim disagree). The claims dashboard collects the
# same rows for the whole book. "data" says whether the evidence comes from the demo
# benchmark (or `data_root`) or from arithmetic on the paper's own numbers.

# %%
pd.DataFrame({k: {"holds": v["holds"], "data": v["data"], "claim": v["claim"]}
              for k, v in run["evidence"].items()}).T

# %% [markdown]
# ## What next
#
# The claims dashboard turns this evidence into verdicts beside papers A and B. To rerun at
# the paper's scale: the full profile (30 frames, 256 px crops, Xception at 299 px with
# ImageNet weights, five seeds) with `data_root` pointing at FaceForensics++.

# %%
run.save()
