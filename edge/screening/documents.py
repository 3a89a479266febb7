"""Lost and stolen documents: exact match on the normalised number, checked against the country.

Ten million numbers fit in ~150 MB as a sorted array of 64-bit FNV-1a hashes, a parallel array
of entry positions and one of issuing countries; a lookup is a binary search.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

NUMBER_WIDTH = 24  # longest document number kept; MRZ numbers have 9 characters, cards up to 15
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def normalise_number(number: str) -> str:
    """Upper case, only letters and digits ('tr 123-456<' -> 'TR123456')."""
    return _NOT_ALNUM.sub("", str(number).upper())[:NUMBER_WIDTH]


def hash_numbers(numbers: np.ndarray) -> np.ndarray:
    """FNV-1a 64-bit of each number zero-padded to NUMBER_WIDTH bytes (vectorised).

    A column narrower than NUMBER_WIDTH (9-character passport numbers) is hashed as it is: the
    padding bytes are zeros, whose XOR changes nothing, so they only multiply by the prime. No
    widened copy of ten million numbers is made.
    """
    raw = np.ascontiguousarray(numbers)
    if raw.dtype.kind != "S":
        raw = raw.astype(f"S{NUMBER_WIDTH}")
    width = min(raw.dtype.itemsize, NUMBER_WIDTH)
    matrix = raw.view(np.uint8).reshape(len(raw), raw.dtype.itemsize)
    h = np.full(len(raw), _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in range(width):
            h ^= matrix[:, col].astype(np.uint64)
            h *= _FNV_PRIME
        h *= np.uint64(pow(0x100000001B3, NUMBER_WIDTH - width, 2**64))
    return h


def _fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


@dataclass(frozen=True)
class DocumentHit:
    """A listed document with the same number; `country_match` False when issued elsewhere."""

    entry: int
    country: str
    country_match: bool


class DocumentIndex:
    """Sorted hashes of normalised numbers -> entry positions and issuing countries."""

    def __init__(self, hashes: np.ndarray, entries: np.ndarray, countries: np.ndarray) -> None:
        self.hashes, self.entries, self.countries = hashes, entries, countries

    @classmethod
    def build(
        cls, numbers: np.ndarray, entries: np.ndarray, countries: np.ndarray
    ) -> DocumentIndex:
        """Index normalised numbers (already normalised) of the given entry positions."""
        hashes = hash_numbers(np.asarray(numbers))
        order = np.argsort(hashes, kind="stable")
        return cls(
            hashes[order],
            np.asarray(entries, dtype=np.uint32)[order],
            np.asarray(countries, dtype="S3")[order],
        )

    def __len__(self) -> int:
        return len(self.hashes)

    def lookup(self, number: str, country: str | None) -> list[DocumentHit]:
        """Listed documents with this number; the country is compared, not required."""
        norm = normalise_number(number)
        if not norm:
            return []
        h = np.uint64(_fnv1a(norm.encode().ljust(NUMBER_WIDTH, b"\0")))
        lo = int(np.searchsorted(self.hashes, h, side="left"))
        hi = int(np.searchsorted(self.hashes, h, side="right"))
        hits = []
        for i in range(lo, hi):
            listed = self.countries[i].decode()
            match = not listed or not country or listed == country.upper()
            hits.append(DocumentHit(int(self.entries[i]), listed, match))
        return hits

    def save(self, directory: Path) -> None:
        np.save(directory / "doc_hashes.npy", self.hashes)
        np.save(directory / "doc_entries.npy", self.entries)
        np.save(directory / "doc_countries.npy", self.countries)

    @classmethod
    def load(cls, directory: Path) -> DocumentIndex:
        """Memory-map the arrays: pages are read on demand, the OS may drop them."""
        return cls(
            *(
                np.asarray(np.load(directory / f"doc_{name}.npy", mmap_mode="r"))
                for name in ("hashes", "entries", "countries")
            )
        )
