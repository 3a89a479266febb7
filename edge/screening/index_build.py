"""Build the screening index from watchlist entries, in memory or into a directory.

Directory layout (format 2): `meta.json` (format, data version, counts, build time, written
last), `entries.jsonl` + `entries_offsets.npy` (entries with names, one JSON line each),
`doconly_*.npy` (document-only entries as columns), `dob.npy` (packed birth dates),
`nationality.npy` (packed nationalities; optional, older directories lack it), `initials.npy`
(the first letters of each entry's spellings as a bit mask; optional likewise),
`names_*.npy` (name index), `doc_*.npy` (document index). A booth memory-maps the arrays.

Names are turned into spellings by worker processes (the costly part: scripts, readings,
romanisations), in batches; the main process reads entries, writes records and merges.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import resource
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.screening.dates import pack_date
from edge.screening.documents import DocumentIndex, normalise_number
from edge.screening.name_index import (
    NameIndex,
    NameIndexBuilder,
    SpellingKeys,
    entry_spellings,
    keys_of_spelling,
)
from edge.screening.names import render_name
from edge.screening.records import check_entry
from edge.screening.scoring import pack_country
from edge.screening.store import (
    DOC_ONLY,
    BlobStore,
    BlobWriter,
    DocumentOnlyTable,
    MemoryStore,
    Records,
)

logger = logging.getLogger(__name__)

# 3: the name skeleton folds EE to I (keys of format 2 would miss REEM for RIM, even REEM), and
# French spellings (DERWICHE) have a second consonant key.
FORMAT = 3
_BATCH = 5_000  # entries per worker task
_PARALLEL_FROM = 20_000  # smaller lists are indexed in-process (no worker start-up)


def initials_mask(spellings: Iterable[str]) -> int:
    """Bit k set when a spelling begins with the k-th letter (A = bit 0)."""
    mask = 0
    for spelling in spellings:
        k = ord(spelling[0]) - 65 if spelling else -1
        if 0 <= k < 26:
            mask |= 1 << k
    return mask


class IndexDirectoryError(Exception):
    """An index directory that cannot be used (missing, other format)."""


class IndexFormatError(IndexDirectoryError):
    """An index built by another version of this software: rebuild it from its records."""


@dataclass
class BuiltIndex:
    """What a build produces; `Screener` wraps it."""

    names: NameIndex
    documents: DocumentIndex
    dob: np.ndarray
    store: Records
    meta: dict[str, Any]
    # Packed nationality per named entry (`pack_country`, 0 = not recorded); None for an index
    # written before it was kept (name frequency is then counted over all nationalities).
    nationality: np.ndarray | None = None
    # Per named entry, bit k set when one of its spellings begins with letter k (A = 0): lets
    # the screener rank candidates by a traveller's initial (SATO / J) before reading them.
    initials: np.ndarray | None = None


@dataclass
class _Chunk:
    """What a worker makes of a batch of entries (positions are local to the batch)."""

    lines: list[bytes]  # compact JSON of the entries with names
    dob: np.ndarray
    nationality: np.ndarray
    initials: np.ndarray
    spellings: list[str]
    counts: np.ndarray
    idx: np.ndarray
    doc_numbers: list[str]
    doc_countries: list[str]
    doc_refs: np.ndarray  # >= 0: named entry; < 0: -(document-only entry + 1)
    doc_only: list[tuple[str, str, str | None]]
    keys: dict[str, SpellingKeys]  # index keys of spellings this worker had not sent before
    cpu_s: float = 0.0  # CPU time the worker spent on this batch
    peak_rss_mb: float = 0.0  # the worker's peak resident memory so far


# Spellings whose keys this process already sent for the current build: chunks merge in
# submission order, so the main process has them by the time a later chunk arrives.
_SENT: dict[str, set[str]] = {}


def _new_keys(build: str, spellings: list[str]) -> dict[str, SpellingKeys]:
    sent = _SENT.setdefault(build, set())
    if len(_SENT) > 1:  # a new build in a reused process: forget the others
        for other in [b for b in _SENT if b != build]:
            del _SENT[other]
    fresh = [s for s in spellings if s not in sent]
    sent.update(fresh)
    return {s: keys_of_spelling(s) for s in fresh}


def _process(items: list[Any], check: bool, first: int, build: str) -> _Chunk:
    """Parse (JSON lines) or take (dicts) entries, check them and spell their names."""
    cpu_start = time.process_time()
    lines: list[bytes] = []
    dob, counts, idx, refs = array("i"), array("q"), array("I"), array("q")
    nat, initials = array("I"), array("I")
    local: dict[str, int] = {}
    numbers: list[str] = []
    countries: list[str] = []
    doc_only: list[tuple[str, str, str | None]] = []
    for k, item in enumerate(items):
        raw = item.strip() if isinstance(item, bytes) else None
        entry = json.loads(raw) if raw is not None else item
        if check:
            check_entry(entry, f"record {first + k + 1}")
        names = entry.get("names") or []
        if names:
            ref = len(dob)
            dob.append(pack_date(entry.get("birth_date")))
            lines.append(
                raw or json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
            )
            nationality = entry.get("nationality")
            nat.append(pack_country(nationality))
            # Uncached: whole names rarely repeat, and a cache of them would only grow the workers.
            spellings = entry_spellings(
                r for n in names for r in render_name.__wrapped__(n, nationality)
            )
            counts.append(len(spellings))
            idx.extend(local.setdefault(s, len(local)) for s in spellings)
            initials.append(initials_mask(spellings))
        else:
            ref = -(len(doc_only) + 1)
            doc_only.append((entry["id"], entry.get("category", ""), entry.get("action")))
        for doc in entry.get("documents") or ():
            numbers.append(normalise_number(doc["number"]))
            countries.append((doc.get("country") or "").upper()[:3])
            refs.append(ref)
    return _Chunk(
        lines=lines,
        dob=np.frombuffer(dob, np.int32),
        nationality=np.frombuffer(nat, np.uint32),
        initials=np.frombuffer(initials, np.uint32),
        spellings=list(local),
        counts=np.frombuffer(counts, np.int64),
        idx=np.frombuffer(idx, np.uint32),
        doc_numbers=numbers,
        doc_countries=countries,
        doc_refs=np.frombuffer(refs, np.int64),
        doc_only=doc_only,
        keys=_new_keys(build, list(local)),
        cpu_s=time.process_time() - cpu_start,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


class _Compiler:
    """Feeds batches to the workers (or runs them in-process) and merges their chunks in order."""

    def __init__(self, store: MemoryStore | BlobWriter, workers: int, check: bool) -> None:
        self.store, self.check = store, check
        self.build = uuid.uuid4().hex
        self.names = NameIndexBuilder()
        self.dob: list[np.ndarray] = []
        self.nationality: list[np.ndarray] = []
        self.initials: list[np.ndarray] = []
        self.named = 0
        self.doc_numbers: list[str] = []
        self.doc_countries: list[str] = []
        self.doc_entries = array("I")
        self.doc_only_ids: list[str] = []
        self.doc_only_codes = array("B")
        self.labels: dict[tuple[str, str | None], int] = {}
        self.seen = 0
        self.worker_cpu_s = 0.0  # reported by the workers: forkserver children escape rusage
        self.worker_peak_rss_mb = 0.0
        self._pending: list[Any] = []
        self.workers = workers
        self.pool: Any = None
        # Batches held until the list proves large enough to be worth starting workers (a
        # forkserver and its children cost seconds; a booth applying a 5,000-entry watchlist
        # would spend most of its time starting them). None once decided.
        self._held: list[list[Any]] | None = [] if workers > 1 else None

    @property
    def name_entries(self) -> int:
        return self.named

    def submit(self, items: list[Any]) -> None:
        if self._held is not None:
            self._held.append(items)
            if sum(map(len, self._held)) < _PARALLEL_FROM:
                return
            # Not "fork": a booth agent builds while other threads run BLAS (MRZ OCR, face),
            # and a fork then can leave OpenBLAS waiting forever for worker threads now gone.
            self.pool = multiprocessing.get_context("forkserver").Pool(self.workers)
            self._release_held()
            return
        self._submit(items)

    def _release_held(self) -> None:
        held, self._held = self._held or [], None
        for batch in held:
            self._submit(batch)

    def _submit(self, items: list[Any]) -> None:
        first, self.seen = self.seen, self.seen + len(items)
        if isinstance(self.store, MemoryStore):
            for entry in items:
                if entry.get("names"):
                    self.store.append(entry)
        if self.pool is None:
            self._merge(_process(items, self.check, first, self.build))
            return
        self._pending.append(
            self.pool.apply_async(_process, (items, self.check, first, self.build))
        )
        while self._pending and (self._pending[0].ready() or len(self._pending) > 8):
            self._merge(self._pending.pop(0).get())

    def _merge(self, chunk: _Chunk) -> None:
        if self.pool is not None:
            self.worker_cpu_s += chunk.cpu_s
            self.worker_peak_rss_mb = max(self.worker_peak_rss_mb, chunk.peak_rss_mb)
        base = self.named
        if isinstance(self.store, BlobWriter):
            self.store.append_lines(chunk.lines)
        self.dob.append(chunk.dob)
        self.nationality.append(chunk.nationality)
        self.initials.append(chunk.initials)
        positions = np.arange(base, base + len(chunk.counts), dtype=np.uint32)
        self.names.add_batch(positions, chunk.counts, chunk.spellings, chunk.idx, chunk.keys)
        self.named += len(chunk.dob)
        doc_base = len(self.doc_only_ids)
        for entry_id, category, action in chunk.doc_only:
            self.doc_only_ids.append(entry_id)
            self.doc_only_codes.append(self.labels.setdefault((category, action), len(self.labels)))
        refs = chunk.doc_refs
        pos = np.where(refs >= 0, refs + base, (DOC_ONLY | (doc_base - refs - 1)))
        self.doc_entries.extend(pos.astype(np.uint32).tolist())
        self.doc_numbers += chunk.doc_numbers
        self.doc_countries += chunk.doc_countries

    def finish(
        self, bulk: dict[str, Any] | None
    ) -> tuple[NameIndex, DocumentIndex, np.ndarray, DocumentOnlyTable]:
        self._release_held()  # a list too small for workers: indexed in this process
        for result in self._pending:
            self._merge(result.get())
        self._pending = []
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
        numbers = [np.array(self.doc_numbers or [""], dtype="S")[: len(self.doc_numbers)]]
        countries = [np.array(self.doc_countries, dtype="S3")]
        entries = [np.frombuffer(self.doc_entries, np.uint32)]
        ids = np.array(self.doc_only_ids, dtype="S") if self.doc_only_ids else np.empty(0, "S1")
        codes = np.frombuffer(self.doc_only_codes, np.uint8)
        if bulk is not None:
            ids, codes = self._add_bulk(bulk, ids, codes, numbers, countries, entries)
        width = max(a.dtype.itemsize for a in numbers)
        docs = DocumentIndex.build(
            np.concatenate([a.astype(f"S{width}", copy=False) for a in numbers]),
            np.concatenate(entries),
            np.concatenate(countries),
        )
        table = DocumentOnlyTable(ids, codes, [list(k) for k in self.labels])
        dob = np.concatenate(self.dob) if self.dob else np.empty(0, np.int32)
        return self.names.finish(), docs, dob, table

    def nationalities(self) -> np.ndarray:
        """Packed nationality of every named entry merged so far, in entry order."""
        if not self.nationality:
            return np.empty(0, np.uint32)
        return np.concatenate(self.nationality)

    def initial_masks(self) -> np.ndarray:
        """`initials_mask` of every named entry merged so far, in entry order."""
        if not self.initials:
            return np.empty(0, np.uint32)
        return np.concatenate(self.initials)

    def _add_bulk(self, bulk: dict[str, Any], ids, codes, numbers, countries, entries):
        """Lost/stolen documents given as columns: one document-only entry per number."""
        n = len(bulk["numbers"])
        first = len(ids)
        code = self.labels.setdefault(
            (bulk.get("category", "lost_stolen_document"), bulk.get("action")), len(self.labels)
        )
        width = max(ids.dtype.itemsize, np.asarray(bulk["ids"]).dtype.itemsize)
        ids = np.concatenate([ids.astype(f"S{width}"), np.asarray(bulk["ids"], dtype=f"S{width}")])
        codes = np.concatenate([codes, np.full(n, code, np.uint8)])
        # Columns come normalised (upper-case letters and digits, as `normalise_number` makes
        # them): ten million numbers are not copied to be normalised again.
        numbers.append(np.asarray(bulk["numbers"]))
        countries.append(np.asarray(bulk["countries"], dtype="S3"))
        entries.append(np.arange(first, first + n, dtype=np.uint32) | np.uint32(DOC_ONLY))
        return ids, codes


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compile(
    items: Iterable[Any],
    store: MemoryStore | BlobWriter,
    progress: Callable[[int], None] | None,
    check: bool,
    workers: int,
    bulk: dict[str, Any] | None = None,
) -> tuple[_Compiler, NameIndex, DocumentIndex, np.ndarray, DocumentOnlyTable]:
    """Entries (dicts, or JSON lines as bytes) -> index parts, names spelled by the workers."""
    compiler = _Compiler(store, workers, check)
    try:
        reported = 0
        for batch in _batches(items, _BATCH):
            compiler.submit(batch)
            if progress and compiler.seen - reported >= 100_000:
                reported = compiler.seen
                progress(reported)
        names, docs, dob, table = compiler.finish(bulk)
    finally:
        if compiler.pool is not None:
            compiler.pool.terminate()
    return compiler, names, docs, dob, table


def _meta(
    compiler: _Compiler,
    names: NameIndex,
    docs: DocumentIndex,
    table: DocumentOnlyTable,
    version: int,
    secs: float,
) -> dict:
    return {
        "format": FORMAT,
        "version": version,
        "entries": compiler.name_entries + len(table),
        "name_entries": compiler.name_entries,
        "document_only_entries": len(table),
        "documents": len(docs),
        "name_keys": names.vocabulary_size,
        "postings": len(names.postings),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(secs, 2),
        "build_worker_cpu_seconds": round(compiler.worker_cpu_s, 1),
        "build_worker_peak_rss_mb": round(compiler.worker_peak_rss_mb),
    }


def build_in_memory(
    entries: Iterable[dict[str, Any]], version: int = 0, check: bool = True
) -> BuiltIndex:
    """Index entries held in memory (tests, small lists, the CLI's one-off checks)."""
    start = time.perf_counter()
    store = MemoryStore()
    # Workers start only if the list reaches _PARALLEL_FROM entries.
    compiler, names, docs, dob, table = _compile(entries, store, None, check, _workers(None))
    meta = _meta(compiler, names, docs, table, version, time.perf_counter() - start)
    return BuiltIndex(
        names, docs, dob, Records(store, table), meta, compiler.nationalities(),
        compiler.initial_masks(),
    )  # fmt: skip


def _workers(workers: int | None) -> int:
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def build_directory(
    entries: Iterable[dict[str, Any]],
    directory: Path,
    version: int,
    progress: Callable[[int], None] | None = None,
    check: bool = True,
    documents: dict[str, Any] | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Write an index directory; returns its meta. `meta.json` is written last (atomically).

    `entries` are dicts, or JSON lines as bytes (parsed by the workers).

    `documents` adds lost/stolen documents in bulk as columns (`numbers`, `countries`, `ids`,
    optional `category` and `action`): millions of numbers without a JSON record each.
    `workers` name-processing processes (default: one per core).
    """
    start = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "meta.json").unlink(missing_ok=True)
    writer = BlobWriter(directory)
    compiler, names, docs, dob, table = _compile(
        entries, writer, progress, check, _workers(workers), documents
    )
    writer.close()
    names.save(directory)
    docs.save(directory)
    table.save(directory)
    np.save(directory / "dob.npy", dob)
    np.save(directory / "nationality.npy", compiler.nationalities())
    np.save(directory / "initials.npy", compiler.initial_masks())
    meta = _meta(compiler, names, docs, table, version, time.perf_counter() - start)
    tmp = directory / "meta.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2))
    tmp.replace(directory / "meta.json")
    return meta


def build_directory_from_files(
    paths: Iterable[str | Path],
    directory: Path,
    version: int,
    progress: Callable[[int], None] | None = None,
    documents: dict[str, Any] | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """`build_directory` from JSON-lines files: the workers parse and check the lines too,
    and each entry's line is stored as read (no second JSON encoding)."""

    def lines() -> Iterator[bytes]:
        for path in paths:
            with open(path, "rb") as f:
                yield from (line for line in f if line.strip())

    return build_directory(lines(), directory, version, progress, True, documents, workers)


def load_directory(directory: Path) -> BuiltIndex:
    """Open an index directory written by `build_directory` (memory-mapped, read-only)."""
    meta_path = directory / "meta.json"
    if not meta_path.exists():
        raise IndexDirectoryError(
            f"{directory} holds no screening index (no meta.json); build one first"
        )
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT:
        raise IndexFormatError(
            f"{directory}: index format {meta.get('format')} is not {FORMAT}; rebuild it"
        )
    nationality, initials = directory / "nationality.npy", directory / "initials.npy"
    return BuiltIndex(
        NameIndex.load(directory),
        DocumentIndex.load(directory),
        np.asarray(np.load(directory / "dob.npy", mmap_mode="r")),
        Records(BlobStore(directory), DocumentOnlyTable.load(directory)),
        meta,
        np.asarray(np.load(nationality, mmap_mode="r")) if nationality.exists() else None,
        np.asarray(np.load(initials, mmap_mode="r")) if initials.exists() else None,
    )
