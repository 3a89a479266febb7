"""Build the screening index from watchlist entries, in memory or into a directory.

Directory layout (format 1): `meta.json` (format, data version, counts, build time),
`entries.sqlite` (the entries), `dob.npy` (packed birth dates), `names_*.npy` (name index),
`doc_*.npy` (document index). A booth loads it by memory-mapping the arrays.
"""

from __future__ import annotations

import json
import logging
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.screening.dates import pack_date
from edge.screening.documents import NUMBER_WIDTH, DocumentIndex, normalise_number
from edge.screening.name_index import NameIndex, NameIndexBuilder
from edge.screening.names import render_name
from edge.screening.records import check_entry
from edge.screening.store import MemoryStore, SqliteStore

logger = logging.getLogger(__name__)

FORMAT = 1
_BATCH = 20_000


class IndexDirectoryError(Exception):
    """An index directory that cannot be used (missing, other format)."""


@dataclass
class BuiltIndex:
    """What a build produces; `Screener` wraps it."""

    names: NameIndex
    documents: DocumentIndex
    dob: np.ndarray
    store: Any
    meta: dict[str, Any]


class _Compiler:
    def __init__(self, store: MemoryStore | SqliteStore) -> None:
        self.store = store
        self.names = NameIndexBuilder()
        self.dob = array("i")
        self.doc_numbers: list[np.ndarray] = []
        self.doc_countries: list[np.ndarray] = []
        self.doc_entries = array("I")
        self._numbers: list[str] = []
        self._countries: list[str] = []
        self._rows: list[tuple[int, dict[str, Any]]] = []
        self.count = 0
        self.name_entries = 0

    def add(self, entry: dict[str, Any]) -> None:
        pos = self.count
        self.count += 1
        self.dob.append(pack_date(entry.get("birth_date")))
        names = entry.get("names") or []
        if names:
            self.name_entries += 1
            nat = entry.get("nationality")
            self.names.add(pos, (r for name in names for r in render_name(name, nat)))
        for doc in entry.get("documents") or ():
            self._numbers.append(normalise_number(doc["number"]))
            self._countries.append((doc.get("country") or "").upper()[:3])
            self.doc_entries.append(pos)
        self._rows.append((pos, entry))
        if len(self._rows) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.store.append_many(self._rows)
        self._rows = []
        if self._numbers:
            self.doc_numbers.append(np.array(self._numbers, dtype=f"S{NUMBER_WIDTH}"))
            self.doc_countries.append(np.array(self._countries, dtype="S3"))
            self._numbers, self._countries = [], []

    def finish(self) -> tuple[NameIndex, DocumentIndex, np.ndarray]:
        self._flush()
        numbers = (
            np.concatenate(self.doc_numbers)
            if self.doc_numbers
            else np.empty(0, f"S{NUMBER_WIDTH}")
        )
        countries = np.concatenate(self.doc_countries) if self.doc_countries else np.empty(0, "S3")
        docs = DocumentIndex.build(numbers, np.frombuffer(self.doc_entries, np.uint32), countries)
        return self.names.finish(), docs, np.frombuffer(self.dob, np.int32).copy()


def _compile(
    entries: Iterable[dict[str, Any]],
    store: MemoryStore | SqliteStore,
    progress: Callable[[int], None] | None,
    check: bool,
) -> tuple[_Compiler, NameIndex, DocumentIndex, np.ndarray]:
    compiler = _Compiler(store)
    for n, entry in enumerate(entries, 1):
        compiler.add(check_entry(entry, f"entry {n}") if check else entry)
        if progress and n % 100_000 == 0:
            progress(n)
    names, docs, dob = compiler.finish()
    return compiler, names, docs, dob


def _meta(
    compiler: _Compiler, names: NameIndex, docs: DocumentIndex, version: int, secs: float
) -> dict:
    return {
        "format": FORMAT,
        "version": version,
        "entries": compiler.count,
        "name_entries": compiler.name_entries,
        "documents": len(docs),
        "name_keys": names.vocabulary_size,
        "postings": len(names.postings),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(secs, 2),
    }


def build_in_memory(
    entries: Iterable[dict[str, Any]], version: int = 0, check: bool = True
) -> BuiltIndex:
    """Index entries held in memory (tests, small lists, the CLI's one-off checks)."""
    start = time.perf_counter()
    store = MemoryStore()
    compiler, names, docs, dob = _compile(entries, store, None, check)
    return BuiltIndex(
        names, docs, dob, store, _meta(compiler, names, docs, version, time.perf_counter() - start)
    )


def build_directory(
    entries: Iterable[dict[str, Any]],
    directory: Path,
    version: int,
    progress: Callable[[int], None] | None = None,
    check: bool = True,
) -> dict[str, Any]:
    """Write an index directory; returns its meta. `meta.json` is written last (atomically)."""
    start = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "meta.json").unlink(missing_ok=True)
    store = SqliteStore(directory / "entries.sqlite", create=True)
    compiler, names, docs, dob = _compile(entries, store, progress, check)
    store.commit()
    store.conn.close()
    names.save(directory)
    docs.save(directory)
    np.save(directory / "dob.npy", dob)
    meta = _meta(compiler, names, docs, version, time.perf_counter() - start)
    tmp = directory / "meta.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2))
    tmp.replace(directory / "meta.json")
    return meta


def load_directory(directory: Path) -> BuiltIndex:
    """Open an index directory written by `build_directory` (memory-mapped, read-only)."""
    meta_path = directory / "meta.json"
    if not meta_path.exists():
        raise IndexDirectoryError(
            f"{directory} holds no screening index (no meta.json); build one first"
        )
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT:
        raise IndexDirectoryError(
            f"{directory}: index format {meta.get('format')} is not {FORMAT}; rebuild it"
        )
    return BuiltIndex(
        NameIndex.load(directory),
        DocumentIndex.load(directory),
        np.load(directory / "dob.npy", mmap_mode="r"),
        SqliteStore(directory / "entries.sqlite"),
        meta,
    )
