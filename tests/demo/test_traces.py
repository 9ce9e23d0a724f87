"""deepfake_lib.demo.traces: the strengths do what they say (0 = none; the traces grow with them)."""

import numpy as np
import pytest

from deepfake_lib.data import media, video
from deepfake_lib.demo import geometry, manipulations, page, render, sources, traces
from deepfake_lib.demo.traces import Strength


@pytest.fixture(scope="module")
def clip():
    path = media.fetch_package("scikit-image")["astronaut.png"]
    kps = sources.largest(sources.photo_faces(path, media.sources()["astronaut.png"]["sha256"]))
    return render.photo_clip("astronaut", "astronaut.png", video.read_image(path), kps, 6, render._rng(0, "t"))


def test_chosen_strengths_are_documented_and_recorded():
    assert set(traces.STRENGTHS) == set(manipulations.METHODS) == set(traces.FRAME_WEIGHTS)
    doc = " ".join(traces.__doc__.split())
    for m, s in traces.STRENGTHS.items():
        assert s.frame > 0 and s.temporal > 0
        assert f"{m} ({s.frame}, {s.temporal})" in doc     # the module says which
    assert "builds with seed 1, never on the book's (seed 0)" in doc


def test_zero_strengths_leave_the_bare_manipulation(clip):
    frames = [clip.render(t) for t in range(len(clip.frames))]
    kps = clip.out_kps()
    fakes = manipulations.manipulate(clip, "reenact", render._rng(1, "z"), Strength(0.0, 0.0), frames=frames)
    rng = render._rng(1, "z")
    mouth = 0.25 + 0.2 * render.smooth_path(rng, len(frames), freq=(0.4, 1.2))
    eyes = 0.2 + 0.15 * render.smooth_path(rng, len(frames), freq=(0.3, 1.0))
    for t, f in enumerate(fakes):       # no jitter, no per-frame trace: the warp alone
        np.testing.assert_array_equal(f, manipulations.reenact_frame(frames[t], kps[t], mouth[t], eyes[t]))
    trace = traces.draw_frame_trace(np.random.default_rng(0), "swap", 0.0)
    assert not trace.active and trace.jpeg_q is None and trace.blur == 1.0 and not trace.lab.any()
    jit = traces.frame_jitter(np.random.default_rng(0), 0.0)
    assert traces.apply_frame_trace(frames[0], kps[0], trace, jit) is frames[0]
    assert not any(np.any(v) for k, v in jit.items() if k != "gain") and (jit["gain"] == 1).all()


def test_frame_trace_draw_follows_its_strength():
    for method in manipulations.METHODS:
        draws = [traces.draw_frame_trace(np.random.default_rng(5), method, s) for s in (0.5, 1.0, 2.0)]
        assert [d.blur for d in draws] == sorted(d.blur for d in draws) and draws[0].blur > 1
        assert [d.jpeg_q for d in draws] == sorted((d.jpeg_q for d in draws), reverse=True)
        norms = [np.linalg.norm(d.lab) for d in draws]
        assert norms == sorted(norms) and norms[0] > 0


@pytest.mark.parametrize("method", manipulations.METHODS)
def test_both_traces_grow_with_their_strength(clip, method):
    per_frame = [page.trace_sizes(clip, method, Strength(s, 0.0))["frame_trace"] for s in (0.0, 0.5, 1.0, 2.0)]
    assert per_frame[0] == 0.0
    assert all(b > a for a, b in zip(per_frame, per_frame[1:])), per_frame
    flicker = [page.trace_sizes(clip, method, Strength(0.0, s))["flicker"] for s in (0.0, 0.5, 1.0, 2.0)]
    assert all(b > a for a, b in zip(flicker, flicker[1:])), flicker


def test_frame_trace_blurs_the_face_and_leaves_the_rest(clip):
    import cv2

    frame, kps = clip.render(0), clip.out_kps()[0]
    trace = traces.FrameTrace(blur=3.0, jpeg_q=None, lab=np.zeros(3))
    out = traces.apply_frame_trace(frame, kps, trace, traces.frame_jitter(np.random.default_rng(0), 0.0))
    inner = geometry.face_mask(kps, frame.shape[:2]) > 0.99
    lap = lambda x: np.abs(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_64F))[inner].mean()
    assert lap(out) < 0.6 * lap(frame)
    x0, y0, x1, y1 = geometry.face_roi(kps, frame.shape[:2], grow=1.3)
    outside = np.ones(frame.shape[:2], bool)
    outside[y0:y1, x0:x1] = False
    np.testing.assert_array_equal(out[outside], frame[outside])
    shifted = traces.apply_frame_trace(frame, kps, traces.FrameTrace(1.0, None, np.array([8.0, 0, 0])),
                                       traces.frame_jitter(np.random.default_rng(0), 0.0))
    assert shifted[inner].astype(float).mean() > frame[inner].astype(float).mean() + 4   # brighter (L + 8)
