"""Results as data: every notebook writes ``book/results/<notebook>.json``.

A results file holds the notebook's result values, the parameters it ran with, its seed
and profile, the Keras backend, package versions and the data manifest's sha256; timings
sit under a separate ``timing`` key so that two runs with the same seed give identical
files apart from ``timing`` (the determinism test compares exactly that).

Usage, in a notebook right after the parameters cell::

    run = Run("A1_equations", globals())     # seeds everything, records parameters
    run["conv_max_abs_diff"] = 3e-7
    with run.timed("fit"):
        ...
    run.save()
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import random
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from . import notebook_params
from .paths import notebooks_dir, results_dir

#: Packages whose versions go into every results file.
RECORDED_PACKAGES = (
    "deepfake_lib", "numpy", "keras", "tensorflow-cpu", "tensorflow", "jax", "torch",
    "scikit-learn", "opencv-python-headless", "mtcnn", "pandas", "scipy", "papermill",
)


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`RECORDED_PACKAGES` (absent ones are omitted)."""
    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def keras_backend() -> str:
    """The Keras backend if Keras is loaded in this process, else ``"none"``."""
    if "keras" not in sys.modules:
        return "none"
    import keras

    return keras.config.backend()


def seed_everything(seed: int, deterministic_ops: bool = True) -> None:
    """Seed Python, NumPy and (if loaded) Keras/TensorFlow; turn on TF op determinism.

    Notebooks call it through :class:`Run`. Keras is only seeded when it is already imported,
    so notebooks that need no neural network do not pay for loading TensorFlow.
    """
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
        if deterministic_ops and keras.config.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays, paths, tuples and NaN into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Path):
        return str(value)
    return value


class Run:
    """One notebook execution: parameters, values, timings, written as one JSON file.

    Parameters
    ----------
    name : str
        Notebook name, the stem of ``notebooks/<name>.py``.
    namespace : dict
        The notebook's ``globals()``; the names of its parameters cell are read from it.
    """

    def __init__(self, name: str, namespace: dict):
        source = notebooks_dir() / f"{name}.py"
        names = list(notebook_params.parameters(source))
        self.name = name
        self.params = {k: to_jsonable(namespace[k]) for k in names if k in namespace}
        self.seed = int(namespace.get("seed", 0))
        self.profile = namespace.get("profile", "smoke")
        self.out_dir = results_dir(namespace.get("results_dir"))
        self.values: dict[str, Any] = {}
        self.timing: dict[str, float] = {}
        self.manifest: str | None = None
        seed_everything(self.seed)

    def __setitem__(self, key: str, value: Any) -> None:
        self.values[key] = to_jsonable(value)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def update(self, **values: Any) -> None:
        for k, v in values.items():
            self[k] = v

    def evidence(self, key: str, claim: str, holds: bool | None, ours: Any = None,
                 detail: str = "", data: str = "demo") -> None:
        """Record evidence for one paper claim under ``values["evidence"][key]``.

        ``holds`` must be computed from the numbers (for a ranking: confidence intervals that
        do not overlap in the claimed direction -> True, the opposite -> False, overlap ->
        None = inconclusive). The claims dashboard turns it into a verdict; keys look like
        ``"A.fig12.residual_beats_simple"`` (paper, where, what).
        """
        ev = self.values.setdefault("evidence", {})
        ev[key] = to_jsonable({"claim": claim, "holds": holds, "ours": ours, "detail": detail,
                               "data": data, "notebook": self.name})

    @contextlib.contextmanager
    def timed(self, label: str):
        """Time a block; the seconds go under ``timing[label]`` (never into values)."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timing[label] = round(time.perf_counter() - t0, 4)

    def use_manifest(self, path: str | os.PathLike) -> None:
        """Record the sha256 of the data manifest this notebook read."""
        self.manifest = file_sha256(path)

    def payload(self) -> dict:
        return {
            "notebook": self.name,
            "profile": self.profile,
            "seed": self.seed,
            "params": self.params,
            "backend": keras_backend(),
            "versions": package_versions(),
            "data_manifest_sha256": self.manifest,
            "values": self.values,
            "timing": self.timing,
        }

    def save(self) -> Path:
        """Write ``<results_dir>/<name>.json`` and return its path."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{self.name}.json"
        text = json.dumps(self.payload(), indent=2, sort_keys=True, allow_nan=False)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
        return path


def load(name: str, folder: str | os.PathLike | None = None) -> dict:
    """Read ``<results_dir>/<name>.json``; a clear error names the missing file."""
    path = results_dir(folder) / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"results file {path} is missing: run `dfbook run --only {name}` first")
    return json.loads(path.read_text(encoding="utf-8"))


def without_timing(payload: dict) -> dict:
    """A results payload minus its ``timing`` key (what determinism compares)."""
    return {k: v for k, v in payload.items() if k != "timing"}
