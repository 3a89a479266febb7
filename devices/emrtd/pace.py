"""ICAO 9303-11 §4.4 PACE: Generic Mapping over ECDH and DH, Integrated Mapping over ECDH and DH (AES-128):
password key, nonce, mapping, key agreement, authentication tokens. The math is shared by the
terminal driver and the simulated chip.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from devices.emrtd import crypto, tlv
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import AccessDeniedError, StatusWordError, TLVError
from devices.emrtd.lds import OID_PACE, SecurityInfo
from devices.emrtd.sm import SecureMessaging

logger = logging.getLogger(__name__)

# id-PACE-<DH|ECDH>-GM-<cipher> suffixes (ICAO 9303-11 §9.2.3).
PACE_GM = {
    f"{OID_PACE}.1.1": ("DH", "3DES", 128),
    f"{OID_PACE}.1.2": ("DH", "AES", 128),
    f"{OID_PACE}.1.3": ("DH", "AES", 192),
    f"{OID_PACE}.1.4": ("DH", "AES", 256),
    f"{OID_PACE}.2.1": ("ECDH", "3DES", 128),
    f"{OID_PACE}.2.2": ("ECDH", "AES", 128),
    f"{OID_PACE}.2.3": ("ECDH", "AES", 192),
    f"{OID_PACE}.2.4": ("ECDH", "AES", 256),
}
# Integrated Mapping with AES-128 (the pseudo-random function implemented for 128-bit blocks).
PACE_IM = {f"{OID_PACE}.3.2": ("DH", "AES", 128), f"{OID_PACE}.4.2": ("ECDH", "AES", 128)}
# ICAO 9303-11 §4.4.3.3.2 constants of the pseudo-random number mapping for 128-bit blocks.
_IM_C0 = bytes.fromhex("a668892a7c41e3ca739f40b057d85904")
_IM_C1 = bytes.fromhex("a4e136ac725f738b01c1f60217c188ad")

_RFC5114_1024 = (
    int(
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E"
        "2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738"
        "FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
        16,
    ),
    int(
        "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F"
        "5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F53"
        "1DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
        16,
    ),
    int("F518AA8781A8DF278ABA4E7D64B7CB9D49462353", 16),
)
_EC_PARAMS = {
    8: "NIST192p",
    9: "BRAINPOOLP192r1",
    10: "NIST224p",
    11: "BRAINPOOLP224r1",
    12: "NIST256p",
    13: "BRAINPOOLP256r1",
    14: "BRAINPOOLP320r1",
    15: "NIST384p",
    16: "BRAINPOOLP384r1",
    17: "BRAINPOOLP512r1",
    18: "NIST521p",
}


class Group:
    """A PACE domain: an elliptic curve (python-ecdsa) or a DH group (p, g, q). Elements are opaque."""

    def __init__(self, param_id: int) -> None:
        self.param_id = param_id
        if param_id in _EC_PARAMS:
            import ecdsa

            self.kind = "ECDH"
            self.curve = getattr(ecdsa.curves, _EC_PARAMS[param_id])
            self.order = self.curve.order
            self.generator = self.curve.generator
            self.size = (self.curve.curve.p().bit_length() + 7) // 8
        elif param_id == 0:
            self.kind = "DH"
            self.p, self.g, self.order = _RFC5114_1024
            self.generator = self.g
            self.size = (self.p.bit_length() + 7) // 8
        else:
            raise AccessDeniedError(f"PACE domain parameter {param_id} is not supported")

    def mul(self, k: int, base: object) -> object:
        if self.kind == "ECDH":
            return k * base  # type: ignore[operator]
        return pow(base, k, self.p)  # type: ignore[call-overload]

    def add(self, a: object, b: object) -> object:
        if self.kind == "ECDH":
            return a + b  # type: ignore[operator]
        return (a * b) % self.p  # type: ignore[operator]

    def encode(self, element: object) -> bytes:
        if self.kind == "ECDH":
            return (
                b"\x04"
                + element.x().to_bytes(self.size, "big")
                + element.y().to_bytes(self.size, "big")
            )  # type: ignore[attr-defined]
        return element.to_bytes(self.size, "big")  # type: ignore[attr-defined]

    def decode(self, data: bytes) -> object:
        """Parse and validate a public element (point on curve / in the group)."""
        if self.kind == "DH":
            y = int.from_bytes(data, "big")
            if not 1 < y < self.p - 1 or pow(y, self.order, self.p) != 1:
                raise AccessDeniedError("PACE: public value is not in the DH group")
            return y
        from ecdsa.ellipticcurve import PointJacobi

        if len(data) != 1 + 2 * self.size or data[0] != 4:
            raise AccessDeniedError("PACE: public point is not an uncompressed point of the curve")
        x = int.from_bytes(data[1 : 1 + self.size], "big")
        y = int.from_bytes(data[1 + self.size :], "big")
        c = self.curve.curve
        if not c.contains_point(x, y):
            raise AccessDeniedError("PACE: public point is not on the curve")
        return PointJacobi(c, x, y, 1, self.order)

    def shared_secret(self, element: object) -> bytes:
        if self.kind == "ECDH":
            return element.x().to_bytes(self.size, "big")  # type: ignore[attr-defined]
        return element.to_bytes(self.size, "big")  # type: ignore[attr-defined]

    def random_scalar(self) -> int:
        return secrets.randbelow(self.order - 1) + 1


def password_key(password: bytes, cipher: str, key_bits: int) -> bytes:
    """K_pi from f(pi): SHA-1 of the MRZ information, or the CAN bytes."""
    return crypto.kdf(password, crypto.KDF_PACE, cipher, key_bits)


def mrz_password(mrz_information: str) -> bytes:
    return hashlib.sha1(mrz_information.encode("ascii")).digest()


KEY_REF_MRZ = 1
KEY_REF_CAN = 2


@dataclass(frozen=True)
class CardAccessNumber:
    """The CAN printed on the data page (usually 6 digits): a PACE-only password."""

    number: str

    def __post_init__(self) -> None:
        if not self.number.isdigit():
            raise ValueError("a CAN is made of digits")


def pace_password(key: object) -> tuple[bytes, int]:
    """(f(pi), key reference) for an MRZ key or a CAN."""
    if isinstance(key, CardAccessNumber):
        return key.number.encode("ascii"), KEY_REF_CAN
    return mrz_password(key.mrz_information()), KEY_REF_MRZ  # type: ignore[attr-defined]


def crypt_nonce(k_pi: bytes, data: bytes, cipher: str, decrypt: bool) -> bytes:
    if cipher == "3DES":
        return (crypto.des3_decrypt if decrypt else crypto.des3_encrypt)(k_pi, data)
    return (crypto.aes_decrypt if decrypt else crypto.aes_encrypt)(k_pi, data)


def generic_map(group: Group, nonce: bytes, mapping_shared: object) -> object:
    """Generic Mapping: G' = s*G + H (EC) or g' = g^s * h (DH)."""
    s = int.from_bytes(nonce, "big")
    return group.add(group.mul(s, group.generator), mapping_shared)


def pseudo_random(s: bytes, t: bytes, p_bits: int) -> int:
    """R(s, t) of the Integrated Mapping with AES-128 (the nonce s encrypted under t, then expanded)."""
    n = -(-(p_bits + 64) // (len(s) * 8))
    key = crypto.aes_encrypt(t, s)
    out = b""
    for _ in range(n):
        out += crypto.aes_encrypt(key, _IM_C1)
        key = crypto.aes_encrypt(key, _IM_C0)
    return int.from_bytes(out, "big")


def point_encoding(group: Group, t: int) -> object:
    """ICAO 9303-11 Appendix B (affine): map a field element to a curve point (p = 3 mod 4 curves)."""
    from ecdsa.ellipticcurve import PointJacobi

    c = group.curve.curve
    p, a, b = c.p(), c.a(), c.b()
    t %= p
    alpha = (-t * t) % p
    aa = (alpha + alpha * alpha) % p
    x2 = (-b * (1 + aa) * pow(a * aa, p - 2, p)) % p
    x3 = (alpha * x2) % p
    h2 = (pow(x2, 3, p) + a * x2 + b) % p
    u = (pow(t, 3, p) * h2) % p
    big_a = pow(h2, (p - 1 - (p + 1) // 4) % p, p)
    if (big_a * big_a * h2) % p == 1:
        x, y = x2, (big_a * h2) % p
    else:
        x, y = x3, (big_a * u) % p
    point = PointJacobi(c, x, y, 1, group.order)
    cofactor = c.cofactor() if hasattr(c, "cofactor") else 1
    return point if cofactor == 1 else cofactor * point


def integrated_map(group: Group, s: bytes, t: bytes) -> object:
    """Integrated Mapping: G' = f_G(R(s, t)); for DH f_g(x) = x^((p-1)/q) mod p, never 1."""
    if group.kind == "DH":
        x = pseudo_random(s, t, group.p.bit_length()) % group.p
        mapped = pow(x, (group.p - 1) // group.order, group.p)
        if mapped == 1:
            raise AccessDeniedError("PACE: the integrated mapping gave the identity")
        return mapped
    p = group.curve.curve.p()
    return point_encoding(group, pseudo_random(s, t, p.bit_length()) % p)


def public_key_data(oid: str, group: Group, element: object) -> bytes:
    """The 7F49 public key data object the authentication tokens are computed over."""
    tag = 0x86 if group.kind == "ECDH" else 0x84
    return tlv.encode(
        0x7F49, tlv.encode(0x06, tlv.encode_oid(oid)) + tlv.encode(tag, group.encode(element))
    )


def auth_token(ks_mac: bytes, cipher: str, data: bytes) -> bytes:
    if cipher == "3DES":
        return crypto.retail_mac(ks_mac, data)
    return crypto.aes_cmac(ks_mac, data)


@dataclass(frozen=True)
class PaceChoice:
    oid: str
    param_id: int
    mapping: str
    cipher: str
    key_bits: int
    integrated: bool = False


def choose(infos: list[SecurityInfo]) -> PaceChoice | None:
    """The strongest supported PACE-GM option that EF.CardAccess offers, or None."""
    options = []
    for info in infos:
        table = PACE_GM if info.oid in PACE_GM else PACE_IM
        if info.oid in table and info.parameter_id is not None:
            mapping, cipher, bits = table[info.oid]
            try:
                Group(info.parameter_id)
            except AccessDeniedError:
                continue
            rank = (mapping == "ECDH", cipher == "AES", bits, table is PACE_IM)
            choice = PaceChoice(
                info.oid, info.parameter_id, mapping, cipher, bits, table is PACE_IM
            )
            options.append((rank, choice))
    return max(options, key=lambda o: o[0])[1] if options else None


def _ga(send: Callable[[CommandAPDU], ResponseAPDU], tag: int, value: bytes, last: bool) -> bytes:
    data = tlv.encode(0x7C, tlv.encode(tag, value) if tag else b"")
    resp = send(CommandAPDU(0x00 if last else 0x10, 0x86, 0x00, 0x00, data, ne=256))
    if resp.sw != 0x9000:
        raise AccessDeniedError(
            f"PACE refused by the chip ({resp.sw:04X}): the MRZ key is probably wrong"
        )
    try:
        return tlv.find(resp.data, 0x7C)
    except TLVError as exc:
        raise AccessDeniedError(f"PACE: malformed chip answer ({exc})") from exc


def perform_pace(
    send: Callable[[CommandAPDU], ResponseAPDU],
    choice: PaceChoice,
    password: bytes,
    key_ref: int = 1,
    scalars: Callable[[Group], int] | None = None,
    nonces: Callable[[int], bytes] = secrets.token_bytes,
) -> SecureMessaging:
    """Run MSE:Set AT and the four GENERAL AUTHENTICATE steps; returns the secure channel."""
    group = Group(choice.param_id)
    pick = scalars or (lambda g: g.random_scalar())
    mse = tlv.encode(0x80, tlv.encode_oid(choice.oid)) + tlv.encode(0x83, bytes([key_ref]))
    try:
        send(CommandAPDU(0x00, 0x22, 0xC1, 0xA4, mse)).check("MSE:Set AT")
    except StatusWordError as exc:
        raise AccessDeniedError(f"PACE: the chip refused the protocol choice ({exc})") from exc
    k_pi = password_key(password, choice.cipher, choice.key_bits)
    encrypted = tlv.find(_ga(send, 0, b"", False), 0x80)
    nonce = crypt_nonce(k_pi, encrypted, choice.cipher, decrypt=True)

    chip_map_raw = b""
    if choice.integrated:
        t = nonces(16)
        _ga(send, 0x81, t, False)  # the chip answers with no mapping data
        mapped = integrated_map(group, nonce, t)
    else:
        sk_map = pick(group)
        my_map = group.encode(group.mul(sk_map, group.generator))
        chip_map_raw = tlv.find(_ga(send, 0x81, my_map, False), 0x82)
        mapped = generic_map(group, nonce, group.mul(sk_map, group.decode(chip_map_raw)))

    sk_eph = pick(group)
    pk_eph = group.mul(sk_eph, mapped)
    chip_eph_raw = tlv.find(_ga(send, 0x83, group.encode(pk_eph), False), 0x84)
    chip_eph = group.decode(chip_eph_raw)
    if chip_eph_raw == chip_map_raw:
        raise AccessDeniedError("PACE: the chip reused its mapping key as ephemeral key")
    secret = group.shared_secret(group.mul(sk_eph, chip_eph))
    ks_enc = crypto.kdf(secret, crypto.KDF_ENC, choice.cipher, choice.key_bits)
    ks_mac = crypto.kdf(secret, crypto.KDF_MAC, choice.cipher, choice.key_bits)

    t_ifd = auth_token(ks_mac, choice.cipher, public_key_data(choice.oid, group, chip_eph))
    t_ic = tlv.find(_ga(send, 0x85, t_ifd, True), 0x86)
    expected = auth_token(ks_mac, choice.cipher, public_key_data(choice.oid, group, pk_eph))
    if not hmac.compare_digest(t_ic, expected):
        raise AccessDeniedError("PACE: the chip's authentication token does not verify")
    return SecureMessaging(ks_enc, ks_mac, 0, choice.cipher)
