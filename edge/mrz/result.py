"""The outcome of parsing an MRZ: decoded fields, check results, failures, and the error type."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from edge.mrz.countries import country_name

logger = logging.getLogger(__name__)


class MrzError(ValueError):
    """An MRZ that cannot be accepted; `field` names the failing field, `reason` is a short code.

    `result` holds the partial MrzResult when the structure was readable (None otherwise) and
    `failures` every failure found, the first of which is this error's message.
    """

    def __init__(
        self,
        field: str,
        reason: str,
        message: str,
        *,
        result: MrzResult | None = None,
        failures: list[CheckFailure] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.message = message
        self.result = result
        self.failures = failures or []

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class CheckFailure:
    """One failed check: a check digit (reason 'check_digit') or a field value (other reasons)."""

    field: str
    reason: str
    message: str
    found: str | None = None
    expected: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "reason": self.reason, "message": self.message}
        if self.found is not None:
            out["found"] = self.found
            out["expected"] = self.expected
        return out


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check digit: the digit printed, the digit computed, what it covered."""

    field: str  # "document_number", ..., or "composite"
    found: str
    expected: str
    covered: str
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {"found": self.found, "expected": self.expected, "ok": self.ok}


@dataclass
class MrzResult:
    """Every field of one MRZ, decoded, with the outcome of each check."""

    format: str
    lines: list[str]
    document_code: str = ""
    issuing_state: str = ""
    document_number: str = ""
    primary_identifier: str = ""
    secondary_identifier: str = ""
    names_truncated: bool = False
    nationality: str = ""
    birth_date: date | None = None
    birth_date_raw: str = ""
    sex: str = ""
    sex_raw: str = ""
    expiry_date: date | None = None
    expiry_date_raw: str = ""
    optional_data_1: str | None = None
    optional_data_2: str | None = None
    personal_number: str | None = None
    long_document_number: bool = False
    checks: dict[str, CheckResult] = field(default_factory=dict)
    failures: list[CheckFailure] = field(default_factory=list)
    today: date | None = None

    @property
    def valid(self) -> bool:
        """True when every check digit matches and every field value is allowed."""
        return not self.failures

    @property
    def composite_check(self) -> CheckResult | None:
        """The composite check digit result (None for visas, which have none)."""
        return self.checks.get("composite")

    @property
    def expired(self) -> bool | None:
        """True when the expiry date is before `today` (None when unknown)."""
        if self.expiry_date is None or self.today is None:
            return None
        return self.expiry_date < self.today

    @property
    def mrz(self) -> str:
        """The lines joined with newlines."""
        return "\n".join(self.lines)

    def fields(self) -> dict[str, Any]:
        """The decoded fields, JSON-ready (dates as YYYY-MM-DD strings)."""
        return {
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "issuing_state_name": country_name(self.issuing_state),
            "document_number": self.document_number,
            "primary_identifier": self.primary_identifier,
            "secondary_identifier": self.secondary_identifier,
            "names_truncated": self.names_truncated,
            "nationality": self.nationality,
            "nationality_name": country_name(self.nationality),
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "birth_date_raw": self.birth_date_raw,
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "expiry_date_raw": self.expiry_date_raw,
            "expired": self.expired,
            "optional_data_1": self.optional_data_1,
            "optional_data_2": self.optional_data_2,
            "personal_number": self.personal_number,
            "long_document_number": self.long_document_number,
        }

    def to_dict(self) -> dict[str, Any]:
        """`{"valid", "format", "mrz", "fields", "checks", "errors"}`, ready for json.dumps."""
        return {
            "valid": self.valid,
            "format": self.format,
            "mrz": self.mrz,
            "fields": self.fields(),
            "checks": {name: c.to_dict() for name, c in self.checks.items()},
            "errors": [f.to_dict() for f in self.failures],
        }
