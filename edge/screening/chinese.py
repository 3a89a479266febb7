"""Chinese characters to Latin: Hanyu Pinyin (pypinyin), Wade–Giles, and Cantonese/Hokkien surnames.

Pinyin comes from `pypinyin` (MIT, its dictionary ships inside the wheel: no download).
Wade–Giles is derived from pinyin by rule, without apostrophes, as Taiwanese passports write it
(张 ZHANG -> CHANG). Hong Kong and Southeast Asian passports spell surnames in Cantonese or
Hokkien (张 CHEUNG/TEO, 陈 CHAN/TAN); a table covers common surnames only.
"""

from __future__ import annotations

import logging
from functools import lru_cache

logger = logging.getLogger(__name__)

_DIALECT_SURNAMES_RAW = """
张張 CHEUNG TEO CHONG|陈陳 CHAN TAN|黄黃 WONG NG WEE|李 LEE|林 LAM LIM|刘劉 LAU|何 HO|吴吳 NG GOH|
梁 LEUNG|杨楊 YEUNG YEO|周 CHOW CHEW|胡 WU|郑鄭 CHENG TAY|郭 KWOK KOH|王 WONG ONG|马馬 MA|罗羅 LAW LO|
谢謝 TSE CHIA|许許 HUI KOH|曾 TSANG|邓鄧 TANG|蔡 CHOI CHUA|朱 CHU|叶葉 YIP|卢盧 LO|潘 POON|彭 PANG|
萧蕭 SIU|麦麥 MAK|余 YU|袁 YUEN|莫 MOK|关關 KWAN|文 MAN|谭譚 TAM|廖 LIU|欧阳歐陽 AUYEUNG|司徒 SZETO|
戴 TAI|钟鍾 CHUNG|简簡 KAN|孙孫 SUEN|赵趙 CHIU|杜 TO|黎 LAI|方 FONG|石 SHEK|姚 YIU|徐 TSUI|高 KO|
崔 TSUI|岑 SHUM|金 KAM|韩韓 HON|邝鄺 KWONG|伍 NG|严嚴 YIM|汤湯 TONG|苏蘇 SO|江 KONG|龙龍 LUNG|
容 YUNG|孔 HUNG|程 CHING|尹 WAN|邱 YAU|白 PAK|温溫 WAN|施 SZE|洪 HUNG|丁 TING|陆陸 LUK|雷 LUI
"""
# Characters whose reading as a surname differs from pypinyin's most common reading.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "單": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou",
    "區": "ou", "查": "zha", "乐": "yue", "樂": "yue", "缪": "miao", "繆": "miao", "覃": "qin",
    "翟": "zhai", "盖": "ge", "蓋": "ge", "柏": "bai", "秘": "bi", "员": "yun", "員": "yun",
    "尉迟": "yuchi", "尉遲": "yuchi", "长孙": "zhangsun", "長孫": "zhangsun", "万俟": "moqi",
}  # fmt: skip
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "歐陽",
        "司马",
        "司馬",
        "诸葛",
        "諸葛",
        "上官",
        "司徒",
        "东方",
        "東方",
        "皇甫",
        "尉迟",
        "尉遲",
        "公孙",
        "公孫",
        "慕容",
        "令狐",
        "夏侯",
        "长孙",
        "長孫",
    ]
)


def _parse_dialect(raw: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for item in raw.replace("\n", "").split("|"):
        chars, *spellings = item.split()
        # "张張" lists the simplified and traditional forms; compound surnames are two characters.
        forms = [chars] if len(chars) == 2 and chars in COMPOUND_SURNAMES else list(chars)
        if len(chars) == 4:
            forms = [chars[:2], chars[2:]]
        for form in forms:
            table[form] = tuple(spellings)
    return table


DIALECT_SURNAMES = _parse_dialect(_DIALECT_SURNAMES_RAW)

_WG_INITIALS = (
    ("zh", "ch"), ("ch", "ch"), ("sh", "sh"), ("b", "p"), ("p", "p"), ("d", "t"), ("t", "t"),
    ("g", "k"), ("k", "k"), ("j", "ch"), ("q", "ch"), ("x", "hs"), ("z", "ts"), ("c", "ts"),
    ("r", "j"), ("s", "s"), ("h", "h"), ("f", "f"), ("m", "m"), ("n", "n"), ("l", "l"),
    ("y", "y"), ("w", "w"),
)  # fmt: skip
_WG_WHOLE = {
    "zi": "tzu", "ci": "tzu", "si": "ssu", "zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih",
    "er": "erh", "ye": "yeh", "yan": "yen", "you": "yu", "yong": "yung", "yue": "yueh",
}  # fmt: skip


def is_han(ch: str) -> bool:
    """Whether `ch` is a CJK unified ideograph (kanji / hanzi / hanja)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "々"


def pinyin_to_wade_giles(syllable: str) -> str:
    """One toneless pinyin syllable to Wade–Giles without apostrophes (zhang -> chang)."""
    syl = syllable.lower().replace("v", "u").replace("ü", "u")
    if syl in _WG_WHOLE:
        return _WG_WHOLE[syl]
    for py, wg in _WG_INITIALS:
        if syl.startswith(py):
            initial, final = wg, syl[len(py) :]
            break
    else:
        initial, final = "", syl
    if final == "ong":
        final = "ung"
    elif final == "iong":
        final = "iung"
    elif final.endswith("ian"):
        final = final[:-3] + "ien"
    elif final == "ie":
        final = "ieh"
    elif final == "ue":
        final = "ueh"
    elif final == "e" and initial in ("k", "h"):
        final = "o"
    elif final == "uo" and initial in ("k", "h", "sh", "ch"):
        final = "uo"
    elif final == "uo":
        final = "o"
    return initial + final


def _pinyin_readings(chars: str, heteronym: bool) -> list[list[str]]:
    from pypinyin import Style, pinyin

    return pinyin(chars, style=Style.NORMAL, heteronym=heteronym, errors="ignore")


@lru_cache(maxsize=100_000)
def romanise_surname(chars: str) -> tuple[str, ...]:
    """Spellings of a Chinese surname: pinyin readings, Wade–Giles, then Cantonese/Hokkien ones."""
    if chars in SURNAME_READINGS:
        syllables = [SURNAME_READINGS[chars]]
    else:
        syllables = [r[0] for r in _pinyin_readings(chars, heteronym=False)]
    if not syllables:
        return ()
    pinyins = ["".join(syllables).upper()]
    wades = ["".join(pinyin_to_wade_giles(s) for s in syllables).upper()]
    spellings = [*pinyins, *wades, *DIALECT_SURNAMES.get(chars, ())]
    if "LV" in spellings or "LU" in spellings:  # 吕 is LV in mainland passports, LYU elsewhere
        spellings.append("LYU")
    return tuple(dict.fromkeys(s.replace("V", "U") if s != "LV" else s for s in spellings))


@lru_cache(maxsize=100_000)
def romanise_given(chars: str) -> tuple[str, ...]:
    """Spellings of a Chinese given name written as one word: pinyin, then Wade–Giles."""
    readings = _pinyin_readings(chars, heteronym=False)
    if not readings:
        return ()
    syllables = [r[0] for r in readings]
    py = "".join(syllables).upper().replace("V", "U")
    wg = "".join(pinyin_to_wade_giles(s) for s in syllables).upper()
    return tuple(dict.fromkeys((py, wg)))


def split_chinese_name(text: str) -> tuple[str, str]:
    """(surname, given) from a name written without a separator (张伟 -> 张, 伟)."""
    chars = "".join(ch for ch in text if is_han(ch))
    if len(chars) >= 3 and chars[:2] in COMPOUND_SURNAMES:
        return chars[:2], chars[2:]
    return chars[:1], chars[1:]
