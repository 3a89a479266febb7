"""The `sekisho` command: one entry point, subcommands registered by the concern that owns them.

Each module named in COMMANDS exposes `register(subparsers)`, which adds its parser and sets
`func` on it. Modules import heavy libraries (OpenCV, FastAPI...) inside their handlers so that
`sekisho --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from sekisho import __version__
from sekisho.report import UserError

# subcommand -> module providing register(subparsers); one line per concern.
COMMANDS: dict[str, str] = {
    "demo": "sekisho.demo",
    "edge": "edge.cli",
    "central": "central.cli",
    "mrz": "edge.mrz.cli",
    "chip": "devices.emrtd.cli",
    "screen": "edge.screening.cli",
    "face": "edge.face.cli",
    "watchlist": "edge.watchlist_cli",
    "visa": "edge.visa_cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sekisho",
        description="Sekisho (関所) port-of-entry inspection: booth agents and East/West centres.",
        epilog="Run `sekisho COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"sekisho {__version__}")
    parser.add_argument(
        "--log-level", default="WARNING", help="logging level for stderr (default WARNING)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            # A missing optional library must not take the whole command line down.
            broken = sub.add_parser(name, help=f"(unavailable: {exc})")
            broken.set_defaults(func=_unavailable(name, exc))
            continue
        module.register(sub)
    return parser


def _unavailable(name: str, exc: ImportError):
    def fail(_args: argparse.Namespace) -> int:
        raise UserError(f"`sekisho {name}` is unavailable on this installation: {exc}")

    return fail


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    func = getattr(args, "func", None)
    if func is None:
        # A group command without its subcommand: show that group's help.
        (getattr(args, "parser", None) or parser).print_help()
        return 2
    try:
        return int(func(args) or 0)
    except UserError as exc:
        sys.stderr.write(f"sekisho: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
