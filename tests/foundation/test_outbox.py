"""The booth outbox: durable before "done", sequence numbers that only increase, delivery by both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from edge.outbox import Outbox, OutboxError
from sekisho.wire.ids import uuid7


def payload(seq: int) -> dict:
    return {"id": uuid7(), "seq": seq, "body": "x"}


def test_append_assigns_increasing_seq_and_survives_reopen(tmp_path):
    box = Outbox(tmp_path / "o.db", ["east", "west"])
    first = [box.append(payload) for _ in range(5)]
    assert [p.seq for p in first] == [1, 2, 3, 4, 5]
    assert all(p.payload["seq"] == p.seq for p in first)
    box.close()
    box = Outbox(tmp_path / "o.db", ["east", "west"])
    assert box.append(payload).seq == 6
    assert box.state()["depth"] == 6


def test_failed_payload_build_does_not_consume_a_sequence_number(tmp_path):
    box = Outbox(tmp_path / "o.db", ["east"])
    box.append(payload)

    def broken(seq):
        raise ValueError("signing failed")

    with pytest.raises(ValueError, match="signing failed"):
        box.append(broken)
    assert box.append(payload).seq == 2


def test_delivered_only_when_every_required_centre_acked(tmp_path):
    box = Outbox(tmp_path / "o.db", ["east", "west"])
    recs = [box.append(payload) for _ in range(3)]
    ids = [r.id for r in recs]
    assert box.mark_acked("east", ids) == 0
    assert box.state()["depth"] == 3
    assert box.state()["undelivered"] == {"east": 0, "west": 3}
    assert [p.seq for p in box.pending_for("west")] == [1, 2, 3]
    assert box.pending_for("east") == []
    assert box.mark_acked("west", ids[:2]) == 2
    assert box.state()["depth"] == 1
    assert box.mark_acked("west", ids[:2]) == 0  # an acknowledgement repeated is harmless
    assert box.counts() == {"records": 3, "undelivered": 1}


def test_pending_respects_cursor_and_limit(tmp_path):
    box = Outbox(tmp_path / "o.db", ["east"])
    for _ in range(10):
        box.append(payload)
    assert [p.seq for p in box.pending_for("east", after_seq=3, limit=4)] == [4, 5, 6, 7]


WRITER = textwrap.dedent(
    """
    import sys
    from edge.outbox import Outbox
    from sekisho.wire.ids import uuid7
    box = Outbox(sys.argv[1], ["east", "west"])
    while True:
        p = box.append(lambda seq: {"id": uuid7(), "seq": seq})
        print(p.seq, p.id, flush=True)
    """
)


def test_kill_minus_9_loses_no_committed_record_and_reuses_no_seq(tmp_path):
    db = tmp_path / "o.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    committed = {}
    for line in proc.stdout:
        seq, rid = line.split()
        committed[int(seq)] = rid
        if len(committed) >= 300:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    box = Outbox(db, ["east", "west"])
    stored = dict(box.db.conn.execute("SELECT seq, id FROM records").fetchall())
    # every record the writer saw committed is on disk, under the same seq
    assert all(stored.get(seq) == rid for seq, rid in committed.items())
    # sequence numbers are dense and continue after the crash
    assert sorted(stored) == list(range(1, len(stored) + 1))
    assert box.append(payload).seq == len(stored) + 1


def test_retention_purges_only_delivered_records(tmp_path):
    box = Outbox(tmp_path / "o.db", ["east", "west"])
    recs = [box.append(payload) for _ in range(4)]
    for centre in ("east", "west"):
        box.mark_acked(centre, [r.id for r in recs[:2]])
    assert box.purge_delivered(time.time() + 1) == 2
    assert [p.seq for p in box.pending_for("east")] == [3, 4]
    assert [p.seq for p in box.retained_after(0)] == [3, 4]
    assert box.append(payload).seq == 5  # numbers of purged records are never reused


def test_full_disk_refuses_the_record_keeps_the_rest_and_recovers(tmp_path):
    """SQLITE_FULL, as a full disk gives it: emulated with max_page_count on a real file."""
    box = Outbox(tmp_path / "o.db", ["east"])
    for _ in range(5):
        box.append(payload)
    pages = box.db.conn.execute("PRAGMA page_count").fetchone()[0]
    box.db.conn.execute(f"PRAGMA max_page_count={pages}")
    big = lambda seq: {"id": uuid7(), "seq": seq, "blob": "x" * 200_000}  # noqa: E731
    with pytest.raises(OutboxError, match="cannot store the record"):
        box.append(big)
    assert box.counts()["records"] == 5
    box.db.conn.execute("PRAGMA max_page_count=1073741823")  # space freed
    assert box.append(big).seq == 6


def test_disk_guard_alarms_then_refuses_when_undelivered_fill_the_budget(tmp_path):
    from edge.diskguard import DiskGuard
    from sekisho.config import BoothConfig

    conf = BoothConfig(
        port="NRT",
        booth="B01",
        data_dir=tmp_path,
        brokers={"east": {}},
        centre_keys={"east": tmp_path / "east.pub"},
        disk_budget_mb=0.25,
    )
    box = Outbox(tmp_path / "o.db", ["east"])
    guard = DiskGuard(conf, box)
    assert guard.alarms() == []
    blob = lambda seq: {"id": uuid7(), "seq": seq, "blob": "x" * 20_000}  # noqa: E731
    while "outbox_near_budget" not in guard.alarms():
        guard.admit()
        box.append(blob)
    with pytest.raises(OutboxError, match="budget"):
        for _ in range(100):
            guard.admit()
            box.append(blob)
    assert "outbox_budget_reached" in guard.alarms()
    kept = box.counts()["records"]
    # once the centre acknowledges, delivered records make room again
    box.mark_acked("east", [p.id for p in box.pending_for("east", limit=kept)])
    guard.admit()
    assert box.append(blob).seq == kept + 1
