"""``dfbook``: the book's one command-line tool.

    dfbook [--version] [-q | -v] COMMAND ...
    dfbook data demo  [--out DIR] [--seed N] [--size small|demo] [--jitter J] [--force]
    dfbook data index --layout {ffpp,celebdf,dfdc,ciplab} ROOT [--out MANIFEST] [--compression C]
    dfbook run   [--profile P] [--only NAME ...] [-f OVERLAY.yaml] [-p key=value ...]
                 [--backend B] [--fail-fast] [-j N] [--log-output] [--out DIR]
                 [--executor inline|ray] [--on-ray NAME ...] [--address A] [--ray-cpus N]
                 [--gpus-per-fit G] [--threads T] [--deterministic on|off]
                 [--store DIR | --no-store]
    dfbook params NOTEBOOK
    dfbook runs  [--notebook NAME ...] [--clear [--stale]]
    dfbook build
    dfbook claims [--paper A|B|C] [--findings] [--json]
    dfbook bench [--only NAME ...] [--quick]

Errors the reader can fix (an unknown name, a value of the wrong type, a wrong dataset layout,
a missing file) are printed as one line ``dfbook: error: ...`` with exit code 2, never as a
traceback; :data:`EXIT_CODES` lists every code.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

from deepfake_lib.core.paths import book_dir, repo_root

#: What ``dfbook`` returns.
EXIT_CODES = {0: "success",
              1: "a notebook, benchmark or build failed (the others still ran)",
              2: "refused before anything ran: unknown name, value of the wrong type, "
                 "wrong dataset layout, missing file",
              130: "interrupted (Ctrl-C); no good executed notebook or results file is replaced"}


def _cmd_data_demo(args) -> int:
    from deepfake_lib.demo import build

    path = build.build(out=args.out, seed=args.seed, size=args.size, jitter=args.jitter, force=args.force)
    print(f"demo benchmark manifest: {path}")
    return 0


def _cmd_data_index(args) -> int:
    from deepfake_lib.data import adapters

    path = adapters.index(args.layout, args.root, out=args.out, compression=args.compression)
    print(f"manifest: {path}")
    return 0


def run_settings(args):
    """The executor settings of ``dfbook run``: the ``DFBOOK_*`` environment, then the
    options given; the run store on (in ``<data cache>/runs``) unless ``--no-store``."""
    from deepfake_lib.core import run_store
    from deepfake_lib.core.settings import Settings

    base = Settings.from_env()
    given = {"executor": args.executor, "address": args.address, "ray_cpus": args.ray_cpus,
             "gpus_per_unit": args.gpus_per_fit, "threads": args.threads}
    changes = {k: v for k, v in given.items() if v is not None}
    if args.deterministic is not None:
        changes["deterministic"] = args.deterministic == "on"
    if args.no_store:
        changes["store"] = None
    elif args.store is not None:
        changes["store"] = str(args.store)
    elif base.store is None and "DFBOOK_STORE" not in os.environ:
        changes["store"] = str(run_store.default_root())
    if changes.get("address") and changes.get("executor", base.executor) != "ray":
        changes["executor"] = "ray"
    return dataclasses.replace(base, **changes)


def _cmd_run(args) -> int:
    from deepfake_lib.book import runner

    runner.check_backend(args.backend)
    overrides = runner.parse_overrides(args.param or [])
    overlay = {}
    for path in args.overlay or []:
        overlay.update(runner.load_overlay(path))
    plan = runner.make_plan(args.profile, only=args.only, overrides=overrides, overlay=overlay)
    settings = run_settings(args)
    unknown = sorted(set(args.on_ray or []) - {j.name for j in plan.jobs})
    if unknown:
        raise runner.RunError(f"--on-ray names notebook(s) not in this run: {', '.join(unknown)}; "
                              f"in this run: {', '.join(j.name for j in plan.jobs)}")
    on_ray = dataclasses.replace(settings, executor="ray").to_env()
    outcomes = runner.run(plan, out_dir=args.out, backend=args.backend,
                          fail_fast=args.fail_fast, jobs=args.jobs, env=settings.to_env(),
                          log_output=args.log_output, progress=args.verbosity > 0,
                          env_for={name: on_ray for name in args.on_ray or []})
    return 1 if any(o.status != "ok" for o in outcomes) or len(outcomes) < len(plan.jobs) else 0


def _cmd_params(args) -> int:
    from deepfake_lib.book import notebook_params

    print(notebook_params.params_table(args.notebook))
    return 0


def _cmd_runs(args) -> int:
    from deepfake_lib.book import runs

    return runs.cli(args.notebook, clear=args.clear, stale=args.stale, store=args.store)


def build_book(book: Path | None = None) -> int:
    """``jupyter-book build book --builder html -W -n --keep-going``; returns its exit code."""
    book = book or book_dir()
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(book),
           "--builder", "html", "-W", "-n", "--keep-going"]
    code = subprocess.call(cmd, cwd=repo_root())
    if code == 0:
        print(f"Book: {book / '_build' / 'html' / 'index.html'}")
    return code


def _cmd_build(args) -> int:
    executed = book_dir() / "notebooks"
    if not executed.is_dir() or not any(executed.glob("*.ipynb")):
        raise FileNotFoundError(f"no executed notebooks in {executed}: run `dfbook run` first")
    return build_book()


def _cmd_claims(args) -> int:
    from deepfake_lib.claims import report

    return report.cli_report(args.paper, args.json, args.findings)


def _cmd_bench(args) -> int:
    from deepfake_lib import bench

    try:
        path = bench.run(only=args.only, quick=args.quick)
    except bench.BenchError as exc:
        print(f"dfbook: error: {exc}", file=sys.stderr)
        return 1
    print(f"benchmarks: {path}")
    return 0


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("deepfake_lib")
    except metadata.PackageNotFoundError:
        return "unknown"


def _add_run(sub) -> None:
    r = sub.add_parser("run", help="execute notebooks with papermill under a profile")
    r.add_argument("--profile", default="smoke")
    r.add_argument("--only", nargs="+", metavar="NAME")
    r.add_argument("-f", "--overlay", action="append", metavar="FILE",
                   help="YAML of parameters, per notebook (a profile's format) or for all; "
                        "applied after the profile, before -p (repeatable)")
    r.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                   help="override a parameter of the notebooks' parameters cell (repeatable); "
                        "its type must fit the default's")
    r.add_argument("--backend", help="Keras backend: tensorflow (default), jax or torch")
    r.add_argument("--fail-fast", action="store_true", help="stop at the first failing notebook")
    r.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="notebooks run side by side, each in its own process (default 1); on "
                        "a GPU machine each gets its own device")
    r.add_argument("--log-output", action="store_true", help="stream every cell's output")
    r.add_argument("--out", type=Path, default=None,
                   help="folder of the executed notebooks (default book/notebooks)")
    e = r.add_argument_group("dispatch of the independent fits inside each notebook")
    e.add_argument("--executor", choices=("inline", "ray"), default=None,
                   help="inline (default: in the kernel) or ray (tasks on a local Ray, or the "
                        "cluster of --address)")
    e.add_argument("--address", default=None,
                   help="Ray cluster to join: auto, or host:port (also RAY_ADDRESS); none: a "
                        "local Ray on 127.0.0.1")
    e.add_argument("--on-ray", nargs="+", default=None, metavar="NAME",
                   help="these notebooks dispatch their fits on Ray (a local Ray of --ray-cpus "
                        "CPUs, or the cluster of --address), the others as --executor says")
    e.add_argument("--ray-cpus", type=int, default=None, metavar="N",
                   help="CPUs of a local Ray (default: all)")
    e.add_argument("--gpus-per-fit", type=float, default=None, metavar="G",
                   help="GPUs Ray reserves per fit (e.g. 1, or 0.5 for two fits per device)")
    e.add_argument("--threads", type=int, default=None, metavar="T",
                   help="TensorFlow threads per process and CPUs per fit (default 1: the "
                        "same everywhere, so every executor gives the same numbers)")
    e.add_argument("--deterministic", choices=("on", "off"), default=None,
                   help="TensorFlow op determinism (default on; off is faster on GPUs)")
    e.add_argument("--store", type=Path, default=None,
                   help="run store folder (default <data cache>/runs)")
    e.add_argument("--no-store", action="store_true",
                   help="neither read nor write the run store: every fit runs")
    r.set_defaults(func=_cmd_run)


def parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {k:<4} {v}" for k, v in EXIT_CODES.items())
    p = argparse.ArgumentParser(prog="dfbook", description="Run, build and check the deepfake-detection "
                                "reproducibility book.", epilog=f"exit codes:\n{codes}",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"dfbook {_version()}")
    p.add_argument("-q", "--quiet", action="store_const", const=0, dest="verbosity", default=1,
                   help="no progress bars")
    p.add_argument("-v", "--verbose", action="count", dest="verbose", default=0,
                   help="log papermill's progress (-vv: debug)")
    sub = p.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="prepare data: the demo benchmark, or a manifest of a real dataset")
    dsub = data.add_subparsers(dest="data_command", required=True)
    d = dsub.add_parser("demo", help="build the embedded real-face demo benchmark")
    d.add_argument("--out", type=Path, default=None, help="output folder (default: the data cache)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--size", choices=("small", "demo"), default="demo")
    d.add_argument("--jitter", type=float, default=1.0,
                   help="strength of the per-frame jitter of blend mask, alignment and colour (0 = none)")
    d.add_argument("--force", action="store_true", help="rebuild even if an identical build is cached")
    d.set_defaults(func=_cmd_data_demo)
    i = dsub.add_parser("index", help="scan a real dataset's on-disk layout into a manifest")
    i.add_argument("--layout", required=True, choices=("ffpp", "celebdf", "dfdc", "ciplab"))
    i.add_argument("root", type=Path)
    i.add_argument("--out", type=Path, default=None)
    i.add_argument("--compression", default="c23", choices=("raw", "c23", "c40"),
                   help="FaceForensics++ compression level")
    i.set_defaults(func=_cmd_data_index)

    _add_run(sub)

    pa = sub.add_parser("params", help="a notebook's parameters: defaults and each profile's values")
    pa.add_argument("notebook")
    pa.set_defaults(func=_cmd_params)

    rs = sub.add_parser("runs", help="the results files of every run, and the run store")
    rs.add_argument("--notebook", nargs="+", metavar="NAME", help="only these notebooks")
    rs.add_argument("--clear", action="store_true",
                    help="delete the run store's entries (of --notebook, or all)")
    rs.add_argument("--stale", action="store_true",
                    help="with --clear: only entries written by another library version")
    rs.add_argument("--store", type=Path, default=None, help="run store folder")
    rs.set_defaults(func=_cmd_runs)

    b = sub.add_parser("build", help="build the HTML book from the executed notebooks")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("claims", help="the claims ledger with computed verdicts")
    c.add_argument("--paper", choices=("A", "B", "C"))
    c.add_argument("--findings", action="store_true",
                   help="print the findings (root causes, culprits, readings) instead of the claims")
    c.add_argument("--json", action="store_true", help="everything, findings included, as JSON")
    c.set_defaults(func=_cmd_claims)

    be = sub.add_parser("bench", help="run the registered benchmarks into book/results/bench.json")
    be.add_argument("--only", nargs="+", metavar="NAME")
    be.add_argument("--quick", action="store_true", help="fewer repetitions (CI-sized)")
    be.set_defaults(func=_cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns an exit code of :data:`EXIT_CODES`."""
    args = parser().parse_args(argv)
    if args.verbose:
        args.verbosity = 1 + args.verbose
        logging.basicConfig(level=logging.INFO if args.verbose == 1 else logging.DEBUG,
                            format="%(name)s: %(message)s")
    try:
        return args.func(args)
    except (ValueError, KeyError, FileNotFoundError, NotADirectoryError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"dfbook: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dfbook: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
