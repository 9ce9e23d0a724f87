"""Figures and tables of notebook D1."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
import numpy as np
from deepfake_lib.data import media
from deepfake_lib.data.manifest import load
from deepfake_lib.data.video import read_image, read_video
from deepfake_lib.demo import sources
from deepfake_lib.demo.geometry import face_mask
from deepfake_lib.demo.manipulations import METHODS, manipulate
from deepfake_lib.demo.render import Clip, _rng, crop_face, photo_clip
from deepfake_lib.demo.traces import STRENGTHS, Strength


def example_clip(n: int = 8, seed: int = 0) -> Clip:
    """A pseudo-video of scikit-image's astronaut (``n`` frames), for the figures of notebook D1,
    section "Real videos and pseudo-videos". Its keypoints come from the same (cached)
    detection as the benchmark's."""
    path = media.fetch_package("scikit-image")["astronaut.png"]
    kp = sources.largest(sources.photo_faces(path, media.sources()["astronaut.png"]["sha256"]))
    return photo_clip("astronaut", "astronaut.png", read_image(path), kp, n, _rng(seed, "example"))


def mirror_donor(clip: Clip) -> Clip:
    """The clip's first source image mirrored, as a one-frame donor for a swap (a different face
    layout, no second identity needed). Notebook D1, section "Traces of both kinds"."""
    img = np.ascontiguousarray(clip.frames[0][:, ::-1])
    kp = clip.kps[0].copy()
    kp[:, 0] = img.shape[1] - 1 - kp[:, 0]
    return Clip("mirror", "mirror", [img], kp[[1, 0, 2, 4, 3]][None], clip.maps[:1], np.zeros((1, 4)))


def _fake(clip: Clip, method: str, strength: Strength, seed: int) -> list[np.ndarray]:
    return manipulate(clip, method, _rng(seed, "trace", method), strength,
                      donor=mirror_donor(clip) if method == "swap" else None)


def trace_sizes(clip: Clip, method: str, strength: Strength, seed: int = 0) -> dict[str, float]:
    """How big the two traces of ``method`` are at ``strength``, in grey levels.

    * ``flicker`` :math:`\\phi = \\frac{1}{T-1} \\sum_t \\overline{|r_{t+1} - r_t|}` with the
      residual :math:`r_t = F_t - R_t` (fake minus real frame): the temporal trace;
    * ``frame_trace`` :math:`\\delta = \\frac{1}{T} \\sum_t \\overline{|F_t - F^0_t|}` inside the
      face mask, with :math:`F^0` the same fake at per-frame strength 0 (every random draw is
      the same): the per-frame trace, 0 at ``strength.frame = 0``.

    Notebook D1, section "Traces of both kinds".
    """
    clip = dataclasses.replace(clip, noise=0.0)  # sensor noise would count as flicker
    real = [clip.render(t).astype(np.float32) for t in range(len(clip.frames))]
    fake = [f.astype(np.float32) for f in _fake(clip, method, strength, seed)]
    base = [f.astype(np.float32) for f in _fake(clip, method, Strength(0.0, strength.temporal), seed)]
    res = [f - r for f, r in zip(fake, real)]
    kps = clip.out_kps()
    inside = [face_mask(k, f.shape[:2]) > 0.5 for k, f in zip(kps, fake)]
    return {"flicker": float(np.mean([np.abs(b - a).mean() for a, b in zip(res, res[1:])])),
            "frame_trace": float(np.mean([np.abs(f - b)[m].mean() for f, b, m in zip(fake, base, inside)]))}


def trace_size_table(clip: Clip, grid=(0.0, 0.5, 1.0, 2.0), seed: int = 0):
    """:func:`trace_sizes` of every manipulation over a ``grid`` of strengths: ``frame_trace``
    at ``Strength(g, 0)`` and ``flicker`` at ``Strength(0, g)``, one row per (method, g), a
    pandas DataFrame. Notebook D1, section "Traces of both kinds"."""
    import pandas as pd

    rows = {(m, g): {"frame_trace": trace_sizes(clip, m, Strength(g, 0.0), seed)["frame_trace"],
                     "flicker": trace_sizes(clip, m, Strength(0.0, g), seed)["flicker"]}
            for m in METHODS for g in grid}
    return pd.DataFrame(rows).T.rename_axis(["method", "strength"])


def trace_sheet(clip: Clip, seed: int = 0):
    """Figure: one row per manipulation; the real face crop, the fake's crop at per-frame
    strength 0, at its chosen strength and at 2.5 (temporal trace at its chosen strength), and
    the temporal change of the residual :math:`|r_{t+1} - r_t|` at the chosen strengths.
    Notebook D1, section "Traces of both kinds"."""
    import matplotlib.pyplot as plt

    clip = dataclasses.replace(clip, noise=0.0)
    kps = clip.out_kps()
    real = [clip.render(t) for t in range(2)]
    fig, axes = plt.subplots(len(METHODS), 5, figsize=(10.5, 2.2 * len(METHODS)), squeeze=False)
    for row, method in zip(axes, METHODS):
        chosen = STRENGTHS[method]
        row[0].imshow(crop_face(real[0], kps[0]))
        row[0].set_title("real", fontsize=8)
        for ax, sf in zip(row[1:], (0.0, chosen.frame, 2.5)):
            ax.imshow(crop_face(_fake(clip, method, Strength(sf, chosen.temporal), seed)[0], kps[0]))
            ax.set_title(f"{method}, $s_f$ = {sf:g}", fontsize=8)
        f = _fake(clip, method, chosen, seed)
        r = [f[t].astype(float) - real[t] for t in range(2)]
        row[-1].imshow(crop_face(np.abs(r[1] - r[0]).sum(-1).astype(np.float32), kps[0]), cmap="magma")
        row[-1].set_title(f"$|r_1 - r_0|$, $s_t$ = {chosen.temporal:g}", fontsize=8)
        for ax in row:
            ax.axis("off")
    fig.tight_layout()
    return fig


def sources_table(manifest_path: str | os.PathLike | None = None):
    """Every media file of the library's table: package, version, client, sha256 (first 12 hex
    digits), what it shows and its terms; with a manifest, whether that build used it. A pandas
    DataFrame. Notebook D1, section "Where the real faces come from"."""
    import pandas as pd

    df = pd.DataFrame(media.sources()).T
    df["sha256"] = df["sha256"].str[:12]
    cols = ["package", "version", "client", "sha256", "shows", "terms"]
    if manifest_path is not None:
        used = load(manifest_path).meta.get("sources", {})
        df["in this build"] = [n in used for n in df.index]
        cols.append("in this build")
    return df[cols].rename_axis("media")


def counts(manifest_path: str | os.PathLike, by: str = "split"):
    """Videos per ``by`` (``split`` or ``fold``) x (label, method), with totals: a pandas
    DataFrame. Notebook D1, section "Splits and counts"."""
    import pandas as pd

    df = load(manifest_path).frame()
    t = pd.crosstab(df[by], [df["label"].map({0: "real", 1: "fake"}), df["method"]], margins=True,
                    margins_name="total")
    order = ("train", "val", "test", "total") if by == "split" else [*sorted(df[by].unique()), "total"]
    return t.reindex([s for s in order if s in t.index])


def _crop_png(m, item, k: int = 0) -> np.ndarray:
    import cv2

    path = Path(m.root) / item["crops"] / f"{item['crop_frames'][k]:03d}.png"
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def identity_sheet(manifest_path: str | os.PathLike, cols: int = 9):
    """Figure: the first face crop of every identity's first real clip, titled with its name
    (notebook D1, section "Building it")."""
    import matplotlib.pyplot as plt

    m = load(manifest_path)
    first = {}
    for it in sorted(m.items, key=lambda it: it["id"]):
        if it["label"] == 0:
            first.setdefault(it["identity"], it)
    rows = -(-len(first) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.45 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (ident, it) in zip(axes.flat, sorted(first.items())):
        ax.imshow(_crop_png(m, it))
        ax.set_title(ident, fontsize=7)
    fig.tight_layout()
    return fig


def contact_sheet(manifest_path: str | os.PathLike, split: str | None = None, frame: int = 0):
    """Figure: for one fake of each method (each of another identity where there are enough),
    its original frame, the fake frame, their absolute difference and the 128x128 face crop of
    the fake (notebook D1, section "Contact sheet").

    Returns a matplotlib Figure of ``len(METHODS)`` rows x 4 columns.
    """
    import matplotlib.pyplot as plt

    m = load(manifest_path)
    items = {it["id"]: it for it in m.items}
    fig, axes = plt.subplots(len(METHODS), 4, figsize=(11, 2.4 * len(METHODS)), squeeze=False)
    shown: set[str] = set()
    for row, method in zip(axes, METHODS):
        fakes = sorted((it for it in m.items if it["method"] == method and (split is None or it["split"] == split)),
                       key=lambda it: (it["identity"] in shown, it["id"]))
        for ax in row:
            ax.axis("off")
        if not fakes:
            row[0].set_title(f"{method}: none")
            continue
        fake = fakes[0]
        shown.add(fake["identity"])
        real = items[fake["original"]]
        fr = read_video(m.abspath(real))[0][frame]
        ff = read_video(m.abspath(fake))[0][frame]
        diff = np.abs(ff.astype(int) - fr.astype(int)).sum(-1)
        crop = _crop_png(m, fake)
        donor = f" (donor {fake['donor_identity']})" if fake.get("donor_identity") else ""
        for ax, img, title in zip(row, [fr, ff, diff, crop],
                                  [f"real: {real['identity']}", f"{method}{donor}", "|fake - real|", "face crop"]):
            ax.imshow(img, cmap="magma" if img.ndim == 2 else None)
            ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
