"""Verdicts: what the book can say about each claim, computed from findings and results files.

Nothing here is typed in. A claim's verdict is the first that applies of:

1. its role in a finding (:mod:`deepfake_lib.claims.findings`): ``inconsistent`` (in every
   minimal diagnosis of a contradiction), ``suspect`` (in some), ``reading-dependent``;
2. evidence measured on data by a notebook (``values.evidence[key]`` of
   ``book/results/<nb>.json``, written by :meth:`deepfake_lib.core.results.Run.evidence`),
   found through the claim's ``evidence: "<nb>/<key>"`` field or a key equal to the claim
   id (where several notebooks hold one: a real dataset's before the demo's, then the one on
   the most independent test ``units``; the others are named in the reason): ``holds`` True
   -> ``reproduced-on-demo``, False -> ``not-reproduced-on-demo``, None ->
   ``inconclusive-on-demo`` (``-on-dataset`` when the data was a real dataset);
3. ``concern``: the claim is the subject of a methodological concern;
4. evidence computed without data (a formula executed against a framework, a count under the
   book's readings; ``data="none"``): True -> ``consistent``, False ->
   ``not-reproduced-computed`` (the book's computation differs; no statement of the paper is
   contradicted by that alone);
5. ``consistent``: a check that holds involves the claim, or it was cleared in a finding;
6. otherwise the claim's kind: results, findings and dataset counts -> ``needs-dataset`` with
   the exact ``dfbook run`` command that would test them; settings, descriptions of the
   model, other works' numbers, background and hardware -> ``untestable`` with the reason.

Explained in notebook ``claims_dashboard``, section "How a verdict is computed".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deepfake_lib.core.paths import results_dir as default_results_dir
from . import checks as C
from . import findings as F
from . import ledger as L
from . import suite

#: Every verdict, in the order the report lists them.
VERDICTS = (
    "inconsistent", "suspect", "reading-dependent", "not-reproduced-on-dataset",
    "not-reproduced-on-demo", "reproduced-on-dataset", "reproduced-on-demo",
    "inconclusive-on-dataset", "inconclusive-on-demo", "concern", "not-reproduced-computed",
    "consistent", "needs-dataset", "untestable",
)

#: Why a claim of each kind cannot be tested when no check or evidence covers it.
UNTESTABLE_REASONS = {
    "equation": "a formula; a notebook checks it by executing it against the framework, and none has recorded that yet",
    "setting": "a setting the paper chose, not an outcome",
    "architecture": "a description of the model, not an outcome",
    "comparison": "a number the paper reports for another work; testing it needs that work's code and data",
    "background": "a number cited from the literature in the introduction",
    "environment": "the hardware of the paper's experiments",
}

#: Words in a claim's ``dataset`` field -> layout of ``dfbook data index``.
DATASET_LAYOUTS = (("FaceForensics++", "ffpp"), ("FF++", "ffpp"), ("Celeb-DF", "celebdf"),
                   ("DFDC", "dfdc"), ("Ciplab", "ciplab"))


@dataclass
class Verdict:
    """The verdict on one claim, with what it rests on.

    ``reason`` is one line a reader can check; ``findings`` the ids of the findings that name
    the claim (as culprit, premise or cleared candidate); ``checks`` the ids of the check
    results involving it; ``evidence`` the notebook's evidence record (or None); ``commands``
    the ``dfbook run`` commands that would test the claim on its dataset; ``notebook`` the
    notebook whose page shows the evidence ("" when none).
    Notebook claims_dashboard, section "The claims".
    """

    claim: str
    paper: str
    verdict: str
    reason: str
    findings: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    evidence: dict | None = None
    commands: list[str] = field(default_factory=list)
    notebook: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def layouts_for(claim: L.Claim, ledger: L.Ledger) -> list[str]:
    """Layouts named by the claim's dataset field; the paper's own layouts when it names none.

    Notebook claims_dashboard, section "The claims".
    """
    found = []
    for word, layout in DATASET_LAYOUTS:
        if word.lower() in claim.dataset.lower() and layout not in found:
            found.append(layout)
    return found or list(ledger.layouts)


def full_command(notebook: str, layout: str) -> str:
    """The command that runs ``notebook`` at the paper's settings on a dataset of ``layout``.

    Notebook claims_dashboard, section "The claims".
    """
    return (f"dfbook run --profile full --only {notebook} "
            f"-p data_root=/path/to/{layout} -p layout={layout}")


def load_results(folder: str | Path | None = None) -> dict[str, dict]:
    """One results payload per notebook (``<folder>/<notebook>/<run>.json``, chosen by
    :func:`deepfake_lib.core.results.select`: the run closest to the dashboard's own, with
    the evidence of that notebook's runs on other datasets beside it), keyed by notebook
    name; unreadable files are reported under a key ending in ``"!error"`` with the
    message, never silently dropped.

    Notebook claims_dashboard, section "How a verdict is computed".
    """
    from deepfake_lib.core import results

    return results.select(default_results_dir(folder))


def evidence_index(results: dict[str, dict]) -> dict[str, dict]:
    """``"<notebook>/<key>" -> evidence record`` over all results files.

    Notebook claims_dashboard, section "How a verdict is computed".
    """
    index = {}
    for nb, payload in results.items():
        ev = (payload.get("values") or {}).get("evidence") or {}
        for key, rec in ev.items():
            if isinstance(rec, dict):
                index[f"{nb}/{key}"] = {**rec, "notebook": rec.get("notebook", nb), "key": key}
    return index


def _find_evidence(claim: L.Claim, index: dict[str, dict]) -> tuple[dict | None, str]:
    if claim.evidence:
        rec = index.get(claim.evidence)
        return rec, ("" if rec else f"evidence {claim.evidence} not found in the results files")
    hits = _records_of(claim, index)
    return (max(hits, key=_evidence_rank) if hits else None), ""


def _records_of(claim: L.Claim, index: dict[str, dict]) -> list[dict]:
    """Every evidence record whose key is the claim's id, in whichever notebook."""
    return [rec for ref, rec in index.items() if ref.split("/", 1)[1] == claim.id]


def _evidence_rank(rec: dict) -> tuple[int, int]:
    """Which of several records of one claim decides: measured on a real dataset before the
    demo before computed, then the most independent test units (``units``; 0 when absent)."""
    source = {"dataset": 2, "demo": 1}.get(evidence_source(rec), 0)
    return source, int(rec.get("units") or 0)


def _other_measurements(claim: L.Claim, index: dict[str, dict], used: dict) -> str:
    """The records of ``claim`` that did not decide, as one line for the verdict's reason."""
    others = [rec for rec in _records_of(claim, index) if rec is not used]
    return "; ".join(f"also measured by {r.get('notebook', '?')} on {r.get('units') or '?'} "
                     f"units: holds {r.get('holds')}" for r in others)


def evidence_source(rec: dict) -> str:
    """Where an evidence record's numbers came from: ``"demo"`` (the demo benchmark),
    ``"dataset"`` (a real dataset: its ``data`` names a layout or dataset), or ``"computed"``
    (no measured data: a formula executed, arithmetic on the paper's numbers; e.g.
    ``data="none"`` or ``data="paper"``). Notebook claims_dashboard, section "How a verdict
    is computed"."""
    data = str(rec.get("data", "demo")).lower()
    if data == "demo":
        return "demo"
    names = {layout for _, layout in DATASET_LAYOUTS} | {w.lower() for w, _ in DATASET_LAYOUTS}
    return "dataset" if data in names else "computed"


def _evidence_verdict(rec: dict) -> str:
    """``holds`` -> verdict. Computed evidence (no measured data) is the book's computation,
    not a reproduction and not an internal contradiction."""
    holds = rec.get("holds")
    source = evidence_source(rec)
    if source == "computed":
        return {True: "consistent", False: "not-reproduced-computed"}.get(holds, "untestable")
    where = source
    word = "reproduced" if holds is True else "not-reproduced" if holds is False else "inconclusive"
    return f"{word}-on-{where}"


def _finding_line(f: F.Finding, claim: str = "") -> str:
    """The finding in one line, with the arithmetic that names ``claim`` when one does."""
    line = next((x for x in f.arithmetic if claim and claim in x), f.arithmetic[0])
    return f"{f.severity} {f.id}: {f.statement}: {line.split(': ', 1)[1]}"


def decide(claim: L.Claim, ledger: L.Ledger, results_for_claim: list[C.CheckResult],
           index: dict[str, dict], findings: list[F.Finding] = ()) -> Verdict:
    """The verdict on one claim (see the module docstring for the order of the rules).

    ``findings`` are every finding that names the claim. Notebook claims_dashboard, section
    "How a verdict is computed".
    """
    rec, missing = _find_evidence(claim, index)
    notebook = rec.get("notebook", "") if rec else (claim.evidence.split("/")[0] if claim.evidence else "")
    commands = []
    if claim.kind in ("result", "finding", "dataset"):
        commands = [full_command(notebook or ledger.full_notebook, lay) for lay in layouts_for(claim, ledger)]
    v = Verdict(claim=claim.id, paper=claim.paper, verdict="", reason="",
                findings=[f.id for f in findings], checks=[r.id for r in results_for_claim],
                evidence=rec, commands=commands, notebook=notebook)
    roles = [(F.ROLE_ORDER.index(f.roles[claim.id]), f) for f in findings if claim.id in f.roles]
    blame = [(k, f) for k, f in roles if F.ROLE_ORDER[k] != "concern"]
    good = [r for r in results_for_claim if r.outcome in (C.HOLDS, C.ROUNDING)]
    cleared = [f for f in findings if claim.id in f.cleared]
    source = evidence_source(rec) if rec is not None else ""
    if blame:
        k, f = min(blame, key=lambda x: x[0])
        v.verdict = F.ROLE_ORDER[k]
        v.reason = _finding_line(f, claim.id)
    elif rec is not None and source != "computed":
        v.verdict = _evidence_verdict(rec)
        v.reason = f"{rec.get('claim', '')}: ours {rec.get('ours')!r}; {rec.get('detail', '')}".strip()
        if not claim.evidence and (also := _other_measurements(claim, index, rec)):
            v.reason += f" ({also})"
    elif roles:
        v.verdict, v.reason = "concern", _finding_line(roles[0][1], claim.id)
    elif rec is not None:
        v.verdict = _evidence_verdict(rec)
        v.reason = f"{rec.get('claim', '')} (computed by {rec.get('notebook', '')}); {rec.get('detail', '')}".strip()
    elif good or cleared:
        v.verdict = "consistent"
        v.reason = "; ".join([f"{r.statement}: {r.arithmetic}" for r in good[:2]]
                             + [f"confirmed by {f.cleared[claim.id]} against finding {f.id}" for f in cleared])
    elif claim.kind in UNTESTABLE_REASONS:
        v.verdict = "untestable"
        v.reason = UNTESTABLE_REASONS[claim.kind]
    else:
        v.verdict = "needs-dataset"
        v.reason = f"measured on {claim.dataset}; run: " + " ; ".join(commands)
    if missing:
        v.reason = f"{v.reason} ({missing})" if v.reason else missing
    return v


@dataclass
class Assessment:
    """Everything the report and the dashboard show: ledgers, check results, findings,
    verdicts, and evidence keys of the results files that match no claim.

    Notebook claims_dashboard, section "Findings".
    """

    ledgers: dict[str, L.Ledger]
    checks: list[C.CheckResult]
    findings: list[F.Finding]
    verdicts: dict[str, Verdict]
    unmatched_evidence: list[str]
    result_errors: list[str]

    def counts(self, paper: str | None = None) -> Counter:
        """Number of claims per verdict (of one paper, or all). Notebook claims_dashboard,
        section "Verdicts at a glance"."""
        return Counter(v.verdict for v in self.verdicts.values() if paper in (None, v.paper))


def assess(results_folder: str | Path | None = None, papers=L.PAPERS) -> Assessment:
    """Load the ledgers, run the checks, build the findings, read the results files and
    decide every verdict. Notebook claims_dashboard, section "How a verdict is computed"."""
    ledgers = {p: L.load(p) for p in papers}
    results = load_results(results_folder)
    errors = [f"{k[:-6]}: {v['error']}" for k, v in results.items() if k.endswith("!error")]
    index = evidence_index({k: v for k, v in results.items() if not k.endswith("!error")})
    check_results = suite.run_all(L.claims_by_id(), papers=papers)
    found = F.build(check_results)
    by_claim: dict[str, list[C.CheckResult]] = {}
    for r in check_results:
        for cid in r.claims:
            by_claim.setdefault(cid, []).append(r)
    named: dict[str, list[F.Finding]] = {}
    for f in found:
        for cid in dict.fromkeys([*f.roles, *f.cleared, *f.premises]):
            named.setdefault(cid, []).append(f)
    verdicts = {}
    for p in papers:
        for claim in ledgers[p].claims:
            verdicts[claim.id] = decide(claim, ledgers[p], by_claim.get(claim.id, []), index,
                                        named.get(claim.id, []))
    used = {v.evidence["notebook"] + "/" + v.evidence["key"] for v in verdicts.values() if v.evidence}
    claim_ids = {c.id for p in papers for c in ledgers[p].claims}
    unmatched = sorted(ref for ref in index if ref not in used and ref.split("/", 1)[1][:1] in papers
                       and ref.split("/", 1)[1] not in claim_ids)
    return Assessment(ledgers=ledgers, checks=check_results, findings=found, verdicts=verdicts,
                      unmatched_evidence=unmatched, result_errors=errors)


def ours_text(v: Verdict) -> str:
    """Our value for the dashboard's "ours" column: the evidence's ``ours``, labelled with the
    data it came from ("demo data", "<layout> data", or "computed, no data"); "" when there is
    no evidence. Notebook claims_dashboard, section "The claims"."""
    if not v.evidence:
        return ""
    ours: Any = v.evidence.get("ours")
    data = v.evidence.get("data", "demo")
    label = "computed, no data" if evidence_source(v.evidence) == "computed" else f"{data} data"
    if ours is None:
        return f"({label})"
    if isinstance(ours, float):
        ours = f"{ours:.4g}"
    elif isinstance(ours, dict):
        ours = ", ".join(f"{k}: {x:.4g}" if isinstance(x, float) else f"{k}: {x}" for k, x in ours.items())
    return f"{ours} ({label})"
