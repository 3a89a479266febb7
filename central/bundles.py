"""Central side of signed bundles: build a full or delta bundle of a dataset and sign it.

    env = build_full("watchlist", [Path("watchlist.jsonl")], version=12, key=key, signer="east",
                     out=Path("watchlist-v12-full.bundle"))
    env = build_delta("watchlist", base=Path("watchlist-v11-full.bundle"), new=[...], version=12, ...)

Content is the canonical dataset (or delta) of `edge.refdata.content`, gzip-compressed. Content
up to `INLINE_MAX` bytes travels inside the envelope (`payload_b64`); larger content is cut into
chunks whose sha256 digests the envelope lists (and so signs). The bundle file is what
`publish` sends and what a booth applies from a USB stick.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge.refdata.bundle_file import read_envelope, write_bundle_file
from edge.refdata.content import (
    DELTA_TYPE,
    FULL_TYPE,
    ContentError,
    canonical_dataset,
    diff,
    gzip_bytes,
    key_field,
    read_records,
)
from sekisho.wire.messages import BundleEnvelope, dump, utc_now
from sekisho.wire.signing import sign

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20  # 1 MiB per MQTT message: far below Mosquitto's 8 MiB packet limit
INLINE_MAX = 64 * 1024


class BundleBuildError(ValueError):
    """The dataset or base cannot make a bundle; the message says which record or file."""


def _check_records(kind: str, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The booth's own record checks, run before signing, so a bad record never ships."""
    from edge.screening import ReferenceDataError
    from edge.screening.records import check_entry
    from edge.screening.visa import check_visa_record

    check = check_entry if kind == "watchlist" else check_visa_record
    for n, record in enumerate(records, 1):
        try:
            yield check(record, f"record {n}")
        except ReferenceDataError as exc:
            raise BundleBuildError(str(exc)) from None


def read_dataset(kind: str, paths: list[Path], check: bool = True) -> list[tuple[str, bytes]]:
    """Canonical (key, line) rows of the records in `paths`, sorted by key."""
    key_field(kind)

    def records() -> Iterator[dict[str, Any]]:
        for path in paths:
            try:
                with open(path, "rb") as f:
                    yield from read_records(f, str(path))
            except OSError as exc:
                raise BundleBuildError(f"cannot read {path}: {exc.strerror}") from None

    try:
        rows = records()
        return canonical_dataset(_check_records(kind, rows) if check else rows, kind)
    except ContentError as exc:
        raise BundleBuildError(str(exc)) from None


def _envelope(
    kind: str, version: int, content: bytes, signer: str, chunk_size: int, inline_max: int,
    created_at: str | None, **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "kind": kind,
        "version": version,
        "created_at": created_at or utc_now(),
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content_encoding": "gzip",
        "signer": signer,
        **extra,
    }
    if len(content) <= inline_max:
        body["payload_b64"] = base64.b64encode(content).decode("ascii")
    else:
        body["chunk_size"] = chunk_size
        body["chunks"] = [
            hashlib.sha256(content[i : i + chunk_size]).hexdigest()
            for i in range(0, len(content), chunk_size)
        ]
    return dump(BundleEnvelope.model_validate(body))


def _finish(body: dict, key: Ed25519PrivateKey, out: Path, content: bytes) -> dict[str, Any]:
    signed = sign(body, key)
    write_bundle_file(out, signed, content)
    return signed


def build_full(
    kind: str, paths: list[Path], version: int, key: Ed25519PrivateKey, signer: str, out: Path,
    *, chunk_size: int = CHUNK_SIZE, inline_max: int = INLINE_MAX, created_at: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A signed full bundle of the records in `paths`, written to `out`; returns the envelope."""
    rows = read_dataset(kind, paths)
    raw = b"".join(line for _, line in rows)
    content = gzip_bytes(raw)
    body = _envelope(
        kind, version, content, signer, mode="full", content_type=FULL_TYPE,
        raw_size=len(raw), records=len(rows), dataset_sha256=hashlib.sha256(raw).hexdigest(),
        chunk_size=chunk_size, inline_max=inline_max, created_at=created_at,
    )  # fmt: skip
    return _finish(body, key, out, content)


def base_dataset(kind: str, base: Path, base_version: int | None) -> tuple[list, int]:
    """The base of a delta: a full bundle file (its version is signed inside) or JSON lines."""
    try:
        obj, offset = read_envelope(base)
    except ValueError:
        if base_version is None:
            raise BundleBuildError(f"{base} is JSON lines: give --base-version") from None
        return read_dataset(kind, [base], check=False), base_version
    if obj.get("kind") != kind or obj.get("mode", "full") != "full":
        raise BundleBuildError(f"{base} is not a full {kind} bundle")
    import gzip

    if "payload_b64" in obj:
        content = base64.b64decode(obj["payload_b64"])
    else:
        content = base.read_bytes()[offset:]
    raw = gzip.decompress(content) if obj.get("content_encoding") == "gzip" else content
    field = key_field(kind)
    rows = [(json.loads(line)[field], line + b"\n") for line in raw.splitlines() if line]
    return rows, int(obj["version"])


def build_delta(
    kind: str, base: Path, paths: list[Path], version: int, key: Ed25519PrivateKey, signer: str,
    out: Path, *, base_version: int | None = None, chunk_size: int = CHUNK_SIZE,
    inline_max: int = INLINE_MAX, created_at: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A signed delta from `base` to the records in `paths`, written to `out`."""
    old, base_v = base_dataset(kind, base, base_version)
    if base_v >= version:
        raise BundleBuildError(f"base version {base_v} is not below the new version {version}")
    new = read_dataset(kind, paths)
    delta = b"".join(line for _, line in diff(old, new))
    raw_new = b"".join(line for _, line in new)
    content = gzip_bytes(delta)
    body = _envelope(
        kind, version, content, signer, mode="delta", base_version=base_v,
        content_type=DELTA_TYPE, raw_size=len(delta), records=len(new),
        dataset_sha256=hashlib.sha256(raw_new).hexdigest(), chunk_size=chunk_size,
        inline_max=inline_max, created_at=created_at,
    )  # fmt: skip
    return _finish(body, key, out, content)


def delta_counts(out: Path) -> dict[str, int]:
    """How many puts and deletes a delta bundle file holds (for the build report)."""
    import gzip

    obj, offset = read_envelope(out)
    content = (
        base64.b64decode(obj["payload_b64"]) if "payload_b64" in obj else out.read_bytes()[offset:]
    )
    puts = deletes = 0
    for line in gzip.decompress(content).splitlines():
        if line.startswith(b'{"delete"'):
            deletes += 1
        elif line:
            puts += 1
    return {"puts": puts, "deletes": deletes}
