"""Helpers shared by the foundation tests."""

from __future__ import annotations

import time
from pathlib import Path

from sekisho.stack.net import free_port
from sekisho.wire import messages as m
from sekisho.wire.ids import uuid7


def make_record(seq: int, port: str = "NRT", booth: str = "B01") -> dict:
    rec = m.InspectionRecord(
        id=uuid7(),
        seq=seq,
        port=port,
        booth=booth,
        kind="departure",
        inspected_at=m.utc_now(),
        traveller=m.Traveller(
            surname="SMITH", given_names="JOHN", nationality="USA", sex="M", birth_date="1980-01-02"
        ),
        document=m.Document(type="P", number=f"X{seq:08d}", issuing_state="USA"),
        decision="departed",
        inspector="J0001",
    )
    return m.dump(rec)


def wait_for(predicate, timeout: float, step: float = 0.2) -> bool:
    """Poll `predicate` until true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def write_central_config(
    directory: Path, broker_port: int, database: tuple[str, str], **extra: object
) -> tuple[Path, int]:
    """A [central] config for an East aggregator on `broker_port`; returns (path, http port)."""
    from sekisho.wire.signing import load_or_create_private_key

    load_or_create_private_key(directory / "centre.key")
    http = free_port()
    lines = [
        "[central]",
        'centre = "east"',
        f'database = "{database[0]}"',
        f'db_schema = "{database[1]}"',
        f'key_file = "{directory / "centre.key"}"',
        *(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in extra.items()),
        f"[central.broker]\nport = {broker_port}",
        f"[central.http]\nport = {http}",
    ]
    path = directory / "central.toml"
    path.write_text("\n".join(lines) + "\n")
    return path, http
