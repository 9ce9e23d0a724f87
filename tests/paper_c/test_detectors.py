"""The face-detector comparison's scoring: a box on the known face, false positives, verdict."""

import numpy as np

from deepfake_lib.paper_c import detectors

FACE = (np.array([100.0, 80.0]), (20.0, 30.0), 0.0)      # centre, half width/height, angle


def test_on_face_needs_the_centre_inside_and_a_plausible_size():
    assert detectors.on_face(np.array([80, 50, 120, 110.0]), FACE)
    assert not detectors.on_face(np.array([0, 0, 40, 60.0]), FACE)            # elsewhere
    assert not detectors.on_face(np.array([95, 75, 105, 85.0]), FACE)         # far too small
    assert not detectors.on_face(np.array([-100, -120, 300, 280.0]), FACE)    # far too large
    assert not detectors.on_face(np.array([80, 50, 120, 110.0]), None)        # no face there
    rotated = (FACE[0], FACE[1], 90.0)                                       # ellipse lies flat
    assert detectors.on_face(np.array([105, 50, 145, 110.0]), rotated)
    assert not detectors.on_face(np.array([105, 50, 145, 110.0]), FACE)


def test_scoring_counts_false_positives_and_the_largest_box():
    boxes = [np.array([[80, 50, 120, 110.0], [0, 0, 10, 10.0]]),   # right, one false positive
             np.array([[0, 0, 60, 60.0], [85, 60, 115, 100.0]]),   # largest box is wrong
             np.zeros((0, 4)),                                     # missed
             np.zeros((0, 4)),                                     # no face, nothing: right
             np.array([[5, 5, 30, 30.0]])]                         # no face, a detection
    right, fps = detectors._score(boxes, [FACE, FACE, FACE, None, None])
    assert right.tolist() == [True, False, False, True, False]
    assert fps.tolist() == [1, 1, 0, 0, 1]


def _result(per_clip, mtcnn_s=1.0, cascade_s=5.0):
    return {"MTCNN": {"seconds": mtcnn_s}, "LBP cascade": {"seconds": cascade_s},
            "per_clip": {f"c{i}": {"MTCNN": a, "LBP cascade": b} for i, (a, b) in enumerate(per_clip)}}


def test_verdict_needs_both_accuracy_and_speed():
    better = [(1.0, 0.5), (1.0, 0.6), (0.9, 0.4), (1.0, 0.5), (1.0, 0.7)]
    assert detectors.detector_verdict(_result(better))["holds"] is True
    assert detectors.detector_verdict(_result(better, 5.0, 1.0))["holds"] is False      # slower
    assert detectors.detector_verdict(_result(better, 1.0, 1.2))["holds"] is None       # speed undecided
    worse = [(b, a) for a, b in better]
    assert detectors.detector_verdict(_result(worse))["holds"] is False
    tied = [(1.0, 1.0)] * 5
    assert detectors.detector_verdict(_result(tied))["accuracy"] is None
