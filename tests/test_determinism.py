"""Same seed, same results file (apart from `timing`), on a notebook that trains models.

`make test` has already run every notebook once under the smoke profile; this test runs a
training notebook again with the same parameters and compares the two results files. B2 is
the cheapest notebook that draws on every source of randomness the book uses: weight
initialisation, shuffling, augmentation, SMOTE and the particle swarm. (nbval re-executes
every notebook as well and compares the outputs of its `# NBVAL_CHECK_OUTPUT` cells, A3's
training results among them.)
"""

import json

import pytest

from deepfake_lib import runner
from deepfake_lib.paths import results_dir
from deepfake_lib.results import without_timing

TRAINING_NOTEBOOK = "B2_cnn_rnn"


@pytest.mark.slow
def test_rerun_of_a_training_notebook_gives_an_identical_results_file(tmp_path):
    path = results_dir() / f"{TRAINING_NOTEBOOK}.json"
    assert path.exists(), f"{path} missing: `make test` runs `dfbook run --profile smoke` first"
    first = json.loads(path.read_text())
    plan = runner.make_plan("smoke", only=[TRAINING_NOTEBOOK])
    [outcome] = runner.run(plan, out_dir=tmp_path)
    assert outcome.status == "ok", outcome.error
    second = json.loads(path.read_text())
    assert without_timing(second) == without_timing(first)
    assert second["values"], "a results file with no values proves nothing"
