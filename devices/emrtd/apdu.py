"""ISO/IEC 7816-4 command and response APDUs, short and extended, and status-word meanings."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from devices.emrtd.errors import StatusWordError, TLVError

logger = logging.getLogger(__name__)

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_FAILED = 0x6300
SW_SM_MISSING = 0x6987
SW_SM_INCORRECT = 0x6988
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_WRONG_DATA = 0x6A80
SW_END_OF_FILE = 0x6282

_SW_TEXT = {
    0x9000: "success",
    0x6282: "end of file reached before Le bytes",
    0x6300: "authentication failed",
    0x6700: "wrong length",
    0x6882: "secure messaging not supported",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current EF)",
    0x6987: "expected secure messaging data objects missing",
    0x6988: "incorrect secure messaging data objects",
    0x6A80: "incorrect data field",
    0x6A82: "file or application not found",
    0x6A86: "incorrect P1-P2",
    0x6A88: "referenced data not found",
    0x6B00: "wrong P1-P2 (offset outside the file)",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
}


def describe_sw(sw: int) -> str:
    """A person-readable meaning of a status word."""
    if sw in _SW_TEXT:
        return _SW_TEXT[sw]
    if sw >> 8 == 0x6C:
        return f"wrong Le, exact length is {sw & 0xFF or 256}"
    if sw >> 8 == 0x61:
        return f"{sw & 0xFF or 256} more bytes available"
    if sw >> 4 == 0x63C:
        return f"verification failed, {sw & 0xF} tries left"
    return "unknown status"


@dataclass(frozen=True)
class CommandAPDU:
    """A command: header, data, and `ne` (expected response length; None = no Le, 256/65536 = max)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    ne: int | None = None

    @property
    def extended(self) -> bool:
        return len(self.data) > 255 or (self.ne is not None and self.ne > 256)

    def to_bytes(self, force_extended: bool = False) -> bytes:
        """Serialise in the shortest form (or extended when asked or needed)."""
        header = bytes([self.cla, self.ins, self.p1, self.p2])
        ext = force_extended or self.extended
        out = bytearray(header)
        if self.data:
            out += (b"\x00" + len(self.data).to_bytes(2, "big")) if ext else bytes([len(self.data)])
            out += self.data
        if self.ne is not None:
            if ext:
                le = self.ne if self.ne < 65536 else 0
                out += (b"" if self.data else b"\x00") + le.to_bytes(2, "big")
            else:
                out += bytes([self.ne if self.ne < 256 else 0])
        return bytes(out)

    @classmethod
    def parse(cls, raw: bytes) -> CommandAPDU:
        """Parse any of the ISO 7816-3 cases 1-4, short or extended."""
        if len(raw) < 4:
            raise TLVError("command APDU shorter than its header")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, b"", body[0] or 256)
        if body[0] != 0:
            lc = body[0]
            if len(body) == 1 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1:]))
            if len(body) == 2 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[1 + lc] or 256)
            raise TLVError("short command APDU with inconsistent Lc")
        if len(body) == 3:
            return cls(cla, ins, p1, p2, b"", int.from_bytes(body[1:3], "big") or 65536)
        lc = int.from_bytes(body[1:3], "big")
        if len(body) == 3 + lc:
            return cls(cla, ins, p1, p2, bytes(body[3:]))
        if len(body) == 5 + lc:
            ne = int.from_bytes(body[3 + lc :], "big") or 65536
            return cls(cla, ins, p1, p2, bytes(body[3 : 3 + lc]), ne)
        raise TLVError("extended command APDU with inconsistent Lc")

    def describe(self) -> str:
        return f"{self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}"


@dataclass(frozen=True)
class ResponseAPDU:
    """A response: data and the two-byte status word."""

    data: bytes
    sw: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> ResponseAPDU:
        if len(raw) < 2:
            raise TLVError("response APDU shorter than a status word")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def check(self, command: str = "") -> bytes:
        """Return the data, or raise StatusWordError for anything but 9000 (6282 allowed)."""
        if self.sw not in (SW_OK, SW_END_OF_FILE):
            raise StatusWordError(self.sw, command)
        return self.data
