"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import os

import pytest

ON_CI = os.environ.get("CI", "").lower() == "true"


def need(ok: bool, what: str, how: str) -> None:
    """Skip a test whose input is missing, saying how to make it; under CI (``CI=true``)
    the missing input fails the test instead."""
    if ok:
        return
    message = f"{what} is missing: {how}"
    if ON_CI:
        pytest.fail(message)
    pytest.skip(message)
