"""ICAO 9303-11 Appendix G.1 (PACE Generic Mapping, ECDH, brainpoolP256r1, AES-128) replayed APDU by APDU."""

from __future__ import annotations

import pytest

from devices.emrtd import lds, pace
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.bac import MRZKey
from devices.emrtd.errors import AccessDeniedError

H = bytes.fromhex
CARD_ACCESS = H("31143012060A04007F0007020204020202010202010D")
TRANSCRIPT = [
    ("0022C1A40F800A04007F00070202040202830101", "9000"),
    ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
    (
        "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
        "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
        "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9"
        "C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
    ),
    (
        "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
        "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
        "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2"
        "EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
    ),
    ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
]
SCALARS = [
    int("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99", 16),
    int("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595", 16),
]


def _replay(responses_override: dict[int, str] | None = None):
    steps = iter(enumerate(TRANSCRIPT))

    def send(cmd: CommandAPDU) -> ResponseAPDU:
        i, (expected_cmd, answer) = next(steps)
        assert cmd.to_bytes() == H(expected_cmd), f"APDU {i} differs from the ICAO example"
        return ResponseAPDU.from_bytes(H((responses_override or {}).get(i, answer)))

    return send


def test_choose_from_card_access() -> None:
    choice = pace.choose(lds.parse_security_infos(CARD_ACCESS))
    assert choice is not None
    assert (choice.mapping, choice.cipher, choice.key_bits, choice.param_id) == (
        "ECDH",
        "AES",
        128,
        13,
    )


def test_nonce_decryption() -> None:
    k_pi = pace.password_key(
        pace.mrz_password(MRZKey("T22000129", "640812", "101031").mrz_information()), "AES", 128
    )
    assert k_pi == H("89DED1B26624EC1E634C1989302849DD")
    nonce = pace.crypt_nonce(k_pi, H("95A3A016522EE98D01E76CB6B98B42C3"), "AES", decrypt=True)
    assert nonce == H("3F00C4D39D153F2B2A214A078D899B22")


def test_generic_mapping_point() -> None:
    group = pace.Group(13)
    shared = group.decode(
        H(
            "0460332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
            "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181"
        )
    )
    mapped = pace.generic_map(group, H("3F00C4D39D153F2B2A214A078D899B22"), shared)
    assert group.encode(mapped) == H(
        "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
        "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
    )


def test_full_pace_gm_ecdh_transcript() -> None:
    choice = pace.choose(lds.parse_security_infos(CARD_ACCESS))
    password = pace.mrz_password(MRZKey("T22000129", "640812", "101031").mrz_information())
    scalars = iter(SCALARS)
    sm = pace.perform_pace(_replay(), choice, password, scalars=lambda g: next(scalars))
    assert sm.ks_enc == H("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert sm.ks_mac == H("FE251C7858B356B24514B3BD5F4297D1")
    assert sm.ssc == 0 and sm.cipher == "AES"


def test_pace_with_a_forged_chip_token_is_refused() -> None:
    choice = pace.choose(lds.parse_security_infos(CARD_ACCESS))
    password = pace.mrz_password(MRZKey("T22000129", "640812", "101031").mrz_information())
    scalars = iter(SCALARS)
    with pytest.raises(AccessDeniedError, match="token"):
        pace.perform_pace(
            _replay({4: "7C0A86083ABB9674BCE93C099000"}),
            choice,
            password,
            scalars=lambda g: next(scalars),
        )


def test_dh_group_is_rfc5114_and_maps() -> None:
    group = pace.Group(0)
    assert pow(group.g, group.order, group.p) == 1
    a, b = group.random_scalar(), group.random_scalar()
    pa_, pb = group.mul(a, group.generator), group.mul(b, group.generator)
    assert group.mul(a, pb) == group.mul(b, pa_)
    mapped = pace.generic_map(group, b"\x01" * 16, group.mul(a, pb))
    assert group.decode(group.encode(mapped)) == mapped
