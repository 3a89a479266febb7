"""Ingest throughput of one aggregator, against Mosquitto's raw QoS 1 rate measured in the same run.

Three measurements, every part real (Mosquitto, `sekisho central run`, Ed25519-signed records
from booth keys registered in the centre):

- reference: raw QoS 1 throughput of ~600-byte messages through a fresh Mosquitto, publisher and
  a persistent-session subscriber in separate processes, for aiomqtt (the library the aggregator
  uses) and paho-mqtt;
- live: booths publishing record batches at full speed while the aggregator runs; records
  committed (the centre's database) and acknowledged (signed acks back at the booths) per second;
- backlog: records queued in the broker for the aggregator's persistent session while it is
  stopped, then the aggregator started; time and rate until every record is acknowledged.

    .venv/bin/python bench/ingest.py                 # quick run, < 1 minute
    .venv/bin/python bench/ingest.py --booths 50 --records 400 --raw-messages 40000 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Centre,
    LoadGenerator,
    add_run_options,
    code_variant,
    cpu_seconds,
    emit_rows,
    loadavg,
    make_booths,
    memory_mb,
    note,
    sign_records,
    start_run,
    utc_stamp,
    wait_until,
)
from sekisho.stack.broker import Broker

logger = logging.getLogger(__name__)

RAW_TOPIC = "bench/raw"


# -- reference: raw broker throughput -------------------------------------------------------------
def _raw_payload(size: int) -> bytes:
    return (b'{"pad":"' + b"x" * size)[: size - 2] + b'"}'


async def _aiomqtt_sub(port: int, count: int) -> dict:
    import aiomqtt

    async with aiomqtt.Client(
        "127.0.0.1", port, identifier="raw-sub-aiomqtt", clean_session=False
    ) as client:
        await client.subscribe(RAW_TOPIC, qos=1)
        print(json.dumps({"ready": True}), flush=True)
        n, first = 0, None
        async for _ in client.messages:
            n += 1
            if first is None:
                first = time.time()
            if n >= count:
                return {"received": n, "first": first, "last": time.time()}
    return {}


def _paho_sub(port: int, count: int) -> dict:
    import paho.mqtt.client as mqtt

    state = {"n": 0, "first": None, "last": None}
    done = threading.Event()

    def on_message(client, userdata, msg):
        state["n"] += 1
        if state["first"] is None:
            state["first"] = time.time()
        if state["n"] >= count:
            state["last"] = time.time()
            done.set()

    def on_connect(client, userdata, flags, reason, props):
        client.subscribe(RAW_TOPIC, qos=1)

    def on_subscribe(client, userdata, mid, reasons, props):
        print(json.dumps({"ready": True}), flush=True)

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="raw-sub-paho", clean_session=False)
    c.on_message, c.on_connect, c.on_subscribe = on_message, on_connect, on_subscribe
    c.connect("127.0.0.1", port)
    c.loop_start()
    done.wait()
    c.loop_stop()
    return {"received": state["n"], "first": state["first"], "last": state["last"]}


async def _aiomqtt_pub(port: int, count: int, payload: bytes, inflight: int, conns: int) -> float:
    """`conns` == 1: one connection with `inflight` publishes outstanding. `conns` > 1: that many
    connections each awaiting every PUBACK before the next publish, as the booths' links do."""
    import aiomqtt

    async def link(i: int, n: int, window: int) -> None:
        async with aiomqtt.Client(
            "127.0.0.1", port, identifier=f"raw-pub-{i}", max_inflight_messages=max(window, 20)
        ) as client:
            await ready.wait()
            sem = asyncio.Semaphore(window)

            async def one() -> None:
                try:
                    await client.publish(RAW_TOPIC, payload, qos=1)
                finally:
                    sem.release()

            tasks = []
            for _ in range(n):
                await sem.acquire()
                tasks.append(asyncio.create_task(one()))
            await asyncio.gather(*tasks)

    ready = asyncio.Event()
    window = inflight if conns == 1 else 1
    shares = [count // conns + (1 if i < count % conns else 0) for i in range(conns)]
    links = [asyncio.create_task(link(i, n, window)) for i, n in enumerate(shares)]
    await asyncio.sleep(0.5 + conns * 0.01)  # let every link connect first
    start = time.time()
    ready.set()
    await asyncio.gather(*links)
    return start


def _paho_pub(port: int, count: int, payload: bytes, inflight: int) -> float:
    import paho.mqtt.client as mqtt

    acked = threading.Semaphore(0)
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="raw-pub-paho")
    c.max_inflight_messages_set(inflight)
    c.max_queued_messages_set(0)
    c.on_publish = lambda *a: acked.release()
    c.connect("127.0.0.1", port)
    c.loop_start()
    start = time.time()
    for _ in range(count):
        c.publish(RAW_TOPIC, payload, qos=1)
    for _ in range(count):
        acked.acquire()
    c.loop_stop()
    c.disconnect()
    return start


def raw_reference(
    lib: str, base: Path, count: int, size: int, inflight: int, conns: int = 1
) -> dict[str, float | str]:
    """Publisher here, subscriber in a child process, through a fresh broker."""
    broker = Broker(base / f"raw-{lib}-{conns}", persistence=True).start()
    try:
        sub = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--role",
                f"raw-sub-{lib}",
                "--role-port",
                str(broker.port),
                "--raw-messages",
                str(count),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert sub.stdout is not None
        json.loads(sub.stdout.readline())  # subscribed
        payload = _raw_payload(size)
        t0 = time.perf_counter()
        if lib == "aiomqtt":
            start = asyncio.run(_aiomqtt_pub(broker.port, count, payload, inflight, conns))
        else:
            start = _paho_pub(broker.port, count, payload, inflight)
        pub_seconds = time.perf_counter() - t0
        out = json.loads(sub.stdout.readline())
        sub.wait(timeout=60)
    finally:
        broker.stop()
    seconds = out["last"] - start
    return {
        "bench": "raw_broker",
        "client": lib,
        "messages": out["received"],
        "payload_bytes": size,
        "publishers": conns,
        "inflight_each": inflight if conns == 1 else 1,
        "seconds": round(seconds, 2),
        "msgs_per_s": round(out["received"] / seconds, 1),
        "publish_msgs_per_s": round(count / pub_seconds, 1),
    }


# -- live and backlog ingest ------------------------------------------------------------------------
def _rate_between(timeline: list[tuple[float, int]], total: int) -> float:
    """Records per second between 10% and 90% of the total (steady state, no ramp-up or tail)."""
    lo = next((t for t, n in timeline if n >= total * 0.1), None)
    hi_point = next(((t, n) for t, n in timeline if n >= total * 0.9), None)
    lo_n = next((n for t, n in timeline if n >= total * 0.1), 0)
    if lo is None or hi_point is None or hi_point[0] <= lo:
        return 0.0
    return (hi_point[1] - lo_n) / (hi_point[0] - lo)


async def _sample_held(centre: Centre, out: list[tuple[float, int]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        out.append((time.monotonic(), centre.held()))
        await asyncio.sleep(0.25)


async def live_ingest(centre: Centre, work: dict, args: argparse.Namespace) -> dict:
    gen = LoadGenerator(
        "east",
        centre.broker.port,
        work,
        batch=args.batch,
        booths_per_conn=1,
        ack_timeout=args.ack_timeout,
        client_prefix="live",
    )
    held0 = centre.held()
    cpu0 = {"centre": cpu_seconds(centre.proc.pid), "broker": cpu_seconds(centre.broker.proc.pid)}
    samples: list[tuple[float, int]] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_held(centre, samples, stop))
    t0 = time.monotonic()
    stats = await gen.run(timeout=args.timeout)
    elapsed = (stats.last_ack or time.monotonic()) - (stats.first_publish or t0)
    stop.set()
    await sampler
    committed = centre.held() - held0
    commit_tl = [(t, n - held0) for t, n in samples]
    acked_rate = stats.acked_records / elapsed if elapsed > 0 else 0.0
    return {
        "bench": "live_ingest",
        "booths": len(work),
        "batch": args.batch,
        "records": gen.total,
        "acked": stats.acked_records,
        "committed": committed,
        "seconds": round(elapsed, 2),
        "acked_per_s": round(acked_rate, 1),
        "acked_per_s_steady": round(_rate_between(stats.acked_timeline, gen.total), 1),
        "committed_per_s_steady": round(_rate_between(commit_tl, gen.total), 1),
        "messages": stats.published_messages,
        "resent": stats.resent_records,
        "centre_cpu_us_per_record": round(
            (cpu_seconds(centre.proc.pid) - cpu0["centre"]) / max(gen.total, 1) * 1e6, 1
        ),
        "broker_cpu_us_per_record": round(
            (cpu_seconds(centre.broker.proc.pid) - cpu0["broker"]) / max(gen.total, 1) * 1e6, 1
        ),
    }


async def backlog_drain(centre: Centre, work: dict, args: argparse.Namespace) -> dict:
    """Stop the aggregator, queue the backlog in the broker for its session, start it, time it."""
    centre.stop()
    gen = LoadGenerator(
        "east",
        centre.broker.port,
        work,
        batch=args.backlog_batch,
        booths_per_conn=1,
        ack_timeout=args.timeout * 10,  # no resends: every record must come from the broker queue
        client_prefix="backlog",
    )
    held0 = centre.held()
    runner = asyncio.create_task(gen.run(timeout=args.timeout * 2))
    queued = await wait_until(lambda: gen.stats.published_records >= gen.total, args.timeout)
    note(f"backlog: {gen.stats.published_records} records queued in the broker; starting centre")
    t_start = time.monotonic()
    centre.start(wait=False)
    seen = centre.broker_log_mentions()
    await wait_until(lambda: centre.broker_log_mentions() > seen, args.timeout, step=0.02)
    t_connected = time.monotonic()
    await asyncio.wait_for(runner, None)
    stats = gen.stats
    done_at = stats.last_ack or time.monotonic()
    first_ack = stats.acked_timeline[0][0] if stats.acked_timeline else done_at
    committed = centre.held() - held0
    return {
        "bench": "backlog_drain",
        "booths": len(work),
        "batch": args.backlog_batch,
        "records": gen.total,
        "queued_in_broker": gen.stats.published_records if queued else 0,
        "acked": stats.acked_records,
        "committed": committed,
        "seconds_from_process_start": round(done_at - t_start, 2),
        "process_start_to_connected_s": round(t_connected - t_start, 2),
        "connected_to_first_ack_s": round(first_ack - t_connected, 2),
        "seconds_from_connected": round(done_at - t_connected, 2),
        "acked_per_s": round(stats.acked_records / max(done_at - t_connected, 1e-9), 1),
    }


async def run_ingest(base: Path, args: argparse.Namespace) -> list[dict]:
    booths = make_booths(args.booths)
    note(
        f"signing {args.booths * args.records} live + {args.booths * args.backlog} backlog records"
    )
    live = sign_records(booths, args.records, first_seq=1)
    backlog = sign_records(booths, args.backlog, first_seq=args.records + 1) if args.backlog else {}
    centre = Centre("east", base / "east", batch_max=args.batch_max)
    centre.register(booths)
    centre.broker.start()
    rows = []
    try:
        centre.start()
        if not centre.wait_subscribed():
            raise RuntimeError(f"aggregator did not connect:\n{centre.log_tail()}")
        note("live ingest")
        rows.append(await live_ingest(centre, {b.name: (b, live[b.name]) for b in booths}, args))
        if args.backlog:
            note("backlog drain")
            work = {b.name: (b, backlog[b.name]) for b in booths}
            rows.append(await backlog_drain(centre, work, args))
        audit = centre.audit()
        expected = args.booths * (args.records + args.backlog)
        rows.append(
            {
                "bench": "audit",
                "expected": expected,
                **audit,
                "ok": audit["rows"] == audit["distinct_ids"] == expected,
                "centre_peak_rss_mb": memory_mb(centre.proc.pid)["hwm_mb"] if centre.proc else 0,
            }
        )
    finally:
        centre.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--booths", type=int, default=20, help="simulated booths, one MQTT link each")
    p.add_argument("--records", type=int, default=500, help="live records per booth")
    p.add_argument("--batch", type=int, default=1, help="records per message, live (default 1)")
    p.add_argument("--backlog", type=int, default=500, help="backlog records per booth (0: skip)")
    p.add_argument("--backlog-batch", type=int, default=100, help="records per message, backlog")
    p.add_argument("--batch-max", type=int, default=500, help="aggregator batch_max")
    p.add_argument("--raw-messages", type=int, default=10000, help="messages per raw reference")
    p.add_argument("--raw-bytes", type=int, default=600, help="payload size of the raw reference")
    p.add_argument("--inflight", type=int, default=100, help="raw publisher's messages in flight")
    p.add_argument("--skip-raw", action="store_true", help="skip the raw broker reference")
    p.add_argument("--ack-timeout", type=float, default=10.0, help="booth resend timeout, live")
    p.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    add_run_options(p)
    p.add_argument("--role", help=argparse.SUPPRESS)
    p.add_argument("--role-port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    start_run(args)
    logging.getLogger("mqtt").setLevel(
        logging.ERROR
    )  # aiomqtt: "There are N pending publish calls"

    if args.role == "raw-sub-aiomqtt":
        print(json.dumps(asyncio.run(_aiomqtt_sub(args.role_port, args.raw_messages))), flush=True)
        return 0
    if args.role == "raw-sub-paho":
        print(json.dumps(_paho_sub(args.role_port, args.raw_messages)), flush=True)
        return 0

    base = args.keep or Path(tempfile.mkdtemp(prefix="sekisho-bench-ingest-"))
    base.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    started = time.monotonic()
    load0 = loadavg()
    if not args.skip_raw:
        for lib, conns in (("aiomqtt", 1), ("aiomqtt", args.booths), ("paho", 1)):
            note(f"raw broker reference: {lib}, {conns} publisher(s), {args.raw_messages} messages")
            rows.append(
                raw_reference(lib, base, args.raw_messages, args.raw_bytes, args.inflight, conns)
            )
    rows.extend(asyncio.run(run_ingest(base, args)))
    # the reference is the faster of the two aiomqtt shapes: the broker's rate, not a publisher's
    raw = max(
        (r for r in rows if r.get("client") == "aiomqtt"),
        key=lambda r: r["msgs_per_s"],
        default=None,
    )
    live = next(r for r in rows if r["bench"] == "live_ingest")
    summary = {
        "bench": "summary",
        "date": utc_stamp(),
        "code": code_variant(),
        "cpus": os.cpu_count(),
        "loadavg_start": load0,
        "loadavg_end": loadavg(),
        "live_acked_per_s": live["acked_per_s_steady"] or live["acked_per_s"],
        "raw_aiomqtt_msgs_per_s": raw["msgs_per_s"] if raw else None,
        "live_pct_of_raw": round(
            100 * (live["acked_per_s_steady"] or live["acked_per_s"]) / raw["msgs_per_s"], 1
        )
        if raw
        else None,
        "target_pct": 50,
        "wall_s": round(time.monotonic() - started, 1),
    }
    rows.append(summary)
    emit_rows("Sekisho ingest benchmark (one aggregator)", rows, args.json)
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
