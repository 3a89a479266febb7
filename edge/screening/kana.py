"""Japanese kana to Latin: modified Hepburn as written in passports, and the spelled-out form.

`kana_to_romaji("オオノ")` gives ("ONO", "OONO"): the passport spelling drops long vowels
(OO, OU, UU), the second keeps every kana. Kunrei (SI, TU, ZI, HU) and OH spellings are not
generated: the skeleton in `text.py` folds them onto the same key.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

logger = logging.getLogger(__name__)

_BASE = {
    "ア": "A", "イ": "I", "ウ": "U", "エ": "E", "オ": "O",
    "カ": "KA", "キ": "KI", "ク": "KU", "ケ": "KE", "コ": "KO",
    "ガ": "GA", "ギ": "GI", "グ": "GU", "ゲ": "GE", "ゴ": "GO",
    "サ": "SA", "シ": "SHI", "ス": "SU", "セ": "SE", "ソ": "SO",
    "ザ": "ZA", "ジ": "JI", "ズ": "ZU", "ゼ": "ZE", "ゾ": "ZO",
    "タ": "TA", "チ": "CHI", "ツ": "TSU", "テ": "TE", "ト": "TO",
    "ダ": "DA", "ヂ": "JI", "ヅ": "ZU", "デ": "DE", "ド": "DO",
    "ナ": "NA", "ニ": "NI", "ヌ": "NU", "ネ": "NE", "ノ": "NO",
    "ハ": "HA", "ヒ": "HI", "フ": "FU", "ヘ": "HE", "ホ": "HO",
    "バ": "BA", "ビ": "BI", "ブ": "BU", "ベ": "BE", "ボ": "BO",
    "パ": "PA", "ピ": "PI", "プ": "PU", "ペ": "PE", "ポ": "PO",
    "マ": "MA", "ミ": "MI", "ム": "MU", "メ": "ME", "モ": "MO",
    "ヤ": "YA", "ユ": "YU", "ヨ": "YO",
    "ラ": "RA", "リ": "RI", "ル": "RU", "レ": "RE", "ロ": "RO",
    "ワ": "WA", "ヰ": "I", "ヱ": "E", "ヲ": "O", "ン": "N", "ヴ": "VU",
    "ァ": "A", "ィ": "I", "ゥ": "U", "ェ": "E", "ォ": "O",
}  # fmt: skip
_SMALL_Y = {"ャ": "A", "ュ": "U", "ョ": "O"}
_PALATAL_STEM = {"シ": "SH", "チ": "CH", "ジ": "J", "ヂ": "J"}

_LONG_VOWELS = re.compile(r"(?<=O)[OU]|(?<=U)U")


def to_katakana(text: str) -> str:
    """Hiragana folded to katakana; other characters unchanged."""
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


def is_kana(text: str) -> bool:
    """Whether every non-space character is hiragana or katakana (including ー and ・)."""
    chars = [ch for ch in text if not ch.isspace()]
    return bool(chars) and all("ぁ" <= ch <= "ヿ" or ch == "ー" for ch in chars)


def _syllables(kata: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(kata):
        ch = kata[i]
        nxt = kata[i + 1] if i + 1 < len(kata) else ""
        if nxt in _SMALL_Y and ch in _BASE and ch not in "ャュョ":
            stem = _PALATAL_STEM.get(ch, _BASE[ch][:-1] + "Y")
            out.append(stem + _SMALL_Y[nxt])
            i += 2
            continue
        if ch == "ー":
            if out and out[-1]:
                out.append(out[-1][-1])
        elif ch in ("ッ", "っ"):
            out.append("Q")  # resolved against the next syllable
        elif ch in _BASE:
            out.append(_BASE[ch])
        elif ch in _SMALL_Y:
            out.append("Y" + _SMALL_Y[ch])
        i += 1
    return out


def _join(sylls: list[str]) -> str:
    text = []
    for i, syl in enumerate(sylls):
        if syl == "Q":
            nxt = sylls[i + 1] if i + 1 < len(sylls) else ""
            if nxt.startswith("CH"):
                text.append("T")
            elif nxt and nxt[0] not in "AEIOU":
                text.append(nxt[0])
            continue
        text.append(syl)
    return "".join(text)


@lru_cache(maxsize=100_000)
def kana_to_romaji(kana: str) -> tuple[str, str]:
    """(passport Hepburn without long vowels, full spelling keeping every kana) for one kana word."""
    full = _join(_syllables(to_katakana(kana)))
    passport = _LONG_VOWELS.sub("", full)
    return passport, full
