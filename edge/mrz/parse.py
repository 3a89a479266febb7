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
from collections.abc import Callable
from datetime import date

from edge.mrz.checkdigit import check_digit
from edge.mrz.countries import country_name, normalize_code
from edge.mrz.dates import EXPIRY_YEARS_AHEAD, infer_birth_date, infer_expiry_date
from edge.mrz.formats import CHARCLASS_CHARS, CheckSpec, MrzFormat
from edge.mrz.names import split_name_field
from edge.mrz.result import CheckFailure, CheckResult, MrzError, MrzResult
from edge.mrz.structure import split_lines, split_structure

logger = logging.getLogger(__name__)

# Re-exported: readers import the whole parsing API from here.
__all__ = [
    "EXPIRY_YEARS_AHEAD",
    "CheckFailure",
    "CheckResult",
    "MrzError",
    "MrzResult",
    "check_mrz",
    "infer_birth_date",
    "infer_expiry_date",
    "parse_mrz",
    "split_lines",
]

# Which first letters of the document code each format allows (Doc 9303 Parts 4-7).
DOCUMENT_CODE_FIRST: dict[str, str] = {
    "TD1": "ACI",
    "TD2": "ACI",
    "TD3": "P",
    "MRV-A": "V",
    "MRV-B": "V",
}


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


def _date_field(
    result: MrzResult, name: str, raw: str, today: date, infer: Callable[[str, date], date | None]
) -> date | None:
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
    fmt, lines = split_structure(text_or_lines)
    today = today or date.today()
    result = MrzResult(format=fmt.name, lines=lines, today=today)

    def raw(name: str) -> str:
        return fmt.field(name).extract(lines)

    result.document_code = _document_code(result, fmt, raw("document_code"))
    result.issuing_state = _state_field(result, "issuing_state", raw("issuing_state"))
    _checks(result, fmt, lines)

    _names(result, raw("names"))
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
    _optional_data(result, fmt, lines)
    _order_failures(result, fmt)
    return result


def _names(result: MrzResult, raw: str) -> None:
    names = split_name_field(raw)
    result.primary_identifier = names.primary
    result.secondary_identifier = names.secondary
    result.names_truncated = names.truncated
    failure = _class_failure("names", raw, "name")
    if failure is None and not names.primary and not names.secondary:
        failure = CheckFailure("names", "empty_name", "names field holds no name")
    if failure is not None:
        result.failures.append(failure)


def _optional_data(result: MrzResult, fmt: MrzFormat, lines: list[str]) -> None:
    """Optional data without trailing fillers (a long document number already took its part)."""
    for name in ("optional_data_1", "optional_data_2", "personal_number"):
        if name == "optional_data_1" and result.long_document_number:
            continue
        if name in fmt.fields_by_name:
            setattr(result, name, fmt.field(name).extract(lines).rstrip("<"))


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
