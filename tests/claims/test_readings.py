"""Readings and departures: schema, every quote in its paper, every notebook has its table."""

import pytest
import yaml

from deepfake_lib.book import notebook_params
from deepfake_lib.claims import ledger as L
from deepfake_lib.claims import readings as R
from deepfake_lib.core.paths import notebooks_dir

ALL = R.load_all()
#: Notebooks that reproduce a paper or build the demo: each opens with its readings table.
REPRODUCING = [n for n in notebook_params.notebook_names() if n[0] in "ABCD" and n[1].isdigit()]


@pytest.mark.parametrize("rid", sorted(ALL))
def test_every_quote_is_in_its_paper(rid, paper_texts):
    r = ALL[rid]
    assert R.quote_found(r, paper_texts[r.paper]), f"{rid}: quote not in paper {r.paper}: {r.quote!r}"


def test_rows_name_existing_notebooks_and_claims():
    names, claims = set(notebook_params.notebook_names()), L.claims_by_id()
    for r in ALL.values():
        assert set(r.notebooks) <= names, f"{r.id}: unknown notebooks {set(r.notebooks) - names}"
        assert set(r.claims) <= set(claims), f"{r.id}: unknown claims {set(r.claims) - set(claims)}"


@pytest.mark.parametrize("name", REPRODUCING)
def test_every_reproducing_notebook_shows_its_table(name):
    assert R.for_notebook(name), f"{name}: no row of any readings file names it"
    src = (notebooks_dir() / f"{name}.py").read_text()
    assert f'readings.table("{name}")' in src, f"{name} does not show its readings table"
    html = R.table(name)._repr_html_()
    assert html.count("<tr id=") == len(R.for_notebook(name))


@pytest.mark.parametrize("broken,message", [
    ({"readings": [{"id": "A.x"}]}, "missing fields"),
    ({"readings": "no list"}, "'readings' list"),
    ({"readings": [{**dict.fromkeys(R.REQUIRED, "t"), "id": "A.x", "paper": "B", "notebooks": ["A1"]}]},
     "id must look like"),
    ({"readings": [{**dict.fromkeys(R.REQUIRED, "t"), "id": "A.x", "paper": "A", "kind": "guess",
                    "notebooks": ["A1"]}]}, "kind must be one of"),
    ({"readings": [{**dict.fromkeys(R.REQUIRED, "t"), "id": "A.x", "paper": "A", "kind": "reading",
                    "notebooks": []}]}, "notebooks must be a non-empty list"),
    ({"readings": [{**dict.fromkeys(R.REQUIRED, "t"), "id": "A.x", "paper": "A", "kind": "reading",
                    "notebooks": ["A1"], "colour": "red"}]}, "unknown fields"),
])
def test_schema_errors_name_the_row(broken, message):
    with pytest.raises(R.ReadingsError, match=message):
        R.validate(yaml.safe_load(yaml.safe_dump(broken)), "t.yaml")


def test_unknown_notebook_has_no_table():
    with pytest.raises(R.ReadingsError, match="no reading or departure names notebook 'nope'"):
        R.table("nope")
