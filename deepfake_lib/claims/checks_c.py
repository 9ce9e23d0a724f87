r"""Checks of paper C (Xception + BiLSTM + CRF): what its own numbers imply about each other.

- the 7:3 split of the stated videos and frames; what a frame-level split means for leakage
  (a concern: the paper never claims a video-disjoint split);
- Table 3 and the proposed model's FF++ accuracy against the stated test set (9,000 real,
  18,000 fake frames): the share of positives that accuracy, precision and recall imply,
  :math:`(1-a)/((1-R) + R(1-P)/P)` for one class, or the macro-averaged version, under the
  readings of which data, which class and which averaging;
- the abstract's CRF gains (an F1 is homogeneous of degree 1 in precision and recall, so its
  relative gain is at most the larger of theirs);
- the accuracy table of models against Table 5 and the text; Table 5's BiLSTM (No CRF) row
  against Figure 8's CRF gain and Figure 9's AUC (an accuracy bounds the AUC from below);
- Table 3's chosen column against the final model's results; "better on both datasets";
  equation (11)'s labels.

Notebook ``claims_dashboard``, section "Checks".
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from . import identities as I
from .checks import FAILS, HOLDS, ROUNDING, Claims, Spec, agree, h, judge, overlaps, result, scenarios, v

COLS = {"k3": "3 * 3", "k5": "5 * 5", "k7": "7 * 7", "k3k5": "3 * 3, 5 * 5"}
TEST = ("C.sec_data.test_real_frames", "C.sec_data.test_fake_frames")
MODELS = ("meso4", "capsule", "convlstm", "densenet", "proposed")
TABLE5 = ("xception", "bilstm_nocrf", "capsule", "convlstm", "densenet", "proposed")
PROPOSED_FFPP = ("C.table_models.proposed.ffpp", "C.table5.proposed.ffpp")


def c_split(claims: Claims) -> list:
    """Frame counts of the 7:3 split; what a frame-level split implies (a concern).

    Notebook claims_dashboard, section "Checks".
    """
    real, per, nm = (v(claims, k) for k in ("C.sec_data.real_videos", "C.sec_data.fake_videos_per_method",
                                            "C.sec_data.num_methods"))
    frames = v(claims, "C.sec_data.frames_per_video")
    tr, te = (float(x) for x in claims["C.sec_data.split_ratio"].value)
    f_tr, f_te = tr / (tr + te), te / (tr + te)
    want = {"train_real": real * frames * f_tr, "test_real": real * frames * f_te,
            "train_fake": per * nm * frames * f_tr, "test_fake": per * nm * frames * f_te}
    got = {k: v(claims, f"C.sec_data.{k}_frames") for k in want}
    inputs = ("C.sec_data.real_videos", "C.sec_data.fake_videos_per_method", "C.sec_data.num_methods",
              "C.sec_data.frames_per_video", "C.sec_data.split_ratio")
    out = [result(Spec("C.split.frame_counts", "The stated videos, 30 frames each, split 7:3, give the "
                       "stated frame counts", [(c,) for c in inputs + tuple(f"C.sec_data.{k}_frames" for k in want)]),
                  all(abs(want[k] - got[k]) < 0.5 for k in want),
                  "; ".join(f"{k.replace('_', ' ')}: {want[k]:,.0f} (stated {got[k]:,.0f})" for k in want))]
    n_videos = real + per * nm
    one_side = f_tr ** frames + f_te ** frames
    out.append(result(Spec("C.split.frame_level", "A 7:3 split of the frame images keeps each video on one side",
                           [("C.sec_data.split_ratio",)], context=list(inputs[:4]), concern=True, confirms=False),
                      n_videos * (1 - one_side) < 0.5,
                      f"the text splits frame images; a random frame split keeps a video's {frames:g} frames on one "
                      f"side with probability 0.7^{frames:g} + 0.3^{frames:g} = {one_side:.1e}, so about "
                      f"{n_videos * (1 - one_side):,.0f} of {n_videos:,.0f} videos have frames in both sets (the counts "
                      f"fit a video-level split as well; the paper does not say which)"))
    return out


def _fits_test_set(acc, p, r, hh, share, avg) -> tuple[bool, str]:
    """Whether (accuracy, precision, recall) fit a test set whose positive class has ``share``."""
    if avg == "micro":
        lo, hi = I.box_range(I.prevalence_from_precision, (acc, p, r), (hh,) * 3)
        return lo <= share <= hi, f"implied positive share [{lo:.3f}, {hi:.3f}] vs {share:.3f}"
    feasible = I.macro_shares(acc, p, r, hh)
    ok = bool(len(feasible)) and min(abs(feasible - share)) < 1e-3
    return ok, f"macro-averaged P and R fit shares {runs(feasible)} vs {share:.3f}"


def runs(grid, step: float = 0.0005) -> str:
    """A set of grid points written as intervals ("[0.09, 0.32] and [0.71, 0.91]").

    Notebook claims_dashboard, section "Checks".
    """
    if not len(grid):
        return "none"
    parts, start = [], grid[0]
    for a, b in zip(grid[:-1], grid[1:]):
        if b - a > 1.5 * step:
            parts.append((start, a))
            start = b
    parts.append((start, grid[-1]))
    return " and ".join(f"[{a:.3f}, {b:.3f}]" for a, b in parts)


def c_table3(claims: Claims) -> list:
    """Table 3: F1 from precision and recall; accuracy, precision and recall against a test set.

    Notebook claims_dashboard, section "Checks".
    """
    out, shares = [], {}
    fake = v(claims, TEST[1]) / (v(claims, TEST[0]) + v(claims, TEST[1]))
    for col, k in COLS.items():
        a, f, r, p = (v(claims, f"C.table3.{col}.{m}") for m in ("accuracy", "f1", "recall", "precision"))
        hh = h(claims, f"C.table3.{col}.f1")
        lo, hi = I.box_range(I.f1_from, (p, r), (hh, hh))
        # P = R = F1 satisfies the identity whatever the number: a value copied into three cells
        out.append(result(Spec(f"C.table3.{col}.f1_identity", f"Table 3, kernel {k}: F1 = 2PR/(P+R)",
                               [(f"C.table3.{col}.{m}",) for m in ("precision", "recall", "f1")],
                               confirms=not p == r == f),
                          (HOLDS if round(I.f1_from(p, r), 3) == f else ROUNDING)
                          if overlaps((lo, hi), (f - hh, f + hh)) else FAILS,
                          f"2 x {p} x {r} / ({p} + {r}) = {I.f1_from(p, r):.4f} vs {f}"))
        shares[col] = {"micro": I.box_range(I.prevalence_from_precision, (a, p, r), (hh,) * 3),
                       "macro": I.macro_shares(a, p, r, hh), "values": (a, p, r, hh)}
    three = lambda col: [(f"C.table3.{col}.{m}",) for m in ("accuracy", "precision", "recall")]
    for sc in scenarios("C.table3_test_set", "C.positive_class", "C.averaging"):
        where, cls, avg = (o for _, o in sc)
        if where == "own_sets":
            out.append(result(Spec("C.table3.test_set", "Table 3 fits the data it was scored on",
                                   [c for col in COLS for c in three(col)], confirms=False), HOLDS,
                              "each column on its own evaluation set: no composition to fit", sc))
        elif where == "stated_test_set":
            share = fake if cls == "fake" else 1 - fake
            for col in COLS:
                ok, text = _fits_test_set(*shares[col]["values"], share, avg)
                out.append(result(Spec(f"C.table3.{col}.test_set", f"Table 3, kernel {COLS[col]}: accuracy, "
                                       "precision and recall fit the stated test set", three(col), premises=TEST,
                                       finding="C.table3.test_set"), ok, text, sc))
        else:
            for c1, c2 in itertools.combinations(COLS, 2):
                if avg == "micro":
                    ok = overlaps(shares[c1]["micro"], shares[c2]["micro"])
                    text = f"{c1} [{shares[c1]['micro'][0]:.3f}, {shares[c1]['micro'][1]:.3f}] vs {c2} " \
                           f"[{shares[c2]['micro'][0]:.3f}, {shares[c2]['micro'][1]:.3f}]"
                else:
                    m1, m2 = shares[c1]["macro"], shares[c2]["macro"]
                    ok = bool(len(np.intersect1d(m1, m2)))
                    text = f"macro-averaged shares of {c1} {runs(m1)} vs {c2} {runs(m2)}"
                out.append(result(Spec(f"C.table3.{c1}_{c2}.one_test_set", f"Table 3's columns {c1} and {c2} fit "
                                       "one test set", three(c1) + three(c2), finding="C.table3.test_set"),
                                  ok, text, sc))
    return out


def c_proposed_ffpp(claims: Claims) -> list:
    """The proposed model's FF++ accuracy against its recall and F1 (Figure 8 text).

    Notebook claims_dashboard, section "Checks".
    """
    acc, r, f = v(claims, PROPOSED_FFPP[0]) / 100, v(claims, "C.fig8.recall") / 100, v(claims, "C.fig8.f1") / 100
    p = I.precision_from(f, r)
    fake = v(claims, TEST[1]) / (v(claims, TEST[0]) + v(claims, TEST[1]))
    spec = Spec("C.proposed.ffpp_test_set", "The proposed model's FF++ accuracy, recall and F1 fit the stated "
                "test set", [PROPOSED_FFPP, ("C.fig8.recall",), ("C.fig8.f1",)], premises=TEST)
    out = []
    for sc in scenarios("C.comparison_protocol", "C.positive_class", "C.averaging"):
        if sc[0][1] == "other_protocol":
            out.append(result(spec, HOLDS, "the comparison used another protocol: nothing ties it to Figure 8", sc))
            continue
        ok, text = _fits_test_set(acc, p, r, 0.0005, fake if sc[1][1] == "fake" else 1 - fake, sc[2][1])
        out.append(result(spec, ok, f"P = F1 R / (2R - F1) = {p:.4f}; " + text, sc))
    return out


def _baseline(value, gain, kind):
    """The value before a gain of ``gain`` (points, or per cent of the baseline)."""
    return value - gain if kind == "points" else value / (1 + gain / 100)


def _method_grid(known: dict, step: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 (in %) a method can have when ``known`` fixes some of them: two
    fix the third; one leaves a line (a grid of the other); none leaves the whole square."""
    grid = np.arange(step, 100 + step / 2, step)
    if len(known) == 3:
        P, R = np.array([known["P"]]), np.array([known["R"]])
        if abs(I.f1_from(known["P"], known["R"]) - known["F"]) > 0.06:   # 0.06: the gain's printed rounding
            return P[:0], R[:0], R[:0]
    elif "P" in known and "R" in known:
        P, R = np.array([known["P"]]), np.array([known["R"]])
    elif "P" in known and "F" in known:
        P = np.array([known["P"]])
        R = np.array([I.precision_from(known["F"], known["P"])])  # symmetric in P and R
    elif "R" in known and "F" in known:
        R = np.array([known["R"]])
        P = np.array([I.precision_from(known["F"], known["R"])])
    elif "P" in known:
        P, R = np.full_like(grid, known["P"]), grid
    elif "R" in known:
        P, R = grid, np.full_like(grid, known["R"])
    elif "F" in known:
        P = grid[grid > known["F"] / 2]
        R = I.precision_from(known["F"], P)
    else:
        P, R = (a.ravel() for a in np.meshgrid(np.arange(1, 101.0), np.arange(1, 101.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        F = I.f1_from(P, R)
    ok = (P > 0) & (P <= 100) & (R > 0) & (R <= 100) & np.isfinite(F)
    return P[ok], R[ok], F[ok]


def gains_fit(R, F, dp, dr, df, kind, recall_base, f1_base, tol=0.01) -> bool:
    """Whether the three gains fit with CRF recall ``R`` and F1 ``F`` (in %) and Figure 8's
    ranking: precision "not the highest", recall and F1 "the best among the compared methods"
    (BiLSTM-only and Xception). The precision gain is against BiLSTM-only, as the text says;
    the recall and F1 gains against ``recall_base`` and ``f1_base`` (``bilstm_only`` or
    ``xception``). Notebook claims_dashboard, section "Checks"."""
    P = I.precision_from(F, R)
    known = {"bilstm_only": {"P": _baseline(P, dp, kind)}, "xception": {}}
    known[recall_base]["R"] = _baseline(R, dr, kind)
    known[f1_base]["F"] = _baseline(F, df, kind)
    fits = {}
    for m, k in known.items():
        Pm, Rm, Fm = _method_grid(k)
        own = (Rm <= R + tol) & (Fm <= F + tol)
        fits[m] = (bool(own.any()), bool((own & (Pm > P - tol)).any()))
    (b_any, b_above), (x_any, x_above) = fits["bilstm_only"], fits["xception"]
    return b_any and x_any and (b_above or x_above)


def c_gains(claims: Claims) -> list:
    """The abstract's gains from CRF: +1.6 % precision, +2.0 % recall, +2.5 % F1, against every
    baseline the paper allows (readings ``C.recall_gain_baseline``, ``C.f1_gain_baseline``)
    and both kinds of gain (``C.gain_kind``).

    Notebook claims_dashboard, section "Checks".
    """
    dp, dr, df = (v(claims, f"C.abstract.{m}_gain") for m in ("precision", "recall", "f1"))
    gains = [("C.abstract.recall_gain",), ("C.abstract.f1_gain",), ("C.abstract.precision_gain", "C.fig8.precision_gain")]
    out = [agree(Spec("C.fig8_restates_abstract.precision_gain", "The text's precision gain is the abstract's",
                      [("C.abstract.precision_gain",), ("C.fig8.precision_gain",)], confirms=False),
                 claims, "C.abstract.precision_gain", "C.fig8.precision_gain")]
    R, F = v(claims, "C.fig8.recall"), v(claims, "C.fig8.f1")
    spec = Spec("C.abstract.f1_gain_bound", "The gains of 1.6 % in precision (against BiLSTM-only), 2.0 % in recall "
                "and 2.5 % in F1 fit recall 90.00 %, F1 87.09 % and Figure 8's ranking",
                gains + [("C.fig8.recall",), ("C.fig8.f1",), ("C.fig8.precision_not_highest",),
                         ("C.fig8.recall_f1_best",)])
    halves = (h(claims, "C.fig8.recall"), h(claims, "C.fig8.f1"), 0.05, 0.05, 0.05)
    box = [tuple(x + s * hh for x, s, hh in zip((R, F, dp, dr, df), signs, halves))
           for signs in itertools.product((-1, 0, 1), repeat=5)]
    P = I.precision_from(F, R)
    for sc in scenarios("C.gain_kind", "C.recall_gain_baseline", "C.f1_gain_baseline"):
        kind, rb, fb = (o for _, o in sc)
        ok = any(gains_fit(*x, kind, rb, fb) for x in box)
        Pb = _baseline(P, dp, kind)
        base = {m: {"R": _baseline(R, dr, kind)} if rb == m else {} for m in ("bilstm_only", "xception")}
        base[fb]["F"] = _baseline(F, df, kind)
        parts = [f"{m}: " + (", ".join(f"{k} {x:.2f}" for k, x in
                                       ({**({"P": Pb} if m == "bilstm_only" else {}), **base[m]}).items()) or "free")
                 for m in base]
        if fb == "bilstm_only" and rb == "bilstm_only":
            parts.append(f"so BiLSTM-only F1 = F1({Pb:.2f}, {_baseline(R, dr, kind):.2f}) = "
                         f"{I.f1_from(Pb, _baseline(R, dr, kind)):.2f}, a gain of {F - I.f1_from(Pb, _baseline(R, dr, kind)):.2f} "
                         f"points, not {df:g} {'points' if kind == 'points' else '%'}")
        out.append(result(spec, ok, f"with CRF R = {R:.2f}, F1 = {F:.2f} -> P = {P:.2f}; " + "; ".join(parts)
                          + ("" if ok else "" if fb == rb == "bilstm_only" else
                             f"; then neither baseline has precision above {P:.2f}, yet the precision 'is not the highest'"),
                          sc))
    return out


def auc_floor(accuracy: float, share: float) -> float:
    """Smallest ROC AUC of a classifier with ``accuracy`` on a test set whose positive class
    has ``share``: the ROC passes through the operating point (FPR x, TPR y) with
    ``share (1 - y) + (1 - share) x = 1 - accuracy``, and the least area under a monotone curve
    through it is ``y (1 - x)``, smallest when all errors fall on the smaller class:
    ``1 - (1 - accuracy) / min(share, 1 - share)``. Notebook claims_dashboard, section "Checks"."""
    return 1 - (1 - accuracy) / min(share, 1 - share)


def c_tables(claims: Claims) -> list:
    """The accuracy table of models against Table 5 and the text.

    Table 5's first five rows are the models table's five rows with every label moved down one
    row. Each method printed in both tables with two numbers is a conflict between the two
    numbers, explained by that number in either table or by a block move of either table; the
    text confirms the models table's Capsule FF++ 96.60 % (and its proposed 95.8 % through the
    0.77 % gap), which refutes a move of the models table, not its other numbers. Table 5's
    Xception row has no other accuracy in the paper; its BiLSTM (No CRF) row meets Figure 8's CRF
    gain and Figure 9's AUC only if they share a test set (reading ``C.table5_protocol``).

    Notebook claims_dashboard, section "Checks".
    """
    tm = tuple(f"C.table_models.{m}.{d}" for m in MODELS for d in ("celebdf", "ffpp"))
    t5 = tuple(f"C.table5.{t}.{d}" for t in TABLE5[:-1] for d in ("celebdf", "ffpp"))
    shift = all(v(claims, a) == v(claims, b) for a, b in zip(tm, t5))
    blocks = [tm, t5] if shift else []
    note = ""
    if shift:
        gain = v(claims, "C.table5.proposed.ffpp") - v(claims, "C.table5.bilstm_nocrf.ffpp")
        note = (" (Table 5's first five rows are the models table's five rows, labels moved down one row: its "
                f"Xception row is Meso4's, its BiLSTM (No CRF) row Capsule's (a CRF gain of {gain:+.1f} points on FF++), "
                "its DenseNet row the proposed one's; the text confirms the models table's Capsule FF++ and proposed "
                "FF++ only)")
    out = []
    for m in MODELS[1:-1]:
        for d in ("celebdf", "ffpp"):
            a, b = f"C.table_models.{m}.{d}", f"C.table5.{m}.{d}"
            r = agree(Spec(f"C.table_models_vs_table5.{m}_{d}", "The accuracy table of models and Table 5 give each "
                           "method the same accuracy", [(a,), (b,), *blocks], finding="C.table_models_vs_table5"),
                      claims, a, b)
            if r.outcome == FAILS and note:
                r, note = dataclasses.replace(r, arithmetic=r.arithmetic + note), ""
            out.append(r)
    out.append(agree(Spec("C.text_vs_table5.capsule_ffpp", "The text's Capsule 96.60 % on FF++ is Table 5's",
                          [("C.sec_results.capsule_ffpp",), ("C.table5.capsule.ffpp",), *blocks[1:]],
                          finding="C.table_models_vs_table5"), claims, "C.sec_results.capsule_ffpp", "C.table5.capsule.ffpp"))
    fake = v(claims, TEST[1]) / (v(claims, TEST[0]) + v(claims, TEST[1]))
    prop = v(claims, PROPOSED_FFPP[0])
    bil = "C.table5.bilstm_nocrf.ffpp"
    for sc in scenarios("C.table5_protocol"):
        same = sc[0][1] == "same_as_figures"
        gain = prop - v(claims, bil)
        lo, hi = gain - h(claims, bil) - h(claims, PROPOSED_FFPP[0]), gain + h(claims, bil) + h(claims, PROPOSED_FFPP[0])
        claimed = v(claims, "C.fig8.crf_accuracy_gain")
        spec = Spec("C.table5_vs_fig8.crf_gain", "Table 5's BiLSTM (No CRF) FF++ accuracy fits Figure 8's CRF gain "
                    "of almost 1 %", [(bil,), *blocks[1:], ("C.fig8.crf_accuracy_gain",), PROPOSED_FFPP],
                    finding="C.table_models_vs_table5")
        out.append(result(spec, not same or (hi > 0 and lo <= claimed + 0.5),
                          f"{prop:g} - {v(claims, bil):g} = {gain:+.1f} points ({lo:+.1f} to {hi:+.1f}) vs an improvement "
                          f"of 'almost 1%'" if same else "Table 5 scored otherwise than Figure 8: not compared", sc))
        for t, acc_id, auc_id in (("xception", "C.table5.xception.ffpp", "C.fig9.auc_xception"),
                                  ("bilstm_nocrf", bil, "C.fig9.auc_bilstm"),
                                  ("proposed", PROPOSED_FFPP[0], "C.fig9.auc_bilstm_crf")):
            acc = (v(claims, acc_id) - h(claims, acc_id)) / 100
            floor, auc = auc_floor(acc, fake), v(claims, auc_id) + h(claims, auc_id)
            hyps = [PROPOSED_FFPP] if t == "proposed" else [(acc_id,), *blocks[1:]]
            out.append(result(Spec(f"C.table5_vs_fig9.{t}_auc", f"Table 5's FF++ accuracy of {t} allows Figure 9's AUC",
                                   [*hyps, (auc_id,)], premises=TEST, finding="C.table_models_vs_table5",
                                   confirms=False),
                              not same or auc >= floor - 1e-9,
                              f"accuracy >= {acc:.4f} on a test set {fake:.3f} fake: any ROC through its operating point "
                              f"has AUC >= 1 - {1 - acc:.4f} / {min(fake, 1 - fake):.3f} = {floor:.4f} vs Figure 9's "
                              f"{claims[auc_id].text}" if same else "Table 5 scored otherwise than Figure 9: not compared",
                              sc))
    for d in ("celebdf", "ffpp"):
        out.append(agree(Spec(f"C.table5_reprints_models.proposed_{d}", "Table 5's proposed row reprints the "
                              "models table's", [(f"C.table5.proposed.{d}",), (f"C.table_models.proposed.{d}",)],
                              confirms=False), claims, f"C.table5.proposed.{d}", f"C.table_models.proposed.{d}"))
    out.append(agree(Spec("C.text_vs_models.capsule_ffpp", "The text's Capsule 96.60 % on FF++ is the models "
                          "table's", [("C.sec_results.capsule_ffpp",), ("C.table_models.capsule.ffpp",)]),
                     claims, "C.sec_results.capsule_ffpp", "C.table_models.capsule.ffpp"))
    out.append(agree(Spec("C.text_vs_models.celebdf_accuracy", "The text's 91.72 % on Celeb-DF is the models "
                          "table's 91.7 %", [("C.sec_results.celebdf_accuracy",), ("C.table_models.proposed.celebdf",)]),
                     claims, "C.sec_results.celebdf_accuracy", "C.table_models.proposed.celebdf"))
    best = all(v(claims, "C.table_models.proposed.celebdf") > v(claims, f"C.table_models.{m}.celebdf") for m in MODELS[:-1])
    out.append(result(Spec("C.models.proposed_best_celebdf", "The proposed model is the best on Celeb-DF",
                           [("C.sec_results.celebdf_accuracy",)], context=[f"C.table_models.{m}.celebdf" for m in MODELS],
                           confirms=False), best, "proposed 91.7 vs " + ", ".join(
                               f"{m} {v(claims, f'C.table_models.{m}.celebdf')}" for m in MODELS[:-1])))
    cap, gap = v(claims, "C.sec_results.capsule_ffpp"), v(claims, "C.sec_results.gap_to_capsule")
    out.append(result(Spec("C.text.gap_to_capsule", "The 0.77 % gap to Capsule is 96.60 % minus the proposed FF++ "
                           "accuracy", [("C.sec_results.gap_to_capsule",), ("C.sec_results.capsule_ffpp",),
                                        ("C.table_models.proposed.ffpp",)]),
                      judge(cap - prop, gap, 2, 0.005 + 0.05 + 0.005),
                      f"{cap:.2f} - {prop} = {cap - prop:.2f} (95.8 stands for 95.75 to 95.85: {cap - prop - 0.05:.2f} "
                      f"to {cap - prop + 0.05:.2f}) vs {gap}"))
    spec = Spec("C.sec_results.better_both", "The method 'achieves better detection results on both datasets' than "
                "the compared methods", [("C.sec_results.better_both",), ("C.sec_results.gap_to_capsule",)],
                context=["C.sec_results.capsule_ffpp", *PROPOSED_FFPP], finding="C.sec_results.better_both")
    for sc in scenarios("C.better_scope"):
        if sc[0][1] == "every_method":
            out.append(result(spec, prop > cap and gap <= 0, f"FF++: proposed {prop:g}, {gap:g} % below Capsule's {cap:.2f} "
                              "(the sentence before: 'did not achieve the optimal recognition on the FaceForensics++ "
                              "database')", sc))
        else:
            out.append(result(spec, True, f"better than some compared methods on both: FF++ {prop:g} above "
                              + ", ".join(f"{m} {v(claims, f'C.table_models.{m}.ffpp'):g}" for m in MODELS[:-1]
                                          if v(claims, f'C.table_models.{m}.ffpp') < prop), sc))
    a, b, x = (v(claims, f"C.fig9.auc_{k}") for k in ("bilstm_crf", "bilstm", "xception"))
    out.append(result(Spec("C.fig9.auc_ranking", "AUC: BiLSTM + CRF > BiLSTM > Xception", [("C.fig9.auc_ranking",)],
                           context=["C.fig9.auc_bilstm_crf", "C.fig9.auc_bilstm", "C.fig9.auc_xception"],
                           confirms=False), a > b > x, f"{a} > {b} > {x}"))
    n = v(claims, "C.eq11.num_labels")
    spec = Spec("C.eq11.labels", "Equation (11)'s labels are the task's labels", [("C.eq11.num_labels",)],
                premises=["C.sec_data.label_coding"], context=["C.sec_data.num_methods"])
    classes = len(str(claims["C.sec_data.label_coding"].value).split(","))
    for sc in scenarios("C.eq11_labels"):
        if sc[0][1] == "detection_label":
            out.append(result(spec, n == classes, f"{n:g} category labels vs {classes} classes "
                              f"({claims['C.sec_data.label_coding'].value}); FF++'s real videos and four forgery "
                              f"methods make {1 + v(claims, 'C.sec_data.num_methods'):g} categories, not six either", sc))
        else:
            out.append(result(spec, HOLDS, "an auxiliary classifier with a six-class task of its own (not described)", sc))
    return out


def c_datasets_described(claims: Claims) -> list:
    """Every dataset the paper reports the proposed model's results on is described in its data
    section (a concern: results on undescribed data cannot be weighed).

    Notebook claims_dashboard, section "Checks".
    """
    described = {claims[i].dataset for i in claims if i.startswith("C.") and claims[i].kind == "dataset"}
    results = [i for i in claims if i.startswith("C.") and claims[i].kind == "result"]
    missing = sorted({claims[i].dataset for i in results} - described)
    blamed = [(i,) for i in results if claims[i].dataset in missing]
    return [result(Spec("C.datasets.described", "Every dataset of a reported result is described in the data section",
                        blamed, context=sorted(i for i in claims if i.startswith("C.sec_data.")),
                        concern=True, confirms=False), not missing,
                   f"results on {', '.join(missing) or 'no undescribed dataset'} ({len(blamed)} claims); the data "
                   f"section describes only {', '.join(sorted(described))}: no videos, frames or split are given for "
                   f"{', '.join(missing)}" if missing else "every dataset described")]


def c_table3_vs_final(claims: Claims) -> list:
    """Table 3's chosen 3 x 3 column against the proposed model's FF++ results, if Table 3
    scored the final model on the test set (reading ``C.table3_k3_model``).

    Notebook claims_dashboard, section "Checks".
    """
    k = {m: f"C.table3.k3.{m}" for m in ("accuracy", "precision", "recall", "f1")}
    R, F = v(claims, "C.fig8.recall") / 100, v(claims, "C.fig8.f1") / 100
    final = {"accuracy": (v(claims, PROPOSED_FFPP[0]) / 100, [PROPOSED_FFPP], 0.0005),
             "recall": (R, [("C.fig8.recall",)], 0.00005), "f1": (F, [("C.fig8.f1",)], 0.00005),
             "precision": (I.precision_from(F, R), [("C.fig8.recall",), ("C.fig8.f1",)], 0.0001)}
    out = []
    for sc in scenarios("C.table3_k3_model"):
        for m, cid in k.items():
            x, hyps, hf = final[m]
            spec = Spec(f"C.table3.k3_vs_final.{m}", f"Table 3's 3 x 3 {m} is the proposed model's", [(cid,), *hyps],
                        finding="C.table3.k3_vs_final")
            if sc[0][1] != "final_model":
                out.append(result(spec, HOLDS, "Table 3 is a tuning run (another network or other data): not compared", sc))
                continue
            t = v(claims, cid)
            out.append(result(spec, abs(t - x) <= h(claims, cid) + hf + 1e-9,
                              f"Table 3 {claims[cid].text} vs the proposed model's {x:.4f} on FF++", sc))
    return out


CHECKS = (c_split, c_table3, c_proposed_ffpp, c_gains, c_tables, c_table3_vs_final, c_datasets_described)
