"""Which data a notebook runs on: one call from its ``data_root`` parameter to a manifest.

``data_root=None`` is the embedded demo benchmark (built on first use, then cached);
a folder is a real dataset indexed by :mod:`deepfake_lib.adapters` (manifest cached); a
``.json`` file is used as a manifest as it is. Every notebook's first data cell is::

    from deepfake_lib import datasets, faces
    manifest_path = datasets.resolve(data_root, layout, demo_size="small", seed=seed)
"""

from __future__ import annotations

import os
from pathlib import Path

def resolve(data_root: str | os.PathLike | None = None, layout: str | None = None, *,
            demo_size: str = "small", seed: int = 0, compression: str = "c23") -> Path:
    """Path of the manifest JSON a notebook reads.
    Notebook C1, section "The data".

    Parameters
    ----------
    data_root : path or None
        None: the embedded demo benchmark at ``demo_size``, built by
        ``deepfake_lib.build.build(out=None, seed=seed, size=demo_size)`` on first use and
        cached in the data cache. A folder: a real dataset, indexed once by
        :func:`deepfake_lib.adapters.index` and the manifest cached. A ``.json`` file: that
        manifest.
    layout : {"ffpp", "celebdf", "dfdc", "ciplab"} or None
        The dataset layout of ``data_root``; None detects it from the folders.
    demo_size : {"small", "demo"}
        Demo benchmark size ("small" for the smoke profile, "demo" for the demo profile).
    seed : int
        Seed of the demo benchmark, and of the splits that are not official.
    compression : {"raw", "c23", "c40"}
        FaceForensics++ compression level.

    Returns
    -------
    pathlib.Path of the manifest.

    Raises
    ------
    ValueError
        Unknown layout (the message lists the known ones), or a ``data_root`` that matches no
        layout (the message lists what each layout expects). An unknown ``demo_size`` is
        :func:`deepfake_lib.demo.build.build`'s error.
    """
    from deepfake_lib.data import adapters

    if layout is not None and layout not in adapters.LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known layouts: {', '.join(adapters.LAYOUTS)}")
    if data_root is None:
        from deepfake_lib.demo import build

        return Path(build.build(out=None, seed=seed, size=demo_size))
    root = Path(data_root).expanduser()
    if root.is_file() and root.suffix == ".json":
        from deepfake_lib.data import manifest

        manifest.load(root)  # a clear error now if it is not a manifest
        return root
    if not root.exists():
        raise FileNotFoundError(f"data_root {root} does not exist")
    layout = layout or adapters.detect_layout(root)
    cached = adapters.default_manifest_path(layout, root, compression, seed)
    if cached.is_file():
        return cached
    return adapters.index(layout, root, out=cached, compression=compression, seed=seed)
