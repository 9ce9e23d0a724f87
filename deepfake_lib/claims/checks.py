r"""Internal-consistency checks of the three papers: arithmetic on the ledger, no data.

A check tests a statement the paper makes, or a consequence of statements it makes, and
returns one :class:`CheckResult` per reading it runs under (the readings come from
:func:`deepfake_lib.claims.readings.options`). A result names

- its **culprits**: the candidate hypotheses of which at least one must be wrong if the check
  fails; a hypothesis is a tuple of claims that stand or fall together (a number and its
  verbatim reprints, a row of a table whose labels moved);
- its **premises**: claims it assumed, never blamed by it;
- whether it **confirms** its claims when it holds: equalities and identities between
  independent statements do; bare inequalities and rankings, which many values satisfy, and
  comparisons of a row with its own reprint, do not; a check that discriminates only one
  kind of error (the order of two datasets against a swap) confirms within the findings it
  names (a tuple of finding ids);
- its **finding** (the root cause it belongs to) and whether it is a methodological
  **concern** rather than a contradiction;
- a **misprint** note when the failure has an evident typographical cause (a lost minus
  sign, a letter for another): the finding stays a contradiction and says so.

Printed numbers are rounded: a value printed with :math:`d` decimals stands for
:math:`x \pm \tfrac12 10^{-d}` (:func:`half_unit`). A check *holds* when the printed numbers
agree exactly at their printed precision, is a *rounding* result when they agree only inside
the rounding box, and *fails* otherwise. The checks of each paper live in ``checks_a``,
``checks_b``, ``checks_c``, run together by :func:`deepfake_lib.claims.suite.run_all`; findings and
verdicts are computed from the results in :mod:`deepfake_lib.claims.findings`.

Notebook ``claims_dashboard``, section "Checks".
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from . import ledger as L

HOLDS, FAILS, ROUNDING = "holds", "fails", "rounding"
OUTCOMES = (HOLDS, ROUNDING, FAILS)

Claims = dict[str, L.Claim]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check under one combination of readings.

    ``id`` is ``check`` plus the readings in brackets (``"A.x[A.image_size=224]"``);
    ``outcome`` is :data:`HOLDS`, :data:`ROUNDING` or :data:`FAILS`; ``claims`` every ledger
    id involved (culprits, premises and context). Notebook claims_dashboard, section "Checks".
    """

    id: str
    check: str
    paper: str
    statement: str
    outcome: str
    arithmetic: str
    claims: tuple[str, ...]
    culprits: tuple[tuple[str, ...], ...] = ()
    premises: tuple[str, ...] = ()
    readings: tuple[tuple[str, str], ...] = ()
    finding: str = ""
    concern: bool = False
    confirms: bool | tuple[str, ...] = True
    misprint: str = ""

    @property
    def candidates(self) -> set[str]:
        """Every claim that some culprit hypothesis names."""
        return {c for h in self.culprits for c in h}

    def as_dict(self) -> dict:
        d = asdict(self)
        d["claims"] = list(self.claims)
        d["culprits"] = [list(h) for h in self.culprits]
        d["premises"] = list(self.premises)
        d["readings"] = dict(self.readings)
        return d


@dataclass
class Spec:
    """What a check function states once for all its readings (see :func:`result`).

    Notebook claims_dashboard, section "Checks".
    """

    check: str
    statement: str
    culprits: Sequence[Sequence[str]]
    premises: Sequence[str] = ()
    context: Sequence[str] = ()
    finding: str = ""
    concern: bool = False
    confirms: bool | tuple[str, ...] = True
    misprint: str = ""


def result(spec: Spec, outcome: str | bool, arithmetic: str,
           readings: Iterable[tuple[str, str]] = ()) -> CheckResult:
    """One :class:`CheckResult` of ``spec`` under ``readings`` (``True`` -> holds, ``False``
    -> fails; numpy booleans too). Notebook claims_dashboard, section "Checks"."""
    if not isinstance(outcome, str):
        outcome = HOLDS if bool(outcome) else FAILS
    if outcome not in OUTCOMES:
        raise ValueError(f"{spec.check}: outcome must be one of {OUTCOMES}, got {outcome!r}")
    readings = tuple(readings)
    culprits = tuple(tuple(h) for h in spec.culprits)
    names = [c for h in culprits for c in h] + list(spec.premises) + list(spec.context)
    tag = ",".join(f"{r}={o}" for r, o in readings)
    return CheckResult(
        id=spec.check + (f"[{tag}]" if tag else ""), check=spec.check, paper=spec.check[0],
        statement=spec.statement, outcome=outcome, arithmetic=arithmetic,
        claims=tuple(dict.fromkeys(names)), culprits=culprits, premises=tuple(spec.premises),
        readings=readings, finding=spec.finding or spec.check, concern=spec.concern,
        confirms=spec.confirms, misprint=spec.misprint)


def scenarios(*reading_ids: str) -> list[tuple[tuple[str, str], ...]]:
    """Every combination of the named readings' options (``readings.options``), as tuples
    of ``(reading id, option)``. Notebook claims_dashboard, section "Readings"."""
    from . import readings as R

    opts = [[(rid, o) for o in R.options(rid)] for rid in reading_ids]
    return [tuple(c) for c in itertools.product(*opts)]


# ----------------------------------------------------------------------------- rounding
def decimals(text: str) -> int:
    """Decimals of the first number printed in ``text`` ("98.24%" -> 2, "97%" -> 0).

    Notebook claims_dashboard, section "Checks".
    """
    for token in text.replace(",", "").split():
        digits = "".join(ch for ch in token if ch.isdigit() or ch == ".")
        if any(ch.isdigit() for ch in digits):
            return len(digits.split(".")[1]) if "." in digits else 0
    raise ValueError(f"no number in {text!r}")


def half_unit(text: str) -> float:
    """Half a unit in the last printed digit of the first number in ``text``
    ("98.24%" -> 0.005, "97%" -> 0.5, "0.923" -> 0.0005).

    Notebook claims_dashboard, section "Checks".
    """
    return 0.5 * 10.0 ** -decimals(text)


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when the closed intervals ``a`` and ``b`` share a point (with 1e-9 slack).

    Notebook claims_dashboard, section "Checks".
    """
    return a[0] <= b[1] + 1e-9 and b[0] <= a[1] + 1e-9


def judge(computed: float, printed: float, digits: int, tol: float) -> str:
    """Outcome of comparing a value computed from printed numbers with a printed value:
    holds when ``computed`` rounds to ``printed`` at its ``digits``, rounding when they are
    within ``tol`` (the rounding box), fails otherwise.

    Notebook claims_dashboard, section "Checks".
    """
    if abs(round(computed, digits) - printed) < 1e-9:
        return HOLDS
    return ROUNDING if abs(computed - printed) <= tol + 1e-9 else FAILS


# ----------------------------------------------------------------------------- helpers on claims
def v(claims: Claims, cid: str) -> float:
    """The claim's value as a float. Notebook claims_dashboard, section "Checks"."""
    return float(claims[cid].value)


def h(claims: Claims, cid: str) -> float:
    """Half a unit of the claim's printed text. Notebook claims_dashboard, section "Checks"."""
    return half_unit(claims[cid].text)


def agree(spec: Spec, claims: Claims, a: str, b: str, readings=()) -> CheckResult:
    """Two printed numbers that state the same quantity: equal at the coarser printed
    precision (holds), inside both rounding boxes (rounding), or neither (fails).

    Notebook claims_dashboard, section "Checks".
    """
    va, vb = v(claims, a), v(claims, b)
    da, db = decimals(claims[a].text), decimals(claims[b].text)
    fine, coarse = (va, vb) if da >= db else (vb, va)
    outcome = judge(fine, coarse, min(da, db), h(claims, a) + h(claims, b))
    word = {HOLDS: "equal", ROUNDING: "equal only within rounding", FAILS: "differ"}[outcome]
    return result(spec, outcome, f"{claims[a].text} ({a}) vs {claims[b].text} ({b}): "
                  f"difference {va - vb:+.4g} -> {word}", readings)
