"""Every check of the three papers, run together (``checks_a``, ``checks_b``, ``checks_c``).

>>> from deepfake_lib.claims import suite
>>> results = suite.run_all()                      # doctest: +SKIP

Notebook ``claims_dashboard``, section "Checks".
"""

from __future__ import annotations

from typing import Callable, Sequence

from . import checks_a, checks_b, checks_c
from . import ledger as L
from .checks import CheckResult, Claims

#: The check functions of each paper.
CHECKS: dict[str, tuple[Callable[[Claims], list[CheckResult]], ...]] = {
    "A": checks_a.CHECKS, "B": checks_b.CHECKS, "C": checks_c.CHECKS}


def run_all(claims: Claims | None = None, papers: Sequence[str] = L.PAPERS) -> list[CheckResult]:
    """Run every check of ``papers`` on ``claims`` (default: the three ledgers).

    Raises ``KeyError`` when a check reads a claim the ledger lacks and ``ValueError`` when a
    result names an unknown claim, when two results share an id, or when a culprit is also a
    premise of the same check. Notebook claims_dashboard, section "Checks".
    """
    claims = claims if claims is not None else L.claims_by_id()
    results: list[CheckResult] = []
    for p in papers:
        for fn in CHECKS[p]:
            results.extend(fn(claims))
    seen = set()
    for r in results:
        if r.id in seen:
            raise ValueError(f"duplicate check id {r.id}")
        seen.add(r.id)
        unknown = [c for c in r.claims if c not in claims]
        if unknown:
            raise ValueError(f"check {r.id} names unknown claims {unknown}")
        if r.candidates & set(r.premises):
            raise ValueError(f"check {r.id} blames its own premises {r.candidates & set(r.premises)}")
    return results
