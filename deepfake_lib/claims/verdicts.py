"""Verdicts: what the book can say about each claim, computed from checks and results files.

Nothing here is typed in. A claim's verdict comes from, in this order:

1. the arithmetic checks (:mod:`deepfake_lib.claims.checks`) that involve it: any
   ``inconsistent`` check makes the claim ``inconsistent``;
2. evidence recorded by a notebook (``values.evidence[key]`` of ``book/results/<nb>.json``,
   written by :meth:`deepfake_lib.results.Run.evidence`), found through the claim's
   ``evidence: "<nb>/<key>"`` field or a key equal to the claim id: ``holds`` True -> 
   ``reproduced-on-demo``, False -> ``not-reproduced-on-demo``, None ->
   ``inconclusive-on-demo`` (``-on-dataset`` instead of ``-on-demo`` when the evidence came
   from a real dataset; evidence computed without measured data, e.g. ``data="none"`` or
   ``"paper"``, gives ``consistent`` / ``inconsistent``, see :func:`evidence_source`);
3. consistent checks -> ``consistent``;
4. otherwise the claim's kind: results, findings and dataset counts -> ``needs-dataset`` with
   the exact ``dfbook run`` command that would test them; settings, descriptions of the model,
   other works' numbers, background and hardware -> ``untestable`` with the reason.

Explained in notebook ``claims_dashboard``, section "How a verdict is computed".
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..paths import results_dir as default_results_dir
from . import checks as C
from . import ledger as L

#: Every verdict, in the order the report lists them.
VERDICTS = (
    "inconsistent", "not-reproduced-on-demo", "not-reproduced-on-dataset",
    "reproduced-on-demo", "reproduced-on-dataset", "inconclusive-on-demo",
    "inconclusive-on-dataset", "consistent", "needs-dataset", "untestable",
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

    ``reason`` is one line a reader can check; ``checks`` the ids of the checks involving the
    claim; ``evidence`` the notebook's evidence record (or None); ``commands`` the
    ``dfbook run`` commands that would test the claim on its dataset; ``notebook`` the notebook
    whose page shows the evidence ("" when none).
    """

    claim: str
    paper: str
    verdict: str
    reason: str
    checks: list[str] = field(default_factory=list)
    evidence: dict | None = None
    commands: list[str] = field(default_factory=list)
    notebook: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def layouts_for(claim: L.Claim, ledger: L.Ledger) -> list[str]:
    """Layouts named by the claim's dataset field; the paper's own layouts when it names none."""
    found = []
    for word, layout in DATASET_LAYOUTS:
        if word.lower() in claim.dataset.lower() and layout not in found:
            found.append(layout)
    return found or list(ledger.layouts)


def full_command(notebook: str, layout: str) -> str:
    """The command that runs ``notebook`` at the paper's settings on a dataset of ``layout``."""
    return (f"dfbook run --profile full --only {notebook} "
            f"-p data_root=/path/to/{layout} -p layout={layout}")


def load_results(folder: str | Path | None = None) -> dict[str, dict]:
    """Every ``<folder>/*.json`` results file, keyed by notebook name; unreadable files are
    reported under the key ``"<file>!error"`` with the message, never silently dropped."""
    folder = default_results_dir(folder)
    out: dict[str, dict] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            out[f"{path.name}!error"] = {"error": str(exc)}
            continue
        if isinstance(payload, dict):
            out[payload.get("notebook", path.stem)] = payload
    return out


def evidence_index(results: dict[str, dict]) -> dict[str, dict]:
    """``"<notebook>/<key>" -> evidence record`` over all results files."""
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
    hits = [rec for ref, rec in index.items() if ref.split("/", 1)[1] == claim.id]
    return (hits[0] if hits else None), ""


def evidence_source(rec: dict) -> str:
    """Where an evidence record's numbers came from: ``"demo"`` (the demo benchmark),
    ``"dataset"`` (a real dataset: its ``data`` names a layout or dataset), or ``"computed"``
    (no measured data: a formula executed, arithmetic on the paper's numbers; e.g.
    ``data="none"`` or ``data="paper"``)."""
    data = str(rec.get("data", "demo")).lower()
    if data == "demo":
        return "demo"
    names = {layout for _, layout in DATASET_LAYOUTS} | {w.lower() for w, _ in DATASET_LAYOUTS}
    return "dataset" if data in names else "computed"


def _evidence_verdict(rec: dict) -> str:
    """``holds`` -> verdict. Computed evidence (no measured data) is a consistency result, not
    a reproduction."""
    holds = rec.get("holds")
    source = evidence_source(rec)
    if source == "computed":
        return {True: "consistent", False: "inconsistent"}.get(holds, "untestable")
    where = source
    word = "reproduced" if holds is True else "not-reproduced" if holds is False else "inconclusive"
    return f"{word}-on-{where}"


def decide(claim: L.Claim, ledger: L.Ledger, results_for_claim: list[C.CheckResult],
           index: dict[str, dict]) -> Verdict:
    """The verdict on one claim (see the module docstring for the order of the rules)."""
    rec, missing = _find_evidence(claim, index)
    notebook = rec.get("notebook", "") if rec else (claim.evidence.split("/")[0] if claim.evidence else "")
    commands = []
    if claim.kind in ("result", "finding", "dataset"):
        commands = [full_command(notebook or ledger.full_notebook, lay) for lay in layouts_for(claim, ledger)]
    v = Verdict(claim=claim.id, paper=claim.paper, verdict="", reason="",
                checks=[r.id for r in results_for_claim], evidence=rec, commands=commands,
                notebook=notebook)
    bad = [r for r in results_for_claim if r.verdict == C.INCONSISTENT]
    good = [r for r in results_for_claim if r.verdict == C.CONSISTENT]
    if bad:
        v.verdict = "inconsistent"
        v.reason = "; ".join(f"{r.statement}: {r.arithmetic}" for r in bad)
    elif rec is not None:
        v.verdict = _evidence_verdict(rec)
        v.reason = f"{rec.get('claim', '')}: ours {rec.get('ours')!r}; {rec.get('detail', '')}".strip()
    elif good:
        v.verdict = "consistent"
        v.reason = "; ".join(f"{r.statement}: {r.arithmetic}" for r in good)
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
    """Everything the report and the dashboard show: ledgers, check results, verdicts, and
    evidence keys of the results files that match no claim."""

    ledgers: dict[str, L.Ledger]
    checks: list[C.CheckResult]
    verdicts: dict[str, Verdict]
    unmatched_evidence: list[str]
    result_errors: list[str]

    def counts(self, paper: str | None = None) -> Counter:
        """Number of claims per verdict (of one paper, or all)."""
        return Counter(v.verdict for v in self.verdicts.values() if paper in (None, v.paper))


def assess(results_folder: str | Path | None = None, papers=L.PAPERS) -> Assessment:
    """Load the ledgers, run the checks, read the results files and decide every verdict."""
    ledgers = {p: L.load(p) for p in papers}
    claims = {c.id: c for led in ledgers.values() for c in led.claims}
    results = load_results(results_folder)
    errors = [f"{k[:-6]}: {v['error']}" for k, v in results.items() if k.endswith("!error")]
    index = evidence_index({k: v for k, v in results.items() if not k.endswith("!error")})
    check_results = C.run_all(L.claims_by_id(), papers=papers)
    by_claim: dict[str, list[C.CheckResult]] = {}
    for r in check_results:
        for cid in r.claims:
            by_claim.setdefault(cid, []).append(r)
    verdicts = {}
    for p in papers:
        for claim in ledgers[p].claims:
            verdicts[claim.id] = decide(claim, ledgers[p], by_claim.get(claim.id, []), index)
    used = {v.evidence["notebook"] + "/" + v.evidence["key"] for v in verdicts.values() if v.evidence}
    unmatched = sorted(ref for ref in index if ref not in used and ref.split("/", 1)[1][:1] in papers)
    return Assessment(ledgers=ledgers, checks=check_results, verdicts=verdicts,
                      unmatched_evidence=unmatched, result_errors=errors)


def ours_text(v: Verdict) -> str:
    """Our value for the dashboard's "ours" column: the evidence's ``ours``, labelled with the
    data it came from ("demo data", "<layout> data", or "computed, no data"); "" when there is
    no evidence."""
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
