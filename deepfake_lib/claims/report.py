"""The ledger with its verdicts, as text (``dfbook claims``), JSON (``--json``) or HTML (the
claims dashboard page, notebook ``claims_dashboard``).

>>> from deepfake_lib.claims import report
>>> code = report.cli_report("B", as_json=False)   # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import ledger as L
from .verdicts import VERDICTS, Assessment, Verdict, assess, ours_text

#: Badge colours of the dashboard, one per verdict.
BADGE_COLOURS = {
    "inconsistent": "#b91c1c", "not-reproduced-on-demo": "#c2410c", "not-reproduced-on-dataset": "#c2410c",
    "reproduced-on-demo": "#15803d", "reproduced-on-dataset": "#15803d",
    "inconclusive-on-demo": "#a16207", "inconclusive-on-dataset": "#a16207",
    "consistent": "#1d4ed8", "needs-dataset": "#6b7280", "untestable": "#9ca3af",
}

#: What the demo data is; shown next to every number of ours.
DEMO_STATEMENT = (
    "Numbers marked 'demo data' come from the book's embedded demo benchmark: a few dozen short "
    "clips of real faces taken from media shipped inside software packages, with fakes made by "
    "simple identity swaps, expression warps and texture re-rendering. It is small and synthetic in "
    "its manipulations, so it can test a direction or a ranking a paper claims, never the paper's "
    "numbers, which were measured on DFDC, Ciplab, Celeb-DF and FaceForensics++."
)


def paper_value(claim: L.Claim) -> str:
    """The paper's value as printed, with its unit when the printed text lacks it."""
    text = claim.text
    if claim.unit and claim.unit not in text and claim.unit not in ("%",) and not isinstance(claim.value, str):
        text = f"{text} {claim.unit}"
    return text


def counts_line(a: Assessment, paper: str | None = None) -> str:
    c = a.counts(paper)
    return ", ".join(f"{v} {c[v]}" for v in VERDICTS if c[v])


# ----------------------------------------------------------------------------- text and JSON
def to_json(a: Assessment, paper: str | None = None) -> dict[str, Any]:
    papers = [paper] if paper else list(a.ledgers)
    out: dict[str, Any] = {"papers": {}, "counts": dict(a.counts(paper)),
                           "unmatched_evidence": a.unmatched_evidence, "result_errors": a.result_errors}
    for p in papers:
        led = a.ledgers[p]
        out["papers"][p] = {
            "title": led.title,
            "counts": dict(a.counts(p)),
            "claims": [{**c.as_dict(), **{k: v for k, v in a.verdicts[c.id].as_dict().items()
                                          if k not in ("claim", "paper")}} for c in led.claims],
            "checks": [r.as_dict() for r in a.checks if r.paper == p],
        }
    return out


def to_text(a: Assessment, paper: str | None = None) -> str:
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
                lines.append(f"{r.verdict:<13} {r.id}: {r.arithmetic}")
        lines.append(f"-- paper {p}: {len(led.claims)} claims: {counts_line(a, p)}")
        lines.append("")
    lines.append(f"Total: {sum(a.counts(paper).values())} claims: {counts_line(a, paper)}")
    if a.unmatched_evidence:
        lines.append("Evidence matching no claim: " + ", ".join(a.unmatched_evidence))
    if a.result_errors:
        lines.append("Unreadable results files: " + "; ".join(a.result_errors))
    return "\n".join(lines)


def cli_report(paper: str | None, as_json: bool = False) -> int:
    """``dfbook claims [--paper A|B|C] [--json]``: print the ledger with verdicts and a count per
    verdict. Returns the exit code (0; 2 for an unknown paper)."""
    if paper is not None and paper not in L.PAPERS:
        print(f"dfbook: error: unknown paper {paper!r}; papers are {', '.join(L.PAPERS)}", file=sys.stderr)
        return 2
    a = assess()
    if as_json:
        print(json.dumps(to_json(a, paper), indent=2, ensure_ascii=False, default=str))
    else:
        print(to_text(a, paper))
    return 0


# ----------------------------------------------------------------------------- HTML (dashboard)
def badge(verdict: str) -> str:
    colour = BADGE_COLOURS.get(verdict, "#6b7280")
    return (f'<span class="verdict-badge verdict-{verdict}" style="background:{colour};color:#fff;'
            f'border-radius:4px;padding:1px 6px;font-size:0.85em;white-space:nowrap">{verdict}</span>')


@lru_cache(maxsize=None)
def _sections(source: Path) -> tuple[tuple[str | None, str], ...]:
    """``(heading in force, code)`` for each code cell of a jupytext percent notebook."""
    cells, heading, kind, lines = [], None, None, []

    def flush():
        nonlocal heading
        if kind == "markdown":
            for line in lines:
                if (m := re.match(r"#\s*#{2,6}\s+(.+)", line)):
                    heading = m.group(1).strip()
        elif kind == "code":
            cells.append((heading, "\n".join(lines)))

    for line in source.read_text().splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    return tuple(cells)


def section_id(title: str) -> str:
    """The HTML id the book gives a section heading (docutils' ``make_id`` of its plain text)."""
    from docutils.nodes import make_id

    plain = re.sub(r"[`*_]|\\\(|\\\)|\$", "", title)
    return make_id(plain)


def evidence_anchor(notebook: str, key: str, folder: Path | None = None) -> str | None:
    """The section id of ``notebook`` whose code records evidence ``key``, or ``None``.

    Read from the notebook's source: the code cell that names the key (literally, by its last
    part, or by the prefix of an f-string such as ``f"A.alg1.transfer_helps_{m}"``) and the
    last section heading above that cell.
    """
    from ..paths import notebooks_dir

    source = Path(folder or notebooks_dir()) / f"{notebook}.py"
    if not source.is_file():
        return None
    candidates = [f'"{key}"', f'"{key.rsplit(".", 1)[-1]}"']
    candidates += [f'f"{key[:i]}{{' for i in range(len(key) - 1, len(key.split(".")[0]), -1)]
    cells = _sections(source)
    for cand in candidates:
        for heading, code in cells:
            if cand in code:
                return section_id(heading) if heading else None
    return None


def _link(v: Verdict) -> str:
    if not v.notebook:
        return ""
    name = html.escape(v.notebook)
    anchor = evidence_anchor(v.notebook, v.evidence["key"]) if v.evidence else None
    return f'<a href="{name}.html{"#" + anchor if anchor else ""}">{name}</a>'


def html_counts(a: Assessment) -> str:
    """One table: claims per verdict and paper."""
    papers = list(a.ledgers)
    head = "".join(f"<th>{p}</th>" for p in papers)
    rows = []
    for verdict in VERDICTS:
        n = [a.counts(p)[verdict] for p in papers]
        if any(n):
            rows.append(f"<tr><td>{badge(verdict)}</td>" + "".join(f"<td>{x}</td>" for x in n)
                        + f"<td>{sum(n)}</td></tr>")
    total = [sum(a.counts(p).values()) for p in papers]
    rows.append("<tr><td><b>claims</b></td>" + "".join(f"<td><b>{x}</b></td>" for x in total)
                + f"<td><b>{sum(total)}</b></td></tr>")
    return (f'<table class="claims-counts"><thead><tr><th>verdict</th>{head}<th>all</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _why(c: L.Claim, v: Verdict, check_verdicts: dict[str, str]) -> str:
    """The dashboard's short "why": the checks (linked to their arithmetic below the table), the
    evidence's detail, the commands that would test the claim, or the reason it cannot be."""
    links = ", ".join(f'<a href="#check-{html.escape(cid)}">{html.escape(cid)}</a>'
                      for cid in v.checks if check_verdicts.get(cid) == v.verdict)
    if links:
        return links
    if v.evidence is not None:
        return html.escape(str(v.evidence.get("detail") or v.evidence.get("claim", "")))
    if v.verdict == "needs-dataset":
        return "measured on " + html.escape(c.dataset) + ": " + " ; ".join(
            f"<code>{html.escape(x)}</code>" for x in v.commands)
    return html.escape(v.reason)


def html_paper_table(a: Assessment, paper: str) -> str:
    """The dashboard table of one paper: one row per claim with the paper's value, ours (with the
    data it came from), the verdict badge, why, and a link to the evidence's notebook page."""
    check_verdicts = {r.id: r.verdict for r in a.checks}
    rows = []
    for c in a.ledgers[paper].claims:
        v = a.verdicts[c.id]
        rows.append(
            f'<tr class="claim-row" data-paper="{paper}" data-verdict="{v.verdict}">'
            f"<td><code>{html.escape(c.id)}</code></td><td>{badge(v.verdict)}</td>"
            f"<td>{html.escape(paper_value(c))}</td><td>{html.escape(ours_text(v))}</td>"
            f"<td>{_link(v)}</td><td>{html.escape(c.quantity)} ({html.escape(c.where)})</td>"
            f"<td>{_why(c, v, check_verdicts)}</td></tr>")
    return (f'<div style="overflow-x:auto"><table class="claims-table" id="claims-{paper}" '
            'style="font-size:0.8em"><thead><tr><th>claim</th><th>verdict</th><th>paper</th>'
            "<th>ours</th><th>evidence</th><th>quantity (where)</th><th>why</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def html_checks(a: Assessment, paper: str) -> str:
    """The checks of one paper with their arithmetic."""
    rows = [f'<tr class="check-row" data-paper="{paper}" id="check-{html.escape(r.id)}">'
            f"<td><code>{html.escape(r.id)}</code></td>"
            f"<td>{badge(r.verdict)}</td><td>{html.escape(r.statement)}</td>"
            f'<td style="font-size:0.8em">{html.escape(r.arithmetic)}</td></tr>'
            for r in a.checks if r.paper == paper]
    return (f'<div style="overflow-x:auto"><table class="claims-checks" id="checks-{paper}" '
            'style="font-size:0.8em"><thead><tr><th>check</th><th>verdict</th><th>statement</th>'
            f"<th>arithmetic</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
