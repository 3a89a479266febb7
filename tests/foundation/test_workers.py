"""Several ingest workers of one centre share the load through an MQTT shared subscription."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import paho.mqtt.client as paho
import pytest

from central.store import open_store
from sekisho.stack.net import wait_for_port
from sekisho.stack.procs import spawn_sekisho, stop
from sekisho.wire.codec import encode
from sekisho.wire.signing import generate_key, public_pem, sign
from tests.foundation.support import make_record, write_central_config

pytestmark = pytest.mark.slow


def worker_pids(conf) -> list[int]:
    pattern = f"{conf} --worker 1"
    out = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_two_workers_store_everything_once_and_a_killed_worker_comes_back(tmp_path, broker):
    key = generate_key()
    db = tmp_path / "central.db"
    open_store(db).register_booth("NRT", "B01", public_pem(key.public_key()).decode())
    conf, http = write_central_config(tmp_path, broker.port, (str(db), "sekisho"), workers=2)
    proc = spawn_sekisho(["central", "run", "--config", str(conf)], tmp_path / "central.log")
    try:
        assert wait_for_port(http, 30)
        deadline = time.monotonic() + 20
        while not worker_pids(conf) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker_pids(conf), "worker 1 was not started"
        time.sleep(1.5)  # both subscriptions in place
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="feeder")
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        recs = [sign(make_record(seq), key) for seq in range(1, 201)]
        for i in range(0, 200, 10):
            payload = encode({"schema": "sekisho.records", "v": 1, "records": recs[i : i + 10]})
            client.publish("sekisho/v1/NRT/B01/records", payload, qos=1).wait_for_publish(5)
        deadline = time.monotonic() + 20
        while len(open_store(db).record_ids()) < 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert open_store(db).record_ids() == {r["id"] for r in recs}
        log = tmp_path / "central-east-worker1.log"
        assert log.exists()
        # kill -9 the extra worker: the supervisor starts it again
        old = worker_pids(conf)
        os.kill(old[0], signal.SIGKILL)
        deadline = time.monotonic() + 15
        while (not worker_pids(conf) or worker_pids(conf) == old) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker_pids(conf) and worker_pids(conf) != old
        client.loop_stop()
        client.disconnect()
    finally:
        stop(proc)
    # Stopping worker 0 stops the others: it stops them itself, or, if it had to be killed
    # (a slow shutdown on a loaded machine), they get SIGTERM as their parent dies and take a
    # moment to shut down on their own.
    deadline = time.monotonic() + 15
    while worker_pids(conf) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not worker_pids(conf)
