r"""Internal-consistency checks of the three papers: arithmetic only, no data.

Each check reads numbers from the claims ledger (:mod:`deepfake_lib.claims.ledger`), does the
arithmetic a careful reader would do, and returns a :class:`CheckResult` whose ``arithmetic``
shows the sums. Printed numbers are rounded, so every comparison allows for rounding: a value
printed with :math:`d` decimals stands for the interval :math:`x \pm \tfrac12 10^{-d}`
(:func:`half_unit`), and two printed numbers agree when their intervals overlap.

The identities used (notebook ``claims_dashboard``, section "Checks"):

- error rate :math:`= 100\% -` accuracy;
- accuracy is the prevalence-weighted mean of sensitivity and specificity,
  :math:`\mathrm{acc} = \pi\,\mathrm{sens} + (1-\pi)\,\mathrm{spec}`, so a table row implies the
  share of fakes in its test set, :math:`\pi = (\mathrm{acc}-\mathrm{spec})/(\mathrm{sens}-\mathrm{spec})`,
  which must lie in :math:`[0, 1]` and be the same for runs on one test set;
- precision from the same three numbers,
  :math:`\mathrm{prec} = \pi\,\mathrm{sens} / (\pi\,\mathrm{sens} + (1-\pi)(1-\mathrm{spec}))`, and
  :math:`F_1 = 2\,\mathrm{prec}\,\mathrm{rec}/(\mathrm{prec}+\mathrm{rec})`;
- with precision :math:`P`, recall :math:`R` and accuracy :math:`a`, the positive share is
  :math:`(1-a) / ((1-R) + R(1-P)/P)`;
- parameter counts of convolution and dense layers; PSO stability regions
  (:func:`deepfake_lib.pso.limit`).

Usage::

    from deepfake_lib.claims import checks
    for r in checks.run_all():
        print(r.verdict, r.id, r.arithmetic)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from . import ledger as L

CONSISTENT, INCONSISTENT = "consistent", "inconsistent"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check.

    ``statement`` is what is being checked, phrased as the claim that would make it hold;
    ``verdict`` is ``"consistent"`` or ``"inconsistent"``; ``arithmetic`` shows the numbers;
    ``claims`` lists the ledger ids involved.
    """

    id: str
    paper: str
    statement: str
    verdict: str
    arithmetic: str
    claims: tuple[str, ...]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["claims"] = list(self.claims)
        return d


def _result(cid: str, statement: str, ok: bool, arithmetic: str, claims: Iterable[str]) -> CheckResult:
    return CheckResult(id=cid, paper=cid[0], statement=statement,
                       verdict=CONSISTENT if ok else INCONSISTENT, arithmetic=arithmetic,
                       claims=tuple(claims))


# ----------------------------------------------------------------------------- arithmetic
def half_unit(text: str) -> float:
    """Half a unit in the last printed digit of the first number in ``text``
    ("98.24%" -> 0.005, "97%" -> 0.5, "0.923" -> 0.0005)."""
    for token in text.replace(",", "").split():
        digits = "".join(ch for ch in token if ch.isdigit() or ch == ".")
        if any(ch.isdigit() for ch in digits):
            decimals = len(digits.split(".")[1]) if "." in digits else 0
            return 0.5 * 10.0 ** -decimals
    raise ValueError(f"no number in {text!r}")


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when the closed intervals ``a`` and ``b`` share a point (with 1e-9 slack)."""
    return a[0] <= b[1] + 1e-9 and b[0] <= a[1] + 1e-9


def implied_prevalence(acc: float, sens: float, spec: float) -> float:
    r"""Share of positives :math:`\pi` for which :math:`\mathrm{acc} = \pi\,\mathrm{sens} +
    (1-\pi)\,\mathrm{spec}` (all three as fractions); ``nan`` when sens == spec."""
    den = sens - spec
    return (acc - spec) / den if den != 0 else math.nan


def prevalence_interval(acc: float, sens: float, spec: float, h: float) -> tuple[float, float]:
    """Range of :func:`implied_prevalence` when each input (in %) may be off by ``h`` (in %).

    The map is linear-fractional, so over the box its extremes sit at the 8 corners, unless
    the denominator ``sens - spec`` can vanish: then the range is unbounded.
    """
    if abs(sens - spec) <= 2 * h:
        return (-math.inf, math.inf)
    vals = [implied_prevalence((acc + da) / 100, (sens + ds) / 100, (spec + dp) / 100)
            for da, ds, dp in itertools.product((-h, h), repeat=3)]
    return (min(vals), max(vals))


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (same units in, same units out)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def f1_interval_from_acc_sens_spec(acc: float, sens: float, spec: float, h: float,
                                   n: int = 21) -> tuple[float, float]:
    """Range of F1 (in %) implied by accuracy, sensitivity and specificity (in %), each
    possibly off by ``h`` (rounding), over an ``n``-point grid per input; only points whose
    implied prevalence lies in [0, 1] count. (nan, nan) when none does."""
    g = np.linspace(-h, h, n)
    A, S, P = np.meshgrid(acc + g, sens + g, spec + g, indexing="ij")
    A, S, P = A / 100, S / 100, P / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = (A - P) / (S - P)
        ok = (pi >= 0) & (pi <= 1) & np.isfinite(pi)
        prec = pi * S / (pi * S + (1 - pi) * (1 - P))
        f1 = 2 * prec * S / (prec + S) * 100
    f1 = f1[ok & np.isfinite(f1)]
    return (float(f1.min()), float(f1.max())) if f1.size else (math.nan, math.nan)


def positive_share(acc: float, precision: float, recall: float) -> float:
    r"""Share of positives implied by accuracy :math:`a`, precision :math:`P`, recall :math:`R`
    (fractions): errors are :math:`FN + FP = \mathrm{Pos}\,((1-R) + R(1-P)/P)`, so
    :math:`\mathrm{Pos}/N = (1-a)/((1-R) + R(1-P)/P)`."""
    return (1 - acc) / ((1 - recall) + recall * (1 - precision) / precision)


def positive_share_interval(acc: float, precision: float, recall: float, h: float) -> tuple[float, float]:
    """Range of :func:`positive_share` over the rounding box (corners; the map is monotone in
    each input)."""
    vals = [positive_share(acc + da, precision + dp, recall + dr)
            for da, dp, dr in itertools.product((-h, h), repeat=3)]
    return (min(vals), max(vals))


def conv2d_params(k: int, c_in: int, c_out: int) -> int:
    """Weights + biases of a k x k convolution: ``k*k*c_in*c_out + c_out``."""
    return k * k * c_in * c_out + c_out


def dense_params(n_in: int, n_out: int) -> int:
    """Weights + biases of a dense layer."""
    return n_in * n_out + n_out


def lstm_params(d: int, u: int) -> int:
    """Weights + biases of an LSTM with input size ``d`` and ``u`` units: ``4 (d u + u^2 + u)``."""
    return 4 * (d * u + u * u + u)


def paper_a_cnn_params(image: int = 128, channels: int = 3, sizes=(1, 3, 3, 6, 9),
                       filters=(16, 32, 32, 64, 128), convs_per_block: int = 3,
                       dense: int = 32, lstm: str = "none") -> tuple[int, list[str]]:
    """Parameter count of paper A's CNN as section 3 describes it: five blocks of
    ``convs_per_block`` same-padded convolutions (size ``s``, ``n`` filters), a 2x2 max pool
    after every block but the first, Flatten, Dense(32), Dense(1). The paper gives no LSTM
    sizes; ``lstm`` adds one reading: ``"none"``, ``"after_block"`` (an LSTM of ``n`` units on
    each block's output, over its rows) or ``"after_layer"`` (one after every convolution).
    Returns the total and one line of arithmetic per layer group."""
    total, lines, c, side = 0, [], channels, image
    for b, (k, n) in enumerate(zip(sizes, filters)):
        first = conv2d_params(k, c, n)
        rest = conv2d_params(k, n, n) * (convs_per_block - 1)
        extra = {"none": 0, "after_block": lstm_params(n, n),
                 "after_layer": convs_per_block * lstm_params(n, n)}[lstm]
        total += first + rest + extra
        lines.append(f"block {b + 1} ({convs_per_block} conv {k}x{k}, {n} filters): "
                     f"{first:,} + {convs_per_block - 1} x {conv2d_params(k, n, n):,} = {first + rest:,}"
                     + (f" + LSTM {extra:,}" if extra else ""))
        c = n
        if b > 0:
            side //= 2
    flat = side * side * c
    d1, d2 = dense_params(flat, dense), dense_params(dense, 1)
    total += d1 + d2
    lines.append(f"flatten {side}x{side}x{c} = {flat:,}; dense {dense}: {d1:,}; dense 1: {d2:,}")
    return total, lines


def pso_sup_stable_sum(order: str, n: int = 200001) -> float:
    """Supremum over inertia ``w`` in (-1, 1) of the largest stable ``c1 + c2`` for ``order``
    ("deterministic", "order1", "order2"; :func:`deepfake_lib.pso.limit`)."""
    from ..pso import limit

    w = np.linspace(-1, 1, n)[1:-1]
    return float(np.max(limit(w, order)))


# ----------------------------------------------------------------------------- helpers on claims
Claims = dict[str, L.Claim]


def _v(claims: Claims, cid: str) -> float:
    return float(claims[cid].value)


def _h(claims: Claims, cid: str) -> float:
    return half_unit(claims[cid].text)


def _same_number(claims: Claims, a: str, b: str) -> tuple[bool, str]:
    va, vb, ha, hb = _v(claims, a), _v(claims, b), _h(claims, a), _h(claims, b)
    ok = overlaps((va - ha, va + ha), (vb - hb, vb + hb))
    return ok, f"{claims[a].text} ({a}) vs {claims[b].text} ({b}): difference {va - vb:+.2f}"


def _agree(cid: str, statement: str, claims: Claims, a: str, b: str) -> CheckResult:
    ok, text = _same_number(claims, a, b)
    return _result(cid, statement, ok, text + (" -> equal within rounding" if ok else " -> differ"), (a, b))


# ----------------------------------------------------------------------------- paper A
def a_precision_plus_error(claims: Claims) -> list[CheckResult]:
    """Tables 2-5: each row's precision (accuracy) and error rate add up to 100 %."""
    rows = [(f"A.table{t}.{d}", f"Table {t} {d.upper() if d == 'dfdc' else d.capitalize()}")
            for t in (2, 3, 4) for d in ("dfdc", "ciplab")]
    rows += [(f"A.table5.{s}", f"Table 5 {s}") for s in
             ("amerini", "aneja", "delima", "dogonadze", "khan", "shad", "saikia", "proposed")]
    out = []
    for prefix, label in rows:
        acc_id = f"{prefix}.precision" if prefix[7] in "234" else f"{prefix}.accuracy"
        err_id = f"{prefix}.error_rate"
        a, e = _v(claims, acc_id), _v(claims, err_id)
        tol = _h(claims, acc_id) + _h(claims, err_id)
        s = a + e
        ok = abs(s - 100) <= tol + 1e-9
        out.append(_result(
            f"{prefix}.sums_to_100", f"{label}: precision/accuracy + error rate = 100%", ok,
            f"{claims[acc_id].text} + {claims[err_id].text} = {s:.2f}% "
            f"({'=' if ok else '!='} 100% within rounding {tol:.3f})", (acc_id, err_id)))
    return out


def a_agreements(claims: Claims) -> list[CheckResult]:
    """Abstract, Table 1, Table 4, Table 5 and the conclusion report the same numbers."""
    out = [
        _agree("A.abstract_vs_table4.precision", "The abstract's precision is Table 4's (DFDC, model2)",
               claims, "A.abstract.precision", "A.table4.dfdc.precision"),
        _agree("A.abstract_vs_table4.error_rate", "The abstract's error rate is Table 4's (DFDC, model2)",
               claims, "A.abstract.error_rate", "A.table4.dfdc.error_rate"),
        _agree("A.table1_vs_table4.dfdc", "Table 1's DFDC accuracy of the proposed model is Table 4's",
               claims, "A.table1.proposed.dfdc_accuracy", "A.table4.dfdc.precision"),
        _agree("A.table1_vs_table4.ciplab", "Table 1's Ciplab accuracy of the proposed model is Table 4's",
               claims, "A.table1.proposed.ciplab_accuracy", "A.table4.ciplab.precision"),
        _agree("A.table5_vs_table4.accuracy", "Table 5's accuracy of Model2 is Table 4's (DFDC)",
               claims, "A.table5.proposed.accuracy", "A.table4.dfdc.precision"),
        _agree("A.table5_vs_table4.error_rate", "Table 5's error rate of Model2 is Table 4's (DFDC)",
               claims, "A.table5.proposed.error_rate", "A.table4.dfdc.error_rate"),
    ]
    for q, kind in (("accuracy", "precision"), ("error_rate", "error_rate")):
        cid = f"A.conclusion.{q}"
        conc = [float(v) for v in claims[cid].value]
        table = [_v(claims, f"A.table4.{d}.{kind}") for d in ("dfdc", "ciplab")]
        ok = conc == table
        swapped = conc == table[::-1]
        out.append(_result(
            f"A.conclusion_vs_table4.{q}",
            f"The conclusion's {q.replace('_', ' ')} for (DFDC, Ciplab), 'respectively', is Table 4's", ok,
            f"conclusion (DFDC, Ciplab) = ({conc[0]}, {conc[1]}) vs Table 4 = ({table[0]}, {table[1]})"
            + (" -> same numbers, datasets swapped" if swapped else ""),
            (cid, f"A.table4.dfdc.{kind}", f"A.table4.ciplab.{kind}")))
    return out


def a_table5_vs_table1(claims: Claims) -> list[CheckResult]:
    """Each related work's accuracy in Table 5 is one of the numbers Table 1 gives for it."""
    pairs = {"amerini": ["A.table1.ref47.accuracy"],
             "aneja": ["A.table1.ref48.accuracy_custom_test", "A.table1.ref48.accuracy_mixed"],
             "delima": ["A.table1.ref49.accuracy"], "dogonadze": ["A.table1.ref50.accuracy"],
             "khan": ["A.table1.ref51.accuracy", "A.table1.ref51.accuracy_low_quality"],
             "shad": [i for i in claims if i.startswith("A.table1.ref52.")],
             "saikia": [i for i in claims if i.startswith("A.table1.ref53.")]}
    out = []
    for name, ids in pairs.items():
        t5 = f"A.table5.{name}.accuracy"
        v = _v(claims, t5)
        hits = [i for i in ids if abs(_v(claims, i) - v) <= _h(claims, i) + _h(claims, t5)]
        out.append(_result(
            f"A.table5_vs_table1.{name}", f"Table 5's accuracy of {name} appears in Table 1", bool(hits),
            f"Table 5 {claims[t5].text} vs Table 1 {{{', '.join(claims[i].text for i in ids)}}}"
            + (f" -> matches {hits[0]}" if hits else " -> no match"), [t5, *ids]))
    return out


def a_rankings(claims: Claims) -> list[CheckResult]:
    """Model2 > model1 > model0 on both datasets (Tables 2-4); Model2 tops Table 5."""
    out, ids = [], []
    parts, ok = [], True
    for d in ("dfdc", "ciplab"):
        vals = [_v(claims, f"A.table{t}.{d}.precision") for t in (2, 3, 4)]
        ids += [f"A.table{t}.{d}.precision" for t in (2, 3, 4)]
        ok &= vals[2] > vals[1] > vals[0]
        parts.append(f"{d}: model2 {vals[2]} > model1 {vals[1]} > model0 {vals[0]}")
    out.append(_result("A.model_ranking", "Model2 outperforms model1, which outperforms model0 (Tables 2-4)",
                       ok, "; ".join(parts), ["A.sec4.5.model2_best", *ids]))
    others = [i for i in claims if i.startswith("A.table5.") and i.endswith(".accuracy")
              and "proposed" not in i]
    best = max(others, key=lambda i: _v(claims, i))
    v = _v(claims, "A.table5.proposed.accuracy")
    out.append(_result("A.table5.proposed_best", "Model2 has the highest accuracy in Table 5",
                       v > _v(claims, best), f"Model2 {v} vs best other {_v(claims, best)} ({best})",
                       ["A.table5.proposed_best", "A.table5.proposed.accuracy", *others]))
    return out


def a_dataset_arithmetic(claims: Claims) -> list[CheckResult]:
    """Can each dataset supply 19,148 real and 19,148 fake images (section 3.4)?"""
    out = []
    need_real, need_fake = _v(claims, "A.sec3.4.num_real_images"), _v(claims, "A.sec3.4.num_fake_images")
    for d, name in (("dfdc", "DFDC"), ("ciplab", "Ciplab")):
        n = _v(claims, f"A.sec3.3.{d}.num_images")
        real, fake = _v(claims, f"A.sec3.3.{d}.real_share"), _v(claims, f"A.sec3.3.{d}.fake_share")
        h = 0.5  # shares are printed as whole percentages
        real_max, fake_max = n * (real + h) / 100, n * (fake + h) / 100
        ok = real_max >= need_real and fake_max >= need_fake
        out.append(_result(
            f"A.dataset.{d}_supplies_balanced_set",
            f"{name} holds at least 19,148 real and 19,148 fake images", ok,
            f"real: {real:g}% x {n:,.0f} = {n * real / 100:,.1f} (at most {real_max:,.0f} for "
            f"{real - h:g}-{real + h:g}%) vs {need_real:,.0f} needed; fake: {fake:g}% x {n:,.0f} = "
            f"{n * fake / 100:,.1f} vs {need_fake:,.0f} needed",
            (f"A.sec3.3.{d}.num_images", f"A.sec3.3.{d}.real_share", f"A.sec3.3.{d}.fake_share",
             "A.sec3.4.num_real_images", "A.sec3.4.num_fake_images")))
    return out


def a_parameter_count(claims: Claims) -> list[CheckResult]:
    """Parameters of the CNN as described in section 3 vs the claimed 4.7 million."""
    spec = dict(image=int(claims["A.sec3.4.image_size"].value[0]),
                sizes=tuple(claims["A.sec3.filter_sizes"].value),
                filters=tuple(claims["A.sec3.num_filters"].value),
                convs_per_block=int(claims["A.sec3.conv_layers_per_block"].value),
                dense=int(claims["A.sec3.dense_units"].value[0]))
    total, lines = paper_a_cnn_params(**spec)
    readings = {r: paper_a_cnn_params(**spec, lstm=r)[0] for r in ("after_block", "after_layer")}
    claimed = _v(claims, "A.sec3.num_parameters") * 1e6
    h = 0.05e6  # "4.7 million" is rounded to 0.1 M
    ok = any(abs(n - claimed) <= h for n in (total, *readings.values()))
    return [_result(
        "A.architecture.parameter_count",
        "The described model (5 blocks, s and n of section 3, 128x128 input, Dense 32, Dense 1, "
        "with or without an LSTM of n units per block or per layer) has 4.7 million parameters", ok,
        "; ".join(lines) + f"; total {total:,} = {total / 1e6:.2f} M without LSTM, "
        + ", ".join(f"{n / 1e6:.2f} M with an LSTM {r.replace('_', ' ')}" for r, n in readings.items())
        + f" vs claimed 4.7 M (+-0.05)",
        ("A.sec3.num_parameters", "A.sec3.filter_sizes", "A.sec3.num_filters",
         "A.sec3.conv_layers_per_block", "A.sec3.dense_units", "A.sec3.4.image_size",
         "A.sec3.num_blocks"))]


def a_learning_rate(claims: Claims) -> list[CheckResult]:
    """The minimum learning rate, as printed, is below the initial one."""
    lo, hi = _v(claims, "A.sec3.4.lr_min"), _v(claims, "A.sec3.4.lr_initial")
    return [_result("A.sec3.4.lr_min_below_initial",
                    "The learning rate, divided by 10 on plateaus, stops at a minimum below its start",
                    lo < hi, f"minimum as printed {claims['A.sec3.4.lr_min'].text} = {lo:g} vs initial "
                    f"{hi:g}" + ("" if lo < hi else " -> not below (read as 10^-6 it would be)"),
                    ("A.sec3.4.lr_min", "A.sec3.4.lr_initial"))]


# ----------------------------------------------------------------------------- paper B
_B_TABLES = {"2": ("celebdf", "Celeb-DF"), "3": ("dfdc", "DFDC")}
_B_METRICS = ("accuracy", "sensitivity", "specificity", "f1")


def _b_rows(claims: Claims, t: str) -> list[dict[str, str]]:
    slug = _B_TABLES[t][0]
    return [{m: f"B.table{t}.{slug}.run{r}.{m}" for m in _B_METRICS} for r in range(1, 6)]


def b_means_and_ranges(claims: Claims) -> list[CheckResult]:
    """Tables 2-3: the mean accuracy and the min-max ranges quoted in the text."""
    out = []
    for t, (slug, name) in _B_TABLES.items():
        rows = _b_rows(claims, t)
        accs = [_v(claims, r["accuracy"]) for r in rows]
        mean = sum(accs) / len(accs)
        quoted = [f"B.sec5.{slug}.accuracy_mean", f"B.abstract.{slug}.accuracy",
                  f"B.conclusion.{slug}.accuracy", f"B.table4.proposed.{slug}.accuracy"]
        bad = [q for q in quoted if abs(_v(claims, q) - mean) > _h(claims, q) + 1e-9]
        out.append(_result(
            f"B.table{t}.mean_accuracy", f"{name}: the quoted average accuracy is the mean of the five runs",
            not bad, f"({' + '.join(f'{a:.2f}' for a in accs)}) / 5 = {mean:.3f} vs quoted "
            f"{claims[quoted[0]].text}" + (f"; differs: {bad}" if bad else ""),
            [*(r["accuracy"] for r in rows), *quoted]))
        for m in _B_METRICS:
            vals = [_v(claims, r[m]) for r in rows]
            rid = f"B.sec5.{slug}.{m}_range"
            lo, hi = (float(x) for x in claims[rid].value)
            ok = abs(lo - min(vals)) < 1e-9 and abs(hi - max(vals)) < 1e-9
            out.append(_result(
                f"B.table{t}.{m}_range", f"{name}: the text's {m} range is the min and max of Table {t}", ok,
                f"Table {t} {m}: min {min(vals):.2f}, max {max(vals):.2f} vs text {lo:g} to {hi:g}",
                [rid, *(r[m] for r in rows)]))
    return out


def b_prevalence_and_f1(claims: Claims) -> list[CheckResult]:
    """Accuracy = prevalence-weighted mean of sensitivity and specificity: the implied share of
    fakes per run, whether the five runs can share one test set, and the F1 it implies."""
    out = []
    n_real, n_fake = _v(claims, "B.sec4.1.celebdf.real_videos"), _v(claims, "B.sec4.1.celebdf.fake_videos")
    for t, (slug, name) in _B_TABLES.items():
        rows = _b_rows(claims, t)
        intervals, parts = [], []
        for r, row in enumerate(rows, 1):
            a, s, p = (_v(claims, row[m]) for m in ("accuracy", "sensitivity", "specificity"))
            lo, hi = prevalence_interval(a, s, p, _h(claims, row["accuracy"]))
            intervals.append((lo, hi))
            parts.append(f"run {r}: ({a:.2f} - {p:.2f}) / ({s:.2f} - {p:.2f}) = "
                         f"{implied_prevalence(a, s, p):.3f} [{lo:.3f}, {hi:.3f}]")
        ids = [row[m] for row in rows for m in ("accuracy", "sensitivity", "specificity")]
        in_unit = all(lo <= 1 + 1e-9 and hi >= -1e-9 for lo, hi in intervals)
        extra = (f"; Celeb-DF as a whole is {n_fake / (n_fake + n_real):.3f} fake "
                 f"({n_fake:,.0f} / {n_fake + n_real:,.0f})" if slug == "celebdf" else "")
        out.append(_result(
            f"B.table{t}.implied_prevalence", f"{name}: each run's accuracy lies between its sensitivity "
            "and specificity (implied share of fakes in [0, 1])", in_unit,
            "share of fakes pi = (acc - spec) / (sens - spec): " + "; ".join(parts) + extra, ids))
        common = (max(lo for lo, _ in intervals), min(hi for _, hi in intervals))
        shared = common[0] <= common[1] + 1e-9
        out.append(_result(
            f"B.table{t}.common_test_set", f"{name}: the five runs can have been scored on one test set "
            "(one share of fakes fits every run)", shared,
            "intersection of the runs' intervals = " + (f"[{common[0]:.3f}, {common[1]:.3f}]" if shared
                                                        else f"empty (max lower {common[0]:.3f} > min upper {common[1]:.3f})"),
            ids))
        for r, row in enumerate(rows, 1):
            a, s, p, f = (_v(claims, row[m]) for m in _B_METRICS)
            h = _h(claims, row["accuracy"])
            lo, hi = f1_interval_from_acc_sens_spec(a, s, p, h)
            ok = not math.isnan(lo) and overlaps((lo, hi), (f - h, f + h))
            out.append(_result(
                f"B.table{t}.run{r}.f1_implied", f"{name} run {r}: the F1 score follows from accuracy, "
                "sensitivity and specificity", ok,
                f"pi = {implied_prevalence(a, s, p):.3f}, precision = pi*sens / (pi*sens + (1-pi)(1-spec)), "
                f"F1 = 2PR/(P+R) in [{lo:.2f}, {hi:.2f}] vs reported {f:.2f}", list(row.values())))
    return out


def b_dataset_comparison(claims: Claims) -> list[CheckResult]:
    """Celeb-DF results beat DFDC on every metric's mean (section 5.1)."""
    parts, ok, ids = [], True, ["B.sec5.celebdf_better_than_dfdc"]
    for m in _B_METRICS:
        means = {}
        for t in _B_TABLES:
            rows = _b_rows(claims, t)
            means[t] = sum(_v(claims, r[m]) for r in rows) / 5
            ids += [r[m] for r in rows]
        ok &= means["2"] > means["3"]
        parts.append(f"{m}: Celeb-DF {means['2']:.3f} vs DFDC {means['3']:.3f}")
    return [_result("B.celebdf_better_than_dfdc", "Every mean metric is higher on Celeb-DF than on DFDC",
                    ok, "; ".join(parts), ids)]


def b_related_work(claims: Claims) -> list[CheckResult]:
    """Related-work numbers: internal identities, Table 1 = Table 4, Table 1 vs section 2."""
    out = []
    p, r, f = (_v(claims, f"B.sec2.ref17.{m}") for m in ("precision", "recall", "f1"))
    out.append(_result("B.sec2.ref17.f1", "[17]: F1 = 2PR/(P+R)", abs(f1_score(p, r) - f) <= 0.01,
                       f"2 x {p} x {r} / ({p} + {r}) = {f1_score(p, r):.2f} vs {f}",
                       ("B.sec2.ref17.precision", "B.sec2.ref17.recall", "B.sec2.ref17.f1")))
    out.append(_result("B.sec2.ref17.recall_is_sensitivity", "[17]: recall equals sensitivity",
                       _v(claims, "B.sec2.ref17.recall") == _v(claims, "B.sec2.ref17.sensitivity"),
                       f"recall {_v(claims, 'B.sec2.ref17.recall')} vs sensitivity "
                       f"{_v(claims, 'B.sec2.ref17.sensitivity')}",
                       ("B.sec2.ref17.recall", "B.sec2.ref17.sensitivity")))
    a, s, sp = (_v(claims, f"B.sec2.ref17.{m}") for m in ("accuracy", "sensitivity", "specificity"))
    pi = implied_prevalence(a / 100, s / 100, sp / 100)
    h = 0.005
    precs = []
    for da, ds, dp in itertools.product((-h, h), repeat=3):
        q = implied_prevalence((a + da) / 100, (s + ds) / 100, (sp + dp) / 100)
        precs.append(100 * q * (s + ds) / (q * (s + ds) + (1 - q) * (100 - sp - dp)))
    out.append(_result("B.sec2.ref17.precision_implied",
                       "[17]: precision follows from accuracy, sensitivity and specificity",
                       overlaps((min(precs), max(precs)), (p - h, p + h)),
                       f"pi = ({a} - {sp}) / ({s} - {sp}) = {pi:.3f}; precision = pi*sens / (pi*sens + "
                       f"(1-pi)(1-spec)) in [{min(precs):.2f}, {max(precs):.2f}] vs {p}",
                       ("B.sec2.ref17.accuracy", "B.sec2.ref17.sensitivity", "B.sec2.ref17.specificity",
                        "B.sec2.ref17.precision")))
    p, r, f = (_v(claims, f"B.sec2.ref20.{m}") for m in ("precision", "recall", "f1"))
    out.append(_result("B.sec2.ref20.f1", "[20]: F1 = 2PR/(P+R)", abs(f1_score(p, r) - f) <= 0.05 + 0.01,
                       f"2 x {p} x {r} / ({p} + {r}) = {f1_score(p, r):.2f} vs {f}",
                       ("B.sec2.ref20.precision", "B.sec2.ref20.recall", "B.sec2.ref20.f1")))
    names = ("wodajo", "tran", "ismail", "mitra", "ge", "liu", "heo")
    same = [n for n in names if _v(claims, f"B.table1.{n}.accuracy") == _v(claims, f"B.table4.{n}.accuracy")]
    out.append(_result("B.table1_equals_table4", "Table 4 repeats Table 1's related-work rows",
                       len(same) == len(names), f"{len(same)} of {len(names)} rows equal",
                       [f"B.table{t}.{n}.accuracy" for t in (1, 4) for n in names]))
    # Table 1 accuracy vs what section 2 says about the same work (rows the text gives numbers for)
    text_rows = {  # name: (section 2 accuracy claim or None, the other numbers section 2 gives)
        "wodajo": ("B.sec2.ref15.accuracy", ["B.sec2.ref15.auc"]),
        "tran": (None, ["B.sec2.ref16.auc", "B.sec2.ref16.f1"]),
        "ismail": ("B.sec2.ref17.accuracy", ["B.sec2.ref17.auc", "B.sec2.ref17.f1"]),
        "mitra": ("B.sec2.ref21.accuracy_ff", ["B.sec2.ref21.accuracy_combined"]),
        "heo": ("B.sec2.ref24.accuracy", ["B.sec2.ref24.f1"]),
    }
    for n, (acc_id, other_ids) in text_rows.items():
        t1 = f"B.table1.{n}.accuracy"
        v_tab = _v(claims, t1)

        def pct(i: str) -> float:  # section 2 mixes fractions (0.978) and percentages
            v = _v(claims, i)
            return v * 100 if v <= 1 else v

        ok = acc_id is not None and abs(pct(acc_id) - v_tab) <= _h(claims, t1) + 0.05
        others = [f"{i.split('.')[-1]} {pct(i):g} ({claims[i].dataset})" for i in other_ids]
        matches = [i.split(".")[-1] for i in other_ids if abs(pct(i) - v_tab) <= _h(claims, t1) + 0.05]
        out.append(_result(
            f"B.table1_vs_text.{n}", f"Table 1's accuracy of {n} is the accuracy section 2 reports", ok,
            f"Table 1 {claims[t1].text} on {claims[t1].dataset} vs section 2 accuracy "
            + (f"{pct(acc_id):g} on {claims[acc_id].dataset}" if acc_id else "not given")
            + f"; section 2 also gives {', '.join(others)}"
            + (f" -> Table 1's number is the {matches[0]}" if matches and not ok else ""),
            [t1, *([acc_id] if acc_id else []), *other_ids]))
    return out


def b_comparison_statements(claims: Claims) -> list[CheckResult]:
    """Section 5.2's comparisons in words against Table 4's numbers."""
    t4 = {n: _v(claims, f"B.table4.{n}.accuracy") for n in ("wodajo", "tran", "ismail", "mitra", "ge", "liu", "heo")}
    ds = {n: claims[f"B.table4.{n}.accuracy"].dataset for n in t4}
    celeb, dfdc = _v(claims, "B.table4.proposed.celebdf.accuracy"), _v(claims, "B.table4.proposed.dfdc.accuracy")
    ids = [f"B.table4.{n}.accuracy" for n in t4]
    out = []
    out.append(_result("B.sec5.2.celebdf_beats_table4", "Celeb-DF accuracy 97.26% beats every method in Table 4",
                       all(celeb > v for v in t4.values()),
                       f"97.26 vs max {max(t4.values())} ({max(t4, key=t4.get)})",
                       ["B.sec5.2.celebdf_beats_table4", "B.table4.proposed.celebdf.accuracy", *ids]))
    dfdc_rows = {n: v for n, v in t4.items() if ds[n] == "DFDC"}
    out.append(_result("B.sec5.2.dfdc_below_table4", "DFDC accuracy 94.2% is lower than the DFDC methods of Table 4",
                       all(dfdc < v for v in dfdc_rows.values()),
                       "DFDC rows of Table 4: " + ", ".join(f"{n} {v}" for n, v in dfdc_rows.items())
                       + f" vs proposed {dfdc}",
                       ["B.sec5.2.dfdc_below_table4", "B.table4.proposed.dfdc.accuracy",
                        *(f"B.table4.{n}.accuracy" for n in dfdc_rows)]))
    out.append(_result("B.sec5.2.beats_wodajo_ismail", "DFDC accuracy 94.2% is above Wodajo's and Ismail's",
                       dfdc > t4["wodajo"] and dfdc > t4["ismail"],
                       f"{dfdc} vs Wodajo {t4['wodajo']} ({ds['wodajo']}), Ismail {t4['ismail']} "
                       f"({ds['ismail']}, not DFDC)",
                       ["B.sec5.2.beats_wodajo_ismail", "B.table4.proposed.dfdc.accuracy",
                        "B.table4.wodajo.accuracy", "B.table4.ismail.accuracy"]))
    out.append(_result("B.sec5.2.ge_heo_beat_celebdf", "Ge and Heo are above the proposed 97.26% on Celeb-DF",
                       t4["ge"] > celeb and t4["heo"] > celeb,
                       f"Ge {t4['ge']}, Heo {t4['heo']} vs proposed {celeb}",
                       ["B.sec5.2.ge_heo_beat_celebdf", "B.table4.proposed.celebdf.accuracy",
                        "B.table4.ge.accuracy", "B.table4.heo.accuracy"]))
    return out


def b_pso_convergence(claims: Claims) -> list[CheckResult]:
    """c1 + c2 = 8 against the PSO stability regions, for every inertia |w| < 1."""
    c = _v(claims, "B.sec5.pso.c1") + _v(claims, "B.sec5.pso.c2")
    parts, ok = [], False
    for order, rule in (("deterministic", "c1+c2 < 2(1+w)"), ("order1", "c1+c2 < 4(1+w)"),
                        ("order2", "c1+c2 < 24(1-w^2)/(7-5w)")):
        sup = pso_sup_stable_sum(order)
        ok |= c < sup
        parts.append(f"{order} ({rule}): sup over |w|<1 = {sup:.3f}")
    return [_result("B.pso.convergence", "c1 = c2 = 4 admits an inertia w for which the swarm converges",
                    ok, f"c1 + c2 = {c:g}; " + "; ".join(parts) + f" -> {'some' if ok else 'no'} w works "
                    "(the paper does not state w)", ("B.sec5.pso.c1", "B.sec5.pso.c2"))]


def b_dfdc_size(claims: Claims) -> list[CheckResult]:
    n, each, total = (_v(claims, f"B.sec4.1.dfdc.{k}") for k in ("num_files", "file_size_gb", "size_gb"))
    ok = abs(n * each - total) / total <= 0.10
    return [_result("B.sec4.1.dfdc_parts", "50 parts of about 10 GB make the 'over 470 GB' training set", ok,
                    f"{n:g} x {each:g} GB = {n * each:g} GB vs {total:g} GB ({(n * each - total) / total:+.1%})",
                    ("B.sec4.1.dfdc.num_files", "B.sec4.1.dfdc.file_size_gb", "B.sec4.1.dfdc.size_gb"))]


# ----------------------------------------------------------------------------- paper C
def c_split(claims: Claims) -> list[CheckResult]:
    """Frame counts of the 7:3 split; whether the split can put one video's frames on both sides."""
    real, per, nm = (_v(claims, k) for k in ("C.sec_data.real_videos", "C.sec_data.fake_videos_per_method",
                                             "C.sec_data.num_methods"))
    frames = _v(claims, "C.sec_data.frames_per_video")
    tr, te = (float(x) for x in claims["C.sec_data.split_ratio"].value)
    f_tr, f_te = tr / (tr + te), te / (tr + te)
    fake = per * nm
    want = {"train_real": real * frames * f_tr, "test_real": real * frames * f_te,
            "train_fake": fake * frames * f_tr, "test_fake": fake * frames * f_te}
    got = {k: _v(claims, f"C.sec_data.{k}_frames") for k in want}
    ok = all(abs(want[k] - got[k]) < 0.5 for k in want)
    out = [_result(
        "C.split.frame_counts", "1,000 real and 4 x 500 fake videos x 30 frames, split 7:3, give the "
        "stated frame counts", ok,
        f"real {real:,.0f} x {frames:g} = {real * frames:,.0f} -> {want['train_real']:,.0f} / {want['test_real']:,.0f}"
        f" (stated {got['train_real']:,.0f} / {got['test_real']:,.0f}); fake {nm:g} x {per:,.0f} x {frames:g} = "
        f"{fake * frames:,.0f} -> {want['train_fake']:,.0f} / {want['test_fake']:,.0f} (stated "
        f"{got['train_fake']:,.0f} / {got['test_fake']:,.0f})",
        ("C.sec_data.real_videos", "C.sec_data.fake_videos_per_method", "C.sec_data.num_methods",
         "C.sec_data.frames_per_video", "C.sec_data.split_ratio", *(f"C.sec_data.{k}_frames" for k in want)))]
    n_videos = real + fake
    one_side = f_tr ** frames + f_te ** frames
    straddle = n_videos * (1 - one_side)
    out.append(_result(
        "C.split.video_disjoint", "The 7:3 split keeps all frames of a video on one side "
        "(test frames come from unseen videos)", straddle < 0.5,
        f"the text divides the frame images 7:3; a random frame-level split keeps a video's {frames:g} frames on "
        f"one side with probability 0.7^{frames:g} + 0.3^{frames:g} = {one_side:.2e}, so about "
        f"{straddle:,.1f} of {n_videos:,.0f} videos have frames in both train and test "
        f"(the counts would also fit a video-level split of {real * f_tr:,.0f}/{real * f_te:,.0f} real videos, "
        "which the text does not describe)",
        ("C.sec_data.split_ratio", "C.sec_data.frames_per_video", "C.sec_data.real_videos",
         "C.sec_data.fake_videos_per_method")))
    return out


_C_COLS = {"k3": "3 * 3", "k5": "5 * 5", "k7": "7 * 7", "k3k5": "3 * 3, 5 * 5"}


def c_table3(claims: Claims) -> list[CheckResult]:
    """Table 3: F1 from precision and recall; the share of positives each column implies."""
    out, shares, ids = [], [], []
    test_real, test_fake = _v(claims, "C.sec_data.test_real_frames"), _v(claims, "C.sec_data.test_fake_frames")
    for col, k in _C_COLS.items():
        a, f, r, p = (_v(claims, f"C.table3.{col}.{m}") for m in ("accuracy", "f1", "recall", "precision"))
        h = _h(claims, f"C.table3.{col}.f1")
        lo = min(f1_score(p + dp, r + dr) for dp in (-h, h) for dr in (-h, h))
        hi = max(f1_score(p + dp, r + dr) for dp in (-h, h) for dr in (-h, h))
        cid = [f"C.table3.{col}.{m}" for m in ("precision", "recall", "f1")]
        out.append(_result(f"C.table3.{col}.f1", f"Table 3, kernel {k}: F1 = 2PR/(P+R)",
                           overlaps((lo, hi), (f - h, f + h)),
                           f"2 x {p} x {r} / ({p} + {r}) = {f1_score(p, r):.4f} (range [{lo:.4f}, {hi:.4f}]) "
                           f"vs {f}", cid))
        s_lo, s_hi = positive_share_interval(a, p, r, h)
        shares.append((k, positive_share(a, p, r), s_lo, s_hi))
        ids += [f"C.table3.{col}.{m}" for m in ("accuracy", "precision", "recall")]
    fake_share = test_fake / (test_fake + test_real)
    fits = [s for s in shares if s[2] <= fake_share <= s[3] or s[2] <= 1 - fake_share <= s[3]]
    out.append(_result(
        "C.table3.implied_test_composition",
        "Table 3's accuracy, precision and recall fit the stated test set (18,000 fake, 9,000 real frames)",
        len(fits) == len(shares),
        "positive share = (1 - acc) / ((1 - R) + R(1 - P)/P): "
        + "; ".join(f"{k}: {v:.3f} [{lo:.3f}, {hi:.3f}]" for k, v, lo, hi in shares)
        + f" vs test set {fake_share:.3f} fake / {1 - fake_share:.3f} real",
        [*ids, "C.sec_data.test_real_frames", "C.sec_data.test_fake_frames"]))
    return out


def c_gains(claims: Claims) -> list[CheckResult]:
    """Abstract's gains from CRF: +1.6 % precision, +2.0 % recall, +2.5 % F1."""
    dp, dr, df = (_v(claims, f"C.abstract.{m}_gain") for m in ("precision", "recall", "f1"))
    R, F = _v(claims, "C.fig8.recall"), _v(claims, "C.fig8.f1")
    P = F * R / (2 * R - F)
    # percentage points: the BiLSTM-only model had P - dp, R - dr
    f_pp = f1_score(P - dp, R - dr)
    # relative: P / (1 + dp/100), R / (1 + dr/100); F1 is homogeneous of degree 1, so its
    # relative gain is at most max(dp, dr)
    f_rel = f1_score(P / (1 + dp / 100), R / (1 + dr / 100))
    gain_pp, gain_rel = F - f_pp, (F / f_rel - 1) * 100
    ok = gain_pp >= df - 0.05 or gain_rel >= df - 0.05
    out = [_result(
        "C.abstract.f1_gain_bound", "An F1 gain of 2.5% follows from precision +1.6% and recall +2.0%", ok,
        f"with CRF: R = {R:.2f}, F1 = {F:.2f} -> P = F1 R / (2R - F1) = {P:.2f}; without CRF, "
        f"in points: P = {P - dp:.2f}, R = {R - dr:.2f}, F1 = {f_pp:.2f}, gain {gain_pp:.2f} points; "
        f"relative: gain {gain_rel:.2f}% (at most max(1.6, 2.0) = 2.0% as F1 is homogeneous) vs claimed {df:g}",
        ("C.abstract.precision_gain", "C.abstract.recall_gain", "C.abstract.f1_gain", "C.fig8.recall",
         "C.fig8.f1"))]
    out.append(_agree("C.abstract_vs_fig8.precision_gain", "The abstract's precision gain is the text's",
                      claims, "C.abstract.precision_gain", "C.fig8.precision_gain"))
    return out


def c_auc(claims: Claims) -> list[CheckResult]:
    a, b, x = (_v(claims, f"C.fig9.auc_{k}") for k in ("bilstm_crf", "bilstm", "xception"))
    return [_result("C.fig9.auc_ranking", "AUC: BiLSTM + CRF > BiLSTM > Xception", a > b > x,
                    f"{a} > {b} > {x}", ("C.fig9.auc_ranking", "C.fig9.auc_bilstm_crf", "C.fig9.auc_bilstm",
                                         "C.fig9.auc_xception"))]


def c_tables(claims: Claims) -> list[CheckResult]:
    """The accuracy table of models vs Table 5 vs the text."""
    out = []
    models = ("meso4", "capsule", "convlstm", "densenet", "proposed")
    t5 = ("xception", "bilstm_nocrf", "capsule", "convlstm", "densenet", "proposed")
    pairs = [("capsule", "capsule"), ("convlstm", "convlstm"), ("densenet", "densenet"), ("proposed", "proposed")]
    diffs, ids = [], []
    for m, t in pairs:
        for d in ("celebdf", "ffpp"):
            a, b = f"C.table_models.{m}.{d}", f"C.table5.{t}.{d}"
            if abs(_v(claims, a) - _v(claims, b)) > 1e-9:
                ids += [a, b]
                diffs.append(f"{m} {d}: {claims[a].value} vs {claims[b].value}")
    shift = all(_v(claims, f"C.table_models.{m}.{d}") == _v(claims, f"C.table5.{t}.{d}")
                for m, t in zip(models, t5[:-1]) for d in ("celebdf", "ffpp"))
    out.append(_result(
        "C.table_models_vs_table5", "The two comparison tables give each method the same accuracy", not diffs,
        ("; ".join(diffs) or "all equal") + (" -> Table 5's first five rows carry the other table's rows "
                                              "in the same order (labels shifted by one)" if shift else ""), ids))
    dup = all(_v(claims, f"C.table5.densenet.{d}") == _v(claims, f"C.table5.proposed.{d}") for d in ("celebdf", "ffpp"))
    out.append(_result(
        "C.table5.proposed_best_celebdf", "Table 5: the proposed model is the best on Celeb-DF (strictly)",
        all(_v(claims, "C.table5.proposed.celebdf") > _v(claims, f"C.table5.{t}.celebdf") for t in t5[:-1]),
        "proposed 91.7 vs " + ", ".join(f"{t} {_v(claims, f'C.table5.{t}.celebdf')}" for t in t5[:-1])
        + (" (DenseNet's row equals the proposed row in both columns)" if dup else ""),
        ["C.sec_results.celebdf_accuracy", *(f"C.table5.{t}.celebdf" for t in t5
                                             if _v(claims, f"C.table5.{t}.celebdf") >= _v(claims, "C.table5.proposed.celebdf"))]))
    out.append(_result(
        "C.table_models.proposed_best_celebdf", "Accuracy table: the proposed model is the best on Celeb-DF",
        all(_v(claims, "C.table_models.proposed.celebdf") > _v(claims, f"C.table_models.{m}.celebdf")
            for m in models[:-1]),
        "proposed 91.7 vs " + ", ".join(f"{m} {_v(claims, f'C.table_models.{m}.celebdf')}" for m in models[:-1]),
        ["C.sec_results.celebdf_accuracy", *(f"C.table_models.{m}.celebdf" for m in models)]))
    out.append(_agree("C.text_vs_table.celebdf_accuracy", "The text's 91.72% is the table's 91.7%",
                      claims, "C.sec_results.celebdf_accuracy", "C.table_models.proposed.celebdf"))
    for tab, key in (("table_models", "C.table_models.capsule.ffpp"), ("table5", "C.table5.capsule.ffpp")):
        out.append(_agree(f"C.text_vs_{tab}.capsule_ffpp", f"The text's Capsule 96.60% on FF++ is {tab}'s",
                          claims, "C.sec_results.capsule_ffpp", key))
    gap_lo = _v(claims, "C.sec_results.capsule_ffpp") - (_v(claims, "C.table_models.proposed.ffpp") + 0.05)
    gap_hi = _v(claims, "C.sec_results.capsule_ffpp") - (_v(claims, "C.table_models.proposed.ffpp") - 0.05)
    g = _v(claims, "C.sec_results.gap_to_capsule")
    out.append(_result("C.text.gap_to_capsule", "The 0.77% gap to Capsule fits 96.60% and the table's 95.8%",
                       gap_lo - 0.005 <= g <= gap_hi + 0.005,
                       f"96.60 - 95.8 (+-0.05) = {gap_lo:.2f} to {gap_hi:.2f} vs 0.77",
                       ("C.sec_results.gap_to_capsule", "C.sec_results.capsule_ffpp", "C.table_models.proposed.ffpp")))
    crf = _v(claims, "C.fig8.crf_accuracy_gain")
    parts, ok = [], True
    for d in ("celebdf", "ffpp"):
        gain = _v(claims, f"C.table5.proposed.{d}") - _v(claims, f"C.table5.bilstm_nocrf.{d}")
        ok &= 0 < gain <= crf + 0.5
        parts.append(f"{d}: {_v(claims, f'C.table5.proposed.{d}')} - {_v(claims, f'C.table5.bilstm_nocrf.{d}')} = {gain:+.1f}")
    out.append(_result("C.table5.crf_gain", "Table 5: CRF adds almost 1% accuracy to the BiLSTM", ok,
                       "; ".join(parts) + " vs 'almost 1%'",
                       ["C.fig8.crf_accuracy_gain", *(f"C.table5.{t}.{d}" for t in ("proposed", "bilstm_nocrf")
                                                      for d in ("celebdf", "ffpp"))]))
    a3, f3 = _v(claims, "C.table3.k3.accuracy") * 100, _v(claims, "C.table3.k3.f1") * 100
    acc, f1 = _v(claims, "C.table_models.proposed.ffpp"), _v(claims, "C.fig8.f1")
    out.append(_result(
        "C.table3_vs_final", "Table 3's chosen configuration (3x3) scores what the final model scores on FF++",
        abs(a3 - acc) <= 0.1 and abs(f3 - f1) <= 0.1,
        f"Table 3 at 3x3: accuracy {a3:.1f}%, F1 {f3:.1f}% vs final model: accuracy {acc}% (accuracy table), "
        f"F1 {f1}% (Figure 8 text)",
        ("C.table3.k3.accuracy", "C.table3.k3.f1", "C.table4.kernel_size", "C.table_models.proposed.ffpp",
         "C.fig8.f1")))
    out.append(_result(
        "C.eq11.binary_labels", "The loss of a binary real/fake task has two labels", _v(claims, "C.eq11.num_labels") == 2,
        f"Eq. (11) speaks of {_v(claims, 'C.eq11.num_labels'):g} category labels; the task has 2 classes "
        f"(label coding: {claims['C.sec_data.label_coding'].value})",
        ("C.eq11.num_labels", "C.sec_data.label_coding")))
    return out


# ----------------------------------------------------------------------------- registry
CHECKS: dict[str, tuple[Callable[[Claims], list[CheckResult]], ...]] = {
    "A": (a_precision_plus_error, a_agreements, a_table5_vs_table1, a_rankings, a_dataset_arithmetic,
          a_parameter_count, a_learning_rate),
    "B": (b_means_and_ranges, b_prevalence_and_f1, b_dataset_comparison, b_related_work,
          b_comparison_statements, b_pso_convergence, b_dfdc_size),
    "C": (c_split, c_table3, c_gains, c_auc, c_tables),
}


def run_all(claims: Claims | None = None, papers: Sequence[str] = L.PAPERS) -> list[CheckResult]:
    """Run every check of ``papers`` on ``claims`` (default: the three ledgers).

    Raises ``ValueError`` if a check names a claim id the ledger does not have, or two
    checks share an id.
    """
    claims = claims if claims is not None else L.claims_by_id()
    results: list[CheckResult] = []
    for p in papers:
        for fn in CHECKS[p]:
            results.extend(fn(claims))
    seen = set()
    for r in results:
        if r.id in seen:
            raise ValueError(f"duplicate check id {r.id}")
        seen.add(r.id)
        unknown = [c for c in r.claims if c not in claims]
        if unknown:
            raise ValueError(f"check {r.id} names unknown claims {unknown}")
    return results
