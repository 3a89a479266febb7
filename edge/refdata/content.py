"""What a bundle carries: canonical datasets and deltas, as JSON lines (pure, streaming).

A **dataset** of one kind is JSON lines, one record per line in canonical JSON (keys sorted, no
whitespace, UTF-8), sorted by the record's key (`id` for the watchlist, `visa_number` for visas)
with no key twice. Central and booth therefore produce the same bytes for the same records, and
`dataset_sha256` in the signed envelope lets the booth prove that applying a delta rebuilt
exactly the dataset central holds.

A **delta** from version N-1 to N is JSON lines sorted by key: `{"put": record}` (added or
changed) or `{"delete": key}`. Both central (to build) and booth (to apply) use this module, so
the format exists once; it depends on nothing but the standard library.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

KEYS: dict[str, str] = {"watchlist": "id", "visas": "visa_number"}
FULL_TYPE = "application/x-ndjson"
DELTA_TYPE = "application/vnd.sekisho.delta+x-ndjson"


class ContentError(ValueError):
    """Content that is not a well-formed dataset or delta (or not for this base)."""


def key_field(kind: str) -> str:
    try:
        return KEYS[kind]
    except KeyError:
        raise ContentError(f"unknown dataset kind {kind!r} (known: {', '.join(KEYS)})") from None


def canonical_line(record: dict[str, Any]) -> bytes:
    text = json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8") + b"\n"


def _key(record: Any, field: str, where: str) -> str:
    if not isinstance(record, dict):
        raise ContentError(f"{where}: expected a JSON object")
    key = record.get(field)
    if not isinstance(key, str) or not key:
        raise ContentError(f"{where}: missing {field!r}")
    return key


def read_records(lines: Iterable[bytes | str], source: str) -> Iterator[dict[str, Any]]:
    """JSON objects from lines, skipping blank ones; errors name the source and line."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ContentError(f"{source} line {n}: not JSON ({exc})") from None


def canonical_dataset(records: Iterable[dict[str, Any]], kind: str) -> list[tuple[str, bytes]]:
    """(key, canonical line) for each record, sorted by key; a key twice is an error."""
    field = key_field(kind)
    rows = [(_key(r, field, f"record {n}"), canonical_line(r)) for n, r in enumerate(records, 1)]
    rows.sort(key=lambda row: row[0])
    for (a, _), (b, _) in itertools.pairwise(rows):
        if a == b:
            raise ContentError(f"{field} {a!r} appears twice")
    return rows


def dataset_rows(stream: IO[bytes], kind: str, source: str) -> Iterator[tuple[str, bytes]]:
    """(key, line) of a canonical dataset file, checking that keys strictly increase."""
    field = key_field(kind)
    previous = None
    for n, line in enumerate(stream, 1):
        try:
            key = _key(json.loads(line), field, f"{source} line {n}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ContentError(f"{source} line {n}: not JSON") from None
        if previous is not None and key <= previous:
            raise ContentError(f"{source} line {n}: keys not in increasing order")
        previous = key
        yield key, line if line.endswith(b"\n") else line + b"\n"


def diff(
    old: Iterable[tuple[str, bytes]], new: Iterable[tuple[str, bytes]]
) -> Iterator[tuple[str, bytes]]:
    """Delta lines (key, line) turning sorted dataset `old` into sorted dataset `new`."""
    old_it, new_it = iter(old), iter(new)
    a, b = next(old_it, None), next(new_it, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a[0], canonical_line({"delete": a[0]})
            a = next(old_it, None)
        elif a is None or b[0] < a[0]:
            yield b[0], b"".join((b'{"put":', b[1].rstrip(b"\n"), b"}\n"))
            b = next(new_it, None)
        else:
            if a[1] != b[1]:
                yield b[0], b"".join((b'{"put":', b[1].rstrip(b"\n"), b"}\n"))
            a, b = next(old_it, None), next(new_it, None)


def delta_ops(stream: IO[bytes], kind: str) -> Iterator[tuple[str, bytes | None]]:
    """(key, canonical line or None for a delete) of a delta, keys strictly increasing."""
    field = key_field(kind)
    previous = None
    for n, line in enumerate(stream, 1):
        try:
            op = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ContentError(f"delta line {n}: not JSON") from None
        if isinstance(op, dict) and "put" in op:
            key, out = _key(op["put"], field, f"delta line {n}"), canonical_line(op["put"])
        elif isinstance(op, dict) and isinstance(op.get("delete"), str):
            key, out = op["delete"], None
        else:
            raise ContentError(f"delta line {n}: neither a put nor a delete")
        if previous is not None and key <= previous:
            raise ContentError(f"delta line {n}: keys not in increasing order")
        previous = key
        yield key, out


def apply_delta(
    base: Iterable[tuple[str, bytes]], ops: Iterable[tuple[str, bytes | None]]
) -> Iterator[tuple[str, bytes]]:
    """(key, line) of the dataset that `ops` make from sorted `base` (a merge, in one pass)."""
    base_it, ops_it = iter(base), iter(ops)
    a, b = next(base_it, None), next(ops_it, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a
            a = next(base_it, None)
            continue
        same = a is not None and a[0] == b[0]
        if b[1] is None and not same:
            raise ContentError("delta deletes a record the base version does not hold")
        if b[1] is not None:
            yield b[0], b[1]
        if same:
            a = next(base_it, None)
        b = next(ops_it, None)


class HashingWriter:
    """Write lines to a binary stream while counting them and hashing what was written."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.lines = 0
        self.size = 0

    def write(self, line: bytes) -> None:
        self.out.write(line)
        self.digest.update(line)
        self.lines += 1
        self.size += len(line)

    def write_lines(self, lines: list[bytes]) -> None:
        """Several whole lines at once (a block copied unchanged from the held dataset)."""
        data = b"".join(lines)
        self.out.write(data)
        self.digest.update(data)
        self.lines += len(lines)
        self.size += len(data)


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no time stamp, no file name): the same content gives the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)
