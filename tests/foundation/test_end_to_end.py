"""End to end with real parts: Mosquitto brokers, `sekisho central run` and `sekisho edge run` processes."""

from __future__ import annotations

import time

import pytest

from sekisho.stack.local import LocalStack
from tests.foundation.support import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(tmp_path):
    s = LocalStack(
        tmp_path / "stack",
        ports=["NRT"],
        booths_per_port=2,
        rate_per_minute=600,
        drain_timeout=60,
        ack_timeout=3,
    )
    yield s
    s.stop_all()


def assert_complete(stack: LocalStack) -> dict:
    summary = stack.summary()
    assert summary["produced"] > 0
    assert summary["produced"] == summary["east"] == summary["west"], summary
    assert summary["duplicates"] == 0 and summary["undelivered"] == 0, summary
    assert summary["missing_east"] == summary["missing_west"] == 0, summary
    return summary


def test_round_trip_booths_to_east_and_west(stack):
    stack.start(seed=1)
    assert wait_for(lambda: stack.outbox_counts()["produced"] >= 40, 60)
    stack.stop_booths()
    summary = assert_complete(stack)
    # heartbeats reached both centres and name the booths' state
    for name in ("east", "west"):
        from central.store import open_store as Store

        health = Store(stack.centres[name].database).booth_health()
        assert {h["booth"] for h in health} == {"B01", "B02"}
        assert all(h["last_heartbeat_age_s"] is not None for h in health)
        assert sum(h["records_received"] for h in health) == summary["produced"]


@pytest.mark.parametrize("wipe", [False, True], ids=["persisted", "wiped"])
def test_broker_killed_and_restarted_while_publishing_loses_nothing(stack, wipe):
    stack.start(seed=2)
    east = stack.centres["east"].broker
    assert wait_for(lambda: stack.outbox_counts()["produced"] >= 30, 60)
    east.kill()
    produced_while_down = stack.outbox_counts()["produced"]
    assert wait_for(lambda: stack.outbox_counts()["produced"] >= produced_while_down + 20, 30)
    # West keeps acknowledging, but nothing is delivered without East
    assert stack.outbox_counts()["undelivered"] >= 20
    east.restart(wipe=wipe)
    time.sleep(2)
    stack.stop_booths()
    assert_complete(stack)
