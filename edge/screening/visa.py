"""Visa issuance records (from the foreign ministry): is there a usable visa for this traveller?

A record is found by passport number, then checked: it names this traveller (name, birth date,
nationality), today is within its validity, and a single-entry visa has not been used yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from edge.screening.dates import pack_date
from edge.screening.documents import normalise_number
from edge.screening.names import render_latin
from edge.screening.records import ReferenceDataError
from edge.screening.similarity import match_name
from edge.screening.text import name_tokens

logger = logging.getLogger(__name__)

NAME_MATCH = 0.85
_REQUIRED = ("visa_number", "surname", "passport_number", "valid_from", "valid_until")


@dataclass(frozen=True)
class VisaCheck:
    """Outcome: status 'valid', 'expired', 'not_yet_valid', 'used', 'mismatch' or 'not_found'."""

    status: str
    visa_number: str | None
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "visa_number": self.visa_number,
            "reasons": list(self.reasons),
        }


def _used(record: dict[str, Any]) -> int:
    return int(record.get("used", 0))  # a count, or true/false


def check_visa_record(record: dict[str, Any], where: str = "visa record") -> dict[str, Any]:
    """Check the fields a visa record needs."""
    missing = [f for f in _REQUIRED if not record.get(f)]
    if missing:
        raise ReferenceDataError(f"{where}: missing {', '.join(missing)}")
    try:
        date.fromisoformat(record["valid_from"])
        date.fromisoformat(record["valid_until"])
    except ValueError:
        raise ReferenceDataError(f"{where}: validity dates must be YYYY-MM-DD") from None
    return record


def _tokens(text: str | None) -> list[str]:
    return name_tokens(text or "")


def _problems(
    record: dict[str, Any], traveller: dict[str, Any], today: date
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    rendering = render_latin(record["surname"], record.get("given_names", ""))
    surname, given = _tokens(traveller.get("surname")), _tokens(traveller.get("given_names"))
    name = match_name(tuple(surname), tuple(given), rendering)
    if name.score < NAME_MATCH:
        problems.append(
            ("mismatch", f"visa is for {record['surname']} {record.get('given_names', '')}".strip())
        )
    if record.get("birth_date") and pack_date(record["birth_date"]) != pack_date(
        traveller.get("birth_date")
    ):
        problems.append(
            ("mismatch", f"visa birth date {record['birth_date']} ≠ {traveller.get('birth_date')}")
        )
    nat = record.get("nationality")
    if nat and traveller.get("nationality") and nat != traveller["nationality"]:
        problems.append(("mismatch", f"visa nationality {nat} ≠ {traveller['nationality']}"))
    if today < date.fromisoformat(record["valid_from"]):
        problems.append(("not_yet_valid", f"valid from {record['valid_from']}"))
    if today > date.fromisoformat(record["valid_until"]):
        problems.append(("expired", f"expired {record['valid_until']}"))
    if record.get("entries", "single") == "single" and _used(record) >= 1:
        problems.append(("used", "single-entry visa already used"))
    return problems


class VisaRegistry:
    """Visa records by normalised passport number."""

    def __init__(self, records: Iterable[dict[str, Any]] = ()) -> None:
        self.by_passport: dict[str, list[dict[str, Any]]] = {}
        for n, record in enumerate(records, 1):
            check_visa_record(record, f"visa record {n}")
            key = normalise_number(record["passport_number"])
            self.by_passport.setdefault(key, []).append(record)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_passport.values())

    def check(self, traveller: dict[str, Any], today: date) -> VisaCheck:
        """The best visa for this traveller's passport, or why none can be used."""
        number = normalise_number(traveller.get("document_number") or "")
        records = self.by_passport.get(number, [])
        if not records:
            return VisaCheck(
                "not_found", None, (f"no visa issued for passport {number or '(none)'}",)
            )
        ranked = sorted(
            ((_problems(r, traveller, today), r) for r in records),
            key=lambda pr: (len(pr[0]), pr[1]["valid_until"]),
        )
        problems, record = ranked[0]
        if not problems:
            until = record["valid_until"]
            kind = record.get("type", "visa")
            return VisaCheck("valid", record["visa_number"], (f"{kind} valid until {until}",))
        order = ("mismatch", "expired", "not_yet_valid", "used")
        status = min((p for p, _ in problems), key=order.index)
        return VisaCheck(status, record["visa_number"], tuple(reason for _, reason in problems))
