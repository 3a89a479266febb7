"""ICAO 9303-11 §4.3 Basic Access Control: MRZ key seed, mutual authentication, session keys."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from devices.emrtd import crypto
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import AccessDeniedError, StatusWordError
from devices.emrtd.sm import SecureMessaging

logger = logging.getLogger(__name__)

_WEIGHTS = (7, 3, 1)


def check_digit(text: str) -> str:
    """ICAO 9303-3 check digit of an MRZ field."""
    total = 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            v = int(ch)
        elif ch.isalpha():
            v = ord(ch.upper()) - 55
        else:
            v = 0
        total += v * _WEIGHTS[i % 3]
    return str(total % 10)


@dataclass(frozen=True)
class MRZKey:
    """The BAC/PACE password: document number, birth date and expiry date (YYMMDD)."""

    document_number: str
    birth: str
    expiry: str

    def mrz_information(self) -> str:
        """Document number, birth and expiry, each with its check digit (ICAO 9303-11 §4.3.2)."""
        doc = self.document_number.upper()
        if len(doc) < 9:
            doc = doc + "<" * (9 - len(doc))
        return (
            doc
            + check_digit(doc)
            + self.birth
            + check_digit(self.birth)
            + self.expiry
            + (check_digit(self.expiry))
        )

    def seed(self) -> bytes:
        """K_seed: first 16 bytes of SHA-1 of the MRZ information."""
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()[:16]

    @classmethod
    def from_mrz(cls, mrz: str) -> MRZKey:
        """The key from printed MRZ lines (TD3 two lines, or TD1 three lines)."""
        lines = [ln.strip() for ln in mrz.replace("\\n", "\n").splitlines() if ln.strip()]
        if len(lines) == 2 and len(lines[1]) == 44:
            l2 = lines[1]
            return cls(l2[0:9].rstrip("<") or l2[0:9], l2[13:19], l2[21:27])
        if len(lines) == 3 and len(lines[0]) == 30:
            l1, l2 = lines[0], lines[1]
            return cls(l1[5:14].rstrip("<"), l2[0:6], l2[8:14])
        raise ValueError(
            "MRZ must be two 44-character lines (TD3) or three 30-character lines (TD1)"
        )


def derive_bac_keys(seed: bytes) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) from a 16-byte key seed."""
    return crypto.kdf(seed, crypto.KDF_ENC, "3DES"), crypto.kdf(seed, crypto.KDF_MAC, "3DES")


def session_from_key_material(
    k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes
) -> SecureMessaging:
    """3DES secure messaging from the exchanged key halves; SSC from the nonces."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    ks_enc, ks_mac = derive_bac_keys(seed)
    ssc = int.from_bytes(rnd_ic[4:8] + rnd_ifd[4:8], "big")
    return SecureMessaging(ks_enc, ks_mac, ssc, "3DES")


def build_external_authenticate(
    k_enc: bytes, k_mac: bytes, rnd_ifd: bytes, rnd_ic: bytes, k_ifd: bytes
) -> bytes:
    """E_IFD || M_IFD, the data of EXTERNAL AUTHENTICATE."""
    e_ifd = crypto.des3_encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd + crypto.retail_mac(k_mac, e_ifd)


def open_response(k_enc: bytes, k_mac: bytes, data: bytes, rnd_ifd: bytes, rnd_ic: bytes) -> bytes:
    """Check the chip's E_IC || M_IC and return K_IC; AccessDeniedError when it does not verify."""
    if len(data) != 40:
        raise AccessDeniedError(f"BAC: chip answered {len(data)} bytes instead of 40")
    e_ic, m_ic = data[:32], data[32:]
    if not hmac.compare_digest(crypto.retail_mac(k_mac, e_ic), m_ic):
        raise AccessDeniedError("BAC: the chip's MAC does not verify")
    plain = crypto.des3_decrypt(k_enc, e_ic)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise AccessDeniedError("BAC: the chip's nonces do not match")
    return plain[16:32]


def perform_bac(
    send: Callable[[CommandAPDU], ResponseAPDU],
    key: MRZKey,
    rng: Callable[[int], bytes] = os.urandom,
) -> SecureMessaging:
    """Run GET CHALLENGE + EXTERNAL AUTHENTICATE over `send`; returns the secure channel."""
    k_enc, k_mac = derive_bac_keys(key.seed())
    rnd_ic = send(CommandAPDU(0x00, 0x84, 0x00, 0x00, ne=8)).check("GET CHALLENGE")
    if len(rnd_ic) != 8:
        raise AccessDeniedError("BAC: GET CHALLENGE returned no 8-byte challenge")
    rnd_ifd, k_ifd = rng(8), rng(16)
    data = build_external_authenticate(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd)
    resp = send(CommandAPDU(0x00, 0x82, 0x00, 0x00, data, ne=40))
    if resp.sw in (0x6300, 0x6982, 0x6A80) or (resp.sw >> 4) == 0x63C:
        raise AccessDeniedError(
            f"BAC refused by the chip ({resp.sw:04X}): the document number, birth or expiry date is wrong"
        )
    try:
        resp.check("EXTERNAL AUTHENTICATE")
    except StatusWordError as exc:
        raise AccessDeniedError(f"BAC failed: {exc}") from exc
    k_ic = open_response(k_enc, k_mac, resp.data, rnd_ifd, rnd_ic)
    return session_from_key_material(k_ifd, k_ic, rnd_ic, rnd_ifd)
