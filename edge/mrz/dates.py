"""Two-digit MRZ years to dates: birth dates in the past, expiry dates up to 20 years ahead."""

from __future__ import annotations

import logging
from datetime import date

logger = logging.getLogger(__name__)

# Expiry dates are read as up to this many years ahead of `today`, else in the past.
EXPIRY_YEARS_AHEAD = 20


def infer_birth_date(raw: str, today: date) -> date | None:
    """The date for YYMMDD `raw` in the century that puts it on or before `today`; None if unknown.

    Raises ValueError when `raw` is not a date in either century.
    """
    if "<" in raw:
        return None
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    base = today.year - today.year % 100
    for year in (base + yy, base + yy - 100):
        try:
            candidate = date(year, mm, dd)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError(f"{raw!r} is not a date (YYMMDD)")


def infer_expiry_date(raw: str, today: date, years_ahead: int = EXPIRY_YEARS_AHEAD) -> date | None:
    """The date for YYMMDD `raw` at most `years_ahead` years after `today`; None if unknown."""
    if "<" in raw:
        return None
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    base = today.year - today.year % 100
    horizon = date(today.year + years_ahead, 12, 31)
    for year in (base + yy + 100, base + yy, base + yy - 100):
        try:
            candidate = date(year, mm, dd)
        except ValueError:
            continue
        if candidate <= horizon:
            return candidate
    raise ValueError(f"{raw!r} is not a date (YYMMDD)")
