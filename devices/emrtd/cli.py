"""`sekisho chip`: read a passport chip over PC/SC, list readers, serve a simulated passport to vpcd.

    sekisho chip readers --json
    sekisho chip verify ../shared/testdata/emrtd/bsi2008 --at 2008-06-01 --json   # PA of saved files
    sekisho chip simulate --csca-out /tmp/csca.pem &          # a test passport in "Virtual PCD 00 00"
    sekisho chip read --reader "Virtual PCD 00 00" \\
        --doc-number L898902C3 --birth 740812 --expiry 340415 --csca /tmp/csca.pem --json

Exit codes: 0 read (whatever the verification verdicts), 1 the chip could not be read, 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import threading
from pathlib import Path
from typing import Any

from sekisho.report import UserError, emit

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser(
        "chip",
        help="passport chips (ICAO 9303 eMRTD): read over PC/SC, simulate",
        description="Read ePassport chips through PC/SC (BAC/PACE, Passive and Active Authentication) "
        "and serve simulated passports to vsmartcard's vpcd reader.",
    )
    group.set_defaults(func=None, parser=group)
    commands = group.add_subparsers(dest="chip_command", metavar="SUBCOMMAND")
    _register_read(commands)
    _register_readers(commands)
    _register_simulate(commands)
    _register_verify(commands)


def _register_read(commands: argparse._SubParsersAction) -> None:
    read = commands.add_parser(
        "read",
        help="read and verify the passport chip in a reader",
        description="Authenticate with the MRZ key (PACE when offered, else BAC), read EF.COM, EF.SOD "
        "and the data groups, check DG1 against the MRZ, run Passive and Active Authentication.",
    )
    read.add_argument(
        "--reader", help="(part of) the PC/SC reader name; default: first with a card"
    )
    read.add_argument("--mrz", help='printed MRZ lines, separated by a newline or a literal "\\n"')
    read.add_argument("--can", help="Card Access Number (PACE only; instead of the MRZ)")
    read.add_argument("--doc-number", help="document number (instead of --mrz)")
    read.add_argument("--birth", help="birth date YYMMDD (instead of --mrz)")
    read.add_argument("--expiry", help="expiry date YYMMDD (instead of --mrz)")
    read.add_argument(
        "--csca",
        action="extend",
        nargs="+",
        default=[],
        metavar="PATH",
        help="CSCA certificate (PEM/DER), folder of them, master list (.ml) or CRL; repeatable",
    )
    read.add_argument(
        "--at", metavar="YYYY-MM-DD", help="validation time for certificates (default: now)"
    )
    read.add_argument(
        "--save-face", metavar="PATH", help="write the DG2 face image (as decoded by OpenCV)"
    )
    read.add_argument(
        "--max-read", type=int, help="longest READ BINARY the reader supports (bytes)"
    )
    read.add_argument(
        "--no-extended", action="store_true", help="the reader cannot do extended-length APDUs"
    )
    read.add_argument("--bac", action="store_true", help="use BAC even when the chip offers PACE")
    read.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for a pulled card (10)"
    )
    read.add_argument("--json", action="store_true", help="one JSON line")
    read.set_defaults(func=handle_read)


def _register_readers(commands: argparse._SubParsersAction) -> None:
    readers = commands.add_parser(
        "readers",
        help="list PC/SC readers and their cards",
        description="List the readers pcscd knows, with card presence and ATR.",
    )
    readers.add_argument("--json", action="store_true", help="one JSON line per reader")
    readers.set_defaults(func=handle_readers)


def _register_simulate(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser(
        "simulate",
        help="serve a generated test passport to vsmartcard's vpcd (needs pcscd)",
        description="Generate a test passport (test CSCA -> DSC -> EF.SOD, PACE+BAC, AA) and serve it "
        "as a strict chip to the vpcd driver of a running pcscd until interrupted.",
    )
    sim.add_argument(
        "--mrz", help="MRZ of the passport (two TD3 lines); default: the ICAO specimen"
    )
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument(
        "--port", type=int, default=35963, help='vpcd port (35963 = "Virtual PCD 00 00")'
    )
    sim.add_argument("--no-pace", action="store_true", help="no EF.CardAccess: BAC only")
    sim.add_argument(
        "--aa", choices=["rsa", "ec", "none"], default="rsa", help="Active Authentication key"
    )
    sim.add_argument(
        "--max-read", type=int, default=65536, help="longest READ BINARY the chip serves"
    )
    sim.add_argument(
        "--refusal", choices=["6700", "6C"], default="6700", help="how longer reads are refused"
    )
    sim.add_argument("--no-extended", action="store_true", help="refuse extended-length APDUs")
    sim.add_argument("--remove-after", type=int, help="pull the card after N APDUs (once)")
    sim.add_argument("--away", type=float, default=1.0, help="seconds the pulled card stays away")
    sim.add_argument(
        "--csca-out", metavar="PATH", help="write the test CSCA certificate (PEM) here"
    )
    sim.add_argument(
        "--seconds", type=float, help="stop after this many seconds (default: until Ctrl-C)"
    )
    sim.add_argument("--json", action="store_true", help="print the passport summary as JSON")
    sim.set_defaults(func=handle_simulate)


def _register_verify(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser(
        "verify",
        help="Passive Authentication of chip files saved on disk",
        description="Run Passive Authentication on EF.SOD and data groups saved in a folder "
        "(EF_SOD.bin or SOD.bin, Datagroup<N>.bin or DG<N>.bin), without a reader.",
    )
    verify.add_argument("folder", help="folder holding the files")
    verify.add_argument(
        "--csca",
        action="extend",
        nargs="+",
        default=[],
        metavar="PATH",
        help="CSCA certificate, folder, master list (.ml) or CRL",
    )
    verify.add_argument("--at", metavar="YYYY-MM-DD", help="validation time (default: now)")
    verify.add_argument("--json", action="store_true", help="one JSON line")
    verify.set_defaults(func=handle_verify)


def _trust(paths: list[str]):
    from devices.emrtd.pki import PKIError, TrustStore

    trust = TrustStore()
    for path in paths:
        if not Path(path).exists():
            raise UserError(f"--csca {path}: no such file or folder")
        try:
            trust.add_path(path)
        except PKIError as exc:
            raise UserError(str(exc)) from exc
    return trust


def _at(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise UserError(f"--at {text!r} is not YYYY-MM-DD") from exc


def handle_verify(args: argparse.Namespace) -> int:
    import re

    from devices.emrtd import lds, pa
    from devices.emrtd.errors import TLVError

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    sod = com = None
    groups: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        stem = path.stem.upper().replace("EF_", "").replace("EF.", "")
        if stem == "SOD":
            sod = path.read_bytes()
        elif stem == "COM":
            com = path.read_bytes()
        elif m := re.fullmatch(r"(?:DATAGROUP|DG)(\d{1,2})", stem):
            groups[f"DG{int(m.group(1))}"] = path.read_bytes()
    if sod is None:
        raise UserError(f"no EF_SOD.bin / SOD.bin in {folder}")
    ignored: list[str] = []
    if com is not None:  # what the chip would have served: the groups EF.COM lists
        try:
            listed = set(lds.parse_com(com).data_groups)
        except TLVError as exc:
            raise UserError(f"EF.COM in {folder} is malformed: {exc}") from exc
        ignored = sorted((n for n in groups if n not in listed), key=lds.dg_number)
        groups = {n: d for n, d in groups.items() if n in listed}
    result = pa.passive_authentication(sod, groups, _trust(args.csca), _at(args.at))
    report: dict[str, Any] = {
        "passive_auth": result.to_dict(),
        "groups": sorted(groups, key=lds.dg_number),
        "ignored": ignored,
        "dsc": result.dsc_subject,
        "csca": result.csca_subject,
    }
    if "DG1" in groups:
        try:
            report["dg1"] = lds.mrz_fields(lds.parse_dg1(groups["DG1"]))
        except TLVError as exc:
            report["dg1"] = {"error": str(exc)}
    emit(report, args.json, _human_verify)
    return 0 if result.status == "valid" else 1


def _human_verify(r: dict[str, Any]) -> str:
    pa = r["passive_auth"]
    lines = [
        f"passive auth  {pa['status']}: {pa['reason']}"
        + (f" [{pa['step']}]" if "step" in pa else "")
    ]
    lines.append(
        f"groups        {', '.join(r['groups'])}"
        + (f" (not in EF.COM: {', '.join(r['ignored'])})" if r["ignored"] else "")
    )
    lines.append(f"dsc           {r['dsc'] or '-'}")
    if r.get("dg1") and "surname" in r["dg1"]:
        lines.append(
            f"dg1           {r['dg1']['surname']}, {r['dg1']['given_names']} ({r['dg1']['document_number']})"
        )
    return "\n".join(lines)


def _key(args: argparse.Namespace):
    from devices.emrtd.bac import MRZKey

    if getattr(args, "can", None):
        from devices.emrtd.pace import CardAccessNumber

        try:
            return CardAccessNumber(args.can)
        except ValueError as exc:
            raise UserError(f"--can: {exc}") from exc
    if args.mrz:
        try:
            return MRZKey.from_mrz(args.mrz)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    if args.doc_number and args.birth and args.expiry:
        for value in (args.birth, args.expiry):
            if len(value) != 6 or not value.isdigit():
                raise UserError(f"dates are YYMMDD, got {value!r}")
        return MRZKey(args.doc_number.upper(), args.birth, args.expiry)
    raise UserError("give --mrz, --can, or all of --doc-number, --birth and --expiry")


def handle_read(args: argparse.Namespace) -> int:
    from devices.emrtd import service
    from devices.emrtd.errors import EmrtdError
    from devices.emrtd.pcsc import PcscTransport
    from devices.emrtd.reader import ReadOptions

    key = _key(args)
    trust = _trust(args.csca)
    at = _at(args.at)
    options = ReadOptions(
        max_read=args.max_read,
        extended_length=not args.no_extended,
        reinsert_timeout=args.timeout,
        prefer_pace=not args.bac,
    )
    transport = PcscTransport(args.reader)
    try:
        report, face = service.read_passport(
            transport, key, trust=trust, at=at, printed_mrz=args.mrz, options=options
        )
    except EmrtdError as exc:
        emit({"error": str(exc), "kind": type(exc).__name__}, args.json)
        return 1
    finally:
        transport.close()
    if args.save_face and face is not None:
        import cv2

        cv2.imwrite(args.save_face, face)
        report["face"]["saved"] = args.save_face
    emit(report, args.json, _human)
    return 0


def _human(r: dict[str, Any]) -> str:
    pa = r["passive_auth"]
    face = r["face"]
    return "\n".join(
        [
            f"access        {r['access']}",
            "mrz           " + r["mrz"].replace("\n", "\n              "),
            f"name          {r['dg1'].get('surname')}, {r['dg1'].get('given_names')}",
            "dg1 vs mrz    "
            + {True: "match", False: "MISMATCH", None: "not checked"}[r["dg1_matches_mrz"]],
            f"files         {', '.join(r['files'])}",
            f"face          {face['format']} {face['width']}x{face['height']}"
            if face
            else "face          none",
            f"passive auth  {pa['status']}: {pa['reason']}",
            f"active auth   {r['active_auth']}",
            f"chip auth     {r.get('chip_auth', 'not_supported')}",
            f"apdus         {r['apdus']} in {r['ms']} ms",
        ]
    )


def handle_readers(args: argparse.Namespace) -> int:
    from devices.emrtd.errors import TransportError
    from devices.emrtd.pcsc import list_readers

    try:
        readers = list_readers()
    except TransportError as exc:
        raise UserError(str(exc)) from exc
    if not readers and not args.json:
        print("no readers")
    for reader in readers:
        emit(reader, args.json)
    return 0


def handle_simulate(args: argparse.Namespace) -> int:
    from devices.simulated.epassport.chip import ChipOptions, EPassportChip
    from devices.simulated.epassport.generator import TestPKI, make_passport, save_csca
    from devices.simulated.epassport.vpcd import Removal, VirtualCard

    mrz = None
    if args.mrz:
        mrz = "".join(ln.strip() for ln in args.mrz.replace("\\n", "\n").splitlines())
        if len(mrz) != 88:
            raise UserError("--mrz must be two 44-character TD3 lines")
    pki = TestPKI.create()
    passport = make_passport(
        pki, mrz=mrz, aa_kind=None if args.aa == "none" else args.aa, pace=not args.no_pace
    )
    if args.csca_out:
        save_csca(pki, args.csca_out)
    options = ChipOptions(
        max_read=args.max_read,
        refusal=args.refusal,
        extended_length=not args.no_extended,
        pace=not args.no_pace,
    )
    removal = (
        Removal(after_apdus=args.remove_after, away_s=args.away) if args.remove_after else None
    )
    card = VirtualCard(EPassportChip(passport, options), args.host, args.port, removal)
    key = passport.key()
    emit(
        {
            "serving": f"{args.host}:{args.port}",
            "document_number": key.document_number,
            "birth": key.birth,
            "expiry": key.expiry,
            "pace": not args.no_pace,
            "aa": args.aa,
            "can": passport.extra.get("can"),
            "csca": args.csca_out,
        },
        args.json,
    )
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    card.start()
    try:
        stop.wait(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        card.stop()
    return 0
