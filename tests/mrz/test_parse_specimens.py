"""The ICAO Doc 9303 specimen MRZs (Parts 4-7) parse to the fields the specification prints."""

from __future__ import annotations

from datetime import date

import pytest

from edge.mrz import check_digit, detect_format, parse_mrz

TODAY = date(2026, 11, 27)

TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD1_LONG_NUMBER = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
]
TD2 = [
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
]
MRVA = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
]
MRVB = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX4009078F9612109<<<<<<<<",
]


def test_check_digit_part3_worked_examples() -> None:
    # Doc 9303 Part 3: a date of birth of 27 July 1952, and a document number with fillers.
    assert check_digit("520727") == "3"
    assert check_digit("AB2134<<<") == "5"


def test_check_digit_of_specimen_fields() -> None:
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("ZE184226B<<<<<") == "1"
    assert check_digit("D23145890734") == "9"


@pytest.mark.parametrize(
    ("lines", "fmt"),
    [(TD3, "TD3"), (TD1, "TD1"), (TD2, "TD2"), (MRVA, "MRV-A"), (MRVB, "MRV-B")],
)
def test_detect_format(lines: list[str], fmt: str) -> None:
    assert detect_format(lines) == fmt


def test_td3_specimen() -> None:
    r = parse_mrz(TD3, today=TODAY)
    assert r.valid and r.format == "TD3"
    assert r.document_code == "P"
    assert r.issuing_state == "UTO" and r.nationality == "UTO"
    assert r.document_number == "L898902C3"
    assert (r.primary_identifier, r.secondary_identifier) == ("ERIKSSON", "ANNA MARIA")
    assert not r.names_truncated
    assert r.birth_date == date(1974, 8, 12)
    assert r.expiry_date == date(2012, 4, 15)
    assert r.sex == "F"
    assert r.personal_number == "ZE184226B"
    assert r.composite_check is not None and r.composite_check.found == "0"
    assert set(r.checks) == {
        "document_number",
        "birth_date",
        "expiry_date",
        "personal_number",
        "composite",
    }


def test_td1_specimen() -> None:
    r = parse_mrz(TD1, today=TODAY)
    assert r.valid and r.format == "TD1"
    assert r.document_number == "D23145890"
    assert (r.primary_identifier, r.secondary_identifier) == ("ERIKSSON", "ANNA MARIA")
    assert r.birth_date == date(1974, 8, 12) and r.expiry_date == date(2012, 4, 15)
    assert r.optional_data_1 == "" and r.optional_data_2 == ""
    assert r.checks["composite"].found == "6"


def test_td1_long_document_number_specimen() -> None:
    r = parse_mrz(TD1_LONG_NUMBER, today=TODAY)
    assert r.valid
    assert r.long_document_number
    assert r.document_number == "D23145890734"
    assert r.checks["document_number"].found == "9"
    assert r.optional_data_1 == ""
    assert (r.primary_identifier, r.secondary_identifier) == ("STEVENSON", "PETER JOHN")
    assert r.sex == "M" and r.birth_date == date(1934, 7, 12)


def test_td2_specimen() -> None:
    r = parse_mrz(TD2, today=TODAY)
    assert r.valid and r.format == "TD2"
    assert r.document_number == "D23145890"
    assert r.checks["composite"].found == "6"


@pytest.mark.parametrize(("lines", "fmt"), [(MRVA, "MRV-A"), (MRVB, "MRV-B")])
def test_visa_specimens(lines: list[str], fmt: str) -> None:
    r = parse_mrz(lines, today=TODAY)
    assert r.valid and r.format == fmt
    assert r.document_code == "V"
    assert r.nationality == "XXX"
    assert r.document_number == "L8988901C"
    assert r.birth_date == date(1940, 9, 7) and r.expiry_date == date(1996, 12, 10)
    assert r.composite_check is None
    assert "composite" not in r.checks
    if fmt == "MRV-A":
        assert r.optional_data_1 == "6ZE184226B"
