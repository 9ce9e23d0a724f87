"""The verdict rule on small constructed ledgers (deepfake_lib/claims/findings.py).

Each case is a handful of check results built with ``checks.result``; the findings must
blame exactly the claims the rule says, never a premise, never a confirmed claim.
"""

import pytest

from deepfake_lib.claims import findings as F
from deepfake_lib.claims.checks import FAILS, HOLDS, ROUNDING, Spec, result


def roles(results):
    return {f.id: f.roles for f in F.build(results)}


def test_a_single_culprit_is_inconsistent_and_its_premise_is_not_blamed():
    # x + y = 100 fails; p is only assumed. x is confirmed by an independent identity with z.
    rs = [result(Spec("T.sum", "x + y = 100", [("T.x",), ("T.y",)], premises=["T.p"]), FAILS, "x + y = 111"),
          result(Spec("T.x_vs_z", "x = z", [("T.x",), ("T.z",)]), HOLDS, "81.61 = 81.61")]
    (f,) = F.build(rs)
    assert f.severity == "contradiction" and f.roles == {"T.y": "inconsistent"}
    assert f.cleared == {"T.x": "T.x_vs_z"} and f.premises == ["T.p"]


def test_a_premise_confirmed_elsewhere_is_never_blamed():
    rs = [result(Spec("T.count", "the model has 4.7 M", [("T.n",)], premises=["T.blocks"]), FAILS, "4.0 M"),
          result(Spec("T.blocks_ok", "five blocks", [("T.blocks",), ("T.other",)]), HOLDS, "5 = 5")]
    assert roles(rs) == {"T.count": {"T.n": "inconsistent"}}


def test_a_shifted_copy_is_blamed_and_its_confirmed_source_is_not():
    source, shifted = ("T.src.a", "T.src.b"), ("T.copy.a", "T.copy.b")
    rs = [result(Spec("T.tables", "both tables agree", [source, shifted]), FAILS, "rows shifted"),
          result(Spec("T.text", "the text gives src.a", [("T.text",), ("T.src.a",)]), HOLDS, "96.6 = 96.6")]
    assert roles(rs) == {"T.tables": {"T.copy.a": "inconsistent", "T.copy.b": "inconsistent"}}


def test_candidates_that_cannot_be_told_apart_are_suspect():
    rs = [result(Spec("T.eq", "a = b", [("T.a",), ("T.b",)]), FAILS, "98.21 vs 98.24")]
    assert roles(rs) == {"T.eq": {"T.a": "suspect", "T.b": "suspect"}}


def test_a_ranking_or_a_reprint_confirms_nothing():
    rs = [result(Spec("T.eq", "a = b", [("T.a",), ("T.b",)]), FAILS, "differ"),
          result(Spec("T.rank", "a > c", [("T.a",), ("T.c",)], confirms=False), HOLDS, "a > c"),
          result(Spec("T.reprint", "b reprinted as b2", [("T.b",), ("T.b2",)], confirms=False), HOLDS, "equal")]
    assert roles(rs)["T.eq"] == {"T.a": "suspect", "T.b": "suspect"}


def test_a_check_involving_the_rival_candidate_does_not_clear():
    # the only confirmation of a relates it to b, its rival in the conflict: no clearing
    rs = [result(Spec("T.eq", "a = b", [("T.a",), ("T.b",)]), FAILS, "differ"),
          result(Spec("T.ab", "a and b in the same order", [("T.a", "T.b"), ("T.c",)]), HOLDS, "same order")]
    assert roles(rs)["T.eq"] == {"T.a": "suspect", "T.b": "suspect"}


def test_when_every_candidate_is_confirmed_all_stay_suspect():
    rs = [result(Spec("T.eq", "a = b", [("T.a",), ("T.b",)]), FAILS, "differ"),
          result(Spec("T.az", "a = z", [("T.a",), ("T.z",)]), HOLDS, "equal"),
          result(Spec("T.by", "b = y", [("T.b",), ("T.y",)]), HOLDS, "equal")]
    (f,) = F.build(rs)
    assert f.roles == {"T.a": "suspect", "T.b": "suspect"} and not f.cleared


def test_a_statement_against_two_unconfirmed_others_is_suspect_with_them():
    # s contradicts t and u; s alone is the smallest explanation, but {t, u} is another minimal one:
    # no claim must be wrong, so all three are suspect, the smallest diagnosis listed first
    rs = [result(Spec("T.s_vs_t", "s fits t", [("T.s",), ("T.t",)], finding="T.s"), FAILS, "95 < 97"),
          result(Spec("T.s_vs_u", "s fits u", [("T.s",), ("T.u",)], finding="T.s"), FAILS, "exclusive")]
    (f,) = F.build(rs)
    assert f.roles == {"T.s": "suspect", "T.t": "suspect", "T.u": "suspect"}
    assert f.diagnoses == [[["T.s"]], [["T.t"], ["T.u"]]]


def test_a_statement_against_two_confirmed_others_is_inconsistent():
    rs = [result(Spec("T.s_vs_t", "s fits t", [("T.s",), ("T.t",)], finding="T.s"), FAILS, "95 < 97"),
          result(Spec("T.s_vs_u", "s fits u", [("T.s",), ("T.u",)], finding="T.s"), FAILS, "exclusive"),
          result(Spec("T.t_is_v", "t = v", [("T.t",), ("T.v",)]), HOLDS, "equal"),
          result(Spec("T.u_is_w", "u = w", [("T.u",), ("T.w",)]), HOLDS, "equal")]
    (f,) = F.build(rs)
    assert f.roles == {"T.s": "inconsistent"} and f.cleared == {"T.t": "T.t_is_v", "T.u": "T.u_is_w"}


def test_confirming_one_number_of_a_moved_block_clears_that_number_only():
    # the models table as a block cannot have moved (its first row is confirmed), but its second row
    # is still one of two numbers for the same method: suspect beside the copy
    tm, t5 = ("T.tm.a", "T.tm.b"), ("T.t5.a", "T.t5.b")
    rs = [result(Spec("T.pair_a", "a agrees", [("T.tm.a",), ("T.t5.a",), tm, t5], finding="T.shift"), FAILS, "x"),
          result(Spec("T.pair_b", "b agrees", [("T.tm.b",), ("T.t5.b",), tm, t5], finding="T.shift"), FAILS, "x"),
          result(Spec("T.text_a", "the text gives tm.a", [("T.text",), ("T.tm.a",)]), HOLDS, "equal")]
    (f,) = F.build(rs)
    assert f.cleared == {"T.tm.a": "T.text_a"}
    assert f.roles == {"T.t5.a": "inconsistent", "T.t5.b": "suspect", "T.tm.b": "suspect"}


def test_reading_dependent_names_the_readings_that_contradict(monkeypatch):
    monkeypatch.setattr(F.R, "options", lambda rid: ("one", "two"))
    spec = Spec("T.count", "the model has 4.7 M", [("T.n",)])
    rs = [result(spec, FAILS, "4.0 M", [("T.size", "one")]), result(spec, HOLDS, "4.72 M", [("T.size", "two")])]
    (f,) = F.build(rs)
    assert f.severity == "reading-dependent" and f.roles == {"T.n": "reading-dependent"}
    assert f.contradicting == ["T.size=one"] and f.holding == ["T.size=two"]


def test_a_candidate_blamed_under_some_readings_only_is_reading_dependent(monkeypatch):
    monkeypatch.setattr(F.R, "options", lambda rid: ("points", "relative"))
    big = Spec("T.gain", "gains fit", [("T.g1",), ("T.g2",), ("T.level",)])
    small = Spec("T.gain", "gains fit", [("T.g1",), ("T.g2",)])
    rs = [result(big, FAILS, "points", [("T.kind", "points")]),
          result(small, FAILS, "relative", [("T.kind", "relative")])]
    (f,) = F.build(rs)
    assert f.severity == "contradiction"
    assert f.roles == {"T.g1": "suspect", "T.g2": "suspect", "T.level": "reading-dependent"}


def test_rounding_and_concern_findings_accuse_nobody_of_inconsistency():
    rs = [result(Spec("T.gap", "0.77 = 96.60 - 95.8", [("T.gap",), ("T.x",)]), ROUNDING, "0.80 vs 0.77"),
          result(Spec("T.pso", "c1 + c2 admits convergence", [("T.c1", "T.c2")], concern=True), FAILS, "8 > 4")]
    fs = {f.id: f for f in F.build(rs)}
    assert fs["T.gap"].severity == "rounding" and fs["T.gap"].roles == {}
    assert fs["T.pso"].severity == "concern" and fs["T.pso"].roles == {"T.c1": "concern", "T.c2": "concern"}
    assert F.counts(list(fs.values())) == {"contradiction": 0, "reading-dependent": 0, "rounding": 1, "concern": 1}


def test_a_passing_check_makes_no_finding():
    assert F.build([result(Spec("T.ok", "a = b", [("T.a",), ("T.b",)]), HOLDS, "equal")]) == []


@pytest.mark.parametrize("conflicts, expected", [
    ([[("a",), ("b",)], [("a",), ("c",)]], [(("a",),), (("b",), ("c",))]),
    ([[("a",), ("b",)]], [(("a",),), (("b",),)]),
    ([[("a",)], [("b",)]], [(("a",), ("b",))]),
    ([[("a",), ("b",)], [("a",), ("b",), ("c",)]], [(("a",),), (("b",),)]),
])
def test_minimal_diagnoses(conflicts, expected):
    assert F.minimal_diagnoses(conflicts) == expected


def test_minimal_diagnoses_agree_with_brute_force():
    import itertools
    import random

    rng = random.Random(0)
    atoms = [(x,) for x in "abcdef"]
    for _ in range(200):
        conflicts = [rng.sample(atoms, rng.randint(1, 3)) for _ in range(rng.randint(1, 5))]
        hits = [set(c) for k in range(1, 7) for c in itertools.combinations(atoms, k)
                if all(set(c) & set(x) for x in conflicts)]
        brute = sorted((tuple(sorted(h)) for h in hits if not any(o < h for o in hits)), key=lambda d: (len(d), d))
        assert F.minimal_diagnoses(conflicts) == brute
