"""deepfake_lib.demo: geometry, the three manipulations, the jitter flaw, splits, determinism."""

import numpy as np
import pytest

from deepfake_lib import demo, media
from deepfake_lib.manifest import load


@pytest.fixture(scope="module")
def astronaut():
    img = media.skimage_image("astronaut")
    kps = demo.largest(demo.detect([img])[0])
    assert kps is not None
    return img, kps


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    a = demo.build(tmp_path_factory.mktemp("a") / "demo", seed=3, size="tiny", verbose=False)
    b = demo.build(tmp_path_factory.mktemp("b") / "demo", seed=3, size="tiny", verbose=False)
    return a, b


def _similarity(angle, scale, shift):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[scale * c, -scale * s, shift[0]], [scale * s, scale * c, shift[1]]])


def test_similarity_transform_recovers_a_known_map():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (5, 2))
    A = _similarity(0.4, 1.7, (12.0, -3.0))
    np.testing.assert_allclose(demo.similarity_transform(src, demo.apply_affine(A, src)), A, atol=1e-9)
    # least squares: with noise the error is smaller than for the true map's neighbours
    dst = demo.apply_affine(A, src) + rng.normal(0, 0.5, src.shape)
    fit = demo.similarity_transform(src, dst)
    res = ((demo.apply_affine(fit, src) - dst) ** 2).sum()
    assert res <= ((demo.apply_affine(A, src) - dst) ** 2).sum() + 1e-9


def test_fit_to_source_keeps_the_window_inside():
    rng = np.random.default_rng(1)
    for _ in range(50):
        shape = (int(rng.integers(300, 900)), int(rng.integers(300, 900)))
        M = _similarity(rng.uniform(-0.2, 0.2), rng.uniform(0.1, 2.0), rng.uniform(-500, 500, 2))
        F = demo.fit_to_source(M, shape)
        corners = np.array([[0, 0], [demo.FRAME_W, 0], [0, demo.FRAME_H], [demo.FRAME_W, demo.FRAME_H]], float)
        src = demo.apply_affine(demo.invert_affine(F), corners)
        assert (src >= -1e-6).all() and (src[:, 0] <= shape[1] + 1e-6).all() and (src[:, 1] <= shape[0] + 1e-6).all()
        assert np.hypot(*F[:, 0]) >= np.hypot(*M[:, 0]) - 1e-9  # only ever zooms in


def test_face_mask_covers_the_face_and_jitter_moves_it(astronaut):
    img, kps = astronaut
    m = demo.face_mask(kps, img.shape[:2])
    nose = kps[demo.NOSE].round().astype(int)
    assert m[nose[1], nose[0]] == 1 and m[0, 0] == 0 and m[-1, -1] == 0
    bigger = demo.face_mask(kps, img.shape[:2], jitter_axes=(0.1, 0.1))
    assert bigger.sum() > 1.15 * m.sum()
    moved = demo.face_mask(kps, img.shape[:2], jitter_xy=(0.2, 0.0))
    assert moved.sum() == pytest.approx(m.sum(), rel=0.02) and (moved != m).sum() > 100


def test_color_transfer_matches_lab_statistics():
    import cv2

    rng = np.random.default_rng(2)
    src = rng.integers(40, 120, (64, 64, 3), dtype=np.uint8)
    ref = np.clip(rng.normal(150, 20, (64, 64, 3)), 0, 255).astype(np.uint8)
    mask = np.zeros((64, 64), np.float32)
    mask[8:56, 8:56] = 1
    out = demo.color_transfer(src, ref, mask)
    lab = lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2LAB).astype(float)[8:56, 8:56].reshape(-1, 3)
    np.testing.assert_allclose(lab(out).mean(0), lab(ref).mean(0), atol=2.0)
    assert np.abs(lab(out).mean(0) - lab(src).mean(0)).max() > 20


def test_swap_changes_the_face_only(astronaut):
    img, kps = astronaut
    donor = np.ascontiguousarray(img[:, ::-1])            # a different face layout
    dk = kps.copy()
    dk[:, 0] = img.shape[1] - 1 - dk[:, 0]
    dk = dk[[1, 0, 2, 4, 3]]
    out = demo.swap_frame(img, kps, donor, dk)
    mask = demo.face_mask(kps, img.shape[:2])
    ys, xs = np.nonzero(mask)
    diff = np.abs(out.astype(int) - img.astype(int)).sum(-1)
    outside = np.ones_like(diff, bool)
    outside[ys.min() - 2:ys.max() + 3, xs.min() - 2:xs.max() + 3] = False
    assert diff[outside].max() == 0
    assert diff[mask > 0].mean() > 5


def test_reenact_is_identity_at_zero_and_local_otherwise(astronaut):
    img, kps = astronaut
    np.testing.assert_array_equal(demo.reenact_frame(img, kps, 0.0, 0.0), img)
    out = demo.reenact_frame(img, kps, 0.4, 0.3)
    diff = np.abs(out.astype(int) - img.astype(int)).sum(-1)
    mouth = ((kps[demo.ML] + kps[demo.MR]) / 2).round().astype(int)
    win = diff[mouth[1] - 10:mouth[1] + 11, mouth[0] - 15:mouth[0] + 16]
    assert win.mean() > 5
    assert diff[:60].max() == 0 and diff[-60:].max() == 0


def test_texture_smooths_the_face(astronaut):
    import cv2

    img, kps = astronaut
    out = demo.texture_frame(img, kps, factor=3.0, noise=0.0, rng=np.random.default_rng(0))
    m = demo.face_mask(kps, img.shape[:2]) > 0.99
    lap = lambda x: np.abs(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_64F))[m].mean()
    assert lap(out) < 0.7 * lap(img)
    np.testing.assert_array_equal(out[:40], img[:40])


@pytest.mark.parametrize("method", demo.METHODS)
def test_jitter_strength_raises_frame_to_frame_flicker(astronaut, method):
    img, kps = astronaut
    clip = demo.photo_clip("astronaut", "astronaut", img, kps, 8, demo._rng(0, "clip"))
    donor = demo.photo_clip("d", "d", np.ascontiguousarray(img[::-1, ::-1]), kps * -1 + 511, 8,
                            demo._rng(0, "donor"))
    donor.kps = donor.kps[:, [1, 0, 2, 4, 3]]
    real = [clip.render(t).astype(float) for t in range(8)]

    def flicker(j):
        fake = demo.manipulate(clip, method, demo._rng(0, method), jitter=j, donor=donor)
        res = [f.astype(float) - r for f, r in zip(fake, real)]
        return np.mean([np.abs(b - a).mean() for a, b in zip(res, res[1:])])

    assert flicker(3.0) > 1.2 * flicker(0.0)


def test_splits_are_identity_disjoint_and_seeded():
    names = [f"p{i}" for i in range(13)]
    s0, s1 = demo.assign_splits(names, 0), demo.assign_splits(names, 0)
    assert s0 == s1 and set(s0) == set(names)
    counts = {k: list(s0.values()).count(k) for k in ("train", "val", "test")}
    assert counts["val"] >= 2 and counts["test"] >= 2 and counts["train"] >= 6
    assert demo.assign_splits(names, 1) != s0


def test_build_is_deterministic_and_disjoint(tiny):
    a, b = tiny
    ma, mb = load(a), load(b)
    assert ma.items == mb.items and ma.meta == mb.meta and ma.skipped == mb.skipped
    assert ma.split_kind == "video+identity-disjoint"
    items = {it["id"]: it for it in ma.items}
    labels = [it["label"] for it in ma.items]
    assert labels.count(0) == labels.count(1) == 6 and not ma.skipped
    by_split = {}
    for it in ma.items:
        by_split.setdefault(it["split"], set()).add(it["identity"])
        assert len(it["sha256"]) == 64 and len(it["frames_sha256"]) == 64
        assert it["n_frames"] == demo.SIZES["tiny"]["clip_len"]
        if it["label"] == 1:
            assert it["method"] in demo.METHODS and items[it["original"]]["split"] == it["split"]
            if it["method"] == "swap":
                assert it["donor_identity"] != it["identity"]
                assert ma.meta["splits"][it["donor_identity"]] == it["split"]
    sets = list(by_split.values())
    assert all(not (x & y) for i, x in enumerate(sets) for y in sets[i + 1:])
    assert "not comparable" in ma.meta["comparability"]
    assert all("terms" in v for v in ma.meta["sources"].values())


def test_videos_decode_to_the_recorded_frames(tiny):
    import cv2

    m = load(tiny[0])
    it = m.items[0]
    frames, _ = demo.read_video(m.abspath(it))
    assert len(frames) == it["n_frames"] and frames[0].shape == (demo.FRAME_H, demo.FRAME_W, 3)
    assert demo.frames_sha256(frames) == it["frames_sha256"]
    crop = cv2.imread(str(m.abspath({"path": f"{it['crops']}/{it['crop_frames'][0]:03d}.png"})))
    assert crop.shape == (demo.CROP_SIZE, demo.CROP_SIZE, 3)


def test_rebuild_reuses_an_identical_build(tiny):
    a, _ = tiny
    before = a.stat().st_mtime_ns
    assert demo.build(a.parent, seed=3, size="tiny", verbose=False) == a
    assert a.stat().st_mtime_ns == before
    assert not list(a.parent.parent.glob("*.part-*"))
    with pytest.raises(KeyError, match="known"):
        demo.build(a.parent, size="huge")


def test_video_without_a_face_is_skipped_with_a_reason(tmp_path):
    files = media.fetch()
    skipped = []
    clips = demo._video_clips("nobody", ("no_face.mp4",), files, 1, 8, 0.45, demo._rng(0), skipped)
    assert clips == []
    assert any(p == "no_face.mp4" and "no face" in r for p, r in skipped)
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(media.MediaError, match="zero.mp4"):
        demo.read_video(tmp_path / "zero.mp4")
    (tmp_path / "cut.mp4").write_bytes(files["single_face.mp4"].read_bytes()[:5000])  # truncated
    skipped = []
    files = {"zero.mp4": tmp_path / "zero.mp4", "cut.mp4": tmp_path / "cut.mp4"}
    assert demo._video_clips("x", ("zero.mp4", "cut.mp4"), files, 1, 8, 0.45, demo._rng(0), skipped) == []
    reasons = dict(skipped)
    assert "zero.mp4" in reasons["zero.mp4"] and "cut.mp4" in reasons and "x" in reasons


def test_methods_cycle_within_each_split():
    names = [f"p{i}" for i in range(13)]
    split = demo.assign_splits(names, 0)
    for R in (1, 4):
        kinds = demo.assign_methods({n: R for n in names}, split)
        assert set(kinds) == {(n, j) for n in names for j in range(R)}
        for s in ("train", "val", "test"):
            c = [k for (n, _), k in kinds.items() if split[n] == s]
            per = [c.count(m) for m in demo.METHODS]
            assert max(per) - min(per) <= 1
        if R >= 3:
            assert all(len({kinds[n, j] for j in range(3)}) == 3 for n in names)


def test_carried_keypoints_match_mtcnn_on_rendered_frames(astronaut):
    img, kps = astronaut
    clip = demo.photo_clip("astronaut", "astronaut", img, kps, 6, demo._rng(5, "kp"))
    found = demo.detect([clip.render(t) for t in range(6)])
    gaps = [np.abs(demo.largest(f) - k).max() for f, k in zip(found, clip.out_kps())]
    assert max(gaps) < 4.0
