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
# # Claims dashboard
#
# Every quantitative claim of the three papers (each cell of their results tables, each
# hyperparameter, dataset count, split size, parameter count, AUC and improvement percentage,
# and the numbers they quote for other methods) is transcribed into a ledger, one YAML file
# per paper in `deepfake_lib/claims/`. This page puts each claim next to what the book can say
# about it, and every verdict is computed: from arithmetic on the papers' own numbers, and from
# the evidence that the other notebooks of this book wrote into `book/results/*.json`.
#
# **What "ours" means.** Numbers marked *demo data* come from the book's embedded demo
# benchmark: a few dozen short clips of real faces taken from media shipped inside software
# packages, with fakes made by simple identity swaps, expression warps and texture
# re-rendering. It is small and synthetic in its manipulations, so it can test a direction
# or a ranking a paper claims, never the paper's numbers, which were measured on DFDC,
# Ciplab, Celeb-DF and FaceForensics++. Those need the datasets: each such claim lists the
# command that would test it.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None      # not used: this page reads the ledgers and the results files
results_dir = None    # None: book/results

# %%
from IPython.display import HTML, display

from deepfake_lib.claims import report
from deepfake_lib.claims.verdicts import assess
from deepfake_lib.results import Run

run = Run("claims_dashboard", globals())
a = assess(results_dir)

# %% [markdown]
# ## How a verdict is computed
#
# A claim's verdict follows four rules, in order:
#
# 1. **inconsistent**: an arithmetic check involving the claim fails (the arithmetic is shown);
# 2. **reproduced-on-demo / not-reproduced-on-demo / inconclusive-on-demo**: a notebook of
#    this book recorded evidence for the claim; it holds when confidence intervals separate in
#    the claimed direction, fails when they separate the other way, and is inconclusive when
#    they overlap;
# 3. **consistent**: every check involving the claim passes;
# 4. otherwise, **needs-dataset** for results, rankings and dataset counts (with the
#    `dfbook run --profile full ...` command that would test it), and **untestable** for
#    settings, descriptions of the model, other works' numbers, background figures and
#    hardware (with the reason).
#
# ## Checks
#
# The checks need no data, only identities that any confusion matrix satisfies. Printed
# numbers are rounded, so a value printed with $d$ decimals stands for
# $x \pm \tfrac12 10^{-d}$, and two numbers agree when their intervals overlap.
#
# - error rate $= 100\% - \text{accuracy}$;
# - accuracy is the prevalence-weighted mean of sensitivity and specificity,
#   $\text{acc} = \pi\,\text{sens} + (1-\pi)\,\text{spec}$, so a row of sensitivity,
#   specificity and accuracy implies the share of fakes in its test set,
#   $\pi = (\text{acc}-\text{spec})/(\text{sens}-\text{spec}) \in [0, 1]$, the same for all
#   runs scored on one test set;
# - precision then follows, $P = \pi\,\text{sens} / (\pi\,\text{sens} + (1-\pi)(1-\text{spec}))$,
#   and $F_1 = 2PR/(P+R)$;
# - from accuracy $a$, precision $P$ and recall $R$ the share of positives is
#   $(1-a) / \big((1-R) + R(1-P)/P\big)$;
# - a $k\times k$ convolution from $c_\text{in}$ to $c_\text{out}$ channels has
#   $k^2 c_\text{in} c_\text{out} + c_\text{out}$ parameters;
# - a PSO swarm converges only if $|w| < 1$ and $c_1 + c_2$ stays below
#   $2(1+w)$ (deterministic), $4(1+w)$ (order 1) or $24(1-w^2)/(7-5w)$ (order 2; notebook B1).
#
# The ledger holds this many claims and checks:

# %%
# NBVAL_CHECK_OUTPUT
for p, led in a.ledgers.items():
    n_checks = sum(r.paper == p for r in a.checks)
    n_bad = sum(r.paper == p and r.verdict == "inconsistent" for r in a.checks)
    print(f"paper {p}: {len(led.claims)} claims, {n_checks} checks, {n_bad} inconsistent")

# %% [markdown]
# ## Verdicts at a glance
#
# Claims per verdict and paper. A claim counts as *inconsistent* when it takes part in at
# least one failing check.

# %%
display(HTML(report.html_counts(a)))
if a.unmatched_evidence:
    print("evidence matching no ledger claim:", ", ".join(a.unmatched_evidence))

# %% [markdown]
# ## The ledger
#
# One table per paper. *paper* is the value as printed; *ours* is the number a notebook of this
# book measured, with the data it came from; *evidence* links to the section of the notebook
# that recorded it.
#
# ### Paper A: hybrid CNN-LSTM with transfer learning (Electronics 13:1662, 2024)

# %%
display(HTML(report.html_paper_table(a, "A")))

# %% [markdown]
# Checks of paper A, with their arithmetic:

# %%
display(HTML(report.html_checks(a, "A")))

# %% [markdown]
# ### Paper B: CNN-RNN tuned by particle swarm optimisation (Computers 13:99, 2024)

# %%
display(HTML(report.html_paper_table(a, "B")))

# %% [markdown]
# Checks of paper B, with their arithmetic:

# %%
display(HTML(report.html_checks(a, "B")))

# %% [markdown]
# ### Paper C: BiLSTM + CRF for fast detection (PeerJ Computer Science 11:e2867, 2025)

# %%
display(HTML(report.html_paper_table(a, "C")))

# %% [markdown]
# Checks of paper C, with their arithmetic:

# %%
display(HTML(report.html_checks(a, "C")))

# %%
run["claims"] = {p: len(led.claims) for p, led in a.ledgers.items()}
run["verdict_counts"] = {p: dict(a.counts(p)) for p in a.ledgers}
run["checks"] = {r.id: r.verdict for r in a.checks}
run["unmatched_evidence"] = a.unmatched_evidence
run.save()

# %% [markdown]
# ## What next
#
# The same table is printed by `dfbook claims [--paper A|B|C] [--json]`. A claim marked
# *needs-dataset* turns into *reproduced* or *not reproduced* by running the command shown in
# its row on the real dataset; the full-profile notebooks record their evidence the same way
# the demo runs do.
