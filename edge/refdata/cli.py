"""`sekisho watchlist bundle build|verify|publish|apply|status` (registered by edge/watchlist_cli.py).

`build` runs at central (it needs the centre's private key); `verify` anywhere; `publish` from
central to the brokers; `apply` and `status` on a booth.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from edge.refdata.cli_common import add_refdata_options, open_refdata, refdata_dir, trusted_keys
from sekisho.report import UserError, emit, progress


def register_bundle(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser("build", help="build and sign a full or delta bundle (central)",
                           description="Build a signed bundle of a dataset: full, or with --base a "
                           "delta from the base version. Writes one bundle file.")  # fmt: skip
    build.add_argument("--kind", default="watchlist", choices=["watchlist", "visas"])
    build.add_argument("--data", action="append", type=Path, required=True, metavar="FILE.jsonl",
                       help="the dataset's records as JSON lines (repeatable)")  # fmt: skip
    build.add_argument("--version", type=int, required=True, help="new version (> the last)")
    build.add_argument("--key", type=Path, required=True, help="the centre's private key (PEM)")
    build.add_argument("--signer", required=True, help="the centre's name, e.g. east")
    build.add_argument("--out", type=Path, required=True, metavar="FILE.bundle")
    build.add_argument("--base", type=Path, metavar="FILE",
                       help="make a delta from this full bundle (or JSON lines with --base-version)")  # fmt: skip
    build.add_argument("--base-version", type=int, help="version of a JSON lines --base")
    build.add_argument("--chunk-size", type=int, default=1 << 20, help="bytes per MQTT chunk")
    build.add_argument("--inline-max", type=int, default=64 * 1024,
                       help="content up to this size travels inside the envelope")  # fmt: skip
    build.add_argument("--json", action="store_true")
    build.set_defaults(func=cmd_build)

    release = sub.add_parser("release", help="next version: full + delta, kept in a history (central)",
                             description="Build the next version of a dataset (the last full bundle "
                             "in --history plus one): its full bundle and the delta from the last, "
                             "both kept in --history; with --broker, publish both.")  # fmt: skip
    release.add_argument("--kind", default="watchlist", choices=["watchlist", "visas"])
    release.add_argument("--data", action="append", type=Path, required=True, metavar="FILE.jsonl")
    release.add_argument("--history", type=Path, required=True, metavar="DIR",
                         help="where every released bundle is kept")  # fmt: skip
    release.add_argument("--key", type=Path, required=True, help="the centre's private key (PEM)")
    release.add_argument("--signer", required=True, help="the centre's name, e.g. east")
    release.add_argument("--broker", action="append", default=[], metavar="HOST:PORT",
                         help="publish both bundles there (repeatable)")  # fmt: skip
    release.add_argument("--chunk-size", type=int, default=1 << 20)
    release.add_argument("--inline-max", type=int, default=64 * 1024)
    release.add_argument("--json", action="store_true")
    release.set_defaults(func=cmd_release)

    verify = sub.add_parser("verify", help="check a bundle file's signature and integrity",
                            description="Signature (against the given centre keys), content size "
                            "and sha256, chunk digests, and for a full bundle the dataset it makes. "
                            "With --refdata/--config, also the version against the booth's.")  # fmt: skip
    verify.add_argument("file", type=Path)
    add_refdata_options(verify, keys=True)
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_verify)

    publish = sub.add_parser("publish", help="publish a bundle file to brokers (retained)",
                             description="Chunks first, then the envelope, retained, QoS 1; the "
                             "replaced version's chunks are cleared.")  # fmt: skip
    publish.add_argument("file", type=Path)
    publish.add_argument("--broker", action="append", required=True, metavar="HOST:PORT")
    publish.add_argument(
        "--force", action="store_true", help="even if not above the retained version"
    )
    publish.add_argument("--json", action="store_true")
    publish.set_defaults(func=cmd_publish)

    apply = sub.add_parser("apply", help="apply a bundle file on a booth",
                           description="Verify and apply a bundle file (for a booth that was "
                           "offline); on any error the booth keeps its current data.")  # fmt: skip
    apply.add_argument("file", type=Path)
    add_refdata_options(apply, keys=True)
    apply.add_argument("--json", action="store_true")
    apply.set_defaults(func=cmd_apply)

    status = sub.add_parser("status", help="versions and age of the booth's reference data",
                            description="Per kind: version, created_at, age, allowed age, usable.")  # fmt: skip
    add_refdata_options(status)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)


def _summary(env: dict[str, Any]) -> dict[str, Any]:
    keys = ("kind", "version", "mode", "base_version", "created_at", "signer", "records",
            "size", "sha256", "dataset_sha256")  # fmt: skip
    out = {k: env.get(k) for k in keys if env.get(k) is not None}
    out["chunks"] = len(env.get("chunks") or [])
    return out


def cmd_build(args: argparse.Namespace) -> int:
    from central.bundles import BundleBuildError, build_delta, build_full, delta_counts

    key = _signing_key(args.key)
    common = dict(chunk_size=args.chunk_size, inline_max=args.inline_max)
    try:
        if args.base:
            env = build_delta(args.kind, args.base, args.data, args.version, key, args.signer,
                              args.out, base_version=args.base_version, **common)  # fmt: skip
        else:
            env = build_full(
                args.kind, args.data, args.version, key, args.signer, args.out, **common
            )
    except BundleBuildError as exc:
        raise UserError(str(exc)) from None
    out = {**_summary(env), "file": str(args.out)}
    if args.base:
        out.update(delta_counts(args.out))
    emit(out, args.json)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from central.bundle_history import release
    from central.bundles import BundleBuildError

    key = _signing_key(args.key)
    brokers = [_broker(b) for b in args.broker]
    try:
        built = release(args.kind, args.data, args.history, key, args.signer,
                        chunk_size=args.chunk_size, inline_max=args.inline_max)  # fmt: skip
    except BundleBuildError as exc:
        raise UserError(str(exc)) from None
    for env in built:
        emit({**_summary(env), "file": str(env["file"])}, args.json)
    for env in built:
        _publish(brokers, env["file"], args.json)
    return 0


def _signing_key(path: Path) -> Any:
    from sekisho.wire.signing import load_private_key

    try:
        return load_private_key(path)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load the signing key {path}: {exc}") from None


def verify_file(path: Path, keys: dict[str, Any], held: int | None) -> dict[str, Any]:
    """Everything `apply` checks before it touches the booth's data, on a bundle file."""
    from edge.refdata.apply import make_dataset
    from edge.refdata.bundle_file import copy_content, read_envelope, write_inline
    from edge.refdata.verify import check_content, check_envelope, inline_content

    obj, offset = read_envelope(path)
    env = check_envelope(obj, keys, held)
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "content"
        if env.payload_b64 is not None:
            got = write_inline(inline_content(env), dst)
        else:
            got = copy_content(path, offset, dst, env.chunk_size if env.chunks else None)
        check_content(env, got.size, got.sha256, got.chunk_digests)
        checked = ["signature", "version" if held is not None else "", "size", "sha256"]
        if env.mode == "full":
            writer = make_dataset(env, dst, None, Path(tmp) / "dataset")
            if writer.digest.hexdigest() != env.dataset_sha256 or writer.lines != env.records:
                raise UserError(f"{path}: the dataset it makes does not match the signed digest")
            checked.append("dataset_sha256")
    return {**_summary(obj), "ok": True, "checked": [c for c in checked if c]}


def cmd_verify(args: argparse.Namespace) -> int:
    from edge.refdata.bundle_file import BundleFileError
    from edge.refdata.content import ContentError
    from edge.refdata.verify import BundleRejected

    held = None
    if args.refdata or args.config:
        from edge.refdata.bundle_file import read_envelope

        kind = read_envelope(args.file)[0].get("kind")
        h = open_refdata(args).held(kind) if kind in ("watchlist", "visas") else None
        held = h.version if h else None
    try:
        emit(verify_file(args.file, trusted_keys(args), held), args.json)
    except (BundleRejected, BundleFileError, ContentError) as exc:
        raise UserError(str(exc)) from None
    return 0


def _broker(text: str) -> Any:
    from sekisho.config import BrokerConfig

    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"--broker {text!r}: expected HOST:PORT")
    return BrokerConfig(host=host, port=int(port))


def _publish(brokers: list[Any], path: Path, as_json: bool, force: bool = False) -> None:
    from central.bundle_publish import PublishError, publish
    from edge.refdata.bundle_file import BundleFileError

    try:
        for result in asyncio.run(publish(brokers, path, force)):
            emit(result, as_json)
    except (PublishError, BundleFileError) as exc:
        raise UserError(str(exc)) from None


def cmd_publish(args: argparse.Namespace) -> int:
    _publish([_broker(b) for b in args.broker], args.file, args.json, args.force)
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from edge.refdata import BundleRejected

    refdata = open_refdata(args, keys=True)
    try:
        held = refdata.apply_file(args.file, on_stage=lambda s: progress(f"apply: {s}"))
    except BundleRejected as exc:
        raise UserError(f"{exc}; the booth keeps its current data") from None
    emit({"applied": True, **held.to_dict(), "root": str(refdata_dir(args))}, args.json)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    refdata = open_refdata(args)
    for kind, row in refdata.status().items():
        emit({"kind": kind, **row}, args.json)
    return 0
