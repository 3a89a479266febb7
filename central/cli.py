"""`sekisho central ...`: run an aggregator, manage the booth ledger, report totals."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from sekisho import config as cfg
from sekisho.report import UserError, emit


def register(sub: argparse._SubParsersAction) -> None:
    central = sub.add_parser(
        "central", help="central aggregator (East/West)", description="Run and manage a centre."
    )
    central.set_defaults(parser=central)
    cmds = central.add_subparsers(dest="central_command", metavar="SUBCOMMAND")

    run = cmds.add_parser(
        "run",
        help="run the aggregator (ingest + web app) until SIGTERM/Ctrl-C",
        description="Subscribe to every booth's records, store them idempotently, acknowledge after commit, "
        "and serve the port-health page and JSON API.",
    )
    run.add_argument(
        "--config", required=True, type=Path, help="TOML file with a [central] section"
    )
    run.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)  # set by worker 0
    run.set_defaults(func=cmd_run)

    booth = cmds.add_parser(
        "booth", help="booth ledger (端末管理)", description="Register booths and their keys."
    )
    booth.set_defaults(parser=booth)
    bcmds = booth.add_subparsers(dest="booth_command", metavar="SUBCOMMAND")
    add = bcmds.add_parser(
        "add", help="register (or re-key) a booth", description="Register a booth's public key."
    )
    add.add_argument("--config", required=True, type=Path)
    add.add_argument("--port", required=True, help="port code, e.g. NRT")
    add.add_argument("--booth", required=True, help="booth id, e.g. B01")
    add.add_argument("--key", required=True, type=Path, help="the booth's Ed25519 public key (PEM)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_booth_add)
    lst = bcmds.add_parser(
        "list", help="list booths with their health", description="Booth ledger and health."
    )
    lst.add_argument("--config", required=True, type=Path)
    lst.add_argument("--json", action="store_true", help="one JSON object per booth")
    lst.set_defaults(func=cmd_booth_list)

    rec = cmds.add_parser(
        "reconcile",
        help="compare with the other centre and copy what either lacks",
        description="Compare this centre's records with the peer centre's, booth by booth and "
        "sequence by sequence, and copy what either lacks (the receiving side verifies every "
        "booth signature). Records held by neither centre are reported; with --replay the booths "
        "concerned are asked to send them again. Both centres need the same sync_token.",
    )
    rec.add_argument("--config", required=True, type=Path)
    rec.add_argument("--peer", required=True, help="the other centre's URL, e.g. http://west:8080")
    rec.add_argument("--token", default=None, help="sync token (default: sync_token of the config)")
    rec.add_argument("--dry-run", action="store_true", help="report differences, copy nothing")
    rec.add_argument(
        "--replay", action="store_true", help="ask booths for records neither centre has"
    )
    rec.add_argument("--json", action="store_true", help="one JSON summary line")
    rec.set_defaults(func=cmd_reconcile)

    stats = cmds.add_parser(
        "stats", help="records held, duplicates, rejections", description="Totals of this centre."
    )
    stats.add_argument("--config", required=True, type=Path)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)


def _central(path: Path) -> cfg.CentralConfig:
    return cfg.require(cfg.load(path), "central", str(path))


def cmd_run(args: argparse.Namespace) -> int:
    from central.service import Aggregator

    asyncio.run(
        Aggregator(_central(args.config), worker=args.worker, config_path=str(args.config)).run()
    )
    return 0


def cmd_booth_add(args: argparse.Namespace) -> int:
    from central.store import open_store
    from sekisho.wire import topics
    from sekisho.wire.signing import load_public_key

    try:
        topics.records(args.port, args.booth)
        pem = args.key.read_text(encoding="ascii")
        load_public_key(pem)
    except (ValueError, OSError) as exc:
        raise UserError(str(exc)) from None
    conf = _central(args.config)
    store = open_store(conf.database, conf.db_schema)
    store.register_booth(args.port, args.booth, pem)
    emit({"registered": f"{args.port}/{args.booth}"}, args.json)
    return 0


def cmd_booth_list(args: argparse.Namespace) -> int:
    from central.store import open_store

    conf = _central(args.config)
    for row in open_store(conf.database, conf.db_schema).booth_health():
        emit(
            row,
            args.json,
            lambda r: (
                f"{r['port']}/{r['booth']}  {r['state']}  records={r['records_received']}  outbox={r['outbox_depth']}"
            ),
        )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from central.store import open_store

    conf = _central(args.config)
    emit({"centre": conf.centre, **open_store(conf.database, conf.db_schema).totals()}, args.json)
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from central.reconcile import HttpSide, LocalSide, reconcile, run_replays
    from central.store import open_store
    from sekisho.report import progress

    conf = _central(args.config)
    token = args.token or conf.sync_token
    if not token:
        raise UserError("no sync token: pass --token or set sync_token in [central]")
    local = LocalSide(open_store(conf.database, conf.db_schema), conf.centre)
    peer = HttpSide(args.peer, token)
    try:
        report = reconcile(
            local, peer, dry_run=args.dry_run, progress=None if args.json else progress
        )
    except OSError as exc:
        raise UserError(f"peer {args.peer} unreachable or refused: {exc}") from None
    report["replays_requested"] = (
        run_replays(conf, report["gaps"]) if args.replay and not args.dry_run else 0
    )
    emit(report, args.json)
    return 0 if report["missing_both"] == 0 or report["replays_requested"] else 1
