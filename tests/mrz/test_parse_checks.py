"""Every check digit of every format, when wrong, is reported under the field it protects."""

from __future__ import annotations

from datetime import date

import pytest

from edge.mrz import FORMATS, MrzError, build_mrz, check_mrz, parse_mrz

from .test_parse_specimens import MRVA, MRVB, TD1, TD2, TD3

TODAY = date(2026, 11, 27)
SPECIMENS = {"TD1": TD1, "TD2": TD2, "TD3": TD3, "MRV-A": MRVA, "MRV-B": MRVB}


def _replace(lines: list[str], line: int, col: int, char: str) -> list[str]:
    out = list(lines)
    out[line] = out[line][:col] + char + out[line][col + 1 :]
    return out


def _wrong_digit(digit: str) -> str:
    return str((int(digit) + 3) % 10) if digit.isdigit() else "7"


CASES = [
    (fmt, spec.field, spec.line, spec.col)
    for fmt, layout in FORMATS.items()
    for spec in layout.checks
]


@pytest.mark.parametrize(("fmt", "field", "line", "col"), CASES)
def test_wrong_check_digit_is_named(fmt: str, field: str, line: int, col: int) -> None:
    lines = SPECIMENS[fmt]
    found = _wrong_digit(lines[line][col])
    expected = lines[line][col]
    bad = _replace(lines, line, col, found)

    result = check_mrz(bad, today=TODAY)
    assert not result.valid
    failure = next(f for f in result.failures if f.field == field)
    assert failure.reason == "check_digit"
    assert (failure.found, failure.expected) == (found, expected)
    assert not result.checks[field].ok
    subject = "composite check digit" if field == "composite" else f"check digit of {field}"
    assert failure.message == f"{subject} is {found}, expected {expected}"

    with pytest.raises(MrzError) as exc_info:
        parse_mrz(bad, today=TODAY)
    assert exc_info.value.field == field
    assert exc_info.value.reason == "check_digit"
    assert str(exc_info.value) == failure.message
    assert exc_info.value.result is not None and exc_info.value.result.format == fmt


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_changed_data_character_fails_its_field_and_composite(fmt: str) -> None:
    layout = FORMATS[fmt]
    birth = layout.field("birth_date")
    lines = SPECIMENS[fmt]
    old = lines[birth.line][birth.start + 5]
    bad = _replace(lines, birth.line, birth.start + 5, "1" if old != "1" else "3")
    result = check_mrz(bad, today=TODAY)
    fields = [f.field for f in result.failures if f.reason == "check_digit"]
    assert fields == (["birth_date", "composite"] if layout.has_composite else ["birth_date"])
    printed = lines[birth.line][birth.end]
    with pytest.raises(MrzError, match=f"check digit of birth_date is {printed}, expected"):
        parse_mrz(bad, today=TODAY)


def test_valid_result_has_all_checks_ok() -> None:
    for fmt, lines in SPECIMENS.items():
        result = parse_mrz(lines, today=TODAY)
        assert result.checks and all(c.ok for c in result.checks.values()), fmt
        assert result.failures == []


def _td3(personal_number: str) -> list[str]:
    return build_mrz(
        "TD3",
        document_number="AB1234567",
        primary_identifier="TANAKA",
        secondary_identifier="HANAKO",
        nationality="JPN",
        birth_date="880101",
        sex="F",
        expiry_date="300101",
        personal_number=personal_number,
    )


def test_td3_empty_personal_number_check_may_be_filler_or_zero() -> None:
    lines = _td3("")
    assert lines[1][42] == "<"
    assert parse_mrz(lines, today=TODAY).personal_number == ""
    zero = _replace(lines, 1, 42, "0")
    # The composite covers the personal number check digit, so rebuild it for the '0' form.
    from edge.mrz import check_digit

    line2 = zero[1]
    zero = _replace(zero, 1, 43, check_digit(line2[0:10] + line2[13:20] + line2[21:43]))
    assert parse_mrz(zero, today=TODAY).valid


def test_td3_personal_number_with_filler_check_fails() -> None:
    lines = _td3("123456789")
    bad = _replace(lines, 1, 42, "<")
    with pytest.raises(MrzError, match="check digit of personal_number is <, expected"):
        parse_mrz(bad, today=TODAY)


def test_td1_filler_document_number_check_without_overflow_fails() -> None:
    bad = _replace(TD1, 0, 14, "<")
    result = check_mrz(bad, today=TODAY)
    assert not result.long_document_number
    assert result.failures[0].field == "document_number"
    assert result.failures[0].message == "check digit of document_number is <, expected 7"


def test_td1_long_number_with_wrong_overflow_check_digit() -> None:
    from .test_parse_specimens import TD1_LONG_NUMBER

    bad = _replace(TD1_LONG_NUMBER, 0, 18, "3")  # "7349" -> "7343": the number's own check digit
    result = check_mrz(bad, today=TODAY)
    assert result.long_document_number
    assert result.document_number == "D23145890734"
    assert [f.field for f in result.failures] == ["document_number", "composite"]
    assert result.failures[0].message == "check digit of document_number is 3, expected 9"
