"""The booth outbox: durable before "done", sequence numbers that only increase, delivery by both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from edge.outbox import Outbox
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
