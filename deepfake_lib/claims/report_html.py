"""The claims dashboard's HTML: findings per paper first, then the claims, then the checks.

Every table is built from an :class:`~deepfake_lib.claims.verdicts.Assessment`; nothing is
typed in. Rows carry classes the browser test counts (``tr.finding-row``, ``tr.claim-row``,
``tr.check-row`` with ``data-paper``); each finding has the anchor ``finding-<id>`` that the
claims table links to. Notebook ``claims_dashboard``, section "Findings".
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from . import findings as F
from . import ledger as L
from .report import culprit_text, paper_value, readings_text
from .verdicts import VERDICTS, Assessment, Verdict, ours_text

#: Badge colours, one per verdict and per severity.
BADGE_COLOURS = {
    "inconsistent": "#b91c1c", "contradiction": "#b91c1c", "suspect": "#c2410c",
    "reading-dependent": "#a16207", "concern": "#7c3aed", "rounding": "#0f766e",
    "not-reproduced-on-demo": "#c2410c", "not-reproduced-on-dataset": "#c2410c",
    "not-reproduced-computed": "#9a3412",
    "reproduced-on-demo": "#15803d", "reproduced-on-dataset": "#15803d",
    "inconclusive-on-demo": "#a16207", "inconclusive-on-dataset": "#a16207",
    "consistent": "#1d4ed8", "needs-dataset": "#6b7280", "untestable": "#9ca3af",
}
_TABLE = 'style="font-size:0.8em"'


def badge(word: str) -> str:
    """A coloured badge for a verdict or a severity. Notebook claims_dashboard, section
    "Findings"."""
    colour = BADGE_COLOURS.get(word, "#6b7280")
    return (f'<span class="verdict-badge verdict-{word}" style="background:{colour};color:#fff;'
            f'border-radius:4px;padding:1px 6px;font-size:0.85em;white-space:nowrap">{word}</span>')


def anchor(finding_id: str) -> str:
    """The HTML id of a finding's row. Notebook claims_dashboard, section "Findings"."""
    return "finding-" + re.sub(r"[^A-Za-z0-9_-]", "-", finding_id)


def html_finding_counts(a: Assessment) -> str:
    """One table: findings per severity and paper. Notebook claims_dashboard, section
    "Findings"."""
    papers = list(a.ledgers)
    rows = []
    for s in F.SEVERITIES:
        n = [F.counts(a.findings, p)[s] for p in papers]
        rows.append(f"<tr><td>{badge(s)}</td>" + "".join(f"<td>{x}</td>" for x in n) + f"<td>{sum(n)}</td></tr>")
    head = "".join(f"<th>{p}</th>" for p in papers)
    return (f'<table class="finding-counts"><thead><tr><th>severity</th>{head}<th>all</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def html_findings(a: Assessment, paper: str) -> str:
    """The findings of one paper: severity badge, statement, culprits, arithmetic, readings.

    Notebook claims_dashboard, section "Findings".
    """
    rows = []
    for f in (f for f in a.findings if f.paper == paper):
        lines = [html.escape(x.split(": ", 1)[1]) for x in f.arithmetic]
        arith = "<br>".join(lines[:2])
        if len(lines) > 2:
            arith += (f"<details><summary>{len(lines) - 2} more results under other readings or rows"
                      f"</summary>{'<br>'.join(lines[2:])}</details>")
        blame = html.escape(culprit_text(f))
        if f.premises:
            blame += f"<br><i>premises</i>: {html.escape(', '.join(f.premises))}"
        if f.cleared:
            blame += (f"<details><summary>{len(f.cleared)} candidates cleared by independent checks</summary>"
                      + html.escape(", ".join(f"{c} (by {by})" for c, by in f.cleared.items())) + "</details>")
        rows.append(f'<tr class="finding-row" data-paper="{paper}" data-severity="{f.severity}" '
                    f'id="{anchor(f.id)}"><td>{badge(f.severity)}</td><td><code>{html.escape(f.id)}</code>'
                    f"<br>{html.escape(f.statement)}"
                    + (f"<br><i>misprint</i>: {html.escape(f.misprint)}" if f.misprint else "")
                    + f"</td><td>{blame}</td><td>{arith}</td>"
                    f"<td>{html.escape(readings_text(f))}</td></tr>")
    return (f'<div style="overflow-x:auto"><table class="findings-table" id="findings-{paper}" {_TABLE}>'
            "<thead><tr><th>severity</th><th>finding (does not hold)</th><th>culprits</th><th>arithmetic</th>"
            f"<th>readings</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def html_counts(a: Assessment) -> str:
    """One table: claims per verdict and paper. Notebook claims_dashboard, section "Verdicts
    at a glance"."""
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
    """The HTML id the book gives a section heading (docutils' ``make_id`` of its plain text).

    Notebook claims_dashboard, section "The claims".
    """
    from docutils.nodes import make_id

    plain = re.sub(r"[`*_]|\\\(|\\\)|\$", "", title)
    return make_id(plain)


def evidence_anchor(notebook: str, key: str, folder: Path | None = None) -> str | None:
    """The section id of ``notebook`` whose code records evidence ``key``, or ``None``: the
    code cell that names the key (literally, by its last part, or by the prefix of an f-string
    such as ``f"A.alg1.transfer_helps_{m}"``) and the last section heading above that cell.

    Notebook claims_dashboard, section "The claims".
    """
    from deepfake_lib.core.paths import notebooks_dir

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


def evidence_link(v: Verdict) -> str:
    """A link to the notebook section that recorded the claim's evidence ("" when none).

    Notebook claims_dashboard, section "The claims".
    """
    if not v.notebook:
        return ""
    name = html.escape(v.notebook)
    target = evidence_anchor(v.notebook, v.evidence["key"]) if v.evidence else None
    return f'<a href="{name}.html{"#" + target if target else ""}">{name}</a>'


def _why(c: L.Claim, v: Verdict) -> str:
    links = ", ".join(f'<a href="#{anchor(fid)}">{html.escape(fid)}</a>' for fid in v.findings)
    if v.verdict == "needs-dataset":
        text = "measured on " + html.escape(c.dataset) + ": " + " ; ".join(
            f"<code>{html.escape(x)}</code>" for x in v.commands)
    elif v.evidence is not None and v.verdict not in ("inconsistent", "suspect", "reading-dependent"):
        text = html.escape(str(v.evidence.get("detail") or v.evidence.get("claim", "")))
    else:
        text = html.escape(v.reason if len(v.reason) < 220 else v.reason[:217] + "...")
    return (f"findings: {links}<br>" if links else "") + text


def html_paper_table(a: Assessment, paper: str) -> str:
    """The claims of one paper: id, verdict badge, the paper's value, ours (with the data it
    came from), the evidence link, quantity, and why (linked to the findings that name it).

    Notebook claims_dashboard, section "The claims".
    """
    rows = []
    for c in a.ledgers[paper].claims:
        v = a.verdicts[c.id]
        rows.append(
            f'<tr class="claim-row" data-paper="{paper}" data-verdict="{v.verdict}" id="claim-{html.escape(c.id)}">'
            f"<td><code>{html.escape(c.id)}</code></td><td>{badge(v.verdict)}</td>"
            f"<td>{html.escape(paper_value(c))}</td><td>{html.escape(ours_text(v))}</td>"
            f"<td>{evidence_link(v)}</td><td>{html.escape(c.quantity)} ({html.escape(c.where)})</td>"
            f"<td>{_why(c, v)}</td></tr>")
    return (f'<div style="overflow-x:auto"><table class="claims-table" id="claims-{paper}" {_TABLE}>'
            "<thead><tr><th>claim</th><th>verdict</th><th>paper</th><th>ours</th><th>evidence</th>"
            f"<th>quantity (where)</th><th>why</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def html_checks(a: Assessment, paper: str) -> str:
    """Every check result of one paper with its arithmetic, folded under a summary line.

    Notebook claims_dashboard, section "Checks".
    """
    rows = [f'<tr class="check-row" data-paper="{paper}"><td><code>{html.escape(r.id)}</code></td>'
            f"<td>{html.escape(r.outcome)}</td><td>{html.escape(r.statement)}</td>"
            f"<td>{html.escape(r.arithmetic)}</td></tr>" for r in a.checks if r.paper == paper]
    return (f"<details><summary>All {len(rows)} check results of paper {paper}, with their arithmetic"
            f'</summary><div style="overflow-x:auto"><table class="claims-checks" id="checks-{paper}" {_TABLE}>'
            "<thead><tr><th>check</th><th>outcome</th><th>statement</th><th>arithmetic</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div></details>")
