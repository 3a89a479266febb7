"""ICAO 9303 Part 3 check digits: weights 7-3-1 repeating, modulus 10.

Digits count as themselves, letters A..Z as 10..35 and the filler '<' as 0.
"""

from __future__ import annotations

import logging
import string
from operator import mul

logger = logging.getLogger(__name__)

CHAR_VALUES: dict[str, int] = {
    **{d: int(d) for d in string.digits},
    **{c: 10 + i for i, c in enumerate(string.ascii_uppercase)},
    "<": 0,
}

WEIGHTS: tuple[int, int, int] = (7, 3, 1)
# The weights laid out for the longest span a check digit covers (TD1 composite: 50 characters).
_WEIGHT_RUN: tuple[int, ...] = WEIGHTS * 40


class CheckDigitError(ValueError):
    """A character that has no value in the MRZ character set was given to the check digit."""


def check_digit(text: str) -> str:
    """The ICAO check digit ('0'..'9') of `text`, which must use only 0-9, A-Z and '<'."""
    try:
        if len(text) <= len(_WEIGHT_RUN):
            return str(sum(map(mul, map(CHAR_VALUES.__getitem__, text), _WEIGHT_RUN)) % 10)
        return str(sum(CHAR_VALUES[c] * WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)
    except KeyError:
        i, char = next((i, c) for i, c in enumerate(text) if c not in CHAR_VALUES)
        raise CheckDigitError(
            f"character {char!r} at position {i + 1} of {text!r} is not an MRZ character "
            "(only 0-9, A-Z and '<' are)"
        ) from None


def is_valid_check_digit(text: str, digit: str) -> bool:
    """True when `digit` is the check digit of `text`."""
    return check_digit(text) == digit
