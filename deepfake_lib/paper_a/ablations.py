"""Paper A's ablations (section 4) and transfer learning (Algorithm 1), over seeds.

Notebook A3 runs them: :func:`plan` says which configurations each comparison needs,
:func:`units` turns the seed x configuration grid into independent units of work (each a
JSON-able dict with its own seed), :func:`run_plan` sends them through
:func:`deepfake_lib.core.dispatch.map_units` to :func:`deepfake_lib.paper_a.training.fit_unit`,
and :func:`compare_best` decides a ranking from paired seeds with
:func:`deepfake_lib.core.stats.decide`, the book's one rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from deepfake_lib.claims import ledger
from deepfake_lib.core import dispatch, stats
from deepfake_lib.paper_a import training
from deepfake_lib.paper_a.models import MODELS
from deepfake_lib.paper_a.training import balance, n_steps, to_inputs, use_eager

if TYPE_CHECKING:
    import pandas

#: The ablations of section 4, the transfer of Algorithm 1, where the LSTM sits (the readings
#: of notebook A2, trained side by side) and ``cross``, the transfer across data (train on a
#: source, fine-tune on a target).
ABLATIONS = ("batch_size", "dropout", "residual", "transfer", "lstm_position", "cross")
#: Epoch budgets of the "from model0" runs (Algorithm 1): ``equal`` splits the ``epochs`` of a
#: run from scratch between model0 and the target model, so the comparison is not one of
#: training length; ``double`` trains model0 for ``epochs`` and the target for ``epochs`` more.
TRANSFER_BUDGETS = {"equal": "from model0", "double": "from model0, 2x epochs"}
#: The same budgets for the transfer across data (:func:`run_cross`).
CROSS_BUDGETS = {"equal": "from source", "double": "from source, 2x epochs"}


def split_data(images, seed: int = 0, balance_splits: bool = True) -> dict:
    """Arrays per split from a :class:`deepfake_lib.data.faces.ImageSet`.

    Each split is balanced by :func:`balance` (the paper uses equal numbers of real and fake
    images); pixels stay uint8 (:func:`to_inputs`). Notebook A3, section "Data".

    Returns
    -------
    dict
        ``{"train"|"val"|"test": (X uint8 (N, S, S, 3), y int (N,))}``.
    """
    out = {}
    for split in ("train", "val", "test"):
        idx = split_index(images, split, seed, balance_splits)
        out[split] = (to_inputs(images.X[idx]), np.asarray(images.y[idx]).astype(int))
    return out


def split_index(images, split: str, seed: int = 0, balance_split: bool = True) -> np.ndarray:
    """Indices ``(N,)`` of ``images`` in ``split``, balanced by :func:`balance` (the images of
    :func:`split_data`'s split, in its order). Notebook A3, section "Data"."""
    idx = np.flatnonzero(np.asarray(images.splits) == split)
    return idx[balance(images.y[idx], seed)] if balance_split else idx


def _config(model: str, dropout: float, batch_size: int, reading: str,
            n_train: int | None = None) -> tuple:
    """Canonical configuration: model1 without dropout is model0; only model1 uses dropout;
    a batch at least as large as the training set (``n_train``) is the whole set, one step
    per epoch, whatever its nominal size: one fit."""
    if model == "model1" and dropout == 0:
        model = "model0"
    batch = min(int(batch_size), int(n_train)) if n_train else int(batch_size)
    return model, (float(dropout) if model == "model1" else 0.0), batch, reading


def config_name(cfg: tuple, init: str = "") -> str:
    """``"model1|d0.25|b64|after_block"`` (+ ``"|from model0"`` for transferred runs).
    Notebook A3, section "The runs"."""
    model, dropout, batch, reading = cfg
    return f"{model}|d{dropout:g}|b{batch}|{reading}" + (f"|{init}" if init else "")


def transfer_epochs(epochs: int, init: str) -> tuple[int, int]:
    """``(model0 epochs, target epochs)`` of a run started ``init`` (a value of
    :data:`TRANSFER_BUDGETS` or :data:`CROSS_BUDGETS`, "" for from scratch). Notebook A3, section "Transfer learning between the models (Algorithm 1)"."""
    if init in (TRANSFER_BUDGETS["equal"], CROSS_BUDGETS["equal"]):
        if epochs < 2:
            raise ValueError(f"the equal budget splits the epochs between model0 and the target "
                             f"model: it needs epochs >= 2, got {epochs}")
        return epochs // 2, epochs - epochs // 2
    if init in (TRANSFER_BUDGETS["double"], CROSS_BUDGETS["double"]):
        return epochs, epochs
    return 0, epochs


def plan(ablations: Sequence[str], batch_sizes: Sequence[int], dropouts: Sequence[float],
         batch_size: int, dropout: float, reading: str = "after_block",
         compare_readings: Sequence[str] = (), budgets: Sequence[str] = ("equal",),
         n_train: int | None = None) -> dict[str, list[tuple]]:
    """Which configurations each ablation compares; shared configurations are trained once.

    ``lstm_position`` trains the three models under ``reading`` and each of
    ``compare_readings``; ``transfer`` runs model1 and model2 from scratch and from model0
    under each of ``budgets`` (keys of :data:`TRANSFER_BUDGETS`). With ``n_train``, batch
    sizes at or above the number of training images are one configuration (the same fit:
    one full batch per epoch). Notebook A3, section "The runs".

    Returns
    -------
    dict
        ``{ablation: [(label, config, init), ...]}`` with ``init`` = "" (from scratch) or a
        value of :data:`TRANSFER_BUDGETS`.
    """
    unknown = set(ablations) - set(ABLATIONS)
    if unknown:
        raise ValueError(f"unknown ablations {sorted(unknown)}; known: {ABLATIONS}")
    bad = set(budgets) - set(TRANSFER_BUDGETS)
    if bad:
        raise ValueError(f"unknown transfer budgets {sorted(bad)}; known: {tuple(TRANSFER_BUDGETS)}")
    def cfg(model, rate, batch=batch_size, r=reading):
        return _config(model, rate, batch, r, n_train)

    out = {}
    if "batch_size" in ablations:
        out["batch_size"] = [(f"batch {b}", cfg("model0", 0, b), "") for b in batch_sizes]
    if "dropout" in ablations:
        out["dropout"] = [(f"dropout {r:g}", cfg("model1", r), "") for r in dropouts]
    if "residual" in ablations:
        out["residual"] = [(m, cfg(m, dropout), "") for m in MODELS]
    if "transfer" in ablations:
        inits = [("from scratch", "")] + [(TRANSFER_BUDGETS[b],) * 2 for b in budgets]
        out["transfer"] = [(f"{m} {how}", cfg(m, dropout), init)
                           for m in ("model1", "model2") for how, init in inits]
    if "lstm_position" in ablations:
        out["lstm_position"] = [(f"{m} {r}", cfg(m, dropout, r=r), "")
                                for r in dict.fromkeys([reading, *compare_readings])
                                for m in MODELS]
    return out


def units(runs: dict[str, list[tuple]], n_train: int, *, epochs: int, seeds: Sequence[int],
          lr: float = training.PAPER_LR, monitor: str = "accuracy", data: str = "data",
          source_data: str | None = None, steps: int | None = None, **arch) -> list[dict]:
    """The seed x configuration grid of ``runs`` as units of
    :func:`deepfake_lib.paper_a.training.fit_unit`, each distinct configuration once per seed.

    Whether an architecture trains eagerly is decided here, from all the optimiser steps the
    grid gives it (:func:`deepfake_lib.paper_a.training.use_eager`), and written into each
    unit. ``arch``: ``dropout_at``, ``residual_relu``, ``init``, ``input_scale``. With ``steps``, every fit trains that
    many optimiser steps whatever its batch size (units carry ``steps``, and a transferred
    fit splits them between model0 and the target as :func:`transfer_epochs` splits epochs)
    instead of ``epochs`` epochs. Notebook A3, section "The runs".
    """
    todo = list(dict.fromkeys((cfg, init) for rows in runs.values() for _, cfg, init in rows))
    budget, key_of = (epochs, "epochs") if steps is None else (int(steps), "steps")

    def n_of(batch, b):
        return n_steps(n_train, batch, b) if steps is None else b

    total: dict = {}
    for (model, dropout, batch, reading), init in todo:
        b0, b1 = transfer_epochs(budget, init)
        for key, b in (((model, dropout, reading), b1), (("model0", 0.0, reading), b0)):
            if b:
                total[key] = total.get(key, 0) + len(seeds) * n_of(batch, b)
    out = []
    for seed in seeds:
        for cfg, init in todo:
            model, dropout, batch, reading = cfg
            b0, b1 = transfer_epochs(budget, init)
            unit = {"name": config_name(cfg, init), "model": model, "dropout": dropout,
                    "batch_size": batch, "reading": reading, key_of: b1, "seed": int(seed),
                    "lr": float(lr), "monitor": monitor, "data": data,
                    "eager": use_eager(total[model, dropout, reading]), **arch}
            if b0:
                unit.update({f"source_{key_of}": b0, "source_model": "model0",
                             "source_data": source_data or data,
                             "source_eager": use_eager(total["model0", 0.0, reading])})
            out.append(unit)
    return out


def run_plan(data: dict, runs: dict[str, list[tuple]], *, epochs: int, seeds: Sequence[int],
             lr: float = training.PAPER_LR, monitor: str = "accuracy", log=print,
             steps: int | None = None, **arch) -> dict[str, dict]:
    """Train every distinct configuration of ``runs`` for every seed, as independent units
    through :func:`deepfake_lib.core.dispatch.map_units` (the arrays are its ``shared``).

    Transferred runs train their own model0 first (same batch size, same seed, the epochs of
    their budget); with ``steps``, every fit makes that many optimiser steps (:func:`units`).
    Returns ``{config_name: {seed: {"history", "test", "source_test", "n_transferred",
    "steps", "examples", "seconds"}}}``. Notebook A3, section "The runs".
    """
    todo = units(runs, len(data["train"][0]), epochs=epochs, seeds=seeds, lr=lr,
                 monitor=monitor, steps=steps, **arch)
    done = dispatch.map_units(training.fit_unit, todo, shared={"data": data}, desc="A3 fits")
    return _collect(todo, done, log)


def _collect(todo: list[dict], done: list[dict], log) -> dict[str, dict]:
    """``{name: {seed: result}}`` from units and their results, logging one line each."""
    results: dict[str, dict] = {}
    for unit, res in zip(todo, done):
        results.setdefault(unit["name"], {})[unit["seed"]] = res
        if log:
            log(f"seed {unit['seed']} {unit['name']:40s} val acc "
                f"{res['history']['val_accuracy'][-1]:.3f} test acc {res['test']['accuracy']:.3f}")
    return results


def curves(results: dict, rows: list[tuple]) -> "pandas.DataFrame":
    """Long table of training curves for seaborn: label, seed, epoch, metric, value.
    Notebook A3, section "Batch size (Figures 9 and 10)"."""
    import pandas as pd

    recs = []
    for label, cfg, init in rows:
        for seed, res in results[config_name(cfg, init)].items():
            for metric, values in res["history"].items():
                for epoch, v in enumerate(values, start=1):
                    recs.append({"label": label, "seed": seed, "epoch": epoch, "metric": metric,
                                 "value": v})
    return pd.DataFrame(recs)


#: What :func:`summary` summarises: the last epoch of the history, and the test metrics.
SUMMARY_METRICS = ("val_accuracy", "val_loss", "accuracy", "loss", "test_accuracy",
                   "test_error_rate", "test_loss", "test_precision", "test_recall")


def summary(results: dict, rows: list[tuple], metrics_: Sequence[str] = SUMMARY_METRICS) -> dict:
    """Mean, sd and t-interval over seeds (:func:`deepfake_lib.core.stats.summarise`) per label.

    ``val_*`` and ``accuracy``/``loss`` are the last epoch of the history; ``test_*`` come from
    :func:`deepfake_lib.paper_a.training.evaluate` on the test split (``test_error_rate`` is
    1 - accuracy, ``test_loss`` the binary cross-entropy: the paper's "error rate (Loss)" has
    both readings). Intervals are cut to the metric's range. Returns ``{label: {metric:
    summarise-dict}}``. Notebook A3, section "The runs".
    """
    out = {}
    for label, cfg, init in rows:
        per_seed = results[config_name(cfg, init)]
        out[label] = {}
        for m in metrics_:
            if m.startswith("test_"):
                vals = [r["test"][m[5:]] for r in per_seed.values()]
            else:
                vals = [r["history"][m][-1] for r in per_seed.values()]
            out[label][m] = stats.summarise(vals, bounds=_range(m))
    return out


def _range(metric: str) -> tuple[float, float]:
    """The values a metric of :func:`summary` can take: a loss is at least 0, the others
    are shares in [0, 1]."""
    return (0.0, float("inf")) if metric.endswith("loss") else (0.0, 1.0)


def _fmt(s: dict, scale: float = 1.0, digits: int = 3) -> str:
    """``mean +- sd [ci_low, ci_high]`` of one :func:`deepfake_lib.core.stats.summarise`."""
    v = [scale * s[k] for k in ("mean", "sd", "ci_low", "ci_high")]
    return f"{v[0]:.{digits}f} ± {v[1]:.{digits}f} [{v[2]:.{digits}f}, {v[3]:.{digits}f}]"


def summary_table(summ: dict, metrics_: Sequence[str] = ("val_accuracy", "val_loss",
                                                         "test_accuracy")):
    """``mean +- sd [ci_low, ci_high]`` strings, one row per label (for display).
    Notebook A3, section "Batch size (Figures 9 and 10)"."""
    import pandas as pd

    return pd.DataFrame({label: {m: _fmt(v[m]) for m in metrics_}
                         for label, v in summ.items()}).T


def paper_tables(summ: dict, data_kind: str) -> "pandas.DataFrame":
    """Tables 2-4 of the paper (from the ledger) beside ours, one column per model.

    The paper's rows: each dataset's "precision" and "error rate". Ours, in %, mean ± sd
    [t-interval] over seeds on ``data_kind``'s test split: accuracy (the tables' "precision"
    read as equation (11)'s accuracy), error rate read as 1 - accuracy, error rate read as the
    loss (binary cross-entropy, x 100 like the paper's %), and precision and recall as
    TP / (TP + FP) and TP / (TP + FN). Notebook A3, section "Residual blocks and the three
    models (Figures 12-15, Tables 2-4)".
    """
    import pandas as pd

    paper = ledger.claims_by_id()
    ours = (("accuracy", "accuracy"), ("error = 1 - accuracy", "error_rate"),
            ("error = loss (BCE)", "loss"), ("precision", "precision"), ("recall", "recall"))
    cols = {}
    for t, model in ((2, "model0"), (3, "model1"), (4, "model2")):
        col = {}
        for d in ("dfdc", "ciplab"):
            col[f"paper {d}: precision %"] = paper[f"A.table{t}.{d}.precision"].value
            col[f"paper {d}: error rate %"] = paper[f"A.table{t}.{d}.error_rate"].value
        for label, key in ours:
            col[f"ours ({data_kind}): {label} %"] = _fmt(summ[model][f"test_{key}"], 100, 1)
        cols[model] = col
    return pd.DataFrame(cols)


def compare_best(summ: dict, claimed: str, metric: str = "val_accuracy",
                 higher_is_better: bool = True) -> tuple[bool | None, str]:
    """Does ``claimed`` beat every other label on ``metric``? Decided on paired seeds.

    For each other label, the per-seed difference (claimed minus other, the same seeds) gets a
    t-interval (:func:`deepfake_lib.core.stats.paired_seed_difference`) and
    :func:`deepfake_lib.core.stats.decide` reads it: the claim holds when it holds against
    every other label, does not hold when some other label beats it, and is not decided
    otherwise (always with one seed). Notebook A3, section "How a ranking is decided".
    Returns ``(holds, sentence)``.
    """
    sign = 1 if higher_is_better else -1
    means = {k: v[metric]["mean"] for k, v in summ.items()}
    best = max(means, key=lambda k: sign * means[k])
    mine = np.asarray(summ[claimed][metric]["values"], float)
    verdicts = []
    for other, v in summ.items():
        if other == claimed:
            continue
        d = stats.paired_seed_difference(sign * mine, sign * np.asarray(v[metric]["values"], float))
        verdicts.append(stats.decide(d["ci_low"], d["ci_high"]))
    holds = (True if verdicts and all(v is True for v in verdicts)
             else False if any(v is False for v in verdicts) else None)
    n = len(mine)
    why = "one seed" if n < 2 else "a paired interval contains 0"
    word = {True: "holds", False: "does not hold", None: f"is not decided ({why})"}[holds]
    ranking = (" > " if higher_is_better else " < ").join(
        f"{k} {means[k]:.3f}" for k in sorted(means, key=lambda k: -sign * means[k]))
    return holds, (f"Paper: {claimed} is best on {metric}. Ours, mean over {n} seed(s): "
                   f"{ranking}; best is {best}. The paper's claim {word}.")


def all_of(verdicts: Sequence[tuple[bool | None, str]]) -> tuple[bool | None, str]:
    """One verdict for a claim that says several things at once (e.g. "improved ... accuracy
    and reduced the error rate"): it holds when every part holds, does not hold when a part
    does not, and is not decided otherwise. ``verdicts``: ``(holds, sentence)`` pairs of
    :func:`compare_best`; the sentences are joined. Notebook A3, section "How a ranking is
    decided"."""
    parts = [h for h, _ in verdicts]
    holds = (True if parts and all(h is True for h in parts)
             else False if any(h is False for h in parts) else None)
    word = {True: "holds", False: "does not hold", None: "is not decided"}[holds]
    return holds, " ".join(t for _, t in verdicts) + f" Together: the claim {word}."


def record_evidence(run, key: str, verdict: tuple[bool | None, str], ours, data: str,
                    claim: str | None = None) -> None:
    """Record one claim's evidence (``run.evidence``) and print its sentence.

    ``verdict``: ``(holds, sentence)`` of :func:`compare_best`. The claim's text is the
    ledger's quote for ``key`` when the ledger has that id, else ``claim`` (the book's own
    question, e.g. whether the transfer of Algorithm 1 helps). Notebook A3, section "How a
    ranking is decided".
    """
    holds, sentence = verdict
    paper = ledger.claims_by_id()
    text = paper[key].quote if key in paper else claim
    if not text:
        raise ValueError(f"{key} is not a ledger claim id: give the claim's text")
    run.evidence(key, text, holds, ours=ours, detail=sentence, data=data)
    print(sentence)


def select_methods(images, fake_methods: Sequence[str]):
    """The real images plus the fakes made by ``fake_methods`` (a copy of the ImageSet).

    Notebook A3, section "Transfer across data", uses it on the demo benchmark: a source task
    (real vs one manipulation) and a target task (real vs the others).
    """
    import dataclasses

    keep = (np.asarray(images.y) == 0) | np.isin(images.methods, list(fake_methods))
    return dataclasses.replace(images, X=images.X[keep], y=images.y[keep],
                               video_ids=images.video_ids[keep], splits=images.splits[keep],
                               methods=images.methods[keep])


def cross_tasks(images, source_methods: Sequence[str], seed: int = 0) -> tuple[dict, dict, str]:
    """The demo benchmark's transfer across data: a source task (real vs ``source_methods``)
    and a target task (real vs the other manipulations), split by :func:`split_data`.

    Returns ``(source, target, label)``. Notebook A3, section "Transfer across data".
    """
    fakes = sorted(set(np.asarray(images.methods)[np.asarray(images.y) == 1]))
    rest = [m for m in fakes if m not in source_methods]
    source = split_data(select_methods(images, source_methods), seed=seed)
    target = split_data(select_methods(images, rest), seed=seed)
    return source, target, f"{'+'.join(source_methods)} -> {'+'.join(rest)}"


def means(summ: dict, metric: str) -> dict[str, float]:
    """``{label: mean of metric over seeds}`` of a :func:`summary` (the ``ours`` of a piece
    of evidence). Notebook A3, section "How a ranking is decided"."""
    return {k: v[metric]["mean"] for k, v in summ.items()}


def jsonable_runs(results: dict) -> dict:
    """``{name: {seed: {"history", "test", "source_test"}}}`` of :func:`run_plan` results, for
    the results file (the seconds of each fit go to the run's timing instead). Notebook A3,
    section "The runs"."""
    return {name: {str(seed): {k: r.get(k) for k in ("history", "test", "source_test")}
                   for seed, r in per.items()} for name, per in results.items()}


def run_cross(source: dict, target: dict, *, reading: str, batch_size: int, epochs: int,
              seeds: Sequence[int], lr: float = training.PAPER_LR, model: str = "model0",
              monitor: str = "accuracy", budgets: Sequence[str] = ("equal",), log=print,
              steps: int | None = None, **arch):
    """Transfer across data: ``model`` trained on ``target`` from scratch, and from the weights
    of a model0 trained on ``source`` (same seed) under each of ``budgets`` (keys of
    :data:`CROSS_BUDGETS`: the source training takes half of the ``epochs``, or ``epochs``
    more); all tested on ``target``'s test split. Units go through
    :func:`deepfake_lib.core.dispatch.map_units`.

    ``source``, ``target``: dicts of :func:`split_data`. Returns ``(results, rows)`` in the
    format of :func:`run_plan` / :func:`plan`, rows labelled "from scratch" and the values of
    :data:`CROSS_BUDGETS`; transferred results carry the source model's ``source_test``.
    Notebook A3, section "Transfer across data".
    """
    cfg = _config(model, 0.0, batch_size, reading, len(target["train"][0]))
    rows = [("from scratch", cfg, "")] + [(CROSS_BUDGETS[b], cfg, CROSS_BUDGETS[b])
                                          for b in budgets]
    todo = units({"cross": rows}, len(target["train"][0]), epochs=epochs, seeds=seeds, lr=lr,
                 monitor=monitor, data="target", source_data="source", steps=steps, **arch)
    done = dispatch.map_units(training.fit_unit, todo,
                              shared={"source": source, "target": target}, desc="A3 cross")
    return _collect(todo, done, log), rows
