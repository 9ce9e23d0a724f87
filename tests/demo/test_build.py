"""deepfake_lib.demo: geometry, the three manipulations, folds and splits, determinism."""

import numpy as np
import pytest

from deepfake_lib.data import media, video
from deepfake_lib.data.manifest import load
from deepfake_lib.demo import build, geometry, manipulations, render, sources


@pytest.fixture(scope="module")
def astronaut():
    img = media.skimage_image("astronaut")
    kps = sources.largest(sources.detect([img])[0])
    assert kps is not None
    return img, kps


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    a = build.build(tmp_path_factory.mktemp("a") / "demo", seed=3, size="tiny", verbose=False)
    b = build.build(tmp_path_factory.mktemp("b") / "demo", seed=3, size="tiny", verbose=False)
    return a, b


def _similarity(angle, scale, shift):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[scale * c, -scale * s, shift[0]], [scale * s, scale * c, shift[1]]])


def test_similarity_transform_recovers_a_known_map():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (5, 2))
    A = _similarity(0.4, 1.7, (12.0, -3.0))
    np.testing.assert_allclose(geometry.similarity_transform(src, geometry.apply_affine(A, src)), A, atol=1e-9)
    # least squares: with noise the error is smaller than for the true map's neighbours
    dst = geometry.apply_affine(A, src) + rng.normal(0, 0.5, src.shape)
    fit = geometry.similarity_transform(src, dst)
    res = ((geometry.apply_affine(fit, src) - dst) ** 2).sum()
    assert res <= ((geometry.apply_affine(A, src) - dst) ** 2).sum() + 1e-9


def test_fit_to_source_keeps_the_window_inside():
    rng = np.random.default_rng(1)
    for _ in range(50):
        shape = (int(rng.integers(300, 900)), int(rng.integers(300, 900)))
        M = _similarity(rng.uniform(-0.2, 0.2), rng.uniform(0.1, 2.0), rng.uniform(-500, 500, 2))
        F = render.fit_to_source(M, shape)
        corners = np.array([[0, 0], [render.FRAME_W, 0], [0, render.FRAME_H], [render.FRAME_W, render.FRAME_H]], float)
        src = geometry.apply_affine(geometry.invert_affine(F), corners)
        assert (src >= -1e-6).all() and (src[:, 0] <= shape[1] + 1e-6).all() and (src[:, 1] <= shape[0] + 1e-6).all()
        assert np.hypot(*F[:, 0]) >= np.hypot(*M[:, 0]) - 1e-9  # only ever zooms in


def test_face_mask_covers_the_face_and_jitter_moves_it(astronaut):
    img, kps = astronaut
    m = geometry.face_mask(kps, img.shape[:2])
    nose = kps[geometry.NOSE].round().astype(int)
    assert m[nose[1], nose[0]] == 1 and m[0, 0] == 0 and m[-1, -1] == 0
    bigger = geometry.face_mask(kps, img.shape[:2], jitter_axes=(0.1, 0.1))
    assert bigger.sum() > 1.15 * m.sum()
    moved = geometry.face_mask(kps, img.shape[:2], jitter_xy=(0.2, 0.0))
    assert moved.sum() == pytest.approx(m.sum(), rel=0.02) and (moved != m).sum() > 100


def test_color_transfer_matches_lab_statistics():
    import cv2

    rng = np.random.default_rng(2)
    src = rng.integers(40, 120, (64, 64, 3), dtype=np.uint8)
    ref = np.clip(rng.normal(150, 20, (64, 64, 3)), 0, 255).astype(np.uint8)
    mask = np.zeros((64, 64), np.float32)
    mask[8:56, 8:56] = 1
    out = manipulations.color_transfer(src, ref, mask)
    lab = lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2LAB).astype(float)[8:56, 8:56].reshape(-1, 3)
    np.testing.assert_allclose(lab(out).mean(0), lab(ref).mean(0), atol=2.0)
    assert np.abs(lab(out).mean(0) - lab(src).mean(0)).max() > 20


def test_swap_changes_the_face_only(astronaut):
    img, kps = astronaut
    donor = np.ascontiguousarray(img[:, ::-1])            # a different face layout
    dk = kps.copy()
    dk[:, 0] = img.shape[1] - 1 - dk[:, 0]
    dk = dk[[1, 0, 2, 4, 3]]
    out = manipulations.swap_frame(img, kps, donor, dk)
    mask = geometry.face_mask(kps, img.shape[:2])
    ys, xs = np.nonzero(mask)
    diff = np.abs(out.astype(int) - img.astype(int)).sum(-1)
    outside = np.ones_like(diff, bool)
    outside[ys.min() - 2:ys.max() + 3, xs.min() - 2:xs.max() + 3] = False
    assert diff[outside].max() == 0
    assert diff[mask > 0].mean() > 5


def test_reenact_is_identity_at_zero_and_local_otherwise(astronaut):
    img, kps = astronaut
    np.testing.assert_array_equal(manipulations.reenact_frame(img, kps, 0.0, 0.0), img)
    out = manipulations.reenact_frame(img, kps, 0.4, 0.3)
    diff = np.abs(out.astype(int) - img.astype(int)).sum(-1)
    mouth = ((kps[geometry.ML] + kps[geometry.MR]) / 2).round().astype(int)
    win = diff[mouth[1] - 10:mouth[1] + 11, mouth[0] - 15:mouth[0] + 16]
    assert win.mean() > 5
    assert diff[:60].max() == 0 and diff[-60:].max() == 0


def test_texture_smooths_the_face(astronaut):
    import cv2

    img, kps = astronaut
    out = manipulations.texture_frame(img, kps, factor=3.0, noise=0.0, rng=np.random.default_rng(0))
    m = geometry.face_mask(kps, img.shape[:2]) > 0.99
    lap = lambda x: np.abs(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_64F))[m].mean()
    assert lap(out) < 0.7 * lap(img)
    np.testing.assert_array_equal(out[:40], img[:40])


def test_folds_are_identity_disjoint_seeded_and_give_the_splits():
    names = [f"p{i}" for i in range(42)]
    f0 = build.assign_folds(names, 0)
    assert f0 == build.assign_folds(names, 0) and set(f0) == set(names)
    sizes = np.bincount(list(f0.values()))
    assert len(sizes) == build.K_FOLDS and sizes.max() - sizes.min() <= 1
    assert build.assign_folds(names, 1) != f0
    splits = {n: build.split_of_fold(k) for n, k in f0.items()}
    counts = {s: list(splits.values()).count(s) for s in ("train", "val", "test")}
    assert counts["test"] == sizes[0] and counts["val"] == sizes[1] and counts["train"] == sizes[2:].sum()
    few = build.assign_folds(names[:6], 0)          # at least two identities per fold
    assert np.bincount(list(few.values())).min() >= 2


def test_build_is_deterministic_and_disjoint(tiny):
    a, b = tiny
    ma, mb = load(a), load(b)
    assert ma.items == mb.items and ma.meta == mb.meta and ma.skipped == mb.skipped
    assert ma.split_kind == "video+identity-disjoint"
    items = {it["id"]: it for it in ma.items}
    labels = [it["label"] for it in ma.items]
    assert labels.count(0) == labels.count(1) == 6 and not ma.skipped
    by_split, by_fold = {}, {}
    for it in ma.items:
        by_split.setdefault(it["split"], set()).add(it["identity"])
        by_fold.setdefault(it["fold"], set()).add(it["identity"])
        assert it["fold"] == ma.meta["folds"][it["identity"]]
        assert it["split"] == build.split_of_fold(it["fold"]) == ma.meta["splits"][it["identity"]]
        assert len(it["sha256"]) == 64 and len(it["frames_sha256"]) == 64
        assert it["n_frames"] == build.SIZES["tiny"]["clip_len"]
        if it["label"] == 1:
            assert it["method"] in manipulations.METHODS and items[it["original"]]["fold"] == it["fold"]
            assert it["strength"] == list(ma.meta["settings"]["strengths"][it["method"]])
            if it["method"] == "swap":
                assert it["donor_identity"] != it["identity"]
                assert ma.meta["folds"][it["donor_identity"]] == it["fold"]
    for groups in (by_split, by_fold):
        sets = list(groups.values())
        assert all(not (x & y) for i, x in enumerate(sets) for y in sets[i + 1:])
    assert "not comparable" in ma.meta["comparability"]
    assert all(v["terms"] and len(v["sha256"]) == 64 for v in ma.meta["sources"].values())
    used = {n for i in ma.meta["identities"].values() for n in i["media"]}
    assert used == set(ma.meta["sources"])


def test_videos_decode_to_the_recorded_frames(tiny):
    import cv2

    m = load(tiny[0])
    it = m.items[0]
    frames, _ = video.read_video(m.abspath(it))
    assert len(frames) == it["n_frames"] and frames[0].shape == (render.FRAME_H, render.FRAME_W, 3)
    assert build.frames_sha256(frames) == it["frames_sha256"]
    crop = cv2.imread(str(m.abspath({"path": f"{it['crops']}/{it['crop_frames'][0]:03d}.png"})))
    assert crop.shape == (render.CROP_SIZE, render.CROP_SIZE, 3)


def test_rebuild_reuses_an_identical_build(tiny):
    a, _ = tiny
    before = a.stat().st_mtime_ns
    assert build.build(a.parent, seed=3, size="tiny", verbose=False) == a
    assert a.stat().st_mtime_ns == before
    assert not list(a.parent.parent.glob("*.part-*"))
    with pytest.raises(KeyError, match="known"):
        build.build(a.parent, size="huge")


def test_a_different_strength_is_a_different_build(tiny, tmp_path):
    a, _ = tiny
    b = build.build(tmp_path / "demo", seed=3, size="tiny", verbose=False, jitter=0.0)
    ma, mb = load(a), load(b)
    assert mb.meta["settings"]["strengths"]["swap"][1] == 0.0 != ma.meta["settings"]["strengths"]["swap"][1]
    reals = lambda m: {it["id"]: it["frames_sha256"] for it in m.items if it["label"] == 0}
    fakes = lambda m: {it["id"]: it["frames_sha256"] for it in m.items if it["label"] == 1}
    assert reals(ma) == reals(mb)                       # the real twins do not change
    assert all(fakes(ma)[k] != v for k, v in fakes(mb).items())


def test_methods_cycle_within_each_split():
    names = [f"p{i}" for i in range(13)]
    folds = build.assign_folds(names, 0)
    for R in (1, 3, 4):
        kinds = build.assign_methods({n: R for n in names}, folds)
        assert set(kinds) == {(n, j) for n in names for j in range(R)}
        for s in ("train", "val", "test"):
            c = [k for (n, _), k in kinds.items() if build.split_of_fold(folds[n]) == s]
            per = [c.count(m) for m in manipulations.METHODS]
            assert max(per) - min(per) <= 1
        if R >= 3:
            assert all(len({kinds[n, j] for j in range(3)}) == 3 for n in names)


def test_carried_keypoints_match_mtcnn_on_rendered_frames(astronaut):
    img, kps = astronaut
    clip = render.photo_clip("astronaut", "astronaut", img, kps, 6, render._rng(5, "kp"))
    found = sources.detect([clip.render(t) for t in range(6)])
    gaps = [np.abs(sources.largest(f) - k).max() for f, k in zip(found, clip.out_kps())]
    assert max(gaps) < 4.0
