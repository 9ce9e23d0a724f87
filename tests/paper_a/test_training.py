"""Training paper A's models (deepfake_lib.paper_a.training): the paper's schedule, and a fit
that depends on its configuration and seed alone, whatever ran before it in the process."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from deepfake_lib.paper_a import training

SIZE = 32


def _data(n=12, size=SIZE, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)
    y = np.array([0, 1] * (n // 2))
    return {"train": (X, y), "val": (X[:4], y[:4]), "test": (X[4:], y[4:])}


UNIT = dict(name="model1 test", model="model1", reading="head", dropout=0.5,
            batch_size=4, epochs=2, seed=3, lr=1e-4, monitor="accuracy", data="data",
            eager=False)


def _same(a, b):
    """Identical numbers (NaN equal to NaN), timing apart."""
    np.testing.assert_equal({k: v for k, v in a.items() if k != "seconds"},
                            {k: v for k, v in b.items() if k != "seconds"})


def test_lr_schedule_watches_training_accuracy_as_the_paper_reads():
    cb = training.lr_schedule()
    assert (cb.monitor, cb.factor, cb.patience, cb.min_lr) == ("accuracy", 0.1, 2, 1e-6)
    assert training.lr_schedule("val_accuracy").monitor == "val_accuracy"
    with pytest.raises(ValueError, match="monitor"):
        training.lr_schedule("loss")


@pytest.mark.parametrize("monitor,dropped", [("accuracy", True), ("val_accuracy", False)])
def test_lr_drops_after_two_epochs_without_gain_in_the_monitored_accuracy(monitor, dropped):
    """Training accuracy flat for two epochs while validation accuracy rises: the paper's
    reading divides the rate by 10, the validation alternative does not."""
    net = training.fresh_model("model0", "none", SIZE, 0.0, 1e-4, seed=0, eager=True)
    cb = training.lr_schedule(monitor)
    cb.set_model(net)
    cb.on_train_begin()
    for epoch, val in enumerate((0.6, 0.7, 0.8)):
        cb.on_epoch_end(epoch, {"accuracy": 0.5, "val_accuracy": val})
    lr = float(np.asarray(net.optimizer.learning_rate))
    assert lr == pytest.approx(1e-5 if dropped else 1e-4)


def test_balance_keeps_the_rare_class():
    y = np.array([0] * 3 + [1] * 10)
    idx = training.balance(y, seed=0)
    assert np.bincount(y[idx]).tolist() == [3, 3]
    assert set(np.flatnonzero(y == 0)) <= set(idx)


def test_train_and_evaluate_runs_reports_and_transfers():
    d = _data(8)
    out = training.train_and_evaluate(d, model="model1", reading="none", dropout=0.5, batch_size=4,
                                      epochs=2, seed=0, eager=True)
    assert len(out["history"]["val_accuracy"]) == 2 and set(out["history"]) == {*training.HISTORY_KEYS, training.STEP_KEY}
    assert 0 <= out["test"]["accuracy"] <= 1
    assert out["test"]["error_rate"] == pytest.approx(1 - out["test"]["accuracy"])
    again = training.train_and_evaluate(d, model="model2", reading="none", dropout=0.0, batch_size=4,
                                        epochs=1, seed=0, init_from=out["weights"], eager=True)
    assert "b1_conv1" in again["transferred"]


def test_fresh_model_reuses_the_graph_but_restarts_everything(monkeypatch):
    monkeypatch.setattr(training, "_COMPILED", {})
    d = _data(8)
    first = training.fresh_model("model1", "after_block", SIZE, 0.5, 1e-4, seed=3)
    start = [np.array(v) for v in first.variables]  # weights and dropout seed states
    training.fit(first, *d["train"], *d["val"], epochs=1, batch_size=4, seed=0)
    first.optimizer.learning_rate = 5e-6
    assert any(not np.array_equal(a, np.array(b)) for a, b in zip(start, first.variables))
    second = training.fresh_model("model1", "after_block", SIZE, 0.5, 1e-4, seed=3)
    assert second is first
    for a, b in zip(start, second.variables):
        np.testing.assert_array_equal(a, np.array(b))  # same seed -> same weights and seed states
    assert int(second.optimizer.iterations) == 0
    assert float(second.optimizer.learning_rate) == pytest.approx(1e-4)
    assert all(float(np.abs(np.asarray(v)).max()) == 0 for v in second.optimizer.variables
               if "learning_rate" not in v.path)


def test_use_eager_is_a_property_of_the_plan_alone():
    assert training.n_steps(112, 64, 4) == 8 and training.n_steps(112, 32, 4) == 16
    assert training.use_eager(training.EAGER_MAX_STEPS)
    assert not training.use_eager(training.EAGER_MAX_STEPS + 1)


def test_eager_and_compiled_fits_agree(monkeypatch):
    """Short fits run eagerly (EAGER_MAX_STEPS); the same fit compiled gives the same numbers."""
    monkeypatch.setattr(training, "_COMPILED", {})
    d = _data(8)
    out = {}
    for eager in (True, False):
        net = training.fresh_model("model2", "none", SIZE, 0.0, 1e-4, seed=5, eager=eager)
        assert bool(net.run_eagerly) is eager
        out[eager] = (training.fit(net, *d["train"], *d["val"], epochs=2, batch_size=4, seed=0),
                      net.get_weights())
    for k in ("loss", "val_loss", "accuracy"):
        np.testing.assert_allclose(out[True][0][k], out[False][0][k], rtol=1e-4, atol=1e-6)
    for a, b in zip(out[True][1], out[False][1]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("eager", [False, True])
def test_a_fit_gives_the_same_numbers_first_and_after_other_fits(monkeypatch, eager):
    """The unit of work of A3's grid depends on its configuration and seed alone: run first
    in a fresh process state (nothing compiled), then after fits of the same graph with
    another seed, of another architecture and with other data, it gives identical numbers."""
    monkeypatch.setattr(training, "_COMPILED", {})
    d = {"data": _data()}
    unit = {**UNIT, "eager": eager}
    first = training.fit_unit(unit, d)
    training.fit_unit({**unit, "seed": 4}, d)
    training.fit_unit({**unit, "model": "model2", "dropout": 0.0}, d)
    training.fit_unit({**unit, "seed": 4}, {"data": _data(seed=1)})
    keras.random.uniform((3,))  # a random op on the global generators in between
    np.random.seed(123)
    _same(training.fit_unit(unit, d), first)


def test_a_transferred_unit_trains_its_own_model0_with_its_seed(monkeypatch):
    monkeypatch.setattr(training, "_COMPILED", {})
    d = {"data": _data()}
    unit = {**UNIT, "epochs": 1, "source_epochs": 1, "source_model": "model0",
            "source_data": "data", "source_eager": True}
    first = training.fit_unit(unit, d)
    assert first["source_test"] is not None and first["n_transferred"] > 0
    training.fit_unit({**unit, "seed": 9}, d)
    _same(training.fit_unit(unit, d), first)
