"""Independent units of work (fits, particles of one PSO iteration, videos) through one call.

A notebook's grid of seed x configuration fits, the particles of one PSO iteration and the
per-video face crops are independent of each other. They go through :func:`map_units`, which
runs them in this process (``inline``, the default: tests, laptops) or as tasks on Ray (a
local Ray on this machine, or a cluster), and returns their results **in submission order**,
whichever executor ran them. Notebook A3, section "The runs", shows it at work; notebook D1,
section "How every notebook runs", explains the settings.

Usage::

    def fit_one(unit: dict, shared: dict) -> dict:     # a module-level function
        ...                                            # seeded by unit["seed"]
        return {"history": ..., "test": ...}           # JSON-able

    results = dispatch.map_units(fit_one, units, shared={"train": (X, y)}, desc="fits")

Same results whichever executor runs a unit needs four things, and this module provides
them: every unit carries its own integer ``seed`` and is seeded from it alone before it runs
(:func:`seed_unit`: Python, NumPy, Keras, TensorFlow's op determinism); the same TensorFlow
thread count in every process (``threads``, exported as ``TF_NUM_INTRAOP_THREADS`` by
``dfbook run`` and set in every Ray worker); results gathered by submission index; and unit
functions that carry no hidden state from one unit to the next.

The executor is chosen from outside the notebook, by environment variables that
``dfbook run --executor ray [--address A] [--gpus-per-fit N]`` exports to the kernels
(:class:`Settings`); the notebook's call stays the same. Inside a
:class:`deepfake_lib.core.results.Run`, every result is written to the run store
(:mod:`deepfake_lib.core.run_store`) as it arrives when ``DFBOOK_STORE`` names one, and a
rerun takes the units already there from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from deepfake_lib.core import results as _results
from deepfake_lib.core import run_store
from deepfake_lib.core.settings import (EXECUTORS, Settings, current_settings,  # noqa: F401
                                        limit_threads, using)


def seed_unit(seed: int, deterministic: bool | None = None) -> None:
    """Seed Python, NumPy and (when loaded) Keras/TensorFlow from ``seed`` alone, with op
    determinism unless ``deterministic`` is False (default: :func:`current_settings`).

    :func:`map_units` calls it before every unit, inline and on Ray; paper code may call it
    at the start of a unit too. Notebook A3, section "The runs".
    """
    if deterministic is None:
        deterministic = current_settings().deterministic
    _results.seed_everything(int(seed), deterministic_ops=bool(deterministic))


def validate_units(units: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Plain copies of ``units``; each must be a JSON-able dict with an integer ``"seed"``.

    Raises ``TypeError`` (not a list of dicts) or ``ValueError`` naming the first bad unit.
    Notebook A3, section "The runs".
    """
    import numpy as np

    if isinstance(units, (str, bytes, Mapping)) or not isinstance(units, Sequence):
        raise TypeError(f"units must be a list of dicts, got {type(units).__name__}")
    out = []
    for i, unit in enumerate(units):
        if not isinstance(unit, Mapping):
            raise TypeError(f"units[{i}] must be a dict, got {type(unit).__name__}")
        seed = unit.get("seed")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"units[{i}] must have an integer 'seed', got {seed!r}")
        plain = _results.to_jsonable({**unit, "seed": int(seed)})
        try:
            run_store.canonical_json(plain)
        except (TypeError, ValueError) as err:
            raise ValueError(f"units[{i}] is not JSON-able: {err}") from err
        out.append(plain)
    return out


def run_unit(fn: Callable[[dict, Any], Any], unit: dict, shared: Any, threads: int,
             deterministic: bool) -> Any:
    """Run one unit, in this process or in a Ray worker: threads, seeds, then ``fn``; the
    result goes through :func:`deepfake_lib.core.results.to_jsonable`.
    Notebook A3, section "The runs"."""
    limit_threads(threads)
    seed_unit(unit["seed"], deterministic)
    return _results.to_jsonable(fn(unit, shared))


_SHARED_DIGEST: list = []  # [(shared, digest)] of the last call: PSO iterations reuse it


def _shared_digest(shared: Any) -> str:
    if _SHARED_DIGEST and _SHARED_DIGEST[0][0] is shared:
        return _SHARED_DIGEST[0][1]
    digest = run_store.data_digest(shared)
    _SHARED_DIGEST[:] = [(shared, digest)]
    return digest


def _fn_name(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def map_units(fn: Callable[[dict, Any], Any], units: Sequence[dict], *, shared: Any = None,
              desc: str = "units", progress: bool = True, run: Any = None,
              settings: Settings | None = None, store: run_store.RunStore | None = None
              ) -> list:
    """``[fn(unit, shared) for unit in units]``, each unit independent; results in order.
    Notebook A3, section "The runs".

    Parameters
    ----------
    fn : callable ``(unit, shared) -> result``
        A module-level function (Ray sends it to other processes by name); its result is
        JSON-able.
    units : sequence of dict
        One JSON-able configuration per unit of work, each with its own integer ``seed``.
    shared : any
        Read-only data every unit needs (training arrays): put in Ray's object store once,
        never pickled per unit (NumPy arrays arrive in the workers read-only).
    desc : str
        Label of the progress bar.
    progress : bool
        Show a progress bar that advances as units finish.
    run : deepfake_lib.core.results.Run, optional
        The notebook's run (default: the last ``Run`` made in this process, if any): names
        the notebook and data manifest of the store's keys, and records the executor.
    settings : Settings, optional
        Default :func:`current_settings` (what ``dfbook run`` exported).
    store : run_store.RunStore, optional
        Default: the store of ``settings.store`` for ``run``'s notebook (none outside a run).

    Returns
    -------
    list
        ``results[i]`` is the result of ``units[i]``.
    """
    from tqdm.auto import tqdm

    settings = settings or current_settings()
    units = validate_units(list(units) if not isinstance(units, Sequence) else units)
    run = run if run is not None else _results.current_run()
    if store is None and settings.store and run is not None:
        store = run_store.RunStore(settings.store, run.name, run.manifest)
    name = _fn_name(fn)
    keys = [None] * len(units)
    out: list = [None] * len(units)
    todo = []
    if store is not None:
        digest = _shared_digest(shared)
        for i, unit in enumerate(units):
            keys[i] = store.key(name, unit, digest)
            hit = store.get(keys[i])
            if hit is None:
                todo.append((i, unit))
            else:
                out[i] = hit
    else:
        todo = list(enumerate(units))
    bar = tqdm(total=len(units), initial=len(units) - len(todo), desc=desc, unit="unit",
               disable=not progress, leave=False)

    def on_done(i: int, result: Any) -> None:
        if store is not None:
            store.put(keys[i], units[i], result, name)
        out[i] = result
        bar.update(1)

    try:
        if settings.executor == "ray" and todo:
            from deepfake_lib.core import ray_executor

            ray_executor.map_tasks(run_unit, fn, todo, shared, on_done, settings)
        else:
            for i, unit in todo:
                on_done(i, run_unit(fn, unit, shared, settings.threads, settings.deterministic))
    finally:
        bar.close()
    if run is not None:
        run.record_dispatch(settings.record(), ran=len(todo), stored=len(units) - len(todo))
    return out
