"""ICAO 9303-11 Appendix D worked examples: BAC keys, mutual authentication, Secure Messaging."""

from __future__ import annotations

import pytest

from devices.emrtd import bac, crypto
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import SecureMessagingError
from devices.emrtd.sm import SecureMessaging

H = bytes.fromhex
KEY = bac.MRZKey("L898902C", "690806", "940623")
RND_IC = H("4608F91988702212")
RND_IFD = H("781723860C06C226")
K_IFD = H("0B795240CB7049B01C19B33E32804F0B")


def test_mrz_information_and_seed() -> None:
    assert KEY.mrz_information() == "L898902C<369080619406236"
    assert KEY.seed() == H("239AB9CB282DAF66231DC5A4DF6BFBAE")


def test_bac_basic_keys() -> None:
    k_enc, k_mac = bac.derive_bac_keys(KEY.seed())
    assert k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_mutual_authentication_and_session_keys() -> None:
    k_enc, k_mac = bac.derive_bac_keys(KEY.seed())
    cmd = bac.build_external_authenticate(k_enc, k_mac, RND_IFD, RND_IC, K_IFD)
    assert cmd == H(
        "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7"
    )
    resp = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
    k_ic = bac.open_response(k_enc, k_mac, resp, RND_IFD, RND_IC)
    assert k_ic == H("0B4F80323EB3191CB04970CB4052790B")
    sm = bac.session_from_key_material(K_IFD, k_ic, RND_IC, RND_IFD)
    assert sm.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc == 0x887022120C06C226


def test_full_bac_against_the_example_chip() -> None:
    """perform_bac drives the two commands exactly as the appendix shows."""
    sent: list[bytes] = []

    def send(cmd: CommandAPDU) -> ResponseAPDU:
        sent.append(cmd.to_bytes())
        if cmd.ins == 0x84:
            return ResponseAPDU(RND_IC, 0x9000)
        return ResponseAPDU(
            H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"),
            0x9000,
        )

    randoms = iter([RND_IFD, K_IFD])
    sm = bac.perform_bac(send, KEY, rng=lambda n: next(randoms))
    assert sent[0] == H("0084000008")
    assert sent[1] == H(
        "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
        "5F1448EEA8AD90A728"
    )
    assert sm.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")


def _example_sm() -> SecureMessaging:
    return SecureMessaging(
        H("979EC13B1CBFE9DCD01AB0FED307EAE5"),
        H("F1CB1F1FB5ADF208806B89DC579DC1F8"),
        0x887022120C06C226,
        "3DES",
    )


def test_secure_messaging_select_read_example() -> None:
    sm = _example_sm()
    select = sm.protect_command(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    assert select.to_bytes() == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    r = sm.unprotect_response(ResponseAPDU.from_bytes(H("990290008E08FA855A5D4C50A8ED9000")))
    assert r.sw == 0x9000 and r.data == b""

    read4 = sm.protect_command(CommandAPDU(0x00, 0xB0, 0x00, 0x00, ne=4))
    assert read4.to_bytes() == H("0CB000000D9701048E08ED6705417E96BA5500")
    r = sm.unprotect_response(
        ResponseAPDU.from_bytes(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
    )
    assert r.data == H("60145F01")

    read_rest = sm.protect_command(CommandAPDU(0x00, 0xB0, 0x00, 0x04, ne=0x12))
    assert read_rest.to_bytes() == H("0CB000040D9701128E082EA28A70F3C7B53500")
    r = sm.unprotect_response(
        ResponseAPDU.from_bytes(
            H(
                "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08"
                "C8B2787EAEA07D749000"
            )
        )
    )
    assert r.data == H("04303130365F36063034303030305C026175")
    assert sm.ssc == 0x887022120C06C22C


def test_response_with_wrong_mac_is_refused() -> None:
    sm = _example_sm()
    sm.protect_command(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    with pytest.raises(SecureMessagingError, match="MAC"):
        sm.unprotect_response(ResponseAPDU.from_bytes(H("990290008E08FA855A5D4C50A8EE9000")))


def test_chip_side_roundtrip_aes() -> None:
    """Terminal and chip halves agree with each other in AES mode (SSC in step)."""
    term = SecureMessaging(bytes(range(16)), bytes(range(16, 32)), 0, "AES")
    chip = SecureMessaging(bytes(range(16)), bytes(range(16, 32)), 0, "AES")
    wrapped = term.protect_command(CommandAPDU(0x00, 0xB0, 0x00, 0x10, ne=1000))
    plain = chip.unprotect_command(CommandAPDU.parse(wrapped.to_bytes()))
    assert (plain.ins, plain.p2, plain.ne) == (0xB0, 0x10, 1000)
    answer = chip.protect_response(ResponseAPDU(b"x" * 1000, 0x9000))
    assert term.unprotect_response(answer).data == b"x" * 1000


def test_kdf_parity_and_cmac() -> None:
    assert crypto.adjust_parity(H("00FF")) == H("01FE")
    # RFC 4493 example 2
    key = H("2b7e151628aed2a6abf7158809cf4f3c")
    msg = H("6bc1bee22e409f96e93d7e117393172a")
    assert crypto.aes_cmac(key, msg, 16) == H("070a16b46b4d4144f79bdd9dd04a287c")


def test_active_authentication_rsa_example() -> None:
    """ICAO 9303-11 worked example of Active Authentication (RSA-1024, SHA-1, trailer BC).

    The example gives M1, the challenge and F but no key pair: sign F with a fresh 1024-bit key
    and check the verifier recovers M1 and accepts.
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from devices.emrtd import aa

    m1 = H(
        "9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A53"
        "03CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA9782"
        "64C4A207446DAD4E7292E2DCDA3024B47DA8"
    )
    challenge = H("F173589974BF40C6")
    block = aa.rsa_9796_2_block(m1, challenge)
    assert len(m1) * 8 == 1024 - 160 - 8 - 4 - 4  # c - 4 with c = k - Lh - 8t - 4 = 852
    assert block[-21:-1] == H("C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127")
    assert block == H(
        "6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A"
        "5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA97"
        "8264C4A207446DAD4E7292E2DCDA3024B47DA8C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"
    )
    key = rsa.generate_private_key(65537, 1024)
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    signature = aa.sign_rsa_9796_2(key, challenge, m1)
    assert aa.verify_response(spki, challenge, signature, None)
    assert not aa.verify_response(spki, H("F173589974BF40C7"), signature, None)
