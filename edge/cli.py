"""`sekisho edge ...`: run a booth agent, inspect its outbox, create its key."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from sekisho import config as cfg
from sekisho.report import emit


def register(sub: argparse._SubParsersAction) -> None:
    edge = sub.add_parser(
        "edge", help="booth agent (edge)", description="Run and inspect a booth agent."
    )
    edge.set_defaults(parser=edge)
    cmds = edge.add_subparsers(dest="edge_command", metavar="SUBCOMMAND")

    run = cmds.add_parser(
        "run",
        help="run the booth agent until SIGTERM/Ctrl-C",
        description="Run one booth: simulated devices, durable outbox, delivery to every centre. "
        "On SIGTERM it stops taking travellers and keeps delivering for drain_timeout_seconds.",
    )
    run.add_argument("--config", required=True, type=Path, help="TOML file with a [booth] section")
    run.add_argument("--seed", type=int, default=None, help="seed for the simulated travellers")
    run.add_argument("--json", action="store_true", help="print a JSON summary line on exit")
    run.set_defaults(func=cmd_run)

    status = cmds.add_parser(
        "status",
        help="show the outbox state and the reference data held",
        description="Outbox depth, backlog per centre, last sequence; with [booth.refdata], the "
        "version, age and usability of each reference dataset.",
    )
    status.add_argument("--config", required=True, type=Path)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(func=cmd_status)

    keygen = cmds.add_parser(
        "keygen",
        help="create the booth's Ed25519 key (kept if it exists) and print the public key",
        description="Creates DATA_DIR/booth.key (mode 0600) and booth.pub; register booth.pub at both centres "
        "with `sekisho central booth add`.",
    )
    keygen.add_argument("--data-dir", required=True, type=Path)
    keygen.add_argument("--json", action="store_true")
    keygen.set_defaults(func=cmd_keygen)


def cmd_run(args: argparse.Namespace) -> int:
    from edge.assembly import build_agent

    booth = cfg.require(cfg.load(args.config), "booth", str(args.config))
    agent = build_agent(booth, seed=args.seed)
    asyncio.run(agent.run())
    if args.json:
        links = {c: link.stats for c, link in agent.links.items()}
        emit(
            {"port": booth.port, "booth": booth.booth, "produced": agent.produced, "links": links},
            True,
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from edge.outbox import Outbox

    booth = cfg.require(cfg.load(args.config), "booth", str(args.config))
    outbox = Outbox(booth.data_dir / "outbox.db", booth.required_centres())
    status = {"port": booth.port, "booth": booth.booth, **outbox.state(), **outbox.counts()}
    if booth.refdata is not None:
        from edge.refdata import ReferenceData

        status["reference_data"] = ReferenceData(
            booth.data_dir / "refdata", {}, booth.refdata
        ).status()
    emit(status, args.json)
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from sekisho.wire.signing import load_or_create_private_key, public_pem

    key = load_or_create_private_key(args.data_dir / "booth.key")
    pem = public_pem(key.public_key()).decode("ascii")
    emit(
        {"private_key": str(args.data_dir / "booth.key"), "public_key": pem},
        args.json,
        lambda o: o["public_key"],
    )
    return 0
