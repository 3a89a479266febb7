"""People for the evaluation set: names drawn Zipf-like from large, composed name spaces.

`random_person` gives a person with a native-script name; `native_name` writes it as a
watchlist would and `passport_name` as the person's passport MRZ would (romanisation system
chosen per person, as passports do).
"""

from __future__ import annotations

import itertools
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from edge.screening import chinese, cyrillic, hangul, japanese
from edge.screening.evalset import pools
from edge.screening.kana import kana_to_romaji

logger = logging.getLogger(__name__)

SCRIPT_MIX = (("ja", 0.15), ("ko", 0.15), ("ru", 0.15), ("zh", 0.15), ("ar", 0.20), ("west", 0.20))
NATIONALITY = {
    "ja": ("JPN",), "ko": ("KOR",), "ru": ("RUS", "UKR", "KAZ"), "zh": ("CHN", "CHN", "TWN", "HKG"),
    "ar": ("EGY", "SAU", "JOR", "SYR", "IRQ", "PAK"), "west": ("USA", "GBR", "DEU", "FRA", "ITA", "BRA"),
}  # fmt: skip
_AR_M = {g[0]: g for g in pools.AR_GIVEN_M}
_AR_F = {g[0]: g for g in pools.AR_GIVEN_F}
_AR_FAMILY = {g[0]: g for g in pools.AR_FAMILY}
_KR_SYLLABLES = tuple(dict.fromkeys(pools.KR_SYLLABLES))


@dataclass
class Person:
    """A listed or innocent person: the name as written natively, and how it is read."""

    script: str
    surname: str  # native script (Latin canonical form for ar/west)
    given: list[str]  # given names; for ru the patronymic, for ar father's and grandfather's
    sex: str
    birth: str  # YYYY-MM-DD
    nationality: str
    reading: tuple[str, str] = ("", "")  # ja: katakana of surname and given name
    extra: dict[str, Any] = field(default_factory=dict)


_CUM: dict[tuple[int, float], list[float]] = {}


def zipf(rng: random.Random, items: Any, k: float = 3.0) -> Any:
    """One item, weight 1/(rank+k): the head is common, the tail long (k sets the head's share)."""
    key = (len(items), k)
    if key not in _CUM:
        _CUM[key] = list(itertools.accumulate(1.0 / (r + k) for r in range(len(items))))
    return rng.choices(items, cum_weights=_CUM[key])[0]


def birth(rng: random.Random) -> str:
    return f"{rng.randint(1940, 2008):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _pick_reading(rng: random.Random, readings: tuple[str, ...]) -> str:
    # The commonest reading most of the time, another one sometimes (中田 ナカダ).
    return readings[0] if rng.random() < 0.6 or len(readings) == 1 else rng.choice(readings[1:])


def _japanese(rng: random.Random) -> tuple[str, list[str], tuple[str, str]]:
    table, chars = japanese.reading_table(), japanese.char_table()
    if rng.random() < 0.5:
        surname = zipf(rng, list(table.surnames))
    else:  # composed: two kanji (sometimes three), as most surnames are
        n = 3 if rng.random() < 0.1 else 2
        surname = "".join(zipf(rng, list(chars.surnames), 6) for _ in range(n))
    if rng.random() < 0.5:
        given = zipf(rng, list(table.given))
    else:
        given = "".join(zipf(rng, list(chars.given), 6) for _ in range(2))
    sur_r = japanese.readings(surname, "surnames")
    giv_r = japanese.readings(given, "given")
    reading = (
        _pick_reading(rng, tuple(k for k, _ in sur_r)),
        _pick_reading(rng, tuple(k for k, _ in giv_r)),
    )
    return surname, [given], reading


def _korean(rng: random.Random) -> tuple[str, list[str]]:
    surname = zipf(rng, list(hangul.SURNAMES), 1.0)
    r = rng.random()
    if r < 0.25:
        return surname, [zipf(rng, pools.KR_GIVEN)]
    if r < 0.28:
        return surname, [zipf(rng, _KR_SYLLABLES, 5)]
    return surname, [zipf(rng, _KR_SYLLABLES, 5) + zipf(rng, _KR_SYLLABLES, 5)]


def _chinese_char(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return zipf(rng, pools.CN_GIVEN_CHARS, 5)
    return rng.choice(pools.gb2312_level1())


def _chinese(rng: random.Random) -> tuple[str, list[str]]:
    surname = zipf(rng, pools.CN_SURNAMES, 2.0)
    if rng.random() < 0.15:
        return surname, [zipf(rng, pools.CN_GIVEN_HEAD)]
    n = 1 if rng.random() < 0.3 else 2
    return surname, ["".join(_chinese_char(rng) for _ in range(n))]


def russian_surname(stem: str, suffix: str, sex: str) -> str:
    """Stem + -ов/-ев/-ин/-ский, spelled as Russian spells it, in the person's gender."""
    if suffix in ("ов", "ев"):
        if stem.endswith(("ь", "й")):
            stem, suffix = stem[:-1], "ев"
        elif stem[-1] in "еи":  # Тимофе-ев, Матве-ев
            suffix = "ев"
    if sex == "F":
        suffix = {"ов": "ова", "ев": "ева", "ин": "ина", "ский": "ская"}[suffix]
    return stem + suffix


def patronymic(father: str, sex: str) -> str:
    """Иван -> Иванович / Ивановна; Сергей -> Сергеевич; Никита -> Никитич; Илья -> Ильич."""
    if father.endswith(("а", "я")):
        return father[:-1] + ("ич" if sex == "M" else "ична")
    if father.endswith("ий") and len(father) > 4:
        return father[:-2] + ("иевич" if sex == "M" else "иевна")
    if father.endswith("й"):
        return father[:-1] + ("евич" if sex == "M" else "евна")
    return father + ("ович" if sex == "M" else "овна")


def _russian(rng: random.Random, sex: str) -> tuple[str, list[str]]:
    if rng.random() < 0.5:
        surname = zipf(rng, pools.RU_SURNAMES)
        if sex == "F" and surname.endswith(("в", "н")):
            surname += "а"
    else:
        suffix = rng.choices(("ов", "ин", "ев", "ский"), (0.55, 0.2, 0.1, 0.15))[0]
        surname = russian_surname(zipf(rng, pools.RU_STEMS, 10), suffix, sex)
    given = [zipf(rng, pools.RU_GIVEN_M if sex == "M" else pools.RU_GIVEN_F, 4)]
    if rng.random() < 0.7:  # watchlists usually hold the patronymic
        given.append(patronymic(zipf(rng, pools.RU_GIVEN_M, 4), sex))
    return surname, given


def _arabic(rng: random.Random, sex: str) -> tuple[str, list[str]]:
    r = rng.random()
    if r < 0.5:
        family = zipf(rng, pools.AR_FAMILY)[0]
    elif r < 0.8:
        base = zipf(rng, pools.AR_GIVEN_M, 2)[0]
        family = "AL-" + base if " " not in base else base
    else:
        family = zipf(rng, pools.AR_GIVEN_M, 2)[0]
    own = zipf(rng, pools.AR_GIVEN_M if sex == "M" else pools.AR_GIVEN_F, 2)[0]
    given = [own, zipf(rng, pools.AR_GIVEN_M, 2)[0]]  # father's name
    if rng.random() < 0.5:
        given.append(zipf(rng, pools.AR_GIVEN_M, 2)[0])  # grandfather's name
    return family, given


def _western(rng: random.Random) -> tuple[str, list[str]]:
    if rng.random() < 0.6:
        surname = zipf(rng, pools.WESTERN_SURNAMES, 5)
    else:
        surname = zipf(rng, pools.WESTERN_FIRST, 10) + zipf(rng, pools.WESTERN_LAST, 5)
    return surname, [zipf(rng, pools.WESTERN_GIVEN, 5) for _ in range(rng.choice((1, 1, 2)))]


def random_person(rng: random.Random) -> Person:
    """A person from one of the six name families."""
    script = rng.choices([k for k, _ in SCRIPT_MIX], [w for _, w in SCRIPT_MIX])[0]
    sex = rng.choice("MF")
    reading = ("", "")
    if script == "ja":
        surname, given, reading = _japanese(rng)
    elif script == "ko":
        surname, given = _korean(rng)
    elif script == "ru":
        surname, given = _russian(rng, sex)
    elif script == "zh":
        surname, given = _chinese(rng)
    elif script == "ar":
        surname, given = _arabic(rng, sex)
    else:
        surname, given = _western(rng)
    return Person(script, surname, given, sex, birth(rng), rng.choice(NATIONALITY[script]), reading)


def native_name(p: Person, rng: random.Random) -> str:
    """The name as a watchlist would hold it (native script, sometimes Latin, sometimes katakana)."""
    if p.script == "ja":
        if rng.random() < 0.15:
            return f"{p.reading[0]} {p.reading[1]}"
        return f"{p.surname} {p.given[0]}" if rng.random() < 0.5 else p.surname + p.given[0]
    if p.script in ("ko", "zh"):
        joined = p.surname + "".join(p.given)
        return joined if rng.random() < 0.7 else f"{p.surname} {' '.join(p.given)}"
    if p.script == "ru":
        text = f"{p.surname} {' '.join(p.given)}"
        return text.upper() if rng.random() < 0.3 else text
    return f"{p.surname}, {' '.join(p.given)}"


def japanese_spelling(kana: str, rng: random.Random) -> str:
    """Passport Hepburn mostly; OH for long O, spelled-out long vowels or Kunrei sometimes."""
    passport, full = kana_to_romaji(kana)
    style = rng.random()
    if style < 0.55:
        return passport
    if style < 0.7:
        return full.replace("OU", "OH").replace("OO", "OH")
    if style < 0.8:
        return full
    kunrei = (
        passport.replace("SHI", "SI").replace("CHI", "TI").replace("TSU", "TU").replace("FU", "HU")
    )
    return kunrei.replace("JI", "ZI").replace("SH", "SY").replace("CH", "TY").replace("J", "ZY")


def _arabic_variants(name: str) -> tuple[str, ...]:
    if name.startswith("AL-") and name[3:] in _AR_M:
        base = _AR_M[name[3:]]
        return (name, "AL " + name[3:], "AL" + name[3:], "EL-" + name[3:], *base[1:2])
    return _AR_FAMILY.get(name) or _AR_M.get(name) or _AR_F.get(name) or (name,)


def passport_name(p: Person, rng: random.Random) -> tuple[str, list[str]]:
    """(surname, given names) as this person's passport MRZ would spell them."""
    if p.script == "ja":
        return japanese_spelling(p.reading[0], rng), [japanese_spelling(p.reading[1], rng)]
    if p.script == "ko":
        sur = rng.choice(hangul.romanise_surname(p.surname))
        given = rng.choice(hangul.romanise_given(p.given[0]))
        if rng.random() < 0.35 and len(p.given[0]) == 2:  # MIN-JUN / MIN JUN
            split = hangul.romanise_given(p.given[0][0])[0]
            if given.startswith(split) and len(given) > len(split):
                return sur, [split, given[len(split) :]]
        return sur, [given]
    if p.script == "ru":
        i = 0 if rng.random() < 0.6 else -1
        # International passports carry no patronymic; some older or Kazakh ones do.
        names = p.given if rng.random() < 0.15 else p.given[:1]
        return cyrillic.transliterate(p.surname)[i], [cyrillic.transliterate(g)[i] for g in names]
    if p.script == "zh":
        spellings = chinese.romanise_surname(p.surname)
        wg = rng.random() < 0.2
        sur = (
            spellings[1] if wg and len(spellings) > 1 else rng.choice(spellings[:1] + spellings[2:])
        )
        given = chinese.romanise_given(p.given[0])
        return sur, [given[1] if wg and len(given) > 1 else given[0]]
    if p.script == "ar":
        # Passports carry the given name, often the father's, sometimes the grandfather's.
        keep = p.given[:1] + [
            g for g, w in zip(p.given[1:], (0.6, 0.25), strict=False) if rng.random() < w
        ]
        return rng.choice(_arabic_variants(p.surname)), [
            rng.choice(_arabic_variants(g)) for g in keep
        ]
    return p.surname, list(p.given)
