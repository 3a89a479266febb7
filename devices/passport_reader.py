"""The booth's passport reader: MRZ by camera (OCR), then the chip with the MRZ's access key.

    reader = PassportDocumentReader(feed, trust)        # a DocumentReader like any other
    reading = await reader.read()                        # DocumentReading, or DocumentReadError

The printed MRZ is read from the page image (`edge.mrz.ocr`); when the document has a chip, it is
read over the card transport with the key from that MRZ (BAC/PACE, Secure Messaging), DG1 is
compared with the printed MRZ, and Passive Authentication checks the chip's data against the
trusted CSCAs. The chip photo (DG2) becomes the reading's portrait for the face check. A page
whose MRZ is not read with confidence, or a chip that fails, raises `DocumentReadError`: the
inspector presents the document again; nothing is guessed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from devices.document_reader import DocumentReading

logger = logging.getLogger(__name__)


class DocumentReadError(Exception):
    """The presented document could not be read reliably; the reason is for the inspector."""


@dataclass
class Presented:
    """One presented document: the page image and, when it has one, the chip's transport."""

    page: Any  # BGR numpy array of the data page
    chip: Any | None = None  # devices.emrtd.pcsc.CardTransport (or the simulated DirectTransport)


class DocumentFeed(Protocol):
    """The document camera/scanner and the chip reader of one booth."""

    def present(self) -> Presented: ...

    def status(self) -> str: ...


def _fields(reading: Any) -> dict[str, Any]:
    f = reading.fields
    return {
        "document_type": (f.get("document_code") or "P")[:1],
        "document_number": f["document_number"],
        "issuing_state": f["issuing_state"],
        "surname": f.get("primary_identifier") or "",
        "given_names": f.get("secondary_identifier") or "",
        "nationality": f["nationality"],
        "sex": f.get("sex") or "X",
        "birth_date": f.get("birth_date"),
        "expiry_date": f.get("expiry_date"),
        "names_truncated": bool(f.get("names_truncated")),
    }


class PassportDocumentReader:
    """A DocumentReader over a `DocumentFeed`: OCR of the MRZ, then the chip."""

    name = "passport-reader"

    def __init__(self, feed: DocumentFeed, trust: Any = None, min_confidence: float = 0.9) -> None:
        self.feed = feed
        self.trust = trust
        self.min_confidence = min_confidence
        self.failures = 0

    async def read(self) -> DocumentReading:
        return await asyncio.to_thread(self.read_now)

    def read_now(self) -> DocumentReading:
        try:
            return self._read(self.feed.present())
        except DocumentReadError:
            self.failures += 1
            raise

    def _read(self, doc: Presented) -> DocumentReading:
        from edge.mrz.ocr.reader import read_mrz

        mrz = read_mrz(doc.page)
        if mrz.mrz is None:
            raise DocumentReadError(f"MRZ not found: {mrz.reason}")
        if not mrz.valid or mrz.confidence < self.min_confidence:
            raise DocumentReadError(
                f"MRZ not read reliably (valid={mrz.valid}, confidence {mrz.confidence:.2f})"
            )
        fields = _fields(mrz)
        if doc.chip is None:
            return DocumentReading(**fields, source="mrz", extras={"chip": "none"})
        report, face = self._chip(doc.chip, mrz.mrz)
        extras = {
            "chip": "read",
            "access": str(report.get("access")),
            "passive_auth": str(report["passive_auth"]["status"]),
            "dg1_matches_mrz": str(report.get("dg1_matches_mrz")),
        }
        return DocumentReading(**fields, source="mrz+chip", extras=extras, portrait=face)

    def _chip(self, transport: Any, printed: str) -> tuple[dict[str, Any], Any]:
        from devices.emrtd.bac import MRZKey
        from devices.emrtd.errors import EmrtdError
        from devices.emrtd.service import read_passport

        try:
            key = MRZKey.from_mrz(printed)
            report, face = read_passport(transport, key, trust=self.trust, printed_mrz=printed)
        except (EmrtdError, ValueError) as exc:
            raise DocumentReadError(f"chip not read: {exc}") from None
        if report.get("dg1_matches_mrz") is False:
            raise DocumentReadError("the chip's DG1 differs from the printed MRZ")
        return report, face

    def status(self) -> str:
        return self.feed.status()
