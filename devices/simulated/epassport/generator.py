"""Generate test passports: a test CSCA -> Document Signer PKI, a full LDS (EF.COM, DG1, DG2 face,
DG11, DG12, DG14, DG15, EF.CardAccess) and an EF.SOD signed over it."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms, core
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from devices.emrtd import aa, lds, tlv
from devices.emrtd.bac import MRZKey, check_digit
from devices.emrtd.ca import OID_PK_ECDH
from devices.emrtd.pa import OID_LDS_SECURITY_OBJECT, LDSSecurityObject

logger = logging.getLogger(__name__)

PACE_OID = "0.4.0.127.0.7.2.2.4.2.2"  # id-PACE-ECDH-GM-AES-CBC-CMAC-128
PACE_PARAM = 13  # brainpoolP256r1
CA_OID = "0.4.0.127.0.7.2.2.3.2.2"  # id-CA-ECDH-AES-CBC-CMAC-128


def td3_mrz(
    surname: str,
    given: str,
    number: str,
    nationality: str,
    birth: str,
    sex: str,
    expiry: str,
    issuer: str = "UTO",
    optional: str = "",
) -> str:
    """The two TD3 lines (88 characters) with every check digit."""
    name = surname.upper().replace(" ", "<") + "<<" + given.upper().replace(" ", "<")
    line1 = ("P<" + issuer + name + "<" * 44)[:44]
    num = (number + "<" * 9)[:9]
    opt = (optional + "<" * 14)[:14]
    body = (
        num
        + check_digit(num)
        + nationality
        + birth
        + check_digit(birth)
        + sex
        + expiry
        + check_digit(expiry)
        + opt
        + check_digit(opt)
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1 + body + check_digit(composite)


@dataclass
class TestPKI:
    """A country's signing chain for tests: CSCA certificate and key, Document Signer certificate and key."""

    csca_key: ec.EllipticCurvePrivateKey
    csca_cert: x509.Certificate
    dsc_key: ec.EllipticCurvePrivateKey
    dsc_cert: x509.Certificate

    @classmethod
    def create(cls, country: str = "UT", now: dt.datetime | None = None) -> TestPKI:
        now = now or dt.datetime.now(dt.UTC)
        curve = ec.BrainpoolP256R1()
        csca_key = ec.generate_private_key(curve)
        csca_name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                x509.NameAttribute(NameOID.COMMON_NAME, "Sekisho Test CSCA"),
            ]
        )
        ski = x509.SubjectKeyIdentifier.from_public_key(csca_key.public_key())
        csca_cert = (
            x509.CertificateBuilder()
            .subject_name(csca_name)
            .issuer_name(csca_name)
            .public_key(csca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(ski, critical=False)
            .sign(csca_key, hashes.SHA256())
        )
        dsc_key = ec.generate_private_key(curve)
        dsc_cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                        x509.NameAttribute(NameOID.COMMON_NAME, "Sekisho Test DS"),
                    ]
                )
            )
            .issuer_name(csca_name)
            .public_key(dsc_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
            )
            .sign(csca_key, hashes.SHA256())
        )
        return cls(csca_key, csca_cert, dsc_key, dsc_cert)

    def csca_pem(self) -> bytes:
        return self.csca_cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class PassportImage:
    """Everything a chip holds: LDS files by name, EF.CardAccess, the AA private key, and its MRZ."""

    mrz: str
    files: dict[str, bytes]
    card_access: bytes | None
    aa_key: object | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def key(self) -> MRZKey:
        return MRZKey.from_mrz(self.mrz[:44] + "\n" + self.mrz[44:])


def synthetic_face_jpeg(target_bytes: int = 15000, width: int = 420, height: int = 525) -> bytes:
    """A face-like portrait (head, eyes, mouth, textured background) JPEG close to `target_bytes`."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(7)
    img = np.full((height, width, 3), 205, np.uint8)
    noise = cv2.GaussianBlur(rng.integers(0, 255, (height, width, 3), dtype=np.uint8), (0, 0), 3)
    img = cv2.addWeighted(img, 0.7, noise, 0.3, 0)
    cx, cy = width // 2, int(height * 0.45)
    cv2.ellipse(
        img, (cx, cy), (int(width * 0.27), int(height * 0.3)), 0, 0, 360, (140, 170, 215), -1
    )
    for dx in (-1, 1):
        cv2.circle(img, (cx + dx * width // 9, cy - height // 16), width // 28, (60, 40, 30), -1)
    cv2.ellipse(
        img, (cx, cy + height // 7), (width // 10, height // 40), 0, 0, 180, (60, 60, 150), 4
    )
    best = b""
    for quality in range(98, 10, -1):
        _ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        best = buf.tobytes()
        if len(best) <= target_bytes:
            break
    return best


def dg2_19794_5(image: bytes, width: int, height: int, image_type: int = 0) -> bytes:
    """DG2 with one ISO/IEC 19794-5 facial record (image_type 0 JPEG, 1 JPEG 2000)."""
    facial = (
        b"\x00\x00"
        + b"\x01\x00\x00"
        + b"\x00\x00\x00"
        + b"\x00\x00"
        + b"\x00\x00\x00"
        + b"\x00\x00\x00"
    )
    info = (
        bytes([1, image_type])
        + width.to_bytes(2, "big")
        + height.to_bytes(2, "big")
        + b"\x01\x02\x00\x00\x00\x00"
    )
    record = facial + info + image
    record = (len(record) + 4).to_bytes(4, "big") + record
    bdb = b"FAC\x00010\x00" + (14 + len(record)).to_bytes(4, "big") + b"\x00\x01" + record
    header = tlv.encode(
        0xA1,
        tlv.encode(0x80, b"\x01\x01")
        + tlv.encode(0x87, b"\x01\x01")
        + tlv.encode(0x88, b"\x00\x08"),
    )
    bit = tlv.encode(0x7F60, header + tlv.encode(0x5F2E, bdb))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + bit))


def _seq(*parts: bytes) -> bytes:
    return tlv.encode(0x30, b"".join(parts))


def _oid(dotted: str) -> bytes:
    return tlv.encode(0x06, tlv.encode_oid(dotted))


def pace_info(oid: str = PACE_OID, param: int = PACE_PARAM) -> bytes:
    return _seq(_oid(oid), tlv.encode_int(2), tlv.encode_int(param))


def build_sod(pki: TestPKI, groups: dict[str, bytes]) -> bytes:
    """EF.SOD: CMS SignedData over an LDSSecurityObject of SHA-256 hashes, signed by the DSC."""
    lso = LDSSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": [
                {
                    "data_group_number": int(n[2:]),
                    "data_group_hash_value": hashlib.sha256(d).digest(),
                }
                for n, d in sorted(groups.items(), key=lambda kv: int(kv[0][2:]))
            ],
        }
    ).dump()
    attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [OID_LDS_SECURITY_OBJECT]},
            {"type": "message_digest", "values": [hashlib.sha256(lso).digest()]},
        ]
    )
    signature = pki.dsc_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    dsc = a_x509.Certificate.load(pki.dsc_cert.public_bytes(serialization.Encoding.DER))
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": dsc.issuer,
                        "serial_number": dsc.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {
                "content_type": OID_LDS_SECURITY_OBJECT,
                "content": core.ParsableOctetString(lso),
            },
            "certificates": [dsc],
            "signer_infos": [signer],
        }
    )
    return tlv.encode(
        0x77, cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
    )


def make_passport(
    pki: TestPKI,
    *,
    mrz: str | None = None,
    aa_kind: str | None = "rsa",
    pace: bool = True,
    face_bytes: int = 15000,
    pace_oid: str = PACE_OID,
    pace_param: int = PACE_PARAM,
    chip_auth: bool = True,
    ca_oid: str = CA_OID,
    can: str | None = "123456",
) -> PassportImage:
    """A complete, signed passport. aa_kind: "rsa" (ISO 9796-2), "ec" (ECDSA), or None."""
    mrz = mrz or td3_mrz("Eriksson", "Anna Maria", "L898902C3", "UTO", "740812", "F", "340415")
    face = synthetic_face_jpeg(face_bytes)
    groups: dict[str, bytes] = {
        "DG1": tlv.encode(0x61, tlv.encode(0x5F1F, mrz.encode("ascii"))),
        "DG2": dg2_19794_5(face, 420, 525),
        "DG11": tlv.encode(
            0x6B,
            tlv.encode(0x5C, b"\x5f\x0e\x5f\x11")
            + tlv.encode(0x5F0E, b"ERIKSSON<<ANNA<MARIA")
            + tlv.encode(0x5F11, b"ZENITH"),
        ),
        "DG12": tlv.encode(
            0x6C,
            tlv.encode(0x5C, b"\x5f\x19\x5f\x26")
            + tlv.encode(0x5F19, b"UTOPIA PASSPORT OFFICE")
            + tlv.encode(0x5F26, b"20240416"),
        ),
    }
    infos = [pace_info(pace_oid, pace_param)] if pace else []
    aa_key = None
    if aa_kind == "rsa":
        aa_key = rsa.generate_private_key(65537, 1024)
    elif aa_kind == "ec":
        aa_key = ec.generate_private_key(ec.SECP256R1())
        infos.append(_seq(_oid(lds.OID_AA), tlv.encode_int(1), _oid(aa.ECDSA_PLAIN_OID["sha256"])))
    ca_key = None
    if chip_auth:
        ca_key = ec.generate_private_key(ec.BrainpoolP256R1())
        ca_spki = ca_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        infos.append(_seq(_oid(ca_oid), tlv.encode_int(1)))
        infos.append(_seq(_oid(OID_PK_ECDH), ca_spki))
    if aa_key is not None:
        spki = aa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        groups["DG15"] = tlv.encode(0x6F, spki)
    if infos:
        groups["DG14"] = tlv.encode(0x6E, tlv.encode(0x31, b"".join(infos)))
    tags = bytes(lds.FILES[n][1] for n in sorted(groups, key=lambda n: int(n[2:])))
    com = tlv.encode(
        0x60, tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, tags)
    )
    files = {"COM": com, **groups, "SOD": build_sod(pki, groups)}
    card_access = tlv.encode(0x31, pace_info(pace_oid, pace_param)) if pace else None
    extra: dict[str, object] = {"ca_key": ca_key} if ca_key else {}
    if can and pace:
        extra["can"] = can
    return PassportImage(mrz, files, card_access, aa_key, extra)


def save_csca(pki: TestPKI, path: str | Path) -> Path:
    p = Path(path)
    p.write_bytes(pki.csca_pem())
    return p
