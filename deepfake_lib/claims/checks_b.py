r"""Checks of paper B (CNN-RNN tuned by PSO): what its own numbers imply about each other.

- Tables 2-3: the quoted means and ranges; each run's accuracy is the prevalence-weighted
  mean of its sensitivity and specificity, so it implies a share of fakes
  :math:`\pi = (a - s_p)/(s - s_p)`, which must be one share if the five runs share a test
  set (reading ``B.five_runs_test_set``), and an F1 (:mod:`deepfake_lib.claims.identities`);
- the related works of section 2 against Tables 1 and 4; section 5.2's comparisons in words;
- the PSO coefficients against the convergence regions of the inertia form and of the
  constriction form (reading ``B.pso_form``): a concern, since the paper claims no convergence;
  what PSO tunes, and SMOTE in the testing phase (concerns);
- section 4.2.5's own definitions of precision and recall against the F1 columns; Table 1's
  reference numbers against the reference list; DFDC's access.

Notebook ``claims_dashboard``, section "Checks".
"""

from __future__ import annotations

import itertools
import math

from . import identities as I
from .checks import FAILS, HOLDS, CheckResult, Claims, Spec, agree, h, judge, overlaps, result, scenarios, v

TABLES = {"2": ("celebdf", "Celeb-DF"), "3": ("dfdc", "DFDC")}
METRICS = ("accuracy", "sensitivity", "specificity", "f1")
WORKS = ("wodajo", "tran", "ismail", "mitra", "ge", "liu", "heo")


def rows(t: str) -> list[dict[str, str]]:
    """Ledger ids of Table ``t``'s five runs, one dict per run.

    Notebook claims_dashboard, section "Checks".
    """
    slug = TABLES[t][0]
    return [{m: f"B.table{t}.{slug}.run{r}.{m}" for m in METRICS} for r in range(1, 6)]


def reprint(name: str) -> tuple[str, str]:
    """A related work's Table 1 row with its verbatim reprint in Table 4 (one hypothesis).

    Notebook claims_dashboard, section "Checks".
    """
    return (f"B.table1.{name}.accuracy", f"B.table4.{name}.accuracy")


def mean_group(slug: str) -> tuple[str, ...]:
    """The quoted average accuracy of one dataset and its restatements (one hypothesis).

    Notebook claims_dashboard, section "Checks".
    """
    return (f"B.sec5.{slug}.accuracy_mean", f"B.abstract.{slug}.accuracy", f"B.conclusion.{slug}.accuracy",
            f"B.table4.proposed.{slug}.accuracy")


def b_means_and_ranges(claims: Claims) -> list:
    """Tables 2-3: the mean accuracy and the min-max ranges quoted in the text.

    Notebook claims_dashboard, section "Checks".
    """
    out = []
    for t, (slug, name) in TABLES.items():
        rr = rows(t)
        accs = [v(claims, r["accuracy"]) for r in rr]
        mean, q = sum(accs) / 5, mean_group(slug)
        for other in q[1:]:
            out.append(agree(Spec(f"B.{slug}.mean_restated.{other.split('.')[1]}", f"{name}: the average "
                                  "accuracy is restated unchanged", [(q[0],), (other,)], confirms=False),
                             claims, q[0], other))
        out.append(result(Spec(f"B.table{t}.mean_accuracy", f"{name}: the quoted average accuracy is the mean "
                               "of the five runs", [q, *((r["accuracy"],) for r in rr)]),
                          judge(mean, v(claims, q[0]), 2, h(claims, q[0]) + 0.005),
                          f"({' + '.join(f'{a:.2f}' for a in accs)}) / 5 = {mean:.3f} vs {claims[q[0]].text}"))
        for m in METRICS:
            vals = [v(claims, r[m]) for r in rr]
            rid = f"B.sec5.{slug}.{m}_range"
            lo, hi = (float(x) for x in claims[rid].value)
            ends = [r[m] for r, x in zip(rr, vals) if x in (min(vals), max(vals))]
            out.append(result(Spec(f"B.table{t}.{m}_range", f"{name}: the text's {m} range is the min and max "
                                   f"of Table {t}", [(rid,), *((e,) for e in ends)], context=[r[m] for r in rr]),
                              abs(lo - min(vals)) < 1e-9 and abs(hi - max(vals)) < 1e-9,
                              f"Table {t} {m}: min {min(vals):.2f}, max {max(vals):.2f} vs text {lo:g} to {hi:g}"))
    return out


def b_runs(claims: Claims) -> list:
    """Implied share of fakes per run, one test set for five runs, the F1 each row implies.

    Notebook claims_dashboard, section "Checks".
    """
    out = []
    for t, (slug, name) in TABLES.items():
        rr, shares = rows(t), []
        for r, row in enumerate(rr, 1):
            a, s, p, f = (v(claims, row[m]) for m in METRICS)
            hh = h(claims, row["accuracy"])
            shares.append(I.prevalence_interval(a, s, p, hh))
            triple = [(row[m],) for m in METRICS[:3]]
            lo, hi = shares[-1]
            out.append(result(Spec(f"B.table{t}.run{r}.share", f"{name} run {r}: accuracy lies between "
                                   "sensitivity and specificity", triple), lo <= 1 + 1e-9 and hi >= -1e-9,
                              f"pi = ({a:.2f} - {p:.2f}) / ({s:.2f} - {p:.2f}) in [{lo:.3f}, {hi:.3f}]"))
            f_lo, f_hi = I.f1_interval_from_rates(a, s, p, hh)
            ok = not math.isnan(f_lo) and overlaps((f_lo, f_hi), (f - hh, f + hh))
            out.append(result(Spec(f"B.table{t}.run{r}.f1", f"{name} run {r}: the F1 score follows from "
                                   "accuracy, sensitivity and specificity (recall = sensitivity, the usual "
                                   "definition; section 4.2.5 defines otherwise)", [(row["f1"],), *triple],
                                   finding=f"B.table{t}.run{r}.f1"), ok,
                              f"pi = {I.prevalence_from_accuracy(a, s, p):.3f}, precision = pi s / (pi s + "
                              f"(1 - pi)(1 - spec)), F1 = 2PR/(P+R) in [{f_lo:.2f}, {f_hi:.2f}] vs {f:.2f}"
                              + (f"; the printed F1 is the row's {next(m for m in METRICS[:3] if v(claims, row[m]) == f)}"
                                 if not ok and f in (a, s, p) else "")))
        for r, row in enumerate(rr, 1):
            se, sp, f = (v(claims, row[m]) for m in ("sensitivity", "specificity", "f1"))
            hh = h(claims, row["f1"])
            lo, hi = I.box_range(I.f1_from, (se, sp), (hh, hh))
            out.append(result(Spec(f"B.table{t}.run{r}.f1_section_4_2_5", f"{name} run {r}: the F1 score is the harmonic "
                                   "mean of precision and recall as section 4.2.5 defines them",
                                   [("B.sec4.2.5.metric_definitions",), (row["f1"],)],
                                   context=[row["sensitivity"], row["specificity"]],
                                   finding="B.sec4.2.5.metric_definitions"),
                              overlaps((lo, hi), (f - hh, f + hh)),
                              f"precision = share of fakes classified correctly = sensitivity {se:.2f}, recall = share of "
                              f"reals = specificity {sp:.2f}: F1 = 2 x {se:.2f} x {sp:.2f} / ({se:.2f} + {sp:.2f}) in "
                              f"[{lo:.2f}, {hi:.2f}] vs {f:.2f}"))
        spec_name = f"B.table{t}.common_test_set"
        disjoint = [(i, j) for i, j in itertools.combinations(range(5), 2) if not overlaps(shares[i], shares[j])]
        for sc in scenarios("B.five_runs_test_set"):
            if sc[0][1] == "own_test_sets" or not disjoint:
                lo, hi = max(s[0] for s in shares), min(s[1] for s in shares)
                out.append(result(Spec(spec_name, f"{name}: the five runs fit their test sets",
                                       [(r[m],) for r in rr for m in METRICS[:3]], confirms=False),
                                  HOLDS, "each run on its own split: no common share needed" if disjoint else
                                  f"one share fits every run: [{lo:.3f}, {hi:.3f}]", sc))
                continue
            for i, j in disjoint:
                spec = Spec(f"{spec_name}.run{i + 1}_run{j + 1}", f"{name}: runs {i + 1} and {j + 1} fit one "
                            "test set (one share of fakes)", [(rr[k][m],) for k in (i, j) for m in METRICS[:3]],
                            finding=spec_name)
                out.append(result(spec, FAILS, f"run {i + 1} pi in [{shares[i][0]:.3f}, {shares[i][1]:.3f}], run "
                                  f"{j + 1} in [{shares[j][0]:.3f}, {shares[j][1]:.3f}]: disjoint", sc))
    return out


def b_related_work(claims: Claims) -> list:
    """Section 2's numbers: identities, and Table 1 (reprinted in Table 4) against them.

    Notebook claims_dashboard, section "Checks".
    """
    out = []
    p, r, f = (v(claims, f"B.sec2.ref17.{m}") for m in ("precision", "recall", "f1"))
    ids17 = [(f"B.sec2.ref17.{m}",) for m in ("precision", "recall", "f1")]
    out.append(result(Spec("B.sec2.ref17.f1_identity", "[17]: F1 = 2PR/(P+R)", ids17),
                      judge(I.f1_from(p, r), f, 2, 0.01), f"2 x {p} x {r} / ({p} + {r}) = {I.f1_from(p, r):.3f} vs {f}"))
    out.append(agree(Spec("B.sec2.ref17.recall_is_sensitivity", "[17]: recall equals sensitivity",
                          [("B.sec2.ref17.recall",), ("B.sec2.ref17.sensitivity",)]),
                     claims, "B.sec2.ref17.recall", "B.sec2.ref17.sensitivity"))
    a, s, sp = (v(claims, f"B.sec2.ref17.{m}") for m in ("accuracy", "sensitivity", "specificity"))
    prec = lambda a_, s_, p_: 100 * I.precision_from_rates(I.prevalence_from_accuracy(a_, s_, p_), s_, p_, 100)
    lo, hi = I.box_range(prec, (a, s, sp), (0.005,) * 3)
    out.append(result(Spec("B.sec2.ref17.precision_implied", "[17]: precision follows from accuracy, "
                           "sensitivity and specificity",
                           [(f"B.sec2.ref17.{m}",) for m in ("accuracy", "sensitivity", "specificity", "precision")]),
                      overlaps((lo, hi), (p - 0.005, p + 0.005)),
                      f"pi = ({a} - {sp}) / ({s} - {sp}) = {I.prevalence_from_accuracy(a, s, sp):.3f}; precision "
                      f"in [{lo:.2f}, {hi:.2f}] vs {p}"))
    p, r, f = (v(claims, f"B.sec2.ref20.{m}") for m in ("precision", "recall", "f1"))
    out.append(result(Spec("B.sec2.ref20.f1_identity", "[20]: F1 = 2PR/(P+R)",
                           [(f"B.sec2.ref20.{m}",) for m in ("precision", "recall", "f1")]),
                      judge(I.f1_from(p, r), f, 1, 0.1), f"2 x {p} x {r} / ({p} + {r}) = {I.f1_from(p, r):.2f} vs {f}"))
    for n in WORKS:
        t1, t4 = reprint(n)
        out.append(agree(Spec(f"B.table4_reprints_table1.{n}", f"Table 4 reprints Table 1's row of {n}",
                              [(t1,), (t4,)], confirms=False), claims, t1, t4))
    pct = lambda i: v(claims, i) * 100 if v(claims, i) <= 1 else v(claims, i)
    out.append(agree(Spec("B.table1_vs_text.wodajo", "Table 1's accuracy of [15] is section 2's",
                          [reprint("wodajo"), ("B.sec2.ref15.accuracy",)]), claims, "B.table1.wodajo.accuracy",
                     "B.sec2.ref15.accuracy"))
    t1 = "B.table1.ismail.accuracy"
    ok, auc = abs(v(claims, t1) - v(claims, "B.sec2.ref17.accuracy")) < 0.01, "B.sec2.ref17.auc"
    out.append(result(Spec("B.table1_vs_text.ismail", "Table 1's accuracy of [17] is the accuracy section 2 "
                           "reports", [reprint("ismail"), ("B.sec2.ref17.accuracy",)], context=[auc]), ok,
                      f"Table 1 {claims[t1].text} vs section 2 accuracy {claims['B.sec2.ref17.accuracy'].text} on "
                      f"{claims['B.sec2.ref17.accuracy'].dataset}"
                      + (f"; Table 1's number is section 2's AUC ({claims[auc].text})" if v(claims, auc) == v(claims, t1) else "")))
    t1, ff, comb = "B.table1.mitra.accuracy", "B.sec2.ref21.accuracy_ff", "B.sec2.ref21.accuracy_combined"
    out.append(result(Spec("B.table1_vs_text.mitra", f"Table 1's accuracy of [21] on {claims[t1].dataset} is "
                           "section 2's", [reprint("mitra"), (ff, comb)]), abs(v(claims, ff) - v(claims, t1)) < 0.01,
                      f"Table 1 {claims[t1].text} on {claims[t1].dataset} vs section 2 {claims[ff].text} on "
                      f"{claims[ff].dataset} and {claims[comb].text} on {claims[comb].dataset}"
                      + ("; Table 1 pairs one dataset with the other's number (or the text swapped them)"
                         if v(claims, comb) == v(claims, t1) else "")))
    sources = {"tran": ["B.sec2.ref16.auc", "B.sec2.ref16.f1"], "ge": ["B.sec2.ref22.auc_ff"],
               "liu": ["B.sec2.ref23.result"], "heo": ["B.sec2.ref24.f1", "B.sec2.ref24.accuracy"]}
    for n, ids in sources.items():
        t1 = f"B.table1.{n}.accuracy"
        same = [i for i in ids if claims[i].dataset.split()[0] in claims[t1].dataset and "accuracy" in i]
        metric = [i for i in ids if not isinstance(claims[i].value, str)
                  and abs(pct(i) - v(claims, t1)) <= 0.05 + h(claims, t1)]
        out.append(result(Spec(f"B.table1_source.{n}", f"Table 1's accuracy of {n} has a source in section 2",
                               [reprint(n)], context=ids, concern=True, confirms=False), bool(same),
                          f"Table 1 {claims[t1].text} on {claims[t1].dataset}; section 2 gives "
                          + ", ".join(f"{i.rsplit('.', 1)[1]} '{claims[i].text}' on {claims[i].dataset}" for i in ids)
                          + (f" -> Table 1's number is the {metric[0].rsplit('.', 1)[1]}" if metric else "")))
    algo = ("B.table1.mitra.algorithm", "B.table4.mitra.algorithm")
    out.append(agree_text(Spec("B.table1_vs_text.mitra_algorithm", "Table 1's algorithm of [21] is the one section 2 "
                               "describes", [algo, ("B.sec2.ref21.backbone",)]), claims, algo[0], "B.sec2.ref21.backbone",
                          lambda a, b: b.lower() in a.lower()))
    out += _b_citations(claims)
    return out


def agree_text(spec: Spec, claims: Claims, a: str, b: str, same) -> CheckResult:
    """Two worded statements of one thing agree by ``same(value_a, value_b)``.

    Notebook claims_dashboard, section "Checks".
    """
    ok = same(str(claims[a].value), str(claims[b].value))
    return result(spec, ok, f"'{claims[a].text}' ({a}) vs '{claims[b].text}' ({b})" + ("" if ok else " -> differ"))


def _b_citations(claims: Claims) -> list:
    """Table 1's reference numbers against the reference list (reprinted in Table 4).

    A citation number means the reference-list entry of that number, and the list's entries are
    the works section 2 describes by number ([15] the convolutional vision transformer of
    Wodajo et al., [17] YOLO-CNN-XGBoost, ...), so the list is a premise here, not a culprit.
    """
    refs = dict((int(n), a) for n, a in (x.split() for x in claims["B.references.first_authors"].value.split("; ")))
    cited = [(a, int(n)) for a, n in (x.split() for x in claims["B.table1.citations"].value.split("; "))]
    wrong = [(a, n) for a, n in cited if refs.get(n, "").lower() != a.lower()]
    where = {a: sorted(k for k, x in refs.items() if x.lower() == a.lower()) for a, _ in cited}
    text = "; ".join(f"{a} [{n}] is {refs.get(n, '?')}, {a} is [{', '.join(map(str, where[a]))}]" for a, n in wrong)
    shifts = sorted({n - max((k for k in where[a] if k < n), default=n) for a, n in wrong})
    out = [result(Spec("B.table1.citations", "Table 1's reference numbers point to the works it names",
                       [("B.table1.citations", "B.table4.citations")], premises=["B.references.first_authors"]),
                  not wrong, (text + f" -> each number is {' or '.join(map(str, shifts))} above a reference of "
                              "the named author" if wrong
                              else "every number names its author"))]
    out.append(agree_text(Spec("B.table4_reprints_table1.citations", "Table 4 reprints Table 1's reference numbers",
                               [("B.table1.citations",), ("B.table4.citations",)], confirms=False),
                          claims, "B.table1.citations", "B.table4.citations", lambda a, b: a == b))
    return out


def b_statements(claims: Claims) -> list:
    """Section 5.2's comparisons in words against Table 4 and against each other.

    Notebook claims_dashboard, section "Checks".
    """
    t4 = {n: v(claims, f"B.table4.{n}.accuracy") for n in WORKS}
    ds = {n: claims[f"B.table4.{n}.accuracy"].dataset for n in WORKS}
    celeb, dfdc = v(claims, "B.table4.proposed.celebdf.accuracy"), v(claims, "B.table4.proposed.dfdc.accuracy")
    out = [result(Spec("B.sec5.2.celebdf_beats_table4", "The Celeb-DF accuracy beats every method of Table 4",
                       [("B.sec5.2.celebdf_beats_table4",)], context=[*mean_group("celebdf"),
                       *(f"B.table4.{n}.accuracy" for n in WORKS)], confirms=False),
                  all(celeb > x for x in t4.values()), f"{celeb} vs max {max(t4.values())} ({max(t4, key=t4.get)})")]
    ge_heo = ("B.sec5.2.ge_heo_beat_celebdf", "B.conclusion.ge_heo_above")  # the conclusion restates it
    out.append(result(Spec("B.sec5.2.ge_heo_above", "Ge and Heo are above the proposed Celeb-DF accuracy",
                           [ge_heo, reprint("ge") + reprint("heo"), mean_group("celebdf")],
                           finding="B.sec5.2.ge_heo"), t4["ge"] > celeb and t4["heo"] > celeb,
                      f"Ge {t4['ge']:g}, Heo {t4['heo']:g} vs proposed {celeb} (Table 4; section 2 gives Ge and Heo "
                      "no accuracy on these data, findings B.table1_source.ge and .heo, so Table 4's two numbers "
                      "are no firmer than the sentence)"))
    out.append(result(Spec("B.sec5.2.two_sentences", "'outperformed the other methods in Table 4' and 'Ge and "
                           "Heo achieved higher accuracy' can both hold", [ge_heo, ("B.sec5.2.celebdf_beats_table4",)],
                           finding="B.sec5.2.ge_heo"),
                      not all(f"B.table4.{n}.accuracy" in claims for n in ("ge", "heo")),
                      "Ge and Heo are methods of Table 4: beating every method of Table 4 and being beaten by two "
                      "of them exclude each other"))
    dfdc_rows = {n: x for n, x in t4.items() if ds[n] == "DFDC"}
    spec = Spec("B.sec5.2.dfdc_below", "The DFDC accuracy is lower than other methods in Table 4",
                [("B.sec5.2.dfdc_below_table4",), tuple(i for n in dfdc_rows for i in reprint(n)),
                 mean_group("dfdc")])
    for sc in scenarios("B.lower_than_scope"):
        if sc[0][1] == "every_dfdc_method":
            out.append(result(spec, all(dfdc < x for x in dfdc_rows.values()), "DFDC methods of Table 4: "
                              + ", ".join(f"{n} {x:g}" for n, x in dfdc_rows.items()) + f" vs proposed {dfdc}", sc))
        else:
            above = {n: x for n, x in t4.items() if x > dfdc}
            out.append(result(spec, bool(above), f"above {dfdc}: " + (", ".join(f"{n} {x:g} ({ds[n]})"
                              for n, x in above.items()) or "none"), sc))
    acc17 = v(claims, "B.sec2.ref17.accuracy")
    out.append(result(Spec("B.sec5.2.beats_wodajo_ismail", "The DFDC accuracy is above Wodajo's and Ismail's",
                           [("B.sec5.2.beats_wodajo_ismail",)], context=[*reprint("wodajo"), *reprint("ismail"),
                                                                          "B.sec2.ref17.accuracy"],
                           confirms=False), dfdc > t4["wodajo"] and dfdc > max(t4["ismail"], acc17),
                      f"{dfdc} vs Wodajo {t4['wodajo']:g}, Ismail {t4['ismail']:g} (Table 4; {acc17:g} is section 2's "
                      "accuracy of [17])"))
    off = {n: ds[n] for n in ("wodajo", "ismail") if ds[n] != "DFDC"}
    out.append(result(Spec("B.sec5.2.wodajo_ismail_datasets", "Section 5.2 ranks the DFDC accuracy against works "
                           "measured on DFDC", [("B.sec5.2.beats_wodajo_ismail",)],
                           context=[*reprint("wodajo"), *reprint("ismail")], concern=True, confirms=False),
                      not off, "; ".join(f"{n} on {d}" for n, d in off.items())
                      + " vs the proposed method on DFDC -> a ranking across datasets" if off else "all on DFDC"))
    named = claims["B.sec5.2.ismail_on_dfdc"]
    out.append(result(Spec("B.sec5.2.ismail_dataset", "Wodajo and Ismail worked on DFDC, as section 5.2 says",
                           [("B.sec5.2.ismail_on_dfdc", "B.conclusion.ismail_on_dfdc"), reprint("ismail")]),
                      all("DFDC" in claims[f"B.table1.{n}.accuracy"].dataset for n in ("wodajo", "ismail")),
                      f"'{named.text}' vs Table 1: Wodajo on {claims['B.table1.wodajo.accuracy'].dataset}, "
                      f"Ismail on {claims['B.table1.ismail.accuracy'].dataset}"))
    out.append(result(Spec("B.table1_vs_text.ismail_dataset", "Table 1 and section 2 give [17] the same dataset",
                           [reprint("ismail"), ("B.sec2.ref17.accuracy",)]),
                      claims["B.table1.ismail.accuracy"].dataset.split()[0] in claims["B.sec2.ref17.accuracy"].dataset,
                      f"Table 1 {claims['B.table1.ismail.accuracy'].dataset} vs section 2 "
                      f"{claims['B.sec2.ref17.accuracy'].dataset}"))
    other = sorted({d for d in ds.values() if d not in ("Celeb-DF", "DFDC")})
    same = [n for n in WORKS if ds[n] in ("Celeb-DF", "DFDC")]
    out.append(result(Spec("B.table4.comparison_datasets", "Table 4 and section 5.2 rank the proposed method "
                           "against works on the same datasets", [("B.sec5.2.celebdf_beats_table4",)],
                           context=[f"B.table4.{n}.accuracy" for n in WORKS], concern=True, confirms=False),
                      not other, f"Table 4's works are measured on {', '.join(other)}"
                      + (f" (only {', '.join(same)} on {', '.join(sorted({ds[n] for n in same}))})" if same else "")
                      + "; the proposed method on Celeb-DF and DFDC -> the Celeb-DF ranking compares across datasets"))
    dfdc_access = [claims[i].value for i in ("B.abstract.datasets_access", "B.sec4.1.dfdc.access")]
    out.append(result(Spec("B.dfdc.access", "DFDC is publicly available, as the abstract says and section 4.1 "
                           "describes", [("B.abstract.datasets_access",), ("B.sec4.1.dfdc.access",)]),
                      dfdc_access[0] == dfdc_access[1],
                      f"abstract: '{claims['B.abstract.datasets_access'].text}'; section 4.1: DFDC is "
                      f"'{claims['B.sec4.1.dfdc.access'].text}'"))
    return out


def pso_bounds(w: float) -> dict[str, float]:
    r"""Largest stable :math:`c_1 + c_2` at inertia ``w``: deterministic :math:`2(1+w)`, order
    1 :math:`4(1+w)`, order 2 :math:`24(1-w^2)/(7-5w)` (Poli 2009), as notebook B1, section
    "Stability", draws them. Notebook claims_dashboard, section "Checks"."""
    return {"deterministic": 2 * (1 + w), "order1": 4 * (1 + w), "order2": 24 * (1 - w * w) / (7 - 5 * w)}


def b_pso(claims: Claims) -> list:
    """c1 = c2 = 4 with no inertia stated, in the inertia and the constriction form.

    Notebook claims_dashboard, section "Checks".
    """
    c1, c2 = v(claims, "B.sec5.pso.c1"), v(claims, "B.sec5.pso.c2")
    phi, out = c1 + c2, []
    w_opt = (14 - math.sqrt(96)) / 10  # maximiser of the order-2 bound: 5w^2 - 14w + 5 = 0
    sup = {"deterministic": 4.0, "order1": 8.0, "order2": pso_bounds(w_opt)["order2"]}
    spec = Spec("B.pso.convergence", "c1 = c2 = 4 admit a swarm that converges", [("B.sec5.pso.c1", "B.sec5.pso.c2")],
                premises=["B.sec5.pso.swarm_size", "B.sec5.pso.iterations"], concern=True, confirms=False)
    for sc in scenarios("B.pso_form"):
        if sc[0][1] == "inertia":
            ok = any(phi < s for s in sup.values())
            out.append(result(spec, ok, f"inertia form, w not stated: c1 + c2 = {phi:g}; over |w| < 1 the stable sum "
                              f"stays below {sup['deterministic']:g} (deterministic), {sup['order1']:g} (order 1, reached "
                              f"only as w -> 1) and {sup['order2']:.3f} (order 2, at w = {w_opt:.2f})", sc))
        else:
            chi = 2 / abs(2 - phi - math.sqrt(phi * phi - 4 * phi)) if phi > 4 else math.nan
            b = pso_bounds(chi) if phi > 4 else {}
            ok = phi > 4 and chi * phi < b["order1"] and chi * phi < b["order2"]
            out.append(result(spec, ok, f"constriction form: phi = {phi:g}, chi = 2 / |2 - phi - sqrt(phi^2 - 4 phi)| = "
                              f"{chi:.4f}; effective w = {chi:.3f}, c1 + c2 = {chi * phi:.3f} vs order-1 bound "
                              f"{b.get('order1', math.nan):.2f}, order-2 bound {b.get('order2', math.nan):.2f}", sc))
    tuned = claims["B.sec5.3.pso_optimised"]
    fixed = {k: claims[f"B.sec5.cnn.{k}"].text for k in ("learning_rate", "batch_size")}
    named = [k for k in fixed if k.split("_")[0] in str(tuned.value)]
    out.append(result(Spec("B.pso.what_is_tuned", "One account of what PSO optimises", [("B.sec5.3.pso_optimised",)],
                           context=["B.sec5.cnn.learning_rate", "B.sec5.cnn.batch_size", "B.sec4.2.2.pso_tunes_hyperparameters"],
                           concern=True, confirms=False), not named,
                      f"section 5.3: PSO optimised '{tuned.text}'; section 5 lists, among 'the hyperparameters for "
                      f"optimization', fixed values learning rate {fixed['learning_rate']} and batch size "
                      f"{fixed['batch_size']}; section 4.2.2 lets PSO search L, N, A, R, M, B (layers, neurons, "
                      "activations), sections 4.2 and 5 have it initialise the weights and biases"))
    return out


def b_datasets(claims: Claims) -> list:
    """The DFDC download's parts; the implied test composition against the datasets.

    Notebook claims_dashboard, section "Checks".
    """
    n, each, total = (v(claims, f"B.sec4.1.dfdc.{k}") for k in ("num_files", "file_size_gb", "size_gb"))
    out = [result(Spec("B.sec4.1.dfdc_parts", "50 parts of about 10 GB make the 'over 470 GB' training set",
                       [("B.sec4.1.dfdc.num_files",), ("B.sec4.1.dfdc.file_size_gb",), ("B.sec4.1.dfdc.size_gb",)]),
                  abs(n * each - total) / total <= 0.10,
                  f"{n:g} x {each:g} GB = {n * each:g} GB vs {total:g} GB ({(n * each - total) / total:+.1%}; 'approximately')")]
    fake, real = v(claims, "B.sec4.1.celebdf.fake_videos"), v(claims, "B.sec4.1.celebdf.real_videos")
    share = fake / (fake + real)
    for t, (slug, name) in TABLES.items():
        runs = [I.prevalence_interval(*(v(claims, r[m]) for m in METRICS[:3]), 0.005) for r in rows(t)]
        off = [i + 1 for i, (lo, hi) in enumerate(runs) if not lo - 1e-3 <= 0.5 <= hi + 1e-3]
        common = max(lo for lo, _ in runs) <= min(hi for _, hi in runs)
        synthetic = "test" in str(claims["B.sec4.2.1.smote"].value)
        out.append(result(Spec(f"B.table{t}.test_composition", f"{name}: the test sets Table {t} was scored on are "
                               "real data, class-balanced the same way in every run",
                               [("B.sec4.2.1.smote",)], context=[r["accuracy"] for r in rows(t)]
                               + (["B.sec4.1.celebdf.fake_videos", "B.sec4.1.celebdf.real_videos"] if t == "2" else []),
                               concern=True, confirms=False, finding="B.test_composition"),
                          not synthetic and common and not off,
                          f"SMOTE is applied '{claims['B.sec4.2.1.smote'].text}', so the test set may hold synthetic "
                          "samples; the runs imply shares of fakes " + ", ".join(f"[{lo:.2f}, {hi:.2f}]" for lo, hi in runs)
                          + (f", runs {', '.join(map(str, off))} not balanced" if off else ", all compatible with 0.5")
                          + ("" if common else ", no share common to all runs")
                          + (f" (Celeb-DF's videos are {share:.3f} fake, but the unit is a 1-s clip)" if t == "2" else "")))
    return out


CHECKS = (b_means_and_ranges, b_runs, b_related_work, b_statements, b_pso, b_datasets)
