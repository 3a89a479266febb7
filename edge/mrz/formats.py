"""The layouts of the ICAO 9303 machine-readable zones, as data.

Each format lists its fields as (name, line, start, end, charclass) with 0-based lines and
columns and `end` exclusive, and its check digits with the character spans each one covers.
An OCR can ask `charclass_at(fmt, line, col)` which characters a position may hold.

| format | lines x chars | documents                                  | Doc 9303 |
|--------|---------------|--------------------------------------------|----------|
| TD1    | 3 x 30        | ID cards, residence cards, crew cards      | Part 5   |
| TD2    | 2 x 36        | ID cards, older travel documents           | Part 6   |
| TD3    | 2 x 44        | passports                                  | Part 4   |
| MRV-A  | 2 x 44        | full-page visas                            | Part 7   |
| MRV-B  | 2 x 36        | smaller visas leaving the clear area free  | Part 7   |
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from functools import cached_property

logger = logging.getLogger(__name__)

_UPPER = string.ascii_uppercase
_DIGITS = string.digits

# The characters each character class allows. '<' is the filler and may appear in every class
# (unknown date parts, empty optional data, '<' as an allowed empty check digit).
CHARCLASS_CHARS: dict[str, str] = {
    "alpha": _UPPER + "<",
    "numeric": _DIGITS + "<",
    "alnum": _DIGITS + _UPPER + "<",
    "name": _UPPER + "<",
    "check": _DIGITS + "<",
    "sex": "MFX<",
}

MRZ_CHARS: str = _DIGITS + _UPPER + "<"

# One letter per class, for compact layout pictures (`MrzFormat.charclass_grid`).
CHARCLASS_SYMBOL: dict[str, str] = {
    "alpha": "A",
    "numeric": "9",
    "alnum": "X",
    "name": "N",
    "check": "C",
    "sex": "S",
}


@dataclass(frozen=True)
class Field:
    """One field of an MRZ: where it is and which characters it may hold."""

    name: str
    line: int
    start: int
    end: int
    charclass: str

    @property
    def width(self) -> int:
        return self.end - self.start

    def extract(self, lines: list[str]) -> str:
        """The raw characters of this field in `lines`."""
        return lines[self.line][self.start : self.end]


@dataclass(frozen=True)
class CheckSpec:
    """A check digit at (line, col) over the concatenation of `spans` [(line, start, end), ...]."""

    name: str
    field: str  # the field it protects, or "composite"
    line: int
    col: int
    spans: tuple[tuple[int, int, int], ...]

    def covered_text(self, lines: list[str]) -> str:
        """The characters this check digit is computed over."""
        return "".join(lines[ln][a:b] for ln, a, b in self.spans)


@dataclass(frozen=True)
class MrzFormat:
    """A machine-readable zone layout: line count, line length, fields and check digits."""

    name: str
    line_count: int
    line_length: int
    fields: tuple[Field, ...]
    checks: tuple[CheckSpec, ...]

    @cached_property
    def fields_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> Field:
        try:
            return self.fields_by_name[name]
        except KeyError:
            raise KeyError(f"format {self.name} has no field {name!r}") from None

    def check(self, name: str) -> CheckSpec:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"format {self.name} has no check digit {name!r}")

    @property
    def has_composite(self) -> bool:
        return any(c.field == "composite" for c in self.checks)

    def charclass_grid(self) -> list[str]:
        """One string per line, one CHARCLASS_SYMBOL per position (e.g. 'A' alpha, '9' numeric)."""
        return [
            "".join(
                CHARCLASS_SYMBOL[self.field_at(ln, col).charclass]
                for col in range(self.line_length)
            )
            for ln in range(self.line_count)
        ]

    def field_at(self, line: int, col: int) -> Field:
        """The field that holds position (line, col)."""
        for f in self.fields:
            if f.line == line and f.start <= col < f.end:
                return f
        raise IndexError(f"format {self.name} has no position line {line}, column {col}")


def _f(name: str, line: int, start: int, end: int, charclass: str) -> Field:
    return Field(name, line, start, end, charclass)


def _check(name: str, field: str, line: int, col: int, *spans: tuple[int, int, int]) -> CheckSpec:
    return CheckSpec(name, field, line, col, tuple(spans))


def _two_line_header(length: int) -> tuple[Field, ...]:
    """Line 1 of TD2, TD3, MRV-A and MRV-B: document code, issuing state, names."""
    return (
        _f("document_code", 0, 0, 2, "alpha"),
        _f("issuing_state", 0, 2, 5, "alpha"),
        _f("names", 0, 5, length, "name"),
    )


def _two_line_data() -> tuple[Field, ...]:
    """Line 2 of TD2, TD3, MRV-A and MRV-B up to the optional data (same columns in all four)."""
    return (
        _f("document_number", 1, 0, 9, "alnum"),
        _f("document_number_check", 1, 9, 10, "check"),
        _f("nationality", 1, 10, 13, "alpha"),
        _f("birth_date", 1, 13, 19, "numeric"),
        _f("birth_date_check", 1, 19, 20, "check"),
        _f("sex", 1, 20, 21, "sex"),
        _f("expiry_date", 1, 21, 27, "numeric"),
        _f("expiry_date_check", 1, 27, 28, "check"),
    )


def _two_line_checks() -> tuple[CheckSpec, ...]:
    return (
        _check("document_number_check", "document_number", 1, 9, (1, 0, 9)),
        _check("birth_date_check", "birth_date", 1, 19, (1, 13, 19)),
        _check("expiry_date_check", "expiry_date", 1, 27, (1, 21, 27)),
    )


TD1 = MrzFormat(
    name="TD1",
    line_count=3,
    line_length=30,
    fields=(
        _f("document_code", 0, 0, 2, "alpha"),
        _f("issuing_state", 0, 2, 5, "alpha"),
        _f("document_number", 0, 5, 14, "alnum"),
        _f("document_number_check", 0, 14, 15, "check"),
        _f("optional_data_1", 0, 15, 30, "alnum"),
        _f("birth_date", 1, 0, 6, "numeric"),
        _f("birth_date_check", 1, 6, 7, "check"),
        _f("sex", 1, 7, 8, "sex"),
        _f("expiry_date", 1, 8, 14, "numeric"),
        _f("expiry_date_check", 1, 14, 15, "check"),
        _f("nationality", 1, 15, 18, "alpha"),
        _f("optional_data_2", 1, 18, 29, "alnum"),
        _f("composite_check", 1, 29, 30, "check"),
        _f("names", 2, 0, 30, "name"),
    ),
    checks=(
        _check("document_number_check", "document_number", 0, 14, (0, 5, 14)),
        _check("birth_date_check", "birth_date", 1, 6, (1, 0, 6)),
        _check("expiry_date_check", "expiry_date", 1, 14, (1, 8, 14)),
        _check(
            "composite_check", "composite", 1, 29, (0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)
        ),
    ),
)

TD2 = MrzFormat(
    name="TD2",
    line_count=2,
    line_length=36,
    fields=(
        *_two_line_header(36),
        *_two_line_data(),
        _f("optional_data_1", 1, 28, 35, "alnum"),
        _f("composite_check", 1, 35, 36, "check"),
    ),
    checks=(
        *_two_line_checks(),
        _check("composite_check", "composite", 1, 35, (1, 0, 10), (1, 13, 20), (1, 21, 35)),
    ),
)

TD3 = MrzFormat(
    name="TD3",
    line_count=2,
    line_length=44,
    fields=(
        *_two_line_header(44),
        *_two_line_data(),
        _f("personal_number", 1, 28, 42, "alnum"),
        _f("personal_number_check", 1, 42, 43, "check"),
        _f("composite_check", 1, 43, 44, "check"),
    ),
    checks=(
        *_two_line_checks(),
        _check("personal_number_check", "personal_number", 1, 42, (1, 28, 42)),
        _check("composite_check", "composite", 1, 43, (1, 0, 10), (1, 13, 20), (1, 21, 43)),
    ),
)

MRVA = MrzFormat(
    name="MRV-A",
    line_count=2,
    line_length=44,
    fields=(
        *_two_line_header(44),
        *_two_line_data(),
        _f("optional_data_1", 1, 28, 44, "alnum"),
    ),
    checks=_two_line_checks(),
)

MRVB = MrzFormat(
    name="MRV-B",
    line_count=2,
    line_length=36,
    fields=(
        *_two_line_header(36),
        *_two_line_data(),
        _f("optional_data_1", 1, 28, 36, "alnum"),
    ),
    checks=_two_line_checks(),
)

FORMATS: dict[str, MrzFormat] = {f.name: f for f in (TD1, TD2, TD3, MRVA, MRVB)}


def get_format(fmt: str | MrzFormat) -> MrzFormat:
    """The MrzFormat for a name ("TD1", "TD2", "TD3", "MRV-A", "MRV-B") or the format itself."""
    if isinstance(fmt, MrzFormat):
        return fmt
    try:
        return FORMATS[fmt.upper()]
    except KeyError:
        raise KeyError(f"unknown MRZ format {fmt!r}; known: {', '.join(FORMATS)}") from None


def charclass_at(fmt: str | MrzFormat, line: int, col: int) -> str:
    """The character class ('alpha', 'numeric', 'alnum', 'name', 'check', 'sex') at a position."""
    return get_format(fmt).field_at(line, col).charclass


def allowed_chars(fmt: str | MrzFormat, line: int, col: int) -> str:
    """The characters position (line, col) of a format may hold."""
    return CHARCLASS_CHARS[charclass_at(fmt, line, col)]


def formats_for_shape(line_count: int, line_length: int) -> list[MrzFormat]:
    """The formats with this many lines of this length (TD3 and MRV-A share 2 x 44, ...)."""
    return [
        f for f in FORMATS.values() if f.line_count == line_count and f.line_length == line_length
    ]


def detect_format(lines: list[str]) -> str | None:
    """The format name for these lines from their count, length and first character, else None.

    2 x 44 is MRV-A when the document code starts with 'V', else TD3; 2 x 36 is MRV-B when it
    starts with 'V', else TD2; 3 x 30 is TD1. Lines of unequal or other lengths give None.
    """
    if not lines:
        return None
    lengths = {len(line) for line in lines}
    if len(lengths) != 1:
        return None
    candidates = formats_for_shape(len(lines), lengths.pop())
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].name
    is_visa = lines[0][:1] == "V"
    for f in candidates:
        if f.name.startswith("MRV") == is_visa:
            return f.name
    return None
