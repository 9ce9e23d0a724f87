"""The claims ledger: every quantitative claim of the three papers, as data.

One YAML file per paper (``ledger_A.yaml``, ``ledger_B.yaml``, ``ledger_C.yaml``, next to this
module) holds a header (``paper``, ``title``, ``source`` (the paper's text file),
``full_notebook`` (the notebook a full-data rerun executes), ``layouts`` (the dataset layouts
of ``dfbook data index`` the paper used)) and a list of ``claims``. Each claim is transcribed from the paper text in ``../shared/papers/`` and carries

=============  =============================================================================
``id``         ``"<paper>.<where>.<what>"``, e.g. ``"A.table4.dfdc.precision"``
``where``      section / table / figure / equation / abstract
``quantity``   what the number measures
``value``      a number, a list of numbers, or a string (a setting or a ranking)
``unit``       ``"%"``, ``"images"``, ... (``""`` when dimensionless)
``text``       the value exactly as printed
``quote``      an exact excerpt of the paper (whitespace collapsed) that contains ``text``
``dataset``    the dataset the claim is about
``conditions`` model, split, settings behind the number
``kind``       one of :data:`KINDS`
``note``       optional remark (a misprint, an ambiguity)
``evidence``   optional ``"<notebook>/<evidence key>"`` naming a results file's evidence
=============  =============================================================================

``tests/test_ledger_transcription.py`` re-reads ``text`` and ``quote`` against the papers.
The claims dashboard (notebook ``claims_dashboard``, section "The claims") shows them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

#: Papers of the book, in order.
PAPERS = ("A", "B", "C")

#: What a claim is about; the kind decides the verdict when no check or evidence applies.
KINDS = {
    "result": "a number the paper measured on its dataset",
    "finding": "a direction or ranking the paper reports (best batch size, A beats B)",
    "equation": "a formula as the paper prints it",
    "setting": "a hyperparameter or protocol choice",
    "dataset": "a count or share of a dataset or split",
    "architecture": "a size or count of the described model",
    "comparison": "a number the paper reports for another work",
    "background": "a number cited from the literature in the introduction",
    "environment": "hardware of the paper's experiments",
}

REQUIRED = ("id", "where", "quantity", "value", "unit", "text", "quote", "dataset",
            "conditions", "kind")
OPTIONAL = ("note", "evidence")
HEADER = ("paper", "title", "source", "full_notebook", "layouts", "claims")

_ID = re.compile(r"^[ABC]\.[A-Za-z0-9_.\-]+\.[A-Za-z0-9_\-]+$")
_EVIDENCE = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_.\-]+$")


class LedgerError(ValueError):
    """A ledger file that does not follow the schema; the message names file and claim.

    Notebook claims_dashboard, section "The claims".
    """


@dataclass(frozen=True)
class Claim:
    """One quantitative claim of one paper (one entry of a ledger file).

    Notebook claims_dashboard, section "The claims".
    """

    id: str
    paper: str
    where: str
    quantity: str
    value: Any
    unit: str
    text: str
    quote: str
    dataset: str
    conditions: str
    kind: str
    note: str = ""
    evidence: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Ledger:
    """The claims of one paper plus its header (title, paper source file, the notebook that a
    full-data rerun executes).

    Notebook claims_dashboard, section "The claims".
    """

    paper: str
    title: str
    source: str
    full_notebook: str
    layouts: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = field(default_factory=tuple)

    def by_id(self) -> dict[str, Claim]:
        return {c.id: c for c in self.claims}


def ledger_path(paper: str) -> Path:
    """``deepfake_lib/claims/ledger_<paper>.yaml``.

    Notebook claims_dashboard, section "The claims".
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; papers are {', '.join(PAPERS)}")
    return Path(__file__).resolve().parent / f"ledger_{paper}.yaml"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _validate_value(value: Any, where: str) -> None:
    if _is_number(value) or (isinstance(value, str) and value):
        return
    if isinstance(value, list) and value and all(_is_number(v) for v in value):
        return
    raise LedgerError(f"{where}: value must be a number, a non-empty list of numbers or a "
                      f"non-empty string, got {value!r}")


def validate(raw: dict, source: str = "<ledger>") -> Ledger:
    """Check one parsed ledger file against the schema and return it as a :class:`Ledger`.

    Raises :class:`LedgerError` naming the file and the claim at the first problem: a missing
    or unknown field, an id that does not start with the paper letter, a duplicate id, an
    unknown ``kind``, a ``text`` that is not inside its ``quote``, a malformed ``evidence``.
    Notebook claims_dashboard, section "The claims".
    """
    if not isinstance(raw, dict):
        raise LedgerError(f"{source}: top level must be a mapping")
    missing = [k for k in HEADER if k not in raw]
    if missing:
        raise LedgerError(f"{source}: header lacks {missing}")
    paper = raw["paper"]
    if paper not in PAPERS:
        raise LedgerError(f"{source}: paper {paper!r} is not one of {PAPERS}")
    claims, seen = [], set()
    for i, entry in enumerate(raw["claims"] or []):
        name = f"{source}: claim #{i} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise LedgerError(f"{name}: must be a mapping")
        lacking = [k for k in REQUIRED if k not in entry]
        if lacking:
            raise LedgerError(f"{name}: missing fields {lacking}")
        unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            raise LedgerError(f"{name}: unknown fields {sorted(unknown)}")
        cid = entry["id"]
        if not isinstance(cid, str) or not _ID.match(cid) or not cid.startswith(paper + "."):
            raise LedgerError(f"{name}: id must look like '{paper}.<where>.<what>'")
        if cid in seen:
            raise LedgerError(f"{name}: duplicate id")
        seen.add(cid)
        if entry["kind"] not in KINDS:
            raise LedgerError(f"{name}: kind {entry['kind']!r} is not one of {sorted(KINDS)}")
        _validate_value(entry["value"], name)
        for key in ("where", "quantity", "text", "quote", "dataset", "conditions"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise LedgerError(f"{name}: {key} must be a non-empty string")
        if not isinstance(entry["unit"], str):
            raise LedgerError(f"{name}: unit must be a string ('' when dimensionless)")
        if normalise(entry["text"]) not in normalise(entry["quote"]):
            raise LedgerError(f"{name}: text {entry['text']!r} is not inside its quote")
        ev = entry.get("evidence", "")
        if ev and not _EVIDENCE.match(ev):
            raise LedgerError(f"{name}: evidence must look like '<notebook>/<evidence key>'")
        claims.append(Claim(paper=paper, note=entry.get("note", ""), evidence=ev,
                            **{k: entry[k] for k in REQUIRED}))
    if not claims:
        raise LedgerError(f"{source}: no claims")
    return Ledger(paper=paper, title=raw["title"], source=raw["source"],
                  full_notebook=raw["full_notebook"], layouts=tuple(raw["layouts"]),
                  claims=tuple(claims))


@lru_cache(maxsize=None)
def load(paper: str) -> Ledger:
    """The validated ledger of ``paper`` ("A", "B" or "C").

    Notebook claims_dashboard, section "The claims".
    """
    path = ledger_path(paper)
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    ledger = validate(raw, source=path.name)
    if ledger.paper != paper:
        raise LedgerError(f"{path.name}: header says paper {ledger.paper!r}")
    return ledger


def load_all() -> dict[str, Ledger]:
    """All three ledgers, keyed by paper letter.

    Notebook claims_dashboard, section "The claims".
    """
    return {p: load(p) for p in PAPERS}


def claims_by_id() -> dict[str, Claim]:
    """Every claim of every paper, keyed by id.

    Notebook claims_dashboard, section "The claims".
    """
    return {c.id: c for led in load_all().values() for c in led.claims}


def normalise(text: str) -> str:
    """Collapse every run of whitespace (tabs, newlines, non-breaking spaces) into one space.

    Notebook claims_dashboard, section "The claims".
    """
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORDS = {"single": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def numbers_in(text: str) -> list[float]:
    """The numbers printed in ``text``, in order: thousands separators dropped, leading zeros
    kept as printed ("05.87" -> 5.87), ``10−4`` read as 1e-4.

    >>> numbers_in("19,148 real images")
    [19148.0]
    >>> numbers_in("10−4")
    [0.0001]
    Notebook claims_dashboard, section "The claims".
    """
    t = re.sub(r"10\s*[−-]\s*(\d+)", lambda m: f"{10.0 ** -int(m.group(1)):.{int(m.group(1))}f}", text)
    t = re.sub(r"[A-Za-z][A-Za-z0-9]*", lambda m: f" {_WORDS[m.group(0).lower()]} "
               if m.group(0).lower() in _WORDS else " ", t)
    return [float(m.group(0).replace(",", "")) for m in _NUM.finditer(t)]


def value_numbers(value: Any) -> list[float]:
    """The numbers of a claim's ``value`` as a flat list ([] for a string value).

    Notebook claims_dashboard, section "The claims".
    """
    if _is_number(value):
        return [float(value)]
    if isinstance(value, list):
        return [float(v) for v in value]
    return []
