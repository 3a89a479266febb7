"""Merge a delta into a held dataset block by block, copying untouched blocks whole.

A 10,000-record delta touches a few thousand of a million lines. With the held key list
(`dataset_keys.py`), blocks of lines that no operation falls in are copied as one write (and
one sha256 update) instead of line by line; only blocks an operation falls in are merged line
by line, and there every key the merge decides on is checked against its line. The result must
still hash to the signed `dataset_sha256`, so a key list that is wrong where it matters makes
the apply fall back to parsing (`KeyListError`), and one that is wrong elsewhere changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

from edge.refdata.content import ContentError, HashingWriter
from edge.refdata.dataset_keys import KeyListError, KeyWriter

BLOCK = 4096  # lines per block: large enough to make copies cheap, small for the merged ones

Op = tuple[str, bytes | None]


class _Lines:
    """Where merged lines go: the dataset writer and the key list."""

    def __init__(self, writer: HashingWriter, keys: KeyWriter) -> None:
        self.writer, self.keys = writer, keys

    def put(self, key: str, line: bytes) -> None:
        self.writer.write(line)
        self.keys.add(key)


def _holds(line: bytes, field: str, raw_key: bytes) -> bool:
    """Whether a canonical line has `"field":"key"` (the key list names its line)."""
    if (json.dumps(field).encode() + b':"' + raw_key + b'"') in line:
        return True
    key = raw_key.decode("utf-8")
    return (json.dumps(field) + ":" + json.dumps(key, ensure_ascii=False)).encode() in line


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
    out = _Lines(writer, key_out)
    it = iter(ops)
    op = next(it, None)
    for kblock, dblock in _blocks(data, keys):
        last = kblock[-1][:-1].decode("utf-8")
        if op is None or op[0] > last:  # no operation in this block: copy it whole
            for i in (0, -1):
                if not _holds(dblock[i], field, kblock[i][:-1]):
                    raise KeyListError("held dataset line does not hold the key its key list names")
            writer.write_lines(dblock)
            key_out.add_lines(kblock)
            continue
        for raw, line in zip(kblock, dblock, strict=True):
            if not _holds(line, field, raw[:-1]):
                raise KeyListError("held dataset line does not hold the key its key list names")
            op = _merge_line(raw[:-1].decode("utf-8"), line, op, it, out)
    while op is not None:
        _put(op, out)
        op = next(it, None)


def _merge_line(key: str, line: bytes, op: Op | None, it: Iterator[Op], out: _Lines) -> Op | None:
    """Emit the operations before `key`, then the line or what replaces it; the next op."""
    while op is not None and op[0] < key:
        _put(op, out)
        op = next(it, None)
    if op is not None and op[0] == key:
        if op[1] is not None:
            out.put(key, op[1])
        return next(it, None)
    out.put(key, line)
    return op


def _put(op: Op, out: _Lines) -> None:
    if op[1] is None:
        raise ContentError("delta deletes a record the base version does not hold")
    out.put(op[0], op[1])
