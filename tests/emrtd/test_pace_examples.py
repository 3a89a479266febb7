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


def _h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def test_appendix_g2_dh_generic_mapping() -> None:
    """ICAO 9303-11 Appendix G.2: nonce, mapping h and g~, shared secret, keys and tokens (DH, RFC 5114)."""
    oid = "0.4.0.127.0.7.2.2.4.1.2"
    group = pace.Group(0)
    k_pi = _h("89DED1B2 6624EC1E 634C1989 302849DD")
    nonce = pace.crypt_nonce(k_pi, _h("854D8DF5 827FA685 2D1A4FA7 01CDDDCA"), "AES", decrypt=True)
    assert nonce == _h("FA5B7E3E 49753A0D B9178B7B 9BD898C8")

    t_map = int("5265030F751F4AD18B08AC565FC7AC952E41618D", 16)
    assert group.encode(group.mul(t_map, group.generator))[:8] == _h("23FB3749 EA030D2A")
    chip_map = group.decode(
        _h(
            "78879F57 225AA808 0D52ED0F C890A4B2 5336F699 AA89A2D3 A189654A F70729E6 23EA5738 B26381E4"
            "DA19E004 706FACE7 B235C2DB F2F38748 312F3C98 C2DD4882 A41947B3 24AA1259 AC22579D B93F7085"
            "655AF308 89DBB845 D9E6783F E42C9F24 49400306 254C8AE8 EE9DD812 A804C0B6 6E8CAFC1 4F84D825"
            "8950A91B 44126EE6"
        )
    )
    h = group.mul(t_map, chip_map)
    assert group.encode(h)[:16] == _h("5BABEBEF 5B74E5BA 94B5C063 FDA15F1F")
    mapped = pace.generic_map(group, nonce, h)
    assert group.encode(mapped)[-16:] == _h("2D401325 B37EE856 5FFCDEE6 18342DC5")

    t_eph = int("89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA", 16)
    chip_eph = group.decode(
        _h(
            "075693D9 AE941877 573E634B 6E644F8E 60AF17A0 076B8B12 3D920107 4D36152B D8B3A213 F53820C4"
            "2ADC79AB 5D0AEEC3 AEFB9139 4DA476BD 97B9B14D 0A65C1FC 71A0E019 CB08AF55 E1F72900 5FBA7E3F"
            "A5DC4189 9238A250 767A6D46 DB974064 386CD456 743585F8 E5D90CC8 B4004B1F 6D866C79 CE0584E4"
            "9687FF61 BC29AEA1"
        )
    )
    secret = group.shared_secret(group.mul(t_eph, chip_eph))
    assert secret[:16] == _h("6BABC7B3 A72BCD7E A385E4C6 2DB2625B")
    from devices.emrtd import crypto

    ks_mac = crypto.kdf(secret, 2, "AES", 128)
    assert crypto.kdf(secret, 1, "AES", 128) == _h("2F7F46AD CC9E7E52 1B45D192 FAFA9126")
    assert ks_mac == _h("805A1D27 D45A5116 F73C5446 9462B7D8")
    assert pace.auth_token(ks_mac, "AES", pace.public_key_data(oid, group, chip_eph)) == _h(
        "B46DD9BD 4D98381F"
    )
    term_eph = group.mul(t_eph, mapped)
    assert pace.auth_token(ks_mac, "AES", pace.public_key_data(oid, group, term_eph)) == _h(
        "917F37B5 C0E6D8D1"
    )


def test_appendix_h1_ecdh_integrated_mapping() -> None:
    """ICAO 9303-11 Appendix H.1: pseudo-random mapping, point encoding, keys and tokens (brainpoolP256r1)."""
    oid = "0.4.0.127.0.7.2.2.4.4.2"
    group = pace.Group(13)
    k_pi = _h("591468CD A83D6521 9CCCB856 0233600F")
    s = pace.crypt_nonce(k_pi, _h("143DC40C 08C8E891 FBED7DED B92B64AD"), "AES", decrypt=True)
    assert s == _h("2923BE84 E16CD6AE 529049F1 F1BBE9EB")
    t = _h("5DD4CBFC 96F5453B 130D890A 1CDBAE32")
    r = pace.pseudo_random(s, t, 256)
    assert r.to_bytes(48, "big") == _h(
        "E4447E2D FB3586BA C05DDB00 156B57FB B2179A39 49294C97 25418980 0C517BAA"
        "8DA0FF39 7ED8C445 D3E421E4 FEB57322"
    )
    mapped = pace.integrated_map(group, s, t)
    assert group.encode(mapped) == _h(
        "04 8E82D315 59ED0FDE 92A4D049 8ADD3C23 BABA94FB 77691E31 E90AEA77 FB17D427"
        "4C1AE14B D0C3DBAC 0C871B7F 36081693 64437CA3 0AC243A0 89D3F266 C1E60FAD"
    )
    t_eph = int("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595", 16)
    term = group.mul(t_eph, mapped)
    assert group.encode(term)[:9] == _h("04 89CBA23F FE96AA18")
    chip = group.decode(
        _h(
            "04 67F78E5F 7F768608 2B293E8D 087E0569 16D0F74B C01A5F89 57D0DE45 691E51E8"
            "932B69A9 62B52A09 85AD2C0A 271EE6A1 3A8ADDDC D1A3A994 B9DED257 F4D22753"
        )
    )
    secret = group.shared_secret(group.mul(t_eph, chip))
    assert secret == _h("4F150FDE 1D4F0E38 E95017B8 91BAE171 33A0DF45 B0D3E18B 60BA7BEA FDC2C713")
    from devices.emrtd import crypto

    ks_mac = crypto.kdf(secret, 2, "AES", 128)
    assert crypto.kdf(secret, 1, "AES", 128) == _h("0D3FEB33 251A6370 893D62AE 8DAAF51B")
    assert ks_mac == _h("B01E89E3 D9E8719E 586B50B4 A7506E0B")
    assert pace.auth_token(ks_mac, "AES", pace.public_key_data(oid, group, chip)) == _h(
        "450F02B8 6F6A0909"
    )
    assert pace.auth_token(ks_mac, "AES", pace.public_key_data(oid, group, term)) == _h(
        "75D4D96E 8D5B0308"
    )


def test_appendix_h2_dh_integrated_mapping() -> None:
    """ICAO 9303-11 Appendix H.2: R(s,t), f_g, K, KS and both tokens (DH, RFC 5114 group)."""
    from devices.emrtd import crypto

    oid = "0.4.0.127.0.7.2.2.4.3.2"
    group = pace.Group(0)
    s = pace.crypt_nonce(
        _h("591468CD A83D6521 9CCCB856 0233600F"),
        _h("9ABB8864 CA0FF155 1E620D1E F4E13510"),
        "AES",
        decrypt=True,
    )
    assert s == _h("FA5B7E3E 49753A0D B9178B7B 9BD898C8")
    t = _h("B3A6DB3C 870C3E99 245E0D1C 06B747DE")
    r = pace.pseudo_random(s, t, 1024)
    assert r.to_bytes(144, "big")[:16] == _h("EAB98D13 E0905295 2AA72990 7C3C9461")
    assert r.to_bytes(144, "big")[-16:] == _h("0FC18725 8995944C 0F926E24 9373F485")
    mapped = pace.integrated_map(group, s, t)
    assert group.encode(mapped)[:16] == _h("1D7D767F 11E333BC D6DBAEF4 0E799E7A")
    assert group.encode(mapped)[-12:] == _h("B633D517 EC25D4E0 BBAA16C2")

    t_eph = int(
        "4BD0E54740F9A028E6A515BFDAF967848C4F5F5FFF65AA0915947FFD1A0DF2FA6981271BC905F3551457B7E03AC3B806"
        "6DE4AA406C1171FB43DD939C4BA16175103BA3DEE16419AA248118F90CC36A3D6F4C373652E0C3CCE7F0F1D0C5425B36"
        "00F0F0D6A67F004C8BBA33F2B4733C7252445C1DFC4F1107203F71D2EFB28161",
        16,
    )
    chip = group.decode(
        _h(
            "928D9A0F 9DBA450F 13FC859C 6F290D1D 36E42431 138A4378 500BEB4E 0401854C FF111F71 CB6DC1D0"
            "335807A1 1388CC8E AA87B079 07AAD9FB A6B169AF 6D8C26AF 8DDDC39A DC3AD2E3 FF882B84 D23E9768"
            "E95A80E4 746FB07A 9767679F E92133B4 D379935C 771BD7FB ED6C7BB4 B1708B27 5EA75679 524CDC9C"
            "6A91370C C662A2F3"
        )
    )
    secret = group.shared_secret(group.mul(t_eph, chip))
    assert secret[:16] == _h("419410D6 C0A17A4C 07C54872 CE1CBCEB")
    ks_mac = crypto.kdf(secret, 2, "AES", 128)
    assert crypto.kdf(secret, 1, "AES", 128) == _h("01AFC10C F87BE36D 8179E873 70171F07")
    assert ks_mac == _h("23F0FBD0 5FD6C7B8 B88F4C83 09669061")
    assert pace.auth_token(ks_mac, "AES", pace.public_key_data(oid, group, chip)) == _h(
        "55D61977 CBF5307E"
    )
    term = group.mul(t_eph, mapped)
    assert group.encode(term)[:8] == _h("0F0CC629 45A80292")
    assert pace.auth_token(ks_mac, "AES", pace.public_key_data(oid, group, term)) == _h(
        "C2F04230 187E1525"
    )
