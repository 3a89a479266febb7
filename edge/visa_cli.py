"""`sekisho visa check`: is there a usable visa for this traveller, and if not, why not.

sekisho visa check --visas visas.jsonl --traveller '{"surname": ..., "document_number": ...}' --json
sekisho visa check --refdata DIR --traveller @t.json --today 2026-02-10     (on applied bundles)
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from edge.refdata.cli_common import add_refdata_options, open_refdata
from sekisho.report import UserError, emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `visa check`."""
    visa = subparsers.add_parser("visa", help="visa issuance records",
                                 description="Check travellers against visa issuance records.")  # fmt: skip
    visa.set_defaults(parser=visa)
    sub = visa.add_subparsers(dest="visa_command", metavar="SUBCOMMAND")
    check = sub.add_parser("check", help="check one traveller's visa",
                           description="Status (valid, expired, not_yet_valid, used, mismatch, "
                           "not_found) and the reasons, from a visa file or the booth's applied bundle.")  # fmt: skip
    check.add_argument("--visas", type=Path, metavar="FILE.jsonl", help="visa records (JSON lines)")
    check.add_argument("--traveller", required=True, help="traveller JSON, or @FILE holding it")
    check.add_argument("--today", help="date of the check (YYYY-MM-DD, default today)")
    check.add_argument("--json", action="store_true", help="one JSON object")
    add_refdata_options(check)
    check.set_defaults(func=cmd_check)


def _traveller(text: str) -> dict[str, Any]:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot read {text[1:]}: {exc.strerror}") from None
    try:
        traveller = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"--traveller is not JSON: {exc.msg}") from None
    if not isinstance(traveller, dict):
        raise UserError("--traveller must be a JSON object")
    return traveller


def _registry(args: argparse.Namespace) -> tuple[Any, int | None]:
    from edge.screening import ReferenceDataError, VisaRegistry
    from edge.screening.records import read_jsonl

    if bool(args.visas) == bool(args.refdata or args.config):
        raise UserError("give either --visas FILE.jsonl or --refdata DIR / --config booth.toml")
    try:
        if args.visas:
            with open(args.visas, encoding="utf-8") as f:
                return VisaRegistry(read_jsonl(f, str(args.visas))), None
        from edge.refdata import StaleDataError

        refdata = open_refdata(args)
        held = refdata.held("visas")
        if held is None:
            raise UserError(f"{refdata.root} holds no visas bundle")
        try:
            refdata.check_fresh()
        except StaleDataError as exc:
            raise UserError(str(exc)) from None
        return refdata.visas(), held.version
    except OSError as exc:
        raise UserError(f"cannot read {args.visas}: {exc.strerror}") from None
    except ReferenceDataError as exc:
        raise UserError(str(exc)) from None


def cmd_check(args: argparse.Namespace) -> int:
    traveller = _traveller(args.traveller)
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        raise UserError(f"--today {args.today!r} is not YYYY-MM-DD") from None
    registry, version = _registry(args)
    result = {"id": traveller.get("id"), **registry.check(traveller, today).to_dict()}
    if version is not None:
        result["data_version"] = version
    emit(result, args.json, lambda r: f"visa {r['status']}: " + "; ".join(r["reasons"]))
    return 0
