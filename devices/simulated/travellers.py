"""Synthetic travellers with realistic names, nationalities and documents, for the simulated reader.

Names are drawn per nationality from small tables of common names, as they appear in an MRZ
(upper case Latin, ICAO transliteration). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import replace

from devices.document_reader import DocumentReading

# nationality -> (weight, surnames, given names M, given names F)
NAMES: dict[str, tuple[int, list[str], list[str], list[str]]] = {
    "KOR": (
        24,
        ["KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM"],
        ["MINJUN", "SEOJUN", "DOYUN", "JIHO", "HYUNWOO"],
        ["SEOYEON", "JIWOO", "HAEUN", "SUA", "JIMIN"],
    ),
    "CHN": (
        20,
        ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU"],
        ["WEI", "HAO", "JUN", "LEI", "YONG"],
        ["FANG", "JING", "LI", "XIU YING", "MIN"],
    ),
    "TWN": (
        12,
        ["CHEN", "LIN", "HUANG", "CHANG", "LEE", "WANG", "WU", "LIU"],
        ["CHIH MING", "CHIA HAO", "CHUN HUNG"],
        ["SHU FEN", "YA TING", "MEI LING"],
    ),
    "USA": (
        8,
        ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS"],
        ["JAMES", "MICHAEL", "ROBERT", "JOHN", "DAVID"],
        ["MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH"],
    ),
    "HKG": (
        6,
        ["CHAN", "WONG", "LEUNG", "CHEUNG", "LAU", "LI"],
        ["KA MING", "WAI KEUNG", "CHUN KIT"],
        ["MEI YEE", "WING SZE", "KA YAN"],
    ),
    "THA": (
        5,
        ["SAETANG", "WONGSAWAT", "SRISUK", "CHAIYAPORN", "BOONMA"],
        ["SOMCHAI", "ANAN", "KITTI"],
        ["SOMSRI", "MALEE", "SUDA"],
    ),
    "AUS": (
        3,
        ["SMITH", "JONES", "WILLIAMS", "TAYLOR", "NGUYEN"],
        ["OLIVER", "JACK", "WILLIAM"],
        ["CHARLOTTE", "OLIVIA", "AMELIA"],
    ),
    "VNM": (
        3,
        ["NGUYEN", "TRAN", "LE", "PHAM", "HOANG"],
        ["VAN ANH", "DUC MINH", "QUANG HUY"],
        ["THI LAN", "THI HOA", "NGOC ANH"],
    ),
    "PHL": (
        3,
        ["SANTOS", "REYES", "CRUZ", "BAUTISTA", "GARCIA"],
        ["JOSE", "MARK ANTHONY", "JOHN PAUL"],
        ["MARIA", "KRISTINE JOY", "ANGELICA"],
    ),
    "GBR": (
        2,
        ["SMITH", "JONES", "TAYLOR", "BROWN", "WILLIAMS"],
        ["OLIVER", "GEORGE", "HARRY"],
        ["OLIVIA", "AMELIA", "ISLA"],
    ),
    "FRA": (
        2,
        ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT"],
        ["JEAN PIERRE", "LUCAS", "HUGO"],
        ["MARIE", "CAMILLE", "LEA"],
    ),
    "D": (  # Germany: ICAO code D, not DEU
        2,
        ["MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER"],
        ["LUKAS", "FELIX", "JONAS"],
        ["ANNA", "LENA", "SOPHIE"],
    ),
    "IND": (
        2,
        ["SHARMA", "PATEL", "SINGH", "KUMAR", "GUPTA"],
        ["RAHUL", "AMIT", "ARJUN"],
        ["PRIYA", "ANANYA", "DIVYA"],
    ),
    "IDN": (
        2,
        ["SETIAWAN", "WIJAYA", "SANTOSO", "HALIM"],
        ["BUDI", "AGUS", "ADI"],
        ["SITI", "DEWI", "PUTRI"],
    ),
    "RUS": (
        1,
        ["IVANOV", "SMIRNOV", "KUZNETSOV", "POPOV"],
        ["ALEKSANDR", "DMITRII", "MAKSIM"],
        ["ANASTASIIA", "MARIIA", "DARIA"],
    ),
    "EGY": (
        1,
        ["MOHAMED", "AHMED", "HASSAN", "ABDELRAHMAN"],
        ["MOHAMED", "AHMED", "OMAR"],
        ["FATMA", "MARIAM", "NOUR"],
    ),
}

# Status of residence (在留資格) granted at landing and typical periods, with weights.
LANDINGS = [
    ("TEMPORARY_VISITOR", 90, 60),
    ("TEMPORARY_VISITOR", 30, 10),
    ("TEMPORARY_VISITOR", 15, 10),
    ("STUDENT", 365, 5),
    ("ENGINEER_HUMANITIES_INTL", 365 * 3, 5),
    ("SPOUSE_OF_JAPANESE", 365, 3),
    ("SPECIFIED_SKILLED_WORKER_I", 365, 3),
    ("TECHNICAL_INTERN_TRAINING_I", 365, 2),
    ("PERMANENT_RESIDENT", 0, 2),
]


class TravellerGenerator:
    """Yields synthetic document readings; deterministic for a given seed."""

    def __init__(self, seed: int | None = None, today: dt.date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self._nats = list(NAMES)
        self._weights = [NAMES[n][0] for n in self._nats]

    def reading(self) -> DocumentReading:
        rng = self.rng
        nat = rng.choices(self._nats, self._weights)[0]
        _, surnames, male, female = NAMES[nat]
        sex = rng.choice("MF")
        given = rng.choice(male if sex == "M" else female)
        birth = self.today - dt.timedelta(days=rng.randint(18 * 365, 80 * 365))
        expiry = self.today + dt.timedelta(days=rng.randint(30, 10 * 365))
        number = rng.choice(string.ascii_uppercase) + "".join(rng.choices(string.digits, k=8))
        return DocumentReading(
            document_type="P",
            document_number=number,
            issuing_state=nat,
            surname=rng.choice(surnames),
            given_names=given,
            nationality=nat,
            sex=sex,
            birth_date=birth.isoformat(),
            expiry_date=expiry.isoformat(),
            source="simulated",
        )


class SimulatedDocumentReader:
    """A document reader that presents a synthetic traveller's passport on every read."""

    name = "simulated-document-reader"

    def __init__(self, seed: int | None = None, portrait: bytes | None = None) -> None:
        """`portrait`: the chip photo every simulated passport carries (for the face check)."""
        self.generator = TravellerGenerator(seed)
        self.portrait = portrait

    async def read(self) -> DocumentReading:
        reading = self.generator.reading()
        return replace(reading, portrait=self.portrait) if self.portrait else reading

    def status(self) -> str:
        return "ok"
