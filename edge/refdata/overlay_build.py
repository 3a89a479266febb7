"""Apply a watchlist delta as an overlay: link the base index, index only what changed.

Rebuilding the screening index of a million entries costs ~30 s of CPU; a 10,000-record delta
needs only its own records indexed. While the delta is merged into the canonical dataset (which
is still checked against the signed `dataset_sha256`), `DeltaTap` keeps its operations; the
overlay of the new version is the held version's overlay (if any) with those operations
applied. The base index files are hard-linked into the staging directory, so each version
directory stays complete on its own and the held version is never modified: a crash before
the state switch leaves it exactly as it was, and removing it after the switch leaves the
linked files to the new version.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from edge.refdata.content import ContentError, dataset_rows
from edge.refdata.overlay import (
    BASE,
    MAX_RECORDS,
    OVERLAY,
    OVERLAY_INDEX,
    OVERLAY_META,
    OVERLAY_RECORDS,
    OverlayMeta,
    overlay_limit,
)
from edge.refdata.store import Held

logger = logging.getLogger(__name__)

INDEX = "index"  # a full index (the same name as edge.refdata.apply.INDEX)
# The overlay (at most MAX_RECORDS) is indexed in this process: the build's worker processes
# (forkserver: each imports the screening package) cost more than they save at this size
# (10,000 records: 0.7 s in process, 1.2 s wall with two workers; 30,000: 1.2 s against 2.1 s).
OVERLAY_WORKERS = 1


class DeltaTap:
    """Keeps a delta's operations as the merge reads them (up to `limit`, then only counts)."""

    def __init__(self, limit: int = MAX_RECORDS) -> None:
        self.limit = limit
        self.ops: dict[str, bytes | None] = {}
        self.overflow = False

    def tap(self, ops: Iterable[tuple[str, bytes | None]]) -> Iterator[tuple[str, bytes | None]]:
        for key, line in ops:
            if not self.overflow:
                if len(self.ops) >= self.limit:
                    self.overflow, self.ops = True, {}
                else:
                    self.ops[key] = line
            yield key, line


@dataclass(frozen=True)
class OverlayPlan:
    """What the new version's overlay holds, and where its base index comes from."""

    base_dir: Path
    meta: OverlayMeta
    lines: list[bytes]  # the overlay's records, canonical lines sorted by key


def _previous(held: Held) -> tuple[Path, OverlayMeta, dict[str, bytes]]:
    """The held version's base index, overlay meta and overlay records (empty if none)."""
    meta = OverlayMeta.read(held.directory)
    if meta is None:
        return held.directory / INDEX, OverlayMeta(held.version, held.records, 0, frozenset()), {}
    with open(held.directory / OVERLAY / OVERLAY_RECORDS, "rb") as f:
        records = dict(dataset_rows(f, "watchlist", "held overlay"))
    return held.directory / BASE, meta, records


def plan_overlay(held: Held, tap: DeltaTap) -> OverlayPlan | None:
    """The overlay the delta makes on `held`, or None when the full index should be rebuilt."""
    if tap.overflow:
        return None
    try:
        base_dir, prev, records = _previous(held)
    except (ContentError, ValueError, KeyError, FileNotFoundError) as exc:
        logger.warning("held overlay unreadable (%s); rebuilding the full index", exc)
        return None
    if not (base_dir / "meta.json").exists():
        logger.warning("held %s has no base index; rebuilding the full index", held.directory.name)
        return None
    masked = prev.masked | tap.ops.keys()
    if len(masked) > overlay_limit(prev.base_records):
        logger.info(
            "overlay would mask %d of %d base records; rebuilding the full index",
            len(masked), prev.base_records,
        )  # fmt: skip
        return None
    for key, line in tap.ops.items():
        if line is None:
            records.pop(key, None)
        else:
            records[key] = line
    lines = [records[key] for key in sorted(records)]
    meta = OverlayMeta(prev.base_version, prev.base_records, len(lines), frozenset(masked))
    return OverlayPlan(base_dir, meta, lines)


def link_tree(src: Path, dst: Path) -> None:
    """Hard-link every file of `src` into `dst` (a copy where the file system refuses links)."""
    for dirpath, _dirs, files in os.walk(src):
        target = dst / Path(dirpath).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(dirpath) / name, target / name)
            except OSError as exc:
                if exc.errno not in (18, 1, 31, 95):  # EXDEV, EPERM, EMLINK, EOPNOTSUPP
                    raise
                shutil.copy2(Path(dirpath) / name, target / name)


def write_overlay(
    plan: OverlayPlan, staging: Path, version: int, stage: Callable[[str], None]
) -> None:
    """Link the base index and build the overlay's index into `staging`."""
    from edge.screening import build_directory

    stage("link")
    link_tree(plan.base_dir, staging / BASE)
    stage("overlay")
    out = staging / OVERLAY
    out.mkdir()
    with open(out / OVERLAY_RECORDS, "wb") as f:
        f.writelines(plan.lines)
    if plan.lines:
        build_directory(iter(plan.lines), out / OVERLAY_INDEX, version, workers=OVERLAY_WORKERS)
    (out / OVERLAY_META).write_bytes(plan.meta.to_json())
