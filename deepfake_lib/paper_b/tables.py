"""Paper B's Tables 2-3 and the text that summarises them, read from the claims ledger, and
our five runs laid out the same way (notebook B3).

The paper's numbers are never typed here: every value comes from
:func:`deepfake_lib.claims.ledger.claims_by_id` (``B.table2.celebdf.run<r>.<metric>``,
``B.sec5.<dataset>.<metric>_range``, ...).
"""

from __future__ import annotations

import numpy as np

from deepfake_lib.claims import ledger
from deepfake_lib.core import stats

#: Columns of Tables 2-3, in the paper's order.
COLUMNS = ("accuracy", "sensitivity", "specificity", "f1")
#: dataset key -> (table name, ledger prefix of its rows, ledger prefix of the text summary).
DATASETS = {"celebdf": ("Celeb-DF (Table 2)", "B.table2.celebdf", "B.sec5.celebdf"),
            "dfdc": ("DFDC (Table 3)", "B.table3.dfdc", "B.sec5.dfdc")}


def _value(cid: str):
    return ledger.claims_by_id()[cid].value


def paper_table(dataset: str):
    """One of the paper's tables as printed, ``(runs, 4)`` in percent, from the ledger
    (notebook B3, section "Five runs"); a pandas DataFrame indexed by run 1..5."""
    import pandas as pd

    _, rows, _ = DATASETS[dataset]
    runs = int(_value("B.sec5.num_runs"))
    data = [[float(_value(f"{rows}.run{r}.{c}")) for c in COLUMNS] for r in range(1, runs + 1)]
    return pd.DataFrame(data, columns=list(COLUMNS),
                        index=pd.Index(range(1, runs + 1), name="RUN"))


def paper_tables() -> dict:
    """``{table name: (runs, 4) array}`` of both tables, from the ledger (notebook B3,
    section "Are the paper's tables internally consistent?")."""
    return {DATASETS[k][0]: paper_table(k).to_numpy() for k in DATASETS}


def claim_value(cid: str) -> float:
    """The value of one of paper B's ledger claims, e.g. ``"B.sec5.celebdf.accuracy_mean"``,
    the mean accuracy B3's evidence is recorded under (notebook B3, section "Five runs")."""
    return float(_value(cid))


def text_against_tables():
    """Section 5's ranges and means against the tables they summarise, one row per
    (table, metric) (notebook B3, section "Are the paper's tables internally consistent?").

    Columns: the text's low, high and mean (None where it gives none), the table's min, max
    and mean, and ``agrees`` (min and max equal, the mean equal at the text's precision).
    """
    import pandas as pd

    ids = ledger.claims_by_id()
    rows = []
    for key, (name, _, text) in DATASETS.items():
        t = paper_table(key)
        for c in COLUMNS:
            lo, hi = (float(v) for v in ids[f"{text}.{c}_range"].value)
            mean_id = f"{text}.{c}_mean"
            mean = float(ids[mean_id].value) if mean_id in ids else None
            digits = len(str(mean).split(".")[1]) if mean is not None else None
            ok = bool(np.isclose(t[c].min(), lo) and np.isclose(t[c].max(), hi) and
                      (mean is None or round(t[c].mean(), digits) == mean))
            rows.append({"table": name, "metric": c, "text_low": lo, "text_high": hi,
                         "text_mean": mean, "table_min": t[c].min(), "table_max": t[c].max(),
                         "table_mean": round(float(t[c].mean()), 3), "agrees": ok})
    return pd.DataFrame(rows).set_index(["table", "metric"])


def with_summary(df):
    """A table of runs ``(runs, k)`` with two rows added, "mean ± sd" and "95% CI"
    (:func:`deepfake_lib.core.stats.summarise`: a t-interval over the runs), as text;
    returns ``(table, {column: summary})``. Notebook B3, section "Five runs"."""
    import pandas as pd

    s = {c: stats.summarise(df[c].to_numpy()) for c in df.columns}
    rows = {"mean ± sd": {c: f"{s[c]['mean']:.2f} ± {s[c]['sd']:.2f}" for c in df.columns},
            "95% CI": {c: f"{s[c]['ci_low']:.2f}-{s[c]['ci_high']:.2f}" for c in df.columns}}
    return pd.concat([df.map(lambda v: f"{v:.2f}"), pd.DataFrame(rows).T]), s


def runs_table(outs: list[dict], level: str):
    """Our runs as a table like the paper's, in percent, one row per run (notebook B3,
    section "Five runs"); ``outs`` as :func:`deepfake_lib.paper_b.cnn_rnn.run_unit` returns
    them, ``level`` ``"video"`` or ``"clip"``."""
    import pandas as pd

    return pd.DataFrame([{c: 100 * o[level][c] for c in COLUMNS} for o in outs],
                        index=pd.Index(range(1, len(outs) + 1), name="RUN"))


def side_by_side(ours, label: str):
    """Our per-video table and the paper's two, each with its summary rows, side by side
    (notebook B3, section "Five runs")."""
    import pandas as pd

    parts = {f"ours: {label}, per video": with_summary(ours)[0]}
    for key, (name, _, _) in DATASETS.items():
        parts[f"paper: {name}"] = with_summary(paper_table(key))[0]
    return pd.concat(parts, axis=1)


def dataset_fake_share() -> dict:
    """Share of fakes in Celeb-DF as a whole by the paper's own count (section 4.1), from
    the ledger: ``{"fake", "real", "share"}`` (notebook B3, section "What the numbers imply
    about the test sets")."""
    fake = float(_value("B.sec4.1.celebdf.fake_videos"))
    real = float(_value("B.sec4.1.celebdf.real_videos"))
    return {"fake": fake, "real": real, "share": fake / (fake + real)}
