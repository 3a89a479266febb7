"""The simulated chip: an ICAO 9303 eMRTD application that enforces BAC/PACE access control and
Secure Messaging as strictly as a real chip, with injectable length limits."""

from __future__ import annotations

import hmac
import logging
import os
from dataclasses import dataclass, field

from devices.emrtd import aa, bac, ca, crypto, lds, pace, tlv
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import AccessDeniedError, SecureMessagingError, TLVError
from devices.emrtd.sm import SecureMessaging
from devices.simulated.epassport.generator import PassportImage

logger = logging.getLogger(__name__)

ATR = bytes.fromhex("3B8880010000000000718100F9")


@dataclass
class ChipOptions:
    """Behaviour knobs: the chip's longest READ BINARY answer, how it refuses longer ones, extended APDUs."""

    max_read: int = 65536
    refusal: str = "6700"  # or "6C": answer 6Cxx with the length it can serve
    extended_length: bool = True
    pace: bool = True
    clone: bool = False  # a copy of the data without the Chip Authentication private key


def _sw(sw: int) -> ResponseAPDU:
    return ResponseAPDU(b"", sw)


@dataclass
class _PaceState:
    choice: pace.PaceChoice
    group: pace.Group
    step: int = 0
    nonce: bytes = b""
    map_ifd: bytes = b""
    mapped: object = None
    eph_ic: object = None
    eph_ifd: object = None
    keys: tuple[bytes, bytes] = (b"", b"")
    key_ref: int = 1


@dataclass
class EPassportChip:
    """Process one raw command APDU at a time, like the chip's operating system."""

    passport: PassportImage
    options: ChipOptions = field(default_factory=ChipOptions)
    commands: int = 0
    reads: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # (file, offset, Le) served, for tests

    def __post_init__(self) -> None:
        self.power_on()

    def power_on(self) -> None:
        """Power-up state: nothing selected, not authenticated."""
        self.app = False
        self.current: str | None = None
        self.sm: SecureMessaging | None = None
        self.access: str | None = None
        self.challenge: bytes | None = None
        self.pace_state: _PaceState | None = None
        self.ca_pending: ca.CAChoice | None = None
        self._next_sm: SecureMessaging | None = None

    # -- dispatch ---------------------------------------------------------------------------
    def process(self, raw: bytes) -> bytes:
        self.commands += 1
        try:
            cmd = CommandAPDU.parse(raw)
        except TLVError:
            return _sw(0x6700).to_bytes()
        if cmd.extended and not self.options.extended_length:
            self._drop_session()
            return _sw(0x6700).to_bytes()
        if cmd.cla & 0x0C == 0x0C:
            if self.sm is None:
                return _sw(0x6987).to_bytes()
            try:
                plain = self.sm.unprotect_command(cmd)
            except SecureMessagingError as exc:
                logger.info("chip: SM error (%s); session aborted", exc)
                self._drop_session()
                return _sw(0x6988).to_bytes()
            answer = self._dispatch(plain)
            if self.sm is None:
                return answer.to_bytes()
            wrapped = self.sm.protect_response(answer, odd_ins=bool(plain.ins & 1)).to_bytes()
            if self._next_sm is not None:  # Chip Authentication: new keys from the next command on
                self.sm, self._next_sm = self._next_sm, None
            return wrapped
        if self.sm is not None:
            # A plain command ends the secure channel; a strict chip does not serve it as authenticated.
            self._drop_session()
        return self._dispatch(cmd).to_bytes()

    def _drop_session(self) -> None:
        self.sm = None
        self.access = None
        self.pace_state = None
        self.ca_pending = None
        self._next_sm = None

    def _dispatch(self, cmd: CommandAPDU) -> ResponseAPDU:
        handler = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0xB1: self._read_binary,
            0x84: self._get_challenge,
            0x82: self._external_authenticate,
            0x22: self._mse,
            0x86: self._general_authenticate,
            0x88: self._internal_authenticate,
        }.get(cmd.ins)
        if handler is None:
            return _sw(0x6D00)
        return handler(cmd)

    # -- file system ------------------------------------------------------------------------
    def _files(self) -> dict[str, bytes]:
        return self.passport.files

    def _select(self, cmd: CommandAPDU) -> ResponseAPDU:
        if cmd.p1 == 0x04:
            if cmd.data == lds.EMRTD_AID:
                self.app, self.current = True, None
                return _sw(0x9000)
            return _sw(0x6A82)
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
            fid = int.from_bytes(cmd.data, "big")
            if fid == lds.CARD_ACCESS_FID:
                if self.passport.card_access is None or not self.options.pace:
                    return _sw(0x6A82)
                self.current = "CardAccess"
                return _sw(0x9000)
            name = next((n for n, (f, _t) in lds.FILES.items() if f == fid), None)
            if name is None or name not in self._files() or not self.app:
                return _sw(0x6A82)
            if self.access is None:
                return _sw(0x6982)
            self.current = name
            return _sw(0x9000)
        return _sw(0x6A86)

    def _file_bytes(self, name: str) -> bytes:
        if name == "CardAccess":
            return self.passport.card_access or b""
        return self._files()[name]

    def _read_binary(self, cmd: CommandAPDU) -> ResponseAPDU:
        if cmd.p1 & 0x80:
            return _sw(0x6A81)  # short-EF addressing is not offered by this chip
        if self.current is None:
            return _sw(0x6986)
        if self.current != "CardAccess" and self.access is None:
            return _sw(0x6982)
        data = self._file_bytes(self.current)
        offset = (cmd.p1 << 8) | cmd.p2
        ne = cmd.ne or 0
        if cmd.ins == 0xB1:  # offset in DO54, answer wrapped in DO53
            try:
                offset = int.from_bytes(tlv.find(cmd.data, 0x54), "big")
            except TLVError:
                return _sw(0x6A80)
            if ne > self.options.max_read:
                return _sw(0x6700)
            room = ne - 2 if ne - 2 < 0x80 else ne - (3 if ne - 3 < 0x100 else 4)
            chunk = data[offset : offset + max(room, 0)]
            self.reads.append((self.current, offset, ne))
            return ResponseAPDU(tlv.encode(0x53, chunk), 0x9000 if len(chunk) == room else 0x6282)
        if offset > len(data):
            return _sw(0x6B00)
        if ne > self.options.max_read:
            if self.options.refusal == "6C" and self.options.max_read <= 256:
                return _sw(0x6C00 | (self.options.max_read & 0xFF))
            return _sw(0x6700)
        chunk = data[offset : offset + ne]
        self.reads.append((self.current, offset, ne))
        return ResponseAPDU(chunk, 0x9000 if len(chunk) == ne else 0x6282)

    # -- BAC --------------------------------------------------------------------------------
    def _get_challenge(self, cmd: CommandAPDU) -> ResponseAPDU:
        if cmd.ne != 8:
            return _sw(0x6700)
        self.challenge = os.urandom(8)
        return ResponseAPDU(self.challenge, 0x9000)

    def _external_authenticate(self, cmd: CommandAPDU) -> ResponseAPDU:
        rnd_ic, self.challenge = self.challenge, None
        if rnd_ic is None:
            return _sw(0x6985)
        if len(cmd.data) != 40:
            return _sw(0x6700)
        k_enc, k_mac = bac.derive_bac_keys(self.passport.key().seed())
        e_ifd, m_ifd = cmd.data[:32], cmd.data[32:]
        if not hmac.compare_digest(crypto.retail_mac(k_mac, e_ifd), m_ifd):
            return _sw(0x6300)
        plain = crypto.des3_decrypt(k_enc, e_ifd)
        if plain[8:16] != rnd_ic:
            return _sw(0x6300)
        rnd_ifd, k_ifd, k_ic = plain[:8], plain[16:32], os.urandom(16)
        e_ic = crypto.des3_encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        answer = ResponseAPDU(e_ic + crypto.retail_mac(k_mac, e_ic), 0x9000)
        self.sm = bac.session_from_key_material(k_ifd, k_ic, rnd_ic, rnd_ifd)
        self.access = "BAC"
        return answer

    # -- PACE -------------------------------------------------------------------------------
    def _mse(self, cmd: CommandAPDU) -> ResponseAPDU:
        if cmd.p1 == 0x41 and cmd.p2 in (0xA4, 0xA6):
            return self._mse_ca(cmd)
        if (
            (cmd.p1, cmd.p2) != (0xC1, 0xA4)
            or not self.options.pace
            or self.passport.card_access is None
        ):
            return _sw(0x6A86)
        try:
            oid = tlv.decode_oid(tlv.find(cmd.data, 0x80))
            ref = tlv.find(cmd.data, 0x83)
        except TLVError:
            return _sw(0x6A80)
        offered = [i for i in lds.parse_security_infos(self.passport.card_access) if i.oid == oid]
        table = pace.PACE_GM if oid in pace.PACE_GM else pace.PACE_IM
        can = self.passport.extra.get("can")
        if not offered or oid not in table or ref not in (b"\x01", b"\x02" if can else b"\x01"):
            return _sw(0x6A80)
        mapping, cipher, bits = table[oid]
        param = offered[0].parameter_id or 0
        choice = pace.PaceChoice(oid, param, mapping, cipher, bits, table is pace.PACE_IM)
        self.pace_state = _PaceState(choice, pace.Group(param), key_ref=ref[0])
        return _sw(0x9000)

    # -- Chip Authentication ----------------------------------------------------------------
    def _ca_offer(self) -> ca.CAChoice | None:
        dg14 = self._files().get("DG14")
        return ca.choose(lds.parse_security_infos(dg14)) if dg14 else None

    def _ca_finish(self, choice: ca.CAChoice, terminal_public: bytes) -> ResponseAPDU:
        key = self.passport.extra.get("ca_key")
        if key is None:
            return _sw(0x6A88)
        secret = key.private_numbers().private_value  # type: ignore[attr-defined]
        if self.options.clone:
            secret = secret // 2 + 1  # the clone does not hold the real private key
        try:
            self._next_sm = ca.chip_agree(secret, choice.spki_der, terminal_public, choice)
        except ca.ChipAuthenticationError:
            return _sw(0x6A80)
        return _sw(0x9000)

    def _mse_ca(self, cmd: CommandAPDU) -> ResponseAPDU:
        choice = self._ca_offer()
        if self.access is None or choice is None:
            return _sw(0x6982 if choice else 0x6A88)
        try:
            if cmd.p2 == 0xA6:  # MSE:Set KAT carries the key itself (3DES chips)
                return self._ca_finish(choice, tlv.find(cmd.data, 0x91))
            if tlv.decode_oid(tlv.find(cmd.data, 0x80)) != choice.oid:
                return _sw(0x6A80)
        except TLVError:
            return _sw(0x6A80)
        self.ca_pending = choice
        return _sw(0x9000)

    def _general_authenticate(self, cmd: CommandAPDU) -> ResponseAPDU:
        if self.ca_pending is not None and self.access is not None:
            choice, self.ca_pending = self.ca_pending, None
            try:
                answer = self._ca_finish(choice, tlv.find(tlv.find(cmd.data, 0x7C), 0x80))
            except TLVError:
                return _sw(0x6A80)
            return ResponseAPDU(tlv.encode(0x7C, b""), 0x9000) if answer.sw == 0x9000 else answer
        st = self.pace_state
        if st is None:
            return _sw(0x6985)
        last = not cmd.cla & 0x10
        try:
            body = tlv.find(cmd.data, 0x7C)
            return self._pace_step(st, body, last)
        except (TLVError, AccessDeniedError) as exc:
            logger.info("chip: PACE step %d refused: %s", st.step, exc)
            self.pace_state = None
            return _sw(0x6300 if isinstance(exc, AccessDeniedError) else 0x6A80)

    def _pace_step(self, st: _PaceState, body: bytes, last: bool) -> ResponseAPDU:
        g, c = st.group, st.choice
        st.step += 1
        if (st.step != 4 and last) or (st.step == 4 and not last):
            raise AccessDeniedError("command chaining out of order")
        if st.step == 1:
            if body:
                raise AccessDeniedError("step 1 carries data")
            st.nonce = os.urandom(16 if c.cipher == "AES" else 8)
            if st.key_ref == pace.KEY_REF_CAN:
                secret = str(self.passport.extra["can"]).encode("ascii")
            else:
                secret = pace.mrz_password(self.passport.key().mrz_information())
            k_pi = pace.password_key(secret, c.cipher, c.key_bits)
            z = pace.crypt_nonce(k_pi, st.nonce, c.cipher, decrypt=False)
            return ResponseAPDU(tlv.encode(0x7C, tlv.encode(0x80, z)), 0x9000)
        if st.step == 2 and c.integrated:
            st.map_ifd = tlv.find(body, 0x81)
            st.mapped = pace.integrated_map(g, st.nonce, st.map_ifd)
            return ResponseAPDU(tlv.encode(0x7C, b""), 0x9000)
        if st.step == 2:
            st.map_ifd = tlv.find(body, 0x81)
            sk = g.random_scalar()
            st.mapped = pace.generic_map(g, st.nonce, g.mul(sk, g.decode(st.map_ifd)))
            return ResponseAPDU(
                tlv.encode(0x7C, tlv.encode(0x82, g.encode(g.mul(sk, g.generator)))), 0x9000
            )
        if st.step == 3:
            raw = tlv.find(body, 0x83)
            if raw == st.map_ifd:
                raise AccessDeniedError("ephemeral key equals mapping key")
            st.eph_ifd = g.decode(raw)
            sk = g.random_scalar()
            st.eph_ic = g.mul(sk, st.mapped)
            secret = g.shared_secret(g.mul(sk, st.eph_ifd))
            st.keys = (
                crypto.kdf(secret, 1, c.cipher, c.key_bits),
                crypto.kdf(secret, 2, c.cipher, c.key_bits),
            )
            return ResponseAPDU(tlv.encode(0x7C, tlv.encode(0x84, g.encode(st.eph_ic))), 0x9000)
        token = tlv.find(body, 0x85)
        expected = pace.auth_token(st.keys[1], c.cipher, pace.public_key_data(c.oid, g, st.eph_ic))
        if not hmac.compare_digest(token, expected):
            raise AccessDeniedError("terminal token does not verify")
        mine = pace.auth_token(st.keys[1], c.cipher, pace.public_key_data(c.oid, g, st.eph_ifd))
        answer = ResponseAPDU(tlv.encode(0x7C, tlv.encode(0x86, mine)), 0x9000)
        self.sm = SecureMessaging(st.keys[0], st.keys[1], 0, c.cipher)
        self.access, self.pace_state = "PACE", None
        return answer

    # -- Active Authentication --------------------------------------------------------------
    def _internal_authenticate(self, cmd: CommandAPDU) -> ResponseAPDU:
        if self.access is None:
            return _sw(0x6982)
        key = self.passport.aa_key
        if key is None:
            return _sw(0x6D00)
        if len(cmd.data) != 8:
            return _sw(0x6700)
        if hasattr(key, "curve"):
            return ResponseAPDU(aa.sign_ecdsa_plain(key, cmd.data, "sha256"), 0x9000)
        return ResponseAPDU(aa.sign_rsa_9796_2(key, cmd.data), 0x9000)
