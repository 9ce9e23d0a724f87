"""Claim verdicts from findings and results files (deepfake_lib/claims/verdicts.py)."""

import dataclasses

from deepfake_lib.claims import ledger as L
from deepfake_lib.claims import verdicts as V
from support import write_results


def test_verdicts_from_results_files(tmp_path):
    write_results(tmp_path, "A3_training", {
        "A.sec4.3.best_dropout": (True, 0.25, "demo"),
        "A.sec4.2.best_batch_size_val": (False, 64, "demo"),
        "A.sec4.2.best_batch_size_train": (None, 64, "demo"),
        "A.sec4.4.residual_improves": (True, {"gain": 0.03}, "dfdc"),
        "A.fig99.not_in_ledger": (True, 1, "demo"),
        "A.eq11.accuracy": (False, None, "none"),
        "A.eq4.conv_layer": (True, None, "none"),
        "A.eq3.conv_as_printed": (True, None, "none"),
        "A.sec3.num_parameters": (False, None, "none"),
    })
    (tmp_path / "B2_cnn_rnn").mkdir()
    (tmp_path / "B2_cnn_rnn" / "smoke-broken-s0.json").write_text("{not json")
    a = V.assess(tmp_path)
    v = a.verdicts
    assert v["A.sec4.3.best_dropout"].verdict == "reproduced-on-demo"
    assert v["A.sec4.3.best_dropout"].notebook == "A3_training"
    assert v["A.sec4.2.best_batch_size_val"].verdict == "not-reproduced-on-demo"
    assert v["A.sec4.2.best_batch_size_train"].verdict == "inconclusive-on-demo"
    assert v["A.sec4.4.residual_improves"].verdict == "reproduced-on-dataset"
    # computed without data: the book's computation, never an internal contradiction
    assert v["A.eq11.accuracy"].verdict == "not-reproduced-computed"
    assert v["A.eq4.conv_layer"].verdict == "consistent"
    assert V.ours_text(v["A.eq4.conv_layer"]) == "(computed, no data)"
    # a finding outranks computed evidence
    assert v["A.eq3.conv_as_printed"].verdict == "inconsistent"
    # no finding names the parameter count (the paper sizes no LSTM): the book's own count decides
    assert v["A.sec3.num_parameters"].verdict == "not-reproduced-computed" and not v["A.sec3.num_parameters"].findings
    assert a.unmatched_evidence == ["A3_training/A.fig99.not_in_ledger"]
    assert a.result_errors and "smoke-broken-s0.json" in a.result_errors[0]
    assert V.ours_text(v["A.sec4.3.best_dropout"]) == "0.25 (demo data)"


def test_verdicts_without_results(tmp_path):
    a = V.assess(tmp_path / "empty")
    v = a.verdicts
    assert v["A.table5.amerini.error_rate"].verdict == "inconsistent"
    assert "111.04" in v["A.table5.amerini.error_rate"].reason
    assert v["A.table5.amerini.error_rate"].findings == ["A.table5.amerini.pair"]
    assert v["A.table5.amerini.accuracy"].verdict == "consistent"
    assert "A.table5.amerini.pair" in v["A.table5.amerini.accuracy"].findings
    assert v["A.sec3.num_blocks"].verdict == "consistent"     # a premise, never blamed
    assert v["B.sec5.pso.c1"].verdict == "concern"
    assert v["A.sec1.2.makeup_error_rate"].verdict == "untestable"
    assert v["B.sec5.cnn.batch_size"].reason == V.UNTESTABLE_REASONS["setting"]
    nd = v["A.sec4.2.best_batch_size_train"]
    assert nd.verdict == "needs-dataset"
    assert nd.commands == [
        "dfbook run --profile full --only A3_training -p data_root=/path/to/dfdc -p layout=dfdc",
        "dfbook run --profile full --only A3_training -p data_root=/path/to/ciplab -p layout=ciplab"]
    assert v["C.fig8.f1"].commands[0].endswith("--only C3_evaluation -p data_root=/path/to/ffpp -p layout=ffpp")
    assert sum(a.counts().values()) == len(v)
    assert set(a.counts()) <= set(V.VERDICTS)


def test_every_inconsistent_verdict_names_its_finding_and_culprits(tmp_path):
    a = V.assess(tmp_path / "empty")
    found = {f.id: f for f in a.findings}
    bad = [v for v in a.verdicts.values() if v.verdict in ("inconsistent", "suspect")]
    assert bad
    for v in bad:
        assert any(found[fid].roles.get(v.claim) == v.verdict for fid in v.findings), v.claim
        assert v.reason.startswith("contradiction ")


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


def test_two_notebooks_measuring_one_claim_the_one_on_more_units_decides():
    led = L.load("B")
    claim = led.by_id()["B.sec4.2.2.pso_tunes_hyperparameters"]
    key = claim.id

    def rec(nb, holds, units):
        return {"holds": holds, "ours": None, "data": "demo", "notebook": nb, "key": key,
                "claim": "c", "detail": nb, "units": units}

    index = {f"B2_cnn_rnn/{key}": rec("B2_cnn_rnn", False, 54),
             f"B3_results/{key}": rec("B3_results", None, 252)}
    v = V.decide(claim, led, [], index)
    assert v.notebook == "B3_results" and v.verdict == "inconclusive-on-demo"
    assert "also measured by B2_cnn_rnn on 54 units: holds False" in v.reason
    index[f"B2_cnn_rnn/{key}"]["units"] = 300
    assert V.decide(claim, led, [], index).verdict == "not-reproduced-on-demo"
    # a real dataset's measurement decides before the demo's, whatever the units
    index[f"B2_cnn_rnn/{key}"].update(units=5, data="celebdf", holds=True)
    assert V.decide(claim, led, [], index).verdict == "reproduced-on-dataset"
    # records written before units existed count as 0 units: the first one found decides
    old = {f"B2_cnn_rnn/{key}": {**rec("B2_cnn_rnn", False, 0), "units": None}}
    assert V.decide(claim, led, [], old).notebook == "B2_cnn_rnn"


def test_a_second_measurement_of_a_claim_is_not_unmatched(tmp_path):
    key = "B.sec4.2.2.pso_tunes_hyperparameters"
    write_results(tmp_path, "B2_cnn_rnn", {key: (False, 0.1, "demo"), "B.fig99.nothing": (True, 1, "demo")})
    write_results(tmp_path, "B3_results", {key: (None, 0.0, "demo")})
    a = V.assess(tmp_path)
    assert a.unmatched_evidence == ["B2_cnn_rnn/B.fig99.nothing"]
