"""Findings: the root causes behind failing checks, with culprits, premises and readings.

The rule (notebook ``claims_dashboard``, section "How a verdict is computed"): model-based
diagnosis with the claims as components.

1. Every check result that fails is a **conflict**: at least one of its culprit hypotheses is
   wrong (a hypothesis is one error: a number with its verbatim reprints, or a block of a
   table that moved together). Premises are never hypotheses.
2. A hypothesis is **cleared** in a conflict when one of its claims is a culprit candidate of
   an *independent confirming check*: a check that holds under every reading, relates
   statements by an equality or identity (``confirms``), involves a claim outside the
   hypothesis, and involves no other candidate of the same conflict. When every hypothesis of
   a conflict is cleared, none is: the paper's statements cannot all hold, and all stay. Only
   the claims a confirming check names are recorded as cleared: confirming one number of a
   block that moved refutes the move of the block, not the other numbers in it.
3. Results are grouped by their ``finding`` (one per root cause). The finding is evaluated
   under every combination of the readings its checks run under (a *scenario*). A
   **diagnosis** of a scenario is a set of hypotheses that hits every conflict of that
   scenario; the **minimal** diagnoses are those with no smaller diagnosis inside them (every
   way the paper's statements could be made consistent by assuming fewest errors *of its
   kind*). The smallest of them, the most parsimonious explanation, is shown first.
4. Severity: ``contradiction`` when every scenario has a conflict; ``reading-dependent`` when
   some do (the finding names them); ``rounding`` when the checks agree only within what the
   printed digits allow; ``concern`` for methodological checks. A contradiction whose likely
   cause is a printing slip (a lost minus sign, a letter for another) says so in ``misprint``.
5. A claim of a contradiction is **inconsistent** when it is in every minimal diagnosis of
   every scenario (no way of reading the paper as consistent keeps it), **suspect** when it is
   in some minimal diagnosis of every scenario, and **reading-dependent** when only some
   scenarios blame it; every claim in a minimal diagnosis of a reading-dependent finding is
   **reading-dependent**; a concern's culprits are **concern**s.
   :mod:`deepfake_lib.claims.verdicts` turns these into claim verdicts.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from . import readings as R
from .checks import FAILS, HOLDS, ROUNDING, CheckResult

SEVERITIES = ("contradiction", "reading-dependent", "rounding", "concern")
#: The claim verdict each severity gives its culprits.
ROLE_ORDER = ("inconsistent", "suspect", "reading-dependent", "concern")


@dataclass
class Finding:
    """One root cause: what the paper asserts, the arithmetic, who must be wrong, under which
    readings. ``roles`` maps each blamed claim to ``inconsistent``, ``suspect``,
    ``reading-dependent`` or ``concern``; ``cleared`` maps a candidate claim to the check that
    confirmed it; ``contradicting`` and ``holding`` list the scenarios (readings) under which
    the finding's checks fail or hold. Notebook claims_dashboard, section "Findings"."""

    id: str
    paper: str
    severity: str
    statement: str
    arithmetic: list[str]
    checks: list[str]
    culprits: list[list[str]]
    premises: list[str]
    roles: dict[str, str] = field(default_factory=dict)
    cleared: dict[str, str] = field(default_factory=dict)
    diagnoses: list[list[list[str]]] = field(default_factory=list)
    contradicting: list[str] = field(default_factory=list)
    holding: list[str] = field(default_factory=list)
    misprint: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def confirming_checks(results: list[CheckResult], finding: str | None = None
                      ) -> dict[str, tuple[set[str], set[str]]]:
    """``check -> (candidates, claims)`` of every check that confirms (rule 2) within
    ``finding`` (a check whose ``confirms`` names findings confirms only within those).

    Notebook claims_dashboard, section "How a verdict is computed".
    """
    by_check: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        by_check[r.check].append(r)
    return {c: (set().union(*(r.candidates for r in rs)), set().union(*(set(r.claims) for r in rs)))
            for c, rs in by_check.items()
            if all((r.confirms is True or (finding in r.confirms if r.confirms else False))
                   and not r.concern and r.outcome in (HOLDS, ROUNDING) for r in rs)}


def clear(conflict: CheckResult, confirmers) -> tuple[list[tuple[str, ...]], dict[str, str]]:
    """The hypotheses of a failing result that stay after rule 2, and the cleared claims with
    the check that cleared each. Notebook claims_dashboard, section "How a verdict is computed"."""
    keep, cleared = [], {}
    for hyp in conflict.culprits:
        rivals = conflict.candidates - set(hyp)
        by = [(c, cand) for c, (cand, names) in sorted(confirmers.items())
              if set(hyp) & cand and names - set(hyp) and not names & rivals]
        if not by:
            keep.append(hyp)
        for c in hyp:
            first = next((name for name, cand in by if c in cand), None)
            if first is not None:
                cleared.setdefault(c, first)
    return (keep, cleared) if keep else (list(conflict.culprits), {})


def minimal_diagnoses(conflicts: list[list[tuple[str, ...]]], limit: int = 12) -> list[tuple[tuple[str, ...], ...]]:
    """Subset-minimal sets of hypotheses that hit every conflict (each conflict a list of
    hypotheses), smallest first, with at most ``limit`` hypotheses each. Found by branching on
    the hypotheses of the first conflict not yet hit (every minimal hitting set is reached so).
    Notebook claims_dashboard, section "How a verdict is computed"."""
    sets = sorted({frozenset(c) for c in conflicts}, key=len)
    core = [c for i, c in enumerate(sets) if not any(o <= c for o in sets[:i])]
    found: set[frozenset] = set()
    seen: set[frozenset] = set()

    def grow(chosen: frozenset) -> None:
        if chosen in seen or len(chosen) > limit:
            return
        seen.add(chosen)
        missed = next((c for c in core if not chosen & c), None)
        if missed is None:
            found.add(chosen)
            return
        for hyp in sorted(missed):
            grow(chosen | {hyp})

    grow(frozenset())
    minimal = [d for d in found if not any(o < d for o in found)]
    if not minimal:
        return [tuple(sorted({hyp for c in conflicts for hyp in c}))]
    return sorted((tuple(sorted(d)) for d in minimal), key=lambda d: (len(d), d))


def _scenarios(group: list[CheckResult]) -> list[tuple[tuple[str, str], ...]]:
    ids = sorted({rid for r in group for rid, _ in r.readings})
    return [tuple(s) for s in itertools.product(*([(rid, o) for o in R.options(rid)] for rid in ids))]


def _label(scenario) -> str:
    return ", ".join(f"{rid}={o}" for rid, o in scenario) or "as printed"


def build(results: list[CheckResult]) -> list[Finding]:
    """Every finding of ``results`` (rules 1-5), in the order their first result appears.

    Notebook claims_dashboard, section "Findings".
    """
    groups: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        groups[r.finding].append(r)
    out = []
    for fid, group in groups.items():
        bad = [r for r in group if r.outcome == FAILS]
        near = [r for r in group if r.outcome == ROUNDING]
        if not bad and not near:
            continue
        shown = bad or near
        f = Finding(id=fid, paper=fid[0], severity="", statement=shown[0].statement,
                    arithmetic=list(dict.fromkeys(f"{r.id}: {r.arithmetic}" for r in shown)),
                    checks=[r.id for r in shown],
                    culprits=[list(h) for h in dict.fromkeys(h for r in shown for h in r.culprits)],
                    premises=sorted({p for r in shown for p in r.premises}),
                    misprint=next((r.misprint for r in shown if r.misprint), ""))
        if any(r.concern for r in group):
            f.severity = "concern" if bad else "rounding"
            f.roles = {c: "concern" for r in bad for c in sorted(r.candidates)}
            f.contradicting = sorted({_label(r.readings) for r in bad})
            f.holding = sorted({_label(r.readings) for r in group if r.outcome != FAILS})
            out.append(f)
            continue
        if not bad:
            f.severity = "rounding"
            out.append(f)
            continue
        confirmers = confirming_checks(results, fid)
        per_scenario = []
        for sc in _scenarios(group):
            conflicts = []
            for r in bad:
                if set(r.readings) <= set(sc):
                    keep, cleared = clear(r, confirmers)
                    conflicts.append(keep)
                    f.cleared.update(cleared)
            (f.contradicting if conflicts else f.holding).append(_label(sc))
            if conflicts:
                per_scenario.append(minimal_diagnoses(conflicts))
        f.severity = "contradiction" if not f.holding else "reading-dependent"
        f.diagnoses = [[list(h) for h in d] for d in sorted(dict.fromkeys(d for ds in per_scenario for d in ds),
                                                            key=len)]
        blamed = {c for ds in per_scenario for d in ds for h in d for c in h}
        for claim in sorted(blamed):
            every = sum(all(any(claim in h for h in d) for d in ds) for ds in per_scenario)
            some = sum(any(claim in h for d in ds for h in d) for ds in per_scenario)
            if f.severity == "reading-dependent" or some < len(per_scenario):
                f.roles[claim] = "reading-dependent"
            else:
                f.roles[claim] = "inconsistent" if every == len(per_scenario) else "suspect"
        f.cleared = {c: by for c, by in f.cleared.items() if c not in f.roles}
        out.append(f)
    return out


def counts(findings: list[Finding], paper: str | None = None) -> dict[str, int]:
    """Number of findings per severity (of one paper, or all), in :data:`SEVERITIES` order.

    Notebook claims_dashboard, section "Findings".
    """
    return {s: sum(f.severity == s and paper in (None, f.paper) for f in findings) for s in SEVERITIES}
