"""The one manifest format shared by the demo benchmark and every real-dataset adapter.

A manifest is a JSON file::

    {
      "format": "dfbook-manifest/1",
      "layout": "demo" | "ffpp" | "celebdf" | "dfdc" | "ciplab",
      "root": "<folder the paths are relative to>",
      "split_kind": "video+identity-disjoint" | "video-disjoint" | "official" | ...,
      "meta": {...},                      # builder settings, seed, sources and licences
      "items": [ {<ITEM_FIELDS>}, ... ],  # one per video or image
      "skipped": [ {"path": ..., "reason": ...}, ... ]
    }

Labels: 1 = fake, 0 = real (see :mod:`deepfake_lib.metrics`). ``split`` is ``train``, ``val``
or ``test``. Items are sorted by ``id`` so the file is byte-identical for the same input.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "dfbook-manifest/1"

#: Fields every item carries (``None`` where a dataset has no such notion).
ITEM_FIELDS = ("id", "path", "label", "method", "identity", "donor_identity", "kind",
               "n_frames", "fps", "split", "sha256")


class ManifestError(ValueError):
    """A manifest file that does not follow :data:`FORMAT`.
    Notebook D1, section "Splits and counts"."""


@dataclass
class Manifest:
    """The one manifest format: items (id, path, label, method, identity, split, ...), skipped files and meta. Notebook D1, section "Splits and counts"."""
    layout: str
    root: str
    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    split_kind: str = "video-disjoint"
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, **item: Any) -> None:
        """Append an item; missing fields become ``None``, unknown fields are kept."""
        self.items.append({k: item.get(k) for k in ITEM_FIELDS} | item)

    def skip(self, path: str | os.PathLike, reason: str) -> None:
        """Record a file that could not be used, with a one-line reason (never a silent drop)."""
        self.skipped.append({"path": str(path), "reason": reason})

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "layout": self.layout, "root": str(self.root),
                "split_kind": self.split_kind, "meta": self.meta,
                "items": sorted(self.items, key=lambda r: str(r["id"])),
                "skipped": sorted(self.skipped, key=lambda r: r["path"])}

    def write(self, path: str | os.PathLike) -> Path:
        """Write atomically (temp file + rename) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    def frame(self):
        """Items as a pandas DataFrame (one row per item, :data:`ITEM_FIELDS` first)."""
        import pandas as pd

        df = pd.DataFrame(self.items)
        cols = [c for c in ITEM_FIELDS if c in df.columns] + [c for c in df.columns if c not in ITEM_FIELDS]
        return df[cols] if len(df) else pd.DataFrame(columns=list(ITEM_FIELDS))

    def abspath(self, item: dict[str, Any]) -> Path:
        """Absolute path of an item (``path`` is relative to ``root``)."""
        return Path(self.root) / item["path"]

    def summary(self) -> str:
        """One line: counts per label and split, and how many items were skipped."""
        df = self.frame()
        parts = [f"{len(df)} items"]
        if len(df):
            parts.append(", ".join(f"{k}={v}" for k, v in df.groupby(["split", "label"]).size().items()))
        parts.append(f"{len(self.skipped)} skipped")
        return "; ".join(parts)


def load(path: str | os.PathLike) -> Manifest:
    """Read a manifest; a clear error names the file if it is not one.
    Notebook D1, section "Splits and counts"."""
    path = Path(path)
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read manifest ({exc})") from exc
    if d.get("format") != FORMAT:
        raise ManifestError(f"{path}: not a {FORMAT} file (format={d.get('format')!r})")
    return Manifest(layout=d["layout"], root=d["root"], items=d["items"], skipped=d["skipped"],
                    split_kind=d.get("split_kind", "unknown"), meta=d.get("meta", {}))
