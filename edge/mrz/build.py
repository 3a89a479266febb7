"""Write an MRZ from field values: check digits computed, names transliterated and truncated.

Pure functions, one per format, each returning the list of lines. Used by synthetic document
images, simulated travellers and the round-trip tests (build -> parse gives the fields back).
"""

from __future__ import annotations

import logging
from datetime import date

from edge.mrz.checkdigit import check_digit
from edge.mrz.formats import CHARCLASS_CHARS, FORMATS, MRZ_CHARS
from edge.mrz.names import MrzNameError, format_name_field

logger = logging.getLogger(__name__)

DateLike = date | str | None


class MrzBuildError(ValueError):
    """A field value that cannot be written into the MRZ; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _text(field: str, value: str | None, width: int) -> str:
    """An upper-case, '<'-padded field of exactly `width` characters (spaces become '<')."""
    text = (value or "").strip().upper().replace(" ", "<").replace("-", "<")
    bad = [c for c in text if c not in MRZ_CHARS]
    if bad:
        raise MrzBuildError(field, f"{field} {value!r} holds {bad[0]!r}; only 0-9, A-Z and '<' fit")
    if len(text) > width:
        raise MrzBuildError(
            field, f"{field} {value!r} is {len(text)} characters; at most {width} fit"
        )
    return text.ljust(width, "<")


def _state(field: str, value: str) -> str:
    text = _text(field, value, 3)
    if any(c not in CHARCLASS_CHARS["alpha"] for c in text):
        raise MrzBuildError(field, f"{field} {value!r} must be letters (an ICAO code such as UTO)")
    return text


def _date(field: str, value: DateLike) -> str:
    """YYMMDD for a date, or a 6-character string as given ('<' for unknown parts)."""
    if value is None:
        return "<" * 6
    if isinstance(value, date):
        return value.strftime("%y%m%d")
    text = value.strip()
    if len(text) != 6 or any(c not in CHARCLASS_CHARS["numeric"] for c in text):
        raise MrzBuildError(field, f"{field} {value!r} must be a date or YYMMDD ('<' if unknown)")
    return text


def _sex(value: str | None) -> str:
    text = (value or "<").strip().upper() or "<"
    if text not in CHARCLASS_CHARS["sex"] or len(text) != 1:
        raise MrzBuildError("sex", f"sex {value!r} must be M, F, X or '<'")
    return text


def _names(primary: str, secondary: str, width: int) -> str:
    try:
        field, _truncated = format_name_field(primary, secondary, width)
    except MrzNameError as exc:
        raise MrzBuildError("names", str(exc)) from exc
    return field


def _document_code(value: str, allowed_first: str, fmt: str) -> str:
    text = _text("document_code", value, 2)
    if text[0] not in allowed_first:
        raise MrzBuildError(
            "document_code", f"{fmt} document codes start with {', '.join(allowed_first)}"
        )
    return text


def _number_and_check(value: str) -> tuple[str, str]:
    """The 9-character number field and check digit (raises if the number is longer than 9)."""
    field = _text("document_number", value, 9)
    return field, check_digit(field)


def _long_number(value: str, optional: str, optional_width: int) -> tuple[str, str, str]:
    """TD1/TD2 number over 9 characters: '<' as its check digit, the rest in the optional data."""
    number = _text("document_number", value, 9 + optional_width - 1)
    number = number.rstrip("<")
    if len(number) <= 9:
        field, digit = _number_and_check(number)
        return field, digit, _text("optional_data_1", optional, optional_width)
    if "<" in number[9:]:
        # A reader finds the end of the overflow at the first filler.
        raise MrzBuildError(
            "document_number", f"document number {value!r} over 9 characters cannot hold '<'"
        )
    extension = number[9:] + check_digit(number)
    rest = _text("optional_data_1", optional, optional_width).rstrip("<")
    merged = extension + ("<" + rest if rest else "")
    if len(merged) > optional_width:
        raise MrzBuildError(
            "optional_data_1",
            f"document number {value!r} and optional data {optional!r} do not fit together "
            f"in {optional_width} characters",
        )
    return number[:9], "<", merged.ljust(optional_width, "<")


def build_td1(
    *,
    document_number: str,
    primary_identifier: str,
    secondary_identifier: str = "",
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
    issuing_state: str | None = None,
    document_code: str = "I",
    optional_data_1: str = "",
    optional_data_2: str = "",
) -> list[str]:
    """A TD1 (ID card, 3 x 30) MRZ; numbers over 9 characters overflow into optional data 1."""
    code = _document_code(document_code, "ACI", "TD1")
    issuer = _state("issuing_state", issuing_state or nationality)
    number, number_check, opt1 = _long_number(document_number, optional_data_1, 15)
    birth = _date("birth_date", birth_date)
    expiry = _date("expiry_date", expiry_date)
    opt2 = _text("optional_data_2", optional_data_2, 11)
    line1 = code + issuer + number + number_check + opt1
    line2 = (
        birth + check_digit(birth) + _sex(sex) + expiry + check_digit(expiry)
        + _state("nationality", nationality) + opt2
    )  # fmt: skip
    composite = check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    line3 = _names(primary_identifier, secondary_identifier, 30)
    return [line1, line2 + composite, line3]


def _two_line(
    fmt: str,
    *,
    document_code: str,
    allowed_first: str,
    issuing_state: str,
    primary_identifier: str,
    secondary_identifier: str,
    number: str,
    number_check: str,
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
) -> tuple[str, str]:
    """Line 1 and line 2 up to (not including) the optional data, shared by TD2, TD3 and MRVs."""
    width = FORMATS[fmt].line_length
    line1 = (
        _document_code(document_code, allowed_first, fmt)
        + _state("issuing_state", issuing_state)
        + _names(primary_identifier, secondary_identifier, width - 5)
    )
    birth = _date("birth_date", birth_date)
    expiry = _date("expiry_date", expiry_date)
    line2 = (
        number + number_check + _state("nationality", nationality)
        + birth + check_digit(birth) + _sex(sex) + expiry + check_digit(expiry)
    )  # fmt: skip
    return line1, line2


def build_td2(
    *,
    document_number: str,
    primary_identifier: str,
    secondary_identifier: str = "",
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
    issuing_state: str | None = None,
    document_code: str = "I",
    optional_data_1: str = "",
) -> list[str]:
    """A TD2 (2 x 36) MRZ; numbers over 9 characters overflow into the optional data."""
    number, number_check, optional = _long_number(document_number, optional_data_1, 7)
    line1, line2 = _two_line(
        "TD2",
        document_code=document_code,
        allowed_first="ACI",
        issuing_state=issuing_state or nationality,
        primary_identifier=primary_identifier,
        secondary_identifier=secondary_identifier,
        number=number,
        number_check=number_check,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
    )
    line2 += optional
    composite = check_digit(line2[0:10] + line2[13:20] + line2[21:35])
    return [line1, line2 + composite]


def build_td3(
    *,
    document_number: str,
    primary_identifier: str,
    secondary_identifier: str = "",
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
    issuing_state: str | None = None,
    document_code: str = "P",
    personal_number: str = "",
) -> list[str]:
    """A TD3 (passport, 2 x 44) MRZ; an empty personal number gets '<' as its check digit."""
    number, number_check = _number_and_check(document_number)
    line1, line2 = _two_line(
        "TD3",
        document_code=document_code,
        allowed_first="P",
        issuing_state=issuing_state or nationality,
        primary_identifier=primary_identifier,
        secondary_identifier=secondary_identifier,
        number=number,
        number_check=number_check,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
    )
    personal = _text("personal_number", personal_number, 14)
    personal_check = "<" if personal == "<" * 14 else check_digit(personal)
    line2 += personal + personal_check
    composite = check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    return [line1, line2 + composite]


def _build_mrv(
    fmt: str,
    optional_width: int,
    *,
    document_number: str,
    primary_identifier: str,
    secondary_identifier: str,
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
    issuing_state: str,
    document_code: str,
    optional_data_1: str,
) -> list[str]:
    number, number_check = _number_and_check(document_number)
    line1, line2 = _two_line(
        fmt,
        document_code=document_code,
        allowed_first="V",
        issuing_state=issuing_state,
        primary_identifier=primary_identifier,
        secondary_identifier=secondary_identifier,
        number=number,
        number_check=number_check,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
    )
    return [line1, line2 + _text("optional_data_1", optional_data_1, optional_width)]


def build_mrva(
    *,
    document_number: str,
    primary_identifier: str,
    secondary_identifier: str = "",
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
    issuing_state: str,
    document_code: str = "V",
    optional_data_1: str = "",
) -> list[str]:
    """An MRV-A (full-size visa, 2 x 44) MRZ; visas have no composite check digit."""
    return _build_mrv(
        "MRV-A", 16,
        document_number=document_number, primary_identifier=primary_identifier,
        secondary_identifier=secondary_identifier, nationality=nationality,
        birth_date=birth_date, sex=sex, expiry_date=expiry_date, issuing_state=issuing_state,
        document_code=document_code, optional_data_1=optional_data_1,
    )  # fmt: skip


def build_mrvb(
    *,
    document_number: str,
    primary_identifier: str,
    secondary_identifier: str = "",
    nationality: str,
    birth_date: DateLike,
    sex: str,
    expiry_date: DateLike,
    issuing_state: str,
    document_code: str = "V",
    optional_data_1: str = "",
) -> list[str]:
    """An MRV-B (smaller visa, 2 x 36) MRZ; visas have no composite check digit."""
    return _build_mrv(
        "MRV-B", 8,
        document_number=document_number, primary_identifier=primary_identifier,
        secondary_identifier=secondary_identifier, nationality=nationality,
        birth_date=birth_date, sex=sex, expiry_date=expiry_date, issuing_state=issuing_state,
        document_code=document_code, optional_data_1=optional_data_1,
    )  # fmt: skip


BUILDERS = {
    "TD1": build_td1,
    "TD2": build_td2,
    "TD3": build_td3,
    "MRV-A": build_mrva,
    "MRV-B": build_mrvb,
}


def build_mrz(fmt: str, **fields: object) -> list[str]:
    """Build an MRZ of format `fmt` ("TD1", "TD2", "TD3", "MRV-A", "MRV-B") from keyword fields."""
    try:
        builder = BUILDERS[fmt.upper()]
    except KeyError:
        raise MrzBuildError(
            "format", f"unknown MRZ format {fmt!r}; known: {', '.join(BUILDERS)}"
        ) from None
    return builder(**fields)  # type: ignore[operator]
