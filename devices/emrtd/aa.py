"""ICAO 9303-11 §6.1 Active Authentication: INTERNAL AUTHENTICATE with RSA (ISO/IEC 9796-2 scheme 1,
message recovery) or ECDSA (plain or DER signatures), plus the chip-side signing the simulator uses."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable

from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import EmrtdError
from devices.emrtd.lds import OID_AA, SecurityInfo

logger = logging.getLogger(__name__)


class ActiveAuthenticationError(EmrtdError):
    """The DG15 key cannot be used for Active Authentication."""


_ECDSA_PLAIN = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512",
}
ECDSA_PLAIN_OID = {v: k for k, v in _ECDSA_PLAIN.items()}
# ISO/IEC 10118-3 hash identifiers used in the two-byte 9796-2 trailer (xx CC).
_TRAILER_HASH = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}


def aa_hash_from_dg14(infos: list[SecurityInfo]) -> str | None:
    """The ECDSA hash named by DG14's ActiveAuthenticationInfo, if any."""
    for info in infos:
        if info.oid == OID_AA and info.other_oid:
            return _ECDSA_PLAIN.get(info.other_oid)
    return None


def verify_rsa_9796_2(n: int, e: int, challenge: bytes, signature: bytes) -> bool:
    """ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery."""
    k = (n.bit_length() + 7) // 8
    f = pow(int.from_bytes(signature, "big"), e, n)
    if f & 0xF != 0xC:
        f = n - f  # the alternative representative (ISO 9796-2 / Rabin-Williams convention)
    block = f.to_bytes(k, "big")
    if block[0] & 0xF0 != 0x60:
        return False
    if block[-1] == 0xBC:
        hash_name, trailer = "sha1", 1
    elif block[-1] == 0xCC and block[-2] in _TRAILER_HASH:
        hash_name, trailer = _TRAILER_HASH[block[-2]], 2
    else:
        return False
    hlen = hashlib.new(hash_name).digest_size
    m1 = block[1 : k - trailer - hlen]
    digest = block[k - trailer - hlen : k - trailer]
    return hmac.compare_digest(hashlib.new(hash_name, m1 + challenge).digest(), digest)


def rsa_9796_2_block(m1: bytes, challenge: bytes) -> bytes:
    """F = 6A || M1 || SHA-1(M1 || challenge) || BC (ISO/IEC 9796-2 scheme 1, partial recovery)."""
    return b"\x6a" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\xbc"


def sign_rsa_9796_2(private_key: object, challenge: bytes, m1: bytes | None = None) -> bytes:
    """Chip side: sign with a random M1 (SHA-1, trailer BC) as most passports do."""
    nums = private_key.private_numbers()  # type: ignore[attr-defined]
    n, d = nums.public_numbers.n, nums.d
    k = (n.bit_length() + 7) // 8
    block = rsa_9796_2_block(m1 if m1 is not None else os.urandom(k - 2 - 20), challenge)
    return pow(int.from_bytes(block, "big"), d, n).to_bytes(k, "big")


def verify_ecdsa(spki_der: bytes, challenge: bytes, signature: bytes, hash_name: str) -> bool:
    import ecdsa
    from ecdsa.util import sigdecode_der, sigdecode_string

    from devices.emrtd.pki import PKIError, load_ec_key

    try:
        vk = load_ec_key(spki_der)
    except PKIError as exc:
        raise ActiveAuthenticationError(f"DG15 key: {exc}") from exc
    # Chips answer plain r||s (BSI TR-03111) or DER; a plain value can look like DER, so try both.
    decoders = [sigdecode_string] if len(signature) == 2 * vk.curve.baselen else []
    if signature[:1] == b"\x30":
        decoders.append(sigdecode_der)
    for decode in decoders:
        try:
            if vk.verify(
                signature, challenge, hashfunc=getattr(hashlib, hash_name), sigdecode=decode
            ):
                return True
        except (ecdsa.BadSignatureError, ecdsa.der.UnexpectedDER, AssertionError, ValueError):
            continue
    return False


def sign_ecdsa_plain(private_key: object, challenge: bytes, hash_name: str = "sha256") -> bytes:
    """Chip side: plain r||s ECDSA signature (BSI TR-03111)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    der = private_key.sign(challenge, ec.ECDSA(getattr(hashes, hash_name.upper())()))  # type: ignore[attr-defined]
    r, s = decode_dss_signature(der)
    size = (private_key.curve.key_size + 7) // 8  # type: ignore[attr-defined]
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify_response(
    spki_der: bytes, challenge: bytes, signature: bytes, hash_name: str | None
) -> bool:
    """Verify an INTERNAL AUTHENTICATE answer against the DG15 key."""
    from asn1crypto import keys

    try:
        spki = keys.PublicKeyInfo.load(spki_der)
        algorithm = spki.algorithm
    except (ValueError, TypeError, KeyError) as exc:
        raise ActiveAuthenticationError(f"DG15 holds no usable public key: {exc}") from exc
    if algorithm == "rsa":
        key = spki["public_key"].parsed
        return verify_rsa_9796_2(
            key["modulus"].native, key["public_exponent"].native, challenge, signature
        )
    if algorithm == "ec":
        return verify_ecdsa(spki_der, challenge, signature, hash_name or "sha256")
    raise ActiveAuthenticationError(
        f"Active Authentication key type {spki.algorithm} is not supported"
    )


def perform_aa(
    send: Callable[[CommandAPDU], ResponseAPDU],
    spki_der: bytes,
    hash_name: str | None,
    rng: Callable[[int], bytes] = os.urandom,
) -> str:
    """Challenge the chip; "passed" or "failed"."""
    challenge = rng(8)
    resp = send(CommandAPDU(0x00, 0x88, 0x00, 0x00, challenge, ne=256))
    if resp.sw != 0x9000 or not resp.data:
        logger.info("INTERNAL AUTHENTICATE answered %04X", resp.sw)
        return "failed"
    return "passed" if verify_response(spki_der, challenge, resp.data, hash_name) else "failed"
