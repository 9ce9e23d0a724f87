"""The GPU path without a GPU: the GPU requirements replace only TensorFlow's build, and the
command line's executor options become the settings the kernels read."""

from __future__ import annotations

from deepfake_lib.book import cli
from deepfake_lib.core.settings import Settings
from support import pins


def test_gpu_requirements_change_only_the_tensorflow_build():
    cpu, gpu = pins("requirements.txt"), pins("requirements-gpu.txt")
    assert cpu.pop("tensorflow-cpu") == gpu.pop("tensorflow[and-cuda]")
    assert gpu == cpu
    assert cpu["ray"] == "2.60.0"


def _settings(*args: str) -> Settings:
    return cli.run_settings(cli.parser().parse_args(["run", *args]))


def test_run_options_become_kernel_settings(monkeypatch, tmp_path):
    for var in ("DFBOOK_EXECUTOR", "DFBOOK_STORE", "DFBOOK_RAY_ADDRESS", "DFBOOK_THREADS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path))
    s = _settings()
    assert (s.executor, s.threads, s.deterministic, s.store) == (
        "inline", 1, True, str(tmp_path / "runs"))
    s = _settings("--address", "auto", "--gpus-per-fit", "0.5", "--deterministic", "off",
                  "--no-store")
    assert (s.executor, s.address, s.gpus_per_unit, s.deterministic, s.store) == (
        "ray", "auto", 0.5, False, None)
    env = s.to_env()
    assert env["DFBOOK_EXECUTOR"] == "ray" and env["DFBOOK_GPUS_PER_FIT"] == "0.5"
    assert env["TF_FORCE_GPU_ALLOW_GROWTH"] == "true" and env["DFBOOK_STORE"] == "off"
    assert cli.main(["run", "--threads", "0", "--only", "performance"]) == 2
