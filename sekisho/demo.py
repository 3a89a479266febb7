"""`sekisho demo`: East and West centres and simulated booths on one machine, embedded defaults."""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from sekisho.report import emit, progress


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser(
        "demo",
        help="run East+West centres and simulated booths on this machine",
        description="Starts two Mosquitto brokers (East, West), a central aggregator for each, and "
        "PORTS x BOOTHS simulated booths producing travellers. Runs until Ctrl-C or --duration; then "
        "stops producing, drains every outbox, stops everything it started and prints a summary.",
    )
    demo.add_argument(
        "--duration", type=float, default=None, help="seconds to produce (default: until Ctrl-C)"
    )
    demo.add_argument(
        "--rate", type=float, default=120.0, help="travellers per minute per booth (default 120)"
    )
    demo.add_argument(
        "--ports", default="NRT,KIX", help="comma-separated port codes (default NRT,KIX)"
    )
    demo.add_argument("--booths", type=int, default=3, help="booths per port (default 3)")
    demo.add_argument(
        "--dir", type=Path, default=None, help="working directory (default: a new temp dir)"
    )
    demo.add_argument(
        "--drain-timeout", type=float, default=90.0, help="seconds booths keep delivering on stop"
    )
    demo.add_argument("--seed", type=int, default=None, help="seed for the simulated travellers")
    demo.add_argument(
        "--watchlist",
        type=int,
        default=5000,
        metavar="N",
        help="East signs and pushes a synthetic watchlist of N entries (several scripts) that "
        "every booth screens on; 0: booths do not screen (default 5000)",
    )
    demo.add_argument(
        "--chaos",
        action="store_true",
        help="throughout the run, kill -9 and restart brokers, aggregators and booths, and cut "
        "links, at random (outage rehearsal); the summary adds the number of faults",
    )
    demo.add_argument(
        "--passports",
        action="store_true",
        help="booths read photographed passport pages by MRZ OCR and virtual chips over the "
        "eMRTD stack (PACE, Secure Messaging, Passive Authentication) instead of simulated data; "
        "about 0.2 s of CPU per traveller, so use a low --rate",
    )
    demo.add_argument(
        "--json", action="store_true", help="print only the final summary, as one JSON line"
    )
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from sekisho.stack.chaos import ChaosMonkey
    from sekisho.stack.local import LocalStack

    base = args.dir or Path(tempfile.mkdtemp(prefix="sekisho-demo-"))
    ports = [p.strip().upper() for p in args.ports.split(",") if p.strip()]
    stack = LocalStack(
        base,
        ports=ports,
        booths_per_port=args.booths,
        rate_per_minute=args.rate,
        drain_timeout=args.drain_timeout,
        proxied=args.chaos,
        booth_toml='[booth.refdata]\nkinds = ["watchlist"]\n' if args.watchlist else "",
        booth_ui=True,
        booth_env={"SEKISHO_BOOTH__DOCUMENT_READER": "simulated-passport"}
        if args.passports
        else {},
    )
    monkey = ChaosMonkey(stack, random.Random(args.seed), report=progress) if args.chaos else None
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    started = time.monotonic()
    try:
        progress(f"demo: starting in {base}")
        bundles = []
        if args.watchlist:
            progress(f"demo: East signs a watchlist bundle of {args.watchlist} entries ...")
            bundles.append(("watchlist", demo_watchlist(args.watchlist, args.seed), 1))
        stack.start(seed=args.seed, bundles=bundles)
        for c in stack.centres.values():
            progress(f"demo: {c.name} dashboard  {c.url}   (broker 127.0.0.1:{c.broker.port})")
        for b in stack.booths:
            progress(f"demo: booth screen {b.port}/{b.booth}  {b.ui_url}")
        progress(
            f"demo: {len(stack.booths)} booths producing ~{args.rate:g} travellers/min each; "
            + ("Ctrl-C to stop" if args.duration is None else f"for {args.duration:g} s")
        )
        last_report = time.monotonic()
        while not stop.is_set():
            left = None if args.duration is None else args.duration - (time.monotonic() - started)
            if left is not None and left <= 0:
                break
            stop.wait(0.5 if left is None else min(0.5, left))
            if monkey:
                monkey.tick()
            if time.monotonic() - last_report >= 5:
                last_report = time.monotonic()
                _report(stack)
        if monkey:
            progress("demo: undoing every pending fault ...")
            monkey.finish()
        progress("demo: stopping booths (draining outboxes) ...")
        stack.stop_booths()
    finally:
        stack.stop_all()
    summary = stack.summary()
    if args.watchlist:
        summary.update(stack.screening_counts())
    if monkey:
        summary["faults"] = monkey.faults
    summary["seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        emit(summary, True)
    else:
        progress("demo: summary")
        emit(summary, False)
    ok = summary["produced"] == summary["east"] == summary["west"] and not summary["duplicates"]
    return 0 if ok and summary["undelivered"] == 0 else 1


def demo_watchlist(n: int, seed: int | None) -> list[dict]:
    """A synthetic watchlist (names in several scripts), plus a few listed names the simulated
    travellers carry, without birth dates, so that some travellers are alerted and referred."""
    from edge.screening.evalset import generate

    entries = generate(n, 0, 0, seed=seed or 5).entries
    for i, name in enumerate(["SMITH, JOHN", "NGUYEN, VAN ANH", "PARK, JIHO"]):
        entries.append(
            {"id": f"DEMO-{i + 1}", "names": [name], "category": "person_of_interest",
             "action": "refer"}
        )  # fmt: skip
    return entries


def _report(stack) -> None:
    try:
        counts = stack.outbox_counts()
        east = stack.centre_counts("east")["records"]
        west = stack.centre_counts("west")["records"]
    except sqlite3.Error as exc:  # the databases may be mid-creation; progress is best effort
        progress(f"demo: (progress unavailable: {exc})")
        return
    progress(
        f"demo: produced {counts['produced']}  east {east}  west {west}  queued {counts['undelivered']}"
    )
