"""Where entry records live once indexed: in memory, or a JSON-lines blob on disk; and the
compact columns of document-only entries (lost and stolen documents).

Only the few candidates a query scores are ever read back, so a million entries cost no RAM
when the blob is on disk (memory-mapped, one slice per entry). Ten million lost/stolen
documents carry nothing but an id, a category and an action: they are kept as numpy columns,
not as ten million JSON records.
"""

from __future__ import annotations

import json
import logging
import mmap
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

logger = logging.getLogger(__name__)

DOC_ONLY = 1 << 31  # entry positions with this bit set are rows of the document-only table


class EntryStore(Protocol):
    """Entry records by position."""

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]: ...

    def __len__(self) -> int: ...


class MemoryStore:
    """Entries held in a Python list (tests, small lists)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def append(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
        return {int(p): self.entries[int(p)] for p in positions}

    def __len__(self) -> int:
        return len(self.entries)


class BlobWriter:
    """Writes entries as compact JSON lines to `entries.jsonl` and their offsets to a .npy."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.file = open(directory / "entries.jsonl", "wb")  # noqa: SIM115 (closed in close())
        self.offsets = [0]
        self._buffer: list[bytes] = []
        self._size = 0

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        self._size += len(line)
        self.offsets.append(self._size)
        self._buffer.append(line)
        if len(self._buffer) >= 10_000:
            self.file.write(b"".join(self._buffer))
            self._buffer = []

    def append_lines(self, lines: list[bytes]) -> None:
        """Entries already encoded as one JSON line each (without the newline)."""
        for line in lines:
            self._size += len(line) + 1
            self.offsets.append(self._size)
        self.file.write(b"\n".join(lines) + b"\n" if lines else b"")

    def close(self) -> None:
        self.file.write(b"".join(self._buffer))
        self.file.close()
        np.save(self.directory / "entries_offsets.npy", np.array(self.offsets, dtype=np.int64))


class BlobStore:
    """Entries read back from `entries.jsonl` by offset (memory-mapped)."""

    def __init__(self, directory: Path) -> None:
        self.offsets = np.load(directory / "entries_offsets.npy", mmap_mode="r")
        with open(directory / "entries.jsonl", "rb") as f:
            self.blob = (
                mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if self.offsets[-1] else b""
            )

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
        out = {}
        for p in positions:
            p = int(p)
            out[p] = json.loads(self.blob[int(self.offsets[p]) : int(self.offsets[p + 1])])
        return out

    def __len__(self) -> int:
        return len(self.offsets) - 1


class DocumentOnlyTable:
    """Document-only entries as columns: id, category code, action code."""

    def __init__(
        self, ids: np.ndarray, categories: np.ndarray, labels: list[list[str | None]]
    ) -> None:
        self.ids, self.categories = ids, categories
        self.labels = labels  # code -> [category, action]

    def get(self, row: int) -> dict[str, Any]:
        category, action = self.labels[int(self.categories[row])]
        return {"id": self.ids[row].decode(), "category": category, "action": action}

    def __len__(self) -> int:
        return len(self.ids)

    def save(self, directory: Path) -> None:
        np.save(directory / "doconly_ids.npy", self.ids)
        np.save(directory / "doconly_categories.npy", self.categories)
        (directory / "doconly_labels.json").write_text(json.dumps(self.labels))

    @classmethod
    def load(cls, directory: Path) -> DocumentOnlyTable:
        return cls(
            np.load(directory / "doconly_ids.npy", mmap_mode="r"),
            np.load(directory / "doconly_categories.npy", mmap_mode="r"),
            json.loads((directory / "doconly_labels.json").read_text()),
        )


class Records:
    """Entry records by position: named entries from their store, document-only ones from columns."""

    def __init__(self, store: MemoryStore | BlobStore, doc_only: DocumentOnlyTable) -> None:
        self.store, self.doc_only = store, doc_only

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = [int(p) for p in positions]
        out = self.store.get_many([p for p in wanted if not p & DOC_ONLY])
        for p in wanted:
            if p & DOC_ONLY:
                out[p] = self.doc_only.get(p & ~DOC_ONLY)
        return out

    def __len__(self) -> int:
        return len(self.store) + len(self.doc_only)
