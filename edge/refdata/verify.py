"""Checks a bundle must pass before the booth touches its data (pure, no I/O but the content).

Order: schema, kind, signature (against every trusted centre key), version against the held
one (rollback and replay), delta base, then content integrity (size, sha256, chunk digests).
Each failure is a `BundleRejected` whose message says which bundle and why, for a person.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from edge.refdata.content import KEYS
from sekisho.wire.codec import WireError, validate
from sekisho.wire.messages import BundleEnvelope
from sekisho.wire.signing import SignatureError, verify

logger = logging.getLogger(__name__)

# Refuse to even start on content claiming more than this once decoded (a gzip bomb guard).
MAX_RAW_SIZE = 64 * 1024**3


class BundleRejected(Exception):
    """A bundle the booth refused; `reason` is a short code, the message is for a person."""

    def __init__(self, kind: str, version: Any, reason: str, detail: str) -> None:
        super().__init__(f"bundle {kind} v{version} rejected: {detail}")
        self.kind = kind
        self.version = version
        self.reason = reason
        self.detail = detail


def _names(keys: dict[str, Ed25519PublicKey]) -> str:
    names = sorted(keys)
    return " or ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " or " + names[-1]


def check_signature(obj: dict[str, Any], trusted: dict[str, Ed25519PublicKey]) -> str:
    """The name of the centre whose key verifies `obj`; SignatureError if none does."""
    for name, key in sorted(trusted.items()):
        try:
            verify(obj, key)
            return name
        except SignatureError:
            continue
    raise SignatureError(f"signature does not verify with the keys of {_names(trusted)}")


def check_envelope(
    obj: dict[str, Any],
    trusted: dict[str, Ed25519PublicKey],
    held_version: int | None,
    expect_kind: str | None = None,
) -> BundleEnvelope:
    """Everything about the envelope; content is checked by `check_content`."""
    kind = str(obj.get("kind", "?"))[:32]
    version = obj.get("version", "?")

    def reject(reason: str, detail: str) -> BundleRejected:
        return BundleRejected(kind, version, reason, detail)

    try:
        env = validate(obj, BundleEnvelope)
    except WireError as exc:
        raise reject(
            exc.reason, f"not a valid bundle envelope ({exc.detail or exc.reason})"
        ) from None
    if expect_kind is not None and env.kind != expect_kind:
        raise reject("wrong_kind", f"kind {env.kind!r} arrived where {expect_kind!r} was expected")
    if env.kind not in KEYS:
        raise reject("unknown_kind", f"this booth does not use {env.kind!r} data")
    if not trusted:
        raise reject("no_keys", "no trusted centre keys are configured")
    try:
        check_signature(obj, trusted)
    except SignatureError as exc:
        raise reject("bad_signature", str(exc)) from None
    try:
        dt.datetime.fromisoformat(env.created_at.replace("Z", "+00:00"))
    except ValueError:
        raise reject(
            "schema", f"created_at {env.created_at[:40]!r} is not an ISO 8601 time"
        ) from None
    _check_version(env, held_version, reject)
    if env.raw_size is not None and env.raw_size > MAX_RAW_SIZE:
        raise reject("too_large", f"content would decode to {env.raw_size:,} bytes")
    if env.payload_b64 is None and env.chunks is None:
        raise reject(
            "no_content", "neither inline content nor chunks (fetching by url is not supported)"
        )
    return env


def _check_version(env: BundleEnvelope, held: int | None, reject: Any) -> None:
    if held is not None and env.version < held:
        raise reject("rollback", f"version {env.version} is older than the held version {held}")
    if held is not None and env.version == held:
        raise reject("replay", f"version {env.version} is already held")
    if env.mode == "delta":
        if env.base_version is None or env.dataset_sha256 is None:
            raise reject("schema", "a delta must name its base_version and dataset_sha256")
        if env.base_version >= env.version:
            raise reject("schema", f"base version {env.base_version} is not below {env.version}")
        if held != env.base_version:
            have = "no data" if held is None else f"version {held}"
            raise reject(
                "wrong_base", f"delta applies to version {env.base_version}; booth holds {have}"
            )


def check_content(
    env: BundleEnvelope, size: int, sha256: str, chunk_digests: list[str] | None
) -> None:
    """The content as received (size, digest, chunk digests) is what the envelope signed."""

    def reject(reason: str, detail: str) -> BundleRejected:
        return BundleRejected(env.kind, env.version, reason, detail)

    if size != env.size:
        raise reject(
            "bad_size", f"content is {size:,} bytes; the envelope says {env.size:,} (truncated?)"
        )
    if chunk_digests is not None and env.chunks is not None:
        for i, (got, want) in enumerate(zip(chunk_digests, env.chunks, strict=False)):
            if got != want:
                raise reject("bad_chunk", f"chunk {i} does not match its signed sha256")
    if sha256 != env.sha256:
        raise reject("bad_digest", "content sha256 does not match the signed envelope (tampered?)")


def inline_content(env: BundleEnvelope) -> bytes:
    try:
        return base64.b64decode(env.payload_b64 or "", validate=True)
    except ValueError:
        raise BundleRejected(
            env.kind, env.version, "bad_content", "payload_b64 is not base64"
        ) from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
