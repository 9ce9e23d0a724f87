"""The Ray executor behind :func:`deepfake_lib.core.dispatch.map_units`: one task per unit.

``map_units`` with ``executor="ray"`` comes here. ``shared`` is put in Ray's object store
once (``ray.put``; repeated calls with the same object, such as the iterations of one PSO
search, reuse it), the unit function once, then one task per unit reserves ``threads`` CPUs
and ``gpus_per_unit`` GPUs (Ray sets ``CUDA_VISIBLE_DEVICES`` in the worker to the devices
it assigned) and is retried ``max_retries`` times if its worker or node dies. Results are
gathered as they finish (``ray.wait``) and stored by submission index.

Where Ray runs:

- **a local Ray** on this machine (no address, no ``RAY_ADDRESS``), bound to 127.0.0.1
  only. ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` is set before Ray is first imported: on
  Linux it makes this Ray version choose the loopback address as the node address, so every
  socket of the GCS, the raylet and the workers listens on 127.0.0.1
  (``ray.init(_node_ip_address="127.0.0.1")`` does not: Ray replaces a loopback address by
  the machine's network address). :func:`start_ray` checks every node's address after the
  start and refuses otherwise. The dashboard and usage statistics are off; workers run at
  the driver's priority (``RAY_worker_niceness=0``; Ray's default, nice 15, makes a 2-worker
  Ray slower than one inline process on a shared machine).
- **a cluster** (``address="auto"``, ``"ip:port"`` or ``RAY_ADDRESS``): joined as it is;
  the loopback setting must then be absent (the driver would advertise 127.0.0.1, and
  ``ray start`` refuses to add nodes while it is set). The thread and determinism settings
  reach the cluster's workers through the job's ``runtime_env``.

Notebook D1, section "How every notebook runs".
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable
from typing import Any

from deepfake_lib.core.settings import Settings, thread_env

#: Set to "0" before Ray is imported: every node of a local Ray then uses 127.0.0.1.
LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
_LOOPBACK_PREFIXES = ("127.", "::1", "localhost", "::ffff:127.")
_PUT: list = []  # [(shared, ObjectRef)] of the last call


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (127.0.0.0/8, ::1, localhost).
    Notebook D1, section "How every notebook runs"."""
    return str(host).startswith(_LOOPBACK_PREFIXES)


def loopback_env() -> None:
    """Set the environment of a local Ray on loopback: must run before ``import ray``
    (tests that build a ``ray.cluster_utils.Cluster`` call it first).
    Notebook D1, section "How every notebook runs"."""
    os.environ[LOOPBACK_ENV] = "0"
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_worker_niceness", "0")


def start_ray(address: str | None = None, num_cpus: int | None = None,
              env: dict[str, str] | None = None, **init_kwargs: Any):
    """Start a local Ray on 127.0.0.1, or join the cluster at ``address``; idempotent.

    Parameters
    ----------
    address : str, optional
        None (and no ``RAY_ADDRESS``): a local Ray with ``num_cpus`` CPUs (default all).
        ``"auto"`` or ``"ip:port"``: an existing cluster.
    num_cpus : int, optional
        CPUs of a local Ray.
    env : dict, optional
        Environment variables for the workers of a cluster (``runtime_env``); a local
        Ray's workers inherit this process's environment.
    **init_kwargs
        Passed to ``ray.init``.

    Returns
    -------
    module
        ``ray``, initialised.

    Raises
    ------
    RuntimeError
        A local Ray is asked for but Ray was imported before without the loopback setting,
        or a local node's address is not loopback.

    Notebook D1, section "How every notebook runs".
    """
    address = address or os.environ.get("RAY_ADDRESS") or None
    local = address is None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if local:
        if "ray" in sys.modules and os.environ.get(LOOPBACK_ENV) != "0":
            raise RuntimeError(
                f"ray was imported before {LOOPBACK_ENV}=0 was set, so a local Ray would "
                "listen on the network address; set it before importing ray")
        loopback_env()
    import ray

    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        kwargs.update(init_kwargs)
        if local:
            ray.init(num_cpus=num_cpus, **kwargs)
            atexit.register(stop_ray)
        else:
            if env:
                kwargs.setdefault("runtime_env", {"env_vars": dict(env)})
            ray.init(address=address, **kwargs)
    if local:
        hosts = [n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]]
        if not hosts or not all(is_loopback(h) for h in hosts):
            ray.shutdown()
            raise RuntimeError(f"a local Ray node is not on loopback: {hosts}")
    return ray


def stop_ray() -> None:
    """Shut down the Ray this process started or joined (nothing if none).
    Notebook D1, section "How every notebook runs"."""
    _PUT.clear()
    if "ray" in sys.modules:
        import ray

        if ray.is_initialized():
            ray.shutdown()


def node_addresses() -> list[str]:
    """The address of every live node of the Ray this process is connected to.
    Notebook D1, section "How every notebook runs"."""
    import ray

    return [n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]]


def _put_once(ray, shared: Any):
    if _PUT and _PUT[0][0] is shared:
        return _PUT[0][1]
    ref = ray.put(shared)
    _PUT[:] = [(shared, ref)]
    return ref


def map_tasks(run_unit: Callable, fn: Callable, todo: list[tuple[int, dict]], shared: Any,
              on_done: Callable[[int, Any], None], settings: Settings) -> None:
    """Run ``todo`` ([(index, unit)]) as Ray tasks of ``run_unit(fn, unit, shared, threads,
    deterministic)``; ``on_done(index, result)`` as each finishes.
    Notebook D1, section "How every notebook runs"."""
    env = {**thread_env(settings.threads),
           "DFBOOK_DETERMINISTIC": "1" if settings.deterministic else "0"}
    ray = start_ray(settings.address, settings.ray_cpus, env=env)
    shared_ref = _put_once(ray, shared)
    task = ray.remote(run_unit).options(num_cpus=settings.threads,
                                        num_gpus=settings.gpus_per_unit,
                                        max_retries=settings.max_retries)
    fn_ref = ray.put(fn)
    pending = {task.remote(fn_ref, unit, shared_ref, settings.threads,
                           settings.deterministic): i for i, unit in todo}
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                on_done(pending.pop(ref), ray.get(ref))
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
