"""How a listed person's name and birth date change on the way to a traveller's passport.

Typing and OCR errors, dropped middle names, names run together, surname and given names
swapped, then the MRZ's truncation of names too long for its field; birth dates exact, day and
month swapped, one digit off.
"""

from __future__ import annotations

import logging
import random

from edge.mrz.formats import TD3
from edge.mrz.names import MrzNameError, format_name_field, split_name_field
from edge.screening.dates import pack_date
from edge.screening.evalset.people import birth as _birth

logger = logging.getLogger(__name__)

MRZ_NAME_FIELD = TD3.field("names").width  # a passport's: 39 characters
OCR_CONFUSIONS = {"O": "D", "D": "O", "I": "L", "L": "I", "B": "8", "S": "5", "E": "F", "M": "N",
                  "N": "M", "U": "V", "V": "U", "G": "C", "C": "G", "H": "N", "K": "X"}  # fmt: skip


def _typo(token: str, rng: random.Random) -> str:
    if len(token) < 4:
        return token
    i = rng.randrange(1, len(token))
    kind = rng.random()
    if kind < 0.4 and token[i] in OCR_CONFUSIONS:
        return token[:i] + OCR_CONFUSIONS[token[i]] + token[i + 1 :]
    if kind < 0.6 and i < len(token) - 1:
        return token[:i] + token[i + 1] + token[i] + token[i + 2 :]
    if kind < 0.8:
        return token[:i] + token[i + 1 :]
    return token[:i] + rng.choice("AEIOURNST") + token[i:]


def vary_name(surname: str, given: list[str], rng: random.Random) -> tuple[str, str, list[str]]:
    """Apply realistic changes to a passport name; returns (surname, given names, what changed)."""
    changes = []
    syllable_split = len(given) == 2 and all(len(g) <= 4 for g in given)  # MIN JUN: one name
    given = " ".join(given).split()
    if len(given) >= 2 and not syllable_split and rng.random() < 0.3:
        given.pop(rng.randrange(1, len(given)))
        changes.append("middle name dropped")
    if rng.random() < 0.15:
        tokens = surname.split()
        i = rng.randrange(len(tokens))
        tokens[i] = _typo(tokens[i], rng)
        surname = " ".join(tokens)
        changes.append("typo in surname")
    elif given and rng.random() < 0.15:
        i = rng.randrange(len(given))
        given[i] = _typo(given[i], rng)
        changes.append("typo in given name")
    if len(given) >= 2 and rng.random() < 0.1:
        i = rng.randrange(len(given) - 1)
        given[i : i + 2] = [given[i] + given[i + 1]]
        changes.append("given names run together")
    if given and rng.random() < 0.1:
        surname, given = " ".join(given), surname.split()
        changes.append("surname and given names swapped")
    surname, given, full = mrz_name_field(surname, given)
    if full:
        changes.append("MRZ truncation")
    return surname, " ".join(given), changes


def mrz_name_field(
    surname: str, given: list[str], width: int = MRZ_NAME_FIELD
) -> tuple[str, list[str], bool]:
    """The name as a passport's MRZ holds it: only a name longer than the field (39 characters
    on a passport) is cut, the way `edge.mrz.names.format_name_field` cuts it (ICAO 9303-3:
    the last given names first, down to initials). Returns (surname, given, full): `full` as
    the MRZ parser reads the field (`names_truncated`: filled to its end, maybe cut)."""
    if len(surname) + (2 + len(" ".join(given)) if given else 0) < width:
        return surname, given, False
    try:
        field, _ = format_name_field(surname, " ".join(given), width)
    except MrzNameError:  # an OCR digit in the name (5 for S): cut where the field ends
        field = (surname.replace(" ", "<") + "<<" + "<".join(given))[:width]
    parts = split_name_field(field)
    return parts.primary, parts.secondary.split(), parts.truncated


def vary_birth(entry_birth: str | None, rng: random.Random) -> tuple[str, str]:
    """A traveller's birth date derived from the entry's: exact, swapped, one digit off..."""
    if not entry_birth:
        return _birth(rng), "birth date absent in entry"
    if len(entry_birth) == 4:
        return (
            f"{entry_birth}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "entry has year only",
        )
    y, m, d = entry_birth.split("-")
    r = rng.random()
    if r < 0.1 and int(d) <= 12 and d != m:
        return f"{y}-{d}-{m}", "day and month swapped"
    if r < 0.2:
        digits = list(y + m + d)
        i = rng.choice((3, 5, 7))
        digits[i] = str((int(digits[i]) + rng.choice((1, 2, 8, 9))) % 10)
        s = "".join(digits)
        if (
            pack_date(f"{s[:4]}-{s[4:6]}-{s[6:]}")
            and 1 <= int(s[4:6]) <= 12
            and 1 <= int(s[6:]) <= 31
        ):
            return f"{s[:4]}-{s[4:6]}-{s[6:]}", "one digit off"
    return entry_birth, "exact"
