"""deepfake_lib.demo.page: the tables and figures of notebook D1."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from deepfake_lib.data import media  # noqa: E402
from deepfake_lib.data.manifest import load  # noqa: E402
from deepfake_lib.demo import build, manipulations, page  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build.build(tmp_path_factory.mktemp("p") / "demo", seed=4, size="tiny", verbose=False)


def test_counts_by_split_and_by_fold_add_up(tiny):
    m = load(tiny)
    for by in ("split", "fold"):
        t = page.counts(tiny, by=by)
        assert t.loc["total", ("total", "")] == len(m.items)
        assert t.drop(index="total")[("total", "")].sum() == len(m.items)
    assert list(page.counts(tiny).index)[-1] == "total"


def test_sources_table_lists_every_file_and_what_this_build_used(tiny):
    t = page.sources_table(tiny)
    assert len(t) == len(media.sources()) and "terms" in t and t["sha256"].str.len().eq(12).all()
    used = set(load(tiny).meta["sources"])
    assert set(t.index[t["in this build"]]) == used and used
    assert "in this build" not in page.sources_table()


def test_figures_have_a_row_per_manipulation_and_a_panel_per_identity(tiny):
    import matplotlib.pyplot as plt

    clip = page.example_clip(n=3)
    fig = page.trace_sheet(clip)
    assert fig.axes and len(fig.axes) == 5 * len(manipulations.METHODS)
    fig2 = page.contact_sheet(tiny)
    assert len(fig2.axes) == 4 * len(manipulations.METHODS)
    fig3 = page.identity_sheet(tiny, cols=4)
    shown = [ax for ax in fig3.axes if ax.get_title()]
    assert sorted(ax.get_title() for ax in shown) == sorted(load(tiny).meta["identities"])
    plt.close("all")
