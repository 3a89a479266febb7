"""The shape of an MRZ: line count, line lengths and the character set, with precise errors."""

from __future__ import annotations

import logging

from edge.mrz.formats import FORMATS, MRZ_CHARS, MrzFormat, detect_format, formats_for_shape
from edge.mrz.result import MrzError

logger = logging.getLogger(__name__)


def split_lines(text_or_lines: str | list[str] | tuple[str, ...]) -> list[str]:
    """MRZ lines from text (newline-separated) or a list, without surrounding whitespace."""
    raw = text_or_lines.splitlines() if isinstance(text_or_lines, str) else list(text_or_lines)
    return [line.strip() for line in raw if line.strip()]


_SHAPES_TEXT = "3 lines of 30 (TD1), 2 lines of 36 (TD2, MRV-B) or 2 lines of 44 (TD3, MRV-A)"
# The MRZ shapes by line count: 3 lines are TD1, 2 lines are 36 or 44 characters long.
_LENGTHS_FOR_COUNT: dict[int, tuple[int, ...]] = {3: (30,), 2: (36, 44)}


_MRZ_CHAR_SET = frozenset(MRZ_CHARS)


def _first_bad_character(lines: list[str]) -> tuple[int, int, str] | None:
    for ln, line in enumerate(lines):
        if _MRZ_CHAR_SET.issuperset(line):
            continue
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


def split_structure(text_or_lines: str | list[str]) -> tuple[MrzFormat, list[str]]:
    lines = split_lines(text_or_lines)
    if not lines:
        raise MrzError("mrz", "empty", "no MRZ lines given")
    name = detect_format(lines)
    if name is None:
        raise MrzError("mrz", "shape", _shape_message(lines))
    fmt = FORMATS[name]
    _check_characters(lines, fmt)
    return fmt, lines
