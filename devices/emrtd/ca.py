"""ICAO 9303-11 §6.2 Chip Authentication (v1, ECDH): an ephemeral key agreement with the chip's
static DG14 key that restarts Secure Messaging; a clone without the private key cannot follow."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from devices.emrtd import crypto, tlv
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import EmrtdError, StatusWordError, TLVError
from devices.emrtd.lds import OID_CA, OID_CA_PUBKEY, SecurityInfo
from devices.emrtd.sm import SecureMessaging

logger = logging.getLogger(__name__)

OID_PK_ECDH = f"{OID_CA_PUBKEY}.2"
CA_ECDH = {
    f"{OID_CA}.2.1": ("3DES", 128),
    f"{OID_CA}.2.2": ("AES", 128),
    f"{OID_CA}.2.3": ("AES", 192),
    f"{OID_CA}.2.4": ("AES", 256),
}


class ChipAuthenticationError(EmrtdError):
    """Chip Authentication could not be run or the chip failed it."""


@dataclass(frozen=True)
class CAChoice:
    oid: str
    cipher: str
    key_bits: int
    spki_der: bytes
    key_id: int | None


def choose(infos: list[SecurityInfo]) -> CAChoice | None:
    """The ECDH Chip Authentication that DG14 offers (protocol info + public key), or None."""
    keys: dict[int | None, bytes] = {}
    for info in infos:
        if info.oid == OID_PK_ECDH:
            parts = tlv.decode_all(tlv.find(info.raw, 0x30))
            spki = next((p for p in parts[1:] if p.tag == 0x30), None)
            key_id = next((tlv.decode_int(p.value) for p in parts[1:] if p.tag == 0x02), None)
            if spki is not None:
                keys[key_id] = tlv.encode(0x30, spki.value)
    for info in infos:
        if info.oid in CA_ECDH and keys:
            key_id = info.parameter_id  # ChipAuthenticationInfo: version, then optional keyId
            spki = keys.get(key_id) or next(iter(keys.values()))
            cipher, bits = CA_ECDH[info.oid]
            return CAChoice(info.oid, cipher, bits, spki, key_id)
    return None


def _curve_and_point(spki_der: bytes):
    from devices.emrtd.pki import PKIError, load_ec_key

    try:
        vk = load_ec_key(spki_der)
    except PKIError as exc:
        raise ChipAuthenticationError(f"DG14 Chip Authentication key: {exc}") from exc
    return vk.curve, vk.pubkey.point


def encode_point(point, size: int) -> bytes:
    return b"\x04" + point.x().to_bytes(size, "big") + point.y().to_bytes(size, "big")


def session_keys(secret: bytes, cipher: str, bits: int) -> SecureMessaging:
    ks_enc = crypto.kdf(secret, crypto.KDF_ENC, cipher, bits)
    ks_mac = crypto.kdf(secret, crypto.KDF_MAC, cipher, bits)
    return SecureMessaging(ks_enc, ks_mac, 0, cipher)


def perform_ca(send: Callable[[CommandAPDU], ResponseAPDU], choice: CAChoice) -> SecureMessaging:
    """Send the ephemeral key (MSE:Set KAT for 3DES, MSE:Set AT + GENERAL AUTHENTICATE for AES)."""
    import ecdsa

    curve, chip_point = _curve_and_point(choice.spki_der)
    size = (curve.curve.p().bit_length() + 7) // 8
    eph = ecdsa.SigningKey.generate(curve=curve)
    pub = encode_point(eph.verifying_key.pubkey.point, size)
    key_ref = tlv.encode(0x84, bytes([choice.key_id])) if choice.key_id is not None else b""
    try:
        if choice.cipher == "3DES":
            send(CommandAPDU(0x00, 0x22, 0x41, 0xA6, tlv.encode(0x91, pub) + key_ref)).check(
                "MSE:Set KAT"
            )
        else:
            mse = tlv.encode(0x80, tlv.encode_oid(choice.oid)) + key_ref
            send(CommandAPDU(0x00, 0x22, 0x41, 0xA4, mse)).check("MSE:Set AT (CA)")
            ga = tlv.encode(0x7C, tlv.encode(0x80, pub))
            send(CommandAPDU(0x00, 0x86, 0x00, 0x00, ga, ne=256)).check("GENERAL AUTHENTICATE (CA)")
    except (StatusWordError, TLVError) as exc:
        raise ChipAuthenticationError(f"the chip refused Chip Authentication: {exc}") from exc
    shared = eph.privkey.secret_multiplier * chip_point
    return session_keys(shared.x().to_bytes(size, "big"), choice.cipher, choice.key_bits)


def chip_agree(
    private_value: int, spki_der: bytes, terminal_public: bytes, choice: CAChoice
) -> SecureMessaging:
    """Chip side: the new secure channel from the terminal's ephemeral key."""
    from ecdsa.ellipticcurve import PointJacobi

    curve, _ = _curve_and_point(spki_der)
    size = (curve.curve.p().bit_length() + 7) // 8
    if len(terminal_public) != 1 + 2 * size or terminal_public[0] != 4:
        raise ChipAuthenticationError("terminal key is not an uncompressed point")
    x = int.from_bytes(terminal_public[1 : 1 + size], "big")
    y = int.from_bytes(terminal_public[1 + size :], "big")
    if not curve.curve.contains_point(x, y):
        raise ChipAuthenticationError("terminal key is not on the curve")
    shared = private_value * PointJacobi(curve.curve, x, y, 1, curve.order)
    return session_keys(shared.x().to_bytes(size, "big"), choice.cipher, choice.key_bits)
