"""Shared fixtures: a small multi-script watchlist and visa records, screened in memory."""

from __future__ import annotations

import pytest

from edge.screening import Screener

WATCHLIST = [
    {"id": "W-OHNO", "names": ["大野 太郎"], "birth_date": "1969-08-06", "nationality": "JPN",
     "sex": "M", "category": "wanted", "action": "detain"},
    {"id": "W-SATO-KANA", "names": ["サトウ ハナコ"], "birth_date": "1980-02-03", "nationality": "JPN",
     "sex": "F", "category": "deportee", "action": "refuse"},
    {"id": "W-KIM", "names": ["김민준"], "birth_date": "1985-03-02", "nationality": "KOR",
     "sex": "M", "category": "deportee", "action": "refuse"},
    {"id": "W-LEE", "names": ["이서연"], "birth_date": "1990-11-21", "nationality": "KOR",
     "sex": "F", "category": "person_of_interest", "action": "refer"},
    {"id": "W-IVANOV", "names": ["ИВАНОВ Иван Иванович"], "birth_date": "1970-04-04",
     "nationality": "RUS", "sex": "M", "category": "wanted", "action": "detain"},
    {"id": "W-YURIY", "names": ["Смирнов Юрий"], "birth_date": "1975-01-15", "nationality": "RUS",
     "sex": "M", "category": "person_of_interest", "action": "refer"},
    {"id": "W-ZHANG", "names": ["張偉"], "birth_date": "1980-01-02", "category": "wanted",
     "action": "detain"},
    {"id": "W-MOHAMMED", "names": ["MOHAMMED, ALI HASSAN"], "birth_date": "1975-05-05",
     "nationality": "EGY", "sex": "M", "category": "wanted", "action": "detain"},
    {"id": "W-ABDUL", "names": ["AL-RASHID, ABDUL RAHMAN"], "birth_date": "1966-12-01",
     "nationality": "SAU", "sex": "M", "category": "deportee", "action": "refuse"},
    {"id": "W-SMITH", "names": ["SMITH, JOHN PAUL"], "birth_date": "1960", "nationality": "GBR",
     "sex": "M", "category": "person_of_interest", "action": "refer"},
    {"id": "W-LONG", "names": ["WOLFESCHLEGELSTEINHAUSENBERGERDORFF, MAXIMILIAN"], "birth_date": "1977-07-07",
     "sex": "M", "category": "wanted", "action": "detain"},
    {"id": "D-STOLEN", "documents": [{"number": "TR1234567", "country": "JPN"}],
     "category": "lost_stolen_document", "action": "seize"},
]  # fmt: skip

VISAS = [
    {"visa_number": "V-OK", "surname": "TANAKA", "given_names": "KENJI", "birth_date": "1988-05-05",
     "nationality": "JPN", "passport_number": "AB1000001", "type": "temporary_visitor",
     "valid_from": "2026-01-01", "valid_until": "2026-12-31", "entries": "single", "used": 0},
    {"visa_number": "V-EXPIRED", "surname": "GARCIA", "given_names": "ANA", "birth_date": "1990-01-01",
     "nationality": "ESP", "passport_number": "AB1000002", "type": "temporary_visitor",
     "valid_from": "2025-01-01", "valid_until": "2025-06-30", "entries": "multiple", "used": 3},
    {"visa_number": "V-USED", "surname": "NGUYEN", "given_names": "VAN AN", "birth_date": "1992-02-02",
     "nationality": "VNM", "passport_number": "AB1000003", "type": "temporary_visitor",
     "valid_from": "2026-01-01", "valid_until": "2026-12-31", "entries": "single", "used": 1},
    {"visa_number": "V-OTHER", "surname": "PEREZ", "given_names": "LUIS", "birth_date": "1970-07-07",
     "nationality": "MEX", "passport_number": "AB1000004", "type": "work",
     "valid_from": "2026-01-01", "valid_until": "2027-12-31", "entries": "multiple", "used": 0},
]  # fmt: skip


def traveller(
    surname: str, given: str, birth: str, nationality: str = "", sex: str = "", **kw
) -> dict:
    """A traveller dict as the MRZ reader produces it."""
    return {"id": f"T-{surname}", "surname": surname, "given_names": given, "birth_date": birth,
            "nationality": nationality, "sex": sex, "document_number": kw.get("doc", "X0000000")}  # fmt: skip


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener.from_entries(WATCHLIST, visas=VISAS, version=3)
