"""Turning an inspection into a signed wire record (pure: no I/O)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.document_reader import DocumentReading
from sekisho.wire import messages as m
from sekisho.wire.ids import uuid7
from sekisho.wire.signing import sign


def build_record(
    *,
    seq: int,
    port: str,
    booth: str,
    kind: str,
    reading: DocumentReading,
    decision: str,
    inspector: str,
    landing: tuple[str, int] | None,
    screening: m.ScreeningSummary | None = None,
    key: Ed25519PrivateKey,
    record_id: str | None = None,
    inspected_at: str | None = None,
) -> dict[str, Any]:
    """A validated, signed inspection record as a JSON-ready dict."""
    record = m.InspectionRecord(
        id=record_id or uuid7(),
        seq=seq,
        port=port,
        booth=booth,
        kind=kind,
        inspected_at=inspected_at or m.utc_now(),
        traveller=m.Traveller(
            surname=reading.surname,
            given_names=reading.given_names,
            nationality=reading.nationality,
            sex="X" if reading.sex in ("<", "X") else reading.sex,
            birth_date=reading.birth_date,
        ),
        document=m.Document(
            type=reading.document_type,
            number=reading.document_number,
            issuing_state=reading.issuing_state,
            expiry_date=reading.expiry_date,
        ),
        decision=decision,
        landing=m.Landing(status_of_residence=landing[0], period_days=landing[1])
        if landing
        else None,
        inspector=inspector,
        screening=screening or m.ScreeningSummary(),
    )
    return sign(m.dump(record), key)
