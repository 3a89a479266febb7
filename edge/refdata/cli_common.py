"""Options shared by the `watchlist` and `visa` commands: trusted keys, data dir, age policy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sekisho.report import UserError


def add_refdata_options(p: argparse.ArgumentParser, keys: bool = False) -> None:
    p.add_argument("--refdata", type=Path, metavar="DIR",
                   help="the booth's reference data directory (default: <data_dir>/refdata of --config)")  # fmt: skip
    p.add_argument("--config", type=Path, help="booth TOML: data_dir and [booth.centre_keys]")
    p.add_argument("--max-age-hours", action="append", default=[], metavar="KIND=HOURS",
                   help="the oldest data screening may use, e.g. watchlist=24 (repeatable)")  # fmt: skip
    if keys:
        p.add_argument("--centre-key", action="append", default=[], metavar="NAME=PEM",
                       help="a trusted centre public key, e.g. east=east.pub (repeatable)")  # fmt: skip


def _booth(args: argparse.Namespace) -> Any:
    from sekisho import config as cfg

    return cfg.require(cfg.load(args.config), "booth", str(args.config))


def refdata_dir(args: argparse.Namespace) -> Path:
    if args.refdata:
        return args.refdata
    if args.config:
        return _booth(args).data_dir / "refdata"
    raise UserError("give --refdata DIR, or --config booth.toml")


def trusted_keys(args: argparse.Namespace) -> dict[str, Any]:
    """Centre name -> public key, from --centre-key and the booth config's centre_keys."""
    from sekisho.wire.signing import load_public_key

    paths: dict[str, Path] = {}
    if getattr(args, "config", None):
        paths.update(_booth(args).centre_keys)
    for item in getattr(args, "centre_key", []):
        name, _, path = item.partition("=")
        if not name or not path:
            raise UserError(f"--centre-key {item!r}: expected NAME=FILE, e.g. east=east.pub")
        paths[name] = Path(path)
    if not paths:
        raise UserError("no trusted centre keys: give --centre-key NAME=PEM or --config booth.toml")
    keys = {}
    for name, path in paths.items():
        try:
            keys[name] = load_public_key(Path(path).read_bytes())
        except (OSError, ValueError) as exc:
            raise UserError(f"centre key {name} ({path}): {exc}") from None
    return keys


def policy(args: argparse.Namespace) -> Any:
    from edge.refdata import RefDataPolicy

    hours = dict(RefDataPolicy().max_age_hours)
    for item in args.max_age_hours:
        kind, _, value = item.partition("=")
        try:
            hours[kind] = float(value)
        except ValueError:
            raise UserError(f"--max-age-hours {item!r}: expected KIND=HOURS") from None
    return RefDataPolicy(max_age_hours=hours)


def open_refdata(args: argparse.Namespace, keys: bool = False) -> Any:
    """A ReferenceData on the booth's directory (keys only needed to apply)."""
    from edge.refdata import ReferenceData

    root = refdata_dir(args)
    return ReferenceData(root, trusted_keys(args) if keys else {}, policy(args))
