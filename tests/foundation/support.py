"""Helpers shared by the foundation tests."""

from __future__ import annotations

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
