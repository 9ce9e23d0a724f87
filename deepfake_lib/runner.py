"""``dfbook run``: execute the book's notebooks with papermill under a named profile.

Each ``notebooks/<name>.py`` (jupytext percent format) is read, parameterised with the
profile's values plus any ``-p key=value`` overrides, and executed into
``book/notebooks/<name>.ipynb``. Everything the reader can get wrong (profile, notebook name,
parameter name) is refused *before* anything runs, with the valid names listed. A failing
notebook keeps its executed copy; the error of the failing cell is printed with the path;
the others still run unless ``fail_fast``.

Order: the order in which ``book/_toc.yml`` lists the notebooks, so the claims dashboard and
the performance page run after the notebooks whose results they read. With ``jobs`` > 1,
notebooks run side by side, each in its own process and kernel; a notebook named in
:data:`READS_RESULTS_OF` starts only once the notebooks it reads have finished.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import notebook_params
from .paths import book_dir, notebooks_dir

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
    name: str
    source: Path
    parameters: dict[str, Any]


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


def make_plan(profile: str, only: list[str] | None = None, overrides: dict[str, Any] | None = None,
              folder: Path | None = None, toc: Path | None = None) -> Plan:
    """Check every name and return the jobs to run; raise :class:`RunError` listing valid names."""
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
    plan = Plan(profile)
    problems = []
    for name in selected:
        source = folder / f"{name}.py"
        defaults = notebook_params.parameters(source)
        params = {**(table.get(name) or {}), **(overrides or {})}
        bad = sorted(set(params) - set(defaults))
        if bad:
            problems.append(f"{name}: unknown parameter(s) {', '.join(bad)}; "
                            f"valid: {', '.join(sorted(defaults))}")
        plan.jobs.append(Job(name, source, {**params, "profile": profile}))
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


def execute(job: Job, out_dir: Path, backend: str | None = None, kernel: str = "python3") -> Outcome:
    """Execute one job with papermill into ``out_dir/<name>.ipynb``."""
    import jupytext
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{job.name}.ipynb"
    env_backup = os.environ.get("KERAS_BACKEND")
    if backend:
        os.environ["KERAS_BACKEND"] = backend
    t0 = time.perf_counter()
    try:
        nb = jupytext.read(job.source)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / f"{job.name}.ipynb"
            jupytext.write(nb, src)
            papermill.execute_notebook(str(src), str(output), parameters=job.parameters,
                                       kernel_name=kernel, cwd=str(out_dir), progress_bar=False)
        return Outcome(job.name, "ok", time.perf_counter() - t0, output)
    except papermill.PapermillExecutionError as exc:
        return Outcome(job.name, "failed", time.perf_counter() - t0, output,
                       f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
    except Exception as exc:  # noqa: BLE001 - kernel death, bad source: report and go on
        detail = _first_error(output) if output.exists() else ""
        return Outcome(job.name, "failed", time.perf_counter() - t0, output,
                       f"{type(exc).__name__}: {exc} {detail}".strip())
    finally:
        if backend:
            if env_backup is None:
                os.environ.pop("KERAS_BACKEND", None)
            else:
                os.environ["KERAS_BACKEND"] = env_backup


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
        fail_fast: bool = False, echo=print, jobs: int = 1) -> list[Outcome]:
    """Run a plan with a progress bar over notebooks; print failures and a summary table.

    ``jobs``: how many notebooks run at once (each in its own process); 1 runs them one after
    the other in this process. Outcomes come back in the plan's order.
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
    t0 = time.perf_counter()
    bar = tqdm(total=len(plan.jobs), desc=f"notebooks ({plan.profile})", unit="nb")
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
                    running[submit(execute, job, out_dir, backend)] = job
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - its worker process died (killed, out of memory)
                    outcome = Outcome(job.name, "failed", 0.0, out_dir / f"{job.name}.ipynb",
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
