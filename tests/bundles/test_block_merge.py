"""The block-by-block merge with the held key list gives exactly the line-by-line merge."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edge.refdata.block_merge import BLOCK, merge_blocks
from edge.refdata.content import ContentError, HashingWriter, apply_delta, canonical_line
from edge.refdata.dataset_keys import KeyListError, KeyWriter

N = 3 * BLOCK + 17  # several whole blocks and a partial one


def record(i: int, born: str = "1970-01-01") -> dict:
    return {"id": f"W{i:07d}", "names": [f"PERSON, NUMBER {i}"], "birth_date": born,
            "category": "deportee", "documents": [{"number": f"X{i}", "country": "UTO"}]}  # fmt: skip


def held() -> tuple[bytes, bytes]:
    rows = [canonical_line(record(i)) for i in range(0, 2 * N, 2)]  # even ids: room to insert
    keys = [f"W{i:07d}\n".encode() for i in range(0, 2 * N, 2)]
    return b"".join(rows), b"".join(keys)


def ops() -> list[tuple[str, bytes | None]]:
    """A put before the first key, changes, deletes, inserts in two blocks, puts after the end."""
    out: dict[str, bytes | None] = {
        "W0000001": canonical_line(record(1)),  # new, between the first two
        "W0000004": None,  # deleted
        f"W{2 * BLOCK + 10:07d}": canonical_line(record(2 * BLOCK + 10, "1950-01-01")),  # changed
        f"W{2 * BLOCK + 13:07d}": canonical_line(record(2 * BLOCK + 13)),  # new, third block
        f"W{2 * N + 5:07d}": canonical_line(record(2 * N + 5)),  # new, after the last
        f"W{2 * BLOCK - 2:07d}": None,  # the last line of the first block
        f"W{2 * BLOCK:07d}": canonical_line(record(2 * BLOCK, "1951-01-01")),  # first of the next
        f"W{2 * BLOCK + 2:07d}": None,  # and the line after it
    }
    return sorted(out.items())


def merged(tmp: Path, data: bytes, keys: bytes, delta) -> tuple[bytes, bytes, HashingWriter]:
    out = io.BytesIO()
    writer = HashingWriter(out)
    key_out = KeyWriter(tmp / "dataset.keys")
    merge_blocks(io.BytesIO(data), io.BytesIO(keys), delta, writer, key_out, "id")
    key_out.close()
    return out.getvalue(), (tmp / "dataset.keys").read_bytes(), writer


def test_same_bytes_and_keys_as_the_line_by_line_merge(tmp_path):
    data, keys = held()
    base = [
        (k.decode().strip(), line)
        for k, line in zip(keys.splitlines(True), data.splitlines(True), strict=True)
    ]
    expected = list(apply_delta(base, ops()))
    got, got_keys, writer = merged(tmp_path, data, keys, ops())
    assert got == b"".join(line for _, line in expected)
    assert got_keys == b"".join(k.encode() + b"\n" for k, _ in expected)
    assert writer.lines == len(expected) == N  # three added, three deleted


def test_a_shifted_key_list_is_refused(tmp_path):
    data, keys = held()
    shifted = b"W0000000\n" + keys  # one key too many at the start: every line is off by one
    with pytest.raises(KeyListError):
        merged(tmp_path, data, shifted[: len(keys)], ops())


def test_deleting_a_key_the_base_does_not_hold_is_refused(tmp_path):
    data, keys = held()
    with pytest.raises(ContentError, match="does not hold"):
        merged(tmp_path, data, keys, [("W0000003", None)])


def test_a_key_with_a_control_character_means_no_key_list(tmp_path):
    """Key lines must sort as the keys do; with a tab they might not, so no list is kept."""
    keys = KeyWriter(tmp_path / "dataset.keys")
    keys.add("W-1")
    keys.add("W-2\tX")
    keys.add("W-3")
    keys.close()
    assert not (tmp_path / "dataset.keys").exists()
