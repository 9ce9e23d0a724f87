"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deepfake_lib.core.paths import repo_root

ON_CI = os.environ.get("CI", "").lower() == "true"
#: Starts the reason of a skip whose input no command of the repository makes; CI lets it skip.
OUTSIDE = "[input from outside the repository]"


def need(ok: bool, what: str, how: str, made_by_repo: bool = True) -> None:
    """Skip a test whose input is missing, saying how to make it. Under CI (``CI=true``) a
    missing input that the repository's own commands make (``made_by_repo``: the smoke run,
    the built book, Chromium) fails the test instead; one that lives outside the repository
    (the papers' text) is skipped there too, with the setting that provides it."""
    if ok:
        return
    message = f"{what} is missing: {how}"
    if not made_by_repo:
        pytest.skip(f"{OUTSIDE} {message}")
    if ON_CI:
        pytest.fail(message)
    pytest.skip(message)


def pins(name: str = "requirements.txt") -> dict[str, str]:
    """The ``name==version`` pins of a requirements file, by lower-case distribution name."""
    out = {}
    for line in (repo_root() / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            dist, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not pinned with =="
            out[dist.lower()] = version
    return out


def write_results(folder: Path, notebook: str, evidence: dict) -> None:
    """A results file of one smoke run of ``notebook`` with the given evidence
    ``{key: (holds, ours, data)}``, laid out per run: <notebook>/<profile>-<data>-s<seed>.json."""
    folder = folder / notebook
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": notebook, "values": {"evidence": {
        k: {"claim": "c", "holds": h, "ours": o, "detail": "d", "data": data, "notebook": notebook}
        for k, (h, o, data) in evidence.items()}}}
    (folder / "smoke-demo-small-s0.json").write_text(json.dumps(payload))
