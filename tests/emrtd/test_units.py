"""Layer tests without a reader: CRLs in Passive Authentication, DG2 containers, TD1 keys, AA signatures, TLV/APDU edges."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from devices.emrtd import aa, lds, pa, pki, tlv
from devices.emrtd.apdu import CommandAPDU
from devices.emrtd.bac import MRZKey
from devices.emrtd.errors import TLVError


def _store(test_pki) -> pki.TrustStore:
    store = pki.TrustStore()
    store.add_certificate(a_x509.Certificate.load(test_pki.csca_cert.public_bytes(Encoding.DER)))
    return store


def _crl(test_pki, key, serials: list[int]) -> bytes:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(test_pki.csca_cert.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=1))
    )
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build()
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)


def _groups(passport) -> dict[str, bytes]:
    return {n: d for n, d in passport.files.items() if n.startswith("DG")}


def test_crl_revoking_the_dsc_makes_pa_invalid(test_pki, passport_pace) -> None:
    store = _store(test_pki)
    assert (
        pa.passive_authentication(passport_pace.files["SOD"], _groups(passport_pace), store).status
        == "valid"
    )
    store.add_crl(_crl(test_pki, test_pki.csca_key, [12345]))
    assert (
        pa.passive_authentication(passport_pace.files["SOD"], _groups(passport_pace), store).status
        == "valid"
    )
    store.add_crl(_crl(test_pki, test_pki.csca_key, [test_pki.dsc_cert.serial_number]))
    result = pa.passive_authentication(passport_pace.files["SOD"], _groups(passport_pace), store)
    assert (result.status, result.step) == ("invalid", "dsc_revoked")


def test_crl_with_a_forged_signature_is_ignored(test_pki, passport_pace) -> None:
    store = _store(test_pki)
    forger = ec.generate_private_key(ec.SECP256R1())
    store.add_crl(_crl(test_pki, forger, [test_pki.dsc_cert.serial_number]))
    assert (
        pa.passive_authentication(passport_pace.files["SOD"], _groups(passport_pace), store).status
        == "valid"
    )


def test_csca_with_same_name_but_other_key_does_not_validate(test_pki, passport_pace) -> None:
    from devices.simulated.epassport.generator import TestPKI

    impostor = TestPKI.create()  # same subject names, different keys
    store = pki.TrustStore()
    store.add_certificate(a_x509.Certificate.load(impostor.csca_cert.public_bytes(Encoding.DER)))
    result = pa.passive_authentication(passport_pace.files["SOD"], _groups(passport_pace), store)
    assert result.status in ("invalid", "no_trust_anchor")
    assert result.status != "valid"


def test_dg2_39794_5_container_with_jpeg2000() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 160), (180, 140, 120)).save(buf, "JPEG2000")
    jp2 = buf.getvalue()
    bdb = tlv.encode(0xA1, tlv.encode(0x80, b"\x01") + tlv.encode(0xA2, tlv.encode(0x80, jp2)))
    bit = tlv.encode(
        0x7F60, tlv.encode(0xA1, tlv.encode(0x80, b"\x01\x01")) + tlv.encode(0x7F2E, bdb)
    )
    dg2 = tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + bit))
    [face] = lds.parse_dg2(dg2)
    assert (face.format, face.container) == ("jp2", "39794-5") and face.data == jp2
    img = lds.decode_face(face)
    assert img.shape == (160, 120, 3) and (face.width, face.height) == (120, 160)


def test_dg2_without_image_is_a_tlv_error() -> None:
    with pytest.raises(TLVError):
        lds.parse_dg2(tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x00"))))


def test_td1_mrz_key_and_dg1_fields() -> None:
    lines = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ]
    key = MRZKey.from_mrz("\n".join(lines))
    assert key.mrz_information() == "D23145890774081221204159"
    fields = lds.mrz_fields("".join(lines))
    assert (fields["document_number"], fields["surname"], fields["given_names"]) == (
        "D23145890",
        "ERIKSSON",
        "ANNA MARIA",
    )


def test_aa_rsa_9796_2_roundtrip_and_tamper() -> None:
    key = rsa.generate_private_key(65537, 1024)
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    challenge = bytes(range(8))
    sig = aa.sign_rsa_9796_2(key, challenge)
    assert aa.verify_response(spki, challenge, sig, None)
    assert not aa.verify_response(spki, bytes(8), sig, None)
    assert not aa.verify_response(spki, challenge, bytes([sig[0] ^ 1]) + sig[1:], None)


def test_aa_ecdsa_plain_and_der() -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    key = ec.generate_private_key(ec.BrainpoolP256R1())
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    challenge = b"\x11" * 8
    plain = aa.sign_ecdsa_plain(key, challenge, "sha256")
    assert len(plain) == 64 and aa.verify_response(spki, challenge, plain, "sha256")
    der = encode_dss_signature(int.from_bytes(plain[:32], "big"), int.from_bytes(plain[32:], "big"))
    assert aa.verify_response(spki, challenge, der, "sha256")
    assert not aa.verify_response(spki, b"\x12" * 8, plain, "sha256")


@pytest.mark.parametrize(
    "raw",
    [
        "00A4040C07A0000002471001",
        "00B0000000",
        "00B00000000800",
        "00B1000004540200FF00",
        "0084000008",
    ],
)
def test_apdu_parse_serialise_roundtrip(raw: str) -> None:
    cmd = CommandAPDU.parse(bytes.fromhex(raw))
    assert cmd.to_bytes() == bytes.fromhex(raw)


def test_tlv_long_forms_and_errors() -> None:
    value = bytes(300)
    encoded = tlv.encode(0x5F1F, value)
    assert encoded[:5] == bytes.fromhex("5F1F82012C")
    assert tlv.decode(encoded).value == value and tlv.header_length(encoded) == len(encoded)
    assert tlv.decode_oid(tlv.encode_oid("0.4.0.127.0.7.2.2.4.2.2")) == "0.4.0.127.0.7.2.2.4.2.2"
    for bad in ("5F", "6180", "61850100000000", "61050102"):
        with pytest.raises(TLVError):
            tlv.decode(bytes.fromhex(bad))


def test_direct_transport_reads_without_pcscd(test_pki, passport_pace) -> None:
    """The same reader and verification over an in-process transport (for booth tests without PC/SC)."""
    from devices.emrtd import service
    from devices.simulated.epassport.chip import EPassportChip
    from devices.simulated.epassport.direct import DirectTransport

    transport = DirectTransport(EPassportChip(passport_pace))
    report, face = service.read_passport(transport, passport_pace.key(), trust=_store(test_pki))
    assert report["access"] == "PACE" and report["passive_auth"]["status"] == "valid"
    assert report["active_auth"] == "passed" and report["chip_auth"] == "passed"
    assert face is not None and transport.apdus == report["apdus"]


def test_reader_capability_caps_the_read_size(test_pki, passport_pace) -> None:
    """A reader that reports a short maximum message never gets an extended APDU."""
    from devices.emrtd.reader import PassportReader
    from devices.simulated.epassport.chip import ChipOptions, EPassportChip
    from devices.simulated.epassport.direct import DirectTransport

    chip = EPassportChip(passport_pace, ChipOptions(extended_length=False))
    transport = DirectTransport(chip)
    transport.max_response = 261
    read = PassportReader(transport, passport_pace.key()).read()
    assert read.recoveries == 0 and read.chunk == 223
    assert max(ne for _n, _o, ne in chip.reads) <= 256


@pytest.mark.slow
def test_corrupted_files_give_a_report_or_a_typed_error(test_pki, passport_pace) -> None:
    """Random byte flips and truncations in every file: never an untyped exception."""
    import random
    from dataclasses import replace

    from devices.emrtd import service
    from devices.emrtd.errors import EmrtdError
    from devices.simulated.epassport.chip import EPassportChip
    from devices.simulated.epassport.direct import DirectTransport

    rng = random.Random(int(__import__("os").environ.get("FUZZ_SEED", "9303")))
    store = _store(test_pki)
    outcomes = {"report": 0, "error": 0}
    for name in sorted(passport_pace.files):
        for _ in range(int(__import__("os").environ.get("FUZZ_ROUNDS", "4"))):
            data = bytearray(passport_pace.files[name])
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 4)):
                    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            else:
                data = data[: rng.randrange(1, len(data))]
            if bytes(data) == passport_pace.files[name]:
                continue  # two flips of the same bit cancel out
            files = dict(passport_pace.files, **{name: bytes(data)})
            transport = DirectTransport(EPassportChip(replace(passport_pace, files=files)))
            try:
                report, _ = service.read_passport(transport, passport_pace.key(), trust=store)
            except EmrtdError:
                outcomes["error"] += 1
                continue
            outcomes["report"] += 1
            if name.startswith("DG"):
                assert report["passive_auth"]["status"] != "valid", f"corrupt {name} passed PA"
            elif name == "SOD" and report["passive_auth"]["status"] == "valid":
                # Only fields outside the signature may differ (versions, locators, algorithm sets).
                assert _signed_parts(bytes(data)) == _signed_parts(passport_pace.files["SOD"])
    assert outcomes["report"] > 0 and outcomes["error"] > 0


def _signed_parts(sod: bytes) -> tuple[bytes, ...]:
    parsed = pa.parse_sod(sod)
    signer = parsed.signer
    return (
        parsed.signed_data["encap_content_info"]["content"].contents,
        signer["signed_attrs"].dump(),
        signer["signature"].native,
        parsed.dsc["tbs_certificate"].dump(),
    )


def test_pace_with_the_card_access_number(test_pki, passport_pace) -> None:
    from devices.emrtd import service
    from devices.emrtd.errors import AccessDeniedError
    from devices.emrtd.pace import CardAccessNumber
    from devices.simulated.epassport.chip import ChipOptions, EPassportChip
    from devices.simulated.epassport.direct import DirectTransport

    report, _ = service.read_passport(
        DirectTransport(EPassportChip(passport_pace)),
        CardAccessNumber("123456"),
        trust=_store(test_pki),
        want_face=False,
    )
    assert report["access"] == "PACE" and report["passive_auth"]["status"] == "valid"
    assert report["dg1_matches_mrz"] is None  # nothing printed to compare with
    with pytest.raises(AccessDeniedError):
        service.read_passport(
            DirectTransport(EPassportChip(passport_pace)), CardAccessNumber("654321")
        )
    with pytest.raises(AccessDeniedError, match="only with PACE"):
        service.read_passport(
            DirectTransport(EPassportChip(passport_pace, ChipOptions(pace=False))),
            CardAccessNumber("123456"),
        )
