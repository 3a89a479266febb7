"""Hangul names to Latin: Revised Romanisation, McCune–Reischauer and common passport spellings.

Surnames use a table of the spellings Koreans actually carry in passports (김 KIM/GIM,
이 LEE/YI/RHEE, 박 PARK/BAK/PAK...). Given names are romanised syllable by syllable, as
Korean passports do, in three styles: RR (MINJUN), MR (MINCHUN) and passport habits (EO -> U).
"""

from __future__ import annotations

import logging
from functools import lru_cache

logger = logging.getLogger(__name__)

_RR_INITIAL = (
    "G",
    "KK",
    "N",
    "D",
    "TT",
    "R",
    "M",
    "B",
    "PP",
    "S",
    "SS",
    "",
    "J",
    "JJ",
    "CH",
    "K",
    "T",
    "P",
    "H",
)
_MR_INITIAL_FIRST = (
    "K",
    "KK",
    "N",
    "T",
    "TT",
    "R",
    "M",
    "P",
    "PP",
    "S",
    "SS",
    "",
    "CH",
    "TCH",
    "CH",
    "K",
    "T",
    "P",
    "H",
)
_RR_MEDIAL = (
    "A",
    "AE",
    "YA",
    "YAE",
    "EO",
    "E",
    "YEO",
    "YE",
    "O",
    "WA",
    "WAE",
    "OE",
    "YO",
    "U",
    "WO",
    "WE",
    "WI",
    "YU",
    "EU",
    "UI",
    "I",
)
_MR_MEDIAL = (
    "A",
    "AE",
    "YA",
    "YAE",
    "O",
    "E",
    "YO",
    "YE",
    "O",
    "WA",
    "WAE",
    "OE",
    "YO",
    "U",
    "WO",
    "WE",
    "WI",
    "YU",
    "U",
    "UI",
    "I",
)
_RR_FINAL = (
    "",
    "K",
    "K",
    "K",
    "N",
    "N",
    "N",
    "T",
    "L",
    "K",
    "M",
    "L",
    "L",
    "L",
    "P",
    "L",
    "M",
    "P",
    "P",
    "T",
    "T",
    "NG",
    "T",
    "T",
    "K",
    "T",
    "P",
    "T",
)

# Passport spellings of common surnames, most frequent first (the first is used for display).
SURNAMES: dict[str, tuple[str, ...]] = {
    "김": ("KIM", "GIM"), "이": ("LEE", "YI", "RHEE", "I", "RI", "LI"), "박": ("PARK", "BAK", "PAK", "BARK"),
    "최": ("CHOI", "CHOE"), "정": ("JUNG", "JEONG", "CHUNG", "CHONG"), "강": ("KANG", "GANG"),
    "조": ("CHO", "JO"), "윤": ("YOON", "YUN"), "장": ("JANG", "CHANG"), "임": ("LIM", "IM", "YIM", "RIM"),
    "한": ("HAN",), "오": ("OH", "O"), "서": ("SEO", "SUH"), "신": ("SHIN", "SIN"), "권": ("KWON", "GWON"),
    "황": ("HWANG",), "안": ("AHN", "AN"), "송": ("SONG",), "류": ("RYU", "YOO", "YU", "RYOO", "LYU"),
    "유": ("YOO", "YU"), "전": ("JEON", "JUN", "CHUN", "CHON"), "홍": ("HONG",), "고": ("KO", "GO", "KOH"),
    "문": ("MOON", "MUN"), "양": ("YANG", "RYANG"), "손": ("SON", "SOHN"), "배": ("BAE", "PAE"),
    "백": ("BAEK", "BAIK", "PAIK"), "허": ("HEO", "HUH", "HUR"), "남": ("NAM",), "노": ("NOH", "NO", "ROH"),
    "하": ("HA",), "구": ("KOO", "GU", "KU"), "곽": ("KWAK", "GWAK"), "성": ("SUNG", "SEONG"), "차": ("CHA",),
    "주": ("JOO", "JU", "CHOO", "CHU"), "우": ("WOO", "U"), "민": ("MIN",), "나": ("NA", "RA"),
    "진": ("JIN", "CHIN"), "지": ("JI", "CHI"), "엄": ("EOM", "UM", "EUM"), "채": ("CHAE",), "원": ("WON",),
    "천": ("CHEON", "CHUN"), "방": ("BANG", "PANG"), "공": ("KONG", "GONG"), "현": ("HYUN", "HYEON"),
    "함": ("HAM",), "변": ("BYUN", "BYEON", "PYON"), "염": ("YEOM", "YUM"), "여": ("YEO", "YOH"),
    "추": ("CHOO", "CHU"), "도": ("DO", "DOH", "TO"), "석": ("SEOK", "SUK"), "선": ("SUN", "SEON"),
    "설": ("SEOL", "SUL"), "마": ("MA",), "길": ("GIL", "KIL"), "연": ("YEON", "YUN"), "위": ("WI", "WEE"),
    "표": ("PYO",), "명": ("MYUNG", "MYEONG"), "기": ("KI", "GI"), "반": ("BAN", "PAN"), "왕": ("WANG",),
    "금": ("KEUM", "GEUM", "KUM"), "옥": ("OK",), "육": ("YUK", "YOOK"), "인": ("IN",), "맹": ("MAENG",),
    "제": ("JE", "CHE"), "모": ("MO",), "탁": ("TAK",), "남궁": ("NAMGUNG", "NAMKOONG"),
    "제갈": ("JEGAL", "CHEGAL"), "선우": ("SEONWOO", "SUNWOO"), "황보": ("HWANGBO",),
    "독고": ("DOKGO", "TOKKO"), "사공": ("SAGONG",), "서문": ("SEOMUN",),
}  # fmt: skip
COMPOUND_SURNAMES = frozenset(k for k in SURNAMES if len(k) == 2)


def is_hangul_syllable(ch: str) -> bool:
    """Whether `ch` is a precomposed Hangul syllable."""
    return "가" <= ch <= "힣"


def _jamo(ch: str) -> tuple[int, int, int]:
    code = ord(ch) - 0xAC00
    return code // 588, (code % 588) // 28, code % 28


def _romanise(word: str, style: str) -> str:
    out = []
    for i, ch in enumerate(word):
        if not is_hangul_syllable(ch):
            continue
        ini, med, fin = _jamo(ch)
        if style == "mr":
            first = i == 0
            initial = _MR_INITIAL_FIRST[ini] if first else _RR_INITIAL[ini]
            if ini == 9 and med == 20:  # 시 -> SHI
                initial = "SH"
            out.append(initial + _MR_MEDIAL[med] + _RR_FINAL[fin])
        else:
            out.append(_RR_INITIAL[ini] + _RR_MEDIAL[med] + _RR_FINAL[fin])
    return "".join(out)


def _passport_habit(rr: str) -> str:
    # 영 YEONG -> YOUNG, 현 HYEON -> HYUN, 성 SEONG -> SUNG, 석 SEOK -> SUK
    return rr.replace("YEONG", "YOUNG").replace("YEO", "YU").replace("EO", "U").replace("EU", "EU")


@lru_cache(maxsize=100_000)
def romanise_given(word: str) -> tuple[str, ...]:
    """Spellings of a Hangul given name: RR first, then MR and passport habits (deduplicated)."""
    rr = _romanise(word, "rr")
    spellings = [rr, _romanise(word, "mr"), _passport_habit(rr)]
    return tuple(dict.fromkeys(s for s in spellings if s))


@lru_cache(maxsize=10_000)
def romanise_surname(word: str) -> tuple[str, ...]:
    """Spellings of a Hangul surname: the passport table, else the generic given-name spellings."""
    return SURNAMES.get(word) or romanise_given(word)


def split_korean_name(text: str) -> tuple[str, str]:
    """(surname, given) from a Hangul name written without a separator (김민준 -> 김, 민준)."""
    syllables = "".join(ch for ch in text if is_hangul_syllable(ch))
    if len(syllables) >= 3 and syllables[:2] in COMPOUND_SURNAMES:
        return syllables[:2], syllables[2:]
    return syllables[:1], syllables[1:]
