"""Tests of deepfake_lib.paper_b.clips: the 1-second clip plan (every whole second of a video,
a bound on the clips read, a video longer than the bound is never dropped) and the reading
of a long synthetic video, with a video that yields no clip recorded in the manifest."""

import numpy as np
import pytest

from deepfake_lib.data import manifest
from deepfake_lib.data.video import UnusableFile, write_video
from deepfake_lib.paper_b import clips


def test_plan_takes_frames_inside_each_second():
    plan = clips.clip_plan(n_total=75, fps=25, frames_per_clip=4, max_clips=10)
    assert len(plan) == 3                                          # three whole seconds
    for second, c in enumerate(plan):
        assert len(c) == 4 and np.all(np.diff(c) > 0)
        assert np.all(c // 25 == second)


def test_a_trailing_partial_second_is_no_clip_and_a_short_video_gives_one():
    assert len(clips.clip_plan(60, 25, 4, 10)) == 2                # 2.4 s: two clips
    short = clips.clip_plan(16, 25, 4, 10)                         # 0.64 s: one clip
    assert len(short) == 1 and short[0].max() < 16
    assert clips.clip_plan(3, 25, 4, 10) == []                     # fewer frames than a clip
    assert clips.clip_plan(100, 3, 4, 10) == []                    # 3 fps: no 4 frames in 1 s


@pytest.mark.parametrize("seconds", [16, 20, 22, 30, 300])
def test_long_videos_keep_the_bound_and_are_never_dropped(seconds):
    """With the full profile's 64 frames and 4 per clip, every video of 16 s or more gives
    16 clips (spread over the whole video), where spreading 64 frames over the video and
    grouping them by second gave 16, 4, 0, 0, 0."""
    plan = clips.clip_plan(seconds * 25, 25, 4, 64 // 4)
    assert len(plan) == 16
    firsts = np.array([c[0] // 25 for c in plan])
    assert firsts[0] < seconds / 16 and firsts[-1] >= seconds - 1 - seconds / 16  # whole video
    assert len(set(firsts)) == 16                                  # 16 different seconds


def _manifest(tmp_path, videos):
    m = manifest.Manifest(layout="demo", root=str(tmp_path))
    for i, (name, n, fps) in enumerate(videos):
        frames = [np.full((48, 64, 3), (7 * t) % 256, np.uint8) for t in range(n)]
        for f, t in zip(frames, range(n)):
            f[8:24, 8 + t % 30:24 + t % 30] = 255                  # something that moves
        write_video(tmp_path / f"{name}.mp4", frames, fps=fps)
        m.add(id=name, path=f"{name}.mp4", label=i % 2, method="real" if i % 2 == 0 else "x",
              kind="video", n_frames=n, fps=fps, split="train")
    return m.write(tmp_path / "manifest.json")


def test_a_long_video_reads_bounded_clips_and_a_useless_one_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path / "cache"))
    path = _manifest(tmp_path, [("long", 300, 10.0), ("tiny", 2, 10.0)])   # 30 s and 0.2 s
    cs = clips.load_clips(path, frames_per_clip=4, size=16, max_frames=64, crop="frame")
    assert cs.X.shape == (16, 4, 16, 16, 3) and cs.X.dtype == np.uint8
    assert cs.meta["per_video"] == {"long": 16}
    assert set(cs.video) == {"long"} and (cs.y == 0).all()
    (skip,) = cs.meta["skipped"]
    assert skip["id"] == "tiny" and "no clip of 4 frames" in skip["reason"]
    recorded = manifest.load(path).skipped
    assert [s["path"] for s in recorded] == ["tiny.mp4"] and "2 frames" in recorded[0]["reason"]
    again = clips.load_clips(path, frames_per_clip=4, size=16, max_frames=64, crop="frame")
    np.testing.assert_array_equal(again.X, cs.X)                   # from the cache, the same
    assert len(manifest.load(path).skipped) == 1                   # recorded once


def test_bad_parameters_and_a_missing_file_give_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="crop must be one of"):
        clips.video_clips(tmp_path / "x.mp4", {"n_frames": 50, "fps": 25}, 4, 16, 2, crop="box")
    with pytest.raises(UnusableFile, match="x.mp4: file not found"):
        clips.video_clips(tmp_path / "x.mp4", {"n_frames": 50, "fps": 25}, 4, 16, 2)
    path = _manifest(tmp_path, [("a", 30, 10.0)])
    with pytest.raises(ValueError, match="reads no clip"):
        clips.load_clips(path, frames_per_clip=4, size=16, max_frames=3)
