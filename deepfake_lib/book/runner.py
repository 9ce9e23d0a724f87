"""``dfbook run``: execute the book's notebooks with papermill under a named profile.

Each ``notebooks/<name>.py`` (jupytext percent format) is read, parameterised with the
profile's values, then an overlay file's (``-f``), then any ``-p key=value`` overrides, and
executed. Everything the reader can get wrong (profile, notebook name, parameter name, a
value of the wrong type) is refused *before* any kernel starts, with the valid names listed.

Where executed copies go: a run on the demo benchmark (no ``data_root``) into
``book/notebooks/<name>.ipynb``, the page the book shows; a run on a real dataset into
``book/runs/<profile>-<data>-s<seed>/<name>.ipynb``, so that it never replaces the demo
page. A notebook executes into ``book/runs/partial/`` and is moved into place only when
every cell succeeded: a failed or interrupted run never replaces the last good executed
copy. A failed copy is kept in ``book/runs/failed/``; the error of the failing cell is
printed with its path; the others still run unless ``fail_fast``.

The kernels inherit the executor settings (:class:`deepfake_lib.core.settings.Settings`,
``DFBOOK_*`` variables) and, with ``jobs`` > 1 on a machine with GPUs, one device each
(``CUDA_VISIBLE_DEVICES``; memory growth on through ``TF_FORCE_GPU_ALLOW_GROWTH``).

Order: the order in which ``book/_toc.yml`` lists the notebooks, so the claims dashboard and
the performance page run after the notebooks whose results they read. With ``jobs`` > 1,
notebooks run side by side, each in its own process and kernel; a notebook named in
:data:`READS_RESULTS_OF` starts only once the notebooks it reads have finished.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deepfake_lib.book import notebook_params
from deepfake_lib.core.paths import book_dir, notebooks_dir
from deepfake_lib.core.results import data_label, run_label

BACKENDS = ("tensorflow", "jax", "torch")

#: Notebooks that read other notebooks' results files, and which ones ("*": every notebook the
#: table of contents lists before it). A test checks this against the notebooks' sources.
READS_RESULTS_OF: dict[str, tuple[str, ...] | str] = {
    "B3_results": ("B2_cnn_rnn",),
    "claims_dashboard": "*",
    "performance": "*",
}


class RunError(ValueError):
    """A request ``dfbook run`` refuses before running anything."""


@dataclass
class Job:
    """One notebook to execute: its source, the parameters papermill injects, and the
    label of its results file (``<profile>-<data>-s<seed>``)."""

    name: str
    source: Path
    parameters: dict[str, Any]
    label: str = ""
    demo_data: bool = True


@dataclass
class Outcome:
    name: str
    status: str  # "ok" or "failed"
    seconds: float
    output: Path
    error: str = ""


@dataclass
class Plan:
    profile: str
    jobs: list[Job] = field(default_factory=list)


def profiles(folder: Path | None = None) -> list[str]:
    """Names of the profiles in ``notebooks/profiles/*.yaml``."""
    folder = folder or notebooks_dir() / "profiles"
    return sorted(p.stem for p in folder.glob("*.yaml"))


def toc_order(toc: Path | None = None) -> list[str]:
    """Notebook names in the order ``book/_toc.yml`` lists them (``notebooks/<name>`` entries)."""
    toc = toc or book_dir() / "_toc.yml"
    if not toc.exists():
        return []
    return re.findall(r"file:\s*notebooks/([\w.-]+?)(?:\.ipynb)?\s*$", toc.read_text(), re.MULTILINE)


def check_backend(backend: str | None) -> None:
    """Refuse a Keras backend name this book does not know."""
    if backend and backend not in BACKENDS:
        raise RunError(f"unknown backend {backend!r}; valid backends: {', '.join(BACKENDS)}")


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``["lr=0.01", "data_root=/d"]`` -> ``{"lr": 0.01, "data_root": "/d"}`` (values read as YAML)."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise RunError(f"-p {pair!r}: expected key=value")
        key, value = pair.split("=", 1)
        out[key.strip()] = yaml.safe_load(value) if value.strip() else None
    return out


def load_overlay(path: str | os.PathLike) -> dict[str, Any]:
    """An overlay file (``dfbook run -f FILE``): a YAML mapping in a profile's format
    (notebook name -> parameters) or of parameters for every notebook, or both."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"overlay file {path} does not exist")
    try:
        table = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise RunError(f"overlay file {path} is not valid YAML: {exc}") from None
    if not isinstance(table, dict):
        raise RunError(f"overlay file {path} must hold a mapping, not {type(table).__name__}")
    return table


def make_plan(profile: str, only: list[str] | None = None, overrides: dict[str, Any] | None = None,
              folder: Path | None = None, toc: Path | None = None,
              overlay: dict[str, Any] | None = None) -> Plan:
    """Check every name and value and return the jobs to run; raise :class:`RunError`
    listing valid names (or the values of a wrong type).

    Each notebook's parameters: the profile's, then ``overlay``'s (its keys that name a
    notebook apply to that notebook, the others to every notebook), then ``overrides``."""
    folder = folder or notebooks_dir()
    known_profiles = profiles(folder / "profiles")
    if profile not in known_profiles:
        raise RunError(f"unknown profile {profile!r}; valid profiles: {', '.join(known_profiles)}")
    table = yaml.safe_load((folder / "profiles" / f"{profile}.yaml").read_text()) or {}
    names = notebook_params.notebook_names(folder)
    order = [n for n in toc_order(toc) if n in names]
    order += [n for n in names if n not in order]
    unknown = [n for n in (only or []) if n not in names]
    if unknown:
        raise RunError(f"unknown notebook(s) {', '.join(unknown)}; valid notebooks: {', '.join(order)}")
    stray = sorted(set(table) - set(names))
    if stray:
        raise RunError(f"profile {profile!r} names notebooks that do not exist: {', '.join(stray)}; "
                       f"valid notebooks: {', '.join(order)}")
    selected = [n for n in order if not only or n in only]
    overlay = overlay or {}
    common = {k: v for k, v in overlay.items() if k not in names}
    plan = Plan(profile)
    problems = []
    for name in selected:
        source = folder / f"{name}.py"
        defaults = notebook_params.parameters(source)
        mine = overlay.get(name) or {}
        if not isinstance(mine, dict):
            raise RunError(f"overlay: {name} must map parameter names to values")
        params = {**(table.get(name) or {}), **common, **mine, **(overrides or {})}
        bad = sorted(set(params) - set(defaults))
        if bad:
            problems.append(f"{name}: unknown parameter(s) {', '.join(bad)}; "
                            f"valid: {', '.join(sorted(defaults))}")
        problems += notebook_params.check_types(name, params, defaults)
        merged = {**defaults, **params, "profile": profile}
        label = run_label(profile, data_label(merged), int(merged.get("seed") or 0))
        plan.jobs.append(Job(name, source, {**params, "profile": profile}, label,
                             not merged.get("data_root")))
    if problems:
        raise RunError("\n".join(problems))
    return plan


def _first_error(nb_path: Path) -> str:
    """The error output of the first failing cell of an executed notebook, as text."""
    import nbformat

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - the notebook may be half-written
        return f"(could not read {nb_path}: {exc})"
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
    return "(no error output recorded)"


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's ``injected-parameters`` cell ``remove-cell``, so that no page of the
    book shows it (the executed notebook keeps it)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


@contextlib.contextmanager
def _environ(env: dict[str, str | None]):
    """Set (or, for None, remove) environment variables for the block, then restore them."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(v)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _Prefixed:
    """A stream that writes each line of cell output as ``[notebook] line``."""

    def __init__(self, name: str, stream) -> None:
        self.name, self.stream = name, stream

    def write(self, text: str) -> None:
        for line in text.splitlines():
            self.stream.write(f"[{self.name}] {line}\n")

    def flush(self) -> None:
        self.stream.flush()


def destination(job: Job, out_dir: Path) -> Path:
    """Where the executed copy of ``job`` goes: ``out_dir/<name>.ipynb`` for the demo
    benchmark, ``<out_dir>/../runs/<label>/<name>.ipynb`` for a real dataset."""
    if job.demo_data or not job.label:
        return out_dir / f"{job.name}.ipynb"
    return out_dir.parent / "runs" / job.label / f"{job.name}.ipynb"


def execute(job: Job, out_dir: Path, backend: str | None = None, kernel: str = "python3",
            env: dict[str, str] | None = None, log_output: bool = False) -> Outcome:
    """Execute one job with papermill into :func:`destination`, through a partial copy that
    is moved there only on success (a failed copy goes to ``<out_dir>/../runs/failed``).

    ``env`` is set for the kernel (executor settings, ``CUDA_VISIBLE_DEVICES``); with
    ``log_output`` every cell's output is streamed to this process's stdout and stderr."""
    import jupytext
    import papermill

    final = destination(job, out_dir)
    runs = out_dir.parent / "runs"
    partial = runs / "partial" / f"{job.name}.{os.getpid()}.ipynb"
    failed = runs / "failed" / f"{job.name}.ipynb"
    for folder in (final.parent, partial.parent):
        folder.mkdir(parents=True, exist_ok=True)
    full_env = {**(env or {}), **({"KERAS_BACKEND": backend} if backend else {})}
    streams = {}
    if log_output:
        streams = {"log_output": True, "stdout_file": _Prefixed(job.name, sys.stdout),
                   "stderr_file": _Prefixed(job.name, sys.stderr)}
    t0 = time.perf_counter()
    try:
        nb = jupytext.read(job.source)
        with tempfile.TemporaryDirectory() as tmp, _environ(full_env):
            src = Path(tmp) / f"{job.name}.ipynb"
            jupytext.write(nb, src)
            papermill.execute_notebook(str(src), str(partial), parameters=job.parameters,
                                       kernel_name=kernel, cwd=str(final.parent),
                                       progress_bar=False, **streams)
        hide_injected_parameters(partial)
        os.replace(partial, final)
        return Outcome(job.name, "ok", time.perf_counter() - t0, final)
    except BaseException as exc:  # noqa: BLE001 - kernel death, bad source, interrupt
        if isinstance(exc, papermill.PapermillExecutionError):
            error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        else:
            detail = _first_error(partial) if partial.exists() else ""
            error = f"{type(exc).__name__}: {exc} {detail}".strip()
        if partial.exists():
            failed.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                hide_injected_parameters(partial)
            os.replace(partial, failed)
        if not isinstance(exc, Exception):
            raise
        return Outcome(job.name, "failed", time.perf_counter() - t0,
                       failed if failed.exists() else final, error)


def gpu_ids() -> list[str]:
    """The GPUs notebooks may be pinned to: ``$DFBOOK_GPUS`` (``0,1``), else
    ``$CUDA_VISIBLE_DEVICES``, else the devices ``nvidia-smi -L`` lists; none without."""
    for var in ("DFBOOK_GPUS", "CUDA_VISIBLE_DEVICES"):
        value = os.environ.get(var, "").strip()
        if value:
            return [] if value == "-1" else [v.strip() for v in value.split(",") if v.strip()]
    smi = shutil.which("nvidia-smi")
    if not smi:
        return []
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(out.splitlines()) if line.startswith("GPU ")]


def needs(job: Job, plan: Plan) -> list[str]:
    """The notebooks of ``plan`` whose results ``job`` reads (:data:`READS_RESULTS_OF`)."""
    names = [j.name for j in plan.jobs]
    wanted = READS_RESULTS_OF.get(job.name, ())
    if wanted == "*":
        return names[:names.index(job.name)]
    return [n for n in wanted if n in names]


def _call_now(fn, *args) -> Future:
    """Run ``fn(*args)`` here and now; its result as a finished Future (``jobs`` = 1)."""
    future: Future = Future()
    future.set_result(fn(*args))
    return future


def run(plan: Plan, out_dir: Path | None = None, backend: str | None = None,
        fail_fast: bool = False, echo=print, jobs: int = 1, env: dict[str, str] | None = None,
        gpus: list[str] | None = None, log_output: bool = False,
        progress: bool = True, env_for: dict[str, dict[str, str]] | None = None) -> list[Outcome]:
    """Run a plan with a progress bar over notebooks; print failures and a summary table.

    ``jobs``: how many notebooks run at once (each in its own process); 1 runs them one after
    the other in this process. Outcomes come back in the plan's order. ``env``: variables
    every kernel inherits (:meth:`deepfake_lib.core.settings.Settings.to_env`). ``gpus``
    (default :func:`gpu_ids`): with ``jobs`` > 1, each running notebook gets one of them as
    its ``CUDA_VISIBLE_DEVICES``, handed back when it finishes. ``env_for``: a notebook
    named there inherits its own variables instead of ``env`` (``dfbook run --on-ray``).
    """
    from tqdm import tqdm

    check_backend(backend)
    if jobs < 1:
        raise RunError(f"--jobs must be at least 1, not {jobs}")
    out_dir = out_dir or book_dir() / "notebooks"
    pool = None
    if jobs > 1:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
    outcomes: dict[str, Outcome] = {}
    waiting, running = list(plan.jobs), {}
    gpus = gpu_ids() if gpus is None else gpus
    free = [gpus[i % len(gpus)] for i in range(jobs)] if gpus and jobs > 1 else []
    device: dict[Future, str] = {}
    t0 = time.perf_counter()
    bar = tqdm(total=len(plan.jobs), desc=f"notebooks ({plan.profile})", unit="nb",
               disable=not progress)
    try:
        while waiting or running:
            stop = fail_fast and any(o.status != "ok" for o in outcomes.values())
            for job in [] if stop else list(waiting):
                if len(running) >= jobs:
                    break
                if all(n in outcomes for n in needs(job, plan)):
                    waiting.remove(job)
                    bar.set_postfix_str(", ".join([j.name for j in running.values()] + [job.name]))
                    submit = pool.submit if pool else _call_now
                    job_env = dict((env_for or {}).get(job.name, env or {}))
                    dev = free.pop(0) if free else None
                    if dev is not None:
                        job_env.update(CUDA_VISIBLE_DEVICES=dev, TF_FORCE_GPU_ALLOW_GROWTH="true")
                    future = submit(execute, job, out_dir, backend, "python3", job_env, log_output)
                    running[future] = job
                    if dev is not None:
                        device[future] = dev
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                if future in device:
                    free.append(device.pop(future))
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - its worker process died (killed, out of memory)
                    outcome = Outcome(job.name, "failed", 0.0, destination(job, out_dir),
                                      f"worker process died: {type(exc).__name__}: {exc}")
                outcomes[job.name] = outcome
                bar.update(1)
                bar.set_postfix_str(", ".join(j.name for j in running.values()))
                if outcome.status != "ok":
                    bar.write(f"FAILED {job.name}: {outcome.error}\n  executed copy: {outcome.output}")
    finally:
        bar.close()
        if pool:
            pool.shutdown(cancel_futures=True)
    ordered = [outcomes[j.name] for j in plan.jobs if j.name in outcomes]
    echo(summary_table(ordered, wall=time.perf_counter() - t0 if jobs > 1 else None))
    return ordered


def summary_table(outcomes: list[Outcome], wall: float | None = None) -> str:
    """Plain-text table: notebook, status, seconds; a total line (with the wall time when
    notebooks ran side by side)."""
    width = max([len(o.name) for o in outcomes] + [8])
    lines = [f"{'notebook':<{width}}  {'status':<6}  {'seconds':>8}"]
    lines += [f"{o.name:<{width}}  {o.status:<6}  {o.seconds:8.1f}" for o in outcomes]
    failed = sum(o.status != "ok" for o in outcomes)
    total = f"{len(outcomes)} notebooks, {failed} failed, {sum(o.seconds for o in outcomes):.1f} s"
    lines.append(total + (f" of notebook time in {wall:.1f} s wall" if wall is not None else ""))
    return "\n".join(lines)
