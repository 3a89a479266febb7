"""Record ids: UUIDv7 (RFC 9562), time-ordered so indexes stay append-mostly."""

from __future__ import annotations

import os
import time
import uuid


def uuid7(now_ms: int | None = None) -> str:
    """A new UUIDv7 as text: 48-bit Unix milliseconds, version 7, 74 random bits."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def uuid7_ms(text: str) -> int:
    """The Unix millisecond timestamp inside a UUIDv7."""
    return uuid.UUID(text).int >> 80
