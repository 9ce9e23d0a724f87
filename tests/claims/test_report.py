"""The report as text, JSON and the dashboard's HTML (deepfake_lib/claims/report*.py)."""

import json

from deepfake_lib.claims import findings as F
from deepfake_lib.claims import ledger as L
from deepfake_lib.claims import report, report_html
from deepfake_lib.claims import verdicts as V
from support import write_results


def test_cli_report_json_carries_findings(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DFBOOK_RESULTS", str(tmp_path))
    assert report.cli_report("C", True) == 0
    out = json.loads(capsys.readouterr().out)
    c = out["papers"]["C"]
    assert list(out["papers"]) == ["C"]
    assert sum(c["counts"].values()) == len(c["claims"]) == len(L.load("C").claims)
    assert all(claim["verdict"] in V.VERDICTS for claim in c["claims"])
    shift = next(f for f in c["findings"] if f["id"] == "C.table_models_vs_table5")
    assert shift["severity"] == "contradiction" and shift["culprits"] and shift["roles"]
    assert {"premises", "contradicting", "holding", "arithmetic", "cleared"} <= set(shift)
    assert c["finding_counts"] == F.counts([F.Finding(**f) for f in c["findings"]])


def test_cli_report_findings_text_and_unknown_paper(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DFBOOK_RESULTS", str(tmp_path))
    assert report.cli_report("B", False, findings=True) == 0
    out = capsys.readouterr().out
    assert "== Paper B:" in out and "[contradiction] B.table2.run4.f1" in out and "inconsistent: B.table2.celebdf.run4.f1" in out
    assert report.cli_report(None, False) == 0
    out = capsys.readouterr().out
    n = sum(len(led.claims) for led in L.load_all().values())
    assert f"Total: {n} claims" in out and "== Paper B" in out and "B.pso.convergence" in out
    assert report.cli_report("D", False) == 2


def test_html_tables(tmp_path):
    write_results(tmp_path, "A3_training", {"A.sec4.3.best_dropout": (True, 0.25, "demo")})
    a = V.assess(tmp_path)
    table = report_html.html_paper_table(a, "A")
    assert table.count('class="claim-row" data-paper="A"') == len(L.load("A").claims)
    assert '<a href="A3_training.html#dropout-figure-11">A3_training</a>' in table
    assert "reproduced-on-demo" in table and "0.25 (demo data)" in table
    assert f'href="#{report_html.anchor("A.table5.amerini.pair")}"' in table
    found = report_html.html_findings(a, "A")
    assert found.count('class="finding-row" data-paper="A"') == sum(f.paper == "A" for f in a.findings)
    assert f'id="{report_html.anchor("A.table5.amerini.pair")}"' in found and "111.04" in found
    assert report_html.html_checks(a, "B").count('class="check-row"') == sum(r.paper == "B" for r in a.checks)
    assert "<td><b>claims</b></td>" in report_html.html_counts(a)
    assert "contradiction" in report_html.html_finding_counts(a)


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
    assert report_html.evidence_anchor("nb", "X.fig8.literal", tmp_path) == section
    assert report_html.evidence_anchor("nb", "X.fig8.gain_b", tmp_path) == section
    assert report_html.evidence_anchor("nb", "X.fig9.beats_auc", tmp_path) == section
    assert report_html.evidence_anchor("nb", "X.intro.early", tmp_path) is None
    assert report_html.evidence_anchor("nb", "X.nowhere", tmp_path) is None
    assert report_html.evidence_anchor("missing", "X.fig8.literal", tmp_path) is None


def test_dashboard_links_evidence_to_its_section():
    """Every evidence key the ledgers name resolves to a section heading of its notebook."""
    for led in L.load_all().values():
        for c in led.claims:
            if c.evidence:
                nb, key = c.evidence.split("/", 1)
                assert report_html.evidence_anchor(nb, key), c.evidence
    v = V.Verdict(claim="x", paper="C", verdict="consistent", reason="", notebook="C3_evaluation",
                  evidence={"key": "C.realtime.head_fps", "notebook": "C3_evaluation"})
    assert report_html.evidence_link(v) == '<a href="C3_evaluation.html#the-real-time-claim">C3_evaluation</a>'


def test_dashboard_cells_are_hidden_and_the_readings_table_is_shown():
    from deepfake_lib.core.paths import notebooks_dir

    src = (notebooks_dir() / "claims_dashboard.py").read_text()
    headers = [ln for ln in src.splitlines() if ln.startswith("# %%") and "[markdown]" not in ln]
    assert headers and all("hide-input" in h for h in headers)
    assert sum("full-width" in h for h in headers) == 6  # the findings and claims tables
    assert 'readings.table("claims_dashboard")' in src
    assert "## How a verdict is computed" in src and src.index("## Findings") < src.index("## The claims")
