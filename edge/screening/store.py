"""Where entry records live once indexed: a list in memory, or an SQLite table on disk.

Only the few candidates a query scores are ever read back, so a million entries cost no RAM
when the store is on disk.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class EntryStore(Protocol):
    """Entry records by position."""

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]: ...

    def __len__(self) -> int: ...


class MemoryStore:
    """Entries held in a Python list (tests, small lists)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def append_many(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.entries.extend(entry for _, entry in rows)

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
        return {int(p): self.entries[int(p)] for p in positions}

    def __len__(self) -> int:
        return len(self.entries)


class SqliteStore:
    """Entries as compact JSON in `entries.sqlite` (one row per position)."""

    def __init__(self, path: Path, create: bool = False) -> None:
        if create and path.exists():
            path.unlink()
        uri = f"file:{path}{'' if create else '?mode=ro'}"
        self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        if create:
            self.conn.execute("PRAGMA journal_mode=OFF")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("CREATE TABLE entries (pos INTEGER PRIMARY KEY, doc TEXT NOT NULL)")
        self._count: int | None = None

    def append_many(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.conn.executemany(
            "INSERT INTO entries (pos, doc) VALUES (?, ?)",
            [
                (pos, json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
                for pos, entry in rows
            ],
        )

    def commit(self) -> None:
        self.conn.commit()

    def get_many(self, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = [int(p) for p in positions]
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for pos, doc in self.conn.execute(
                f"SELECT pos, doc FROM entries WHERE pos IN ({marks})", chunk
            ):
                out[pos] = json.loads(doc)
        return out

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        return self._count
