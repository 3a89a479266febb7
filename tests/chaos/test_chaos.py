"""Chaos scenarios: at the end of each, every record is in both centres exactly once.

Each scenario is bounded (well under a minute) and checks by record id and by (booth, seq).
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import time

import paho.mqtt.client as paho
import pytest

from central.reconcile import HttpSide, LocalSide, reconcile
from central.store import open_store
from tests.chaos.conftest import assert_complete, drain_and_check, produced, wait_for

pytestmark = pytest.mark.slow


def test_aggregator_killed_mid_stream(make_stack):
    stack = make_stack()
    stack.start(seed=10)
    assert wait_for(lambda: produced(stack) >= 30, 60)
    stack.kill_centre("east")
    before = produced(stack)
    assert wait_for(lambda: produced(stack) >= before + 30, 30)  # booths keep inspecting
    stack.start_centre("east")
    stack.wait_centres()
    drain_and_check(stack)


def test_booth_killed_mid_stream_continues_its_sequence(make_stack):
    stack = make_stack()
    stack.start(seed=20)
    booth = stack.booths[0]
    assert wait_for(lambda: produced(stack) >= 30, 60)
    stack.kill_booth(booth)
    last_before = stack.last_seqs()[(booth.port, booth.booth)]
    stack.start_booth(booth)
    assert wait_for(lambda: stack.last_seqs()[(booth.port, booth.booth)] >= last_before + 10, 30)
    summary = drain_and_check(stack)
    # no sequence number was used twice: no conflicts anywhere
    for name in ("east", "west"):
        assert "conflict" not in open_store(stack.centres[name].database).totals()["rejects"]
    assert summary["produced"] >= last_before + 10


@pytest.mark.parametrize("persistence", [True, False], ids=["persistent", "no-persistence"])
def test_broker_killed_and_restarted(make_stack, persistence):
    stack = make_stack()
    stack.prepare()
    for c in stack.centres.values():
        c.broker.persistence = persistence
    stack.start(seed=30)
    assert wait_for(lambda: produced(stack) >= 30, 60)
    stack.centres["west"].broker.kill()
    time.sleep(3)
    stack.centres["west"].broker.start()
    drain_and_check(stack)


def test_booth_cut_off_from_east_silently(make_stack):
    """A black-holed link (no FIN, no RST): the booth notices by keepalive, West carries on."""
    stack = make_stack(proxied=True)
    stack.start(seed=40)
    booth = stack.booths[0]
    assert wait_for(lambda: produced(stack) >= 20, 60)
    stack.cut(booth, "east")
    cut_at = time.time()
    time.sleep(20)
    db = booth.dir / "outbox.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        west_acks_during_cut = conn.execute(
            "SELECT count(*) FROM acks WHERE centre='west' AND at > ?", (cut_at + 1,)
        ).fetchone()[0]
        east_acks_during_cut = conn.execute(
            "SELECT count(*) FROM acks WHERE centre='east' AND at > ?", (cut_at + 1,)
        ).fetchone()[0]
    assert west_acks_during_cut > 50 and east_acks_during_cut == 0
    # the booth noticed the dead link by itself, within seconds (keepalive 5 s)
    noticed = first_log_time(
        stack.base / "logs" / f"booth-{booth.name}.log", "east broker:", cut_at
    )
    assert noticed is not None and noticed - cut_at <= 12, noticed and noticed - cut_at
    stack.heal(booth, "east")
    drain_and_check(stack)


def first_log_time(log, text: str, after: float) -> float | None:
    """Time of the first log line containing `text` logged after `after` (epoch seconds)."""
    for line in log.read_text().splitlines():
        if text in line:
            stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if stamp > after:
                return stamp
    return None


def test_duplicates_replays_and_garbage_are_absorbed(make_stack):
    stack = make_stack()
    stack.start(seed=50)
    booth = stack.booths[0]
    assert wait_for(lambda: stack.last_seqs()[(booth.port, booth.booth)] >= 30, 60)
    with sqlite3.connect(f"file:{booth.dir / 'outbox.db'}?mode=ro", uri=True) as conn:
        records = [
            json.loads(r[0])
            for r in conn.execute("SELECT payload FROM records ORDER BY seq LIMIT 30")
        ]
    batch = json.dumps({"schema": "sekisho.records", "v": 1, "records": records}).encode()
    topic = f"sekisho/v1/{booth.port}/{booth.booth}/records"
    for name in ("east", "west"):
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"flood-{name}")
        client.connect("127.0.0.1", stack.centres[name].broker.port)
        client.loop_start()
        for _ in range(5):
            client.publish(topic, batch, qos=1).wait_for_publish(5)  # replayed duplicates
        for junk in (
            batch[: len(batch) // 3],
            b"\x00" * 50,
            b'{"v":1,"schema":"sekisho.records","records":[{}]}',
        ):
            client.publish(topic, junk, qos=1).wait_for_publish(5)  # truncated, corrupted
        client.loop_stop()
        client.disconnect()
    summary = drain_and_check(stack)
    for name in ("east", "west"):
        totals = open_store(stack.centres[name].database).totals()
        assert len(records) == 30 and totals["duplicates"] >= 4 * 30, totals
        assert totals["rejects"].get("malformed_json", 0) >= 2
    assert summary["duplicates"] == 0


def test_full_booth_disk_pauses_inspections_and_loses_nothing(make_stack):
    """Both centres unreachable and a small disk budget: the booth stops taking travellers."""
    stack = make_stack(booths_per_port=1, booth_env={"SEKISHO_BOOTH__DISK_BUDGET_MB": "0.15"})
    stack.start(seed=60)
    assert wait_for(lambda: produced(stack) >= 10, 60)
    for c in stack.centres.values():
        c.broker.kill()
    log = stack.base / "logs" / "booth-NRT-B01.log"
    assert wait_for(lambda: "budget" in log.read_text(), 60), "the booth never reached its budget"
    # delivered records make room first; then inspections stop, and nothing undelivered goes
    history = []

    def stalled() -> bool:
        history.append(produced(stack))
        return len(history) > 12 and history[-1] == history[-12]

    assert wait_for(stalled, 60), history
    assert stack.outbox_counts()["undelivered"] == stack.outbox_counts()["produced"]
    stalled = history[-1]
    for c in stack.centres.values():
        c.broker.start()
    assert wait_for(lambda: produced(stack) > stalled + 10, 60)  # resumed after delivery
    drain_and_check(stack)


def test_east_loses_its_database_and_reconciles_from_west(make_stack):
    stack = make_stack()
    stack.start(seed=70)
    assert wait_for(lambda: produced(stack) >= 60, 60)
    assert wait_for(lambda: stack.outbox_counts()["undelivered"] < 10, 30)
    # disaster at East: the aggregator and its database are gone
    stack.kill_centre("east")
    east = stack.centres["east"]
    for suffix in ("", "-wal", "-shm"):
        east.database.with_name(east.database.name + suffix).unlink(missing_ok=True)
    stack.prepare_centre_ledger("east")
    stack.start_centre("east")
    stack.wait_centres()
    stack.stop_booths()
    before = stack.summary()
    assert before["missing_east"] > 0  # records delivered before the disaster are only at West
    west = HttpSide(stack.centres["west"].url, stack.sync_token, "west")
    report = reconcile(LocalSide(open_store(east.database), "east"), west)
    assert report["copied_here"] == before["missing_east"] and report["missing_both"] == 0
    assert_complete(stack)
