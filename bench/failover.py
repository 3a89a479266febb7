"""Failover time: a real booth loses East's broker (kill -9); how soon does West acknowledge?

A real `sekisho edge run` booth publishes to East and West (each a Mosquitto broker and a
`sekisho central run` process). Per trial: wait for steady delivery, kill -9 East's broker,
and read the booth's own outbox (`acks` table) for

- failover_s: kill -> first acknowledgement from West after the kill
  (`SELECT min(at) FROM acks WHERE centre='west' AND at > kill_time`);
- first_new_record_s: kill -> West's acknowledgement of the first record made after the kill
  (the traveller-facing figure: a record made during the outage reaches a centre this fast);
- catch_up_s: East's broker restarted -> East has acknowledged every record made up to then.

At the end the booth is stopped and both centres are checked to hold every outbox record.

    .venv/bin/python bench/failover.py                          # 2 trials, < 1 minute
    .venv/bin/python bench/failover.py --trials 5 --outage 20 --json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Centre,
    add_run_options,
    code_variant,
    emit_rows,
    loadavg,
    note,
    start_run,
    utc_stamp,
)
from sekisho.stack.procs import spawn_sekisho, stop
from sekisho.wire.signing import load_or_create_private_key, public_pem

logger = logging.getLogger(__name__)

PORT, BOOTH = "NRT", "B01"


class BoothProcess:
    """One real booth: its config, key (registered at both centres) and `sekisho edge run`."""

    def __init__(self, base: Path, centres: list[Centre], args: argparse.Namespace) -> None:
        self.dir = base / "booth"
        self.dir.mkdir(parents=True, exist_ok=True)
        key = load_or_create_private_key(self.dir / "booth.key")
        self.pem = public_pem(key.public_key()).decode("ascii")
        self.config = self.dir / "booth.toml"
        lines = [
            "[booth]",
            f"port = {json.dumps(PORT)}",
            f"booth = {json.dumps(BOOTH)}",
            f"data_dir = {json.dumps(str(self.dir))}",
            f"rate_per_minute = {args.rate}",
            "heartbeat_seconds = 2.0",
            f"ack_timeout_seconds = {args.ack_timeout}",
            "drain_timeout_seconds = 60",
        ]
        for c in centres:
            lines.append(f"[booth.brokers.{c.name}]\nport = {c.broker.port}")
            if args.keepalive:
                lines.append(f"keepalive = {args.keepalive}")
        lines.append("[booth.centre_keys]")
        lines += [f"{c.name} = {json.dumps(str(c.pub_file))}" for c in centres]
        self.config.write_text("\n".join(lines) + "\n")
        self.proc = None

    @property
    def outbox(self) -> Path:
        return self.dir / "outbox.db"

    def start(self) -> None:
        self.proc = spawn_sekisho(
            ["--log-level", "INFO", "edge", "run", "--config", str(self.config), "--seed", "7"],
            self.dir / "booth.log",
        )

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, timeout=90)
            self.proc = None

    def query(self, sql: str, params: tuple = ()) -> tuple:
        if not self.outbox.exists():
            return (None,)
        with contextlib.closing(
            sqlite3.connect(f"file:{self.outbox}?mode=ro", uri=True, timeout=10)
        ) as conn:
            try:
                return conn.execute(sql, params).fetchone()
            except sqlite3.OperationalError:  # schema not there yet
                return (None,)

    def acked_by(self, centre: str) -> int:
        return self.query("SELECT count(*) FROM acks WHERE centre=?", (centre,))[0] or 0

    def first_ack_after(self, centre: str, t: float) -> float | None:
        return self.query("SELECT min(at) FROM acks WHERE centre=? AND at > ?", (centre, t))[0]

    def first_new_record_ack(self, centre: str, t: float) -> float | None:
        return self.query(
            """SELECT min(a.at) FROM acks a JOIN records r ON r.seq = a.seq
               WHERE a.centre=? AND r.created_at > ?""",
            (centre, t),
        )[0]

    def unacked_before(self, centre: str, t: float) -> int:
        return self.query(
            """SELECT count(*) FROM records r WHERE r.created_at <= ? AND NOT EXISTS
               (SELECT 1 FROM acks a WHERE a.seq = r.seq AND a.centre = ?)""",
            (t, centre),
        )[0]

    def ids(self) -> set[str]:
        with contextlib.closing(sqlite3.connect(f"file:{self.outbox}?mode=ro", uri=True)) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM records")}


def poll(fn, timeout: float, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    return None


def trial(n: int, booth: BoothProcess, east: Centre, args: argparse.Namespace) -> dict:
    # steady state: both centres acknowledging
    base_e, base_w = booth.acked_by("east"), booth.acked_by("west")
    poll(lambda: booth.acked_by("east") > base_e and booth.acked_by("west") > base_w, 60, 0.1)
    time.sleep(args.settle)
    kill_at = time.time()
    east.broker.kill()
    first_west = poll(lambda: booth.first_ack_after("west", kill_at), args.timeout)
    first_new = poll(lambda: booth.first_new_record_ack("west", kill_at), args.timeout)
    note(f"trial {n}: East broker killed; West acknowledging; East down for {args.outage:.0f} s")
    time.sleep(max(0.0, kill_at + args.outage - time.time()))
    made_during = booth.query("SELECT count(*) FROM records WHERE created_at > ?", (kill_at,))[0]
    restart_at = time.time()
    east.broker.start()
    caught_up = poll(lambda: booth.unacked_before("east", restart_at) == 0, args.timeout, 0.1)
    caught_at = time.time() if caught_up else None
    return {
        "bench": "failover",
        "trial": n,
        "failover_s": round(first_west - kill_at, 3) if first_west else None,
        "first_new_record_s": round(first_new - kill_at, 3) if first_new else None,
        "outage_s": round(restart_at - kill_at, 1),
        "records_made_in_outage": made_during,
        "catch_up_s": round(caught_at - restart_at, 2) if caught_at else None,
        "target_s": 5,
        "met": bool(first_west and first_west - kill_at <= 5),
    }


def run(args: argparse.Namespace) -> list[dict]:
    base = args.keep or Path(tempfile.mkdtemp(prefix="sekisho-bench-failover-"))
    base.mkdir(parents=True, exist_ok=True)
    centres = [Centre(name, base / name) for name in ("east", "west")]
    booth = BoothProcess(base, centres, args)
    rows: list[dict] = []
    load0 = loadavg()
    try:
        for c in centres:
            c.register([_Registered(booth.pem)])
            c.broker.start()
            c.start()
        for c in centres:
            c.wait_subscribed()
        booth.start()
        for i in range(1, args.trials + 1):
            rows.append(trial(i, booth, centres[0], args))
        booth.stop()
        produced = booth.ids()
        for c in centres:
            held = _held_ids(c)
            rows.append(
                {
                    "bench": "audit",
                    "centre": c.name,
                    "produced": len(produced),
                    "held": len(held & produced),
                    "missing": len(produced - held),
                    **{k: v for k, v in c.audit().items() if k != "rows"},
                }
            )
    finally:
        booth.stop()
        for c in centres:
            c.shutdown()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    fails = [r for r in rows if r["bench"] == "failover"]
    done = [r["failover_s"] for r in fails if r["failover_s"] is not None]
    catch = [r["catch_up_s"] for r in fails if r["catch_up_s"] is not None]
    rows.append(
        {
            "bench": "summary",
            "date": utc_stamp(),
            "code": code_variant(),
            "trials": len(fails),
            "rate_per_minute": args.rate,
            "failover_s_median": round(statistics.median(done), 3) if done else None,
            "failover_s_max": max(done) if done else None,
            "catch_up_s_median": round(statistics.median(catch), 2) if catch else None,
            "target_s": 5,
            "met": len(done) == len(fails) and max(done) <= 5,
            "loadavg_start": load0,
            "loadavg_end": loadavg(),
        }
    )
    return rows


class _Registered:
    """The one booth, in the shape `Centre.register` takes."""

    def __init__(self, pem: str) -> None:
        self.port, self.booth, self.pem = PORT, BOOTH, pem


def _held_ids(centre: Centre) -> set[str]:
    with contextlib.closing(
        sqlite3.connect(f"file:{centre.database}?mode=ro", uri=True, timeout=30)
    ) as conn:
        return {
            r[0]
            for r in conn.execute("SELECT id FROM records WHERE port=? AND booth=?", (PORT, BOOTH))
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--trials", type=int, default=2, help="kill/restart cycles (default 2)")
    p.add_argument("--outage", type=float, default=6.0, help="seconds East's broker stays down")
    p.add_argument("--rate", type=float, default=600.0, help="booth travellers per minute")
    p.add_argument("--ack-timeout", type=float, default=10.0, help="booth ack_timeout_seconds")
    p.add_argument("--keepalive", type=int, default=0, help="booth broker keepalive (0: default)")
    p.add_argument("--settle", type=float, default=1.0, help="steady seconds before each kill")
    p.add_argument("--timeout", type=float, default=60.0, help="give up a wait after this long")
    add_run_options(p)
    args = p.parse_args(argv)
    start_run(args)
    emit_rows("Sekisho failover (kill -9 East's broker)", run(args), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
