"""Birth-date evidence: exact, year only, day and month swapped, one digit off, absent, conflict.

Dates are packed as integers YYYYMMDD (YYYY0000 when only the year is known, 0 when absent) so
that a whole candidate set is compared at once with numpy.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

EXACT, YEAR, SWAP, DIGIT, ABSENT, CONFLICT = range(6)
KIND_NAMES = ("exact", "year only", "day/month swapped", "one digit off", "absent", "conflict")
# Score adjustment per kind: a conflicting birth date outweighs a perfect name. Roughly the
# weight of evidence of each kind: an exact date is 1 in ~25,000, a day/month swap of the listed
# date about as rare (one particular date), a date one digit off 1 in ~1,000, a year 1 in ~70,
# an absent date nothing. Set on the development seed (docs/screening.md, run H: a search over
# per-hit evidence of 2,000 targets and 10,000 innocents).
ADJUST = np.array([0.05, -0.02, 0.04, -0.01, -0.10, -0.40], dtype=np.float32)
WEAK_KINDS = frozenset({YEAR, SWAP, DIGIT, ABSENT})
# Name frequency (the IDF of a whole name): the more listed people share the traveller's name,
# the more often an innocent traveller carries it too, so the name is weaker evidence. Taken off
# per doubling of the namesake count: a little even with an exact date or its day/month swap (a
# namesake born on that one date is as unlikely either way), more the weaker the date evidence is.
NAMESAKE_PENALTY_PER_DOUBLING = np.array([0.01, 0.02, 0.01, 0.02, 0.04, 0.0], dtype=np.float32)
NAMESAKE_PENALTY_CAP = 0.30


class DateError(ValueError):
    """A birth date that is neither YYYY-MM-DD, YYYY-MM nor YYYY."""


def pack_date(text: str | None) -> int:
    """'1969-08-06' -> 19690806, '1969' -> 19690000, None/'' -> 0; month-only keeps the year."""
    if not text:
        return 0
    m = _DATE.match(text.strip())
    if not m:
        raise DateError(f"birth date {text!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is None or day is None or month == "00" or day == "00":
        return int(year) * 10000
    return int(year + month + day)


def unpack_date(value: int) -> str:
    """Inverse of pack_date for display."""
    if value == 0:
        return "unknown"
    if value % 10000 == 0:
        return f"{value // 10000:04d}"
    return f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"


def evidence_kinds(query: int, entries: np.ndarray) -> np.ndarray:
    """Kind of birth-date evidence (EXACT...CONFLICT) for one traveller against many entries."""
    entries = np.asarray(entries, dtype=np.int64)
    kinds = np.full(entries.shape, CONFLICT, dtype=np.int8)
    if query == 0:
        kinds[:] = ABSENT
        return kinds
    q_year_only = query % 10000 == 0
    e_year_only = entries % 10000 == 0
    year_eq = entries // 10000 == query // 10000
    diff_digits = np.zeros(entries.shape, dtype=np.int8)
    for k in range(8):
        p = 10**k
        diff_digits += (entries // p % 10) != (query // p % 10)
    q_swapped = (query // 10000) * 10000 + (query % 100) * 100 + (query // 100 % 100)
    kinds[diff_digits == 1] = DIGIT
    kinds[(entries == q_swapped) & (query % 100 <= 12)] = SWAP
    kinds[(e_year_only | q_year_only) & year_eq] = YEAR
    kinds[(e_year_only | q_year_only) & ~year_eq] = CONFLICT
    kinds[entries == query] = EXACT
    kinds[entries == 0] = ABSENT
    return kinds


def _kind(query: int, entry: int) -> int:
    """Scalar twin of `evidence_kinds` (same rules, no numpy overhead)."""
    if query == 0 or entry == 0:
        return ABSENT
    if entry == query:
        return EXACT
    if query % 10000 == 0 or entry % 10000 == 0:
        return YEAR if query // 10000 == entry // 10000 else CONFLICT
    q_swapped = (query // 10000) * 10000 + (query % 100) * 100 + (query // 100 % 100)
    if entry == q_swapped and query % 100 <= 12:
        return SWAP
    if sum(a != b for a, b in zip(f"{query:08d}", f"{entry:08d}", strict=True)) == 1:
        return DIGIT
    return CONFLICT


@dataclass(frozen=True)
class DateEvidence:
    """Birth-date comparison of a traveller with one entry."""

    kind: int
    adjust: float
    text: str


def namesake_penalty(kind: int, namesakes: int) -> float:
    """Score taken off when `namesakes` listed entries share the traveller's name."""
    if namesakes <= 1:
        return 0.0
    slope = float(NAMESAKE_PENALTY_PER_DOUBLING[kind])
    return min(slope * math.log2(namesakes), NAMESAKE_PENALTY_CAP)


def compare_dates(query: int, entry: int, namesakes: int = 1) -> DateEvidence:
    """Evidence for one pair, with the phrase used in explanations."""
    kind = _kind(query, entry)
    penalty = namesake_penalty(kind, namesakes)
    q, e = unpack_date(query), unpack_date(entry)
    phrase = {
        EXACT: f"born {q} = {e}",
        YEAR: f"born {q} matches year {e}" if entry % 10000 == 0 else f"born {q} ≈ {e} (year only)",
        SWAP: f"born {q} ≈ {e} (day and month swapped)",
        DIGIT: f"born {q} ≈ {e} (one digit differs)",
        ABSENT: "no birth date to compare" if entry == 0 else "traveller's birth date unknown",
        CONFLICT: f"born {q} ≠ {e}",
    }[kind]
    if penalty:
        phrase += f" ({namesakes} listed people share this name)"
    return DateEvidence(kind, round(float(ADJUST[kind]) - penalty, 3), phrase)
