"""ICAO 9303 machine-readable zones: layouts, check digits, parsing, building (and OCR in `ocr/`).

from edge.mrz import parse_mrz, check_mrz, MrzError
result = parse_mrz(["P<UTOERIKSSON<<ANNA<MARIA<<<...", "L898902C36UTO7408122F1204159..."])
"""

from edge.mrz.build import (
    MrzBuildError,
    build_mrva,
    build_mrvb,
    build_mrz,
    build_td1,
    build_td2,
    build_td3,
)
from edge.mrz.checkdigit import CHAR_VALUES, check_digit
from edge.mrz.formats import (
    CHARCLASS_CHARS,
    FORMATS,
    CheckSpec,
    Field,
    MrzFormat,
    allowed_chars,
    charclass_at,
    detect_format,
    get_format,
)
from edge.mrz.parse import CheckFailure, CheckResult, MrzError, MrzResult, check_mrz, parse_mrz

__all__ = [
    "CHARCLASS_CHARS",
    "CHAR_VALUES",
    "FORMATS",
    "CheckFailure",
    "CheckResult",
    "CheckSpec",
    "Field",
    "MrzBuildError",
    "MrzError",
    "MrzFormat",
    "MrzResult",
    "allowed_chars",
    "build_mrva",
    "build_mrvb",
    "build_mrz",
    "build_td1",
    "build_td2",
    "build_td3",
    "charclass_at",
    "check_digit",
    "check_mrz",
    "detect_format",
    "get_format",
    "parse_mrz",
]
