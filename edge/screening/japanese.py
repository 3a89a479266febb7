"""Japanese names in kanji or kana to Latin, through a curated table of name readings.

Kanji names have no rule-based reading; `ja_names.txt` (beside this module) holds the readings of a few hundred
common surnames and given names (several readings where a name has them: 中田 ナカタ/ナカダ).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from edge.screening.kana import kana_to_romaji, to_katakana

logger = logging.getLogger(__name__)


class ReadingTableError(Exception):
    """The packaged reading table is malformed."""


@dataclass(frozen=True)
class ReadingTable:
    """Kanji spellings of surnames and given names -> katakana readings."""

    surnames: dict[str, tuple[str, ...]]
    given: dict[str, tuple[str, ...]]

    @property
    def max_surname_len(self) -> int:
        return max((len(k) for k in self.surnames), default=0)


def parse_reading_table(text: str) -> ReadingTable:
    """Parse the `KANJI<TAB>READING|READING` table with [surnames] and [given] sections."""
    sections: dict[str, dict[str, tuple[str, ...]]] = {"surnames": {}, "given": {}}
    current = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            if current not in sections:
                raise ReadingTableError(f"line {lineno}: unknown section {line}")
            continue
        if current is None or "\t" not in line:
            raise ReadingTableError(f"line {lineno}: expected KANJI<TAB>READING in a section")
        kanji, readings = line.split("\t", 1)
        sections[current][kanji] = tuple(to_katakana(r) for r in readings.split("|"))
    return ReadingTable(surnames=sections["surnames"], given=sections["given"])


@lru_cache(maxsize=1)
def reading_table() -> ReadingTable:
    """The packaged table (loaded once)."""
    text = resources.files("edge.screening").joinpath("ja_names.txt").read_text("utf-8")
    return parse_reading_table(text)


def split_kanji_name(text: str) -> tuple[str, str] | None:
    """(surname, given) for a kanji name without a separator, by the longest known surname."""
    table = reading_table()
    for n in range(min(table.max_surname_len, len(text) - 1), 0, -1):
        if text[:n] in table.surnames:
            return text[:n], text[n:]
    return None


@lru_cache(maxsize=100_000)
def readings(word: str, part: str) -> tuple[tuple[str, str], ...]:
    """((katakana, passport romaji), ...) for a kanji or kana word; part is 'surnames' or 'given'."""
    kata = to_katakana(word)
    if all("ァ" <= ch <= "ヿ" or ch == "ー" for ch in kata):
        kana_readings: tuple[str, ...] = (kata,)
    else:
        kana_readings = getattr(reading_table(), part).get(word, ())
    return tuple((k, kana_to_romaji(k)[0]) for k in kana_readings)


def spellings(word: str, part: str) -> tuple[tuple[str, ...], str]:
    """(Latin spellings, note) of a Japanese word: passport Hepburn and full-kana spellings."""
    found = readings(word, part)
    out: list[str] = []
    for kata, _ in found:
        out.extend(kana_to_romaji(kata))
    note = "reading " + "/".join(k for k, _ in found) if found and found[0][0] != word else ""
    return tuple(dict.fromkeys(out)), note
