"""``dfbook run --profile full`` end to end on a fixture tree of every dataset layout.

One run of the full profile, sizes shrunk by an overlay file: A3 on a Ciplab tree (images),
B2 on Celeb-DF, C1 on DFDC, C2 on FaceForensics++, then the claims dashboard. It goes
through the adapters (layout -> manifest), the face pipeline (MTCNN crops), training,
the per-run results files and the dashboard's verdicts, in a data cache, results folder and
book folder of its own. The fixture videos are copies of one synthetic face video, so the
numbers mean nothing: this test proves the path, not a paper. A rerun of B2 then takes
every fit from the run store and gives the same results file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fixtures_data import celebdf_tree, ciplab_tree, dfdc_tree, ffpp_tree

from deepfake_lib.core import results
from deepfake_lib.data.video import astronaut_video

LAYOUT_OF = {"A3_training": "ciplab", "B2_cnn_rnn": "celebdf", "C1_preprocessing": "dfdc",
             "C2_model": "ffpp"}
SHRUNK = {
    "A3_training": {"image_size": 32, "epochs": 1, "seeds": [0], "per_video": 1,
                    "batch_sizes": [64], "dropouts": [0.25], "ablations": ["residual"]},
    "B2_cnn_rnn": {"n_frames": 8, "frames_per_clip": 4, "size": 32, "swarm": 2,
                   "pso_iters": 1, "pso_epochs": 1, "epochs": 1, "run_eagerly": True},
    "C1_preprocessing": {"n_frames": 4, "crop_size": 64,
                         "detector_frames": 4},
    "C2_model": {"n_frames": 4, "crop_size": 64, "input_size": 71, "backbone_weights": None,
                 "epochs": 1},
}
DFBOOK = str(Path(sys.executable).with_name("dfbook"))


def _trees(root: Path) -> dict[str, Path]:
    """A small tree of each layout; Ciplab's images are shifted copies of a real face."""
    from skimage import data

    template = astronaut_video(root / "template.mp4", n_frames=12, width=320, height=180)
    trees = {
        "ffpp": ffpp_tree(root / "ffpp", template, [("000", "001"), ("002", "003"),
                                                    ("004", "005")],
                          compressions=("c23",), methods=("Deepfakes",)),
        "celebdf": celebdf_tree(root / "celebdf", template, n_ids=4),
        "dfdc": dfdc_tree(root / "dfdc", template,
                          {0: {f"r{i}.mp4": [f"f{i}.mp4"] for i in range(6)}}),
        "ciplab": ciplab_tree(root / "ciplab", n_real=8, n_fake=8),
    }
    face = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    for k, path in enumerate(sorted(trees["ciplab"].rglob("*.jpg"))):
        cv2.imwrite(str(path), cv2.resize(np.roll(face, 4 * k, axis=1), (128, 128)))
    return trees


def _dfbook(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([DFBOOK, "-q", *args], env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    import yaml

    root = tmp_path_factory.mktemp("full")
    trees = _trees(root / "trees")
    overlay = {nb: {"data_root": str(trees[lay]), "layout": lay, **SHRUNK[nb]}
               for nb, lay in LAYOUT_OF.items()}
    (root / "overlay.yaml").write_text(yaml.safe_dump(overlay))
    env = {**os.environ, "DFBOOK_DATA": str(root / "data"), "DFBOOK_RESULTS": str(root / "results")}
    env.pop("DFBOOK_STORE", None)  # dfbook run's default: <data cache>/runs
    args = ["run", "--profile", "full", "-f", str(root / "overlay.yaml"),
            "--out", str(root / "book" / "notebooks")]
    done = _dfbook([*args, "--jobs", "2", "--only", *LAYOUT_OF, "claims_dashboard"], env)
    return root, env, args, done


@pytest.mark.slow
def test_full_profile_runs_on_every_layout(full_run):
    root, _, _, done = full_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "5 notebooks, 0 failed" in done.stdout
    for nb, layout in LAYOUT_OF.items():
        path = root / "results" / nb / f"full-{layout}-s0.json"
        payload = json.loads(path.read_text())
        assert payload["profile"] == "full" and payload["data"] == layout
        assert payload["params"]["data_root"].endswith(layout)
        assert len(payload["data_manifest_sha256"] or "") == 64, f"{nb}: no manifest recorded"
        assert (root / "book" / "runs" / f"full-{layout}-s0" / f"{nb}.ipynb").exists()
    assert not list((root / "book" / "notebooks").glob("A3*")), "a dataset run is no demo page"
    assert (root / "book" / "notebooks" / "claims_dashboard.ipynb").exists()


@pytest.mark.slow
def test_the_dashboard_judges_the_dataset_runs(full_run):
    from deepfake_lib.claims import verdicts

    root, _, _, done = full_run
    assert done.returncode == 0
    dash = json.loads((root / "results" / "claims_dashboard" / "full-demo-s0.json").read_text())
    assert dash["values"]["verdict_counts"]
    a = verdicts.assess(root / "results")
    assert a.result_errors == []
    on_data = {v.evidence["data"] for v in a.verdicts.values()
               if v.evidence and v.verdict.endswith("-on-dataset")}
    assert on_data and on_data <= set(LAYOUT_OF.values()), on_data


@pytest.mark.slow
def test_a_rerun_takes_every_fit_from_the_run_store(full_run):
    root, env, args, done = full_run
    assert done.returncode == 0
    path = root / "results" / "B2_cnn_rnn" / "full-celebdf-s0.json"
    first = json.loads(path.read_text())
    assert first["execution"]["units_run"] > 0
    again = _dfbook([*args, "--only", "B2_cnn_rnn"], env)
    assert again.returncode == 0, again.stderr[-3000:]
    second = json.loads(path.read_text())
    assert second["execution"]["units_run"] == 0
    assert second["execution"]["units_from_store"] == first["execution"]["units_run"]
    assert results.without_timing(second) == results.without_timing(first)
