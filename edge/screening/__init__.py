"""Screening on the booth: watchlist names in many scripts, lost/stolen documents, visa records.

Public API: `Screener` (`from_entries`, `load`, `screen`), `ScreeningResult`, `Hit`,
`Thresholds`, `VisaRegistry`, `VisaCheck`, `build_directory`, `build_directory_from_files`. See docs/screening.md.
"""

from edge.screening.index_build import (
    IndexDirectoryError,
    build_directory,
    build_directory_from_files,
)
from edge.screening.records import ReferenceDataError
from edge.screening.scoring import Thresholds
from edge.screening.screener import Hit, Screener, ScreeningResult
from edge.screening.visa import VisaCheck, VisaRegistry

__all__ = [
    "Hit",
    "IndexDirectoryError",
    "ReferenceDataError",
    "Screener",
    "ScreeningResult",
    "Thresholds",
    "VisaCheck",
    "VisaRegistry",
    "build_directory",
    "build_directory_from_files",
]
