"""Known spelling variants of names, as groups: MOHAMMED/MUHAMMAD/MOHAMED..., LEE/YI/RHEE...

Arabic given names are spelled many ways in Latin; Korean and Chinese surnames have a passport
spelling per region and era. Two tokens in one group are the same name. Korean and Chinese
groups come from the romanisation tables; Arabic groups are listed here.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from edge.screening import chinese, hangul
from edge.screening.text import deletes

logger = logging.getLogger(__name__)

ARABIC_GROUPS = (
    "MOHAMMED MUHAMMAD MOHAMED MOHAMMAD MUHAMMED MOHAMAD MUHAMAD MOHD MOHAMMET MEHMET",
    "AHMED AHMAD AHMET", "HUSSEIN HUSSAIN HUSEIN HOSSEIN HUSAIN HOSSAIN HUSEYIN",
    "HASSAN HASAN HASSEN", "YOUSSEF YOUSEF YUSUF YOUSUF YOUSIF YUSSUF JOSEF",
    "ABDULRAHMAN ABDELRAHMAN ABDURRAHMAN ABDALRAHMAN ABDOULRAHMANE",
    "ABDULLAH ABDALLAH ABDULLA ABDELLAH", "ABDUL ABDEL ABDOUL ABDAL", "OMAR UMAR OMER",
    "OTHMAN OSMAN UTHMAN USMAN OSMANE", "KHALID KHALED", "KHALIL KHALEEL", "MUSTAFA MOSTAFA MUSTAPHA MOUSTAFA",
    "IBRAHIM EBRAHIM IBRAHEEM IBRAHIMA", "SALEH SALIH", "SALAH SALAAH", "MAHMOUD MAHMUD MAHMOOD",
    "TARIQ TAREK TARIK TAREQ", "KARIM KAREEM KERIM", "JAMAL GAMAL JAMEL", "NASSER NASIR NASSIR NASER",
    "WALID WALEED", "SAMIR SAMEER", "HAMZA HAMZAH", "ZIAD ZIYAD ZIYAAD", "FATIMA FATIMAH FATMA FATOUMA",
    "AISHA AYESHA AICHA AYSHA", "MARIAM MARYAM MERIEM", "ZAINAB ZEINAB ZAYNAB", "KHADIJA KHADIJAH KHADIDJA",
    "NOUR NOOR NUR", "LAYLA LEILA LAILA", "IMAN EMAN", "AMIN AMEEN", "KHOURY KHOURI KHURI", "MANSOUR MANSUR", "NASSAR NASAR",
    "QURESHI QURAISHI KURESHI", "SIDDIQUI SIDDIKI SIDDIQI", "RAHMAN REHMAN", "SHARIF SHARIEF SHAREEF",
    "SAYED SAYYID SAYYED SYED", "SAID SAEED SAYEED", "RASHID RASHEED RACHID",
)  # fmt: skip


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[int]]:
    groups: list[tuple[str, ...]] = [tuple(g.split()) for g in ARABIC_GROUPS]
    groups += [s for s in hangul.SURNAMES.values() if len(s) > 1]
    for chars, spellings in chinese.DIALECT_SURNAMES.items():
        groups.append((*chinese.romanise_surname(chars)[:2], *spellings))
    table: dict[str, set[int]] = {}
    for gid, group in enumerate(groups):
        for spelling in group:
            table.setdefault(spelling, set()).add(gid)
    return {k: frozenset(v) for k, v in table.items()}


def variant_groups(token: str) -> frozenset[int]:
    """Ids of the variant groups a spelling belongs to (empty if none)."""
    return _table().get(token, frozenset())


@lru_cache(maxsize=1)
def _spellings_by_group() -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for spelling, gids in _table().items():
        for gid in gids:
            out.setdefault(gid, []).append(spelling)
    return {gid: tuple(sorted(v)) for gid, v in out.items()}


@lru_cache(maxsize=100_000)
def variant_spellings(token: str) -> tuple[str, ...]:
    """The other listed spellings of the name(s) this spelling is a variant of (MOHAMMED ->
    MUHAMMAD, MOHAMED...); empty if none."""
    groups = _spellings_by_group()
    found = {v for gid in variant_groups(token) for v in groups[gid]}
    found.discard(token)
    return tuple(sorted(found))


NEAR_MIN_LEN = 5  # a spelling this long or longer is reached through its typing errors


@lru_cache(maxsize=1)
def _near_table() -> dict[str, frozenset[int]]:
    """Group ids by every one-letter deletion of the group spellings (and the spellings)."""
    table: dict[str, set[int]] = {}
    for spelling, gids in _table().items():
        if len(spelling) < NEAR_MIN_LEN:
            continue
        for form in (spelling, *deletes(spelling)):
            table.setdefault(form, set()).update(gids)
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=100_000)
def near_variant_groups(token: str) -> frozenset[int]:
    """Groups one typing error away from the token: MUAHMMAD (MUHAMMAD with two letters swapped),
    FAMTA, HUSSALN. Two strings are one substitution, insertion, deletion or transposition apart
    when they share a one-letter deletion (SymSpell); a typing error in a variant spelling the
    list does not use must still reach the listed person."""
    if len(token) < NEAR_MIN_LEN - 1:
        return frozenset()
    table = _near_table()
    found: set[int] = set()
    for form in (token, *deletes(token)):
        found.update(table.get(form, ()))
    return frozenset(found)


@lru_cache(maxsize=1)
def _prefix_table() -> dict[str, frozenset[int]]:
    """Group ids by every proper prefix of the group spellings (the index asks only for
    prefixes as long as its own prefix keys)."""
    table: dict[str, set[int]] = {}
    for spelling, gids in _table().items():
        for cut in range(1, len(spelling)):
            table.setdefault(spelling[:cut], set()).update(gids)
    return {k: frozenset(v) for k, v in table.items()}


def prefix_variant_groups(token: str) -> frozenset[int]:
    """Groups with a spelling the token is an MRZ truncation of: HOSS (HOSSEIN) reaches the
    HUSSEIN group, AYES (AYESHA) the AISHA group, though the list spells them otherwise and
    the index's prefix keys hold only the spellings it lists."""
    return _prefix_table().get(token, frozenset())


def same_variant(a: str, b: str) -> bool:
    """Whether two spellings are listed as variants of one name."""
    return bool(variant_groups(a) & variant_groups(b))


def known_apart(a: str, b: str) -> bool:
    """Whether both spellings are listed, as variants of different names: HASSAN and HOSSEIN
    (حسن, حسين), KHALID and KHALIL share their consonants but are not one name."""
    ga, gb = variant_groups(a), variant_groups(b)
    return bool(ga) and bool(gb) and not ga & gb


def may_go_unsaid(given: str) -> bool:
    """Whether a first given name is one a list may leave out: the devotional MUHAMMAD that
    many South Asian and Arab names begin with (MUHAMMAD NAWAZ SHARIF, known as NAWAZ SHARIF).
    Any other first given name is the person's own and is not left out."""
    return same_variant(given, "MOHAMMED")
