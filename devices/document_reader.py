"""The document reader interface: what the booth gets when a travel document is presented.

Real readers (a camera or full-page scanner running MRZ OCR, plus the chip reader) and the
simulated reader both produce a `DocumentReading`. The workflow never knows which it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class DocumentReading:
    """Identity and document fields as read from the MRZ (and chip, when present)."""

    document_type: str
    document_number: str
    issuing_state: str
    surname: str
    given_names: str
    nationality: str
    sex: str
    birth_date: str | None
    expiry_date: str | None
    source: str = "mrz"
    extras: dict[str, str] = field(default_factory=dict)
    # The MRZ's name field is full: its last name may have been cut to fit (ICAO 9303-3, 4.6).
    names_truncated: bool = False
    # The chip photo (DG2) for the face check: encoded image bytes or a decoded BGR array.
    portrait: Any = field(default=None, repr=False)


class DocumentReader(Protocol):
    """A device that yields one reading per presented document."""

    name: str

    async def read(self) -> DocumentReading: ...

    def status(self) -> str:
        """'ok', 'absent' or 'fault', for the booth heartbeat."""
        ...
