"""A bundle as one file, to carry to a booth that was offline (USB stick, operator copy).

Layout: the signed envelope as one JSON line, then the content bytes (nothing after the line
when the content is inline in `payload_b64`). The envelope's signature covers the content's
size and sha256 (and each chunk's), so the file needs no signature of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sekisho.wire.codec import encode

MAX_ENVELOPE = 16 * 1024 * 1024  # an envelope line (with inline content or chunk digests)


class BundleFileError(ValueError):
    """Not a bundle file."""


def write_bundle_file(path: Path, envelope: dict[str, Any], content: bytes | None) -> None:
    """Write atomically: envelope line, then `content` unless it is inline."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(encode(envelope) + b"\n")
        if content is not None and "payload_b64" not in envelope:
            f.write(content)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def read_envelope(path: Path) -> tuple[dict[str, Any], int]:
    """(envelope object, offset where the content starts)."""
    try:
        with open(path, "rb") as f:
            line = f.readline(MAX_ENVELOPE)
    except OSError as exc:
        raise BundleFileError(f"cannot read {path}: {exc.strerror}") from None
    if not line.endswith(b"\n"):
        raise BundleFileError(f"{path}: not a bundle file (no envelope line)")
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BundleFileError(f"{path}: not a bundle file (first line is not JSON)") from None
    if not isinstance(obj, dict) or obj.get("schema") != "sekisho.bundle":
        raise BundleFileError(f"{path}: not a bundle file (no sekisho.bundle envelope)")
    return obj, len(line)


@dataclass(frozen=True)
class Received:
    """Content as it arrived: where it is, its size and digests (checked against the envelope)."""

    path: Path
    size: int
    sha256: str
    chunk_digests: list[str] | None


def copy_content(src: Path, offset: int, dst: Path, chunk_size: int | None) -> Received:
    """Copy the content part of a bundle file to `dst`, hashing it (and its chunks) on the way."""
    whole = hashlib.sha256()
    chunks: list[str] = []
    size = 0
    step = chunk_size or (1 << 20)
    with open(src, "rb") as f, open(dst, "wb") as out:
        f.seek(offset)
        while block := f.read(step):
            whole.update(block)
            chunks.append(hashlib.sha256(block).hexdigest())
            out.write(block)
            size += len(block)
    return Received(dst, size, whole.hexdigest(), chunks if chunk_size else None)


def write_inline(data: bytes, dst: Path) -> Received:
    dst.write_bytes(data)
    return Received(dst, len(data), hashlib.sha256(data).hexdigest(), None)


def reset_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path
