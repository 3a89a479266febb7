"""`sekisho screen ...`: screen travellers, build and inspect the index, evaluate accuracy.

sekisho screen check --watchlist W.jsonl [--visas V.jsonl] --traveller '{"surname": ...}' --json
sekisho screen batch --index DIR --queries Q.jsonl --json
sekisho screen index build --watchlist W.jsonl --out DIR --version 7
sekisho screen index info DIR --json
sekisho screen eval --entries 20000 --json
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from datetime import date
from pathlib import Path
from typing import Any

from edge.screening.scoring import DEFAULT_THRESHOLD
from sekisho.report import UserError, emit, progress

logger = logging.getLogger(__name__)


def _add_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--watchlist", action="append", type=Path, default=[], metavar="FILE.jsonl",
                   help="watchlist entries as JSON lines (repeatable); indexed in memory")  # fmt: skip
    p.add_argument("--index", type=Path, help="an index directory built by `screen index build`")
    p.add_argument(
        "--visas", type=Path, metavar="FILE.jsonl", help="visa issuance records (JSON lines)"
    )
    p.add_argument(
        "--threshold",
        type=float,
        help=f"default alert threshold (0..1, default {DEFAULT_THRESHOLD})",
    )
    p.add_argument("--category-threshold", action="append", default=[], metavar="CATEGORY=VALUE",
                   help="alert threshold for one category, e.g. wanted=0.8 (repeatable)")  # fmt: skip
    p.add_argument("--today", help="date for visa validity (YYYY-MM-DD, default today)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `screen` and its subcommands."""
    screen = subparsers.add_parser(
        "screen", help="screen travellers against watchlist, lost/stolen documents and visas",
        description="Screening on local reference data: multi-script name matching, documents, visas.",
    )  # fmt: skip
    screen.set_defaults(parser=screen)
    sub = screen.add_subparsers(dest="screen_command", metavar="SUBCOMMAND")

    check = sub.add_parser(
        "check", help="screen one traveller", description="Screen one traveller."
    )
    _add_data_options(check)
    check.add_argument("--traveller", required=True, help="traveller JSON, or @FILE holding it")
    check.set_defaults(func=cmd_check)

    batch = sub.add_parser("batch", help="screen every traveller in a JSON lines file",
                           description="One output line per query: id, alerts, hits, ms.")  # fmt: skip
    _add_data_options(batch)
    batch.add_argument("--queries", type=Path, required=True, metavar="FILE.jsonl")
    batch.set_defaults(func=cmd_batch)

    index = sub.add_parser("index", help="build or inspect an index directory",
                           description="Build or inspect a screening index directory.")  # fmt: skip
    index.set_defaults(parser=index)
    isub = index.add_subparsers(dest="index_command", metavar="ACTION")
    build = isub.add_parser("build", help="index watchlist files into a directory",
                            description="Index watchlist JSON lines into DIR (progress on stderr).")  # fmt: skip
    build.add_argument(
        "--watchlist", action="append", type=Path, required=True, metavar="FILE.jsonl"
    )
    build.add_argument("--out", type=Path, required=True, metavar="DIR")
    build.add_argument(
        "--version", type=int, required=True, help="data version stored in the index"
    )
    build.add_argument("--json", action="store_true")
    build.set_defaults(func=cmd_index_build)
    info = isub.add_parser(
        "info", help="show an index's version and counts", description="Show meta.json."
    )
    info.add_argument("dir", type=Path)
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=cmd_index_info)

    ev = sub.add_parser("eval", help="recall and false-alert rate on a generated labelled set",
                        description="Generate a seeded labelled set, screen it, print recall, "
                        "false-alert rate and latency (bench/screening.py does this at full scale).")  # fmt: skip
    ev.add_argument("--entries", type=int, default=20_000)
    ev.add_argument("--targets", type=int, default=500)
    ev.add_argument("--innocents", type=int, default=500)
    ev.add_argument("--seed", type=int, default=5)
    ev.add_argument("--threshold", type=float)
    ev.add_argument("--category-threshold", action="append", default=[], metavar="CATEGORY=VALUE")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)


def _thresholds(args: argparse.Namespace) -> Any:
    from edge.screening.scoring import Thresholds

    try:
        return Thresholds.parse(args.threshold, args.category_threshold)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


def _screener(args: argparse.Namespace) -> Any:
    from edge.screening import IndexDirectoryError, ReferenceDataError, Screener, VisaRegistry
    from edge.screening.records import read_entries, read_jsonl

    if bool(args.watchlist) == bool(args.index):
        raise UserError("give either --watchlist FILE (one or more) or --index DIR")
    try:
        visas = None
        if args.visas:
            visas = VisaRegistry(read_jsonl(_read_lines(args.visas), str(args.visas)))
        if args.index:
            return Screener.load(args.index, _thresholds(args), visas)
        entries = [e for path in args.watchlist for e in read_entries(_read_lines(path), str(path))]
        return Screener.from_entries(entries, _thresholds(args), visas)
    except (ReferenceDataError, IndexDirectoryError) as exc:
        raise UserError(str(exc)) from None


def _today(args: argparse.Namespace) -> date | None:
    if not args.today:
        return None
    try:
        return date.fromisoformat(args.today)
    except ValueError:
        raise UserError(f"--today {args.today!r} is not YYYY-MM-DD") from None


def _human(result: dict[str, Any]) -> str:
    lines = [
        f"{result['id'] or 'traveller'}: {len(result['alerts'])} alert(s) in {result['ms']} ms"
    ]
    for hit in result["hits"]:
        mark = "ALERT" if hit["alert"] else "hit  "
        lines.append(
            f"  {mark} {hit['entry']} [{hit['category']}] score {hit['score']:.2f}: {hit['why']}"
        )
    if result.get("visa"):
        visa = result["visa"]
        lines.append(f"  visa {visa['status']}: {'; '.join(visa['reasons'])}")
    return "\n".join(lines)


def _screen_one(screener: Any, traveller: dict, today: date | None) -> dict[str, Any]:
    from edge.screening import ReferenceDataError

    try:
        return screener.screen(traveller, today).to_dict()
    except ReferenceDataError as exc:
        raise UserError(str(exc)) from None


def cmd_check(args: argparse.Namespace) -> int:
    """Screen one traveller given as JSON."""
    text = args.traveller
    if text.startswith("@"):
        text = "\n".join(_read_lines(Path(text[1:])))
    try:
        traveller = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"--traveller is not JSON: {exc.msg}") from None
    screener = _screener(args)
    emit(_screen_one(screener, traveller, _today(args)), args.json, _human)
    return 0


def cmd_batch(args: argparse.Namespace, screener: Any = None) -> int:
    """Screen each line of --queries; the index is built once, `ms` is per query.

    `screener`: one already open (e.g. the booth's applied bundles), instead of the options'.
    """
    from edge.screening.records import ReferenceDataError, read_jsonl

    screener = screener or _screener(args)
    today = _today(args)
    try:
        for traveller in read_jsonl(_read_lines(args.queries), str(args.queries)):
            emit(_screen_one(screener, traveller, today), args.json, _human)
    except ReferenceDataError as exc:
        raise UserError(str(exc)) from None
    return 0


def cmd_index_build(args: argparse.Namespace) -> int:
    """Build an index directory from watchlist files."""
    from edge.screening import ReferenceDataError, build_directory
    from edge.screening.records import read_entries

    def entries():
        for path in args.watchlist:
            if not path.exists():
                raise UserError(f"cannot read {path}: no such file")
            with path.open(encoding="utf-8") as f:
                yield from read_entries(f, str(path))

    try:
        meta = build_directory(entries(), args.out, args.version,
                               progress=lambda n: progress(f"indexed {n:,} entries"))  # fmt: skip
    except ReferenceDataError as exc:
        raise UserError(str(exc)) from None
    progress(f"index written to {args.out} in {meta['build_seconds']} s")
    emit(meta, args.json)
    return 0


def cmd_index_info(args: argparse.Namespace) -> int:
    """Print an index directory's meta.json."""
    path = args.dir / "meta.json"
    if not path.exists():
        raise UserError(f"{args.dir} holds no screening index (no meta.json)")
    emit(json.loads(path.read_text()), args.json)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Generate a labelled set, screen it, report recall / false-alert rate / latency."""
    from edge.screening import Screener
    from edge.screening.evalset import generate, score

    start = time.perf_counter()
    ev = generate(args.entries, args.targets, args.innocents, seed=args.seed)
    progress(f"generated {len(ev.entries):,} entries, {len(ev.travellers):,} travellers")
    screener = Screener.from_entries(ev.entries, _thresholds(args))
    build_s = time.perf_counter() - start
    alerts, ms = [], []
    for traveller in ev.travellers:
        result = screener.screen(traveller)
        alerts.append({h.entry_id for h in result.alerts})
        ms.append(result.ms)
    ms.sort()
    report = {
        **score(alerts, ev.expected),
        "threshold": screener.thresholds.default,
        "entries": len(ev.entries),
        "p50_ms": round(ms[len(ms) // 2], 3),
        "p99_ms": round(ms[min(int(len(ms) * 0.99), len(ms) - 1)], 3),
        "generate_and_build_s": round(build_s, 1),
    }
    emit(report, args.json)
    return 0
