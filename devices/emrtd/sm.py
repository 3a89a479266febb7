"""ICAO 9303-11 §9.8 Secure Messaging (3DES and AES): SSC, DO85/DO87/DO97/DO99/DO8E, MAC checks.

One `SecureMessaging` object holds the session keys and the send sequence counter; the terminal
uses protect_command/unprotect_response, the (simulated) chip unprotect_command/protect_response.
"""

from __future__ import annotations

import hmac
import logging

from devices.emrtd import crypto, tlv
from devices.emrtd.apdu import CommandAPDU, ResponseAPDU
from devices.emrtd.errors import SecureMessagingError, TLVError

logger = logging.getLogger(__name__)


class SecureMessaging:
    """Session keys, cipher ("3DES" or "AES") and the SSC of one secure channel."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: int = 0, cipher: str = "3DES") -> None:
        if cipher not in ("3DES", "AES"):
            raise ValueError(f"unknown SM cipher {cipher}")
        self.ks_enc = ks_enc
        self.ks_mac = ks_mac
        self.ssc = ssc
        self.cipher = cipher
        self.block = 8 if cipher == "3DES" else 16
        self.allow_extended = True  # False when reader or chip cannot do extended-length APDUs

    # -- primitives -------------------------------------------------------------------------
    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def _encrypt(self, data: bytes) -> bytes:
        if self.cipher == "3DES":
            return crypto.des3_encrypt(self.ks_enc, data)
        iv = crypto.aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())
        return crypto.aes_encrypt(self.ks_enc, data, iv)

    def _decrypt(self, data: bytes) -> bytes:
        if len(data) % self.block:
            raise SecureMessagingError("encrypted data is not a whole number of blocks")
        if self.cipher == "3DES":
            return crypto.des3_decrypt(self.ks_enc, data)
        iv = crypto.aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())
        return crypto.aes_decrypt(self.ks_enc, data, iv)

    def mac(self, data: bytes) -> bytes:
        """MAC over SSC || data (data already padded where the spec pads it), 8 bytes."""
        msg = crypto.pad(self._ssc_bytes() + data, self.block)
        if self.cipher == "3DES":
            return crypto.retail_mac(self.ks_mac, msg, padded=True)
        return crypto.aes_cmac(self.ks_mac, msg)

    def _encrypted_do(self, data: bytes, odd_ins: bool) -> bytes:
        if not data:
            return b""
        cryptogram = self._encrypt(crypto.pad(data, self.block))
        if odd_ins:
            return tlv.encode(0x85, cryptogram)
        return tlv.encode(0x87, b"\x01" + cryptogram)

    def max_plain_le_short(self) -> int:
        """Largest plain Le whose protected response still fits a short (256-byte) response."""
        best = 0
        for ne in range(1, 257):
            if self._protected_response_size(ne) <= 256:
                best = ne
        return best

    def _protected_response_size(self, ne: int) -> int:
        crypt = (ne // self.block + 1) * self.block
        do87 = len(tlv.encode(0x87, bytes(crypt + 1)))
        return do87 + 4 + 10

    # -- terminal side ----------------------------------------------------------------------
    def protect_command(self, cmd: CommandAPDU) -> CommandAPDU:
        """Wrap a plain command for sending; increments the SSC."""
        self.ssc += 1
        cla = cmd.cla | 0x0C
        header = bytes([cla, cmd.ins, cmd.p1, cmd.p2])
        do87 = self._encrypted_do(cmd.data, bool(cmd.ins & 1))
        do97 = b""
        extended = cmd.extended or (
            self.allow_extended
            and cmd.ne is not None
            and self._protected_response_size(cmd.ne) > 256
        )
        if cmd.ne is not None:
            le = cmd.ne % 65536 if extended else cmd.ne % 256
            do97 = tlv.encode(0x97, le.to_bytes(2 if extended else 1, "big"))
        body = do87 + do97
        cc = self.mac(crypto.pad(header, self.block) + body)
        data = body + tlv.encode(0x8E, cc)
        return CommandAPDU(cla, cmd.ins, cmd.p1, cmd.p2, data, 65536 if extended else 256)

    def unprotect_response(self, resp: ResponseAPDU) -> ResponseAPDU:
        """Check the MAC of a protected response and decrypt it; increments the SSC."""
        self.ssc += 1
        if not resp.data:
            # A chip may answer an error without SM objects; nothing to verify, nothing to trust.
            if resp.sw == 0x9000:
                raise SecureMessagingError("protected response carries no SM data objects")
            return resp
        try:
            items = tlv.decode_all(resp.data)
        except TLVError as exc:
            raise SecureMessagingError(f"malformed protected response: {exc}") from exc
        do_crypt = b""
        do99 = None
        mac = None
        covered = b""
        for item in items:
            raw = tlv.encode(item.tag, item.value)
            if item.tag in (0x85, 0x87):
                do_crypt = item.value if item.tag == 0x85 else item.value[1:]
                if item.tag == 0x87 and (not item.value or item.value[0] != 0x01):
                    raise SecureMessagingError("DO87 without padding-content indicator 01")
                covered += raw
            elif item.tag == 0x99:
                do99 = item.value
                covered += raw
            elif item.tag == 0x8E:
                mac = item.value
            else:
                raise SecureMessagingError(f"unexpected data object {item.tag:X} in response")
        if mac is None:
            raise SecureMessagingError("protected response has no MAC (DO8E)")
        if do99 is None or len(do99) != 2:
            raise SecureMessagingError("protected response has no status word (DO99)")
        if not hmac.compare_digest(self.mac(covered), mac):
            raise SecureMessagingError("response MAC does not verify (SSC or keys out of step)")
        plain = b""
        if do_crypt:
            try:
                plain = crypto.unpad(self._decrypt(do_crypt))
            except ValueError as exc:
                raise SecureMessagingError("decrypted response has bad padding") from exc
        return ResponseAPDU(plain, int.from_bytes(do99, "big"))

    # -- chip side --------------------------------------------------------------------------
    def unprotect_command(self, cmd: CommandAPDU) -> CommandAPDU:
        """Check and decrypt a protected command (chip side); increments the SSC."""
        self.ssc += 1
        if cmd.cla & 0x0C != 0x0C:
            raise SecureMessagingError("command is not secure-messaging protected")
        try:
            items = tlv.decode_all(cmd.data)
        except TLVError as exc:
            raise SecureMessagingError(f"malformed protected command: {exc}") from exc
        header = bytes([cmd.cla, cmd.ins, cmd.p1, cmd.p2])
        covered = b""
        data = b""
        ne = None
        mac = None
        for item in items:
            raw = tlv.encode(item.tag, item.value)
            if item.tag in (0x85, 0x87):
                crypt = item.value[1:] if item.tag == 0x87 else item.value
                try:
                    data = crypto.unpad(self._decrypt(crypt))
                except ValueError as exc:
                    raise SecureMessagingError("command cryptogram has bad padding") from exc
                covered += raw
            elif item.tag == 0x97:
                ne = int.from_bytes(item.value, "big") or (256 if len(item.value) == 1 else 65536)
                covered += raw
            elif item.tag == 0x8E:
                mac = item.value
            else:
                raise SecureMessagingError(f"unexpected data object {item.tag:X} in command")
        if mac is None:
            raise SecureMessagingError("protected command has no MAC")
        if not hmac.compare_digest(self.mac(crypto.pad(header, self.block) + covered), mac):
            raise SecureMessagingError("command MAC does not verify")
        return CommandAPDU(cmd.cla & ~0x0C & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, ne)

    def protect_response(self, resp: ResponseAPDU, odd_ins: bool = False) -> ResponseAPDU:
        """Wrap a plain response (chip side); increments the SSC."""
        self.ssc += 1
        body = self._encrypted_do(resp.data, odd_ins) + tlv.encode(0x99, resp.sw.to_bytes(2, "big"))
        return ResponseAPDU(body + tlv.encode(0x8E, self.mac(body)), resp.sw)
