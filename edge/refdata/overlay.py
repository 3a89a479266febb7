"""Screening on a base index plus a small overlay of the records deltas changed since it.

A delta bundle does not rebuild the million-entry index: the version directory keeps the base
version's index (`base/`, hard links to the files the base version built) and an index of only
the records put since then (`overlay/index/`), with the keys every delta since the base deleted
or changed (`overlay/overlay.json`). `OverlayScreener` screens against both: base hits whose
entry is masked are dropped (name and document hits alike, so a deleted lost document is not
found), overlay hits are added, and the result is ordered best first as the Screener orders it.

What is approximate (docs/bundles.md, "Deltas: base index + overlay"): the base still counts
masked entries as namesakes and among its 100 scored candidates, and the overlay counts only its
own records as namesakes. The overlay is rebuilt into a full index once it masks more than
`overlay_limit(base records)` keys, which bounds how far these counts can drift.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from edge.screening.screener import Hit, ScreeningResult

BASE = "base"  # the base version's index, hard-linked into the version directory
OVERLAY = "overlay"  # records.jsonl, index/, overlay.json
OVERLAY_META = "overlay.json"
OVERLAY_RECORDS = "records.jsonl"
OVERLAY_INDEX = "index"

# Rebuild the full index once the overlay masks more than this many base keys (see
# docs/bundles.md): 5 % keeps namesake counts and the candidate cap within 5 % of a full
# build's, and 50,000 records build in ~2 s of CPU, the most a delta should cost.
MAX_FRACTION = 0.05
MAX_RECORDS = 50_000


def overlay_limit(base_records: int) -> int:
    """How many keys an overlay may mask before the next delta rebuilds the full index."""
    return min(MAX_RECORDS, int(base_records * MAX_FRACTION))


@dataclass(frozen=True)
class OverlayMeta:
    """What `overlay/overlay.json` records: the base it applies to and the keys it masks."""

    base_version: int
    base_records: int
    records: int
    masked: frozenset[str]

    def to_json(self) -> bytes:
        out = {
            "base_version": self.base_version,
            "base_records": self.base_records,
            "records": self.records,
            "masked": sorted(self.masked),
        }
        return json.dumps(out).encode("utf-8")

    @classmethod
    def read(cls, version_dir: Path) -> OverlayMeta | None:
        """The overlay of a version directory, or None when it holds a full index."""
        path = Path(version_dir) / OVERLAY / OVERLAY_META
        if not path.exists():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(raw["base_version"], raw["base_records"], raw["records"],
                   frozenset(raw["masked"]))  # fmt: skip


def by_rank(hit: Hit) -> tuple[float, str]:
    """The Screener's order: best score first, then entry id."""
    return (-hit.score, hit.entry_id)


class OverlayScreener:
    """The booth's Screener when the held version is a base index plus an overlay.

    Same interface as `edge.screening.Screener` for what the booth uses: `screen(traveller,
    today=...)` returning a `ScreeningResult`, `version`, `thresholds`, `visas`.
    """

    def __init__(self, base: Any, overlay: Any, meta: OverlayMeta, version: int) -> None:
        self.base, self.overlay, self.meta_overlay = base, overlay, meta
        self.masked = meta.masked
        self._version = version

    @property
    def version(self) -> int:
        return self._version

    @property
    def thresholds(self) -> Any:
        return self.base.thresholds

    @property
    def visas(self) -> Any:
        return self.base.visas

    @property
    def meta(self) -> dict[str, Any]:
        return {"version": self._version, "base_version": self.meta_overlay.base_version,
                "overlay_records": self.meta_overlay.records,
                "masked": len(self.masked)}  # fmt: skip

    def screen(self, traveller: dict[str, Any], today: date | None = None) -> ScreeningResult:
        """Screen on the base (masked entries dropped) and on the overlay; merge best first."""
        start = time.perf_counter()
        low = self.base.screen(traveller, today)
        hits = [h for h in low.hits if h.entry_id not in self.masked]
        candidates, scored = low.candidates, low.scored
        if self.overlay is not None:
            top = self.overlay.screen(traveller, today)
            hits.extend(top.hits)
            candidates, scored = candidates + top.candidates, scored + top.scored
        hits.sort(key=by_rank)
        ms = (time.perf_counter() - start) * 1000
        extra = {"base_version": self.meta_overlay.base_version, "base_ms": round(low.ms, 3)}
        return ScreeningResult(
            low.traveller_id, hits, low.visa, ms, self._version, candidates, scored, extra
        )


def load_overlay_screener(
    version_dir: Path, meta: OverlayMeta, version: int, thresholds: Any, visas: Any
) -> OverlayScreener:
    """Open the base index and the overlay index of a version directory (memory-mapped)."""
    from edge.screening import Screener

    base = Screener.load(Path(version_dir) / BASE, thresholds, visas)
    overlay = None
    if meta.records:
        overlay = Screener.load(Path(version_dir) / OVERLAY / OVERLAY_INDEX, thresholds, None)
    return OverlayScreener(base, overlay, meta, version)
