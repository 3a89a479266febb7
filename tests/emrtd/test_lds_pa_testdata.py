"""LDS parsing and Passive Authentication on published data: the BSI 2008 test passport and the German master list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devices.emrtd import lds, pa, pki, tlv
from devices.emrtd.errors import TLVError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "emrtd"
BSI = DATA / "bsi2008"
IN_2008 = dt.datetime(2008, 6, 1, tzinfo=dt.UTC)

pytestmark = pytest.mark.skipif(not BSI.is_dir(), reason="shared test data not present")


def _read(name: str) -> bytes:
    return (BSI / name).read_bytes()


def _groups() -> dict[str, bytes]:
    return {
        "DG1": _read("Datagroup1.bin"),
        "DG2": _read("Datagroup2.bin"),
        "DG3": _read("Datagroup3.bin"),
        "DG14": _read("Datagroup14.bin"),
    }


def test_bsi_com_and_dg1() -> None:
    com = lds.parse_com(_read("EF_COM.bin"))
    assert com.data_groups == ["DG1", "DG2", "DG3", "DG14"]
    fields = lds.mrz_fields(lds.parse_dg1(_read("Datagroup1.bin")))
    assert fields["surname"] == "MUSTERMANN" and fields["given_names"] == "ERIKA"
    assert (fields["document_number"], fields["birth"], fields["expiry"]) == (
        "C11T002JM",
        "960812",
        "131031",
    )


def test_bsi_dg2_jpeg2000_face_decodes() -> None:
    faces = lds.parse_dg2(_read("Datagroup2.bin"))
    assert len(faces) == 1 and faces[0].format == "jp2"
    img = lds.decode_face(faces[0])
    assert img.ndim == 3 and img.shape[0] > 300 and img.shape[1] > 300
    assert img.std() > 10  # a real picture, not a blank


def test_bsi_dg14_dg15_and_other_groups_parse() -> None:
    infos = lds.parse_security_infos(_read("Datagroup14.bin"))
    assert any(i.oid.startswith(lds.OID_CA) for i in infos)
    assert lds.parse_dg15(_read("Datagroup15.bin"))[:1] == b"\x30"
    for name in ("Datagroup3.bin", "Datagroup4.bin"):
        data = _read(name)
        assert tlv.header_length(data) == len(data)


def test_bsi_sod_signature_and_hashes_then_no_trust_anchor() -> None:
    result = pa.passive_authentication(_read("EF_SOD.bin"), _groups(), pki.TrustStore(), IN_2008)
    # Reaching csca_lookup means hashes and the brainpool (explicit-parameter) DS signature verified.
    assert result.status == "no_trust_anchor" and result.step == "csca_lookup"
    assert result.checked_groups == ["DG1", "DG14", "DG2", "DG3"]


def test_bsi_tampered_dg_is_invalid() -> None:
    groups = _groups()
    groups["DG1"] = groups["DG1"].replace(b"ERIKA", b"ERIKO")
    result = pa.passive_authentication(_read("EF_SOD.bin"), groups, None, IN_2008)
    assert (result.status, result.step) == ("invalid", "hash_DG1")


def test_bsi_tampered_signature_is_invalid() -> None:
    sod = bytearray(_read("EF_SOD.bin"))
    sod[-5] ^= 0x01  # inside the ECDSA signature value
    result = pa.passive_authentication(bytes(sod), _groups(), None, IN_2008)
    assert result.status == "invalid" and result.step in ("sod_signature", "sod_format")


def test_bsi_expired_dsc_today_is_invalid() -> None:
    result = pa.passive_authentication(_read("EF_SOD.bin"), _groups(), None)
    assert (result.status, result.step) == ("invalid", "dsc_validity")


def test_malformed_sod_is_a_clear_result() -> None:
    result = pa.passive_authentication(b"\x77\x05\x30\x03\x02\x01", _groups(), None)
    assert result.status == "invalid" and result.step == "sod_format"
    with pytest.raises(TLVError):
        tlv.decode(b"\x77\x85\x01")


def test_german_master_list_verifies_and_loads() -> None:
    store = pki.TrustStore()
    count = store.add_master_list((DATA / "DE_masterlist.ml").read_bytes())
    assert count == 588 and len(store.cscas) > 500
    countries = {c.subject.native.get("country_name") for c in store.cscas}
    assert len(countries) > 100


def test_master_list_with_broken_signature_is_refused() -> None:
    blob = bytearray((DATA / "DE_masterlist.ml").read_bytes())
    blob[len(blob) // 2] ^= 0x01  # inside the certificate list: digest no longer matches
    with pytest.raises(pki.PKIError):
        pki.TrustStore().add_master_list(bytes(blob))


@pytest.mark.slow
def test_explicit_parameter_cscas_self_signatures_verify() -> None:
    """Brainpool CSCAs with explicit domain parameters load and verify (pyca refuses them)."""
    store = pki.TrustStore()
    store.add_master_list((DATA / "DE_masterlist.ml").read_bytes())
    explicit = [
        c
        for c in store.cscas
        if c.public_key.algorithm == "ec"
        and c.public_key["algorithm"]["parameters"].name == "specified"
        and c.self_signed == "maybe"
        and c.subject.native.get("country_name") == "DE"
    ]
    assert explicit, "the German list carries explicit-parameter CSCAs"
    assert all(pki.verify_cert_signature(c, c) for c in explicit[:6])
