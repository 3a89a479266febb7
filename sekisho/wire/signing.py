"""Canonical JSON and Ed25519 signatures over it.

A signed message is a JSON object with a `sig` member: the base64 (standard alphabet, padded)
Ed25519 signature of the canonical form of the same object without `sig`. Canonical form:
UTF-8, keys sorted, no insignificant whitespace, no NaN/Infinity. Signed messages carry no
floating-point numbers (times are ISO 8601 strings, durations integers) so that every language
produces the same bytes.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


class SignatureError(ValueError):
    """The signature is missing, malformed, or does not verify."""


def canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign(obj: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Return a copy of `obj` with `sig` set."""
    body = {k: v for k, v in obj.items() if k != "sig"}
    body["sig"] = base64.b64encode(key.sign(canonical(body))).decode("ascii")
    return body


def verify(obj: dict[str, Any], key: Ed25519PublicKey) -> bytes:
    """Raise SignatureError unless `obj["sig"]` signs the rest of `obj` under `key`.

    Returns the canonical bytes that were verified. Verification runs in libsodium (PyNaCl),
    which checks Ed25519 faster than OpenSSL 3.0 and rejects non-canonical encodings; it is
    the hot path of central ingest.
    """
    sig = obj.get("sig")
    if not isinstance(sig, str):
        raise SignatureError("no signature")
    try:
        raw = base64.b64decode(sig, validate=True)
    except ValueError:
        raise SignatureError("signature is not base64") from None
    message = canonical({k: v for k, v in obj.items() if k != "sig"})
    try:
        _verify_key(key.public_bytes_raw()).verify(message, raw)
    except (BadSignatureError, ValueError, TypeError):
        raise SignatureError("signature does not verify") from None
    return message


@functools.lru_cache(maxsize=65536)
def _verify_key(raw: bytes) -> VerifyKey:
    return VerifyKey(raw)


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write a private key readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.touch(mode=0o600, exist_ok=True)
    tmp.chmod(0o600)
    tmp.write_bytes(private_pem(key))
    tmp.replace(path)


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    path = Path(path)
    if path.exists():
        return load_private_key(path)
    key = generate_key()
    write_private_key(path, key)
    path.with_suffix(".pub").write_bytes(public_pem(key.public_key()))
    return key
