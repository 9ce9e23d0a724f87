"""The ledger re-read against the papers' text (``DFBOOK_PAPERS``, default ../shared/papers).

Three layers: every claim's quote is in its paper and its printed text gives its value; the
five-run tables of paper B rebuild their printed rows from the ledger; and an independent
sample of values, located in the paper by their surrounding words, equals the ledger.
"""

import re

import pytest

from deepfake_lib.claims import ledger as L



@pytest.fixture(scope="module")
def papers(paper_texts):
    return paper_texts


@pytest.mark.parametrize("paper", L.PAPERS)
def test_every_quote_is_in_the_paper_and_gives_the_value(papers, paper):
    problems = []
    for c in L.load(paper).claims:
        if L.normalise(c.quote) not in papers[paper]:
            problems.append(f"{c.id}: quote not found: {c.quote!r}")
        numbers = L.value_numbers(c.value)
        if numbers and L.numbers_in(c.text) != pytest.approx(numbers):
            problems.append(f"{c.id}: text {c.text!r} reads {L.numbers_in(c.text)}, value is {c.value}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table, slug", [("2", "celebdf"), ("3", "dfdc")])
def test_paper_b_rows_rebuild_from_the_ledger(papers, table, slug):
    claims = L.load("B").by_id()
    for run in range(1, 6):
        cells = [claims[f"B.table{table}.{slug}.run{run}.{m}"].value
                 for m in ("accuracy", "sensitivity", "specificity", "f1")]
        row = f"{run}" + "".join(f"{v:.2f}" for v in cells)
        assert row in papers["B"], f"Table {table} run {run}: {row} is not printed in paper B"


# (claim id, regular expression around the value in the paper text, group 1 = the value)
SAMPLE = [
    ("A.abstract.precision", r"impressive precision of (\d+(?:\.\d+)?)%"),
    ("A.abstract.error_rate", r"error rate is (\d+(?:\.\d+)?)%"),
    ("A.table2.dfdc.precision", r"Model0 precision and error rate\. Dataset Precision Error Rate DFDC (\d+(?:\.\d+)?)%"),
    ("A.table2.ciplab.error_rate", r"Table 2\. Model0 precision.*?Ciplab [\d.]+% (\d+(?:\.\d+)?)%"),
    ("A.table3.dfdc.precision", r"Model1 precision and error rate\. Dataset Precision Error Rate DFDC (\d+(?:\.\d+)?)%"),
    ("A.table3.ciplab.precision", r"Table 3\. Model1 precision.*?Ciplab (\d+(?:\.\d+)?)%"),
    ("A.table4.dfdc.precision", r"Model2 precision and error rate\. Dataset Precision Error Rate DFDC (\d+(?:\.\d+)?)%"),
    ("A.table4.dfdc.error_rate", r"Model2 precision and error rate\. Dataset Precision Error Rate DFDC [\d.]+% (\d+(?:\.\d+)?)%"),
    ("A.table4.ciplab.precision", r"Table 4\. Model2 precision.*?Ciplab (\d+(?:\.\d+)?)%"),
    ("A.table4.ciplab.error_rate", r"Table 4\. Model2 precision.*?Ciplab [\d.]+% (\d+(?:\.\d+)?)%"),
    ("A.table5.amerini.error_rate", r"Amerini et al\., 2019 \[47\] [\d.]+% (\d+(?:\.\d+)?)%"),
    ("A.table5.saikia.accuracy", r"Saikia et al\., 2022 \[53\] (\d+(?:\.\d+)?)%"),
    ("A.table1.proposed.ciplab_accuracy", r"Accuracy for Ciplab dataset: (\d+(?:\.\d+)?)%"),
    ("A.sec3.3.dfdc.num_images", r"The dataset includes ([\d,]+) 224"),
    ("A.sec3.3.ciplab.num_images", r"The dataset contains ([\d,]+) 224"),
    ("A.sec3.4.num_real_images", r"Preprocessing dataset: ([\d,]+) real images"),
    ("A.sec4.3.best_dropout", r"the dropout rate with the best result is (\d+(?:\.\d+)?)"),
    ("B.abstract.celebdf.accuracy", r"average accuracy of (\d+(?:\.\d+)?)% on Celeb-DF"),
    ("B.abstract.dfdc.accuracy", r"average accuracy of (\d+(?:\.\d+)?)% on DFDC"),
    ("B.sec5.pso.swarm_size", r"number of particles in the algorithm = (\d+)"),
    ("B.sec5.pso.iterations", r"prior to optimization being finished = (\d+)"),
    ("B.sec5.pso.c1", r"Cognitive coefficient \(c1\).*?= (\d+)"),
    ("B.sec5.pso.c2", r"Social coefficient \(c2\).*?= (\d+)"),
    ("B.sec5.cnn.batch_size", r"Batch Size = (\d+)"),
    ("B.sec5.cnn.dropout", r"Drop Out = (\d+(?:\.\d+)?)"),
    ("B.sec4.1.celebdf.fake_videos", r"Along with (\d+) related deepfake videos"),
    ("B.table1.heo.accuracy", r"Table 1\. Related work summary\..*?Heo \[28\]CelebDF-FaceForencicsCNN(\d+)"),
    ("B.table4.tran.accuracy", r"Table 4\. Results comparison\..*?Tran \[20\]DFDCCNN(\d+(?:\.\d+)?)"),
    ("B.sec2.ref17.precision", r"(\d+(?:\.\d+)?)% precision, and [\d.]+% F1 measure"),
    ("C.abstract.precision_gain", r"a (\d+(?:\.\d+)?)% increase in checking accuracy"),
    ("C.abstract.f1_gain", r"a (\d+(?:\.\d+)?)% increase in the F1-score"),
    ("C.sec_data.train_fake_frames", r"and ([\d,]+) frame images from the fake video\. In comparison"),
    ("C.sec_data.test_real_frames", r"the test set contained ([\d,]+) frame images from the real video"),
    ("C.sec_data.frames_per_video", r"uniformly selected (\d+) frames"),
    ("C.fig9.auc_bilstm_crf", r"leads with an AUC value of (\d+(?:\.\d+)?)"),
    ("C.fig9.auc_xception", r"which is only (\d+(?:\.\d+)?)"),
    ("C.fig8.f1", r"reaching [\d.]+% and (\d+(?:\.\d+)?)%"),
    ("C.table3.k7.accuracy", r"Acc \| [\d.]+ \| [\d.]+ \| (\d+(?:\.\d+)?) \|"),
    ("C.table3.k5.precision", r"Precision \| [\d.]+ \| (\d+(?:\.\d+)?) \|"),
    ("C.table_models.capsule.ffpp", r"Capsule \| [\d.]+ \| (\d+(?:\.\d+)?) \|"),
    ("C.table5.bilstm_nocrf.celebdf", r"BiLSTM \(No CRF\) \|.*?\| (\d+(?:\.\d+)?)% \|"),
    ("C.sec_results.gap_to_capsule", r"only a (\d+(?:\.\d+)?)% difference"),
]


def test_sample_is_large_and_spans_the_three_papers():
    assert len(SAMPLE) >= 30
    assert {cid[0] for cid, _ in SAMPLE} == {"A", "B", "C"}


@pytest.mark.parametrize("claim_id, pattern", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_sampled_value_matches_the_paper(papers, claim_id, pattern):
    claim = L.claims_by_id()[claim_id]
    m = re.search(pattern, papers[claim_id[0]])
    assert m, f"{claim_id}: pattern {pattern!r} not found in paper {claim_id[0]}"
    printed = float(m.group(1).replace(",", ""))
    assert printed == pytest.approx(float(claim.value)), f"{claim_id}: paper prints {m.group(1)}, ledger has {claim.value}"
