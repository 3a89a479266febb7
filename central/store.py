"""Central storage: records, the booth ledger (端末管理), heartbeats, rejections, counters.

SQLite (WAL, synchronous=FULL) is the embedded default. Records are idempotent by record id and
by (port, booth, seq): a resend is counted as a duplicate and acknowledged again, never stored
twice; a different record reusing a sequence number is rejected as a conflict.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from sekisho.wire.messages import InspectionRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    port TEXT NOT NULL,
    booth TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    inspected_at TEXT NOT NULL,
    received_at REAL NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (port, booth, seq)
);
CREATE TABLE IF NOT EXISTS booths (
    port TEXT NOT NULL,
    booth TEXT NOT NULL,
    public_key TEXT NOT NULL,
    registered_at REAL NOT NULL,
    last_heartbeat_at REAL,
    heartbeat TEXT,
    PRIMARY KEY (port, booth)
);
CREATE TABLE IF NOT EXISTS rejects (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    port TEXT,
    booth TEXT,
    record_id TEXT,
    reason TEXT NOT NULL,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


@dataclass
class IngestResult:
    """What one committed batch did, per booth, so acknowledgements can be sent."""

    accepted: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    rejected: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    inserted: int = 0
    duplicates: int = 0


def connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class Store:
    """One centre's database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = connect(self.path)
        self.conn.executescript(SCHEMA)
        self.db = sqlite_utils.Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    # -- booth ledger -------------------------------------------------------------------------
    def register_booth(self, port: str, booth: str, public_key_pem: str) -> None:
        self.conn.execute(
            """INSERT INTO booths(port, booth, public_key, registered_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (port, booth) DO UPDATE SET public_key=excluded.public_key""",
            (port, booth, public_key_pem, time.time()),
        )

    def booth_key(self, port: str, booth: str) -> str | None:
        row = self.conn.execute(
            "SELECT public_key FROM booths WHERE port=? AND booth=?", (port, booth)
        ).fetchone()
        return row[0] if row else None

    def record_heartbeat(self, port: str, booth: str, heartbeat: dict[str, Any]) -> bool:
        cur = self.conn.execute(
            "UPDATE booths SET last_heartbeat_at=?, heartbeat=? WHERE port=? AND booth=?",
            (time.time(), json.dumps(heartbeat, ensure_ascii=False), port, booth),
        )
        return cur.rowcount == 1

    # -- records ------------------------------------------------------------------------------
    def ingest(
        self,
        records: Iterable[tuple[InspectionRecord, str]],
        rejected: Iterable[tuple[str, str, dict[str, Any]]] = (),
    ) -> IngestResult:
        """Store verified records and log rejections in one durable transaction.

        `records` are (validated record, raw JSON text); `rejected` are (port, booth, rejection).
        """
        result = IngestResult()
        now = time.time()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for rec, raw in records:
                key = (rec.port, rec.booth)
                cur = conn.execute(
                    """INSERT INTO records(id, port, booth, seq, kind, inspected_at, received_at, payload)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    (rec.id, rec.port, rec.booth, rec.seq, rec.kind, rec.inspected_at, now, raw),
                )
                if cur.rowcount == 1:
                    result.inserted += 1
                    result.accepted.setdefault(key, []).append(rec.id)
                    continue
                same = conn.execute(
                    "SELECT 1 FROM records WHERE id=? AND port=? AND booth=? AND seq=?",
                    (rec.id, rec.port, rec.booth, rec.seq),
                ).fetchone()
                if same:
                    result.duplicates += 1
                    result.accepted.setdefault(key, []).append(rec.id)
                else:
                    reason = {"id": rec.id, "seq": rec.seq, "reason": "conflict"}
                    result.rejected.setdefault(key, []).append(reason)
                    self._log_reject(rec.port, rec.booth, rec.id, "conflict", f"seq {rec.seq}", now)
            for port, booth, rejection in rejected:
                result.rejected.setdefault((port, booth), []).append(rejection)
                self._log_reject(
                    port,
                    booth,
                    rejection.get("id"),
                    rejection["reason"],
                    rejection.get("detail"),
                    now,
                )
            if result.duplicates:
                self._bump("duplicates", result.duplicates)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result

    def reject(self, port: str | None, booth: str | None, reason: str, detail: str = "") -> None:
        """Log a payload that could not even be attributed to records (malformed, unknown topic)."""
        self._log_reject(port, booth, None, reason, detail[:200], time.time())

    def _log_reject(self, port, booth, record_id, reason, detail, now) -> None:
        self.conn.execute(
            "INSERT INTO rejects(at, port, booth, record_id, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (now, port, booth, record_id, reason, detail),
        )

    def _bump(self, name: str, by: int) -> None:
        self.conn.execute(
            """INSERT INTO counters(name, value) VALUES (?, ?)
               ON CONFLICT (name) DO UPDATE SET value = value + excluded.value""",
            (name, by),
        )

    # -- queries ------------------------------------------------------------------------------
    def record_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM records")}

    def counter(self, name: str) -> int:
        row = self.conn.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return row[0] if row else 0

    def totals(self) -> dict[str, Any]:
        records = self.conn.execute("SELECT count(*) FROM records").fetchone()[0]
        rejects = dict(
            self.conn.execute("SELECT reason, count(*) FROM rejects GROUP BY reason").fetchall()
        )
        return {"records": records, "duplicates": self.counter("duplicates"), "rejects": rejects}

    def booth_health(self) -> list[dict[str, Any]]:
        """One row per registered booth: last heartbeat, outbox state, records received, gaps."""
        rows = self.conn.execute(
            """SELECT b.port, b.booth, b.last_heartbeat_at, b.heartbeat,
                      count(r.id), coalesce(max(r.seq), 0), max(r.received_at)
               FROM booths b LEFT JOIN records r ON r.port=b.port AND r.booth=b.booth
               GROUP BY b.port, b.booth ORDER BY b.port, b.booth"""
        ).fetchall()
        now = time.time()
        out = []
        for port, booth, hb_at, hb, count, max_seq, last_rx in rows:
            beat = json.loads(hb) if hb else {}
            outbox = beat.get("outbox", {})
            out.append(
                {
                    "port": port,
                    "booth": booth,
                    "state": beat.get("state", "unknown"),
                    "last_heartbeat_age_s": round(now - hb_at, 1) if hb_at else None,
                    "outbox_depth": outbox.get("depth"),
                    "oldest_unsent_age_s": outbox.get("oldest_unsent_age_s"),
                    "booth_last_seq": outbox.get("last_seq"),
                    "records_received": count,
                    "max_seq": max_seq,
                    "missing_seqs": max_seq - count,
                    "last_record_age_s": round(now - last_rx, 1) if last_rx else None,
                    "software": beat.get("software"),
                    "devices": beat.get("devices", {}),
                }
            )
        return out
