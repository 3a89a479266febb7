"""Japanese names in kanji or kana to Latin, through a curated table of name readings.

Kanji names have no rule-based reading; `ja_names.txt` (beside this module) holds the readings of a few hundred
common surnames and given names (several readings where a name has them: 中田 ナカタ/ナカダ).
Names outside it are read character by character from `ja_chars.txt` (name readings of single
kanji, with rendaku), because real watchlists hold names no table lists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from itertools import product

from edge.screening.kana import kana_to_romaji, to_katakana

logger = logging.getLogger(__name__)

MAX_COMPOSED = 8  # readings kept for a name read character by character (commonest first)
_VOICED = dict(
    zip(
        "カキクケコサシスセソタチツテトハヒフヘホ",
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボ",
        strict=True,
    )
)


class ReadingTableError(Exception):
    """The packaged reading table is malformed."""


@dataclass
class ReadingTable:
    """Kanji spellings of surnames and given names -> katakana readings."""

    surnames: dict[str, tuple[str, ...]]
    given: dict[str, tuple[str, ...]]

    @cached_property
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


@lru_cache(maxsize=1)
def char_table() -> ReadingTable:
    """Name readings of single kanji (`ja_chars.txt`): surname and given-name characters."""
    text = resources.files("edge.screening").joinpath("ja_chars.txt").read_text("utf-8")
    text = text.replace("[surname_chars]", "[surnames]").replace("[given_chars]", "[given]")
    return parse_reading_table(text)


def kanji_name_splits(text: str) -> list[tuple[str, str]]:
    """Plausible (surname, given) splits of a kanji name written without a separator.

    The longest listed surname first; then two characters (most surnames are two kanji) when
    they are readable, since the table cannot list every surname.
    """
    table, chars = reading_table(), char_table()
    out: list[tuple[str, str]] = []
    for n in range(min(table.max_surname_len, len(text) - 1), 0, -1):
        if text[:n] in table.surnames:
            out.append((text[:n], text[n:]))
            break
    for n in (2, 3):  # surnames of two kanji, fewer of three
        split = (text[:n], text[n:])
        if len(text) > n and all(ch in chars.surnames for ch in split[0]) and split not in out:
            out.append(split)
    return out


def split_kanji_name(text: str) -> tuple[str, str] | None:
    """(surname, given) for a kanji name without a separator: the most plausible split."""
    splits = kanji_name_splits(text)
    return splits[0] if splits else None


def _voiced(kana: str) -> str:
    return _VOICED.get(kana[0], kana[0]) + kana[1:] if kana else kana


def composed_readings(word: str, part: str) -> tuple[str, ...]:
    """Readings of a 2-3 kanji name from its characters' readings (rendaku added by rule)."""
    table = getattr(char_table(), part)
    if not 2 <= len(word) <= 3 or not all(ch in table for ch in word):
        return ()
    options = [table[word[0]]]
    for ch in word[1:]:
        plain = table[ch]
        options.append(tuple(dict.fromkeys(plain + tuple(_voiced(k) for k in plain))))
    combos = sorted(
        product(*options), key=lambda c: sum(o.index(k) for o, k in zip(options, c, strict=True))
    )
    return tuple("".join(c) for c in combos[:MAX_COMPOSED])


@lru_cache(maxsize=100_000)
def readings(word: str, part: str) -> tuple[tuple[str, str], ...]:
    """((katakana, passport romaji), ...) for a kanji or kana word; part is 'surnames' or 'given'."""
    kata = to_katakana(word)
    if all("ァ" <= ch <= "ヿ" or ch == "ー" for ch in kata):
        kana_readings: tuple[str, ...] = (kata,)
    else:
        kana_readings = getattr(reading_table(), part).get(word) or composed_readings(word, part)
    return tuple((k, kana_to_romaji(k)[0]) for k in kana_readings)


def spellings(word: str, part: str) -> tuple[tuple[str, ...], str]:
    """(Latin spellings, note) of a Japanese word: passport Hepburn and full-kana spellings."""
    found = readings(word, part)
    # Passport spellings of every reading first, spelled-out forms (OONO, TAROU) after: the
    # index keeps the first few spellings, and a spelled-out form shares its passport form's
    # skeleton, so no reading is lost when a composed name has many.
    forms = [kana_to_romaji(kata) for kata, _ in found]
    out = [f[0] for f in forms] + [x for f in forms for x in f[1:]]
    note = "reading " + "/".join(k for k, _ in found) if found and found[0][0] != word else ""
    return tuple(dict.fromkeys(out)), note
