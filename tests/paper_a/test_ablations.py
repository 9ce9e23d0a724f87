"""Paper A's ablations (deepfake_lib.paper_a.ablations): the plan, the units of work and their
independence from the order they run in, the epoch budgets of the transfer, the ranking rule."""

import numpy as np
import pytest

from deepfake_lib.core import dispatch
from deepfake_lib.paper_a import ablations, training

READING = "after_block"


def test_plan_shares_configurations_between_ablations():
    runs = ablations.plan(["batch_size", "dropout", "residual", "transfer"], [64, 128],
                          [0.0, 0.25, 0.5], 64, 0.25, reading=READING)
    assert [r[0] for r in runs["residual"]] == ["model0", "model1", "model2"]
    # dropout 0 is model0, and dropout 0.25 is model1: shared with the residual comparison
    assert runs["dropout"][0][1] == runs["residual"][0][1] == runs["batch_size"][0][1]
    assert runs["dropout"][1][1] == runs["residual"][1][1]
    names = {ablations.config_name(cfg, init) for rows in runs.values() for _, cfg, init in rows}
    r = f"|{READING}"
    assert names == {f"model0|d0|b64{r}", f"model0|d0|b128{r}", f"model1|d0.25|b64{r}",
                     f"model1|d0.5|b64{r}", f"model2|d0|b64{r}",
                     f"model1|d0.25|b64{r}|from model0", f"model2|d0|b64{r}|from model0"}
    with pytest.raises(ValueError, match="unknown ablations"):
        ablations.plan(["learning_rate"], [64], [0.0], 64, 0.0)
    with pytest.raises(ValueError, match="unknown transfer budgets"):
        ablations.plan(["transfer"], [64], [0.0], 64, 0.0, budgets=["triple"])


def test_lstm_position_trains_the_three_models_under_each_reading():
    runs = ablations.plan(["residual", "lstm_position"], [64], [0.0], 64, 0.25, reading=READING,
                          compare_readings=["after_layer"])
    labels = [r[0] for r in runs["lstm_position"]]
    assert labels == [f"{m} {r}" for r in (READING, "after_layer") for m in ("model0", "model1", "model2")]
    assert runs["lstm_position"][:3] == [(f"{lab} {READING}", cfg, i) for lab, cfg, i in runs["residual"]]


def test_transfer_budgets_equal_and_double():
    assert ablations.transfer_epochs(4, "") == (0, 4)
    assert ablations.transfer_epochs(4, "from model0") == (2, 2)
    assert ablations.transfer_epochs(5, "from model0") == (2, 3)
    assert ablations.transfer_epochs(4, "from model0, 2x epochs") == (4, 4)
    with pytest.raises(ValueError, match="epochs >= 2"):
        ablations.transfer_epochs(1, "from model0")
    runs = ablations.plan(["transfer"], [64], [0.0], 16, 0.25, reading="none",
                          budgets=["equal", "double"])
    todo = ablations.units(runs, 32, epochs=4, seeds=[0, 1])
    total = {u["name"]: u["epochs"] + u.get("source_epochs", 0) for u in todo}
    assert total["model1|d0.25|b16|none"] == total["model1|d0.25|b16|none|from model0"] == 4
    assert total["model1|d0.25|b16|none|from model0, 2x epochs"] == 8
    assert len(todo) == 2 * 6 and [u["seed"] for u in todo[:6]] == [0] * 6


def test_units_are_json_and_carry_their_eager_decision():
    import json

    runs = ablations.plan(["batch_size"], [4, 64], [0.0], 4, 0.0, reading="none")
    todo = ablations.units(runs, 8, epochs=2, seeds=[0, 1])
    assert json.loads(json.dumps(todo)) == todo
    # model0 gets 2 seeds x (2 epochs x 2 batches + 2 epochs x 1 batch) = 12 steps > 8: compiled
    assert {u["eager"] for u in todo} == {False}
    assert {u["eager"] for u in ablations.units(runs, 8, epochs=1, seeds=[0])} == {True}


def _data(n=12, size=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)
    y = np.array([0, 1] * (n // 2))
    return {"train": (X, y), "val": (X[:4], y[:4]), "test": (X[4:], y[4:])}


def test_the_grid_gives_the_same_results_in_any_order(monkeypatch):
    """What the Ray executor of issue 15 needs: results by unit, not by order or neighbours."""
    pytest.importorskip("keras")
    monkeypatch.setattr(training, "_COMPILED", {})
    runs = ablations.plan(["dropout"], [4], [0.0, 0.5], 4, 0.5, reading="none")
    todo = ablations.units(runs, 12, epochs=2, seeds=[0, 1])
    shared = {"data": _data()}
    forward = dispatch.map_units(training.fit_unit, todo, shared=shared, progress=False)
    backward = dispatch.map_units(training.fit_unit, todo[::-1], shared=shared, progress=False)
    for a, b in zip(forward, backward[::-1]):
        np.testing.assert_equal({k: v for k, v in a.items() if k != "seconds"},
                                {k: v for k, v in b.items() if k != "seconds"})


def _summ(values_by_label, metric="val_accuracy"):
    from deepfake_lib.core.stats import summarise

    return {k: {metric: summarise(v)} for k, v in values_by_label.items()}


@pytest.mark.parametrize("values,expected", [
    ({"a": [0.90, 0.91, 0.92], "b": [0.60, 0.61, 0.62]}, True),
    ({"a": [0.60, 0.61, 0.62], "b": [0.90, 0.91, 0.92]}, False),
    ({"a": [0.60, 0.90, 0.75], "b": [0.70, 0.80, 0.65]}, None),
    ({"a": [0.9], "b": [0.1]}, None),  # one seed: no interval, no verdict
])
def test_compare_best_uses_intervals(values, expected):
    holds, sentence = ablations.compare_best(_summ(values), "a")
    assert holds is expected
    assert "Paper: a is best" in sentence


def test_compare_best_lower_is_better_for_losses():
    holds, _ = ablations.compare_best(_summ({"a": [0.1, 0.11, 0.12], "b": [0.5, 0.52, 0.51]}, "val_loss"),
                                      "a", "val_loss", higher_is_better=False)
    assert holds is True


def test_record_evidence_quotes_the_ledger_or_asks_for_the_claim():
    class FakeRun:
        def __init__(self):
            self.ev = {}

        def evidence(self, key, claim, holds, ours=None, detail="", data="demo"):
            self.ev[key] = (claim, holds, detail, data)

    run = FakeRun()
    ablations.record_evidence(run, "A.sec4.3.best_dropout", (None, "s"), {}, "demo")
    assert run.ev["A.sec4.3.best_dropout"][0].startswith("it is obvious that the dropout rate")
    with pytest.raises(ValueError, match="not a ledger claim"):
        ablations.record_evidence(run, "A.book.question", (None, "s"), {}, "demo")
    ablations.record_evidence(run, "A.book.question", (True, "s"), {}, "demo", claim="Q?")
    assert run.ev["A.book.question"][:2] == ("Q?", True)


def test_paper_tables_read_the_ledger_and_show_both_error_readings():
    from deepfake_lib.core.stats import summarise

    metrics = ("test_accuracy", "test_error_rate", "test_loss", "test_precision", "test_recall")
    summ = {m: {k: summarise([0.5, 0.6]) for k in metrics} for m in ("model0", "model1", "model2")}
    table = ablations.paper_tables(summ, "demo")
    assert table.loc["paper dfdc: precision %", "model2"] == 98.24
    assert table.loc["paper ciplab: error rate %", "model0"] == 7.09
    assert "ours (demo): error = loss (BCE) %" in table.index
    assert "ours (demo): error = 1 - accuracy %" in table.index


def _image_set():
    from types import SimpleNamespace

    n = 24
    rng = np.random.default_rng(0)
    return SimpleNamespace(
        X=rng.integers(0, 256, (n, 8, 8, 3), dtype=np.uint8),
        y=np.array([0] * 8 + [1] * 16),
        video_ids=np.array([f"v{i}" for i in range(n)]),
        splits=np.array((["train"] * 4 + ["val"] * 2 + ["test"] * 2) * 3),
        methods=np.array(["real"] * 8 + ["swap"] * 8 + ["texture"] * 8))


def test_split_data_balances_each_split():
    data = ablations.split_data(_image_set())
    for split, (X, y) in data.items():
        assert X.dtype == np.uint8
        assert (y == 0).sum() == (y == 1).sum() > 0, split


def test_select_methods_keeps_reals_and_named_fakes():
    import dataclasses

    @dataclasses.dataclass
    class ImageSet:
        X: np.ndarray
        y: np.ndarray
        video_ids: np.ndarray
        splits: np.ndarray
        methods: np.ndarray

    s = _image_set()
    sub = ablations.select_methods(ImageSet(s.X, s.y, s.video_ids, s.splits, s.methods), ["swap"])
    assert sorted(set(sub.methods)) == ["real", "swap"] and len(sub.y) == 16


def test_batches_at_least_the_training_set_are_one_fit():
    runs = ablations.plan(["batch_size"], [16, 64, 128, 256], [0.0], 64, 0.0, reading="none",
                          n_train=100)
    cfgs = [cfg for _, cfg, _ in runs["batch_size"]]
    assert [c[2] for c in cfgs] == [16, 64, 100, 100]
    assert len(ablations.units(runs, 100, epochs=2, seeds=[0])) == 3


def test_cross_rows_follow_the_budgets():
    assert ablations.transfer_epochs(4, ablations.CROSS_BUDGETS["equal"]) == (2, 2)
    assert ablations.transfer_epochs(4, ablations.CROSS_BUDGETS["double"]) == (4, 4)
    rows = [("from scratch", ("model0", 0.0, 8, "none"), "")] + [
        (ablations.CROSS_BUDGETS[b], ("model0", 0.0, 8, "none"), ablations.CROSS_BUDGETS[b])
        for b in ("equal", "double")]
    todo = ablations.units({"cross": rows}, 8, epochs=2, seeds=[3], data="target",
                           source_data="source")
    assert [u.get("source_data") for u in todo] == [None, "source", "source"]
    assert [(u.get("source_epochs", 0), u["epochs"]) for u in todo] == [(0, 2), (1, 1), (2, 2)]


def test_all_of_holds_only_when_every_part_holds_and_losses_rank_upwards():
    acc = _summ({"a": [0.8, 0.82, 0.81], "b": [0.5, 0.52, 0.51]})
    loss = _summ({"a": [0.1, 0.11, 0.12], "b": [0.5, 0.52, 0.51]}, "val_loss")
    worse = _summ({"a": [0.5, 0.52, 0.51], "b": [0.1, 0.11, 0.12]}, "val_loss")
    up = ablations.compare_best(acc, "a")
    down = ablations.compare_best(loss, "a", "val_loss", higher_is_better=False)
    assert "a 0.110 < b 0.510" in down[1]
    assert ablations.all_of([up, down])[0] is True
    assert ablations.all_of([up, ablations.compare_best(worse, "a", "val_loss",
                                                        higher_is_better=False)])[0] is False
    undecided = ablations.compare_best(_summ({"a": [0.5, 0.9], "b": [0.6, 0.4]}), "a")
    both = ablations.all_of([up, undecided])
    assert both[0] is None and both[1].endswith("Together: the claim is not decided.")
