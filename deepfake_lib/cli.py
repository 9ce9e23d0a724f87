"""``dfbook``: the book's one command-line tool.

    dfbook data demo  [--out DIR] [--seed N] [--size small|demo] [--jitter J] [--force]
    dfbook data index --layout {ffpp,celebdf,dfdc,ciplab} ROOT [--out MANIFEST] [--compression C]
    dfbook run   [--profile P] [--only NAME ...] [-p key=value ...] [--backend B] [--fail-fast]
    dfbook build
    dfbook claims [--paper A|B|C] [--json]
    dfbook bench [--only NAME ...] [--quick]

Errors the reader can fix (an unknown name, a wrong dataset layout, a missing file) are printed
as one line ``dfbook: error: ...`` with exit code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .paths import book_dir, repo_root


def _cmd_data_demo(args) -> int:
    from . import demo

    path = demo.build(out=args.out, seed=args.seed, size=args.size, jitter=args.jitter, force=args.force)
    print(f"demo benchmark manifest: {path}")
    return 0


def _cmd_data_index(args) -> int:
    from . import adapters

    path = adapters.index(args.layout, args.root, out=args.out, compression=args.compression)
    print(f"manifest: {path}")
    return 0


def _cmd_run(args) -> int:
    from . import runner

    runner.check_backend(args.backend)
    overrides = runner.parse_overrides(args.param or [])
    plan = runner.make_plan(args.profile, only=args.only, overrides=overrides)
    outcomes = runner.run(plan, backend=args.backend, fail_fast=args.fail_fast, jobs=args.jobs)
    return 1 if any(o.status != "ok" for o in outcomes) or len(outcomes) < len(plan.jobs) else 0


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
    from .claims import report

    return report.cli_report(args.paper, args.json)


def _cmd_bench(args) -> int:
    from . import bench

    path = bench.run(only=args.only, quick=args.quick)
    print(f"benchmarks: {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dfbook", description="Run, build and check the deepfake-detection "
                                "reproducibility book.")
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

    r = sub.add_parser("run", help="execute notebooks with papermill under a profile")
    r.add_argument("--profile", default="smoke")
    r.add_argument("--only", nargs="+", metavar="NAME")
    r.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                   help="override a parameter of the notebooks' parameters cell (repeatable)")
    r.add_argument("--backend", help="Keras backend: tensorflow (default), jax or torch")
    r.add_argument("--fail-fast", action="store_true", help="stop at the first failing notebook")
    r.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="notebooks run side by side, each in its own process (default 1)")
    r.set_defaults(func=_cmd_run)

    b = sub.add_parser("build", help="build the HTML book from the executed notebooks")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("claims", help="the claims ledger with computed verdicts")
    c.add_argument("--paper", choices=("A", "B", "C"))
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_claims)

    be = sub.add_parser("bench", help="run the registered benchmarks into book/results/bench.json")
    be.add_argument("--only", nargs="+", metavar="NAME")
    be.add_argument("--quick", action="store_true", help="fewer repetitions (CI-sized)")
    be.set_defaults(func=_cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
