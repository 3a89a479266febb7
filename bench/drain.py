"""A national outage drain: every booth reconnects at once with its queued records, to East and West.

N simulated booths (default 2,000) each hold M signed records (default 500; 1,000,000 in all)
that neither centre has. At t=0 every booth opens its links to both centres' brokers and sends
its backlog in batches, as `edge/publisher.py` does (batches of `--batch`, each PUBACK awaited,
everything unacknowledged resent after `--ack-timeout` seconds, doubling up to 60 s). Measured: time until each
centre holds every record, time until every booth has both acknowledgements, resends and
duplicates absorbed, and the peak memory (VmHWM) of every process.

Every part is real: two Mosquitto brokers, two `sekisho central run` processes, booth keys
registered in both centres' ledgers, records signed with them. The booths are simulated by this
process (one MQTT connection per booth per centre by default: `--booths-per-conn`).

    .venv/bin/python bench/drain.py --booths 200 --records 100          # quick, < 1 minute
    .venv/bin/python bench/drain.py --json > drain.jsonl 2> drain.log   # full size (1M records)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench._common import (
    Centre,
    LoadGenerator,
    SimBooth,
    add_run_options,
    code_variant,
    cpu_seconds,
    emit_rows,
    loadavg,
    make_booths,
    memory_mb,
    note,
    raw_keys,
    sign_records,
    start_run,
    utc_stamp,
)

logger = logging.getLogger(__name__)

CACHE = Path(tempfile.gettempdir()) / "sekisho-bench-cache"


def booths_and_records(n: int, per_booth: int, use_cache: bool) -> tuple[list[SimBooth], dict]:
    """Booth keys and their signed backlogs; cached under /tmp, signing 1M records takes minutes."""
    path = CACHE / f"drain-{n}x{per_booth}.pickle"
    if use_cache and path.exists():
        note(f"reusing signed records from {path}")
        with path.open("rb") as f:
            raw_booths, records = pickle.load(f)
        booths = [
            SimBooth(port, booth, Ed25519PrivateKey.from_private_bytes(raw))
            for port, booth, raw in raw_booths
        ]
        return booths, records
    booths = make_booths(n)
    note(f"signing {n * per_booth:,} records for {n} booths")
    t0 = time.monotonic()
    records = sign_records(booths, per_booth)
    note(f"signed in {time.monotonic() - t0:.0f} s")
    if use_cache:
        CACHE.mkdir(parents=True, exist_ok=True)
        raw_booths = raw_keys(booths)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump((raw_booths, records), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return booths, records


async def drain(centres: list[Centre], booths: list[SimBooth], records: dict, args) -> dict:
    total = sum(len(r) for r in records.values())
    work = {b.name: (b, records[b.name]) for b in booths}
    gens = [
        LoadGenerator(
            c.name,
            c.broker.port,
            work,
            batch=args.batch,
            booths_per_conn=args.booths_per_conn,
            ack_timeout=args.ack_timeout,
            client_prefix="booth",
            connect_spread=args.connect_spread,
            resend_policy=args.resend_policy,
        )
        for c in centres
    ]
    held0 = {c.name: c.held() for c in centres}
    load0 = loadavg()
    cpu0 = {c.name: cpu_seconds(c.proc.pid) for c in centres}
    done_at: dict[str, float] = {}
    progress: list[dict] = []
    t0 = time.monotonic()
    runners = [asyncio.create_task(g.run(args.timeout)) for g in gens]
    next_note = t0
    while time.monotonic() - t0 < args.timeout:
        now = time.monotonic()
        held = {c.name: c.held() - held0[c.name] for c in centres}
        for c in centres:
            if c.name not in done_at and held[c.name] >= total:
                done_at[c.name] = now - t0
                note(f"{c.name} holds all {total:,} records after {now - t0:.1f} s")
        if now >= next_note:
            row = {
                "t_s": round(now - t0),
                **{f"{k}_held": v for k, v in held.items()},
                **{f"{g.centre}_acked": g.stats.acked_records for g in gens},
                "resent": sum(g.stats.resent_records for g in gens),
                "links_up": sum(g.connected for g in gens),
            }
            progress.append(row)
            note(" ".join(f"{k}={v:,}" for k, v in row.items()))
            next_note = now + args.progress_every
        if len(done_at) == len(centres) and all(g.done.is_set() for g in gens):
            break
        await asyncio.sleep(0.5)
    both = max(done_at.values()) if len(done_at) == len(centres) else None
    stats = await asyncio.gather(*runners)
    acked_all = [
        (s.last_ack - t0) if g.done.is_set() and s.last_ack else None
        for g, s in zip(gens, stats, strict=True)
    ]
    mem = {"loadgen": memory_mb(os.getpid())}
    for c in centres:
        mem[f"central-{c.name}"] = memory_mb(c.proc.pid)
        mem[f"broker-{c.name}"] = memory_mb(c.broker.proc.pid)
    row = {
        "bench": "drain",
        "date": utc_stamp(),
        "booths": len(booths),
        "records_per_booth": args.records,
        "records": total,
        "links": sum(len(g.groups) for g in gens),
        "batch": args.batch,
        "ack_timeout_s": args.ack_timeout,
        "resend_policy": args.resend_policy,
        "code": code_variant(),
        "both_hold_all_s": round(both, 1) if both is not None else None,
        **{
            f"{c.name}_hold_all_s": round(done_at[c.name], 1) if c.name in done_at else None
            for c in centres
        },
        **{
            f"{g.centre}_acked_all_s": round(a, 1) if a is not None else None
            for g, a in zip(gens, acked_all, strict=True)
        },
        **{f"{c.name}_held": c.held() - held0[c.name] for c in centres},
        "records_per_s_both": round(total / both, 1) if both else None,
        "resent_records": sum(s.resent_records for s in stats),
        "published_messages": sum(s.published_messages for s in stats),
        "reconnects": sum(s.reconnects for s in stats),
        **{f"{c.name}_cpu_s": round(cpu_seconds(c.proc.pid) - cpu0[c.name], 1) for c in centres},
        "loadavg_start": load0,
        "loadavg_end": loadavg(),
        "target_s": 600,
        # held by both centres in time AND every booth told so (else booths keep resending)
        "met": both is not None and both <= 600 and None not in acked_all,
    }
    mem_rows = [{"bench": "peak_memory", "process": k, **v} for k, v in mem.items()]
    return {"row": row, "memory": mem_rows, "progress": progress}


async def run(args) -> list[dict]:
    base = args.keep or Path(tempfile.mkdtemp(prefix="sekisho-bench-drain-"))
    base.mkdir(parents=True, exist_ok=True)
    booths, records = booths_and_records(args.booths, args.records, not args.no_cache)
    centres = [
        Centre(name, base / name, batch_max=args.batch_max, batch_wait_ms=args.batch_wait_ms)
        for name in ("east", "west")
    ]
    try:
        for c in centres:
            note(f"registering {len(booths)} booths at {c.name}")
            c.register(booths)
            c.broker.start()
            c.start()
        for c in centres:
            if not c.wait_subscribed():
                raise RuntimeError(f"centre {c.name} did not connect:\n{c.log_tail()}")
        note(f"drain: {len(booths)} booths reconnect to east and west at once")
        out = await drain(centres, booths, records, args)
        audits = [{"bench": "audit", "centre": c.name, **c.audit()} for c in centres]
        rows = [out["row"], *out["memory"], *audits]
        if not args.json:
            rows += [{"bench": "progress", **p} for p in out["progress"]]
        return rows
    finally:
        for c in centres:
            c.shutdown()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--booths", type=int, default=2000, help="simulated booths (default 2000)")
    p.add_argument("--records", type=int, default=500, help="queued records per booth")
    p.add_argument("--batch", type=int, default=100, help="records per message (booth batch_size)")
    p.add_argument("--ack-timeout", type=float, default=10.0, help="booth resend timeout, seconds")
    p.add_argument(
        "--resend-policy",
        choices=["fixed", "backoff"],
        default="backoff",
        help="backoff (edge/publisher.py since e43f125): each resend doubles the wait, up to "
        "60 s, until all is acknowledged; fixed: resend every --ack-timeout (the earlier booth)",
    )
    p.add_argument(
        "--booths-per-conn", type=int, default=1, help="booths sharing one MQTT connection"
    )
    p.add_argument(
        "--connect-spread", type=float, default=0.0, help="spread reconnects over this many s"
    )
    p.add_argument("--batch-max", type=int, default=500, help="aggregator batch_max (messages)")
    p.add_argument("--batch-wait-ms", type=int, default=20, help="aggregator batch_wait_ms")
    p.add_argument("--timeout", type=float, default=1200.0, help="give up after this many s")
    p.add_argument("--progress-every", type=float, default=10.0, help="progress line interval")
    p.add_argument("--no-cache", action="store_true", help="re-sign records, do not cache them")
    p.add_argument(
        "--prepare-only", action="store_true", help="sign and cache the records, then exit"
    )
    add_run_options(p)
    args = p.parse_args(argv)
    start_run(args)
    logging.getLogger("mqtt").setLevel(logging.ERROR)
    if args.prepare_only:
        booths_and_records(args.booths, args.records, use_cache=True)
        return 0
    rows = asyncio.run(run(args))
    emit_rows("Sekisho national outage drain (East + West)", rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
