"""Readings and departures: every place the book reads an ambiguous paper or departs from it.

One YAML file per part of the book (``readings_A.yaml``, ``readings_B.yaml``,
``readings_C.yaml``, ``readings_D.yaml`` next to this module) lists rows of

================  ===========================================================================
``id``            ``"<paper>.<what>"``, e.g. ``"A.lstm_position"``
``paper``         the paper whose words are read (``A``, ``B`` or ``C``)
``kind``          ``reading`` (the paper allows several meanings; the book picks one and
                  says which others it runs or counts) or ``departure`` (the book does what
                  the paper does not, and says why)
``notebooks``     the notebooks whose "Readings and departures" table shows the row
``where``         section / table / figure / equation
``quote``         the paper's words, exactly (whitespace collapsed); a test finds them in the
                  paper's text
``book``          what the book does
``alternatives``  the other readings, and whether the book runs or counts them ("" if none)
``why``           why the book's choice
``options``       optional: names of the readings a claims check enumerates
``claims``        optional: ids of the ledger claims the reading concerns
================  ===========================================================================

Every notebook of parts A to D opens with :func:`table` of its rows (notebook A1, section
"Readings and departures", is the first); the claims checks take their readings from here
(:func:`options`), so a verdict that depends on a reading names it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from deepfake_lib.claims import ledger as L

#: Parts of the book with a readings file: the three papers and the demo benchmark (D1).
PARTS = ("A", "B", "C", "D")
KINDS = ("reading", "departure")
REQUIRED = ("id", "paper", "kind", "notebooks", "where", "quote", "book", "alternatives", "why")
OPTIONAL = ("options", "claims")
_ID = re.compile(r"^[ABC]\.[A-Za-z0-9_.\-]+$")


class ReadingsError(ValueError):
    """A readings file that does not follow the schema; the message names file and row.

    Notebook claims_dashboard, section "Readings".
    """


@dataclass(frozen=True)
class Reading:
    """One row of a readings file (see the module docstring for the fields).

    Notebook claims_dashboard, section "Readings".
    """

    id: str
    paper: str
    kind: str
    notebooks: tuple[str, ...]
    where: str
    quote: str
    book: str
    alternatives: str
    why: str
    options: tuple[str, ...] = ()
    claims: tuple[str, ...] = field(default_factory=tuple)


def readings_path(part: str) -> Path:
    """``deepfake_lib/claims/readings_<part>.yaml``.

    Notebook claims_dashboard, section "Readings".
    """
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; parts are {', '.join(PARTS)}")
    return Path(__file__).resolve().parent / f"readings_{part}.yaml"


def validate(raw: dict, source: str = "<readings>") -> tuple[Reading, ...]:
    """Check one parsed readings file; raise :class:`ReadingsError` at the first problem.

    Notebook claims_dashboard, section "Readings".
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("readings"), list):
        raise ReadingsError(f"{source}: expected a mapping with a 'readings' list")
    rows, seen = [], set()
    for i, entry in enumerate(raw["readings"]):
        name = f"{source}: row #{i} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise ReadingsError(f"{name}: must be a mapping")
        lacking = [k for k in REQUIRED if k not in entry]
        if lacking:
            raise ReadingsError(f"{name}: missing fields {lacking}")
        unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            raise ReadingsError(f"{name}: unknown fields {sorted(unknown)}")
        rid = entry["id"]
        if not isinstance(rid, str) or not _ID.match(rid) or not rid.startswith(f"{entry['paper']}."):
            raise ReadingsError(f"{name}: id must look like '<paper>.<what>' with its paper's letter")
        if rid in seen:
            raise ReadingsError(f"{name}: duplicate id")
        seen.add(rid)
        if entry["kind"] not in KINDS:
            raise ReadingsError(f"{name}: kind must be one of {KINDS}, got {entry['kind']!r}")
        for key in ("where", "quote", "book", "why"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise ReadingsError(f"{name}: {key} must be a non-empty string")
        if not isinstance(entry["alternatives"], str):
            raise ReadingsError(f"{name}: alternatives must be a string ('' when there are none)")
        nbs = entry["notebooks"]
        if not isinstance(nbs, list) or not nbs or not all(isinstance(n, str) for n in nbs):
            raise ReadingsError(f"{name}: notebooks must be a non-empty list of notebook names")
        rows.append(Reading(
            id=rid, paper=entry["paper"], kind=entry["kind"], notebooks=tuple(nbs),
            where=entry["where"], quote=entry["quote"], book=entry["book"],
            alternatives=entry["alternatives"], why=entry["why"],
            options=tuple(str(o) for o in entry.get("options", ()) or ()),
            claims=tuple(entry.get("claims", ()) or ())))
    return tuple(rows)


@lru_cache(maxsize=None)
def load(part: str) -> tuple[Reading, ...]:
    """The validated rows of one part's readings file.

    Notebook claims_dashboard, section "Readings".
    """
    path = readings_path(part)
    return validate(yaml.safe_load(path.read_text(encoding="utf-8")), source=path.name)


def load_all() -> dict[str, Reading]:
    """Every row of every part, keyed by id (an id used twice across files is an error).

    Notebook claims_dashboard, section "Readings".
    """
    out: dict[str, Reading] = {}
    for part in PARTS:
        for r in load(part):
            if r.id in out:
                raise ReadingsError(f"{readings_path(part).name}: {r.id} is also in another part")
            out[r.id] = r
    return out


def for_notebook(notebook: str) -> list[Reading]:
    """The rows a notebook's "Readings and departures" table shows, in file order.

    Notebook claims_dashboard, section "Readings".
    """
    return [r for r in load_all().values() if notebook in r.notebooks]


def options(reading_id: str) -> tuple[str, ...]:
    """The named readings of one row, which a claims check runs one by one.

    Notebook claims_dashboard, section "Readings".
    """
    return load_all()[reading_id].options


def quote_found(reading: Reading, paper_text: str) -> bool:
    """Whether the row's quote stands in the paper's text (both whitespace-collapsed).

    Notebook claims_dashboard, section "Readings".
    """
    return L.normalise(reading.quote) in L.normalise(paper_text)


class Table:
    """A notebook's "Readings and departures" table; Jupyter shows it as HTML.

    Two columns, so that a reader's page does not squeeze six: where the passage stands
    (with the row's kind), and the paper's words followed by what the book does, what else it
    runs or counts, and why. Notebook A1, section "Readings and departures".
    """

    def __init__(self, rows: list[Reading]):
        self.rows = rows

    @staticmethod
    def _cell(r: Reading) -> str:
        parts = [f"<p><em>\u201c{html.escape(r.quote)}\u201d</em></p>",
                 f"<p><strong>The book:</strong> {html.escape(r.book)}</p>"]
        if r.alternatives:
            parts.append(f"<p><strong>Also run or counted:</strong> {html.escape(r.alternatives)}</p>")
        parts.append(f"<p><strong>Why:</strong> {html.escape(r.why)}</p>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        body = "".join(
            f'<tr id="reading-{html.escape(r.id)}"><td style="vertical-align:top;width:22%">'
            f"<strong>{html.escape(r.where)}</strong><br><small>{html.escape(r.kind)}</small></td>"
            f'<td style="vertical-align:top">{self._cell(r)}</td></tr>' for r in self.rows)
        return ('<table class="readings"><thead><tr><th>Where</th>'
                "<th>The paper says, and what the book does</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        return "\n".join(f"[{r.kind}] {r.where}: \u201c{r.quote}\u201d -> {r.book}" for r in self.rows)


def table(notebook: str) -> Table:
    """The "Readings and departures" table of ``notebook`` (raises if it has no row).

    Notebook claims_dashboard, section "Readings".
    """
    rows = for_notebook(notebook)
    if not rows:
        raise ReadingsError(f"no reading or departure names notebook {notebook!r}")
    return Table(rows)
