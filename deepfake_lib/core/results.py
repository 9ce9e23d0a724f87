"""Results as data: every run of a notebook writes its own results file.

``book/results/<notebook>/<profile>-<data>-s<seed>.json`` (:func:`run_label`): the profile,
the data it read (``demo-small``, ``demo-demo``; a real dataset by its layout, e.g. ``dfdc``,
or its folder's name) and the seed name the file, so that runs on several datasets, profiles
and seeds sit side by side and none overwrites another. A results file holds the notebook's
result values, the parameters it ran with, its seed and profile, the Keras backend, package
versions, the data manifest's sha256 and the settings that can change a number's last bits
(``settings``: TensorFlow threads, op determinism). Timings sit under ``timing`` and the
executor that ran the units under ``execution``, so that two runs with the same seed give
identical files apart from those two keys (:func:`without_timing`; the determinism test
compares exactly that).

Usage, in a notebook right after the parameters cell::

    run = Run("A1_equations", globals())     # seeds everything, records parameters
    run["conv_max_abs_diff"] = 3e-7
    with run.timed("fit"):
        ...
    run.save()

:func:`load` reads one notebook's file (the run closest to the calling notebook's own:
same profile, data and seed); :func:`select` reads the files the claims dashboard uses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import random
import re
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from deepfake_lib.book import notebook_params
from deepfake_lib.core.paths import notebooks_dir, results_dir
from deepfake_lib.core.settings import current_settings, limit_threads

#: Keys of a results file that vary from run to run with the same seed.
VARYING_KEYS = ("timing", "execution")
_LABEL = re.compile(r"^(?P<profile>[^-]+)-(?P<data>.+)-s(?P<seed>-?\d+)$")
_CURRENT: list = []  # [the last Run made in this process]

#: Packages whose versions go into every results file.
RECORDED_PACKAGES = (
    "deepfake_lib", "numpy", "keras", "tensorflow-cpu", "tensorflow", "jax", "torch",
    "scikit-learn", "opencv-python-headless", "mtcnn", "pandas", "scipy", "papermill",
)


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`RECORDED_PACKAGES` (absent ones are omitted).
    Notebook D1, section "How every notebook runs"."""
    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def keras_backend() -> str:
    """The Keras backend of this run: Keras' own answer where it is loaded, else the one it
    would load, read as Keras reads it (``KERAS_BACKEND``, then ``$KERAS_HOME/keras.json`` or
    ``~/.keras/keras.json``, then its default ``"tensorflow"``). A notebook that never
    imports Keras records the same backend as a rerun that does, so the results file does
    not depend on what happened to be imported. Notebook D1, section "How every notebook runs".
    """
    if "keras" in sys.modules:
        import keras

        return keras.config.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        return str(json.loads((home / "keras.json").read_text()).get("backend", "tensorflow"))
    except (OSError, ValueError):
        return "tensorflow"


def seed_everything(seed: int, deterministic_ops: bool = True, framework: bool = True) -> None:
    """Seed Python and NumPy, and (``framework``, when loaded) Keras/TensorFlow with TF op
    determinism: the one home of seeding.

    Notebooks call it through :class:`Run`. Keras is only seeded when it is already imported,
    so notebooks that need no neural network do not pay for loading TensorFlow.
    ``framework=False`` seeds only Python's and NumPy's generators, which Keras 3 draws
    initial weights and dropout seeds from: a fit that reuses a compiled graph calls it, since
    setting TensorFlow's global seed again would force the graph to be traced anew. Notebook
    A3, section "The runs".
    """
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if framework and "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
        if deterministic_ops and keras.config.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, streamed. Notebook D1, section "How every notebook runs"."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays, paths, tuples and NaN into plain JSON values.
    Notebook D1, section "How every notebook runs"."""
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
    Notebook D1, section "How every notebook runs".

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
        self.data = data_label(self.params)
        self.label = run_label(self.profile, self.data, self.seed)
        self.out_dir = results_dir(namespace.get("results_dir"))
        self.values: dict[str, Any] = {}
        self.timing: dict[str, float] = {}
        self.execution: dict[str, Any] = {}
        self.manifest: str | None = None
        self.settings = current_settings()
        limit_threads(self.settings.threads)  # the same count inline as in every Ray worker
        seed_everything(self.seed, deterministic_ops=self.settings.deterministic)
        _CURRENT[:] = [self]

    def __setitem__(self, key: str, value: Any) -> None:
        self.values[key] = to_jsonable(value)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def update(self, **values: Any) -> None:
        for k, v in values.items():
            self[k] = v

    def evidence(self, key: str, claim: str, holds: bool | None, ours: Any = None,
                 detail: str = "", data: str = "demo", units: int = 0) -> None:
        """Record evidence for one paper claim under ``values["evidence"][key]``.

        ``holds`` must be computed from the numbers (for a ranking: confidence intervals that
        do not overlap in the claimed direction -> True, the opposite -> False, overlap ->
        None = inconclusive). The claims dashboard turns it into a verdict; keys look like
        ``"A.fig12.residual_beats_simple"`` (paper, where, what). ``units``: the independent
        test units the measurement rests on (the identities where its bootstrap resamples
        identities, else the videos); where two notebooks measure the same claim on the same
        kind of data, the dashboard reads the one on more units.
        """
        ev = self.values.setdefault("evidence", {})
        ev[key] = to_jsonable({"claim": claim, "holds": holds, "ours": ours, "detail": detail,
                               "data": data, "notebook": self.name, "units": int(units)})

    def fit_cost(self, system: str, *, fits: int, steps: int, examples: int,
                 seconds: float) -> None:
        """Record what training ``system`` cost in this run, for the performance page:
        ``fits`` models trained, their optimiser ``steps`` and training ``examples`` seen
        (summed over the fits) under ``values["fit_cost"]``, and the seconds per fit under
        ``timing["fit_seconds/<system>"]`` (timings vary between runs; the counts do not)."""
        self.values.setdefault("fit_cost", {})[system] = {
            "fits": int(fits), "steps": int(steps), "examples": int(examples)}
        self.timing[f"fit_seconds/{system}"] = round(float(seconds) / max(int(fits), 1), 4)

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

    def record_dispatch(self, executor: dict, ran: int, stored: int) -> None:
        """Count the units one :func:`deepfake_lib.core.dispatch.map_units` call ran and
        took from the run store, and record the executor (under ``execution``)."""
        ex = self.execution
        ex.update(executor)
        ex["calls"] = ex.get("calls", 0) + 1
        ex["units_run"] = ex.get("units_run", 0) + ran
        ex["units_from_store"] = ex.get("units_from_store", 0) + stored

    def payload(self) -> dict:
        return {
            "notebook": self.name,
            "profile": self.profile,
            "seed": self.seed,
            "data": self.data,
            "params": self.params,
            "backend": keras_backend(),
            "versions": package_versions(),
            "settings": {"threads": self.settings.threads,
                         "deterministic": self.settings.deterministic},
            "data_manifest_sha256": self.manifest,
            "values": self.values,
            "timing": self.timing,
            "execution": self.execution,
        }

    def path(self) -> Path:
        """``<results_dir>/<name>/<profile>-<data>-s<seed>.json``, where :meth:`save` writes."""
        return self.out_dir / self.name / f"{self.label}.json"

    def save(self) -> Path:
        """Write the results file (:meth:`path`) atomically and return its path."""
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.payload(), indent=2, sort_keys=True, allow_nan=False)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
        return path


def current_run() -> Run | None:
    """The last :class:`Run` made in this process (the notebook's), or None.
    Notebook D1, section "How every notebook runs"."""
    return _CURRENT[0] if _CURRENT else None


def data_label(params: dict) -> str:
    """The data part of a results file's name: the layout of ``data_root`` (else the
    folder's name); without a ``data_root``, ``demo`` and the demo benchmark's size when
    the notebook has one (``demo-small``). Notebook D1, section "How every notebook runs"."""
    if params.get("data_root"):
        name = params.get("layout") or Path(str(params["data_root"])).name or "data"
    else:
        size = params.get("demo_size", params.get("size"))
        name = f"demo-{size}" if isinstance(size, str) else "demo"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name))


def run_label(profile: str, data: str, seed: int) -> str:
    """``<profile>-<data>-s<seed>``, the name of one run's results file.
    Notebook D1, section "How every notebook runs"."""
    return f"{re.sub(r'[^A-Za-z0-9_]+', '_', str(profile))}-{data}-s{int(seed)}"


def runs(folder: str | os.PathLike | None = None, name: str | None = None) -> list[dict]:
    """Every results file under ``folder`` (of notebook ``name``, or all): one dict each
    with ``notebook``, ``label``, ``profile``, ``data``, ``seed``, ``path`` and ``mtime``.
    Notebook D1, section "How every notebook runs"."""
    root = results_dir(folder)
    out = []
    for path in sorted(root.glob(f"{name or '*'}/*.json")):
        m = _LABEL.match(path.stem)
        if m and path.parent.is_dir():
            out.append({"notebook": path.parent.name, "label": path.stem, **m.groupdict(),
                        "seed": int(m["seed"]), "path": path, "mtime": path.stat().st_mtime})
    return out


def _closest(candidates: list[dict], like: Run | None) -> dict:
    """The run most like ``like`` (same profile, then data, then seed), the newest on ties."""
    def score(r):
        if like is None:
            return (r["mtime"],)
        return (r["profile"] == like.profile, r["data"] == like.data, r["seed"] == like.seed,
                r["mtime"])
    return max(candidates, key=score)


def load(name: str, folder: str | os.PathLike | None = None, *, profile: str | None = None,
         data: str | None = None, seed: int | None = None) -> dict:
    """Read one results file of notebook ``name``: among its runs that match ``profile``,
    ``data`` and ``seed`` (when given), the one closest to the calling notebook's own run
    (:func:`current_run`: same profile, data, seed), else the newest. A clear error names
    what is missing. Notebook D1, section "How every notebook runs"."""
    wanted = {"profile": profile, "data": data, "seed": seed}
    found = [r for r in runs(folder, name)
             if all(v is None or r[k] == v for k, v in wanted.items())]
    if not found:
        which = ", ".join(f"{k}={v}" for k, v in wanted.items() if v is not None)
        raise FileNotFoundError(
            f"no results file of {name}{f' ({which})' if which else ''} in "
            f"{results_dir(folder) / name}: run `dfbook run --only {name}` first")
    return json.loads(_closest(found, current_run())["path"].read_text(encoding="utf-8"))


def select(folder: str | os.PathLike | None = None) -> dict[str, dict]:
    """One results payload per notebook, for the claims dashboard.

    Each notebook's run closest to the calling notebook's (:func:`load`'s rule); the
    evidence of its runs on *other data* with the same profile and seed is added under the
    keys that run lacks, so the dashboard sees full-scale runs on several datasets side by
    side (each evidence record names its data). Unreadable files are reported under the key
    ``"<notebook>/<file>!error"`` with the message, never dropped silently.
    Notebook D1, section "How every notebook runs".
    """
    by_nb: dict[str, list[dict]] = {}
    for r in runs(folder):
        by_nb.setdefault(r["notebook"], []).append(r)
    out: dict[str, dict] = {}
    like = current_run()
    for nb, found in sorted(by_nb.items()):
        best = _closest(found, like)
        loaded = {}
        for r in found:
            if r is best or (r["profile"], r["seed"]) == (best["profile"], best["seed"]):
                try:
                    loaded[r["label"]] = json.loads(r["path"].read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError) as exc:
                    out[f"{nb}/{r['path'].name}!error"] = {"error": str(exc)}
        payload = loaded.get(best["label"])
        if not isinstance(payload, dict):
            continue
        evidence = (payload.get("values") or {}).get("evidence")
        for label, other in sorted(loaded.items()):
            extra = (other.get("values") or {}).get("evidence") if label != best["label"] else None
            if isinstance(evidence, dict) and isinstance(extra, dict):
                for key, rec in extra.items():
                    evidence.setdefault(key, rec)
        out[payload.get("notebook", nb)] = payload
    return out


def without_timing(payload: dict) -> dict:
    """A results payload minus what varies between runs with the same seed (``timing``,
    ``execution``): what determinism compares.
    Notebook D1, section "How every notebook runs"."""
    return {k: v for k, v in payload.items() if k not in VARYING_KEYS}
