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
from deepfake_lib.book import perf
from deepfake_lib.core.results import Run

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
# results' values because it varies by machine and run). C3's latency and frames-per-second
# rows are what it reads paper C's real-time claim against.

# %%
perf.notebook_timings(results_dir)

# %% [markdown]
# ## What training costs
#
# For every system a notebook trains: the optimiser steps of one fit, the training
# examples it saw (images for paper A, clips for paper B, sequences for paper C, counted
# once per epoch) and the seconds one fit took on the machine that built this page.

# %%
perf.training_costs(results_dir)

# %% [markdown]
# ## Dispatch: inline and Ray
#
# The independent fits inside a notebook (a seed x configuration grid, the particles of
# one PSO iteration) go through one call, `dispatch.map_units`, which runs them in the
# notebook's process (`inline`, the default) or as tasks on Ray (`dfbook run --executor
# ray`: a local Ray on 127.0.0.1, or a cluster with `--address`), with the same results.
# Three figures, each from one run of `dfbook bench`:
#
# - `dispatch_overhead`: the cost of one trivial unit inline and on a local Ray whose
#   workers are up; its ratio is how many times inline's cost a Ray task costs, a
#   millisecond or so that does not matter against a fit of seconds;
# - `dispatch_speedup`: a grid of small CNN-RNN fits, one inline process against a local
#   Ray with 2 workers, one TensorFlow thread each (on 2 cores at most 2x; less on a
#   machine shared with other work, hence the load average beside it);
# - `dispatch_resume`: the same grid from an empty run store, and resumed after half of
#   its fits were stored, as an interrupted run finds it.

# %%
perf.dispatch_figures(report)

# %% [markdown]
# How each run's units were dispatched: the executor, the units that ran, and those taken
# from the run store (a rerun of the same notebook, data and code trains nothing again).

# %%
perf.executions(results_dir)

# %% [markdown]
# ## What a full-scale rerun costs
#
# The fits each notebook runs under the `full` profile, counted from its parameters, and
# what one fit costs, estimated from a scaled run (`rerun_estimate`): each model is built
# at the full input size and trained for a few batches here, giving CPU-hours per fit;
# its forward FLOPs (TensorFlow's profiler) x 3 x samples x epochs, at an assumed
# sustained GPU rate plus a fixed cost per training step, give GPU-hours. Estimates, with
# the dataset sizes and assumptions stated in `deepfake_lib/bench/rerun.py`; the
# [rerun page](../rerun.md) turns them into commands.

# %%
perf.rerun_table(report)

# %%
run["benchmarks"] = sorted(report["benchmarks"]) if report else []
run.save();

# %% [markdown]
# ## What next
#
# - Rerun a notebook at full scale on a GPU or a Ray cluster: [the rerun page](../rerun.md)
#   gives the fits per notebook, the GPU-hours and the exact commands.
# - `dfbook bench` measures every figure of this page again on your machine.
