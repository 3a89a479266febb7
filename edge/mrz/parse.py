"""Parse and validate an ICAO 9303 machine-readable zone (TD1, TD2, TD3, MRV-A, MRV-B).

Two entry points over the same work:
- `check_mrz(lines)` returns an `MrzResult` whose `failures` list every failed check digit and
  every invalid field value; it raises `MrzError` only when the text is not an MRZ at all
  (wrong number or length of lines, characters outside 0-9 A-Z <). OCR uses it to try corrections.
- `parse_mrz(lines)` does the same but raises `MrzError` for the first failure, so a result it
  returns is always valid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from edge.mrz.checkdigit import check_digit
from edge.mrz.countries import country_name, normalize_code
from edge.mrz.formats import (
    CHARCLASS_CHARS,
    FORMATS,
    MRZ_CHARS,
    CheckSpec,
    MrzFormat,
    detect_format,
    formats_for_shape,
)
from edge.mrz.names import split_name_field

logger = logging.getLogger(__name__)

# Expiry dates are read as up to this many years ahead of `today`, else in the past.
EXPIRY_YEARS_AHEAD = 20

# Which first letters of the document code each format allows (Doc 9303 Parts 4-7).
DOCUMENT_CODE_FIRST: dict[str, str] = {
    "TD1": "ACI",
    "TD2": "ACI",
    "TD3": "P",
    "MRV-A": "V",
    "MRV-B": "V",
}


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


# ---------------------------------------------------------------------------------------------
# Input and structure


def split_lines(text_or_lines: str | list[str] | tuple[str, ...]) -> list[str]:
    """MRZ lines from text (newline-separated) or a list, without surrounding whitespace."""
    raw = text_or_lines.splitlines() if isinstance(text_or_lines, str) else list(text_or_lines)
    return [line.strip() for line in raw if line.strip()]


_SHAPES_TEXT = "3 lines of 30 (TD1), 2 lines of 36 (TD2, MRV-B) or 2 lines of 44 (TD3, MRV-A)"
# The MRZ shapes by line count: 3 lines are TD1, 2 lines are 36 or 44 characters long.
_LENGTHS_FOR_COUNT: dict[int, tuple[int, ...]] = {3: (30,), 2: (36, 44)}


def _first_bad_character(lines: list[str]) -> tuple[int, int, str] | None:
    for ln, line in enumerate(lines):
        for col, char in enumerate(line):
            if char not in MRZ_CHARS:
                return ln, col, char
    return None


def _bad_character_text(char: str) -> str:
    hint = " (lower case is not allowed)" if char.upper() in MRZ_CHARS and char.isalpha() else ""
    return f"{char!r} is not an MRZ character{hint}; only 0-9, A-Z and '<' are"


def _shape_message(lines: list[str]) -> str:
    """Say which line is off, when the line count and the other lines tell the expected length."""
    lengths = [len(line) for line in lines]
    message = f"an MRZ is {_SHAPES_TEXT}; got {len(lines)} line(s) of {', '.join(map(str, lengths))} characters"
    for length in _LENGTHS_FOR_COUNT.get(len(lines), ()):
        off = [i for i, n in enumerate(lengths) if n != length]
        if len(off) < len(lines) and len(off) >= 1:
            names = ", ".join(f.name for f in formats_for_shape(len(lines), length))
            message = "; ".join(
                f"line {i + 1} has {lengths[i]} characters, expected {length} ({names})"
                for i in off
            )
            break
    bad = _first_bad_character(lines)
    if bad is not None:
        ln, col, char = bad
        message += f"; line {ln + 1} column {col + 1}: {_bad_character_text(char)}"
    return message


def _check_characters(lines: list[str], fmt: MrzFormat) -> None:
    bad = _first_bad_character(lines)
    if bad is None:
        return
    ln, col, char = bad
    name = fmt.field_at(ln, col).name
    raise MrzError(
        name,
        "bad_character",
        f"line {ln + 1} column {col + 1} ({name}): {_bad_character_text(char)}",
    )


def _structure(text_or_lines: str | list[str]) -> tuple[MrzFormat, list[str]]:
    lines = split_lines(text_or_lines)
    if not lines:
        raise MrzError("mrz", "empty", "no MRZ lines given")
    name = detect_format(lines)
    if name is None:
        raise MrzError("mrz", "shape", _shape_message(lines))
    fmt = FORMATS[name]
    _check_characters(lines, fmt)
    return fmt, lines


# ---------------------------------------------------------------------------------------------
# Field values


def _class_failure(name: str, raw: str, charclass: str) -> CheckFailure | None:
    allowed = CHARCLASS_CHARS[charclass]
    bad = [c for c in raw if c not in allowed]
    if not bad:
        return None
    return CheckFailure(
        name,
        "bad_character",
        f"{name} {raw!r} holds {bad[0]!r}, which a {charclass} field does not allow",
    )


def infer_birth_date(raw: str, today: date) -> date | None:
    """The date for YYMMDD `raw` in the century that puts it on or before `today`; None if unknown.

    Raises ValueError when `raw` is not a date in either century.
    """
    if "<" in raw:
        return None
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    base = today.year - today.year % 100
    for year in (base + yy, base + yy - 100):
        try:
            candidate = date(year, mm, dd)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError(f"{raw!r} is not a date (YYMMDD)")


def infer_expiry_date(raw: str, today: date, years_ahead: int = EXPIRY_YEARS_AHEAD) -> date | None:
    """The date for YYMMDD `raw` at most `years_ahead` years after `today`; None if unknown."""
    if "<" in raw:
        return None
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    base = today.year - today.year % 100
    horizon = date(today.year + years_ahead, 12, 31)
    for year in (base + yy + 100, base + yy, base + yy - 100):
        try:
            candidate = date(year, mm, dd)
        except ValueError:
            continue
        if candidate <= horizon:
            return candidate
    raise ValueError(f"{raw!r} is not a date (YYMMDD)")


def _date_field(result: MrzResult, name: str, raw: str, today: date, infer: Any) -> date | None:
    failure = _class_failure(name, raw, "numeric")
    if failure is not None:
        result.failures.append(failure)
        return None
    try:
        return infer(raw, today)
    except ValueError:
        result.failures.append(
            CheckFailure(name, "bad_date", f"{name} {raw!r} is not a valid date (YYMMDD)")
        )
        return None


def _state_field(result: MrzResult, name: str, raw: str) -> str:
    code = normalize_code(raw)
    if country_name(raw) is None:
        result.failures.append(
            CheckFailure(
                name, "unknown_code", f"{name} {raw!r} is not an ICAO state or organisation code"
            )
        )
    return code


def _document_code(result: MrzResult, fmt: MrzFormat, raw: str) -> str:
    allowed = DOCUMENT_CODE_FIRST[fmt.name]
    if raw[0] not in allowed:
        choices = ", ".join(allowed)
        result.failures.append(
            CheckFailure(
                "document_code",
                "bad_document_code",
                f"document_code {raw!r} does not start with {choices} as {fmt.name} documents do",
            )
        )
    return raw.rstrip("<")


def _sex(result: MrzResult, raw: str) -> str:
    if raw not in CHARCLASS_CHARS["sex"]:
        result.failures.append(CheckFailure("sex", "bad_sex", f"sex {raw!r} is not M, F, X or '<'"))
        return ""
    return "X" if raw == "<" else raw


# ---------------------------------------------------------------------------------------------
# Check digits


def _record_check(result: MrzResult, name: str, covered: str, found: str) -> None:
    expected = check_digit(covered)
    ok = found == expected
    result.checks[name] = CheckResult(name, found, expected, covered, ok)
    if not ok:
        what = "composite check digit" if name == "composite" else f"check digit of {name}"
        result.failures.append(
            CheckFailure(
                name, "check_digit", f"{what} is {found}, expected {expected}", found, expected
            )
        )


def _document_number(result: MrzResult, fmt: MrzFormat, lines: list[str]) -> None:
    """The document number and its check, following a long number into the optional data."""
    raw = fmt.field("document_number").extract(lines)
    spec = fmt.check("document_number_check")
    digit = lines[spec.line][spec.col]
    overflow_field = "optional_data_1" if fmt.name in ("TD1", "TD2") else None
    if digit == "<" and overflow_field is not None:
        optional = fmt.field(overflow_field).extract(lines)
        extension = optional.split("<", 1)[0]
        if extension:
            # Doc 9303 Parts 5-6: the number goes on in the optional data, then its check digit.
            result.long_document_number = True
            number = raw + extension[:-1]
            result.document_number = number
            setattr(result, overflow_field, optional[len(extension) :].strip("<"))
            _record_check(result, "document_number", number, extension[-1])
            return
    result.document_number = raw.rstrip("<")
    _record_check(result, "document_number", spec.covered_text(lines), digit)


def _personal_number_check(result: MrzResult, spec: CheckSpec, lines: list[str]) -> None:
    covered = spec.covered_text(lines)
    digit = lines[spec.line][spec.col]
    if digit == "<" and covered == "<" * len(covered):
        # An empty personal number may carry '<' instead of 0 as its check digit.
        result.checks["personal_number"] = CheckResult("personal_number", "<", "<", covered, True)
        return
    _record_check(result, "personal_number", covered, digit)


def _checks(result: MrzResult, fmt: MrzFormat, lines: list[str]) -> None:
    for spec in fmt.checks:
        if spec.field == "document_number":
            _document_number(result, fmt, lines)
        elif spec.field == "personal_number":
            _personal_number_check(result, spec, lines)
        else:
            _record_check(result, spec.field, spec.covered_text(lines), lines[spec.line][spec.col])


# ---------------------------------------------------------------------------------------------
# Entry points


def check_mrz(text_or_lines: str | list[str], *, today: date | None = None) -> MrzResult:
    """Decode an MRZ and record every failed check in `result.failures` (never raised).

    Raises MrzError only when the input is not shaped like an MRZ (line count and lengths,
    characters outside 0-9, A-Z and '<').
    """
    fmt, lines = _structure(text_or_lines)
    today = today or date.today()
    result = MrzResult(format=fmt.name, lines=lines, today=today)

    def raw(name: str) -> str:
        return fmt.field(name).extract(lines)

    result.document_code = _document_code(result, fmt, raw("document_code"))
    result.issuing_state = _state_field(result, "issuing_state", raw("issuing_state"))
    _checks(result, fmt, lines)

    names = split_name_field(raw("names"))
    result.primary_identifier = names.primary
    result.secondary_identifier = names.secondary
    result.names_truncated = names.truncated
    failure = _class_failure("names", raw("names"), "name")
    if failure is None and not names.primary and not names.secondary:
        failure = CheckFailure("names", "empty_name", "names field holds no name")
    if failure is not None:
        result.failures.append(failure)

    result.nationality = _state_field(result, "nationality", raw("nationality"))
    result.birth_date_raw = raw("birth_date")
    result.birth_date = _date_field(
        result, "birth_date", result.birth_date_raw, today, infer_birth_date
    )
    result.sex_raw = raw("sex")
    result.sex = _sex(result, result.sex_raw)
    result.expiry_date_raw = raw("expiry_date")
    result.expiry_date = _date_field(
        result, "expiry_date", result.expiry_date_raw, today, infer_expiry_date
    )

    if fmt.name == "TD1":
        if not result.long_document_number:
            result.optional_data_1 = raw("optional_data_1").rstrip("<")
        result.optional_data_2 = raw("optional_data_2").rstrip("<")
    elif fmt.name == "TD3":
        result.personal_number = raw("personal_number").rstrip("<")
    elif not result.long_document_number:
        result.optional_data_1 = raw("optional_data_1").rstrip("<")

    _order_failures(result, fmt)
    return result


def _order_failures(result: MrzResult, fmt: MrzFormat) -> None:
    """Report failures in reading order (line, column), composite last."""
    position = {f.name: (f.line, f.start) for f in fmt.fields}
    position["composite"] = (99, 0)

    def key(failure: CheckFailure) -> tuple[int, int, int]:
        line, col = position.get(failure.field, (98, 0))
        return (line, col, 0 if failure.reason != "check_digit" else 1)

    result.failures.sort(key=key)


def parse_mrz(
    text_or_lines: str | list[str], *, today: date | None = None, strict: bool = True
) -> MrzResult:
    """Decode and validate an MRZ; raise MrzError naming the first failing field.

    With `strict=False` this is `check_mrz`: failures are recorded in the result, not raised.
    `today` (default: the system date) anchors the century of two-digit years.
    """
    result = check_mrz(text_or_lines, today=today)
    if strict and result.failures:
        first = result.failures[0]
        raise MrzError(
            first.field, first.reason, first.message, result=result, failures=list(result.failures)
        )
    return result
