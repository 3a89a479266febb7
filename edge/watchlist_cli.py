"""`sekisho watchlist ...`: screen travellers, and build, verify, publish and apply signed bundles.

sekisho watchlist screen --watchlist W.jsonl [--watchlist MORE.jsonl] --queries Q.jsonl --json
sekisho watchlist screen --refdata DIR --queries Q.jsonl --json        (on applied bundles)
sekisho watchlist bundle build --data W.jsonl --version 12 --key east.key --signer east --out W12.bundle
sekisho watchlist bundle build ... --base W11.bundle               (a delta from version 11)
sekisho watchlist bundle verify W12.bundle --centre-key east=east.pub --centre-key west=west.pub
sekisho watchlist bundle publish W12.bundle --broker 127.0.0.1:1883 --broker 127.0.0.1:1884
sekisho watchlist bundle apply W12.bundle --config booth.toml
sekisho watchlist bundle status --config booth.toml
"""

from __future__ import annotations

import argparse
from pathlib import Path

from edge.refdata.cli_common import add_refdata_options, open_refdata
from edge.screening.scoring import DEFAULT_THRESHOLD
from sekisho.report import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `watchlist` with `screen` and `bundle build|verify|publish|apply|status`."""
    wl = subparsers.add_parser(
        "watchlist", help="screen travellers; signed reference data bundles",
        description="Screen travellers against the watchlist, and move reference data (watchlist, "
        "visas) from central to booths as signed, versioned bundles.",
    )  # fmt: skip
    wl.set_defaults(parser=wl)
    sub = wl.add_subparsers(dest="watchlist_command", metavar="SUBCOMMAND")
    _register_screen(sub)
    bundle = sub.add_parser("bundle", help="build, verify, publish, apply bundles",
                            description="Signed bundles: see docs/bundles.md.")  # fmt: skip
    bundle.set_defaults(parser=bundle)
    bsub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION")
    from edge.refdata.cli import register_bundle

    register_bundle(bsub)


def _register_screen(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screen", help="screen every traveller in a JSON lines file",
                       description="One line per query: {id, alerts, hits: [{entry, score, why}], ms}; "
                       "`ms` is that query alone, not the index build.")  # fmt: skip
    p.add_argument("--watchlist", action="append", type=Path, default=[], metavar="FILE.jsonl",
                   help="watchlist entries as JSON lines (repeatable); indexed in memory")  # fmt: skip
    p.add_argument("--index", type=Path, help="an index directory built by `screen index build`")
    p.add_argument("--queries", type=Path, required=True, metavar="FILE.jsonl")
    p.add_argument("--visas", type=Path, metavar="FILE.jsonl", help="visa issuance records")
    p.add_argument(
        "--threshold",
        type=float,
        help=f"default alert threshold (0..1, default {DEFAULT_THRESHOLD})",
    )
    p.add_argument("--category-threshold", action="append", default=[], metavar="CATEGORY=VALUE")
    p.add_argument("--today", help="date for visa validity (YYYY-MM-DD, default today)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_refdata_options(p)
    p.set_defaults(func=cmd_screen)


def cmd_screen(args: argparse.Namespace) -> int:
    """`screen batch`, or on the booth's applied bundles (refusing data older than policy)."""
    from edge.screening.cli import _thresholds, cmd_batch

    if args.refdata or args.config:
        if args.watchlist or args.index:
            raise UserError("give --watchlist/--index, or --refdata/--config, not both")
        from edge.refdata import StaleDataError

        # The screener the booth itself uses: base index plus the overlay of applied deltas,
        # the held visas, and the age policy (a deleted entry is never reported).
        refdata = open_refdata(args)
        refdata.thresholds = _thresholds(args)
        if refdata.held("watchlist") is None:
            raise UserError(f"{refdata.root} holds no watchlist bundle")
        try:
            return cmd_batch(args, refdata.screener())
        except StaleDataError as exc:
            raise UserError(str(exc)) from None
    return cmd_batch(args)
