"""BER-TLV (ISO/IEC 7816-4, X.690) encoding and decoding: tags as ints, lengths in all definite forms."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from devices.emrtd.errors import TLVError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TLV:
    """One decoded data object: `tag` as an int (0x5F1F), its `value`, and where it ended."""

    tag: int
    value: bytes
    end: int = 0

    @property
    def constructed(self) -> bool:
        first = self.tag.to_bytes((self.tag.bit_length() + 7) // 8 or 1, "big")[0]
        return bool(first & 0x20)

    def children(self) -> list[TLV]:
        return decode_all(self.value)


def read_tag(data: bytes, pos: int = 0) -> tuple[int, int]:
    """Read a tag at `pos`; returns (tag, position after it)."""
    if pos >= len(data):
        raise TLVError("data ends where a tag was expected")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise TLVError("data ends inside a multi-byte tag")
            b = data[pos]
            tag = (tag << 8) | b
            pos += 1
            if not b & 0x80:
                break
            if tag > 0xFFFFFFFF:
                raise TLVError("tag longer than four bytes")
    return tag, pos


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    """Read a definite length at `pos`; returns (length, position after it)."""
    if pos >= len(data):
        raise TLVError("data ends where a length was expected")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0:
        raise TLVError("indefinite length is not allowed here")
    if count > 4 or pos + count > len(data):
        raise TLVError(f"bad length field ({count} length bytes)")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def decode(data: bytes, pos: int = 0) -> TLV:
    """Decode the data object at `pos`; its value must be complete."""
    tag, p = read_tag(data, pos)
    length, p = read_length(data, p)
    if p + length > len(data):
        raise TLVError(f"tag {tag:X} claims {length} bytes but only {len(data) - p} remain")
    return TLV(tag, bytes(data[p : p + length]), p + length)


def header_length(data: bytes) -> int:
    """Total length (header + value) announced by the first data object of `data`."""
    tag_end = read_tag(data, 0)[1]
    length, value_start = read_length(data, tag_end)
    return value_start + length


def iter_tlv(data: bytes) -> Iterator[TLV]:
    """Iterate over consecutive data objects (skipping 00/FF padding between them)."""
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):
            pos += 1
            continue
        item = decode(data, pos)
        yield item
        pos = item.end


def decode_all(data: bytes) -> list[TLV]:
    """All consecutive data objects of `data`."""
    return list(iter_tlv(data))


def find(data: bytes, *path: int) -> bytes:
    """Value reached by following `path` of tags, each inside the previous one's value."""
    value = data
    for tag in path:
        for item in iter_tlv(value):
            if item.tag == tag:
                value = item.value
                break
        else:
            raise TLVError(f"tag {tag:X} not found")
    return value


def find_optional(data: bytes, tag: int) -> bytes | None:
    """Value of the first direct child with `tag`, or None."""
    for item in iter_tlv(data):
        if item.tag == tag:
            return item.value
    return None


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tag(tag: int) -> bytes:
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")


def encode(tag: int, value: bytes) -> bytes:
    """Encode one data object."""
    return encode_tag(tag) + encode_length(len(value)) + bytes(value)


def encode_oid(dotted: str) -> bytes:
    """DER content octets of an OBJECT IDENTIFIER (without tag/length)."""
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([parts[0] * 40 + parts[1]])
    for arc in parts[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(content: bytes) -> str:
    """Dotted form of OBJECT IDENTIFIER content octets."""
    if not content:
        raise TLVError("empty OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for b in content:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(a) for a in head + arcs[1:])


def decode_int(content: bytes) -> int:
    """Value of DER INTEGER content octets."""
    return int.from_bytes(content, "big", signed=True)


def encode_int(value: int) -> bytes:
    """DER INTEGER (with tag)."""
    body = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    return encode(0x02, body)
