r"""Checks of paper A (hybrid CNN-LSTM): what its own numbers imply about each other.

- accuracy + error rate = 100 % where the error rate is the complement (Tables 2, 3, 5), and
  under every reading of "error rate (Loss)" for Model2 (Table 4, its reprint in Table 5, the
  abstract, the conclusion): a binary cross-entropy on the same set is at least
  :math:`(1 - a)\ln 2`, a loss of another split is not bounded by the accuracy;
- the same result stated in several places agrees (Table 1, Table 4, the abstract, the
  conclusion, section 1.3);
- the datasets can supply the balanced set of section 3.4;
- the parameter count of section 3's CNN, a lower bound on the model's at both image sizes
  (the paper gives no LSTM width);
- the learning-rate schedule; the printed equations (3) and (10);
- Table 5's error-rate column as a ranking (a concern); the Zuckerberg video's date.

Notebook ``claims_dashboard``, section "Checks".
"""

from __future__ import annotations

import math
import re

from .checks import FAILS, HOLDS, Claims, Spec, agree, h, judge, result, scenarios, v

#: Table 5's Model2 row reprints Table 4's DFDC row; the abstract's error rate is the same
#: 0.26 %. A hypothesis that blames a number blames its reprints with it.
DFDC_ACC = ("A.table4.dfdc.precision", "A.table5.proposed.accuracy")
DFDC_ERR = ("A.table4.dfdc.error_rate", "A.table5.proposed.error_rate", "A.abstract.error_rate")
LN2 = math.log(2)


def error_rate_outcome(acc: float, err: float, tol: float, reading: str) -> tuple[str, str]:
    """Outcome and arithmetic of one (accuracy, error rate) pair in percent under one reading
    of "error rate" (``complement``, ``loss_same_set``, ``loss_other_set``).

    Notebook claims_dashboard, section "Checks".
    """
    if reading == "complement":
        return judge(acc + err, 100.0, 2, tol), f"{acc:g} + {err:g} = {acc + err:.2f} vs 100"
    if reading == "loss_same_set":
        bound = (100 - (acc + tol / 2)) * LN2
        return (HOLDS if err >= bound - tol / 2 else FAILS,
                f"loss >= (100 - {acc:g}) ln 2 = {bound:.2f} vs {err:g}")
    return HOLDS, f"a loss of another split is not bounded by the accuracy {acc:g}"


def a_error_rates(claims: Claims) -> list:
    """Every row's accuracy and error rate, under every reading of "error rate".

    Notebook claims_dashboard, section "Checks".
    """
    out = []
    for t in (2, 3):
        for d in ("dfdc", "ciplab"):
            acc, err = f"A.table{t}.{d}.precision", f"A.table{t}.{d}.error_rate"
            spec = Spec(f"A.table{t}.{d}.pair", f"Table {t} {d}: precision (accuracy) and "
                        "error rate fit the paper's definitions", [(acc,), (err,)])
            for sc in scenarios("A.error_rate_meaning"):
                o, text = error_rate_outcome(v(claims, acc), v(claims, err), h(claims, acc) + h(claims, err), sc[0][1])
                out.append(result(spec, o, text, sc))
    model2 = {"dfdc": ((DFDC_ACC + ("A.conclusion.accuracy",)), DFDC_ERR + ("A.conclusion.error_rate",)),
              "ciplab": (("A.table4.ciplab.precision", "A.conclusion.accuracy"),
                         ("A.table4.ciplab.error_rate", "A.conclusion.error_rate"))}
    for d, (acc_ids, err_ids) in model2.items():
        spec = Spec(f"A.table4.{d}.pair", f"Table 4 {d} (Model2): precision (accuracy) and error "
                    "rate fit the paper's definitions", [acc_ids, err_ids], finding="A.table4.error_rate")
        acc, err = v(claims, acc_ids[0]), v(claims, err_ids[0])
        for sc in scenarios("A.error_rate_meaning"):
            o, text = error_rate_outcome(acc, err, h(claims, acc_ids[0]) + h(claims, err_ids[0]), sc[0][1])
            out.append(result(spec, o, text, sc))
    spec = Spec("A.abstract.error_rate_pair", "The abstract's precision and error rate fit the "
                "paper's definitions", [("A.abstract.precision",), DFDC_ERR],
                finding="A.table4.error_rate")
    for sc in scenarios("A.precision_meaning", "A.error_rate_meaning"):
        if sc[0][1] == "ppv":
            out.append(result(spec, HOLDS, "a precision does not fix the error rate", sc))
            continue
        o, text = error_rate_outcome(v(claims, "A.abstract.precision"), v(claims, "A.abstract.error_rate"),
                                     0.01, sc[1][1])
        out.append(result(spec, o, text, sc))
    table1 = [c for c in claims if c.startswith("A.table1.ref")]
    for name in ("amerini", "aneja", "delima", "dogonadze", "khan", "shad", "saikia"):
        acc, err = f"A.table5.{name}.accuracy", f"A.table5.{name}.error_rate"
        a, e = v(claims, acc), v(claims, err)
        o = judge(a + e, 100.0, 2, h(claims, acc) + h(claims, err))
        source = [c for c in table1 if abs(100 - v(claims, c) - e) < 1e-6] if o == FAILS else []
        spec = Spec(f"A.table5.{name}.pair", f"Table 5 {name}: accuracy + error rate = 100 % "
                    "(the only reading for a cited work)", [(acc,), (err,)])
        out.append(result(spec, o, f"{claims[acc].text} + {claims[err].text} = {a + e:.2f} vs 100"
                          + (f"; 100 - {claims[source[0]].text} ({source[0]}) = {e:g}: the error rate is "
                             "another row's complement" if source else "")))
    return out


def a_agreements(claims: Claims) -> list:
    """The same number stated in several places agrees.

    Notebook claims_dashboard, section "Checks".
    """
    out = []
    t1, t4c = "A.table1.proposed.dfdc_accuracy", "A.table1.proposed.ciplab_accuracy"
    # Read as an accuracy, the abstract's 98.21 % restates Table 1's: one number printed twice
    # against Table 4's 98.24 printed twice (Table 5), so neither side outweighs the other.
    restated = {"accuracy": (t1, "A.abstract.precision"), "ppv": (t1,)}
    for sc in scenarios("A.precision_meaning"):
        out.append(agree(Spec("A.table1_vs_table4.dfdc", "Table 1's DFDC accuracy of the proposed model is "
                              "Table 4's", [restated[sc[0][1]], DFDC_ACC], finding="A.model2.dfdc_accuracy"),
                         claims, t1, DFDC_ACC[0], sc))
    out.append(agree(Spec("A.table1_vs_table4.ciplab", "Table 1's Ciplab accuracy of the proposed model "
                          "is Table 4's", [(t4c,), ("A.table4.ciplab.precision",)],
                          finding="A.model2.ciplab_accuracy"), claims, t4c, "A.table4.ciplab.precision"))
    spec = Spec("A.abstract_vs_table4.precision", "The abstract's precision is Table 4's DFDC accuracy",
                [restated["accuracy"], DFDC_ACC], finding="A.model2.dfdc_accuracy")
    for sc in scenarios("A.precision_meaning"):
        if sc[0][1] == "ppv":
            out.append(result(spec, HOLDS, "a precision (TP / (TP + FP)) is not an accuracy: not compared", sc))
        else:
            r = agree(spec, claims, "A.abstract.precision", DFDC_ACC[0], sc)
            out.append(r)
    spec = Spec("A.abstract_vs_table1.precision", "The abstract's precision is Table 1's DFDC accuracy",
                [("A.abstract.precision",), (t1,)], confirms=False)
    for sc in scenarios("A.precision_meaning"):
        out.append(agree(spec, claims, "A.abstract.precision", t1, sc) if sc[0][1] == "accuracy" else
                   result(spec, HOLDS, "a precision is not an accuracy: not compared", sc))
    for q in ("accuracy", "error_rate"):
        t5, t4 = f"A.table5.proposed.{q}", f"A.table4.dfdc.{'precision' if q == 'accuracy' else q}"
        out.append(agree(Spec(f"A.table5_reprints_table4.{q}", f"Table 5's Model2 {q.replace('_', ' ')} "
                              "reprints Table 4's DFDC row", [(t5,), (t4,)], confirms=False), claims, t5, t4))
    out.append(agree(Spec("A.abstract_reprints_table4.error_rate", "The abstract's error rate is Table 4's "
                          "DFDC error rate", [("A.abstract.error_rate",), ("A.table4.dfdc.error_rate",)],
                          confirms=False), claims, "A.abstract.error_rate", "A.table4.dfdc.error_rate"))
    out += _a_conclusion(claims)
    for ref, t1ref in (("ref47.accuracy", "ref47.accuracy"), ("ref48.accuracy_mixed", "ref48.accuracy_mixed"),
                       ("ref49.accuracy", "ref49.accuracy"), ("ref50.accuracy", "ref50.accuracy"),
                       ("ref51.low_quality_detection", "ref51.accuracy_low_quality"),
                       ("ref52.vggface_accuracy", "ref52.vggface")):
        a, b = f"A.sec1.3.{ref}", f"A.table1.{t1ref}"
        out.append(agree(Spec(f"A.sec1.3_vs_table1.{ref.split('.')[0]}", f"Section 1.3 and Table 1 give "
                              f"[{ref[3:5]}] the same number", [(a,), (b,)]), claims, a, b))
    return out


def _a_conclusion(claims: Claims) -> list:
    """The conclusion's (DFDC, Ciplab) pairs, 'respectively', against Table 4 and Table 1."""
    conc = ("A.conclusion.accuracy", "A.conclusion.error_rate")
    t4 = ("A.table4.dfdc.precision", "A.table4.ciplab.precision", "A.table4.dfdc.error_rate",
          "A.table4.ciplab.error_rate", "A.table5.proposed.accuracy", "A.table5.proposed.error_rate")
    t1 = ("A.table1.proposed.dfdc_accuracy", "A.table1.proposed.ciplab_accuracy")
    acc = [float(x) for x in claims[conc[0]].value]
    err = [float(x) for x in claims[conc[1]].value]
    table = [v(claims, t4[0]), v(claims, t4[1])], [v(claims, t4[2]), v(claims, t4[3])]
    ok = acc == table[0] and err == table[1]
    swapped = acc == table[0][::-1] and err == table[1][::-1]
    out = [result(Spec("A.conclusion_vs_table4", "The conclusion's accuracy and error rate for (DFDC, "
                       "Ciplab), 'respectively', are Table 4's", [conc, t4], finding="A.conclusion.swap",
                       misprint="an ordering slip: each pair is printed (Ciplab, DFDC) after naming 'DFDC and "
                       "Ciplab', in the sentence before"),
                  ok, f"conclusion (DFDC, Ciplab): accuracy ({acc[0]:g}, {acc[1]:g}), error rate ({err[0]:g}, "
                  f"{err[1]:g}) vs Table 4 ({table[0][0]:g}, {table[0][1]:g}), ({table[1][0]:g}, {table[1][1]:g})"
                  + (" -> same numbers, datasets swapped" if swapped else ""))]
    first = v(claims, t1[0]) > v(claims, t1[1])
    out.append(result(Spec("A.conclusion_order_vs_table1", "The conclusion ranks DFDC and Ciplab as "
                           "Table 1 does", [conc, t1], finding="A.conclusion.swap"),
                      (acc[0] > acc[1]) == first, f"conclusion DFDC {acc[0]:g} vs Ciplab {acc[1]:g}; Table 1 "
                      f"DFDC {v(claims, t1[0]):g} vs Ciplab {v(claims, t1[1]):g}"))
    out.append(result(Spec("A.table4_order_vs_table1", "Table 4 ranks DFDC and Ciplab as Table 1 does",
                           [t4[:2], t1], confirms=("A.conclusion.swap",)),
                      (table[0][0] > table[0][1]) == first, f"Table 4 DFDC {table[0][0]:g} vs Ciplab "
                      f"{table[0][1]:g}; Table 1 DFDC {v(claims, t1[0]):g} vs Ciplab {v(claims, t1[1]):g}"))
    return out


def a_table5_vs_table1(claims: Claims) -> list:
    """Each related work's accuracy in Table 5 is one of the numbers Table 1 gives for it.

    Notebook claims_dashboard, section "Checks".
    """
    pairs = {"amerini": ["A.table1.ref47.accuracy"],
             "aneja": ["A.table1.ref48.accuracy_custom_test", "A.table1.ref48.accuracy_mixed"],
             "delima": ["A.table1.ref49.accuracy"], "dogonadze": ["A.table1.ref50.accuracy"],
             "khan": ["A.table1.ref51.accuracy", "A.table1.ref51.accuracy_low_quality"],
             "shad": [i for i in claims if i.startswith("A.table1.ref52.")],
             "saikia": [i for i in claims if i.startswith("A.table1.ref53.")]}
    out = []
    for name, ids in pairs.items():
        t5 = f"A.table5.{name}.accuracy"
        hits = sorted((i for i in ids if abs(v(claims, i) - v(claims, t5)) <= h(claims, i) + h(claims, t5)),
                      key=lambda i: abs(v(claims, i) - v(claims, t5)))
        spec = Spec(f"A.table5_vs_table1.{name}", f"Table 5's accuracy of {name} is one Table 1 gives",
                    [(t5,), tuple(ids)])
        out.append(result(spec, bool(hits), f"Table 5 {claims[t5].text} vs Table 1 "
                          f"{{{', '.join(claims[i].text for i in ids)}}}"
                          + (f" -> matches {hits[0]} ({claims[hits[0]].text}"
                             + (", exactly" if v(claims, hits[0]) == v(claims, t5) else ", within rounding")
                             + (f"; Table 1 gives {len(ids)} numbers for this work" if len(ids) > 1 else "") + ")"
                             if hits else " -> no match")))
    return out


def a_rankings(claims: Claims) -> list:
    """Model2 > model1 > model0 (Tables 2-4); Table 5's comparison across datasets.

    Notebook claims_dashboard, section "Checks".
    """
    parts, ok, ids = [], True, []
    for d in ("dfdc", "ciplab"):
        vals = [v(claims, f"A.table{t}.{d}.precision") for t in (2, 3, 4)]
        ids += [f"A.table{t}.{d}.precision" for t in (2, 3, 4)]
        ok &= vals[2] > vals[1] > vals[0]
        parts.append(f"{d}: model2 {vals[2]} > model1 {vals[1]} > model0 {vals[0]}")
    out = [result(Spec("A.model_ranking", "Model2 outperforms model1, which outperforms model0 (Tables 2-4)",
                       [("A.sec4.5.model2_best",)], context=ids, confirms=False), ok, "; ".join(parts))]
    others = [i for i in claims if i.startswith("A.table5.") and i.endswith(".accuracy") and "proposed" not in i]
    best = max(others, key=lambda i: v(claims, i))
    out.append(result(Spec("A.table5.proposed_best", "Model2 has the highest accuracy in Table 5",
                           [("A.table5.proposed_best",)], context=["A.table5.proposed.accuracy", *others],
                           confirms=False), v(claims, "A.table5.proposed.accuracy") > v(claims, best),
                      f"Model2 {v(claims, 'A.table5.proposed.accuracy')} vs best other {v(claims, best)} ({best})"))
    works = {"amerini": "ref47", "aneja": "ref48", "delima": "ref49", "dogonadze": "ref50", "khan": "ref51",
             "shad": "ref52", "saikia": "ref53"}
    sets = {n: sorted({claims[i].dataset for i in claims if i.startswith(f"A.table1.{r}.")}) for n, r in works.items()}
    other = {n: s for n, s in sets.items() if not any("DFDC" in x for x in s) or n == "saikia"}
    out.append(result(Spec("A.table5.comparison_datasets", "Table 5 compares Model2 with works measured on "
                           "the same dataset", [("A.table5.proposed_best",)], context=[f"A.table5.{n}.accuracy" for n in works], concern=True, confirms=False),
                      not other, "; ".join(f"{n}: {', '.join(s)}" for n, s in other.items())
                      + " vs Model2 on DFDC (Table 4) -> a ranking across datasets"
                      + (f"; Saikia's 91.21 is [53]'s FF++ number, its DFDC number is "
                         f"{v(claims, 'A.table1.ref53.dfdc_30_frames'):g}" if "saikia" in other else "")))
    return out


def a_datasets(claims: Claims) -> list:
    """Can each dataset supply 19,148 real and 19,148 fake images (section 3.4)?

    Notebook claims_dashboard, section "Checks".
    """
    real, fake = v(claims, "A.sec3.4.num_real_images"), v(claims, "A.sec3.4.num_fake_images")
    need = ("A.sec3.4.num_real_images", "A.sec3.4.num_fake_images")
    out = []
    for d, name in (("dfdc", "DFDC"), ("ciplab", "Ciplab")):
        n = v(claims, f"A.sec3.3.{d}.num_images")
        rs, fs = v(claims, f"A.sec3.3.{d}.real_share"), v(claims, f"A.sec3.3.{d}.fake_share")
        total_ok = n >= real + fake
        shares_ok = n * (rs + 0.5) / 100 >= real and n * (fs + 0.5) / 100 >= fake
        culprits = [(f"A.sec3.3.{d}.num_images",), need[:1], need[1:]]
        context = [f"A.sec3.3.{d}.real_share", f"A.sec3.3.{d}.fake_share"]
        if total_ok and not shares_ok:
            culprits += [(context[0],), (context[1],)]
        spec = Spec(f"A.dataset.{d}_supplies_balanced_set", f"{name} holds 19,148 real and 19,148 fake "
                    "images", culprits, context=context, finding="A.dataset.balanced_set")
        text = (f"{real:,.0f} + {fake:,.0f} = {real + fake:,.0f} images needed vs {n:,.0f} in {name}"
                + ("" if not total_ok else f"; real at most {n * (rs + 0.5) / 100:,.0f} ({rs + 0.5:g}%), fake "
                   f"at most {n * (fs + 0.5) / 100:,.0f}"))
        for sc in scenarios("A.balanced_set_source"):
            applies = sc[0][1] == "each_dataset" or (sc[0][1] == "dfdc_only" and d == "dfdc")
            out.append(result(spec, total_ok and shares_ok if applies else True,
                              text if applies else f"{text} (not required under {sc[0][1]})", sc))
    return out


def lstm_params(d: int, u: int) -> int:
    """Weights and biases of an LSTM with input size ``d`` and ``u`` units, ``4 (d u + u^2 + u)``.

    Notebook claims_dashboard, section "Checks".
    """
    return 4 * (d * u + u * u + u)


def paper_a_cnn_params(image: int = 128, channels: int = 3, sizes=(1, 3, 3, 6, 9),
                       filters=(16, 32, 32, 64, 128), convs_per_block: int = 3,
                       dense: int = 32, lstm: str = "none") -> tuple[int, list[str]]:
    """Parameter count of paper A's model as section 3 describes it: five blocks of
    ``convs_per_block`` same-padded convolutions (size ``s``, ``n`` filters), a 2x2 max pool
    after every block but the first, Flatten, Dense(32), Dense(1); ``lstm`` adds one reading
    of "The LSTM model is employed subsequent to each layer": ``"none"``, ``"after_block"``
    (an LSTM of ``n`` units per block) or ``"after_layer"`` (one per convolution).
    Returns the total and one line of arithmetic per layer group.

    Notebook claims_dashboard, section "Checks" (notebook A2 counts the Keras models).
    """
    total, lines, c, side = 0, [], channels, image
    for b, (k, n) in enumerate(zip(sizes, filters)):
        first, one = k * k * c * n + n, k * k * n * n + n
        extra = {"none": 0, "after_block": lstm_params(n, n),
                 "after_layer": convs_per_block * lstm_params(n, n)}[lstm]
        total += first + one * (convs_per_block - 1) + extra
        lines.append(f"block {b + 1} ({k}x{k}, {n}): {first:,} + {convs_per_block - 1} x {one:,}"
                     + (f" + LSTM {extra:,}" if extra else ""))
        c, side = n, side // 2 if b > 0 else side
    d1, d2 = side * side * c * dense + dense, dense + 1
    lines.append(f"flatten {side}x{side}x{c}; dense {dense}: {d1:,}; dense 1: {d2}")
    return total + d1 + d2, lines


def a_parameter_count(claims: Claims) -> list:
    """Section 3's model against "4.7 million parameters" at both image sizes the paper gives.

    The paper sizes the CNN (blocks, filters, kernels, dense layers) but no LSTM: not its width,
    its input, nor how a feature map becomes a sequence (reading ``A.lstm_width``). "The LSTM
    model is employed subsequent to each layer of the CNN" rules out a model without one, and
    an LSTM of any width adds parameters, so the CNN's count is a lower bound, the only
    statement the paper's numbers support: it fails if the CNN alone exceeds 4.7 M.

    Notebook claims_dashboard, section "Checks" (notebook A2 counts the Keras models under
    the book's own LSTM widths).
    """
    arch = dict(sizes=tuple(claims["A.sec3.filter_sizes"].value), filters=tuple(claims["A.sec3.num_filters"].value),
                convs_per_block=int(claims["A.sec3.conv_layers_per_block"].value),
                dense=int(claims["A.sec3.dense_units"].value[0]))
    claimed, tol = v(claims, "A.sec3.num_parameters") * 1e6, 0.05e6
    spec = Spec("A.architecture.parameter_count", "The model of section 3 can have 4.7 million parameters: its "
                "CNN has no more", [("A.sec3.num_parameters",)],
                premises=["A.sec3.num_blocks", "A.sec3.filter_sizes", "A.sec3.num_filters",
                          "A.sec3.conv_layers_per_block", "A.sec3.dense_units", "A.sec3.4.image_size",
                          "A.sec3.3.dfdc.image_size"], confirms=False)
    out = []
    for sc in scenarios("A.image_size"):
        n, lines = paper_a_cnn_params(image=int(sc[0][1]), **arch)
        ok = n <= claimed + tol
        out.append(result(spec, ok, "; ".join(lines) + f"; CNN {n:,} = {n / 1e6:.2f} M; the LSTMs, whose width the "
                          f"paper does not give, add the rest: {'4.7 M is reachable' if ok else 'already above 4.7 M'} "
                          "(no width is assumed)", sc))
    return out


def a_settings(claims: Claims) -> list:
    """The learning-rate schedule, equation (3)'s indices and equation (10)'s sum.

    Notebook claims_dashboard, section "Checks".
    """
    lo, hi = v(claims, "A.sec3.4.lr_min"), v(claims, "A.sec3.4.lr_initial")
    out = [result(Spec("A.sec3.4.lr_min_below_initial", "The learning rate, divided by 10 on plateaus, "
                       "stops at a minimum below its start", [("A.sec3.4.lr_min",)],
                       premises=["A.sec3.4.lr_initial", "A.sec3.4.lr_factor"],
                       misprint="the minimum's exponent lost its minus sign: 106 for 10^-6 (the same sentence "
                       "prints the start as 10−4, minus kept), the value a division by 10 reaches"), lo < hi,
                  f"minimum as printed {claims['A.sec3.4.lr_min'].text} = {lo:g} vs initial {hi:g}"
                  + ("" if lo < hi else "; dividing by 10 never reaches it (10^-6 with a lost minus would be)"))]
    eq3 = claims["A.eq3.conv_as_printed"].value
    idx = re.findall(r"I\s+(\w)\s*\+\s*n\s*[−-]\s*2\s*,\s*(\w)\s*\+\s*m", eq3)
    lhs = re.search(r"I\s+(\w)\s*,\s*(\w)\s*=", eq3)
    ok = bool(idx and lhs) and idx[0][1] == lhs.group(2)
    out.append(result(Spec("A.eq3.indices", "Equation (3)'s output at (i, j) reads the image at offsets of "
                           "(i, j)", [("A.eq3.conv_as_printed",)],
                           misprint="i printed for j in the image's second index: I[i + n - 2, j + m - 2, c]"), ok,
                      f"left side indices ({lhs.group(1)}, {lhs.group(2)}); image indices on the right "
                      f"({idx[0][0]} + n - 2, {idx[0][1]} + m - 2)" + ("" if ok else f" -> the right side has no "
                      f"{lhs.group(2)}: the output cannot depend on it") if idx and lhs else "formula not parsed"))
    summed = sorted(set(re.findall(r"∑\s*(\w)\s*=", eq3)) - {"c"})
    named = sorted(re.findall(r"\b(\w) and (\w) iterate", claims["A.eq3.iterators_text"].quote)[0])
    out.append(result(Spec("A.eq3.iterator_names", "The text names equation (3)'s filter indices as the equation "
                           "does", [("A.eq3.conv_as_printed",), ("A.eq3.iterators_text",)],
                           misprint="the text says x and y where the equation sums over n and m"),
                      summed == named, f"equation (3) sums the filter over {', '.join(summed)}; the text: "
                      f"'{claims['A.eq3.iterators_text'].text} iterate over the spatial dimensions of the filter'"))
    y, y_hat = 0, 0.99
    single, bce = abs(y * math.log(y_hat)), -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
    two = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))  # sum over (y, 1 - y)
    spec = Spec("A.eq10.binary_cross_entropy", "Equation (10) is the binary cross-entropy of the single "
                "sigmoid output", [("A.eq10.loss_as_printed",)],
                premises=["A.sec3.dense_units", "A.sec3.4.loss"])
    for sc in scenarios("A.eq10_sum"):
        if sc[0][1] == "single_output":
            out.append(result(spec, abs(single - bce) < 1e-9, f"one output: -y log(y_hat) = {single:g} for a "
                              f"real image (y = 0) predicted fake (y_hat = {y_hat}); binary cross-entropy "
                              f"{bce:.2f}", sc))
        else:
            out.append(result(spec, abs(two - bce) < 1e-9, "two classes, y_2 = 1 - y, y_hat_2 = 1 - y_hat: "
                              f"(10) = -[y log y_hat + (1 - y) log(1 - y_hat)] = {two:.2f}, binary cross-entropy "
                              f"{bce:.2f}", sc))
    return out


def a_table5_error_column(claims: Claims) -> list:
    """Table 5's error-rate column as a basis for "Model2 yields superior results", under every
    reading of "error rate" (a concern: a comparison of unlike quantities).

    Notebook claims_dashboard, section "Checks".
    """
    works = [i for i in claims if i.startswith("A.table5.") and i.endswith(".error_rate") and "proposed" not in i]
    acc, err = v(claims, "A.table5.proposed.accuracy"), v(claims, "A.table5.proposed.error_rate")
    spec = Spec("A.table5.error_rate_column", "Table 5's error rates are one quantity, so Model2's lowest one "
                "ranks it", [("A.table5.proposed_best",)], context=["A.table5.proposed.error_rate", *works],
                concern=True, confirms=False)
    complements = [i for i in works if judge(v(claims, i) + v(claims, i.replace("error_rate", "accuracy")), 100.0, 2,
                                             h(claims, i) + h(claims, i.replace("error_rate", "accuracy"))) != FAILS]
    own = judge(acc + err, 100.0, 2, h(claims, "A.table5.proposed.accuracy") + h(claims, "A.table5.proposed.error_rate"))
    out = []
    for sc in scenarios("A.error_rate_meaning"):
        if sc[0][1] == "complement":
            ok = own != FAILS
            text = (f"as 100 % - accuracy, Model2's would be {100 - acc:.2f}, not the printed {err:g} (finding "
                    "A.table4.error_rate): the column's lowest value is not of the kind of the others" if not ok else
                    f"Model2's {err:g} is 100 % - {acc:g}, as the others")
        else:
            ok = not complements
            text = (f"Model2's {err:g} is a loss ({sc[0][1]}); {len(complements)} of the {len(works)} cited works' error "
                    "rates are 100 % - their accuracy (Amerini's is finding A.table5.amerini.pair): a loss ranked "
                    "against complements")
        out.append(result(spec, ok, text, sc))
    return out


def a_text_vs_caption(claims: Claims) -> list:
    """Section 1 and Figure 1's caption date the Zuckerberg video.

    Notebook claims_dashboard, section "Checks".
    """
    a, b = "A.sec1.zuckerberg_month", "A.fig1.zuckerberg_month"
    return [result(Spec("A.fig1_vs_text.zuckerberg_month", "Figure 1's caption and section 1 give the Zuckerberg "
                        "video the same month", [(a,), (b,)]), claims[a].value == claims[b].value,
                   f"section 1 '{claims[a].text}' vs Figure 1 '{claims[b].text}'")]


CHECKS = (a_error_rates, a_agreements, a_table5_vs_table1, a_rankings, a_datasets, a_parameter_count,
          a_settings, a_table5_error_column, a_text_vs_caption)
