"""Xception features: the backbone's checks and the per-video cache (an interrupted
extraction keeps every finished video; a rerun computes only the rest)."""

import numpy as np
import pytest

pytest.importorskip("keras")

from deepfake_lib.paper_c import features


def crops(n=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 255, size=(n, 3, 40, 40, 3), dtype=np.uint8)
    mask = np.ones((n, 3), bool)
    mask[0, 2] = False
    mask[1, 1] = False
    return X, mask


def entries(root):
    return sorted((root / "features").rglob("*.npz"))


def test_features_are_cached_per_video(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path))
    X, mask = crops(2)
    f1, n1 = features.sequence_features(X, mask, input_size=71)
    f2, n2 = features.sequence_features(X, mask, input_size=71)
    assert (n1, n2) == (0, 2) and f1.shape == (2, 3, 2048)
    np.testing.assert_array_equal(f1, f2)
    assert (f1[~mask] == 0).all() and np.isfinite(f1).all() and np.abs(f1[mask]).sum() > 0
    assert len(entries(tmp_path)) == 2                        # one entry per video
    f3, n3 = features.sequence_features(X[::-1], mask[::-1], input_size=71)   # keyed by content
    assert n3 == 2
    np.testing.assert_array_equal(f3, f1[::-1])
    _, n4 = features.sequence_features(X, mask, input_size=71, seed=1)       # another backbone
    assert n4 == 0


def test_interrupted_extraction_keeps_the_finished_videos(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path))
    X, mask = crops(5)
    calls = {"n": 0}
    real = features.extract_features

    def crash_on_third_chunk(frames, backbone, batch_size=32):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(frames, backbone, batch_size)

    monkeypatch.setattr(features, "extract_features", crash_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        features.sequence_features(X, mask, input_size=71, batch_size=3)   # one video per chunk
    assert len(entries(tmp_path)) == 2
    monkeypatch.setattr(features, "extract_features", real)
    f, n_cached = features.sequence_features(X, mask, input_size=71, batch_size=3)
    assert n_cached == 2 and len(entries(tmp_path)) == 5
    fresh, _ = features.sequence_features(X, mask, input_size=71, cache=False)
    np.testing.assert_allclose(f, fresh, atol=1e-5)


def test_a_corrupt_entry_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path))
    X, mask = crops(2)
    f1, _ = features.sequence_features(X, mask, input_size=71)
    entries(tmp_path)[0].write_bytes(b"not an npz")
    f2, n = features.sequence_features(X, mask, input_size=71)
    assert n == 1
    # The recomputed video runs through Xception in a batch of one instead of two: oneDNN's
    # float32 sums may then differ in the last bits (seen: 9e-12 absolute on 1e-5 values).
    np.testing.assert_allclose(f1, f2, rtol=1e-5, atol=1e-9)


def test_backbone_rejects_small_input_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="71"):
        features.xception_backbone(32)
    with pytest.raises(FileNotFoundError, match="nope"):
        features.xception_backbone(71, str(tmp_path / "nope.weights.h5"))


def test_default_input_size_is_keras_xception_default():
    """299 px is the Keras Xception default (the paper gives only its 256 x 256 crops)."""
    import inspect

    assert inspect.signature(features.xception_backbone).parameters["input_size"].default == 299


def test_onet_features_have_the_stated_shape_and_are_deterministic():
    """O-Net's penultimate layer: (N, 256) float32, finite, the same twice, and not constant
    across different crops (the shipped weights are loaded, not a random build)."""
    pytest.importorskip("mtcnn")
    X, _ = crops(2)
    frames = X.reshape(-1, 40, 40, 3)
    a = features.onet_features(frames)
    b = features.onet_features(frames, features.onet_backbone())
    assert a.shape == (len(frames), features.ONET_DIM) and a.dtype == np.float32
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert np.abs(a[0] - a[1]).max() > 0


def test_sequence_features_with_onet(tmp_path, monkeypatch):
    pytest.importorskip("mtcnn")
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path))
    X, mask = crops(2)
    f1, n1 = features.sequence_features(X, mask, input_size=71, extractor="onet")
    f2, n2 = features.sequence_features(X, mask, input_size=71, extractor="onet")
    assert (n1, n2) == (0, 2) and f1.shape == (2, 3, features.ONET_DIM)
    np.testing.assert_array_equal(f1, f2)
    assert (f1[~mask] == 0).all() and np.abs(f1[mask]).sum() > 0
    with pytest.raises(ValueError, match="unknown extractor"):
        features.sequence_features(X, mask, input_size=71, extractor="vgg")
