"""Shared parts of bench/ingest.py, bench/drain.py and bench/failover.py.

Real parts only: Mosquitto brokers (`sekisho.stack.broker.Broker`), `sekisho central run`
processes, booth keys registered in the centres' ledgers, and records signed with those keys.
`LoadGenerator` speaks the booth side of the wire protocol (record batches on
`sekisho/v1/<port>/<booth>/records`, acknowledgements on `.../acks/<centre>`, resend of what is
not acknowledged within the ack timeout, as `edge/publisher.py` does) for many booths at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sekisho.stack.broker import Broker
from sekisho.stack.net import free_port, wait_for_port
from sekisho.stack.procs import spawn_sekisho, stop
from sekisho.wire import messages as m
from sekisho.wire import topics
from sekisho.wire.codec import encode
from sekisho.wire.ids import uuid7
from sekisho.wire.signing import load_or_create_private_key, public_pem, sign

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
PORTS = ["NRT", "HND", "KIX", "NGO", "FUK", "CTS", "OKA", "SDJ", "HIJ", "KOJ", "YOK", "KOB"]
SURNAMES = ["SATO", "SUZUKI", "TAKAHASHI", "ERIKSSON", "NGUYEN", "KIM", "GARCIA", "MULLER"]
GIVEN = ["ANNA MARIA", "JOHN", "HANA", "MIN JUN", "LUCAS", "SOFIA", "WEI", "OLGA"]
MAX_RESEND_AFTER = 60.0  # as edge/publisher.py (since e43f125)
NATIONS = ["USA", "KOR", "CHN", "VNM", "D<<", "GBR", "FRA", "UTO"]


# -- output ---------------------------------------------------------------------------------------
def utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def emit_rows(title: str, rows: list[dict[str, Any]], as_json: bool) -> None:
    """Every row as a JSON line on stdout, then (unless --json) one table per kind of row."""
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    if not as_json:
        sys.stdout.write(f"\n== {title} ==\n")
        kinds: list[str] = []
        for row in rows:
            if row.get("bench") not in kinds:
                kinds.append(row.get("bench"))
        for kind in kinds:
            group = [r for r in rows if r.get("bench") == kind]
            keys: list[str] = []
            for row in group:
                keys.extend(k for k in row if k not in keys and k != "bench")
            if len(group) == 1:  # one row: a vertical list reads better
                sys.stdout.write(f"\n{kind}\n")
                width = max(len(k) for k in keys)
                for k in keys:
                    sys.stdout.write(f"  {k.ljust(width)}  {_cell(group[0][k])}\n")
                continue
            cells = [[_cell(row.get(k, "")) for k in keys] for row in group]
            widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
            sys.stdout.write(f"\n{kind}\n  ")
            sys.stdout.write("  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)))
            for c in cells:
                sys.stdout.write(
                    "\n  " + "  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True))
                )
            sys.stdout.write("\n")
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def note(message: str) -> None:
    """Progress on stderr, so stdout carries only the figures."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def memory_mb(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB."""
    out = {"hwm_mb": 0.0, "rss_mb": 0.0}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out["hwm_mb"] = round(int(line.split()[1]) / 1024, 1)
            elif line.startswith("VmRSS:"):
                out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    return out


def use_overlay(directory: Path | None) -> None:
    """Run the `sekisho` processes this bench starts with `central/` and `edge/` from
    `directory` (a patched copy, e.g. a proposal) instead of the working tree.

    Children run `python -m sekisho`, which puts its working directory first on sys.path,
    so the overlay must be the working directory as well as on PYTHONPATH.
    """
    if directory is None:
        return
    directory = directory.resolve()
    if not (directory / "central").is_dir():
        raise SystemExit(f"{directory} has no central/ package to overlay")
    os.environ["PYTHONPATH"] = str(directory)
    os.environ.setdefault("SEKISHO_BENCH_VARIANT", f"overlay {directory}")
    os.chdir(directory)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """--keep, --overlay and --json, which every stack benchmark takes."""
    p.add_argument("--keep", type=Path, help="work in this directory and keep it")
    p.add_argument(
        "--overlay", type=Path, help="run centres/booths with central/ and edge/ from this dir"
    )
    p.add_argument("--json", action="store_true", help="JSON lines only")


def start_run(args: argparse.Namespace) -> None:
    """Apply the run options and quiet the logs before a stack benchmark starts."""
    if args.keep:
        args.keep = args.keep.resolve()
    use_overlay(args.overlay)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def raw_keys(booths: list[Any]) -> list[tuple[str, str, bytes]]:
    """(port, booth, raw Ed25519 private key) per booth: what worker processes can pickle."""
    return [
        (b.port, b.booth, b.key.private_bytes(serialization.Encoding.Raw,
                                              serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption()))
        for b in booths
    ]  # fmt: skip


def code_variant() -> str:
    """Which centre/booth code ran: the working tree, or a proposal overlaid with PYTHONPATH
    (set SEKISHO_BENCH_VARIANT to name it; see bench/README.md)."""
    return os.environ.get("SEKISHO_BENCH_VARIANT", "working tree")


def loadavg() -> float:
    """The 1-minute load average: this machine is shared, so every figure carries it."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


# -- booths and records ---------------------------------------------------------------------------
@dataclass
class SimBooth:
    port: str
    booth: str
    key: Ed25519PrivateKey

    @property
    def name(self) -> tuple[str, str]:
        return (self.port, self.booth)

    @property
    def pem(self) -> str:
        return public_pem(self.key.public_key()).decode("ascii")


def make_booths(count: int) -> list[SimBooth]:
    """`count` booths spread over the ports, each with a fresh Ed25519 key."""
    return [
        SimBooth(PORTS[i % len(PORTS)], f"B{i // len(PORTS) + 1:04d}", Ed25519PrivateKey.generate())
        for i in range(count)
    ]


def make_record(booth: SimBooth, seq: int, rng: random.Random) -> dict[str, Any]:
    """A schema-valid inspection record signed with the booth's key (as edge/records.py makes)."""
    landing = rng.random() < 0.5
    record = m.InspectionRecord(
        id=uuid7(),
        seq=seq,
        port=booth.port,
        booth=booth.booth,
        kind="landing" if landing else "departure",
        inspected_at=m.utc_now(),
        traveller=m.Traveller(
            surname=rng.choice(SURNAMES),
            given_names=rng.choice(GIVEN),
            nationality=rng.choice(NATIONS),
            sex=rng.choice("MF"),
            birth_date=f"{rng.randint(1940, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        ),
        document=m.Document(
            type="P",
            number=f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randint(0, 99999999):08d}",
            issuing_state=rng.choice(NATIONS),
            expiry_date=f"{rng.randint(2027, 2036)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        ),
        decision="admitted" if landing else "departed",
        landing=m.Landing(status_of_residence="TEMPORARY_VISITOR", period_days=90)
        if landing
        else None,
        inspector=f"J{rng.randint(1, 2600):04d}",
        screening=m.ScreeningSummary(hits=0, watchlist_version=812),
    )
    return sign(m.dump(record), booth.key)


Encoded = tuple[str, bytes]  # (record id, the record's JSON bytes)


def _sign_chunk(job: tuple[list[tuple[str, str, bytes]], int, int]) -> list[list[Encoded]]:
    booths_raw, per_booth, first_seq = job
    out = []
    for port, booth, raw in booths_raw:
        sim = SimBooth(port, booth, Ed25519PrivateKey.from_private_bytes(raw))
        rng = random.Random(f"{port}/{booth}/{first_seq}")
        recs = []
        for seq in range(first_seq, first_seq + per_booth):
            rec = make_record(sim, seq, rng)
            recs.append((rec["id"], encode(rec)))
        out.append(recs)
    return out


def sign_records(
    booths: list[SimBooth], per_booth: int, first_seq: int = 1, workers: int | None = None
) -> dict[tuple[str, str], list[Encoded]]:
    """`per_booth` signed, encoded records for every booth, made on every core."""
    raw = raw_keys(booths)
    workers = workers or os.cpu_count() or 1
    size = max(1, len(raw) // (workers * 4))
    jobs = [(raw[i : i + size], per_booth, first_seq) for i in range(0, len(raw), size)]
    out: dict[tuple[str, str], list[Encoded]] = {}
    if len(jobs) == 1 or workers == 1:
        results = map(_sign_chunk, jobs)
    else:
        pool = ProcessPoolExecutor(workers)
        results = pool.map(_sign_chunk, jobs)
    for job, chunk in zip(jobs, results, strict=True):
        for (port, booth, _), recs in zip(job[0], chunk, strict=True):
            out[(port, booth)] = recs
    if workers > 1 and len(jobs) > 1:
        pool.shutdown()
    return out


def batch_payload(records: Iterable[Encoded]) -> bytes:
    """A `sekisho.records` batch built from already-encoded records (what the publisher sends)."""
    return (
        b'{"schema":"sekisho.records","v":1,"records":['
        + b",".join(raw for _, raw in records)
        + b"]}"
    )


# -- centres ----------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------
@dataclass
class Centre:
    """One centre: its own Mosquitto broker and a `sekisho central run` process."""

    name: str
    dir: Path
    batch_max: int = 500
    batch_wait_ms: int = 20
    broker: Broker = field(init=False)
    http_port: int = field(init=False)
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.broker = Broker(self.dir / "broker")
        self.http_port = free_port()
        load_or_create_private_key(self.key_file)

    @property
    def key_file(self) -> Path:
        return self.dir / "centre.key"

    @property
    def pub_file(self) -> Path:
        return self.dir / "centre.pub"

    @property
    def database(self) -> Path:
        return self.dir / "central.db"

    @property
    def config(self) -> Path:
        return self.dir / "central.toml"

    @property
    def log(self) -> Path:
        return self.dir / "central.log"

    def register(self, booths: Iterable[SimBooth]) -> None:
        """Put every booth's public key in this centre's ledger, in one transaction."""
        from central.store import open_store  # the ledger API the centres use

        store = open_store(self.database)
        store.conn.execute("BEGIN")
        for b in booths:
            store.register_booth(b.port, b.booth, b.pem)
        store.conn.execute("COMMIT")
        store.close()

    def write_config(self) -> None:
        self.config.write_text(
            "[central]\n"
            f"centre = {json.dumps(self.name)}\n"
            f"database = {json.dumps(str(self.database))}\n"
            f"key_file = {json.dumps(str(self.key_file))}\n"
            f"batch_max = {self.batch_max}\n"
            f"batch_wait_ms = {self.batch_wait_ms}\n"
            f"[central.broker]\nport = {self.broker.port}\n"
            f"[central.http]\nport = {self.http_port}\n"
        )

    def start(self, wait: bool = True) -> None:
        self.write_config()
        self.proc = spawn_sekisho(
            ["--log-level", "WARNING", "central", "run", "--config", str(self.config)], self.log
        )
        if wait and not wait_for_port(self.http_port, 90):
            raise RuntimeError(f"centre {self.name} did not start; see {self.log}")

    def broker_log_mentions(self) -> int:
        """How often the broker logged the aggregator's client id connecting (its own log says
        nothing at WARNING level, so the broker's connection log tells when it is in)."""
        log = self.broker.data_dir / "mosquitto.log"
        if not log.exists():
            return 0
        return log.read_text(errors="replace").count(f"as central-{self.name}-0 ")

    def wait_subscribed(self, timeout: float = 90.0, seen: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.broker_log_mentions() > seen:
                time.sleep(0.3)  # its SUBSCRIBE follows the CONNACK
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, timeout=30)
            self.proc = None

    def held(self) -> int:
        """Records held: max(rowid) is O(log n) and equals count(*) (rows are never deleted)."""
        if not self.database.exists():
            return 0
        with contextlib.closing(
            sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        ) as conn:
            return conn.execute("SELECT coalesce(max(rowid), 0) FROM records").fetchone()[0]

    def audit(self) -> dict[str, int]:
        """Exact counts for the end of a run: rows, distinct ids, distinct (booth, seq), duplicates."""
        with contextlib.closing(
            sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        ) as conn:
            rows, ids = conn.execute("SELECT count(*), count(DISTINCT id) FROM records").fetchone()
            dups = conn.execute("SELECT value FROM counters WHERE name='duplicates'").fetchone()
            rejects = conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
        return {
            "rows": rows,
            "distinct_ids": ids,
            "duplicates_absorbed": dups[0] if dups else 0,
            "rejects": rejects,
        }

    def log_tail(self, lines: int = 8) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def shutdown(self) -> None:
        self.stop()
        self.broker.stop()


# -- the booth side -------------------------------------------------------------------------------
@dataclass
class BoothState:
    """What one simulated booth still owes one centre."""

    booth: SimBooth
    records: list[Encoded]
    unacked: dict[str, float] = field(default_factory=dict)  # id -> sent at (monotonic)
    seen: set[str] = field(default_factory=set)  # ids acknowledged at least once
    resent: int = 0
    resend_after: float = 0.0

    @property
    def acked(self) -> int:
        return len(self.seen)


@dataclass
class GeneratorStats:
    published_messages: int = 0
    published_records: int = 0
    resent_records: int = 0
    acks: int = 0
    acked_records: int = 0
    reconnects: int = 0
    first_publish: float | None = None
    last_ack: float | None = None
    acked_timeline: list[tuple[float, int]] = field(default_factory=list)


class LoadGenerator:
    """Many booths talking to one centre's broker, as `edge/publisher.py` does for one.

    Booths are grouped onto connections (`booths_per_conn`, 1 = one MQTT connection per booth,
    the production shape). Each booth sends its records in batches of `batch`, awaiting each
    PUBACK, and resends everything unacknowledged when the oldest is `ack_timeout` seconds old
    or after a reconnect; with `resend_policy="backoff"` (what edge/publisher.py does since
    e43f125) each resend doubles that wait, up to 60 s, until everything sent is acknowledged;
    `"fixed"` is the earlier behaviour. Acknowledgement signatures are not verified here (a real booth spends
    that CPU on its own appliance, not on the centres' cores).
    """

    def __init__(
        self,
        centre: str,
        broker_port: int,
        work: dict[tuple[str, str], tuple[SimBooth, list[Encoded]]],
        *,
        batch: int = 100,
        booths_per_conn: int = 1,
        ack_timeout: float = 10.0,
        client_prefix: str = "bench",
        connect_spread: float = 0.0,
        resend_policy: str = "fixed",
    ) -> None:
        self.centre = centre
        self.broker_port = broker_port
        self.batch = batch
        self.ack_timeout = ack_timeout
        self.client_prefix = client_prefix
        self.connect_spread = connect_spread
        self.resend_policy = resend_policy
        self.states = {
            k: BoothState(b, recs, resend_after=ack_timeout) for k, (b, recs) in work.items()
        }
        keys = list(self.states)
        self.groups = [keys[i : i + booths_per_conn] for i in range(0, len(keys), booths_per_conn)]
        self.total = sum(len(s.records) for s in self.states.values())
        self.stats = GeneratorStats()
        self.done = asyncio.Event()
        self.connected = 0

    async def run(self, timeout: float) -> GeneratorStats:
        """Deliver everything (until every record is acknowledged) or give up after `timeout`."""
        tasks = [asyncio.create_task(self._link(i, g)) for i, g in enumerate(self.groups)]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), timeout)
        for t in tasks:
            t.cancel()
        # thousands of cancelled aiomqtt clients can take long to close; the figures are in
        await asyncio.wait(tasks, timeout=30)
        return self.stats

    async def _link(self, index: int, group: list[tuple[str, str]]) -> None:
        if self.connect_spread:
            await asyncio.sleep(random.uniform(0, self.connect_spread))
        delay = 0.2
        while not self.done.is_set():
            try:
                async with aiomqtt.Client(
                    "127.0.0.1",
                    self.broker_port,
                    identifier=f"{self.client_prefix}-{self.centre}-{index}",
                    clean_session=False,
                    keepalive=30,
                    timeout=60,
                    max_inflight_messages=100,
                ) as client:
                    self.connected += 1
                    try:
                        await client.subscribe(
                            [(topics.acks(p, b, self.centre), 1) for p, b in group]
                        )
                        for key in group:  # a (re)connect resends what is unacknowledged
                            st = self.states[key]
                            st.unacked.clear()
                        async with asyncio.TaskGroup() as tg:
                            tg.create_task(self._receive(client))
                            tg.create_task(self._send(client, group))
                    finally:
                        self.connected -= 1
            except* aiomqtt.MqttError as exc:
                self.stats.reconnects += 1
                logger.warning("link %d: %s; reconnecting", index, exc.exceptions[0])
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, 5.0)

    async def _send(self, client: aiomqtt.Client, group: list[tuple[str, str]]) -> None:
        # first pass: everything each booth holds, booths of a connection interleaved
        cursors = dict.fromkeys(group, 0)
        pending = True
        while pending:
            pending = False
            for key in group:
                st = self.states[key]
                start = cursors[key]
                if start >= len(st.records):
                    continue
                # after a reconnect, only what is still owed
                chunk = [r for r in st.records[start : start + self.batch] if r[0] not in st.seen]
                cursors[key] = start + self.batch
                pending = True
                if chunk:
                    await self._publish(client, st, chunk)
        # then: resend what is overdue, until everything is acknowledged
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for key in group:
                st = self.states[key]
                if st.unacked and now - min(st.unacked.values()) > st.resend_after:
                    if self.resend_policy == "backoff":
                        # as edge/publisher.py: each resend of a backlog waits twice as long
                        st.resend_after = min(st.resend_after * 2, MAX_RESEND_AFTER)
                    ids = set(st.unacked)
                    again = [r for r in st.records if r[0] in ids]
                    for i in range(0, len(again), self.batch):
                        await self._publish(client, st, again[i : i + self.batch])
                    st.resent += len(again)
                    self.stats.resent_records += len(again)

    async def _publish(self, client: aiomqtt.Client, st: BoothState, chunk: list[Encoded]) -> None:
        now = time.monotonic()
        if self.stats.first_publish is None:
            self.stats.first_publish = now
        for rid, _ in chunk:
            st.unacked[rid] = now
        await client.publish(topics.records(*st.booth.name), batch_payload(chunk), qos=1)
        self.stats.published_messages += 1
        self.stats.published_records += len(chunk)

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            self.on_ack(bytes(message.payload))

    def on_ack(self, payload: bytes) -> None:
        ack = json.loads(payload)
        st = self.states.get((ack.get("port"), ack.get("booth")))
        if st is None or ack.get("centre") != self.centre:
            return
        self.stats.acks += 1
        fresh = 0
        for rid in ack.get("accepted", []):
            st.unacked.pop(rid, None)
            if rid not in st.seen:
                st.seen.add(rid)
                fresh += 1
        if not st.unacked:  # everything sent is acknowledged: back to the normal timeout
            st.resend_after = self.ack_timeout
        if fresh:
            self.stats.acked_records += fresh
            now = time.monotonic()
            self.stats.last_ack = now
            self.stats.acked_timeline.append((now, self.stats.acked_records))
            if self.stats.acked_records >= self.total:
                self.done.set()


async def wait_until(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()
