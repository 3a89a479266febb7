"""A name in any script -> Latin renderings with alternative spellings per token.

`render_name("大野 太郎")` gives one rendering: surname (ONO|OONO from 大野, reading オオノ),
given (TARO|TAROU from 太郎). Matching and indexing work on these renderings only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from edge.screening import chinese, cyrillic, hangul, japanese
from edge.screening.kana import is_kana
from edge.screening.text import glued_variants, name_tokens

logger = logging.getLogger(__name__)

JAPANESE_NATIONALITIES = frozenset({"JPN"})
CHINESE_NATIONALITIES = frozenset({"CHN", "TWN", "HKG", "MAC", "SGP", "MYS"})
_SEPARATORS = re.compile(r"[\s,、・･<]+")
# Script detection by one regex search each (a name is scanned once per script, not per letter).
_HANGUL = re.compile("[가-힣]")
_CYRILLIC = re.compile("[Ѐ-ӿ]")
_KANA = re.compile("[ぁ-ヿ]")
_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf々]")


@dataclass(frozen=True)
class NameToken:
    """One name word: Latin spellings (first is shown), the word as written, and how it was read."""

    spellings: tuple[str, ...]
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        # Tokens and renderings key the similarity caches: hashing their nested tuples on
        # every lookup was a tenth of a crowded traveller's time, so the hash is kept.
        object.__setattr__(self, "_hash", hash((self.spellings, self.source, self.note)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def __reduce__(self) -> tuple:  # string hashes differ between processes: recompute
        return NameToken, (self.spellings, self.source, self.note)


@dataclass(frozen=True)
class Rendering:
    """A name as surname and given-name tokens in Latin, with the script it came from."""

    surname: tuple[NameToken, ...]
    given: tuple[NameToken, ...]
    script: str
    original: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_hash", hash((self.surname, self.given, self.script, self.original))
        )

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def __reduce__(self) -> tuple:
        return Rendering, (self.surname, self.given, self.script, self.original)

    @property
    def tokens(self) -> tuple[NameToken, ...]:
        return self.surname + self.given


def _latin_part(text: str) -> tuple[NameToken, ...]:
    return tuple(NameToken(glued_variants(tok), tok) for tok in name_tokens(text))


def render_latin(surname: str, given: str, original: str = "") -> Rendering:
    """Rendering of a Latin name given as surname and given names."""
    return Rendering(_latin_part(surname), _latin_part(given), "latin", original or surname)


@lru_cache(maxsize=200_000)
def romanised(rendering: Rendering) -> Rendering:
    """A Latin name listed beside the same person's name in its own script (탁은서 and TAK,
    UNSO) is that name's romanisation: its spellings vary as the script's romanisations do,
    which the native rendering already holds, not as Arabic names' vowels do (UNSO is not
    YUNSO, SUYUN not SUIN). Script 'romanised' tells the matcher so."""
    return Rendering(rendering.surname, rendering.given, "romanised", rendering.original)


def _split(text: str) -> tuple[str, str, bool]:
    """(surname part, given part, explicit) using a comma, MRZ `<<` or the first space."""
    for sep in (",", "<<", "，"):
        if sep in text:
            sur, given = text.split(sep, 1)
            return sur.strip(), given.strip(), True
    parts = _SEPARATORS.split(text.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1], True
    return text.strip(), "", False


def _words(text: str) -> list[str]:
    return [w for w in _SEPARATORS.split(text) if w]


def _japanese_split(sur: str, given: str) -> Rendering | None:
    sur_tokens, given_tokens = [], []
    for word in _words(sur):
        spell, note = japanese.spellings(word, "surnames")
        if not spell:
            return None
        sur_tokens.append(NameToken(spell, word, note))
    for word in _words(given):
        spell, note = japanese.spellings(word, "given")
        # An unknown given name keeps the surname usable; the token has no Latin spelling.
        given_tokens.append(
            NameToken(spell, word, note or ("no reading known" if not spell else ""))
        )
    return Rendering(tuple(sur_tokens), tuple(given_tokens), "japanese", "")


def _japanese(text: str) -> list[Rendering]:
    """Renderings of a Japanese name; a kanji name without a space may split more than one way."""
    sur, given, explicit = _split(text)
    splits = [(sur, given)]
    if not explicit and not is_kana(sur):
        splits = japanese.kanji_name_splits(sur)
    out = []
    for s, g in splits:
        found = _japanese_split(s, g)
        if found is not None:
            out.append(Rendering(found.surname, found.given, "japanese", text))
    return out


def _chinese(text: str) -> Rendering | None:
    sur, given, explicit = _split(text)
    if not explicit:
        sur, given = chinese.split_chinese_name(sur)
    sur_sp = chinese.romanise_surname(sur)
    if not sur_sp:
        return None
    given_tokens = tuple(
        NameToken(sp, w, "pinyin / Wade–Giles")
        for w in _words(given)
        if (sp := chinese.romanise_given(w))
    )
    note = "pinyin / Wade–Giles / Cantonese"
    return Rendering((NameToken(sur_sp, sur, note),), given_tokens, "chinese", text)


def _korean(text: str) -> Rendering:
    sur, given, explicit = _split(text)
    if not explicit:
        sur, given = hangul.split_korean_name(sur)
    sur_tokens = tuple(NameToken(hangul.romanise_surname(w), w, "Hangul") for w in _words(sur))
    given_tokens = tuple(NameToken(hangul.romanise_given(w), w, "Hangul") for w in _words(given))
    return Rendering(sur_tokens, given_tokens, "korean", text)


def _cyrillic(text: str) -> Rendering:
    sur, given, _ = _split(text)
    sur_tokens = tuple(
        NameToken(cyrillic.transliterate(w), w, "ICAO 9303 / older") for w in _words(sur)
    )
    given_tokens = tuple(
        NameToken(cyrillic.transliterate(w), w, "ICAO 9303 / older") for w in _words(given)
    )
    return Rendering(sur_tokens, given_tokens, "cyrillic", text)


@lru_cache(maxsize=200_000)
def render_name(text: str, nationality: str | None = None) -> tuple[Rendering, ...]:
    """Every plausible Latin rendering of a name string written in any supported script."""
    if text.isascii():
        sur, given, _ = _split(text)
        rendering = render_latin(sur, given, text)
        return (rendering,) if rendering.tokens else ()
    if _HANGUL.search(text):
        return (_korean(text),)
    if _CYRILLIC.search(text):
        return (_cyrillic(text),)
    has_kana = _KANA.search(text) is not None
    has_han = _HAN.search(text) is not None
    if has_kana:
        return tuple(_japanese(text))
    if has_han:
        out: list[Rendering] = []
        if nationality not in CHINESE_NATIONALITIES:
            out += _japanese(text)
        # Without a nationality 林 勇 may be HAYASHI ISAMU or LIN YONG: keep both readings.
        read_fully = any(all(t.spellings for t in r.tokens) for r in out)
        if nationality not in JAPANESE_NATIONALITIES or not read_fully:
            zh = _chinese(text)
            if zh is not None:
                out.append(zh)
        return tuple(out)
    sur, given, _ = _split(text)
    rendering = render_latin(sur, given, text)
    return (rendering,) if rendering.tokens else ()
