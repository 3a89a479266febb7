"""Central storage: records, the booth ledger (端末管理), heartbeats, rejections, counters.

One class of queries, two engines: SQLite (WAL, synchronous=FULL) is the embedded default;
PostgreSQL is used when the database is a `postgresql://` URL. SQL is written once with `?`
placeholders; the engine classes differ only in connection, schema types and placeholders.

Records are idempotent by record id and by (port, booth, seq): a resend is counted as a
duplicate and acknowledged again, never stored twice; a different record reusing a sequence
number is rejected as a conflict.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sekisho.wire.messages import InspectionRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    port TEXT NOT NULL,
    booth TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    inspected_at TEXT NOT NULL,
    received_at {real} NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (port, booth, seq)
);
CREATE TABLE IF NOT EXISTS booths (
    port TEXT NOT NULL,
    booth TEXT NOT NULL,
    public_key TEXT NOT NULL,
    registered_at {real} NOT NULL,
    last_heartbeat_at {real},
    heartbeat TEXT,
    PRIMARY KEY (port, booth)
);
CREATE TABLE IF NOT EXISTS rejects (
    n {serial} PRIMARY KEY,
    at {real} NOT NULL,
    port TEXT,
    booth TEXT,
    record_id TEXT,
    reason TEXT NOT NULL,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
"""


@dataclass
class IngestResult:
    """What one committed batch did, per booth, so acknowledgements can be sent."""

    accepted: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    rejected: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    inserted: int = 0
    duplicates: int = 0


class Store:
    """One centre's database. Use `open_store(database)` to get the right engine."""

    engine = "abstract"

    # -- engine hooks -------------------------------------------------------------------------
    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def _begin(self) -> None:
        self._run("BEGIN")

    def close(self) -> None:
        self.conn.close()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self._run(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def _transaction(self, work):
        self._begin()
        try:
            result = work()
            self._run("COMMIT")
        except BaseException:
            self._run("ROLLBACK")
            raise
        return result

    # -- booth ledger -------------------------------------------------------------------------
    def register_booth(self, port: str, booth: str, public_key_pem: str) -> None:
        self._run(
            """INSERT INTO booths(port, booth, public_key, registered_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (port, booth) DO UPDATE SET public_key=excluded.public_key""",
            (port, booth, public_key_pem, time.time()),
        )

    def booth_key(self, port: str, booth: str) -> str | None:
        row = self._one("SELECT public_key FROM booths WHERE port=? AND booth=?", (port, booth))
        return row[0] if row else None

    def booths(self) -> list[tuple[str, str]]:
        return [(p, b) for p, b in self._all("SELECT port, booth FROM booths ORDER BY port, booth")]

    def record_heartbeat(self, port: str, booth: str, heartbeat: dict[str, Any]) -> bool:
        cur = self._run(
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
        return self._transaction(lambda: self._ingest(records, rejected))

    def _ingest(self, records, rejected) -> IngestResult:
        result = IngestResult()
        now = time.time()
        for rec, raw in records:
            key = (rec.port, rec.booth)
            cur = self._run(
                """INSERT INTO records(id, port, booth, seq, kind, inspected_at, received_at, payload)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                (rec.id, rec.port, rec.booth, rec.seq, rec.kind, rec.inspected_at, now, raw),
            )
            if cur.rowcount == 1:
                result.inserted += 1
                result.accepted.setdefault(key, []).append(rec.id)
                continue
            same = self._one(
                "SELECT 1 FROM records WHERE id=? AND port=? AND booth=? AND seq=?",
                (rec.id, rec.port, rec.booth, rec.seq),
            )
            if same:
                result.duplicates += 1
                result.accepted.setdefault(key, []).append(rec.id)
            else:
                result.rejected.setdefault(key, []).append(
                    {"id": rec.id, "seq": rec.seq, "reason": "conflict"}
                )
                self._log_reject(rec.port, rec.booth, rec.id, "conflict", f"seq {rec.seq}", now)
        for port, booth, rejection in rejected:
            result.rejected.setdefault((port, booth), []).append(rejection)
            self._log_reject(
                port, booth, rejection.get("id"), rejection["reason"], rejection.get("detail"), now
            )
        if result.duplicates:
            self._bump("duplicates", result.duplicates)
        return result

    def reject(self, port: str | None, booth: str | None, reason: str, detail: str = "") -> None:
        """Log a payload that could not even be attributed to records (malformed, unknown topic)."""
        self._log_reject(port, booth, None, reason, detail[:200], time.time())

    def _log_reject(self, port, booth, record_id, reason, detail, now) -> None:
        self._run(
            "INSERT INTO rejects(at, port, booth, record_id, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (now, port, booth, record_id, reason, detail),
        )

    def _bump(self, name: str, by: int) -> None:
        self._run(
            """INSERT INTO counters(name, value) VALUES (?, ?)
               ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value""",
            (name, by),
        )

    # -- queries ------------------------------------------------------------------------------
    def record_ids(self) -> set[str]:
        return {r[0] for r in self._all("SELECT id FROM records")}

    def counter(self, name: str) -> int:
        row = self._one("SELECT value FROM counters WHERE name=?", (name,))
        return int(row[0]) if row else 0

    def totals(self) -> dict[str, Any]:
        records = self._one("SELECT count(*) FROM records")[0]
        rejects = dict(self._all("SELECT reason, count(*) FROM rejects GROUP BY reason"))
        return {"records": records, "duplicates": self.counter("duplicates"), "rejects": rejects}

    def seqs(self, port: str, booth: str) -> list[int]:
        """Every sequence number held for one booth, ascending."""
        rows = self._all(
            "SELECT seq FROM records WHERE port=? AND booth=? ORDER BY seq", (port, booth)
        )
        return [r[0] for r in rows]

    def payloads(self, port: str, booth: str, seqs: Sequence[int]) -> list[str]:
        """The stored (signed) records of one booth with these sequence numbers."""
        out: list[str] = []
        for i in range(0, len(seqs), 500):
            chunk = list(seqs[i : i + 500])
            marks = ",".join("?" * len(chunk))
            out += [
                r[0]
                for r in self._all(
                    f"SELECT payload FROM records WHERE port=? AND booth=? AND seq IN ({marks})",
                    (port, booth, *chunk),
                )
            ]
        return out

    def gaps(self, port: str, booth: str, limit: int = 100) -> list[tuple[int, int]]:
        """Missing sequence ranges [first, last] below the highest seq held for a booth."""
        rows = self._all(
            """SELECT prev + 1, seq - 1 FROM (
                   SELECT seq, coalesce(lag(seq) OVER (ORDER BY seq), 0) AS prev
                   FROM records WHERE port=? AND booth=?) AS s
               WHERE seq > prev + 1 ORDER BY seq LIMIT ?""",
            (port, booth, limit),
        )
        return [(int(a), int(b)) for a, b in rows]

    def booth_health(self) -> list[dict[str, Any]]:
        """One row per registered booth: last heartbeat, outbox state, records received, gaps."""
        rows = self._all(
            """SELECT b.port, b.booth, b.last_heartbeat_at, b.heartbeat,
                      count(r.id), coalesce(max(r.seq), 0), max(r.received_at)
               FROM booths b LEFT JOIN records r ON r.port=b.port AND r.booth=b.booth
               GROUP BY b.port, b.booth, b.last_heartbeat_at, b.heartbeat
               ORDER BY b.port, b.booth"""
        )
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
                    "alarms": beat.get("alarms", []),
                    "last_heartbeat_age_s": round(now - hb_at, 1) if hb_at else None,
                    "outbox_depth": outbox.get("depth"),
                    "oldest_unsent_age_s": outbox.get("oldest_unsent_age_s"),
                    "undelivered": outbox.get("undelivered", {}),
                    "booth_last_seq": outbox.get("last_seq"),
                    "records_received": count,
                    "max_seq": int(max_seq),
                    "missing_seqs": int(max_seq) - count,
                    "last_record_age_s": round(now - last_rx, 1) if last_rx else None,
                    "software": beat.get("software"),
                    "devices": beat.get("devices", {}),
                    "data_versions": beat.get("data_versions", {}),
                    "data_age_s": beat.get("data_age_s", {}),
                    "biometrics": beat.get("biometrics", {}),
                    "face_rates": face_rates(beat.get("biometrics", {})),
                }
            )
        return out


def face_rates(counters: dict[str, int]) -> dict[str, float | None]:
    """Capture-failure, match, non-match and unsure shares from a booth's biometric counters.

    Shares over the booth's recent window (`recent_*`, the last 100 events) when it sends one,
    so a camera or light that degrades today is not hidden by weeks of good history; otherwise
    since the agent started. None when nothing happened.
    """
    recent = (
        "recent_" if counters.get("recent_captures") or counters.get("recent_verifications") else ""
    )

    def share(part: str, whole: str) -> float | None:
        total = counters.get(recent + whole) or 0
        return round(counters.get(recent + part, 0) / total, 4) if total else None

    return {
        "capture_failure": share("capture_failures", "captures"),
        "match": share("match", "verifications"),
        "non_match": share("non_match", "verifications"),
        "unsure": share("unsure", "verifications"),
        "window": "recent" if recent else "since_start",
        "verifications": counters.get(recent + "verifications", 0),
    }


class SqliteStore(Store):
    engine = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        self.conn.executescript(_SCHEMA.format(real="REAL", serial="INTEGER"))

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def _begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlocks


_PLACEHOLDER = re.compile(r"\?")


class PostgresStore(Store):
    """PostgreSQL; `schema` keeps several centres (or test runs) apart in one database."""

    engine = "postgresql"

    def __init__(self, url: str, schema: str = "sekisho") -> None:
        import psycopg  # only where PostgreSQL is configured

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise ValueError(f"not a valid schema name: {schema!r}")
        self.url = url
        self.schema = schema
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        self.conn.execute(f"SET search_path TO {schema}")
        for statement in _SCHEMA.format(real="DOUBLE PRECISION", serial="BIGSERIAL").split(";"):
            if statement.strip():
                self.conn.execute(statement)
        self._sql: dict[str, str] = {}

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = _PLACEHOLDER.sub("%s", sql)
        return self.conn.execute(text, params)

    def drop(self) -> None:
        """Remove this schema and everything in it (tests, decommissioning)."""
        self.conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


def open_store(database: str | Path, schema: str = "sekisho") -> Store:
    """SQLite for a path, PostgreSQL for a `postgresql://` (or `postgres://`) URL."""
    text = str(database)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text, schema)
    return SqliteStore(text)
