"""The keys of a held dataset, one per line beside it, so a delta merges without parsing JSON.

Merging a delta into a million-record dataset needs every record's key; parsing each line as
JSON to get it cost ~3 s of the ~4.5 s a delta's merge took. The booth writes the keys it
already knows (`dataset.keys`, same order as `dataset.jsonl`) when it makes a dataset, and the
next delta reads them instead, checking that each line holds `"<field>":"<key>"` (a substring
search, ~10 times cheaper than parsing); a key list out of step with its dataset raises
`KeyListError` and the apply parses the dataset instead, so a damaged key list neither blocks
an update nor reaches the next version. It is a local convenience, not a trust anchor: the
merged dataset must still hash to the signed `dataset_sha256`. A dataset without the file
(applied before it existed, or a key holding a newline) is parsed as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import zip_longest
from pathlib import Path
from typing import IO

from edge.refdata.content import ContentError, dataset_rows, key_field

KEYS_FILE = "dataset.keys"


class KeyListError(ContentError):
    """The key list does not match its dataset (the dataset itself may be fine)."""


class KeyWriter:
    """Writes keys beside a dataset being made; drops the file if a key cannot be one line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] | None = open(path, "wb")  # noqa: SIM115 (closed in close())

    def add(self, key: str) -> None:
        if self.file is None:
            return
        data = key.encode("utf-8")
        if b"\n" in data:
            self.file.close()
            self.file = None
            self.path.unlink(missing_ok=True)
            return
        self.file.write(data + b"\n")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def held_rows(
    stack: ExitStack, dataset: Path, kind: str, use_keys: bool = True
) -> Iterator[tuple[str, bytes]]:
    """(key, line) of a held dataset: keys from `dataset.keys` if present, else parsed."""
    data = stack.enter_context(open(dataset, "rb"))  # noqa: SIM115 (the stack closes it)
    keys_path = dataset.with_name(KEYS_FILE)
    if not use_keys or not keys_path.exists():
        return dataset_rows(data, kind, "held dataset")
    return _zipped(stack.enter_context(open(keys_path, "rb")), data, key_field(kind))


def _zipped(keys: IO[bytes], data: IO[bytes], field: str) -> Iterator[tuple[str, bytes]]:
    prefix = json.dumps(field).encode() + b':"'
    previous = None
    for n, (raw, line) in enumerate(zip_longest(keys, data), 1):
        if raw is None or line is None:
            raise KeyListError("held dataset and its key list differ in length")
        key = raw[:-1].decode("utf-8")
        if previous is not None and key <= previous:
            raise KeyListError(f"held dataset key list line {n}: keys not in increasing order")
        if prefix + raw[:-1] + b'"' not in line and _canonical(field, key) not in line:
            raise KeyListError(f"held dataset line {n} does not hold the key its key list names")
        previous = key
        yield key, line if line.endswith(b"\n") else line + b"\n"


def _canonical(field: str, key: str) -> bytes:
    """`"field":"key"` as canonical JSON writes it (for keys with quotes or escapes)."""
    return (json.dumps(field) + ":" + json.dumps(key, ensure_ascii=False)).encode("utf-8")
