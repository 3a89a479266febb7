"""Field values: names and truncation, century inference, sex, country codes, malformed input."""

from __future__ import annotations

from datetime import date

import pytest

from edge.mrz import MrzError, build_td1, build_td3, check_mrz, parse_mrz
from edge.mrz.build import MrzBuildError
from edge.mrz.countries import ICAO_CODES, ICAO_SPECIAL_CODES, country_name
from edge.mrz.names import format_name_field, split_name_field, transliterate
from edge.mrz.parse import infer_birth_date, infer_expiry_date

from .test_parse_specimens import TD1, TD3

TODAY = date(2026, 11, 27)


def td3(**overrides: object) -> list[str]:
    fields: dict[str, object] = {
        "document_number": "L898902C3",
        "primary_identifier": "ERIKSSON",
        "secondary_identifier": "ANNA MARIA",
        "nationality": "UTO",
        "birth_date": "740812",
        "sex": "F",
        "expiry_date": "300415",
    }
    fields.update(overrides)
    return build_td3(**fields)  # type: ignore[arg-type]


# --- names ---------------------------------------------------------------------------------


def test_name_components_and_fillers() -> None:
    parts = split_name_field("VAN<DER<BERG<<JAN<PIETER<<<<<<<<<<<<<<<<<<")
    assert (parts.primary, parts.secondary, parts.truncated) == (
        "VAN DER BERG",
        "JAN PIETER",
        False,
    )


def test_single_name_has_no_secondary_identifier() -> None:
    r = parse_mrz(td3(primary_identifier="SUKARNO", secondary_identifier=""), today=TODAY)
    assert r.lines[0][5:14] == "SUKARNO<<"
    assert (r.primary_identifier, r.secondary_identifier) == ("SUKARNO", "")


def test_full_name_field_is_reported_truncated() -> None:
    lines = td3(
        primary_identifier="NILAVADHANANANDA",
        secondary_identifier="CHAYAPA DEJTHAMRONG KRASUANG",
    )
    assert len(lines[0]) == 44 and lines[0][-1] != "<"
    r = parse_mrz(lines, today=TODAY)
    assert r.names_truncated
    assert r.primary_identifier == "NILAVADHANANANDA"
    # Secondary components are shortened from the last one first.
    assert r.secondary_identifier.startswith("CHAYAPA DEJTHAMRONG K")
    assert len(lines[0][5:]) == 39


def test_truncation_keeps_initials_before_dropping_secondary_names() -> None:
    field, truncated = format_name_field("ABCDEFGHIJKLMNOPQRST", "ALPHA BRAVO CHARLIE", 26)
    assert truncated
    # Room for two initials and one more letter: the last kept name loses letters first.
    assert field == "ABCDEFGHIJKLMNOPQRST<<AL<B"
    assert format_name_field("ABCDEFGHIJKLMNOPQRST", "ALPHA BRAVO CHARLIE", 25)[0] == (
        "ABCDEFGHIJKLMNOPQRST<<A<B"
    )
    parts = split_name_field(field)
    assert parts.primary == "ABCDEFGHIJKLMNOPQRST" and parts.truncated


def test_truncation_of_a_very_long_primary_keeps_one_initial() -> None:
    field, truncated = format_name_field("X" * 40, "ANNA", 30)
    assert truncated and field == "X" * 27 + "<<A"


def test_name_fitting_exactly_is_not_truncated_by_the_builder() -> None:
    field, truncated = format_name_field("ERIKSSON", "ANNA", 14)
    assert (field, truncated) == ("ERIKSSON<<ANNA", False)


@pytest.mark.parametrize(
    ("text", "mrz"),
    [
        ("Müller", "MUELLER"),
        ("Ødegård", "OEDEGAARD"),
        ("O'Brien", "OBRIEN"),
        ("Jean-Pierre", "JEAN<PIERRE"),
        ("José María", "JOSE<MARIA"),
        ("Strauß", "STRAUSS"),
        ("Łukasz", "LUKASZ"),
    ],
)
def test_transliteration_of_latin_names(text: str, mrz: str) -> None:
    assert transliterate(text) == mrz


def test_non_latin_name_is_refused_by_the_builder() -> None:
    with pytest.raises(MrzBuildError) as exc_info:
        td3(primary_identifier="山田")
    assert exc_info.value.field == "names"


def test_digit_in_name_is_a_named_failure() -> None:
    bad = [TD3[0].replace("ERIKSSON", "ERIK5SON"), TD3[1]]
    with pytest.raises(MrzError) as exc_info:
        parse_mrz(bad, today=TODAY)
    assert (exc_info.value.field, exc_info.value.reason) == ("names", "bad_character")
    assert "'5'" in str(exc_info.value)


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("740812", date(1974, 8, 12)),
        ("251231", date(2025, 12, 31)),
        ("261127", date(2026, 11, 27)),  # born today
        ("261128", date(1926, 11, 28)),  # tomorrow cannot be a birth date: a century earlier
        ("000229", date(2000, 2, 29)),
    ],
)
def test_birth_date_century_is_in_the_past(raw: str, expected: date) -> None:
    assert infer_birth_date(raw, TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("120415", date(2012, 4, 15)),
        ("361127", date(2036, 11, 27)),
        ("461231", date(2046, 12, 31)),  # 20 years ahead is still the future
        ("470101", date(1947, 1, 1)),  # beyond 20 years ahead: the past
        ("991231", date(1999, 12, 31)),
    ],
)
def test_expiry_date_century_allows_twenty_years_ahead(raw: str, expected: date) -> None:
    assert infer_expiry_date(raw, TODAY) == expected


def test_century_follows_today() -> None:
    # In 1995, "12" of an expiry date is 2012 (within 20 years ahead), not 1912.
    r = parse_mrz(TD3, today=date(1995, 1, 1))
    assert r.birth_date == date(1974, 8, 12)
    assert r.expiry_date == date(2012, 4, 15)
    assert r.expired is False
    assert parse_mrz(TD3, today=TODAY).expired is True


def test_unknown_birth_date_parts_are_allowed() -> None:
    r = parse_mrz(td3(birth_date="74<<<<"), today=TODAY)
    assert r.birth_date is None and r.birth_date_raw == "74<<<<"


def test_impossible_date_is_a_named_failure() -> None:
    r = check_mrz(td3(birth_date="741332"), today=TODAY)
    assert [f.field for f in r.failures] == ["birth_date"]
    assert r.failures[0].reason == "bad_date"
    assert "741332" in r.failures[0].message


def test_letter_in_date_is_a_named_failure() -> None:
    lines = td3(expiry_date="300415")
    r = check_mrz([lines[0], lines[1][:22] + "O" + lines[1][23:]], today=TODAY)
    assert r.failures[0].field == "expiry_date"
    assert r.failures[0].reason == "bad_character"


# --- sex -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "sex"), [("M", "M"), ("F", "F"), ("X", "X"), ("<", "X")])
def test_sex_values(raw: str, sex: str) -> None:
    r = parse_mrz(td3(sex=raw), today=TODAY)
    assert (r.sex, r.sex_raw) == (sex, raw)


def test_bad_sex_is_a_named_failure() -> None:
    lines = td3()
    bad = [lines[0], lines[1][:20] + "Q" + lines[1][21:]]
    r = check_mrz(bad, today=TODAY)
    assert r.failures[0].field == "sex" and r.failures[0].reason == "bad_sex"


# --- countries -----------------------------------------------------------------------------

SPECIAL = ["D", "GBD", "GBN", "GBO", "GBP", "GBS", "UNO", "UNA", "UNK"]
SPECIAL += ["XXA", "XXB", "XXC", "XXX", "EUE", "RKS", "UTO"]


@pytest.mark.parametrize("code", SPECIAL)
def test_special_codes_accepted(code: str) -> None:
    assert code in ICAO_SPECIAL_CODES
    r = parse_mrz(td3(issuing_state=code, nationality=code), today=TODAY)
    assert r.issuing_state == code and r.nationality == code
    assert r.to_dict()["fields"]["nationality_name"] == country_name(code)


def test_germany_is_d_with_fillers() -> None:
    lines = td3(issuing_state="D", nationality="D")
    assert lines[0][2:5] == "D<<" and lines[1][10:13] == "D<<"
    assert parse_mrz(lines, today=TODAY).issuing_state == "D"
    assert country_name("D<<") == "Germany"


def test_iso_codes_accepted() -> None:
    assert {"JPN", "USA", "FRA", "GBR", "CHN", "KOR", "BRA"} <= set(ICAO_CODES)
    assert len(ICAO_CODES) > 260


@pytest.mark.parametrize(("field", "code"), [("issuing_state", "ZZZ"), ("nationality", "QQQ")])
def test_unknown_country_code_rejected(field: str, code: str) -> None:
    with pytest.raises(MrzError) as exc_info:
        parse_mrz(td3(**{"issuing_state": "UTO", field: code}), today=TODAY)
    assert (exc_info.value.field, exc_info.value.reason) == (field, "unknown_code")
    assert code in str(exc_info.value)


# --- document code -------------------------------------------------------------------------


def test_td3_must_be_a_passport_code() -> None:
    bad = ["I" + TD3[0][1:], TD3[1]]
    with pytest.raises(MrzError) as exc_info:
        parse_mrz(bad, today=TODAY)
    assert exc_info.value.field == "document_code"


# --- malformed input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "field", "reason", "fragment"),
    [
        ([TD3[0], TD3[1][:-1]], "mrz", "shape", "line 2 has 43 characters, expected 44"),
        ([TD3[0]], "mrz", "shape", "got 1 line(s) of 44"),
        ([*TD1[:2], TD1[2] + "<"], "mrz", "shape", "line 3 has 31 characters, expected 30"),
        ([TD3[0], TD3[1], TD3[1]], "mrz", "shape", "got 3 line(s) of 44, 44, 44"),
        ([], "mrz", "empty", "no MRZ lines"),
        ([TD3[0].lower(), TD3[1]], "document_code", "bad_character", "lower case"),
        ([TD3[0], TD3[1].replace("UTO", "UT#")], "nationality", "bad_character", "'#'"),
        ([TD3[0], TD3[1][:13] + "74 812" + TD3[1][19:]], "birth_date", "bad_character", "' '"),
    ],
)
def test_malformed_input_gives_a_precise_error(
    lines: list[str], field: str, reason: str, fragment: str
) -> None:
    with pytest.raises(MrzError) as exc_info:
        check_mrz(lines, today=TODAY)
    err = exc_info.value
    assert (err.field, err.reason) == (field, reason)
    assert fragment in str(err)
    assert isinstance(err, ValueError)


def test_text_input_with_surrounding_whitespace() -> None:
    r = parse_mrz("\n  " + TD3[0] + "  \r\n" + TD3[1] + "\n\n", today=TODAY)
    assert r.valid and r.lines == TD3


def test_td1_with_optional_data() -> None:
    lines = build_td1(
        document_number="AB123456",
        primary_identifier="SATO",
        secondary_identifier="KEN",
        nationality="JPN",
        birth_date=date(1990, 5, 17),
        sex="M",
        expiry_date=date(2031, 5, 16),
        optional_data_1="PN1234",
        optional_data_2="ZZ9",
    )
    r = parse_mrz(lines, today=TODAY)
    assert (r.optional_data_1, r.optional_data_2) == ("PN1234", "ZZ9")
    assert r.document_number == "AB123456" and not r.long_document_number
