"""Cyrillic names to Latin: the ICAO 9303 (2015) table and the older spellings still in passports.

ICAO gives Юрий -> IURII, older Russian passports YURIY or YURI; both are produced, and the
skeleton in `text.py` folds the rest (Y/I, doubled letters).
"""

from __future__ import annotations

import logging
from functools import lru_cache

logger = logging.getLogger(__name__)

ICAO = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH", "З": "Z",
    "И": "I", "Й": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R",
    "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH",
    "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA",
    "Є": "IE", "І": "I", "Ї": "I", "Ґ": "G", "Ў": "U", "Ђ": "D", "Ј": "J", "Љ": "LJ",
    "Њ": "NJ", "Ћ": "C", "Џ": "DZ", "Ѓ": "G", "Ќ": "K", "Ѕ": "DZ",
}  # fmt: skip
# Older common practice (pre-2013 Russian passports, BGN/PCGN-like) where it differs from ICAO.
OLDER = {"Й": "Y", "Ю": "YU", "Я": "YA", "Ё": "YO", "Ъ": "", "Є": "YE", "Ї": "YI", "Х": "KH"}
_VOWELS = set("АЕЁИОУЫЭЮЯЄІЇ")


def has_cyrillic(text: str) -> bool:
    """Whether the text holds any Cyrillic letter."""
    return any("Ѐ" <= ch <= "ӿ" for ch in text)


def _older(word: str) -> str:
    out = []
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        if ch == "Е" and (i == 0 or prev in _VOWELS or prev in "ЬЪ"):
            out.append("YE")
        elif ch in ("И", "Ы") and word[i + 1 : i + 2] == "Й" and i + 2 == len(word):
            out.append("")  # Дмитрий -> DMITRY (the Й below gives the Y)
        else:
            out.append(OLDER.get(ch, ICAO.get(ch, ch)))
    return "".join(out)


@lru_cache(maxsize=100_000)
def transliterate(word: str) -> tuple[str, ...]:
    """Spellings of one Cyrillic word: ICAO 9303 first, then the older common one."""
    upper = word.upper()
    icao = "".join(ICAO.get(ch, ch) for ch in upper)
    return tuple(dict.fromkeys((icao, _older(upper))))
