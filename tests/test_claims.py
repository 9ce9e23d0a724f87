"""Claims ledger schema, arithmetic checks, verdicts and the report (deepfake_lib/claims)."""

import dataclasses
import json
import math

import numpy as np
import pytest
import yaml

from deepfake_lib import metrics
from deepfake_lib.claims import checks as C
from deepfake_lib.claims import ledger as L
from deepfake_lib.claims import report, verdicts as V


@pytest.fixture(scope="module")
def claims():
    return L.claims_by_id()


@pytest.fixture(scope="module")
def results(claims):
    return {r.id: r for r in C.run_all(claims)}


def with_values(claims, **values):
    """A copy of the claims with some values replaced (ids use '__' for '.')."""
    out = dict(claims)
    for key, value in values.items():
        cid = key.replace("__", ".")
        out[cid] = dataclasses.replace(claims[cid], value=value)
    return out


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
    assert len([i for i in claims if i.startswith("B.table4.")]) == 9
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


# ----------------------------------------------------------------------------- arithmetic
def _confusion(n_pos, n_neg, tp, tn):
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    pred = np.r_[np.ones(tp, int), np.zeros(n_pos - tp, int), np.zeros(tn, int), np.ones(n_neg - tn, int)]
    return metrics.binary_metrics(y, pred)


@pytest.mark.parametrize("n_pos, n_neg, tp, tn", [(300, 700, 280, 650), (500, 500, 450, 490), (90, 10, 88, 7)])
def test_identities_recover_the_prevalence_of_a_real_confusion_matrix(n_pos, n_neg, tp, tn):
    m = _confusion(n_pos, n_neg, tp, tn)
    prevalence = n_pos / (n_pos + n_neg)
    assert C.implied_prevalence(m["accuracy"], m["sensitivity"], m["specificity"]) == pytest.approx(prevalence)
    assert C.positive_share(m["accuracy"], m["precision"], m["recall"]) == pytest.approx(prevalence)
    assert C.f1_score(m["precision"], m["recall"]) == pytest.approx(m["f1"])
    lo, hi = C.f1_interval_from_acc_sens_spec(100 * m["accuracy"], 100 * m["sensitivity"],
                                              100 * m["specificity"], h=1e-6, n=3)
    assert lo == pytest.approx(100 * m["f1"], abs=1e-3) and hi == pytest.approx(100 * m["f1"], abs=1e-3)


def test_half_unit_and_overlaps():
    assert C.half_unit("98.24%") == pytest.approx(0.005)
    assert C.half_unit("97%") == 0.5 and C.half_unit("0.923") == pytest.approx(0.0005)
    assert C.half_unit("19,148 real") == 0.5
    assert C.overlaps((1, 2), (2, 3)) and not C.overlaps((1, 2), (2.1, 3))


def test_prevalence_interval_is_unbounded_when_sensitivity_equals_specificity():
    assert C.prevalence_interval(95.0, 95.0, 95.0, 0.005) == (-math.inf, math.inf)


def test_paper_a_parameter_count_matches_keras():
    keras = pytest.importorskip("keras")
    layers = [keras.Input((32, 32, 3))]
    sizes, filters = (1, 3, 3), (4, 8, 8)
    for b, (k, n) in enumerate(zip(sizes, filters)):
        layers += [keras.layers.Conv2D(n, k, padding="same") for _ in range(3)]
        if b > 0:
            layers.append(keras.layers.MaxPooling2D())
    layers += [keras.layers.Flatten(), keras.layers.Dense(5), keras.layers.Dense(1)]
    model = keras.Sequential(layers)
    total, lines = C.paper_a_cnn_params(image=32, sizes=sizes, filters=filters, dense=5)
    assert total == model.count_params()
    assert len(lines) == len(sizes) + 1


def test_paper_a_parameter_count_agrees_with_the_model_module():
    cnn_lstm = pytest.importorskip("deepfake_lib.cnn_lstm")
    for reading in ("none", "after_block", "after_layer"):
        assert C.paper_a_cnn_params(lstm=reading)[0] == cnn_lstm.count_params_analytic(reading)


def test_pso_suprema_of_the_stability_regions():
    assert C.pso_sup_stable_sum("deterministic") == pytest.approx(4, abs=1e-3)
    assert C.pso_sup_stable_sum("order1") == pytest.approx(8, abs=1e-3)
    w = np.linspace(-0.999, 0.999, 4001)
    assert C.pso_sup_stable_sum("order2") == pytest.approx(np.max(24 * (1 - w ** 2) / (7 - 5 * w)), abs=1e-3)


# ----------------------------------------------------------------------------- checks on the ledger
def test_run_all_gives_one_result_per_id_with_arithmetic(results, claims):
    assert len(results) >= 90
    for r in results.values():
        assert r.verdict in (C.CONSISTENT, C.INCONSISTENT)
        assert r.arithmetic and r.statement and r.claims
        assert all(c in claims for c in r.claims)
        assert r.paper == r.id[0]
    assert {r.paper for r in results.values()} == {"A", "B", "C"}


@pytest.mark.parametrize("check_id, verdict", [
    ("A.table2.dfdc.sums_to_100", "consistent"),          # 94.13 + 5.87 = 100
    ("A.table4.dfdc.sums_to_100", "inconsistent"),        # 98.24 + 0.26 = 98.50
    ("A.table5.amerini.sums_to_100", "inconsistent"),     # 81.61 + 29.43 = 111.04
    ("A.abstract_vs_table4.precision", "inconsistent"),   # 98.21 vs 98.24
    ("A.conclusion_vs_table4.accuracy", "inconsistent"),  # datasets swapped
    ("A.dataset.dfdc_supplies_balanced_set", "consistent"),
    ("A.dataset.ciplab_supplies_balanced_set", "inconsistent"),
    ("A.architecture.parameter_count", "inconsistent"),
    ("B.table2.mean_accuracy", "consistent"),
    ("B.table2.implied_prevalence", "consistent"),
    ("B.table2.common_test_set", "inconsistent"),
    ("B.table3.common_test_set", "consistent"),
    ("B.table2.run4.f1_implied", "inconsistent"),
    ("B.sec2.ref17.f1", "consistent"),
    ("B.pso.convergence", "inconsistent"),
    ("C.split.frame_counts", "consistent"),
    ("C.split.video_disjoint", "inconsistent"),
    ("C.table3.k5.f1", "consistent"),
    ("C.abstract.f1_gain_bound", "inconsistent"),
    ("C.table_models_vs_table5", "inconsistent"),
])
def test_verdicts_of_the_ledger_checks(results, check_id, verdict):
    assert results[check_id].verdict == verdict, results[check_id].arithmetic


def test_parameter_count_arithmetic(results):
    text = results["A.architecture.parameter_count"].arithmetic
    assert "total 4,000,673 = 4.00 M without LSTM" in text and "4.18 M" in text and "4.55 M" in text


def _by_id(rs):
    return {r.id: r for r in rs}


def test_checks_follow_the_numbers_not_the_ids(claims):
    """The same check flips when the paper's numbers are edited: verdicts come from arithmetic."""
    fixed = with_values(claims, A__table4__dfdc__error_rate=1.76)
    assert _by_id(C.a_precision_plus_error(fixed))["A.table4.dfdc.sums_to_100"].verdict == "consistent"
    tame = with_values(claims, B__sec5__pso__c1=1.0, B__sec5__pso__c2=1.0)
    assert C.b_pso_convergence(tame)[0].verdict == "consistent"
    one_frame = with_values(claims, C__sec_data__frames_per_video=1)
    assert _by_id(C.c_split(one_frame))["C.split.frame_counts"].verdict == "inconsistent"
    run4 = with_values(claims, B__table2__celebdf__run4__f1=97.72)
    assert _by_id(C.b_prevalence_and_f1(run4))["B.table2.run4.f1_implied"].verdict == "consistent"
    small_gain = with_values(claims, C__abstract__f1_gain=1.7)
    assert _by_id(C.c_gains(small_gain))["C.abstract.f1_gain_bound"].verdict == "consistent"
    abstract = with_values(claims, A__abstract__precision=98.24)
    assert _by_id(C.a_agreements(abstract))["A.abstract_vs_table4.precision"].verdict == "consistent"


def test_run_all_refuses_checks_on_unknown_claims(claims):
    partial = {k: v for k, v in claims.items() if k != "B.sec5.pso.c1"}
    with pytest.raises(KeyError):
        C.run_all(partial, papers=["B"])


# ----------------------------------------------------------------------------- verdicts
def _write_results(folder, notebook, evidence):
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": notebook, "values": {"evidence": {
        k: {"claim": "c", "holds": h, "ours": o, "detail": "d", "data": data, "notebook": notebook}
        for k, (h, o, data) in evidence.items()}}}
    (folder / f"{notebook}.json").write_text(json.dumps(payload))


def test_verdicts_from_results_files(tmp_path):
    _write_results(tmp_path, "A3_training", {
        "A.sec4.3.best_dropout": (True, 0.25, "demo"),
        "A.sec4.2.best_batch_size_val": (False, 64, "demo"),
        "A.sec4.2.best_batch_size_train": (None, 64, "demo"),
        "A.sec4.4.residual_improves": (True, {"gain": 0.03}, "dfdc"),
        "A.fig99.not_in_ledger": (True, 1, "demo"),
        "A.eq11.accuracy": (False, None, "none"),
        "A.eq4.conv_layer": (True, None, "none"),
        "A.eq1.output_size_as_printed": (True, None, "paper"),
    })
    (tmp_path / "broken.json").write_text("{not json")
    a = V.assess(tmp_path)
    v = a.verdicts
    assert v["A.sec4.3.best_dropout"].verdict == "reproduced-on-demo"
    assert v["A.sec4.3.best_dropout"].notebook == "A3_training"
    assert v["A.sec4.2.best_batch_size_val"].verdict == "not-reproduced-on-demo"
    assert v["A.sec4.2.best_batch_size_train"].verdict == "inconclusive-on-demo"
    assert v["A.sec4.4.residual_improves"].verdict == "reproduced-on-dataset"
    assert v["A.eq11.accuracy"].verdict == "inconsistent"  # computed without data: a consistency result
    assert v["A.eq4.conv_layer"].verdict == "consistent"
    assert V.ours_text(v["A.eq4.conv_layer"]) == "(computed, no data)"
    assert v["A.eq1.output_size_as_printed"].verdict == "consistent"
    assert a.unmatched_evidence == ["A3_training/A.fig99.not_in_ledger"]
    assert a.result_errors and "broken.json" in a.result_errors[0]
    assert V.ours_text(v["A.sec4.3.best_dropout"]) == "0.25 (demo data)"


def test_verdicts_without_results(tmp_path):
    a = V.assess(tmp_path / "empty")
    v = a.verdicts
    assert v["A.table4.dfdc.precision"].verdict == "inconsistent"
    assert "98.50" in v["A.table4.dfdc.precision"].reason
    assert v["A.sec1.2.makeup_error_rate"].verdict == "untestable"
    assert v["B.sec5.cnn.batch_size"].reason == V.UNTESTABLE_REASONS["setting"]
    assert v["A.sec3.2.ram"].verdict == "untestable"
    assert v["A.eq3.conv_as_printed"].verdict == "untestable"  # no notebook has executed it here
    nd = v["A.sec4.2.best_batch_size_train"]
    assert nd.verdict == "needs-dataset"
    assert nd.commands == [
        "dfbook run --profile full --only A3_training -p data_root=/path/to/dfdc -p layout=dfdc",
        "dfbook run --profile full --only A3_training -p data_root=/path/to/ciplab -p layout=ciplab"]
    assert v["C.fig8.recall"].commands[0].endswith("--only C3_evaluation -p data_root=/path/to/ffpp -p layout=ffpp")
    assert sum(a.counts().values()) == len(v)


def test_explicit_evidence_field_and_missing_evidence():
    led = L.load("B")
    claim = dataclasses.replace(led.by_id()["B.sec5.celebdf_better_than_dfdc"], evidence="B3_results/celeb_vs_dfdc")
    index = {"B3_results/celeb_vs_dfdc": {"holds": False, "ours": 0.1, "data": "demo", "notebook": "B3_results",
                                          "key": "celeb_vs_dfdc", "claim": "c", "detail": "d"}}
    v = V.decide(claim, led, [], index)
    assert v.verdict == "not-reproduced-on-demo" and v.notebook == "B3_results"
    v = V.decide(claim, led, [], {})
    assert v.verdict == "needs-dataset" and "not found" in v.reason
    assert v.commands[0].startswith("dfbook run --profile full --only B3_results")


# ----------------------------------------------------------------------------- report
def test_cli_report_json_counts(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DFBOOK_RESULTS", str(tmp_path))
    assert report.cli_report("C", True) == 0
    out = json.loads(capsys.readouterr().out)
    c = out["papers"]["C"]
    assert list(out["papers"]) == ["C"]
    assert sum(c["counts"].values()) == len(c["claims"]) == len(L.load("C").claims)
    assert all(claim["verdict"] in V.VERDICTS for claim in c["claims"])
    assert any(ch["id"] == "C.split.video_disjoint" for ch in c["checks"])


def test_cli_report_text_and_unknown_paper(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DFBOOK_RESULTS", str(tmp_path))
    assert report.cli_report(None, False) == 0
    out = capsys.readouterr().out
    n = sum(len(led.claims) for led in L.load_all().values())
    assert f"Total: {n} claims" in out and "== Paper B" in out and "B.pso.convergence" in out
    assert report.cli_report("D", False) == 2


def test_html_tables(tmp_path):
    _write_results(tmp_path, "A3_training", {"A.sec4.3.best_dropout": (True, 0.25, "demo")})
    a = V.assess(tmp_path)
    table = report.html_paper_table(a, "A")
    assert table.count('class="claim-row" data-paper="A"') == len(L.load("A").claims)
    assert '<a href="A3_training.html#dropout-figure-11">A3_training</a>' in table
    assert "reproduced-on-demo" in table and "0.25 (demo data)" in table
    assert report.html_checks(a, "B").count('class="check-row"') == sum(r.paper == "B" for r in a.checks)
    assert "<td><b>claims</b></td>" in report.html_counts(a)


SOURCE = '''# %% [markdown]
# # Title
#
# intro

# %%
run.evidence("X.intro.early", "before any section", holds=None)

# %% [markdown]
# ## Figure 8: accuracy, *precision*, `F1` over seeds

# %%
run.evidence("X.fig8.literal", "a literal key", holds=True)
for m in ("a", "b"):
    run.evidence(f"X.fig8.gain_{m}", "an f-string key", holds=None)

# %% [markdown]
# Prose without a heading keeps the section.

# %%
for key in {"beats_auc": 1}:
    run.evidence(f"X.fig9.{key}", "a key built from its last part", holds=False)
'''


def test_evidence_anchor_finds_the_section_that_records_a_key(tmp_path):
    (tmp_path / "nb.py").write_text(SOURCE)
    section = "figure-8-accuracy-precision-f1-over-seeds"
    assert report.evidence_anchor("nb", "X.fig8.literal", tmp_path) == section
    assert report.evidence_anchor("nb", "X.fig8.gain_b", tmp_path) == section
    assert report.evidence_anchor("nb", "X.fig9.beats_auc", tmp_path) == section
    assert report.evidence_anchor("nb", "X.intro.early", tmp_path) is None      # above every section
    assert report.evidence_anchor("nb", "X.nowhere", tmp_path) is None
    assert report.evidence_anchor("missing", "X.fig8.literal", tmp_path) is None


def test_dashboard_links_evidence_to_its_section():
    """Every evidence key the ledgers name resolves to a section heading of its notebook."""
    for led in L.load_all().values():
        for c in led.claims:
            if c.evidence:
                nb, key = c.evidence.split("/", 1)
                anchor = report.evidence_anchor(nb, key)
                assert anchor, c.evidence
    v = V.Verdict(claim="x", paper="C", verdict="consistent", reason="", notebook="C3_evaluation",
                  evidence={"key": "C.realtime.head_fps", "notebook": "C3_evaluation"})
    assert report._link(v) == '<a href="C3_evaluation.html#the-real-time-claim">C3_evaluation</a>'
