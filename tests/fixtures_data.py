"""Tiny media files and dataset trees with the exact on-disk layouts, made by the tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from deepfake_lib.data.video import astronaut_video  # noqa: F401  (re-exported for the tests)


def write_video(path: Path, frames, fps: float = 25.0) -> Path:
    """Write ``frames`` (list of ``[H, W, 3]`` uint8 RGB) as an mp4 with OpenCV."""
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write mp4 here"
    for f in frames:
        writer.write(np.ascontiguousarray(f[..., ::-1]))
    writer.release()
    return path


def flat_video(path: Path, n: int = 12, value=(120, 140, 160), size=(96, 64)) -> Path:
    """A video of ``n`` identical flat-colour frames (no face anywhere)."""
    w, h = size
    return write_video(path, [np.full((h, w, 3), value, np.uint8)] * n)


def counter_video(path: Path, n: int, size=(32, 32)) -> Path:
    """Frame ``i`` is flat grey of value ``4 * i``: the decoded brightness tells the index."""
    w, h = size
    return write_video(path, [np.full((h, w, 3), 4 * i, np.uint8) for i in range(n)])


def unknown_codec(src: Path, path: Path) -> Path:
    """A copy of an OpenCV-written mp4 whose video track claims a codec no decoder knows
    (MPEG-4 ``esds`` object type set to the private value 0xC0, sample entry ``zzzz``)."""
    b = bytearray(src.read_bytes())
    k = b.index(b"\x04", b.index(b"esds") + 8) + 1  # DecoderConfigDescriptor, then its length
    while b[k] & 0x80:
        k += 1
    b[k + 1] = 0xC0  # objectTypeIndication
    path.write_bytes(bytes(b).replace(b"mp4v", b"zzzz"))
    return path


def copy_to(template: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return path


def write_image(path: Path, value: int = 128, size: int = 16) -> Path:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((size, size, 3), value, np.uint8))
    return path


def ffpp_tree(root: Path, template: Path, pairs, compressions=("c23", "c40"),
              methods=("Deepfakes", "FaceSwap", "Face2Face", "NeuralTextures"), splits=None) -> Path:
    """FaceForensics++: originals for every id of ``pairs``, fakes ``<t>_<s>`` and ``<s>_<t>``
    for each method and compression; ``splits`` = {"train": [[t, s], ...], ...} written to
    ``splits/<name>.json``."""
    ids = sorted({i for p in pairs for i in p})
    for c in compressions:
        for i in ids:
            copy_to(template, root / f"original_sequences/youtube/{c}/videos/{i}.mp4")
        for meth in methods:
            for t, s in pairs:
                copy_to(template, root / f"manipulated_sequences/{meth}/{c}/videos/{t}_{s}.mp4")
                copy_to(template, root / f"manipulated_sequences/{meth}/{c}/videos/{s}_{t}.mp4")
    if splits:
        (root / "splits").mkdir(parents=True, exist_ok=True)
        for name, ps in splits.items():
            (root / "splits" / f"{name}.json").write_text(json.dumps(ps))
    return root


def celebdf_tree(root: Path, template: Path, n_ids: int = 8, test_lines=()) -> Path:
    """Celeb-DF v2: ``Celeb-real/idN_000K.mp4`` (2 per identity), ``YouTube-real/0000K.mp4``,
    ``Celeb-synthesis/idN_idM_000K.mp4`` (each real video swapped with the next identity),
    and ``List_of_testing_videos.txt`` from ``test_lines`` ("<1 real|0 fake> <relpath>")."""
    for n in range(n_ids):
        for k in range(2):
            copy_to(template, root / f"Celeb-real/id{n}_{k:04d}.mp4")
            copy_to(template, root / f"Celeb-synthesis/id{n}_id{(n + 1) % n_ids}_{k:04d}.mp4")
    for k in range(3):
        copy_to(template, root / f"YouTube-real/{k:05d}.mp4")
    if test_lines:
        (root / "List_of_testing_videos.txt").write_text("\n".join(test_lines) + "\n")
    return root


def dfdc_tree(root: Path, template: Path, parts: dict) -> Path:
    """DFDC: ``parts`` = {part number: {original: [fake, ...]}}; writes the videos and a
    ``metadata.json`` per part (``label``, ``original``, ``split``)."""
    for num, groups in parts.items():
        part = root / f"dfdc_train_part_{num}"
        meta = {}
        for orig, fakes in groups.items():
            copy_to(template, part / orig)
            meta[orig] = {"label": "REAL", "original": None, "split": "train"}
            for f in fakes:
                copy_to(template, part / f)
                meta[f] = {"label": "FAKE", "original": orig, "split": "train"}
        (part / "metadata.json").write_text(json.dumps(meta))
    return root


def ciplab_tree(root: Path, n_real: int = 10, n_fake: int = 10) -> Path:
    """Ciplab real-and-fake-face: ``training_real/real_0000K.jpg`` and
    ``training_fake/{easy,mid,hard}_K_1111.jpg``."""
    for k in range(n_real):
        write_image(root / f"training_real/real_{k:05d}.jpg", value=100 + k)
    levels = ("easy", "mid", "hard")
    for k in range(n_fake):
        write_image(root / f"training_fake/{levels[k % 3]}_{k}_1111.jpg", value=50 + k)
    return root
