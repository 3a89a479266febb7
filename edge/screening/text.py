"""Latin name text: normalisation, tokens, particles and the phonetic skeleton used as index key.

Everything here works on upper-case ASCII Latin. The skeleton folds the spelling differences
that romanisation systems produce (Japanese long vowels and SHI/SI, TSU/TU, JI/ZI, FU/HU;
Cyrillic Y/I, KH/H, X/KS; English-style EE for a long I; doubled letters) so that variants of
one name share one key.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

logger = logging.getLogger(__name__)

# Connecting words that carry no identity on their own (AL-HASSAN, BIN LADEN, VAN DER BERG).
PARTICLES = frozenset(
    {"AL", "EL", "UL", "BIN", "BEN", "IBN", "BINT", "VAN", "DER", "DE", "LA", "DA"}
)
# Prefixes glued to a name (ALHASSAN, ELSAYED): a variant without them is also tried.
GLUED_PREFIXES = ("AL", "EL")

# OCR of MRZ and typing in names: digits never belong in a name, so they are read as letters.
_OCR_DIGITS = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"})
_NON_ALPHA = re.compile(r"[^A-Z]+")
_SPLIT = re.compile(r"[\s<\-'’.,/_]+")
_VOWELS = frozenset("AEIOU")


def fold_latin(text: str) -> str:
    """Upper-case ASCII: accents stripped (É -> E), full width folded, OCR digits read as letters."""
    if text.isascii():  # most names: nothing to fold
        return text.upper().translate(_OCR_DIGITS)
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text.upper())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    special = {"Ø": "O", "Æ": "AE", "Œ": "OE", "ß": "SS", "Ð": "D", "Þ": "TH", "Ł": "L", "İ": "I"}
    stripped = "".join(special.get(ch, ch) for ch in stripped)
    return stripped.translate(_OCR_DIGITS)


def latin_tokens(text: str) -> list[str]:
    """Split a Latin name part into A-Z tokens (hyphens, spaces, MRZ `<` fillers are separators)."""
    out = []
    for raw in _SPLIT.split(fold_latin(text)):
        tok = _NON_ALPHA.sub("", raw)
        if tok:
            out.append(tok)
    return out


# AL and EL with the L read or typed as I (AI-AHMED, EI-HASSAN): particles too, where a
# particle stands (before another name), never a name on their own (AI, 愛, stays a name).
_MISREAD_PARTICLES = frozenset({"AI", "EI"})


def is_particle(token: str, leading: bool = False) -> bool:
    """Whether the token is a connecting particle (AL, BIN, VAN...) ignored for identity;
    `leading`: it comes before another name, where a misread AL (AI) is one too."""
    return token in PARTICLES or (leading and token in _MISREAD_PARTICLES)


def name_tokens(text: str) -> list[str]:
    """Latin tokens of a name part without leading particles (AL HASSAN -> HASSAN; BIN alone stays)."""
    tokens = latin_tokens(text)
    last = len(tokens) - 1
    return [t for i, t in enumerate(tokens) if not (i < last and is_particle(t, i == 0))]


def glued_variants(token: str) -> tuple[str, ...]:
    """The token plus, for ALHASSAN-style glued prefixes, the token without the prefix."""
    for prefix in GLUED_PREFIXES:
        if token.startswith(prefix) and len(token) >= len(prefix) + 3:
            return (token, token[len(prefix) :])
    return (token,)


_VOWEL_H = re.compile(r"(?<=[AEIOU])H(?=[^AEIOU]|$)")
# Literal steps run as str.replace (several times faster than re.sub); the four that need a
# pattern keep one. The order is the folding order: each step sees the previous ones' output.
_SKELETON_STEPS: tuple[tuple[str | re.Pattern[str], str], ...] = (
    ("EE", "I"),  # English-style long I: REEM / RIM, NAJEEB / NAJIB, LEE / LI, HEE / HUI (희)
    ("X", "KS"),
    ("PH", "F"),
    ("Q", "K"),
    ("W", "V"),
    ("TCH", "CH"),  # Hepburn sokuon before CH (MATCHA)
    ("SHI", "SI"),
    ("CHI", "TI"),
    ("TSU", "TU"),
    ("FU", "HU"),
    ("JI", "ZI"),
    ("SH", "SY"),
    ("CH", "TY"),
    ("J", "ZY"),
    ("KH", "H"),
    ("MB", "NB"),  # HOMMA / HONMA, NAMBA / NANBA
    ("MP", "NP"),
    ("Y", "I"),
    (_VOWEL_H, ""),  # OHNO -> ONO, FATIMAH -> FATIMA
    ("OU", "O"),
    (re.compile(r"(.)\1+"), r"\1"),  # OONO -> ONO, MOHAMMED -> MOHAMED, IURII -> IURI
)


@lru_cache(maxsize=500_000)
def skeleton(token: str) -> str:
    """Phonetic skeleton of an upper-case Latin token; romanisation variants share one skeleton."""
    s = (
        token
        if token.isascii() and token.isalpha() and token.isupper()
        else _NON_ALPHA.sub("", token)
    )
    for step, repl in _SKELETON_STEPS:
        if isinstance(step, str):
            if step in s:
                s = s.replace(step, repl)
        elif step is not _VOWEL_H or "H" in s:
            s = step.sub(repl, s)
    return s


@lru_cache(maxsize=500_000)
def vowel_free(token: str) -> str:
    """First letter plus the consonants of the skeleton (MOHAMED, MUHAMMAD -> MHMD; HUDA,
    HODA -> HD).

    A leading vowel is kept only as 'a vowel' (OSAMA, USAMA -> ASM; EMAD, IMAD -> AMD): Arabic
    and other transliterations disagree on vowels wherever they stand.
    """
    s = skeleton(token)
    first = "A" if s[:1] in _VOWELS else s[:1]
    return first + "".join(ch for ch in s[1:] if ch not in _VOWELS)


def consonant_key(token: str) -> str:
    """`vowel_free` when it has three letters or more (an index key); '' for short names."""
    key = vowel_free(token)
    return key if len(key) >= 3 else ""


# French and Maghreb spellings of Arabic sounds: CH for SH after a vowel (DERWICHE / DARWISH,
# HICHAM / HISHAM, ACHRAF / ASHRAF), DH for TH (MONDHER / MUNTHER). Not a CH that begins a name
# or follows a consonant, as in Korean and Chinese spellings (CHUJIN is not SOJUN, QIANCHUI
# not QUNSUI), and only in longer names (CHEN and SHEN, 陈 and 沈, stay apart).
_FRENCH = ((re.compile(r"(?<=[AEIOU])CH"), "SH"), (re.compile("DH"), "TH"))
FRENCH_MIN_LEN = 6


@lru_cache(maxsize=500_000)
def consonant_keys(token: str) -> tuple[str, ...]:
    """`consonant_key`, and for a longer name written the French way (CH, DH) also the key of
    the English spelling (SH, TH): an index key each, compared as one name."""
    key = consonant_key(token)
    if not key or len(token) < FRENCH_MIN_LEN or ("CH" not in token and "DH" not in token):
        return (key,) if key else ()
    english = token
    for french, sound in _FRENCH:
        english = french.sub(sound, english)
    other = consonant_key(english)
    return (key, other) if other and other != key else (key,)


def deletes(key: str) -> list[str]:
    """Every string made by deleting one character (SymSpell neighbourhood, distance 1)."""
    return [key[:i] + key[i + 1 :] for i in range(len(key))]
