"""Labelled evaluation set for screening, generated from a seed (no data files needed).

A watchlist of people whose names come from large, long-tailed name spaces in six families
(kanji/katakana, Hangul, Cyrillic, Chinese characters, Arabic-derived and Western Latin; see
`pools.py` and `people.py`); travellers derived from listed people the way passports and MRZ
readers change names (`variation.py`); and innocent travellers: random people from the same
spaces and namesakes of listed people (same name, other birth date).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.screening.dates import CONFLICT, evidence_kinds, pack_date
from edge.screening.evalset.people import (
    Person,
    birth,
    native_name,
    passport_name,
    random_person,
)
from edge.screening.evalset.variation import mrz_name_field, vary_birth, vary_name

logger = logging.getLogger(__name__)

CATEGORIES = (("deportee", 0.5), ("wanted", 0.2), ("person_of_interest", 0.3))
ACTIONS = {"deportee": "refuse", "wanted": "detain", "person_of_interest": "refer"}


def make_entry(p: Person, pos: int, rng: random.Random) -> dict[str, Any]:
    """A watchlist entry for a listed person."""
    names = [native_name(p, rng)]
    if rng.random() < 0.25 and p.script in ("ja", "ko", "ru", "zh"):
        sur, given = passport_name(p, rng)
        names.append(f"{sur}, {' '.join(given)}")
    r = rng.random()
    born: str | None = p.birth if r < 0.93 else (p.birth[:4] if r < 0.98 else None)
    category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
    entry: dict[str, Any] = {"id": f"W{pos:07d}", "names": names, "category": category}
    if born:
        entry["birth_date"] = born
    if rng.random() < 0.9:
        entry["nationality"] = p.nationality
    if rng.random() < 0.9:
        entry["sex"] = p.sex
    if rng.random() < 0.3:
        entry["documents"] = [{"number": f"P{rng.randrange(10**8):08d}", "country": p.nationality}]
    entry["action"] = ACTIONS[category]
    return entry


@dataclass
class EvalSet:
    """Watchlist entries, travellers, and for each traveller the entry it should alert (or None)."""

    entries: list[dict[str, Any]]
    travellers: list[dict[str, Any]]
    expected: list[str | None]
    notes: list[str]


def _traveller(
    tid: str, sur: str, given: str, full: bool, born: str, p: Person, rng: random.Random
) -> dict:
    """A traveller as the booth reads the passport: the MRZ says whether its name field is
    full (`names_truncated`: the last names may have been cut)."""
    return {
        "id": tid, "surname": sur, "given_names": given, "birth_date": born,
        "nationality": p.nationality, "sex": p.sex,
        "document_number": f"T{rng.randrange(10**8):08d}", "names_truncated": full,
    }  # fmt: skip


def _namesake(people: list[Person], entries: list[dict], rng: random.Random) -> tuple[Person, str]:
    """A listed person's name with a birth date that conflicts with the listed one."""
    i = rng.randrange(len(entries))
    while len(entries[i].get("birth_date", "")) != 10:
        i = rng.randrange(len(entries))
    p = people[i]
    listed = pack_date(entries[i]["birth_date"])
    born = birth(rng)
    while evidence_kinds(pack_date(born), [listed])[0] != CONFLICT:
        born = birth(rng)
    twin = Person(p.script, p.surname, p.given, p.sex, born, p.nationality, p.reading)
    return twin, f"namesake of {entries[i]['id']} born on another day"


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
        born, date_note = vary_birth(entry.get("birth_date"), rng)
        full = "MRZ truncation" in changes
        travellers.append(_traveller(f"T{k:06d}", sur, given_text, full, born, p, rng))
        expected.append(entry["id"])
        notes.append(", ".join([*changes, date_note]))
    for k in range(n_innocent):
        if k % 2 == 0:
            p, note = random_person(rng), "random person"
        else:
            p, note = _namesake(people, entries, rng)
        sur, given, full = mrz_name_field(*passport_name(p, rng))
        travellers.append(_traveller(f"I{k:06d}", sur, " ".join(given), full, p.birth, p, rng))
        expected.append(None)
        notes.append(note)
    return EvalSet(entries, travellers, expected, notes)


_DOC_COUNTRIES = (
    "JPN",
    "USA",
    "CHN",
    "KOR",
    "GBR",
    "FRA",
    "DEU",
    "RUS",
    "IND",
    "BRA",
    "PHL",
    "VNM",
)
_DOC_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def document_arrays(n: int, seed: int = 9) -> dict[str, np.ndarray]:
    """Lost and stolen document numbers as columns (numbers, countries), made with numpy.

    Two letters and seven digits, as many passport numbers are; the bulk form a lost/stolen
    feed is loaded from (`build_directory(..., documents=...)`).
    """
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(_DOC_LETTERS.encode(), dtype="S1")
    digits = np.char.zfill(rng.integers(0, 10**7, n).astype("U7"), 7).astype("S7")
    numbers = np.char.add(
        np.char.add(
            letters[rng.integers(0, len(letters), n)], letters[rng.integers(0, len(letters), n)]
        ),
        digits,
    )
    countries = np.array(_DOC_COUNTRIES, dtype="S3")[rng.integers(0, len(_DOC_COUNTRIES), n)]
    return {"numbers": numbers, "countries": countries}


def document_entries(n: int, seed: int = 9) -> Iterator[dict[str, Any]]:
    """The same lost and stolen documents as watchlist entries (one per document)."""
    cols = document_arrays(n, seed)
    for i, (number, country) in enumerate(zip(cols["numbers"], cols["countries"], strict=True)):
        yield {
            "id": f"L{i:08d}", "documents": [{"number": number.decode(), "country": country.decode()}],
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


__all__ = ["EvalSet", "document_arrays", "document_entries", "generate", "make_entry", "score"]
