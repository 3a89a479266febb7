"""MRZ name fields: split into primary/secondary identifiers, and write them with ICAO truncation.

The name field holds `PRIMARY<<SECONDARY` with '<' between name components and as filler.
A field filled to its last character signals that the name may have been truncated
(Doc 9303 Part 3, 4.6): a truncating issuer always ends the field on a letter.
"""

from __future__ import annotations

import logging
import string
import unicodedata
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Doc 9303 Part 3 section 6 recommendations for Latin letters that are not just a base letter
# plus a diacritic; other accented letters lose their diacritic (É -> E).
_LATIN_TRANSLITERATION: dict[str, str] = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ö": "OE",
    "Ø": "OE",
    "Ü": "UE",
    "ß": "SS",
    "ẞ": "SS",
    "Þ": "TH",
    "Ð": "D",
    "Đ": "D",
    "Ł": "L",
    "Œ": "OE",
    "Ĳ": "IJ",
    "Ŋ": "N",
    "Ħ": "H",
    "Ŧ": "T",
    "İ": "I",
}
# Characters that separate name components (become '<') and ones that are dropped.
_SEPARATORS = " -,<\t"
_DROPPED = "'’‘.`"


class MrzNameError(ValueError):
    """A name that cannot be written in an MRZ (a script other than Latin, no letters at all)."""


@dataclass(frozen=True)
class NameParts:
    """A name field decoded: primary identifier (surname), secondary (given names), truncation."""

    primary: str
    secondary: str
    truncated: bool


def split_name_field(raw: str) -> NameParts:
    """Split `PRIMARY<<SECONDARY<<<` into identifiers with spaces between components."""
    primary_raw, _, secondary_raw = raw.partition("<<")
    primary = " ".join(part for part in primary_raw.split("<") if part)
    secondary = " ".join(part for part in secondary_raw.split("<") if part)
    truncated = bool(raw) and raw[-1] != "<"
    return NameParts(primary, secondary, truncated)


def transliterate(text: str) -> str:
    """Upper-case MRZ characters for a Latin-script name: components joined by single '<'."""
    out: list[str] = []
    for char in text.upper():
        if char in _LATIN_TRANSLITERATION:
            out.append(_LATIN_TRANSLITERATION[char])
        elif char in _SEPARATORS:
            out.append("<")
        elif char in _DROPPED:
            continue
        elif char in string.ascii_uppercase:
            out.append(char)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            if not base or any(c not in string.ascii_uppercase for c in base):
                raise MrzNameError(
                    f"{char!r} in {text!r} has no MRZ transliteration here; give the name in "
                    "Latin letters (Doc 9303 Part 3 section 6 transliterates other scripts)"
                )
            out.append(base)
    return "<".join(part for part in "".join(out).split("<") if part)


def _components(text: str) -> list[str]:
    cleaned = transliterate(text)
    return cleaned.split("<") if cleaned else []


def _join(primary: list[str], secondary: list[str]) -> str:
    head = "<".join(primary)
    return f"{head}<<{'<'.join(secondary)}" if secondary else head


def _fit_components(components: list[str], width: int) -> str:
    """Components joined by '<' in at most `width` characters, shortened from the last one.

    As many components as fit as initials are kept; the room left goes back to them from the
    first to the last, so the last components lose characters first and only whole components
    that cannot keep even an initial are dropped.
    """
    keep = len(components)
    while keep > 1 and 2 * keep - 1 > width:
        keep -= 1
    kept = components[:keep]
    room = width - (2 * keep - 1)
    parts: list[str] = []
    for component in kept:
        extra = min(room, len(component) - 1)
        parts.append(component[: 1 + extra])
        room -= extra
    return "<".join(parts)[:width]


def format_name_field(primary: str, secondary: str, width: int) -> tuple[str, bool]:
    """The `width`-character name field for these identifiers, and whether it was truncated.

    Truncation (Doc 9303 Part 3, 4.6): secondary identifier components are shortened first,
    from the last one, down to initials, and initials that do not fit are dropped; the primary
    identifier is cut only when it leaves no room for one initial. A truncated field ends on a
    letter whenever the name's letters allow it (a reader takes a full field as truncated).
    """
    p = _components(primary)
    s = _components(secondary)
    if not p and not s:
        raise MrzNameError("a name needs a primary or a secondary identifier")
    full = _join(p, s)
    if len(full) <= width:
        return full.ljust(width, "<"), False
    head = "<".join(p)
    if not s:
        field = _fit_components(p, width)
    elif len(head) + 3 <= width:
        field = head + "<<" + _fit_components(s, width - len(head) - 2)
    else:
        field = _fit_components(p, width - 3) + "<<" + s[0][0]
    return field.ljust(width, "<"), True
