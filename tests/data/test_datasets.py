"""From a notebook's ``data_root`` to a manifest (deepfake_lib.datasets)."""

from __future__ import annotations


import pytest

from deepfake_lib.data import adapters, datasets, manifest
from fixtures_data import ciplab_tree


@pytest.fixture(autouse=True)
def _data_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DFBOOK_DATA", str(tmp_path / "cache"))


def test_none_builds_the_demo_benchmark(monkeypatch, tmp_path):
    calls = []
    built = tmp_path / "demo.json"

    def build(out=None, seed=0, size="demo"):
        calls.append((out, seed, size))
        return built

    from deepfake_lib.demo import build as build_module

    monkeypatch.setattr(build_module, "build", build)
    assert datasets.resolve() == built
    assert datasets.resolve(None, demo_size="demo", seed=3) == built
    assert calls == [(None, 0, "small"), (None, 3, "demo")]


def test_folder_indexed_once_then_cached(tmp_path, monkeypatch):
    root = ciplab_tree(tmp_path / "cip", 4, 4)
    first = datasets.resolve(root)
    assert manifest.load(first).layout == "ciplab"
    assert first.is_relative_to(tmp_path / "cache")
    monkeypatch.setattr(adapters, "index", lambda *a, **k: pytest.fail("re-indexed"))
    assert datasets.resolve(root, "ciplab") == first
    with pytest.raises(pytest.fail.Exception, match="re-indexed"):
        datasets.resolve(root, "ciplab", seed=1)  # another seed: another split, another manifest


def test_manifest_file_used_as_is(tmp_path):
    path = manifest.Manifest(layout="demo", root=str(tmp_path)).write(tmp_path / "m.json")
    assert datasets.resolve(path) == path
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(manifest.ManifestError, match="bad.json"):
        datasets.resolve(bad)


def test_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown layout 'ff'; known layouts: ffpp, celebdf, dfdc, ciplab"):
        datasets.resolve(tmp_path, "ff")
    with pytest.raises(adapters.LayoutError, match="matches no known dataset layout.*ciplab: training_real"):
        datasets.resolve(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        datasets.resolve(tmp_path / "nowhere")
