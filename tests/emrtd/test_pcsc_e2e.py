"""End to end through the real PC/SC stack: pyscard -> pcscd -> vpcd driver -> TCP -> simulated chip."""

from __future__ import annotations

import datetime as dt

import pytest

from devices.emrtd import service
from devices.emrtd.bac import MRZKey
from devices.emrtd.errors import AccessDeniedError, CardRemovedError
from devices.emrtd.pki import TrustStore
from devices.emrtd.reader import PassportReader, ReadOptions
from devices.simulated.epassport.chip import ChipOptions
from devices.simulated.epassport.vpcd import Removal


def test_pace_read_with_aes_sm_pa_valid_and_rsa_aa(serve_card, passport_pace, trust) -> None:
    card, transport = serve_card(passport_pace)
    report, face = service.read_passport(
        transport,
        passport_pace.key(),
        trust=trust,
        printed_mrz=passport_pace.mrz[:44] + "\n" + passport_pace.mrz[44:],
    )
    assert report["access"] == "PACE"
    assert card.chip.sm is not None and card.chip.sm.cipher == "AES"
    assert report["dg1"]["document_number"] == "L898902C3" and report["dg1_matches_mrz"] is True
    assert set(report["files"]) == {"COM", "SOD", "DG1", "DG2", "DG11", "DG12", "DG14", "DG15"}
    assert report["passive_auth"]["status"] == "valid"
    assert report["active_auth"] == "passed"
    assert report["face"]["format"] == "jpeg" and face.shape[:2] == (525, 420)
    assert len(passport_pace.files["DG2"]) > 14000


def test_bac_read_with_3des_sm_and_ecdsa_aa(serve_card, passport_bac, trust) -> None:
    card, transport = serve_card(passport_bac)
    report, _ = service.read_passport(transport, passport_bac.key(), trust=trust)
    assert report["access"] == "BAC"
    assert card.chip.sm is not None and card.chip.sm.cipher == "3DES"
    assert report["dg1"]["surname"] == "TANAKA"
    assert report["passive_auth"]["status"] == "valid"
    assert report["active_auth"] == "passed"


def test_full_read_apdu_count_is_near_minimum(serve_card, passport_pace, trust) -> None:
    """With extended length, each file costs one SELECT and one READ BINARY."""
    _card, transport = serve_card(passport_pace)
    report, _ = service.read_passport(transport, passport_pace.key(), trust=trust)
    # PACE: select+read CardAccess, MSE, 4 GA; select AID; 8 files x (select+read); CA (MSE+GA); AA.
    assert report["apdus"] == 2 + 5 + 1 + 16 + 2 + 1
    assert report["chip_auth"] == "passed"  # timing targets live in bench/chip_read.py


def test_unknown_csca_gives_no_trust_anchor(serve_card, passport_pace) -> None:
    _card, transport = serve_card(passport_pace)
    report, _ = service.read_passport(
        transport, passport_pace.key(), trust=TrustStore(), want_face=False
    )
    assert report["passive_auth"]["status"] == "no_trust_anchor"


def test_tampered_data_group_is_invalid(serve_card, passport_pace, trust) -> None:
    from dataclasses import replace

    files = dict(passport_pace.files)
    files["DG11"] = files["DG11"].replace(b"ZENITH", b"NADIRS")
    _card, transport = serve_card(replace(passport_pace, files=files))
    report, _ = service.read_passport(transport, passport_pace.key(), trust=trust, want_face=False)
    assert report["passive_auth"]["status"] == "invalid"
    assert report["passive_auth"]["step"] == "hash_DG11"


def test_validation_time_is_injectable(serve_card, passport_pace, trust) -> None:
    _card, transport = serve_card(passport_pace)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=800)  # the DSC is valid for 365 days
    report, _ = service.read_passport(
        transport, passport_pace.key(), trust=trust, at=later, want_face=False
    )
    assert (
        report["passive_auth"]["status"] == "invalid"
        and report["passive_auth"]["step"] == "dsc_validity"
    )


@pytest.mark.parametrize("pace", [True, False], ids=["pace", "bac"])
def test_wrong_mrz_key_is_a_clear_error(serve_card, passport_pace, pace) -> None:
    _card, transport = serve_card(passport_pace, ChipOptions(pace=pace))
    wrong = MRZKey("L898902C3", "740812", "340416")
    with pytest.raises(AccessDeniedError, match=r"wrong|PACE"):
        PassportReader(transport, wrong).read()


def test_unauthenticated_and_forged_commands_are_refused(serve_card, passport_pace) -> None:
    """The chip is strict: no reads before access control, a bad MAC ends the session."""
    from devices.emrtd.apdu import CommandAPDU, ResponseAPDU

    card, transport = serve_card(passport_pace, ChipOptions(pace=False))
    send = lambda cmd: ResponseAPDU.from_bytes(transport.transmit(cmd.to_bytes()))  # noqa: E731
    assert send(CommandAPDU(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001"))).sw == 0x9000
    assert send(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("0101"))).sw == 0x6982
    reader = PassportReader(transport, passport_pace.key())
    reader.authenticate()
    wrapped = reader.sm.protect_command(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("0101")))
    forged = bytearray(wrapped.to_bytes())
    forged[-3] ^= 0x01  # last MAC byte
    assert ResponseAPDU.from_bytes(transport.transmit(bytes(forged))).sw == 0x6988
    assert card.chip.sm is None  # session aborted: the reader must authenticate again
    reader.sm.ssc += 1
    replay = reader.sm.protect_command(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("0101")))
    assert ResponseAPDU.from_bytes(transport.transmit(replay.to_bytes())).sw == 0x6987


def test_card_pulled_mid_read_resumes_from_offset(serve_card, passport_pace, trust) -> None:
    card, transport = serve_card(
        passport_pace, ChipOptions(max_read=1024), Removal(during_file="DG2", away_s=0.4)
    )
    report, _ = service.read_passport(
        transport,
        passport_pace.key(),
        trust=trust,
        want_face=False,
        options=ReadOptions(reinsert_timeout=8),
    )
    assert card.removals == 1 and report["recoveries"] == 1
    assert report["passive_auth"]["status"] == "valid"
    dg2 = [offset for name, offset, _ne in card.chip.reads if name == "DG2"]
    lost = dg2[1]  # the answer the card never delivered
    assert lost > 0 and dg2[2] == lost  # after re-insertion and PACE: same offset, not from 0
    assert dg2.count(0) == 1


def test_card_pulled_and_not_returned_is_a_clear_error(serve_card, passport_pace) -> None:
    _card, transport = serve_card(
        passport_pace, ChipOptions(max_read=1024), Removal(during_file="DG2", away_s=30)
    )
    reader = PassportReader(transport, passport_pace.key(), ReadOptions(reinsert_timeout=1.5))
    with pytest.raises(CardRemovedError, match="taken off the reader"):
        reader.read()


def test_chip_without_extended_length_falls_back_to_short_reads(
    serve_card, passport_pace, trust
) -> None:
    card, transport = serve_card(passport_pace, ChipOptions(max_read=223, extended_length=False))
    report, _ = service.read_passport(transport, passport_pace.key(), trust=trust, want_face=False)
    assert report["passive_auth"]["status"] == "valid" and report["active_auth"] == "passed"
    assert report["read_size"] == 223
    assert max(ne for _n, _o, ne in card.chip.reads) <= 223


def test_chip_answering_6cxx_gets_the_exact_length(serve_card, passport_bac, trust) -> None:
    _card, transport = serve_card(passport_bac, ChipOptions(max_read=0x80, refusal="6C"))
    report, _ = service.read_passport(transport, passport_bac.key(), trust=trust, want_face=False)
    assert report["passive_auth"]["status"] == "valid"
    assert report["read_size"] == 0x80


@pytest.mark.parametrize(
    ("oid", "param", "cipher"),
    [
        ("0.4.0.127.0.7.2.2.4.1.2", 0, "AES"),  # DH GM, RFC 5114 1024-bit group
        ("0.4.0.127.0.7.2.2.4.2.1", 12, "3DES"),  # ECDH GM on NIST P-256 with 3DES SM
        ("0.4.0.127.0.7.2.2.4.2.4", 16, "AES"),  # ECDH GM on brainpoolP384r1, AES-256
        ("0.4.0.127.0.7.2.2.4.3.2", 0, "AES"),  # DH Integrated Mapping
    ],
    ids=["dh-aes128", "ecdh-p256-3des", "ecdh-bp384-aes256", "dh-im-aes128"],
)
def test_pace_variants_through_pcscd(serve_card, test_pki, trust, oid, param, cipher) -> None:
    from devices.simulated.epassport.generator import make_passport

    passport = make_passport(
        test_pki, aa_kind=None, pace_oid=oid, pace_param=param, face_bytes=3000, chip_auth=False
    )
    card, transport = serve_card(passport)
    report, _ = service.read_passport(transport, passport.key(), trust=trust, want_face=False)
    assert report["access"] == "PACE" and card.chip.sm.cipher == cipher
    assert report["passive_auth"]["status"] == "valid"
    assert report["active_auth"] == "not_supported"


def test_stalled_chip_is_a_timeout_not_a_hang(pcscd, passport_pace, wait_reader) -> None:
    from devices.emrtd.errors import ChipTimeoutError
    from devices.emrtd.pcsc import PcscTransport
    from devices.simulated.epassport.chip import EPassportChip
    from devices.simulated.epassport.vpcd import VirtualCard

    card = VirtualCard(EPassportChip(passport_pace), port=pcscd, stall_after=12).start()
    transport = PcscTransport("Virtual PCD 00 00", apdu_timeout=2.0)
    try:
        assert transport.wait_for_card(5)
        with pytest.raises(ChipTimeoutError, match="did not answer"):
            PassportReader(transport, passport_pace.key()).read()
    finally:
        card.stop()  # closing the socket releases the driver's blocked exchange
        transport.close()
    wait_reader(False)


def test_malformed_file_is_a_clear_error(serve_card, passport_pace) -> None:
    from dataclasses import replace

    from devices.emrtd.errors import EmrtdError

    files = dict(passport_pace.files)
    files["COM"] = b"\x60\x82\x00\x05\x5f\x01"  # says 5 bytes, holds 2
    _card, transport = serve_card(replace(passport_pace, files=files))
    with pytest.raises(EmrtdError):
        service.read_passport(transport, passport_pace.key(), want_face=False)


def test_pace_integrated_mapping_through_pcscd(serve_card, test_pki, trust) -> None:
    from devices.simulated.epassport.generator import make_passport

    passport = make_passport(
        test_pki, aa_kind=None, pace_oid="0.4.0.127.0.7.2.2.4.4.2", pace_param=13, face_bytes=3000
    )
    card, transport = serve_card(passport)
    report, _ = service.read_passport(transport, passport.key(), trust=trust, want_face=False)
    assert report["access"] == "PACE" and card.chip.sm.cipher == "AES"
    assert report["passive_auth"]["status"] == "valid"


def test_chip_authentication_restarts_sm_and_catches_a_clone(
    serve_card, passport_pace, wait_reader
) -> None:
    from devices.emrtd.ca import ChipAuthenticationError

    card, transport = serve_card(passport_pace)
    reader = PassportReader(transport, passport_pace.key())
    chip = reader.read()
    assert chip.chip_auth == "passed"
    assert (
        card.chip.sm.ks_enc == reader.sm.ks_enc and reader.sm.ssc > 0
    )  # CA keys in use on both sides
    transport.close()
    card.stop()
    wait_reader(False)

    _clone, transport = serve_card(passport_pace, ChipOptions(clone=True))
    with pytest.raises(ChipAuthenticationError, match="clone"):
        PassportReader(transport, passport_pace.key()).read()


def test_chip_authentication_3des_via_mse_set_kat(serve_card, test_pki, trust) -> None:
    from devices.simulated.epassport.generator import make_passport

    passport = make_passport(
        test_pki, aa_kind=None, pace=False, ca_oid="0.4.0.127.0.7.2.2.3.2.1", face_bytes=3000
    )
    card, transport = serve_card(passport)
    report, _ = service.read_passport(transport, passport.key(), trust=trust, want_face=False)
    assert report["access"] == "BAC" and report["chip_auth"] == "passed"
    assert card.chip.sm.cipher == "3DES"
    assert report["passive_auth"]["status"] == "valid"


@pytest.mark.parametrize("short", [False, True], ids=["extended", "short"])
def test_file_over_32k_is_read_with_odd_ins(serve_card, test_pki, trust, short) -> None:
    from devices.simulated.epassport.generator import make_passport

    passport = make_passport(test_pki, aa_kind=None, face_bytes=45000, chip_auth=False)
    assert len(passport.files["DG2"]) > 0x7FFF
    options = (
        ChipOptions(max_read=223, extended_length=False) if short else ChipOptions(max_read=4096)
    )
    card, transport = serve_card(passport, options)
    report, face = service.read_passport(transport, passport.key(), trust=trust)
    assert report["passive_auth"]["status"] == "valid"  # DG2 hash matches: every byte arrived
    assert face.shape[:2] == (525, 420)
    assert any(offset > 0x7FFF for name, offset, _ne in card.chip.reads if name == "DG2")


def test_card_presence_events(serve_card, passport_pace) -> None:
    """events() reports the card in the field, its removal and its return."""
    card, transport = serve_card(passport_pace, removal=Removal(after_apdus=1, away_s=1.0))
    stream = transport.events(timeout=8)
    assert next(stream) == "inserted"
    transport.connect()
    with pytest.raises(CardRemovedError):
        for _ in range(3):  # the card leaves while answering the first APDU
            transport.transmit(bytes.fromhex("00A4040C07A0000002471001"))
    assert next(stream) == "removed"
    assert next(stream) == "inserted"
    assert card.removals == 1
