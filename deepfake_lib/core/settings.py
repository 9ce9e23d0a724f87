"""The settings of :func:`deepfake_lib.core.dispatch.map_units`, read from the environment.

``dfbook run --executor ray [--address A] [--gpus-per-fit N] [--threads T]
[--deterministic off] [--no-store]`` exports them to the notebooks' kernels as ``DFBOOK_*``
variables (:data:`ENV`), so the notebooks' calls stay the same whichever executor runs their
units; :class:`deepfake_lib.core.results.Run` records them with each results file (the
executor under ``execution``, which determinism ignores; ``threads`` and ``deterministic``
beside the values, since they can change the last bits of a number). Notebook D1, section
"How every notebook runs".
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Mapping
from typing import Any

#: The executors :func:`map_units` knows.
EXECUTORS = ("inline", "ray")

#: Environment variable of each :class:`Settings` field (what ``dfbook run`` exports).
ENV = {"executor": "DFBOOK_EXECUTOR", "address": "DFBOOK_RAY_ADDRESS",
       "ray_cpus": "DFBOOK_RAY_CPUS", "gpus_per_unit": "DFBOOK_GPUS_PER_FIT",
       "threads": "DFBOOK_THREADS", "deterministic": "DFBOOK_DETERMINISTIC",
       "max_retries": "DFBOOK_RETRIES", "store": "DFBOOK_STORE"}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where and how :func:`deepfake_lib.core.dispatch.map_units` runs units. Notebook D1, section "How every notebook
    runs".

    Attributes
    ----------
    executor : {"inline", "ray"}
        In this process, or as Ray tasks.
    address : str or None
        Ray cluster to join (``"auto"``, ``"ip:port"``); None: a local Ray on 127.0.0.1
        (``RAY_ADDRESS``, if set, is a cluster to join too).
    ray_cpus : int or None
        CPUs of a local Ray (None: all of this machine).
    gpus_per_unit : float
        GPUs Ray reserves for each unit (it sets ``CUDA_VISIBLE_DEVICES`` in the worker).
    threads : int
        TensorFlow intra-op threads per process, and CPUs Ray reserves per unit.
    deterministic : bool
        TensorFlow op determinism on (the default; off is faster on GPUs, not bitwise).
    max_retries : int
        Times Ray reruns a unit whose worker or node died.
    store : str or None
        Folder of the run store; None: no store.
    """

    executor: str = "inline"
    address: str | None = None
    ray_cpus: int | None = None
    gpus_per_unit: float = 0.0
    threads: int = 1
    deterministic: bool = True
    max_retries: int = 3
    store: str | None = None

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, "
                             f"got {self.executor!r}")
        if int(self.threads) < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        if float(self.gpus_per_unit) < 0:
            raise ValueError(f"gpus per fit must be >= 0, got {self.gpus_per_unit}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the ``DFBOOK_*`` variables of :data:`ENV` give (defaults if unset);
        a bad value raises ``ValueError`` naming the variable."""
        env = os.environ if environ is None else environ
        kw: dict[str, Any] = {}
        casts = {"ray_cpus": int, "gpus_per_unit": float, "threads": int, "max_retries": int,
                 "deterministic": _as_bool}
        for name, var in ENV.items():
            raw = env.get(var, "").strip()
            if not raw:
                continue
            try:
                kw[name] = casts.get(name, str)(raw)
            except ValueError:
                raise ValueError(f"{var}={raw!r} is not a valid {name} setting") from None
        if kw.get("store") == "off":
            kw["store"] = None
        return cls(**kw)

    def to_env(self) -> dict[str, str]:
        """The environment variables that give these settings, plus TensorFlow's thread
        and GPU memory-growth variables (:func:`thread_env`)."""
        out = {}
        for name, var in ENV.items():
            value = getattr(self, name)
            if name == "store" and value is None:
                value = "off"
            if value is not None:
                out[var] = str(int(value) if isinstance(value, bool) else value)
        return {**out, **thread_env(self.threads)}

    def record(self) -> dict:
        """What a results file keeps of the executor (under ``execution``)."""
        return {"executor": self.executor, "address": self.address, "ray_cpus": self.ray_cpus,
                "gpus_per_unit": self.gpus_per_unit, "max_retries": self.max_retries,
                "store": self.store is not None,
                "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}


def _as_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise ValueError(text)


_OVERRIDE: list[Settings] = []


def current_settings() -> Settings:
    """The settings in force: the innermost :func:`using` block, else the environment.
    Notebook D1, section "How every notebook runs"."""
    return _OVERRIDE[-1] if _OVERRIDE else Settings.from_env()


@contextlib.contextmanager
def using(settings: Settings):
    """Run every :func:`map_units` call of the block with ``settings`` (tests, benchmarks).
    Notebook D1, section "How every notebook runs"."""
    _OVERRIDE.append(settings)
    try:
        yield settings
    finally:
        _OVERRIDE.pop()


def thread_env(threads: int) -> dict[str, str]:
    """Environment variables giving TensorFlow ``threads`` intra-op threads and one inter-op
    thread (read when TensorFlow starts), and GPU memory growth (each process takes device
    memory as it needs it, not all of it). Notebook D1, section "How every notebook runs"."""
    t = str(int(threads))
    return {"TF_NUM_INTRAOP_THREADS": t, "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": t,
            "TF_FORCE_GPU_ALLOW_GROWTH": "true"}


def limit_threads(threads: int) -> None:
    """Give TensorFlow ``threads`` threads in this process (:func:`thread_env`), also through
    ``tf.config.threading`` when TensorFlow is imported but has run no op yet; once it has,
    its thread pools are fixed and only the environment set at start counts.
    Notebook D1, section "How every notebook runs"."""
    env = thread_env(threads)
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", env.pop("TF_FORCE_GPU_ALLOW_GROWTH"))
    os.environ.update(env)
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TensorFlow's thread pools already exist
            pass


