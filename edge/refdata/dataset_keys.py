"""The keys of a held dataset, one per line beside it, so a delta merges without parsing JSON.

Merging a delta into a million-record dataset needs every record's key; parsing each line as
JSON to get it cost ~3 s of the ~4.5 s a delta's merge took. The booth writes the keys it
already knows (`dataset.keys`, same order as `dataset.jsonl`) when it makes a dataset, and the
next delta reads them instead (`block_merge.py`), checking lines against their keys by
substring (`"<field>":"<key>"`) where the merge depends on them; a key list out of step with
its dataset raises `KeyListError` and the apply parses the dataset instead, so a damaged key
list never blocks an update. It is a local convenience, not a trust anchor: the merged dataset
must still hash to the signed `dataset_sha256`. A dataset without the file (applied before it
existed, or a key holding a control character) is parsed as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from edge.refdata.content import ContentError

KEYS_FILE = "dataset.keys"


class KeyListError(ContentError):
    """The key list does not match its dataset (the dataset itself may be fine)."""


class KeyWriter:
    """Writes keys beside a dataset being made; drops the file for a key with a control
    character (one line per key, and lines that sort as their keys do)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] | None = open(path, "wb")  # noqa: SIM115 (closed in close())

    def add(self, key: str) -> None:
        if self.file is None:
            return
        data = key.encode("utf-8")
        if min(data, default=0) < 0x20:  # a control character: bytes order of "key\n" lines
            # would differ from the keys' order (and a newline splits the line); do without
            self.file.close()
            self.file = None
            self.path.unlink(missing_ok=True)
            return
        self.file.write(data + b"\n")

    def add_lines(self, raw: list[bytes]) -> None:
        """Keys as read from a key list (one line each, newline included)."""
        if self.file is not None:
            self.file.write(b"".join(raw))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
