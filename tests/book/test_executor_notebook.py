"""A notebook run with ``dfbook run --on-ray`` writes the results file the inline smoke run
wrote: the executor is chosen from outside, and changes no number.

B3 dispatches its five runs and its identity-fold runs (PSO's choice and the untuned
configuration) through ``map_units``; here they run
as tasks on a local 2-CPU Ray started inside the notebook's kernel (``--on-ray B3_results``:
that notebook alone), without the run store (every fit runs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deepfake_lib.book import runner
from deepfake_lib.core import results

DFBOOK = str(Path(sys.executable).with_name("dfbook"))


@pytest.mark.slow
def test_b3_on_a_local_ray_gives_the_inline_results_file(smoke_results_dir, tmp_path):
    label = {j.name: j.label for j in runner.make_plan("smoke").jobs}
    b2 = smoke_results_dir / "B2_cnn_rnn" / f"{label['B2_cnn_rnn']}.json"
    inline = smoke_results_dir / "B3_results" / f"{label['B3_results']}.json"
    (tmp_path / "results" / "B2_cnn_rnn").mkdir(parents=True)
    shutil.copy2(b2, tmp_path / "results" / "B2_cnn_rnn" / b2.name)  # B3 reads B2's choice
    env = {**os.environ, "DFBOOK_RESULTS": str(tmp_path / "results")}
    done = subprocess.run([DFBOOK, "-q", "run", "--only", "B3_results", "--on-ray", "B3_results",
                           "--ray-cpus", "2", "--no-store", "--out", str(tmp_path / "nb")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    on_ray = json.loads((tmp_path / "results" / "B3_results" / inline.name).read_text())
    first = json.loads(inline.read_text())
    folds = on_ray["values"]["identity_folds"]["folds"] * len(on_ray["params"]["fold_seeds"])
    configs = 2 if "tuned_vs_untuned_folds" in on_ray["values"] else 1    # + the untuned one
    assert on_ray["execution"]["executor"] == "ray"
    assert on_ray["execution"]["units_run"] == 5 + folds * configs
    assert first["execution"]["executor"] == "inline"
    assert results.without_timing(on_ray) == results.without_timing(first)
