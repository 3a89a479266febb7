"""Reference data records (JSON lines): watchlist entries, visa records and travellers.

Validation raises `ReferenceDataError` naming the line and the field, so a person can fix the file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from edge.screening.dates import DateError, pack_date

logger = logging.getLogger(__name__)

CATEGORIES = ("deportee", "wanted", "person_of_interest", "lost_stolen_document")


class ReferenceDataError(ValueError):
    """A reference data record that cannot be used, with where and why."""


def check_entry(entry: dict[str, Any], where: str = "entry") -> dict[str, Any]:
    """Check a watchlist entry's fields; returns it unchanged."""
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: expected a JSON object")
    if not entry.get("id"):
        raise ReferenceDataError(f"{where}: missing 'id'")
    names = entry.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ReferenceDataError(f"{where} ({entry['id']}): 'names' must be a list of strings")
    docs = entry.get("documents", [])
    if not isinstance(docs, list) or not all(isinstance(d, dict) and d.get("number") for d in docs):
        raise ReferenceDataError(f"{where} ({entry['id']}): each document needs a 'number'")
    if not names and not docs:
        raise ReferenceDataError(f"{where} ({entry['id']}): an entry needs names or documents")
    if not entry.get("category"):
        raise ReferenceDataError(f"{where} ({entry['id']}): missing 'category'")
    try:
        pack_date(entry.get("birth_date"))
    except DateError as exc:
        raise ReferenceDataError(f"{where} ({entry['id']}): {exc}") from None
    return entry


def check_traveller(traveller: dict[str, Any]) -> dict[str, Any]:
    """Check a traveller as read from the MRZ or chip."""
    if not isinstance(traveller, dict):
        raise ReferenceDataError("traveller: expected a JSON object")
    if not (
        traveller.get("surname") or traveller.get("given_names") or traveller.get("document_number")
    ):
        raise ReferenceDataError("traveller: needs a surname, given names or a document number")
    try:
        pack_date(traveller.get("birth_date"))
    except DateError as exc:
        raise ReferenceDataError(f"traveller {traveller.get('id', '')}: {exc}") from None
    if not isinstance(traveller.get("names_truncated", False), bool):
        raise ReferenceDataError(
            f"traveller {traveller.get('id', '')}: names_truncated must be true or false"
        )
    return traveller


def read_jsonl(lines: Iterable[str], source: str = "input") -> Iterator[dict[str, Any]]:
    """Parse JSON lines, skipping blank ones; errors name the source and line number."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReferenceDataError(f"{source} line {lineno}: not JSON ({exc.msg})") from None


def read_entries(lines: Iterable[str], source: str = "watchlist") -> Iterator[dict[str, Any]]:
    """Watchlist entries from JSON lines, each checked."""
    for n, entry in enumerate(read_jsonl(lines, source), 1):
        yield check_entry(entry, f"{source} record {n}")
