"""`sekisho mrz`: the MRZ command group; `parse` lives here, `read` (OCR) in edge.mrz.ocr.cli.

    sekisho mrz parse 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' \
        'L898902C36UTO7408122F1204159ZE184226B<<<<<10' --json
    printf '%s\n' LINE1 LINE2 '' LINE1 LINE2 | sekisho mrz parse     # one report per MRZ

Exit code 0 when every MRZ is valid, 1 when one is not (its precise error is printed), 2 for
usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from datetime import date
from typing import Any

from sekisho.report import UserError, emit

logger = logging.getLogger(__name__)

# The OCR engineer's module registers `read` on this group when it exists.
OCR_CLI_MODULE = "edge.mrz.ocr.cli"


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `mrz` with its `parse` subcommand, and `read` when the OCR package is present."""
    group = subparsers.add_parser(
        "mrz",
        help="machine-readable zones of passports, ID cards and visas (ICAO 9303)",
        description="Parse, validate and read ICAO 9303 machine-readable zones.",
    )
    group.set_defaults(func=None, parser=group)
    commands = group.add_subparsers(dest="mrz_command", metavar="SUBCOMMAND")
    parse = commands.add_parser(
        "parse",
        help="parse and validate MRZ lines (arguments or stdin)",
        description=(
            "Parse and validate MRZ lines given as arguments (one MRZ) or on stdin (MRZs "
            "separated by blank lines). Checks every check digit, dates, sex, names and "
            "country codes. Exit 0 when all are valid, 1 when one is not, 2 on usage errors."
        ),
        epilog=(
            "example:\n"
            "  sekisho mrz parse --json 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' \\\n"
            "      'L898902C36UTO7408122F1204159ZE184226B<<<<<10'"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse.add_argument("lines", nargs="*", metavar="LINE", help="the MRZ lines, top first")
    parse.add_argument("--json", action="store_true", help="one JSON object per MRZ")
    parse.add_argument(
        "--today",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date that anchors two-digit years (default: today)",
    )
    parse.set_defaults(func=handle_parse)
    _register_ocr(commands)


def _register_ocr(commands: argparse._SubParsersAction) -> None:
    """Let the OCR module add `read`; if it is present but cannot load, say why on `read`."""
    try:
        module = importlib.import_module(OCR_CLI_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (OCR_CLI_MODULE, OCR_CLI_MODULE.rsplit(".", 1)[0]):
            _register_unavailable_read(commands, exc)
            return
        logger.debug("no %s: `sekisho mrz read` not available", OCR_CLI_MODULE)
        return
    except ImportError as exc:
        _register_unavailable_read(commands, exc)
        return
    module.register(commands)


def _register_unavailable_read(commands: argparse._SubParsersAction, exc: ImportError) -> None:
    # A broken OCR install must not take `sekisho` and `mrz parse` down with it.
    logger.warning("MRZ OCR unavailable (%s): %s", OCR_CLI_MODULE, exc)
    reason = f"MRZ OCR is unavailable: {exc}"
    read = commands.add_parser(
        "read", help="read MRZs from images (unavailable)", description=reason
    )
    read.add_argument("args", nargs=argparse.REMAINDER)

    def unavailable(_args: argparse.Namespace) -> int:
        raise UserError(reason)

    read.set_defaults(func=unavailable)


def split_mrz_groups(text: str) -> list[list[str]]:
    """MRZs from text: blank lines separate them; runs of same-length lines are also split.

    Several MRZs pasted without blank lines between them (e.g. 4 lines of 44) are cut into
    MRZs of the line count their line length implies.
    """
    groups: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            groups.extend(_split_run(current))
            current = []
    return groups


def _split_run(lines: list[str]) -> list[list[str]]:
    lengths = {len(line) for line in lines}
    per_mrz = {30: 3, 36: 2, 44: 2}.get(lengths.pop()) if len(lengths) == 1 else None
    if per_mrz is None or len(lines) <= per_mrz or len(lines) % per_mrz:
        return [lines]
    return [lines[i : i + per_mrz] for i in range(0, len(lines), per_mrz)]


def _human(report: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = [
        ("valid", "yes" if report["valid"] else "NO"),
        ("format", report["format"] or "-"),
    ]
    fields = report["fields"]
    for key, value in fields.items():
        if value is None or key.endswith("_name"):
            continue
        name = fields.get(f"{key}_name")
        shown = "yes" if value is True else "no" if value is False else str(value)
        rows.append((key, f"{shown} ({name})" if name else shown))
    for key, check in report["checks"].items():
        state = "ok" if check["ok"] else f"FAIL (expected {check['expected']})"
        rows.append((f"check {key}", f"{check['found']} {state}"))
    for error in report["errors"]:
        rows.append(("error", error["message"]))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows) + "\n"


def parse_report(lines: list[str], today: date | None) -> dict[str, Any]:
    """The CLI's report for one MRZ: the result's to_dict(), or the structural error."""
    from edge.mrz.parse import MrzError, check_mrz

    try:
        return check_mrz(lines, today=today).to_dict()
    except MrzError as exc:
        return {
            "valid": False,
            "format": None,
            "mrz": "\n".join(lines),
            "fields": {},
            "checks": {},
            "errors": [exc.to_dict()],
        }


def handle_parse(args: argparse.Namespace) -> int:
    """Parse each MRZ given; print one report per MRZ; 1 if any is invalid."""
    if args.lines:
        groups = [[part for arg in args.lines for part in arg.splitlines() if part.strip()]]
    else:
        if sys.stdin is None or sys.stdin.isatty():
            raise UserError("give the MRZ lines as arguments or on standard input")
        groups = split_mrz_groups(sys.stdin.read())
    groups = [g for g in groups if g]
    if not groups:
        raise UserError("no MRZ lines given (as arguments or on standard input)")
    all_valid = True
    for i, group in enumerate(groups):
        report = parse_report(group, args.today)
        all_valid = all_valid and report["valid"]
        if i and not args.json:
            sys.stdout.write("\n")
        emit(report, args.json, _human)
    return 0 if all_valid else 1
