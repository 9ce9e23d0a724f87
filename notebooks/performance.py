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
# # Performance
#
# Speed is a requirement of this book, measured by `dfbook bench` and never by timed tests.
# Each benchmark compares a fast path with a baseline **measured in the same run on the same
# machine**, so its ratio means something even where absolute seconds do not carry over:
# the face pipeline against a naive per-frame MTCNN loop, the vectorised PSO step against a
# per-particle loop, the CRF head's batched Viterbi against a per-sequence loop, paper A's
# training step compiled against eager, and others.
# `make book` runs the benchmarks before the notebooks; `dfbook bench` reruns them.

# %% tags=["parameters"]
seed = 0
profile = "smoke"
data_root = None
results_dir = None

# %%
from deepfake_lib import perf
from deepfake_lib.results import Run

run = Run("performance", globals())
report = perf.load_bench(results_dir)
print(perf.describe_machine(report))

# %% [markdown]
# ## Ratios measured in one run
#
# `result` is the benchmark's headline: a ratio (baseline seconds / fast seconds, higher is
# better) or, for a build with a time budget, its seconds against that budget. `target` is the
# figure the benchmark was set to reach, and `met` is computed from this run.

# %%
table = perf.bench_table(report)
table.drop(columns="ratio")

# %%
perf.plot_ratios(table);

# %% [markdown]
# Everything else each benchmark measured (throughputs are per second on this machine):

# %%
perf.measurements(report)

# %% [markdown]
# ## Timings the notebooks recorded
#
# Each notebook times its expensive steps into its results file (`timing`, kept apart from the
# results' values because it varies by machine and run). The frames-per-second rows of C3 are
# the evidence for paper C's real-time claim, which C3 judges against 25 frames/s.

# %%
perf.notebook_timings(results_dir)

# %%
run["benchmarks"] = sorted(report["benchmarks"]) if report else []
run.save();
