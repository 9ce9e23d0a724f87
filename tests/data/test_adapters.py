"""Dataset layouts on tiny fixture trees with the exact on-disk layouts (deepfake_lib.adapters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepfake_lib.data import adapters, manifest
from fixtures_data import celebdf_tree, ciplab_tree, dfdc_tree, ffpp_tree, flat_video, unknown_codec


@pytest.fixture(autouse=True)
def _data_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One tiny real mp4 copied to every path of a tree."""
    return flat_video(tmp_path_factory.mktemp("tpl") / "tiny.mp4", n=3, size=(16, 16))


def _by_id(m):
    return {it["id"]: it for it in m.items}


PAIRS = [("000", "001"), ("002", "003"), ("004", "005"), ("006", "007")]
OFFICIAL = {"train": [["000", "001"], ["002", "003"]], "val": [["004", "005"]], "test": [["006", "007"]]}


def test_ffpp_official_splits_and_compression(tmp_path, template, capsys):
    root = ffpp_tree(tmp_path / "ff", template, PAIRS, splits=OFFICIAL)
    ffpp_tree(root, template, PAIRS[:1], methods=("FaceShifter",))
    m = manifest.load(adapters.index("ffpp", root, compression="c23"))
    assert m.layout == "ffpp" and m.split_kind.startswith("official")
    assert m.meta["not_indexed"] == ["manipulated_sequences/FaceShifter"]
    assert len(m.items) == 8 + 4 * 8 and not m.skipped
    assert all("/c23/" in it["path"] for it in m.items)
    split_of = {i: s for s, ps in OFFICIAL.items() for p in ps for i in p}
    for it in m.items:
        assert it["split"] == split_of[it["identity"]]
        assert it["label"] == int(it["method"] != "real")
    items = _by_id(m)
    assert items["FaceSwap/004_005"]["donor_identity"] == "005"
    assert items["real/006"]["split"] == "test" and items["real/006"]["n_frames"] == 3
    assert len(items["real/000"]["sha256"]) == 64
    assert "40 items (train 20, val 10, test 10; real 8, fake 32), 0 skipped" in capsys.readouterr().out


def test_ffpp_seeded_split_keeps_fakes_with_both_originals(tmp_path, template):
    pairs = [(f"{2 * k:03d}", f"{2 * k + 1:03d}") for k in range(6)]
    root = ffpp_tree(tmp_path / "ff", template, pairs, compressions=("c40",))
    m = manifest.load(adapters.index("ffpp", root, compression="c40"))
    assert m.split_kind.startswith("video-disjoint")
    real_split = {it["identity"]: it["split"] for it in m.items if it["method"] == "real"}
    for it in m.items:
        if it["label"] == 1:
            assert it["split"] == real_split[it["identity"]] == real_split[it["donor_identity"]]
    assert {it["split"] for it in m.items} == {"train", "val", "test"}


def test_ffpp_missing_folders_recorded_not_fatal(tmp_path, template):
    root = ffpp_tree(tmp_path / "ff", template, PAIRS, methods=("Deepfakes",), splits=OFFICIAL)
    (root / "splits" / "val.json").unlink()
    m = manifest.load(adapters.index("ffpp", root))
    skipped = {s["path"]: s["reason"] for s in m.skipped}
    assert skipped["manipulated_sequences/FaceSwap/c23/videos"] == "missing folder"
    assert "incomplete official splits" in skipped["splits"]
    assert len(m.items) == 8 + 8 and not m.split_kind.startswith("official")


def test_bad_media_in_tree_skipped_with_reason(tmp_path, template, capsys):
    root = ffpp_tree(tmp_path / "ff", template, PAIRS[:1], methods=("Deepfakes",))
    vids = root / "original_sequences/youtube/c23/videos"
    (vids / "100.mp4").write_bytes(b"")
    (vids / "101.mp4").write_bytes(b"this is not a video at all" * 20)
    data = template.read_bytes()
    (vids / "102.mp4").write_bytes(data[:len(data) // 2])  # truncated
    unknown_codec(template, vids / "103.mp4")
    m = manifest.load(adapters.index("ffpp", root))
    reasons = {Path(s["path"]).name: s["reason"] for s in m.skipped if s["path"].endswith(".mp4")}
    assert reasons["100.mp4"] == "empty file (0 bytes)"
    assert reasons["101.mp4"].startswith("cannot open video")
    assert reasons["102.mp4"].startswith("cannot open video")
    assert reasons["103.mp4"] == "cannot open video (corrupt, truncated or unsupported codec)"
    assert {it["id"] for it in m.items} >= {"real/000", "real/001", "Deepfakes/000_001"}
    out = capsys.readouterr().out
    assert "100.mp4: empty file" in out and "7 skipped" in out  # 4 files + 3 method folders


def test_celebdf_official_test_list(tmp_path, template):
    lines = ["1 YouTube-real/00000.mp4", "0 Celeb-synthesis/id0_id1_0000.mp4",
             "1 Celeb-real/id3_0001.mp4", "0 Celeb-synthesis/id9_id1_0000.mp4"]
    root = celebdf_tree(tmp_path / "cdf", template, n_ids=8, test_lines=lines)
    m = manifest.load(adapters.index("celebdf", root))
    items = _by_id(m)
    test = {it["id"] for it in m.items if it["split"] == "test"}
    assert test == {"YouTube-real/00000", "Celeb-synthesis/id0_id1_0000", "Celeb-real/id3_0001"}
    assert items["YouTube-real/00000"]["label"] == 0  # the list's 1 = real is our 0
    assert items["Celeb-synthesis/id0_id1_0000"]["label"] == 1
    assert items["Celeb-synthesis/id0_id1_0000"]["identity"] == "id0"
    assert items["Celeb-synthesis/id0_id1_0000"]["donor_identity"] == "id1"
    # train/val never share a target identity, and never hold a listed test video
    ids = {s: {it["identity"] for it in m.items if it["split"] == s and it["id"] not in test}
           for s in ("train", "val")}
    assert ids["train"] and ids["val"] and not ids["train"] & ids["val"]
    assert [s["path"] for s in m.skipped] == ["Celeb-synthesis/id9_id1_0000.mp4"]


def test_celebdf_without_test_list(tmp_path, template):
    root = celebdf_tree(tmp_path / "cdf", template, n_ids=8)
    m = manifest.load(adapters.index("celebdf", root))
    assert any(s["path"] == "List_of_testing_videos.txt" for s in m.skipped)
    by_split = {s: {it["identity"] for it in m.items if it["split"] == s} for s in ("train", "val", "test")}
    assert all(by_split.values())
    assert not (by_split["train"] & by_split["test"]) and not (by_split["val"] & by_split["test"])


def test_dfdc_fakes_grouped_with_original(tmp_path, template):
    parts = {0: {f"o{k}.mp4": [f"f{k}a.mp4", f"f{k}b.mp4"] for k in range(6)},
             1: {f"p{k}.mp4": [f"g{k}.mp4"] for k in range(6)}}
    root = dfdc_tree(tmp_path / "dfdc", template, parts)
    (root / "dfdc_train_part_1" / "stray.mp4").write_bytes(template.read_bytes())
    (root / "dfdc_train_part_0" / "f0b.mp4").unlink()
    (root / "dfdc_train_part_2").mkdir()  # a part without metadata.json
    m = manifest.load(adapters.index("dfdc", root))
    items = _by_id(m)
    orig_split = {it["group"]: it["split"] for it in m.items if it["label"] == 0}
    fakes = [it for it in m.items if it["label"] == 1]
    assert len(fakes) == 12 + 6 - 1
    for it in fakes:
        assert it["split"] == orig_split[Path(it["original"]).stem]
    assert {it["split"] for it in m.items} == {"train", "val", "test"}
    assert items["dfdc_train_part_0/f3a"]["original"] == "o3.mp4"
    reasons = {s["path"]: s["reason"] for s in m.skipped}
    assert reasons["dfdc_train_part_2/metadata.json"].startswith("missing metadata.json")
    assert reasons["dfdc_train_part_1/stray.mp4"] == "not listed in metadata.json"
    assert reasons["dfdc_train_part_0/f0b.mp4"] == "listed in metadata.json but not found"


def test_ciplab_images_stratified_seeded_split(tmp_path):
    root = ciplab_tree(tmp_path / "cip", n_real=20, n_fake=20)
    a = manifest.load(adapters.index("ciplab", root, out=tmp_path / "a.json", seed=1))
    b = manifest.load(adapters.index("ciplab", root, out=tmp_path / "b.json", seed=1))
    c = manifest.load(adapters.index("ciplab", root, out=tmp_path / "c.json", seed=2))
    assert a.items == b.items and a.items != c.items
    assert all(it["kind"] == "image" for it in a.items) and len(a.items) == 40
    for s in ("train", "val", "test"):
        assert {it["label"] for it in a.items if it["split"] == s} == {0, 1}
    assert {it["method"] for it in a.items} == {"real", "fake_easy", "fake_mid", "fake_hard"}


def test_index_is_byte_identical_and_default_path(tmp_path, template):
    root = ffpp_tree(tmp_path / "ff", template, PAIRS, splits=OFFICIAL)
    p1 = adapters.index("ffpp", root)
    t1 = p1.read_bytes()
    p2 = adapters.index("ffpp", root)
    assert p1 == p2 == adapters.default_manifest_path("ffpp", root, "c23", 0)
    assert p2.read_bytes() == t1


def test_placeholders_indexed_without_media_check(tmp_path):
    root = tmp_path / "cdf"
    for rel in ("Celeb-real/id0_0000.mp4", "Celeb-synthesis/id0_id1_0000.mp4", "YouTube-real/00000.mp4"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"")
    m = manifest.load(adapters.index("celebdf", root, check_media=False, hash_files=False))
    assert len(m.items) == 3 and all(it["n_frames"] is None for it in m.items)


@pytest.mark.parametrize("layout,make", [
    ("ffpp", lambda r, t: ffpp_tree(r, t, PAIRS[:1], methods=("Deepfakes",))),
    ("celebdf", lambda r, t: celebdf_tree(r, t, n_ids=2)),
    ("dfdc", lambda r, t: dfdc_tree(r, t, {0: {"a.mp4": ["b.mp4"]}})),
    ("ciplab", lambda r, t: ciplab_tree(r, 2, 2)),
])
def test_detect_layout(tmp_path, template, layout, make):
    assert adapters.detect_layout(make(tmp_path / "root", template)) == layout


def test_root_matching_no_layout_lists_expectations(tmp_path):
    (tmp_path / "videos").mkdir()
    with pytest.raises(adapters.LayoutError) as exc:
        adapters.index(None, tmp_path)
    msg = str(exc.value)
    assert "\n" not in msg
    for layout, expected in adapters.EXPECTS.items():
        assert f"{layout}: {expected}" in msg
    with pytest.raises(adapters.LayoutError, match="does not look like dfdc"):
        adapters.index("dfdc", tmp_path)
    with pytest.raises(adapters.LayoutError, match="known layouts: ffpp, celebdf, dfdc, ciplab"):
        adapters.index("faceforensics", tmp_path)


def test_split_groups_whole_groups_and_fractions():
    groups = [f"g{k}" for k in range(100)] * 3
    a = adapters.split_groups(groups, seed=0)
    assert len(a) == 100
    counts = {s: sum(v == s for v in a.values()) for s in ("train", "val", "test")}
    assert counts == {"train": 70, "val": 15, "test": 15}
    assert adapters.split_groups(groups, seed=0) == a != adapters.split_groups(groups, seed=1)
    small = adapters.split_groups(["x", "y", "z"], seed=0)
    assert sorted(small.values()) == ["test", "train", "val"]
    assert json.dumps(small)  # plain strings
