"""The claims ledger: schema, ids, transcription helpers (deepfake_lib/claims/ledger.py)."""

import pytest
import yaml

from deepfake_lib.claims import ledger as L


@pytest.fixture(scope="module")
def claims():
    return L.claims_by_id()


# ----------------------------------------------------------------------------- ledger
def test_every_ledger_loads_and_ids_are_unique():
    ledgers = L.load_all()
    ids = [c.id for led in ledgers.values() for c in led.claims]
    assert len(ids) == len(set(ids))
    for p, led in ledgers.items():
        assert len(led.claims) >= 80, f"paper {p}: only {len(led.claims)} claims"
        assert all(c.paper == p and c.id.startswith(p + ".") for c in led.claims)
        assert led.full_notebook and led.layouts


def test_ledger_covers_every_results_table_cell(claims):
    # paper A Tables 2-5, paper B Tables 2-4, paper C Tables 3 and 5 and the models table
    a = [i for i in claims if i.startswith(("A.table2.", "A.table3.", "A.table4."))]
    assert len(a) == 12
    assert len([i for i in claims if i.startswith("A.table5.") and i.count(".") == 3]) == 16
    assert len([i for i in claims if i.startswith(("B.table2.", "B.table3."))]) == 40
    assert len([i for i in claims if i.startswith("B.table4.") and i.endswith(".accuracy")]) == 9
    assert len([i for i in claims if i.startswith("C.table3.") and i.count(".") == 3]) == 16
    assert len([i for i in claims if i.startswith("C.table5.")]) == 12
    assert len([i for i in claims if i.startswith("C.table_models.")]) == 10


def _raw(**entry_changes):
    entry = {"id": "A.table9.x", "where": "Table 9", "quantity": "q", "value": 1.5, "unit": "%",
             "text": "1.5%", "quote": "is 1.5% here", "dataset": "DFDC", "conditions": "c",
             "kind": "result"}
    entry.update(entry_changes)
    entry = {k: v for k, v in entry.items() if v is not None}
    return {"paper": "A", "title": "t", "source": "s.txt", "full_notebook": "A3_training",
            "layouts": ["dfdc"], "claims": [entry]}


def test_validate_accepts_a_good_entry():
    led = L.validate(_raw())
    assert led.claims[0].value == 1.5 and led.claims[0].paper == "A"


@pytest.mark.parametrize("change, message", [
    ({"kind": "rumour"}, "kind"),
    ({"quote": "no number here"}, "not inside its quote"),
    ({"id": "B.table9.x"}, "id must look like"),
    ({"unit": None}, "missing fields"),
    ({"value": [1, "a"]}, "value must be"),
    ({"evidence": "no-slash"}, "evidence must look like"),
    ({"colour": "red"}, "unknown fields"),
])
def test_validate_rejects_bad_entries(change, message):
    with pytest.raises(L.LedgerError, match=message):
        L.validate(_raw(**change), source="x.yaml")


def test_validate_rejects_duplicate_ids():
    raw = _raw()
    raw["claims"] = raw["claims"] * 2
    with pytest.raises(L.LedgerError, match="duplicate"):
        L.validate(raw)


@pytest.mark.parametrize("text, numbers", [
    ("19,148 real images", [19148.0]), ("05.87%", [5.87]), ("10−4", [0.0001]),
    ("s = (1, 3, 3, 6, and 9)", [1, 3, 3, 6, 9]), ("0.9243 F1 score", [0.9243]),
    ("32 nodes and the last with a single node", [32, 1]), ("Three models", [3]),
])
def test_numbers_in(text, numbers):
    assert L.numbers_in(text) == pytest.approx(numbers)


def test_ledger_files_are_valid_yaml_with_the_documented_header():
    for p in L.PAPERS:
        raw = yaml.safe_load(L.ledger_path(p).read_text(encoding="utf-8"))
        assert set(L.HEADER) <= set(raw)
