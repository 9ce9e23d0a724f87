"""The findings and the ledger with its verdicts, as text (``dfbook claims [--findings]``) or
JSON (``--json``); the HTML of the dashboard is in :mod:`deepfake_lib.claims.report_html`.

>>> from deepfake_lib.claims import report
>>> code = report.cli_report("B", as_json=False, findings=True)   # doctest: +SKIP

Notebook ``claims_dashboard``, section "What next".
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import findings as F
from . import ledger as L
from .verdicts import VERDICTS, Assessment, assess, ours_text

#: What the demo data is; shown next to every number of ours.
DEMO_STATEMENT = (
    "Numbers marked 'demo data' come from the book's embedded demo benchmark: a few dozen short "
    "clips of real faces taken from media shipped inside software packages, with fakes made by "
    "simple identity swaps, expression warps and texture re-rendering. It is small and synthetic in "
    "its manipulations, so it can test a direction or a ranking a paper claims, never the paper's "
    "numbers, which were measured on DFDC, Ciplab, Celeb-DF and FaceForensics++."
)


def paper_value(claim: L.Claim) -> str:
    """The paper's value as printed, with its unit when the printed text lacks it.

    Notebook claims_dashboard, section "The claims".
    """
    text = claim.text
    if claim.unit and claim.unit not in text and claim.unit not in ("%",) and not isinstance(claim.value, str):
        text = f"{text} {claim.unit}"
    return text


def counts_line(a: Assessment, paper: str | None = None) -> str:
    """Claims per verdict in one line. Notebook claims_dashboard, section "Verdicts at a glance"."""
    c = a.counts(paper)
    return ", ".join(f"{v} {c[v]}" for v in VERDICTS if c[v])


def culprit_text(f: F.Finding) -> str:
    """A finding's blamed claims with their roles, or its cleared candidates when none is
    blamed. Notebook claims_dashboard, section "Findings"."""
    if f.roles:
        by_role: dict[str, list[str]] = {}
        for cid, role in f.roles.items():
            by_role.setdefault(role, []).append(cid)
        return "; ".join(f"{role}: {', '.join(ids)}" for role, ids in by_role.items())
    return "no claim blamed (within the printed rounding)" if f.severity == "rounding" else "none named"


def readings_text(f: F.Finding) -> str:
    """Under which readings a finding's checks fail and hold ("" when no reading is involved):
    the holding combinations are named, the failing ones counted.

    Notebook claims_dashboard, section "Findings".
    """
    if f.contradicting in ([], ["as printed"]) and not f.holding:
        return ""
    n = len(f.contradicting) + len(f.holding)
    if not f.holding:
        return f"fails under every reading ({n} combinations)" if n > 1 else f"fails under {f.contradicting[0]}"
    if len(f.contradicting) <= len(f.holding):
        return f"fails under {'; '.join(f.contradicting)}; holds under the other {len(f.holding)} of {n}"
    return f"holds under {'; '.join(f.holding)}; fails under the other {len(f.contradicting)} of {n}"


def findings_text(a: Assessment, paper: str | None = None) -> str:
    """The findings, one block each: severity, statement, culprits, arithmetic, readings.

    Notebook claims_dashboard, section "Findings".
    """
    lines = []
    for p in [paper] if paper else list(a.ledgers):
        fs = [f for f in a.findings if f.paper == p]
        c = F.counts(a.findings, p)
        slips = sum(bool(f.misprint) for f in fs)
        lines.append(f"== Paper {p}: {len(fs)} findings: " + ", ".join(f"{s} {n}" for s, n in c.items())
                     + (f" ({slips} of them misprints)" if slips else ""))
        for f in fs:
            lines.append(f"[{f.severity}{', misprint' if f.misprint else ''}] {f.id}: {f.statement}")
            if f.misprint:
                lines.append(f"    misprint: {f.misprint}")
            lines.append(f"    culprits: {culprit_text(f)}")
            if f.premises:
                lines.append(f"    premises: {', '.join(f.premises)}")
            if f.cleared:
                lines.append("    cleared: " + ", ".join(f"{c} (by {by})" for c, by in f.cleared.items()))
            for line in f.arithmetic:
                lines.append(f"    {line}")
            if (rd := readings_text(f)):
                lines.append(f"    readings: {rd}")
        lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- text and JSON
def to_json(a: Assessment, paper: str | None = None) -> dict[str, Any]:
    """Everything as JSON: per paper the findings (culprits, roles, premises, readings,
    severity), the claims with their verdicts and the check results.

    Notebook claims_dashboard, section "What next".
    """
    papers = [paper] if paper else list(a.ledgers)
    out: dict[str, Any] = {"papers": {}, "counts": dict(a.counts(paper)),
                           "finding_counts": F.counts(a.findings, paper),
                           "unmatched_evidence": a.unmatched_evidence, "result_errors": a.result_errors}
    for p in papers:
        led = a.ledgers[p]
        out["papers"][p] = {
            "title": led.title,
            "counts": dict(a.counts(p)),
            "finding_counts": F.counts(a.findings, p),
            "findings": [f.as_dict() for f in a.findings if f.paper == p],
            "claims": [{**c.as_dict(), **{k: v for k, v in a.verdicts[c.id].as_dict().items()
                                          if k not in ("claim", "paper")}} for c in led.claims],
            "checks": [r.as_dict() for r in a.checks if r.paper == p],
        }
    return out


def to_text(a: Assessment, paper: str | None = None) -> str:
    """The ledger with verdicts, the check results and the counts, as text.

    Notebook claims_dashboard, section "What next".
    """
    lines = []
    for p in [paper] if paper else list(a.ledgers):
        led = a.ledgers[p]
        lines.append(f"== Paper {p}: {led.title}")
        width = max(len(c.id) for c in led.claims)
        for c in led.claims:
            v = a.verdicts[c.id]
            ours = ours_text(v)
            lines.append(f"{v.verdict:<24} {c.id:<{width}}  paper: {paper_value(c)}"
                         + (f"  ours: {ours}" if ours else ""))
        lines.append(f"-- checks of paper {p}")
        for r in a.checks:
            if r.paper == p:
                lines.append(f"{r.outcome:<9} {r.id}: {r.arithmetic}")
        lines.append(f"-- paper {p}: {len(led.claims)} claims: {counts_line(a, p)}")
        lines.append("")
    lines.append(f"Total: {sum(a.counts(paper).values())} claims: {counts_line(a, paper)}")
    if a.unmatched_evidence:
        lines.append("Evidence matching no claim: " + ", ".join(a.unmatched_evidence))
    if a.result_errors:
        lines.append("Unreadable results files: " + "; ".join(a.result_errors))
    return "\n".join(lines)


def cli_report(paper: str | None, as_json: bool = False, findings: bool = False) -> int:
    """``dfbook claims [--paper A|B|C] [--findings] [--json]``: print the findings
    (``--findings``) or the ledger with verdicts, or everything as JSON. Returns the exit code
    (0; 2 for an unknown paper). Notebook claims_dashboard, section "What next"."""
    if paper is not None and paper not in L.PAPERS:
        print(f"dfbook: error: unknown paper {paper!r}; papers are {', '.join(L.PAPERS)}", file=sys.stderr)
        return 2
    a = assess()
    if as_json:
        print(json.dumps(to_json(a, paper), indent=2, ensure_ascii=False, default=str))
    elif findings:
        print(findings_text(a, paper))
    else:
        print(to_text(a, paper))
    return 0


