"""Merge a delta into a held dataset by copying the runs of lines between its operations.

A 10,000-record delta touches 10,000 of a million lines. With the held key list
(`dataset_keys.py`), each operation's place in a block of lines is found by binary search and
the untouched lines before it are copied as one write (and one sha256 update) instead of line
by line. The lines the merge decides on (each run's first and last line, and every replaced or
deleted line) are checked against their keys. The result must still hash to the signed
`dataset_sha256`, so a key list that is wrong where it matters makes the apply fall back to
parsing (`KeyListError`), and one that is wrong elsewhere changes nothing.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

from edge.refdata.content import ContentError, HashingWriter
from edge.refdata.dataset_keys import KeyListError, KeyWriter

BLOCK = 16_384  # lines read at a time from the dataset and its key list

Op = tuple[str, bytes | None]


def _blocks(data: IO[bytes], keys: IO[bytes]) -> Iterator[tuple[list[bytes], list[bytes]]]:
    previous = b""
    while True:
        kblock, dblock = list(islice(keys, BLOCK)), list(islice(data, BLOCK))
        if len(kblock) != len(dblock):
            raise KeyListError("held dataset and its key list differ in length")
        if not dblock:
            return
        if not kblock[-1].endswith(b"\n") or not dblock[-1].endswith(b"\n"):
            raise KeyListError("held dataset or its key list ends in a partial line")
        if kblock[0] <= previous or sorted(kblock) != kblock:
            raise KeyListError("held key list is not in increasing order")
        previous = kblock[-1]
        yield kblock, dblock


def merge_blocks(
    data: IO[bytes],
    keys: IO[bytes],
    ops: Iterable[Op],
    writer: HashingWriter,
    key_out: KeyWriter,
    field: str,
) -> None:
    """Write the dataset that sorted `ops` make from the held `data` with its key list."""
    out = _Run(writer, key_out, field)
    it = iter(ops)
    op = next(it, None)
    for kblock, dblock in _blocks(data, keys):
        last = kblock[-1][:-1].decode("utf-8")
        pos = 0
        while op is not None and op[0] <= last:
            wanted = op[0].encode("utf-8") + b"\n"
            j = bisect_left(kblock, wanted, pos)
            out.copy(kblock, dblock, pos, j)
            if j < len(kblock) and kblock[j] == wanted:
                out.check(kblock[j], dblock[j])
                if op[1] is not None:
                    out.put(op[0], op[1])
                pos = j + 1
            else:
                _put(op, out)
                pos = j
            op = next(it, None)
        out.copy(kblock, dblock, pos, len(kblock))
    while op is not None:
        _put(op, out)
        op = next(it, None)


class _Run:
    """Where merged lines go (the dataset writer and the key list), with the checks on them."""

    def __init__(self, writer: HashingWriter, keys: KeyWriter, field: str) -> None:
        self.writer, self.keys = writer, keys
        self.prefix = json.dumps(field).encode() + b':"'
        self.field = field

    def put(self, key: str, line: bytes) -> None:
        self.writer.write(line)
        self.keys.add(key)

    def copy(self, kblock: list[bytes], dblock: list[bytes], start: int, end: int) -> None:
        """Lines start..end-1 unchanged (their first and last checked against their keys)."""
        if end <= start:
            return
        self.check(kblock[start], dblock[start])
        self.check(kblock[end - 1], dblock[end - 1])
        self.writer.write_lines(dblock[start:end])
        self.keys.add_lines(kblock[start:end])

    def check(self, raw: bytes, line: bytes) -> None:
        """The line has `"field":"key"` for the key the key list names (raw ends in a newline)."""
        if self.prefix + raw[:-1] + b'"' in line:
            return
        text = json.dumps(self.field) + ":" + json.dumps(raw[:-1].decode(), ensure_ascii=False)
        if text.encode("utf-8") not in line:
            raise KeyListError("held dataset line does not hold the key its key list names")


def _put(op: Op, out: _Run) -> None:
    if op[1] is None:
        raise ContentError("delta deletes a record the base version does not hold")
    out.put(op[0], op[1])
