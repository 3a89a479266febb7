"""The booth's durable outbox: every inspection record is on disk before the inspector sees "done".

SQLite in WAL mode with `synchronous=FULL`, so a committed record survives a killed process and a
power cut. A record stays until every required centre has acknowledged it, and then for a retention
period so a centre can ask for a replay. Sequence numbers come from the same transaction that
stores the record, so they only ever increase and are never reused, whatever happens to the process.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from sekisho.wire.codec import encode

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Pending:
    seq: int
    id: str
    payload: dict[str, Any]
    created_at: float


class OutboxError(RuntimeError):
    """The outbox cannot take a record (disk full, database unreadable); nothing was stored."""


class Outbox:
    """Durable queue of signed records, owned by one booth process."""

    def __init__(self, path: Path | str, centres: Iterable[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.centres = sorted(set(centres))
        if not self.centres:
            raise ValueError("an outbox needs at least one required centre")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=5000")
        self.db = sqlite_utils.Database(conn)
        self._ensure_schema()

    # -- schema -------------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        db = self.db
        if "records" not in db.table_names():
            db["records"].create(
                {"seq": int, "id": str, "created_at": float, "payload": str, "delivered_at": float},
                pk="seq",
                not_null={"id", "created_at", "payload"},
            )
            db["records"].create_index(["id"], unique=True)
            db.execute(
                "CREATE INDEX idx_records_undelivered ON records(seq) WHERE delivered_at IS NULL"
            )
            db["acks"].create(
                {"seq": int, "centre": str, "at": float}, pk=("seq", "centre"), not_null={"at"}
            )
            db["meta"].create({"key": str, "value": str}, pk="key")
            db["meta"].insert_all(
                [
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"key": "last_seq", "value": "0"},
                ]
            )

    # -- writing ------------------------------------------------------------------------------
    def append(self, make_payload: Callable[[int], dict[str, Any]]) -> Pending:
        """Allocate the next sequence number, build the signed payload with it, commit durably.

        `make_payload(seq)` must return the complete signed record; it runs inside the
        transaction, so the sequence number is never handed out without its record.
        """
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                last = int(
                    conn.execute("SELECT value FROM meta WHERE key='last_seq'").fetchone()[0]
                )
                seq = last + 1
                payload = make_payload(seq)
                now = time.time()
                conn.execute(
                    "INSERT INTO records(seq, id, created_at, payload) VALUES (?, ?, ?, ?)",
                    (seq, payload["id"], now, encode(payload).decode("utf-8")),
                )
                conn.execute("UPDATE meta SET value=? WHERE key='last_seq'", (str(seq),))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise OutboxError(f"outbox {self.path} cannot store the record: {exc}") from exc
        return Pending(seq, payload["id"], payload, now)

    def mark_acked(self, centre: str, record_ids: Iterable[str]) -> int:
        """Record that `centre` durably holds these records; returns how many became delivered."""
        ids = list(record_ids)
        if not ids:
            return 0
        now = time.time()
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            marks = ",".join("?" * len(ids))
            seqs = [
                r[0] for r in conn.execute(f"SELECT seq FROM records WHERE id IN ({marks})", ids)
            ]
            conn.executemany(
                "INSERT OR IGNORE INTO acks(seq, centre, at) VALUES (?, ?, ?)",
                [(s, centre, now) for s in seqs],
            )
            delivered = 0
            if centre in self.centres and seqs:
                need = len(self.centres)
                cmarks = ",".join("?" * need)
                seq_marks = ",".join("?" * len(seqs))
                cur = conn.execute(
                    f"""UPDATE records SET delivered_at=? WHERE delivered_at IS NULL
                        AND seq IN ({seq_marks})
                        AND (SELECT count(*) FROM acks a WHERE a.seq=records.seq
                             AND a.centre IN ({cmarks}))=?""",
                    [now, *seqs, *self.centres, need],
                )
                delivered = cur.rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return delivered

    # -- reading ------------------------------------------------------------------------------
    def pending_for(
        self, centre: str, after_seq: int = 0, limit: int = 100, until_seq: int | None = None
    ) -> list[Pending]:
        """Undelivered records not yet acknowledged by `centre`, in order, in (after_seq, until_seq]."""
        rows = self.db.conn.execute(
            """SELECT seq, id, created_at, payload FROM records r
               WHERE delivered_at IS NULL AND seq > ? AND seq <= ?
               AND NOT EXISTS (SELECT 1 FROM acks a WHERE a.seq=r.seq AND a.centre=?)
               ORDER BY seq LIMIT ?""",
            (after_seq, until_seq if until_seq is not None else 2**62, centre, limit),
        ).fetchall()
        return [Pending(s, i, json.loads(p), c) for s, i, c, p in rows]

    def retained_after(self, after_seq: int, limit: int = 100) -> list[Pending]:
        """Every record still held (delivered or not) after `after_seq`: what a replay sends."""
        rows = self.db.conn.execute(
            "SELECT seq, id, created_at, payload FROM records WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        ).fetchall()
        return [Pending(s, i, json.loads(p), c) for s, i, c, p in rows]

    def purge_delivered(self, delivered_before: float, limit: int | None = None) -> int:
        """Delete records every centre holds, delivered before a time (oldest first).

        Never touches an undelivered record. Sequence numbers stay reserved (`meta.last_seq`).
        """
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            seqs = [
                r[0]
                for r in conn.execute(
                    """SELECT seq FROM records WHERE delivered_at IS NOT NULL AND delivered_at < ?
                       ORDER BY seq LIMIT ?""",
                    (delivered_before, -1 if limit is None else limit),
                )
            ]
            for i in range(0, len(seqs), 500):
                chunk = seqs[i : i + 500]
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM acks WHERE seq IN ({marks})", chunk)
                conn.execute(f"DELETE FROM records WHERE seq IN ({marks})", chunk)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if seqs:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return len(seqs)

    def size_bytes(self) -> int:
        """Bytes the outbox uses: live database pages (free pages are reused) plus the WAL."""
        conn = self.db.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        wal = self.path.with_name(self.path.name + "-wal")
        return (pages - free) * size + (wal.stat().st_size if wal.exists() else 0)

    def last_seq(self) -> int:
        return int(
            self.db.conn.execute("SELECT value FROM meta WHERE key='last_seq'").fetchone()[0]
        )

    def state(self) -> dict[str, Any]:
        """Depth, age of the oldest undelivered record, and per-centre backlog (for heartbeats)."""
        conn = self.db.conn
        depth, oldest = conn.execute(
            "SELECT count(*), min(created_at) FROM records WHERE delivered_at IS NULL"
        ).fetchone()
        undelivered = {}
        for centre in self.centres:
            undelivered[centre] = conn.execute(
                """SELECT count(*) FROM records r WHERE delivered_at IS NULL AND NOT EXISTS
                   (SELECT 1 FROM acks a WHERE a.seq=r.seq AND a.centre=?)""",
                (centre,),
            ).fetchone()[0]
        return {
            "depth": depth,
            "oldest_unsent_age_s": int(time.time() - oldest) if oldest else 0,
            "undelivered": undelivered,
            "last_seq": self.last_seq(),
        }

    def counts(self) -> dict[str, int]:
        total, undelivered = self.db.conn.execute(
            "SELECT count(*), sum(delivered_at IS NULL) FROM records"
        ).fetchone()
        return {"records": total, "undelivered": undelivered or 0}

    def close(self) -> None:
        self.db.conn.close()
