"""deepfake_lib.demo.controls: out-of-fold scoring, identity intervals, shuffled-label controls."""

import json

import numpy as np
import pytest

from deepfake_lib.core.stats import bootstrap_metric
from deepfake_lib.data.manifest import Manifest, load
from deepfake_lib.demo import build, controls, learnability


def _crops(rng, n_ident=24, T=4, S=32, blur=True, flicker=0.0):
    """Synthetic face crops: per identity one real video (a still random texture) and one fake
    (the same texture, its centre blurred when ``blur``, every frame offset by +-``flicker``)."""
    import cv2

    X, y, ids, idents, methods = [], [], [], [], []
    for i in range(n_ident):
        base = rng.integers(30, 220, (S, S, 3)).astype(np.uint8)
        for label in (0, 1):
            v = np.repeat(base[None], T, 0).astype(float)
            if label and blur:
                c = slice(S // 4, 3 * S // 4)
                v[:, c, c] = cv2.GaussianBlur(base, (0, 0), 2.0)[c, c]
            if label and flicker:
                v += rng.choice([-flicker, flicker], (T, 1, 1, 1))
            X.append(np.clip(v, 0, 255).astype(np.uint8))
            y.append(label)
            ids.append(f"{'fake' if label else 'real'}_{i}")
            idents.append(f"p{i}")
            methods.append("blur" if label else "real")
    folds = build.assign_folds([f"p{i}" for i in range(n_ident)], 0)
    return controls.Crops(X=np.stack(X), mask=np.ones((2 * n_ident, T), bool), y=np.array(y), ids=np.array(ids),
                          identities=np.array(idents), methods=np.array(methods),
                          folds=np.array([folds[g] for g in idents]), source="synthetic")


def test_rank_auc_is_sklearns():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(7)
    for _ in range(20):
        y = rng.integers(0, 2, 40)
        s = rng.integers(0, 6, 40) + rng.normal(0, 0.1, 40) * rng.integers(0, 2)   # ties, sometimes
        assert controls._auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert np.isnan(controls._auc(np.ones(5), np.arange(5)))


def test_every_video_is_scored_by_a_fit_that_never_saw_its_fold():
    crops = _crops(np.random.default_rng(0), flicker=3.0)
    F = controls.features_of(crops)
    assert F["per-frame"].shape == (len(crops.y), 4, len(learnability.FRAME_FEATURES))
    assert F["temporal"].shape == (len(crops.y), len(learnability.FEATURES))
    assert F["temporal-only"].shape == (len(crops.y), len(learnability.TEMPORAL_ONLY))
    base = controls.out_of_fold(F, crops.mask, crops.y, crops.folds)
    for k in np.unique(crops.folds):
        flipped = np.where(crops.folds == k, 1 - crops.y, crops.y)   # fold k's labels changed
        again = controls.out_of_fold(F, crops.mask, flipped, crops.folds)
        for c in F:
            np.testing.assert_allclose(again[c][crops.folds == k], base[c][crops.folds == k])
            assert not np.allclose(again[c][crops.folds != k], base[c][crops.folds != k])


def test_controls_find_the_signal_and_the_shuffled_labels_sit_at_chance():
    crops = _crops(np.random.default_rng(1), flicker=6.0)
    r = controls.evaluate(crops, seed=0, n_boot=200, n_shuffles=8)
    assert r["auc"]["per-frame"]["all"]["auc"] > 0.9 and r["auc"]["temporal"]["blur"]["auc"] > 0.9
    for c in controls.CONTROLS:
        assert abs(r["shuffled"][c]["all"]["mean"] - 0.5) < 0.15, (c, r["shuffled"][c])
        a = r["auc"][c]["all"]
        assert a["ci_low"] <= a["auc"] <= a["ci_high"]
    # the interval resamples identities, through the one bootstrap of core.stats
    lo, hi = bootstrap_metric(crops.y, r["scores"]["per-frame"], controls._auc, groups=crops.identities,
                              n_boot=200, seed=0)
    assert (lo, hi) == (r["auc"]["per-frame"]["all"]["ci_low"], r["auc"]["per-frame"]["all"]["ci_high"])
    d = r["difference"]["all"]
    assert d["half_width"] == pytest.approx((d["ci_high"] - d["ci_low"]) / 2) and "groups" in d["method"]
    assert r["n"] == {"videos": 48, "fakes": 24, "identities": 24, "folds": 5, "frames_per_video": 4,
                      "crop_size": 32}
    json.dumps(controls.summary(r))
    table = controls.table(r)
    assert list(table.columns) == ["all", "blur"] and len(table) == 2 * len(controls.CONTROLS)


def test_no_signal_gives_chance():
    crops = _crops(np.random.default_rng(2), blur=False)       # fakes identical to their reals
    r = controls.evaluate(crops, seed=0, n_boot=100, n_shuffles=2)
    for c in controls.CONTROLS:
        assert abs(r["auc"][c]["all"]["auc"] - 0.5) < 0.2


def test_crops_of_a_built_manifest_carry_its_folds(tmp_path):
    path = build.build(tmp_path / "demo", seed=3, size="tiny", verbose=False)
    m = load(path)
    by_id = {it["id"]: it for it in m.items}
    for crops in (controls.builder_crops(path, 32), controls.mtcnn_crops(path, 2, 32)):
        assert crops.X.shape[1:] == (2, 32, 32, 3) and crops.mask.all()
        assert len(crops.ids) == len(m.items)
        for i, ident, fold, lab in zip(crops.ids, crops.identities, crops.folds, crops.y):
            it = by_id[i]
            assert (ident, fold, lab) == (it["identity"], it["fold"], it["label"])
    plain = Manifest(layout="ffpp", root=str(tmp_path))
    plain.add(id="v", path="v.mp4", label=0)
    with pytest.raises(ValueError, match="without a fold"):
        controls.builder_crops(plain.write(tmp_path / "plain.json"), 32)


def test_d1_aucs_reads_the_controls_of_the_same_profile(tmp_path):
    assert controls.d1_aucs("demo", "demo", 0, tmp_path) == {}          # D1 has not run
    auc = {k: {"all": {"auc": a}, "swap": {"auc": 0.9}}
           for k, a in (("per-frame", 0.7), ("temporal", 0.8))}
    path = tmp_path / "D1_demo_benchmark" / "demo-demo-demo-s0.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"values": {"controls_mtcnn": {"auc": auc}},
                                "data_manifest_sha256": "abc"}))
    want = {"per-frame": {"auc": 0.7}, "temporal": {"auc": 0.8}}
    assert controls.d1_aucs("demo", "demo", 0, tmp_path) == want
    assert controls.d1_aucs("demo", "demo", 0, tmp_path, manifest_sha="abc") == want
    assert controls.d1_aucs("demo", "demo", 0, tmp_path, manifest_sha="other") == {}
    assert controls.d1_aucs("smoke", "demo", 0, tmp_path) == {}
