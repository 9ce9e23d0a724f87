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
# hyperparameter, dataset count, split size, parameter count, AUC and improvement
# percentage, and the numbers they quote for other methods) is transcribed into a ledger,
# one YAML file per paper in `deepfake_lib/claims/`. This page reports what is wrong in the
# papers and what the book can say about each claim. Nothing on it is typed in: the
# findings come from arithmetic on the papers' own numbers, the verdicts from the findings
# and from the evidence the other notebooks wrote into `book/results/<notebook>/*.json`.
#
# **Reading this page.** The *findings* come first: one row per root cause, with its
# severity, the statement that does not hold, the claims of which at least one must be
# wrong (*culprits*), the claims it assumed (*premises*), the arithmetic, and the readings
# of the paper under which it fails or holds. The *claims* follow, each linked to the
# findings that name it. The code behind each table is folded away; open it with the
# toggle beside the table.
#
# **What "ours" means.** Numbers marked *demo data* come from the book's embedded demo
# benchmark (notebook D1): short clips of a few dozen real people whose faces ship inside
# software packages, with fakes made offline by identity swaps, expression warps and
# texture re-rendering, each leaving per-frame and temporal traces. It is small and synthetic in its manipulations, so it can test a direction
# or a ranking a paper claims, never the paper's numbers, which were measured on DFDC,
# Ciplab, Celeb-DF and FaceForensics++. Those need the datasets: each such claim lists the
# command that would test it.

# %% tags=["parameters", "hide-input"]
seed = 0
profile = "smoke"
data_root = None      # not used: this page reads the ledgers and the results files
results_dir = None    # None: book/results

# %% tags=["hide-input"]
from IPython.display import HTML, display

from deepfake_lib.claims import findings, readings, report_html
from deepfake_lib.claims.verdicts import assess
from deepfake_lib.core.results import Run

run = Run("claims_dashboard", globals())
a = assess(results_dir)

# %% [markdown]
# ## Findings
#
# Findings per severity and paper. A *contradiction* fails under every reading the paper
# allows, beyond its printed rounding; a *reading-dependent* finding fails under some
# readings and holds under others (the row names them); a *rounding* finding agrees only
# within what the printed digits allow and accuses nobody; a *concern* is a methodological
# point (leakage, settings outside every convergence region, comparisons across datasets),
# not an inconsistency.

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
for p in a.ledgers:
    n = findings.counts(a.findings, p)
    print(f"paper {p}: " + ", ".join(f"{s} {k}" for s, k in n.items()))

# %% tags=["hide-input"]
display(HTML(report_html.html_finding_counts(a)))

# %% [markdown]
# ### Paper A: hybrid CNN-LSTM with transfer learning (Electronics 13:1662, 2024)

# %% tags=["hide-input", "full-width"]
display(HTML(report_html.html_findings(a, "A")))

# %% [markdown]
# ### Paper B: CNN-RNN tuned by particle swarm optimisation (Computers 13:99, 2024)

# %% tags=["hide-input", "full-width"]
display(HTML(report_html.html_findings(a, "B")))

# %% [markdown]
# ### Paper C: BiLSTM + CRF for fast detection (PeerJ Computer Science 11:e2867, 2025)

# %% tags=["hide-input", "full-width"]
display(HTML(report_html.html_findings(a, "C")))

# %% [markdown]
# ## How a verdict is computed
#
# The rule is model-based diagnosis, with the paper's claims as the components that can
# be faulty.
#
# 1. **Conflicts.** A failing check says: at least one of its *culprit hypotheses* is
#    wrong. A hypothesis is one error: a number together with its verbatim reprints (a row
#    of Table 1 reprinted in Table 4 is one statement printed twice), or a block of a table
#    that moved together. The claims a check only assumes are its *premises*; a premise is
#    never blamed by it.
# 2. **Confirmation.** A hypothesis is *cleared* in a conflict when one of its claims is
#    confirmed by an independent check: a check that holds under every reading, relates
#    statements by an equality or an identity (a bare ranking, which many values satisfy,
#    confirms nothing; nor does a row compared with its own reprint, nor an identity that a
#    number copied into every cell satisfies), involves a claim outside the hypothesis and no
#    other candidate of the same conflict. If every hypothesis of a conflict is cleared, none
#    is: the statements cannot all hold. Only the claims the confirming check names count as
#    cleared: confirming one number of a table refutes the move of the whole table, not the
#    table's other numbers.
# 3. **Readings.** Each finding is evaluated under every combination of the readings its
#    checks run under. Under each, the *minimal diagnoses* are the sets of hypotheses that
#    explain every conflict and contain no smaller such set: every way of making the
#    paper's statements consistent with fewest errors of their kind. The smallest is the
#    most parsimonious explanation and is listed first, but parsimony alone accuses no one.
# 4. **Verdicts.** A claim is *inconsistent* when it is in every minimal diagnosis of a
#    contradiction under every reading: no way of reading the paper as consistent keeps it.
#    It is *suspect* when it is in some minimal diagnosis under every reading (the culprit
#    cannot be told apart: all candidates are listed); *reading-dependent* when only some
#    readings blame it; *concern* when a methodological finding names it. A contradiction
#    with an evident printing cause (a lost minus sign, a letter for another, a swapped
#    pair) is marked *misprint*; it stays a contradiction and its counts say how many.
#    Otherwise a notebook's evidence decides: *reproduced / not-reproduced /
#    inconclusive-on-demo* (or *-on-dataset*) when intervals over seeds separate in the
#    claimed direction, the other way, or overlap (where two notebooks measure one claim,
#    a real dataset's measurement before the demo's, then the one on more independent
#    test units decides, and the reason names the other); evidence computed without
#    data gives
#    *consistent* or *not-reproduced-computed* (the book's computation differs; the paper
#    does not contradict itself by that alone). A claim that a holding check involves, or
#    that a finding cleared, is *consistent*. The rest is *needs-dataset* (results,
#    rankings and dataset counts, with the `dfbook run --profile full ...` command that
#    would test them) or *untestable* (settings, descriptions of the model, other works'
#    numbers, background figures, hardware, with the reason).
#
# ## Readings
#
# Where the paper allows several meanings, every check runs under each of them; these are
# the readings the checks enumerate, with the paper's words.

# %% tags=["hide-input"]
readings.table("claims_dashboard")

# %% [markdown]
# ## Checks
#
# The checks need no data, only identities that any confusion matrix satisfies. Printed
# numbers are rounded: a value printed with $d$ decimals stands for
# $x \pm \tfrac12 10^{-d}$; two numbers *agree* when they are equal at the coarser printed
# precision, agree *within rounding* when only their rounding intervals overlap.
#
# - error rate $= 100\% - \text{accuracy}$ where the paper prints it so, and a binary
#   cross-entropy on the same set is at least $(1 - \text{accuracy}) \ln 2$;
# - accuracy is the prevalence-weighted mean of sensitivity and specificity,
#   $\text{acc} = \pi\,\text{sens} + (1-\pi)\,\text{spec}$, so a row implies the share of
#   fakes $\pi = (\text{acc}-\text{spec})/(\text{sens}-\text{spec}) \in [0, 1]$, one share
#   for runs scored on one test set;
# - precision then follows, $P = \pi\,\text{sens} / (\pi\,\text{sens} +
#   (1-\pi)(1-\text{spec}))$, and $F_1 = 2PR/(P+R)$, which is homogeneous of degree 1;
# - from accuracy $a$, precision $P$ and recall $R$ the share of positives is
#   $(1-a) / \big((1-R) + R(1-P)/P\big)$ (macro-averaged: $a - R = (\pi - \tfrac12)
#   (\text{sens} - \text{spec})$);
# - a $k\times k$ convolution from $c_\text{in}$ to $c_\text{out}$ channels has
#   $k^2 c_\text{in} c_\text{out} + c_\text{out}$ parameters, an LSTM of $u$ units on $d$
#   inputs $4(du + u^2 + u)$;
# - a PSO swarm converges only if $|w| < 1$ and $c_1 + c_2$ stays below $2(1+w)$
#   (deterministic), $4(1+w)$ (order 1) or $24(1-w^2)/(7-5w)$ (order 2; notebook B1).
#
# ## Verdicts at a glance
#
# Claims per verdict and paper.

# %% tags=["hide-input"]
display(HTML(report_html.html_counts(a)))
if a.unmatched_evidence:
    print("evidence matching no ledger claim:", ", ".join(a.unmatched_evidence))

# %% [markdown]
# ## The claims
#
# One table per paper. *paper* is the value as printed; *ours* is the number a notebook of
# this book measured, with the data it came from; *evidence* links to the section of the
# notebook that recorded it; *why* links to the findings that name the claim. Below each
# table, every check result with its arithmetic is folded away.
#
# ### Claims of paper A

# %% tags=["hide-input", "full-width"]
display(HTML(report_html.html_paper_table(a, "A")))
display(HTML(report_html.html_checks(a, "A")))

# %% [markdown]
# ### Claims of paper B

# %% tags=["hide-input", "full-width"]
display(HTML(report_html.html_paper_table(a, "B")))
display(HTML(report_html.html_checks(a, "B")))

# %% [markdown]
# ### Claims of paper C

# %% tags=["hide-input", "full-width"]
display(HTML(report_html.html_paper_table(a, "C")))
display(HTML(report_html.html_checks(a, "C")))

# %% tags=["hide-input"]
run["claims"] = {p: len(led.claims) for p, led in a.ledgers.items()}
run["verdict_counts"] = {p: dict(a.counts(p)) for p in a.ledgers}
run["finding_counts"] = {p: findings.counts(a.findings, p) for p in a.ledgers}
run["findings"] = {f.id: f.severity for f in a.findings}
run["unmatched_evidence"] = a.unmatched_evidence
run.save()

# %% [markdown]
# ## What next
#
# The same report is printed by `dfbook claims [--paper A|B|C] [--findings] [--json]`:
# `--findings` lists the root causes, `--json` carries findings, culprits, premises,
# readings and severities beside the claims. A claim marked *needs-dataset* turns into
# *reproduced* or *not reproduced* by running the command shown in its row on the real
# dataset; the full-profile notebooks record their evidence the same way the demo runs do.
