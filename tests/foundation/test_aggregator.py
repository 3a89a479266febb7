"""One real aggregator process behind a real broker, fed directly: duplicates, forgeries, garbage.

Each test runs with the aggregator on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import time
import urllib.request

import paho.mqtt.client as paho
import pytest

from central.store import open_store as Store
from sekisho.stack.net import wait_for_port
from sekisho.stack.procs import spawn_sekisho, stop
from sekisho.wire.codec import encode
from sekisho.wire.signing import generate_key, public_pem, sign
from tests.foundation.support import make_record, write_central_config

pytestmark = pytest.mark.slow


@pytest.fixture
def centre(tmp_path, broker, database):
    key = generate_key()
    db = database
    Store(*db).register_booth("NRT", "B01", public_pem(key.public_key()).decode())
    conf, http = write_central_config(tmp_path, broker.port, db, batch_wait_ms=5)
    proc = spawn_sekisho(["central", "run", "--config", str(conf)], tmp_path / "central.log")
    assert wait_for_port(http, 30), (tmp_path / "central.log").read_text()
    time.sleep(0.5)  # subscription in place
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="test-feeder")
    acks = []
    client.on_message = lambda c, u, msg: acks.append(json.loads(msg.payload))
    client.connect("127.0.0.1", broker.port)
    client.subscribe("sekisho/v1/NRT/B01/acks/east", qos=1)
    client.loop_start()
    yield {"key": key, "db": db, "client": client, "acks": acks, "http": http, "proc": proc}
    client.loop_stop()
    client.disconnect()
    stop(proc)


def publish(client, payload: bytes, topic: str = "sekisho/v1/NRT/B01/records") -> None:
    client.publish(topic, payload, qos=1).wait_for_publish(5)


def batch(*records) -> bytes:
    return encode({"schema": "sekisho.records", "v": 1, "records": list(records)})


def ids_in(db) -> set[str]:
    return Store(*db).record_ids()


def wait_until(predicate, timeout=15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_duplicate_publish_is_stored_once_and_acknowledged_each_time(centre):
    rec = sign(make_record(1), centre["key"])
    for _ in range(3):
        publish(centre["client"], batch(rec))
    assert wait_until(lambda: sum(len(a["accepted"]) for a in centre["acks"]) >= 3)
    assert ids_in(centre["db"]) == {rec["id"]}
    assert Store(*centre["db"]).counter("duplicates") == 2
    assert all(a["centre"] == "east" and "sig" in a for a in centre["acks"])


def test_bad_signature_is_rejected_counted_and_not_stored(centre):
    forged = sign(make_record(1), generate_key())
    publish(centre["client"], batch(forged))
    good = sign(make_record(2), centre["key"])
    publish(centre["client"], batch(good))
    assert wait_until(lambda: good["id"] in ids_in(centre["db"]))
    assert forged["id"] not in ids_in(centre["db"])
    assert Store(*centre["db"]).totals()["rejects"].get("bad_signature") == 1
    # The ack goes out after the commit: the database may show the record before it arrives.
    assert wait_until(lambda: any(a["rejected"] for a in centre["acks"]))
    rejected = [r for a in centre["acks"] for r in a["rejected"]]
    assert rejected[0]["reason"] == "bad_signature"


def test_malformed_payloads_do_not_stop_the_aggregator(centre):
    good = batch(sign(make_record(5), centre["key"]))
    for junk in (b"\x00\x01garbage", good[:40], b'{"v": 1}', b"", b"[]"):
        publish(centre["client"], junk)
    publish(centre["client"], b"{}", topic="sekisho/v1/NRT/B01/heartbeat")
    rec = sign(make_record(6), centre["key"])
    publish(centre["client"], batch(rec))
    assert wait_until(lambda: rec["id"] in ids_in(centre["db"]))
    assert centre["proc"].poll() is None
    rejects = Store(*centre["db"]).totals()["rejects"]
    assert rejects.get("malformed_json", 0) >= 4
    with urllib.request.urlopen(f"http://127.0.0.1:{centre['http']}/api/stats") as resp:
        stats = json.load(resp)
    assert stats["records"] == 1 and stats["ingest"]["rejected"] >= 5
