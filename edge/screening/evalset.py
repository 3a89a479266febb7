"""Labelled evaluation set for screening, generated from a seed (no data files needed).

A watchlist of people with names in kanji, katakana, Hangul, Cyrillic, Chinese characters and
Latin (Arabic-derived and Western); travellers derived from listed people the way passports and
MRZ readers change names (romanisation systems, swapped or dropped names, MRZ truncation,
typing and OCR errors, names run together or split, birth-date slips); and innocent travellers:
random people from the same name pools and namesakes of listed people born on other days.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from edge.screening import chinese, cyrillic, hangul
from edge.screening.dates import CONFLICT, evidence_kinds, pack_date
from edge.screening.japanese import reading_table
from edge.screening.kana import kana_to_romaji

logger = logging.getLogger(__name__)

KR_GIVEN = [
    "민준",
    "서준",
    "도윤",
    "예준",
    "시우",
    "하준",
    "지호",
    "주원",
    "지후",
    "준서",
    "서연",
    "서윤",
    "지우",
    "서현",
    "민서",
    "하은",
    "하윤",
    "윤서",
    "지유",
    "지민",
    "영수",
    "영호",
    "영철",
    "정훈",
    "성민",
    "현우",
    "지훈",
    "동현",
    "민수",
    "은지",
    "수진",
    "미영",
    "혜진",
    "지영",
    "은영",
    "현정",
    "수연",
    "지현",
    "민지",
    "유진",
    "상훈",
    "재현",
    "승민",
    "태양",
    "경숙",
    "순자",
    "옥순",
    "명수",
    "광수",
]
KR_SYLLABLES = tuple(
    [
        "민",
        "준",
        "서",
        "연",
        "지",
        "현",
        "수",
        "영",
        "진",
        "우",
        "호",
        "성",
        "은",
        "혜",
        "유",
        "하",
        "윤",
        "도",
        "예",
        "시",
        "주",
        "재",
        "승",
        "태",
        "동",
        "경",
        "상",
        "정",
        "희",
        "미",
        "소",
        "다",
        "나",
        "채",
        "원",
        "규",
        "석",
        "철",
        "훈",
        "빈",
        "용",
        "선",
        "혁",
        "한",
        "아",
        "리",
        "율",
        "건",
        "찬",
        "범",
        "기",
        "환",
        "광",
        "숙",
        "순",
        "옥",
        "자",
        "남",
        "인",
        "균",
    ]
)
CN_GIVEN_CHARS = tuple(
    [
        "伟",
        "芳",
        "娜",
        "敏",
        "静",
        "丽",
        "强",
        "磊",
        "军",
        "洋",
        "勇",
        "艳",
        "杰",
        "娟",
        "涛",
        "明",
        "超",
        "秀",
        "英",
        "霞",
        "平",
        "刚",
        "桂",
        "华",
        "国",
        "志",
        "小",
        "晓",
        "东",
        "海",
        "燕",
        "文",
        "斌",
        "宇",
        "浩",
        "凯",
        "鹏",
        "红",
        "玉",
        "兰",
        "春",
        "梅",
        "立",
        "新",
        "子",
        "涵",
        "梓",
        "轩",
        "雨",
        "桐",
        "欣",
        "怡",
        "一",
        "诺",
        "然",
        "思",
        "远",
        "嘉",
        "俊",
        "晨",
        "琳",
        "婷",
        "雪",
        "慧",
        "颖",
        "鑫",
        "辉",
        "亮",
        "宁",
        "健",
        "峰",
        "佳",
        "瑞",
        "博",
        "昊",
        "哲",
        "悦",
        "建",
        "德",
        "成",
        "荣",
        "庆",
        "玲",
        "云",
        "飞",
        "龙",
        "林",
        "波",
        "鸿",
        "婉",
        "萍",
        "翠",
        "莉",
        "倩",
        "彤",
        "欢",
        "琪",
        "晶",
        "楠",
        "阳",
        "帆",
        "豪",
        "睿",
        "泽",
        "宏",
    ]
)
RU_SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
]
RU_GIVEN_M = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Арсений",
    "Иван",
    "Денис",
    "Евгений",
    "Даниил",
    "Тимофей",
    "Владислав",
    "Игорь",
    "Владимир",
    "Павел",
    "Руслан",
    "Марк",
    "Константин",
    "Тимур",
    "Олег",
    "Ярослав",
    "Антон",
    "Николай",
    "Глеб",
    "Данила",
    "Савелий",
    "Вадим",
    "Степан",
    "Юрий",
    "Богдан",
    "Артур",
]
RU_GIVEN_F = [
    "Анастасия",
    "Мария",
    "Анна",
    "Виктория",
    "Екатерина",
    "Наталья",
    "Марина",
    "Полина",
    "Дарья",
    "Алина",
    "Ирина",
    "Елена",
    "Юлия",
    "Ольга",
    "Татьяна",
    "Светлана",
    "Ксения",
    "Александра",
    "Елизавета",
    "Валерия",
    "Вероника",
    "Софья",
    "Людмила",
    "Галина",
    "Яна",
]
CN_SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
    "罗",
    "高",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
    "许",
    "韩",
    "冯",
    "邓",
    "曹",
    "彭",
    "曾",
    "肖",
    "田",
    "董",
    "袁",
    "潘",
    "于",
    "蒋",
    "蔡",
    "余",
    "杜",
    "叶",
    "程",
    "苏",
    "魏",
    "吕",
    "丁",
    "任",
    "沈",
    "姚",
    "卢",
    "姜",
    "崔",
    "钟",
    "谭",
    "陆",
    "汪",
    "范",
    "金",
    "石",
    "廖",
    "贾",
    "夏",
    "韦",
    "付",
    "方",
    "白",
    "邹",
    "孟",
    "熊",
    "秦",
    "邱",
    "江",
    "尹",
    "薛",
    "闫",
    "段",
    "雷",
    "侯",
    "龙",
    "史",
    "陶",
    "黎",
    "贺",
    "顾",
    "毛",
    "郝",
    "龚",
    "邵",
    "万",
    "钱",
    "严",
    "覃",
    "武",
    "欧阳",
]
CN_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "建国",
    "志强",
    "小明",
    "晓东",
    "海燕",
    "文",
    "斌",
    "宇",
    "浩",
    "凯",
    "鹏",
    "华",
    "红",
    "玉兰",
    "春梅",
    "国华",
    "立新",
    "子涵",
    "梓轩",
    "雨桐",
    "欣怡",
    "一诺",
    "浩然",
    "思远",
    "嘉怡",
    "俊杰",
    "晨",
    "琳",
    "婷",
    "雪",
    "慧",
    "颖",
    "鑫",
    "辉",
    "亮",
    "宁",
    "健",
    "峰",
    "佳",
    "瑞",
    "博",
    "昊",
    "哲",
    "悦",
]
AR_GIVEN = (
    ("MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMMAD", "MUHAMMED"), ("AHMED", "AHMAD"),
    ("HUSSEIN", "HUSSAIN", "HUSEIN", "HOSSEIN"), ("YOUSSEF", "YOUSEF", "YUSUF", "YOUSUF"),
    ("ABDUL RAHMAN", "ABDULRAHMAN", "ABDEL RAHMAN", "ABDURRAHMAN"), ("OMAR", "UMAR"),
    ("KHALID", "KHALED"), ("MUSTAFA", "MOSTAFA", "MUSTAPHA"), ("ABDULLAH", "ABDALLAH"),
    ("IBRAHIM", "EBRAHIM"), ("HASSAN", "HASAN"), ("ALI",), ("SALEH", "SALIH"),
    ("MAHMOUD", "MAHMUD"), ("OTHMAN", "OSMAN", "UTHMAN"), ("TARIQ", "TAREK", "TARIK"),
    ("KARIM", "KAREEM"), ("JAMAL", "GAMAL"), ("NASSER", "NASIR"), ("WALID", "WALEED"),
    ("SAMIR", "SAMEER"), ("BILAL",), ("HAMZA", "HAMZAH"), ("ZIAD", "ZIYAD"),
    ("FATIMA", "FATIMAH", "FATMA"), ("AISHA", "AYESHA", "AICHA"), ("MARIAM", "MARYAM"),
    ("ZAINAB", "ZEINAB"), ("KHADIJA", "KHADIJAH"), ("NOUR", "NOOR"), ("LAYLA", "LEILA"),
)  # fmt: skip
AR_SURNAMES = (
    ("AL-HASSAN", "ALHASSAN", "EL HASSAN", "HASSAN"), ("AL-SAYED", "EL-SAYED", "ELSAYED", "SAYED"),
    ("AL-RASHID", "AL RASHID", "ALRASHID", "RASHID"), ("AL-AHMAD", "AL AHMED", "ALAHMAD"),
    ("HADDAD",), ("KHOURY", "KHOURI", "KHURI"), ("MANSOUR", "MANSUR"), ("NASSAR", "NASAR"),
    ("SALEH", "SALIH"), ("AL-AMIN", "EL AMIN", "ALAMIN"), ("ABDULLAH", "ABDALLAH"),
    ("HAMDAN",), ("QURESHI", "QURAISHI", "KURESHI"), ("SIDDIQUI", "SIDDIKI"),
    ("AL-MASRI", "EL MASRI", "ALMASRI"), ("AL-HAKIM", "EL HAKIM", "ALHAKIM"), ("YOUSEF", "YUSUF"),
    ("AZIZ",), ("KHAN",), ("RAHMAN", "REHMAN"), ("HOSSAIN", "HUSSAIN", "HOSSEIN"), ("OMAR", "UMAR"),
    ("AL-FARSI", "ALFARSI"), ("BAKR", "BAKER"), ("SHARIF", "SHARIEF", "SHAREEF"),
)  # fmt: skip
WESTERN_SURNAMES = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "MILLER",
    "DAVIS",
    "GARCIA",
    "RODRIGUEZ",
    "WILSON",
    "MARTINEZ",
    "ANDERSON",
    "TAYLOR",
    "THOMAS",
    "HERNANDEZ",
    "MOORE",
    "MARTIN",
    "JACKSON",
    "THOMPSON",
    "WHITE",
    "LOPEZ",
    "LEE",
    "GONZALEZ",
    "HARRIS",
    "CLARK",
    "LEWIS",
    "ROBINSON",
    "WALKER",
    "PEREZ",
    "HALL",
    "YOUNG",
    "ALLEN",
    "SANCHEZ",
    "WRIGHT",
    "KING",
    "SCOTT",
    "GREEN",
    "BAKER",
    "ADAMS",
    "NELSON",
    "HILL",
    "RAMIREZ",
    "CAMPBELL",
    "MITCHELL",
    "ROBERTS",
    "CARTER",
    "PHILLIPS",
    "EVANS",
    "TURNER",
    "TORRES",
    "PARKER",
    "COLLINS",
    "EDWARDS",
    "STEWART",
    "FLORES",
    "MORRIS",
    "NGUYEN",
    "MURPHY",
    "RIVERA",
    "COOK",
    "ROGERS",
    "MORGAN",
    "PETERSON",
    "COOPER",
    "REED",
    "BAILEY",
    "BELL",
    "GOMEZ",
    "KELLY",
    "HOWARD",
    "WARD",
    "COX",
    "DIAZ",
    "RICHARDSON",
    "WOOD",
    "WATSON",
    "BROOKS",
    "BENNETT",
    "GRAY",
    "MULLER",
    "SCHMIDT",
    "SCHNEIDER",
    "FISCHER",
    "WEBER",
    "MEYER",
    "WAGNER",
    "BECKER",
    "SCHULZ",
    "HOFFMANN",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFEBVRE",
    "ROSSI",
    "RUSSO",
    "FERRARI",
    "ESPOSITO",
    "BIANCHI",
    "ROMANO",
    "COLOMBO",
    "SILVA",
    "SANTOS",
    "OLIVEIRA",
    "SOUZA",
    "PEREIRA",
    "COSTA",
    "FERREIRA",
    "ALMEIDA",
    "NOWAK",
    "KOWALSKI",
    "WISNIEWSKI",
    "JANSEN",
    "DEVRIES",
]
WESTERN_GIVEN = [
    "JAMES",
    "JOHN",
    "ROBERT",
    "MICHAEL",
    "WILLIAM",
    "DAVID",
    "RICHARD",
    "JOSEPH",
    "THOMAS",
    "CHARLES",
    "CHRISTOPHER",
    "DANIEL",
    "MATTHEW",
    "ANTHONY",
    "MARK",
    "DONALD",
    "STEVEN",
    "PAUL",
    "ANDREW",
    "JOSHUA",
    "KENNETH",
    "KEVIN",
    "BRIAN",
    "GEORGE",
    "TIMOTHY",
    "RONALD",
    "EDWARD",
    "JASON",
    "JEFFREY",
    "RYAN",
    "JACOB",
    "GARY",
    "NICHOLAS",
    "ERIC",
    "JONATHAN",
    "STEPHEN",
    "LARRY",
    "JUSTIN",
    "MARY",
    "PATRICIA",
    "JENNIFER",
    "LINDA",
    "ELIZABETH",
    "BARBARA",
    "SUSAN",
    "JESSICA",
    "SARAH",
    "KAREN",
    "LISA",
    "NANCY",
    "BETTY",
    "MARGARET",
    "SANDRA",
    "ASHLEY",
    "KIMBERLY",
    "EMILY",
    "DONNA",
    "MICHELLE",
    "CAROL",
    "AMANDA",
    "MELISSA",
    "DEBORAH",
    "STEPHANIE",
    "HANS",
    "PETER",
    "KLAUS",
    "JEAN",
    "PIERRE",
    "MARIE",
    "ANNE",
    "LUCA",
    "MARCO",
    "GIULIA",
    "JOAO",
    "ANA",
    "MARIA",
    "PIOTR",
    "ANNA",
    "JAN",
    "EVA",
]
SCRIPT_MIX = (("ja", 0.15), ("ko", 0.15), ("ru", 0.15), ("zh", 0.15), ("ar", 0.20), ("west", 0.20))
NATIONALITY = {
    "ja": ("JPN",), "ko": ("KOR",), "ru": ("RUS", "UKR", "KAZ"), "zh": ("CHN", "CHN", "TWN", "HKG"),
    "ar": ("EGY", "SAU", "JOR", "SYR", "IRQ", "PAK"), "west": ("USA", "GBR", "DEU", "FRA", "ITA", "BRA"),
}  # fmt: skip
CATEGORIES = (("deportee", 0.5), ("wanted", 0.2), ("person_of_interest", 0.3))
OCR_CONFUSIONS = {"O": "D", "D": "O", "I": "L", "L": "I", "B": "8", "S": "5", "E": "F", "M": "N",
                  "N": "M", "U": "V", "V": "U", "G": "C", "C": "G", "H": "N", "K": "X"}  # fmt: skip


@dataclass
class Person:
    """A listed or innocent person: how the name is written natively and how to spell it in Latin."""

    script: str
    surname: str  # native script (or Latin for ar/west)
    given: list[str]
    sex: str
    birth: str  # YYYY-MM-DD
    nationality: str


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


_WEIGHTS: dict[int, list[float]] = {}


def _zipf(rng: random.Random, items: list | tuple) -> Any:
    # Common names are common (weight 1/(rank+3)), so namesakes occur as in real lists.
    n = len(items)
    if n not in _WEIGHTS:
        _WEIGHTS[n] = list(itertools.accumulate(1.0 / (r + 3) for r in range(n)))
    return rng.choices(items, cum_weights=_WEIGHTS[n])[0]


def _birth(rng: random.Random) -> str:
    return f"{rng.randint(1940, 2008):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def random_person(rng: random.Random) -> Person:
    """A person from one of the name pools."""
    script = _weighted(rng, SCRIPT_MIX)
    sex = rng.choice("MF")
    table = reading_table()
    if script == "ja":
        surname = _zipf(rng, list(table.surnames))
        given = [_zipf(rng, list(table.given))]
    elif script == "ko":
        surname = _zipf(rng, list(hangul.SURNAMES))
        # Korean given names are mostly two syllables chosen freely: thousands of combinations.
        given = [
            _zipf(rng, KR_GIVEN)
            if rng.random() < 0.3
            else _zipf(rng, KR_SYLLABLES) + _zipf(rng, KR_SYLLABLES)
        ]
    elif script == "ru":
        surname = _zipf(rng, RU_SURNAMES)
        given = [_zipf(rng, RU_GIVEN_M if sex == "M" else RU_GIVEN_F)]
        if sex == "F" and surname.endswith("в"):
            surname += "а"
    elif script == "zh":
        surname = _zipf(rng, CN_SURNAMES)
        if rng.random() < 0.3:
            given = [_zipf(rng, CN_GIVEN)]
        else:  # one or two characters chosen freely, as most Chinese given names are
            given = ["".join(_zipf(rng, CN_GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))]
    elif script == "ar":
        surname = _zipf(rng, AR_SURNAMES)[0]
        given = [_zipf(rng, AR_GIVEN)[0] for _ in range(rng.choice((1, 2, 2, 3)))]
    else:
        surname = _zipf(rng, WESTERN_SURNAMES)
        given = [_zipf(rng, WESTERN_GIVEN) for _ in range(rng.choice((1, 1, 2)))]
    return Person(script, surname, given, sex, _birth(rng), rng.choice(NATIONALITY[script]))


def native_name(p: Person, rng: random.Random) -> str:
    """The name as a watchlist would hold it (native script, sometimes Latin, sometimes katakana)."""
    if p.script == "ja":
        if rng.random() < 0.15:
            table = reading_table()
            return f"{table.surnames[p.surname][0]} {table.given[p.given[0]][0]}"
        return f"{p.surname} {p.given[0]}" if rng.random() < 0.5 else p.surname + p.given[0]
    if p.script in ("ko", "zh"):
        return (
            p.surname + "".join(p.given)
            if rng.random() < 0.7
            else f"{p.surname} {' '.join(p.given)}"
        )
    if p.script == "ru":
        return (
            f"{p.surname} {' '.join(p.given)}".upper()
            if rng.random() < 0.3
            else f"{p.surname} {' '.join(p.given)}"
        )
    return f"{p.surname}, {' '.join(p.given)}"


def _japanese_spelling(kana: str, rng: random.Random) -> str:
    passport, full = kana_to_romaji(kana)
    style = rng.random()
    if style < 0.55:
        return passport
    if style < 0.7:  # OH for long O (OHNO), as passports allow on request
        return full.replace("OU", "OH").replace("OO", "OH")
    if style < 0.8:
        return full
    kunrei = (
        passport.replace("SHI", "SI").replace("CHI", "TI").replace("TSU", "TU").replace("FU", "HU")
    )
    return kunrei.replace("JI", "ZI").replace("SH", "SY").replace("CH", "TY").replace("J", "ZY")


def passport_name(p: Person, rng: random.Random) -> tuple[str, list[str]]:
    """(surname, given names) as this person's passport MRZ would spell them."""
    if p.script == "ja":
        table = reading_table()
        sur = _japanese_spelling(rng.choice(table.surnames[p.surname]), rng)
        return sur, [_japanese_spelling(rng.choice(table.given[p.given[0]]), rng)]
    if p.script == "ko":
        sur = rng.choice(hangul.romanise_surname(p.surname))
        given = rng.choice(hangul.romanise_given(p.given[0]))
        if rng.random() < 0.35 and len(p.given[0]) == 2:  # MIN-JUN / MIN JUN
            split = hangul.romanise_given(p.given[0][0])[0]
            if given.startswith(split):
                return sur, [split, given[len(split) :]]
        return sur, [given]
    if p.script == "ru":
        i = 0 if rng.random() < 0.6 else -1
        return cyrillic.transliterate(p.surname)[i], [cyrillic.transliterate(g)[i] for g in p.given]
    if p.script == "zh":
        spellings = chinese.romanise_surname(p.surname)
        wg = rng.random() < 0.2
        sur = (
            spellings[1]
            if wg and len(spellings) > 1
            else rng.choice(spellings[:1] + spellings[2:] or spellings)
        )
        given = chinese.romanise_given(p.given[0])
        return sur, [given[1] if wg and len(given) > 1 else given[0]]
    if p.script == "ar":
        sur = rng.choice(next(g for g in AR_SURNAMES if g[0] == p.surname))
        given = [rng.choice(next(g for g in AR_GIVEN if g[0] == n)) for n in p.given]
        return sur, given
    return p.surname, list(p.given)


def _typo(token: str, rng: random.Random) -> str:
    if len(token) < 4:
        return token
    i = rng.randrange(1, len(token))
    kind = rng.random()
    if kind < 0.4 and token[i] in OCR_CONFUSIONS:
        return token[:i] + OCR_CONFUSIONS[token[i]] + token[i + 1 :]
    if kind < 0.6 and i < len(token) - 1:
        return token[:i] + token[i + 1] + token[i] + token[i + 2 :]
    if kind < 0.8:
        return token[:i] + token[i + 1 :]
    return token[:i] + rng.choice("AEIOURNST") + token[i:]


def vary_name(surname: str, given: list[str], rng: random.Random) -> tuple[str, str, list[str]]:
    """Apply realistic changes to a passport name; returns (surname, given names, what changed)."""
    changes = []
    syllable_split = len(given) == 2 and all(len(g) <= 4 for g in given)  # MIN JUN: one name
    given = " ".join(given).split()
    if len(given) >= 2 and not syllable_split and rng.random() < 0.3:
        given.pop(rng.randrange(1, len(given)))
        changes.append("middle name dropped")
    if rng.random() < 0.15:
        tokens = surname.split()
        i = rng.randrange(len(tokens))
        tokens[i] = _typo(tokens[i], rng)
        surname = " ".join(tokens)
        changes.append("typo in surname")
    elif given and rng.random() < 0.15:
        i = rng.randrange(len(given))
        given[i] = _typo(given[i], rng)
        changes.append("typo in given name")
    if len(given) >= 2 and rng.random() < 0.1:
        i = rng.randrange(len(given) - 1)
        given[i : i + 2] = [given[i] + given[i + 1]]
        changes.append("given names run together")
    if given and rng.random() < 0.08:  # MRZ truncation: the name field is 39 characters
        last = given[-1]
        given[-1] = last[: rng.randint(1, max(1, min(4, len(last) - 1)))]
        changes.append("MRZ truncation")
    if given and rng.random() < 0.1:
        surname, given = " ".join(given), surname.split()
        changes.append("surname and given names swapped")
    return surname, " ".join(given), changes


def vary_birth(entry_birth: str | None, rng: random.Random) -> tuple[str, str]:
    """A traveller's birth date derived from the entry's: exact, swapped, one digit off..."""
    if not entry_birth:
        return _birth(rng), "birth date absent in entry"
    if len(entry_birth) == 4:
        return (
            f"{entry_birth}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "entry has year only",
        )
    y, m, d = entry_birth.split("-")
    r = rng.random()
    if r < 0.1 and int(d) <= 12 and d != m:
        return f"{y}-{d}-{m}", "day and month swapped"
    if r < 0.2:
        digits = list(y + m + d)
        i = rng.choice((3, 5, 7))
        digits[i] = str((int(digits[i]) + rng.choice((1, 2, 8, 9))) % 10)
        s = "".join(digits)
        if (
            pack_date(f"{s[:4]}-{s[4:6]}-{s[6:]}")
            and 1 <= int(s[4:6]) <= 12
            and 1 <= int(s[6:]) <= 31
        ):
            return f"{s[:4]}-{s[4:6]}-{s[6:]}", "one digit off"
    return entry_birth, "exact"


def make_entry(p: Person, pos: int, rng: random.Random) -> dict[str, Any]:
    """A watchlist entry for a listed person."""
    names = [native_name(p, rng)]
    if rng.random() < 0.25 and p.script in ("ja", "ko", "ru", "zh"):
        sur, given = passport_name(p, rng)
        names.append(f"{sur}, {' '.join(given)}")
    r = rng.random()
    birth: str | None = p.birth if r < 0.93 else (p.birth[:4] if r < 0.98 else None)
    entry: dict[str, Any] = {
        "id": f"W{pos:07d}",
        "names": names,
        "category": _weighted(rng, CATEGORIES),
    }
    if birth:
        entry["birth_date"] = birth
    if rng.random() < 0.9:
        entry["nationality"] = p.nationality
    if rng.random() < 0.9:
        entry["sex"] = p.sex
    if rng.random() < 0.3:
        entry["documents"] = [{"number": f"P{rng.randrange(10**8):08d}", "country": p.nationality}]
    entry["action"] = {"deportee": "refuse", "wanted": "detain", "person_of_interest": "refer"}[
        entry["category"]
    ]
    return entry


@dataclass
class EvalSet:
    """Watchlist entries, travellers, and for each traveller the entry it should alert (or None)."""

    entries: list[dict[str, Any]]
    travellers: list[dict[str, Any]]
    expected: list[str | None]
    notes: list[str]


def _traveller(tid: str, sur: str, given: str, birth: str, p: Person, rng: random.Random) -> dict:
    return {
        "id": tid, "surname": sur, "given_names": given, "birth_date": birth,
        "nationality": p.nationality, "sex": p.sex,
        "document_number": f"T{rng.randrange(10**8):08d}",
    }  # fmt: skip


def generate(n_entries: int, n_targets: int, n_innocent: int, seed: int = 5) -> EvalSet:
    """Build a labelled set; half the innocents are namesakes of listed people born on other days."""
    rng = random.Random(seed)
    people = [random_person(rng) for _ in range(n_entries)]
    entries = [make_entry(p, i, rng) for i, p in enumerate(people)]
    travellers: list[dict[str, Any]] = []
    expected: list[str | None] = []
    notes: list[str] = []
    for k in range(n_targets):
        i = rng.randrange(n_entries)
        p, entry = people[i], entries[i]
        sur, given = passport_name(p, rng)
        sur, given_text, changes = vary_name(sur, given, rng)
        birth, date_note = vary_birth(entry.get("birth_date"), rng)
        travellers.append(_traveller(f"T{k:06d}", sur, given_text, birth, p, rng))
        expected.append(entry["id"])
        notes.append(", ".join([*changes, date_note]))
    for k in range(n_innocent):
        if k % 2 == 0:
            p = random_person(rng)
            sur, given = passport_name(p, rng)
            note = "random person"
        else:
            i = rng.randrange(n_entries)
            while len(entries[i].get("birth_date", "")) != 10:
                i = rng.randrange(n_entries)
            p = people[i]
            sur, given = passport_name(p, rng)
            listed = pack_date(entries[i]["birth_date"])
            birth = _birth(rng)
            while evidence_kinds(pack_date(birth), [listed])[0] != CONFLICT:
                birth = _birth(rng)
            p = Person(p.script, p.surname, p.given, p.sex, birth, p.nationality)
            note = f"namesake of {entries[i]['id']} born on another day"
        travellers.append(_traveller(f"I{k:06d}", sur, " ".join(given), p.birth, p, rng))
        expected.append(None)
        notes.append(note)
    return EvalSet(entries, travellers, expected, notes)


def document_entries(n: int, seed: int = 9) -> Iterator[dict[str, Any]]:
    """Lost and stolen document records (numbers only), for scale."""
    rng = random.Random(seed)
    countries = ("JPN", "USA", "CHN", "KOR", "GBR", "FRA", "DEU", "RUS", "IND", "BRA", "PHL", "VNM")
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    for i in range(n):
        number = rng.choice(letters) + rng.choice(letters) + f"{rng.randrange(10**7):07d}"
        yield {
            "id": f"L{i:08d}", "documents": [{"number": number, "country": rng.choice(countries)}],
            "category": "lost_stolen_document", "action": "seize",
        }  # fmt: skip


def score(results: list[set[str]], expected: list[str | None]) -> dict[str, float]:
    """Recall (targets whose entry alerted) and false-alert rate (innocents with any alert)."""
    targets = [(r, e) for r, e in zip(results, expected, strict=True) if e is not None]
    innocents = [r for r, e in zip(results, expected, strict=True) if e is None]
    recall = sum(e in r for r, e in targets) / max(len(targets), 1)
    false_rate = sum(bool(r) for r in innocents) / max(len(innocents), 1)
    return {"recall": round(recall, 4), "false_alert_rate": round(false_rate, 4),
            "targets": len(targets), "innocents": len(innocents)}  # fmt: skip
