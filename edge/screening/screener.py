"""Screen one traveller against the watchlist, the lost/stolen documents and the visa records.

    screener = Screener.load("/var/lib/sekisho/screening")     # or Screener.from_entries([...])
    result = screener.screen({"surname": "OHNO", "given_names": "TARO", ...})
    result.alerts  # hits at or above their category's threshold

Flow: name tokens -> candidate entries from the index (entries sharing keys with at least two
traveller tokens, or with one rare token) -> candidates whose birth date conflicts are dropped
with numpy -> the rest are scored precisely and explained.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from edge.screening.dates import (
    ADJUST,
    CONFLICT,
    compare_dates,
    evidence_kinds,
    namesake_penalty,
    pack_date,
)
from edge.screening.documents import normalise_number
from edge.screening.index_build import (
    BuiltIndex,
    build_in_memory,
    initials_mask,
    load_directory,
)
from edge.screening.name_index import MIN_PREFIX_LEN, isin_sorted, union_sorted
from edge.screening.names import render_name, romanised
from edge.screening.records import check_traveller
from edge.screening.scoring import (
    NATIONALITY_MATCH,
    REPORT_FLOOR,
    Evidence,
    Thresholds,
    nationality_adjustments,
    nationality_evidence,
    pack_country,
    sex_evidence,
)
from edge.screening.similarity import describe, fills_mrz_field, match_name
from edge.screening.text import name_tokens, skeleton
from edge.screening.variants import may_go_unsaid, same_variant
from edge.screening.visa import VisaCheck, VisaRegistry

logger = logging.getLogger(__name__)

RARE_SLOT = 64  # a traveller token this rare makes its entries candidates on its own
BIG_SLOT = 50_000  # tokens this common only confirm candidates found through others
# Precise scoring is capped per query (`_most_promising`): 32 chosen that way found as many
# targets on both evaluation seeds as 64 chosen by shared names, at a cold p99 of 12 ms
# against 16 ms (docs/screening.md, run G).
MAX_SCORED = 32
CROWDED = 50  # above this many date-compatible candidates, only those that can alert are scored
TOKEN_CACHE = 20_000  # traveller tokens whose candidate entries are kept between queries
# The similarity caches hold ~10^6 objects; Python's full garbage collections would walk them
# all (0.1-0.7 s pauses seen on a traveller). What a traveller leaves in the caches is moved out
# of the collector's sight (gc.freeze, O(1)) after each one; reference counting still frees
# everything that is not a cycle.
FREEZE_EVERY = 1


@dataclass(frozen=True)
class Hit:
    """One watchlist entry that resembles the traveller."""

    entry_id: str
    category: str
    action: str | None
    score: float
    explanation: str
    alert: bool
    basis: str  # 'name' or 'document'

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry_id,
            "category": self.category,
            "action": self.action,
            "score": self.score,
            "alert": self.alert,
            "basis": self.basis,
            "why": self.explanation,
        }


@dataclass(frozen=True)
class ScreeningResult:
    """All hits (best first), the visa check if visa data is loaded, and the time taken."""

    traveller_id: str | None
    hits: list[Hit]
    visa: VisaCheck | None
    ms: float
    data_version: int
    candidates: int = 0
    scored: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def alerts(self) -> list[Hit]:
        return [h for h in self.hits if h.alert]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.traveller_id,
            "alerts": [h.entry_id for h in self.alerts],
            "hits": [h.to_dict() for h in self.hits],
            "visa": self.visa.to_dict() if self.visa else None,
            "data_version": self.data_version,
            "ms": round(self.ms, 3),
        }


def _count_sorted(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(values, how many arrays hold each) for sorted arrays of unique values.

    A stable sort of concatenated sorted runs is a merge (timsort finds the runs), several
    times faster than np.unique's hashing on 10^5 elements.
    """
    merged = np.sort(np.concatenate(arrays), kind="stable")
    if len(merged) == 0:
        return merged, np.empty(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], merged[1:] != merged[:-1])))
    counts = np.diff(np.append(starts, len(merged)))
    return merged[starts], counts


class Screener:
    """Screening over one built index (and optional visa records)."""

    def __init__(
        self,
        built: BuiltIndex,
        thresholds: Thresholds | None = None,
        visas: VisaRegistry | None = None,
    ) -> None:
        self.names, self.documents, self.dob = built.names, built.documents, built.dob
        self.nationality, self.initials = built.nationality, built.initials
        self.store, self.meta = built.store, built.meta
        self.thresholds = thresholds or Thresholds()
        self.visas = visas
        self._cache: dict[int, dict[str, Any]] = {}
        self._token_cache: dict[str, np.ndarray] = {}
        self._screened = 0
        _warm_up()
        self.screen({"surname": "WARMUP", "given_names": "WARMUP", "birth_date": "1900-01-01"})
        gc.freeze()

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[dict[str, Any]],
        thresholds: Thresholds | None = None,
        visas: Iterable[dict[str, Any]] | VisaRegistry | None = None,
        version: int = 0,
    ) -> Screener:
        """Index entries in memory."""
        if visas is not None and not isinstance(visas, VisaRegistry):
            visas = VisaRegistry(visas)
        return cls(build_in_memory(entries, version), thresholds, visas)

    @classmethod
    def load(
        cls,
        index_dir: str | Path,
        thresholds: Thresholds | None = None,
        visas: VisaRegistry | None = None,
    ) -> Screener:
        """Open an index directory built by `sekisho screen index build`."""
        return cls(load_directory(Path(index_dir)), thresholds, visas)

    @property
    def version(self) -> int:
        return int(self.meta.get("version", 0))

    # -- candidates ---------------------------------------------------------------------------
    def _token_entries(self, token: str, loose: bool = True) -> np.ndarray:
        """Entries reachable from one traveller token (cached: common names recur all day)."""
        key = token if loose else "+" + token
        found = self._token_cache.get(key)
        if found is None:
            found = self.names.token_entries(token, loose)
            if len(self._token_cache) >= TOKEN_CACHE:
                self._token_cache.clear()
            self._token_cache[key] = found
        return found

    def _slot_entries(self, tokens: list[str]) -> list[np.ndarray]:
        slots = [[self._token_entries(t)] for t in tokens]
        for i in range(len(tokens) - 1):  # run together in the entry: KIM MIN JUN -> MINJUN
            merged = self._token_entries(tokens[i] + tokens[i + 1], loose=False)
            if len(merged):
                slots[i].append(merged)
                slots[i + 1].append(merged)
        return [s[0] if len(s) == 1 else union_sorted(s) for s in slots]

    def _same_name_entries(self, token: str) -> np.ndarray:
        key = "=" + token
        found = self._token_cache.get(key)
        if found is None:
            found = self.names.entries_for(self.names.same_name_ids(token))
            self._token_cache[key] = found
        return found

    def _namesakes(
        self, surname: list[str], given: list[str], nationality: str | None = None
    ) -> int:
        """Listed people whose names hold all the traveller's names but one (at least two),
        spelled the same or as known variants: typing-error neighbours do not count. One may
        be missing (a middle name the list or the passport left out); AHMED MOHAMMED ALI
        HASSAN is not as common as any two of its names. The one missing is never the
        surname (a passport never leaves it out): YASIR HANAN HUSSEIN's namesakes are the
        YASIR HANAN..., not every HANAN HUSSEIN (61 of those in the development set); nor, with
        two given names or more, the first, the person's own (SAYED MUSTAFA ABDULLAH is not as
        common as every SAYED ... ABDULLAH), unless it is a devotional MUHAMMAD.

        Names count once however often they are written (HUSSEIN ... HUSSAIN is one name
        twice), and syllables written apart are one name when the list knows them run
        together (DO YUN is DOYUN, 도윤): else any two of three tokens would be "the name".

        With the traveller's nationality, only listed people of that nationality count: how
        common a name is depends on the country (in the 1M development set OMAR MAHMOUD is
        listed 485 times across the Arab world, 58 times as Egyptian), and a namesake of another
        nationality already scores lower on the nationality evidence."""
        units = list(surname)
        i = 0
        while i < len(given):
            if i + 1 < len(given) and len(given[i]) <= 3 and len(given[i + 1]) <= 3:
                joined = given[i] + given[i + 1]
                if len(self._same_name_entries(joined)):
                    units.append(joined)
                    i += 2
                    continue
            units.append(given[i])
            i += 1
        sets: list[np.ndarray] = []
        seen: list[str] = []
        n_sur_sets = 0
        first_given = -1
        for k, unit in enumerate(units):
            if any(skeleton(unit) == skeleton(s) or same_variant(unit, s) for s in seen):
                continue
            seen.append(unit)
            sets.append(self._same_name_entries(unit))
            if k < len(surname):
                n_sur_sets += 1
            elif first_given < 0:
                first_given = len(sets) - 1
        if not sets:
            return 0
        if len(sets) == 1:
            found = sets[0]
        else:
            values, counts = _count_sorted(sets)
            found = values[counts >= max(2, len(sets) - 1)]
            if n_sur_sets and len(found):  # the name left out is never the surname
                surnamed = union_sorted(sets[:n_sur_sets])
                found = found[isin_sorted(found, surnamed)]
            # ... nor the first given name, the person's own (a father's is left out), unless
            # a devotional MUHAMMAD
            own = seen[first_given] if first_given >= 0 else ""
            if len(sets) - n_sur_sets >= 2 and own and not may_go_unsaid(own) and len(found):
                found = found[isin_sorted(found, sets[first_given])]
        if not nationality or self.nationality is None or not len(found):
            return len(found)
        return int((self.nationality[found.astype(np.int64)] == pack_country(nationality)).sum())

    def _candidates(self, tokens: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """(entry positions, the entries reachable from each traveller token) for the name
        index: entries reached from at least two traveller tokens, or from one rare one."""
        per_slot = [s for s in self._slot_entries(tokens) if len(s)]
        if not per_slot:
            return np.empty(0, np.uint32), []
        if len(per_slot) == 1:
            return per_slot[0], per_slot
        # An initial or a name cut to one or two letters (MRZ truncation: MARIAM -> MA) has no
        # index key of its own; then any other name alone makes candidates, and the birth date
        # filters them.
        if sum(len(t) >= MIN_PREFIX_LEN for t in tokens) < 2:
            return union_sorted(per_slot), per_slot
        small = [s for s in per_slot if len(s) <= BIG_SLOT] or [min(per_slot, key=len)]
        big = [s for s in per_slot if not any(s is t for t in small)]
        pool, counts = _count_sorted(small)
        for b in big:
            counts = counts + isin_sorted(pool, b)
        rare = [s for s in small if len(s) <= RARE_SLOT]
        keep = counts >= 2
        for s in rare:
            keep |= isin_sorted(pool, s)
        return pool[keep], per_slot

    def _shared_weight(self, positions: np.ndarray, slots: list[np.ndarray]) -> np.ndarray:
        """Per candidate, the summed rarity (log2 of listed people per reaching entry) of the
        traveller tokens that reach it: an inverse document frequency."""
        total = max(int(self.meta.get("name_entries") or len(self.dob)), 2)
        weight = np.zeros(len(positions))
        for slot in slots:
            weight += np.log2(total / len(slot)) * isin_sorted(positions, slot)
        return np.round(weight, 6)

    def _initials_weight(self, positions: np.ndarray, tokens: list[str]) -> np.ndarray | float:
        """For a traveller name cut to one or two letters (YI / M, the MRZ leaving M of MIN),
        the rarity among the candidates of those whose names begin with those letters: such a
        name reaches no entry through the index, and among 30,000 listed 이 the one named M...
        must still be among those scored."""
        short = [t for t in tokens if len(t) <= 2]
        if not short or self.initials is None:
            return 0.0
        need = initials_mask(short)
        have = (self.initials[positions.astype(np.int64)] & need) == need
        n = int(have.sum())
        if n == 0 or n == len(positions):
            return 0.0
        return np.log2(len(positions) / n) * have

    # -- scoring ------------------------------------------------------------------------------
    def _best_possible(
        self, positions: np.ndarray, kinds: np.ndarray, nationality: str | None, namesakes: int
    ) -> np.ndarray:
        """Upper bound of each candidate's score: a perfect name plus its date evidence (after
        the namesake penalty) and nationality evidence; sex can only lower it."""
        penalty = np.array([namesake_penalty(k, namesakes) for k in range(len(ADJUST))])
        best = 1.0 + ADJUST[kinds] - penalty[kinds]
        if self.nationality is None:  # an index without the column: assume the same
            return best + (NATIONALITY_MATCH if nationality else 0.0)
        listed = self.nationality[positions.astype(np.int64)]
        return best + nationality_adjustments(listed, nationality)

    def _entries(self, positions: list[int]) -> dict[int, dict[str, Any]]:
        missing = [p for p in positions if p not in self._cache]
        if missing:
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache.update(self.store.get_many(missing))
        return {p: self._cache[p] for p in positions}

    def _name_hit(
        self,
        q_sur: list[str],
        q_giv: list[str],
        traveller: dict,
        entry: dict,
        qdob: int,
        namesakes: int,
        cut: bool,
    ) -> Hit | None:
        best = None
        names = entry.get("names") or ()
        native = any(not name.isascii() for name in names)
        for name in names:
            for rendering in render_name(name, entry.get("nationality")):
                if native and rendering.script == "latin":
                    rendering = romanised(rendering)
                match = match_name(tuple(q_sur), tuple(q_giv), rendering, cut)
                if best is None or match.score > best.score:
                    best = match
        if best is None or best.score == 0.0:
            return None
        evidence = Evidence(
            best.score,
            tuple(describe(best)),
            compare_dates(qdob, pack_date(entry.get("birth_date")), namesakes),
            nationality_evidence(traveller.get("nationality"), entry.get("nationality")),
            sex_evidence(traveller.get("sex"), entry.get("sex")),
            all(m.similarity >= 0.95 for m in best.matches),
        )
        score = evidence.score
        if score < REPORT_FLOOR:
            return None
        category = entry.get("category", "")
        alert = score >= self.thresholds.for_category(category)
        return Hit(
            entry["id"], category, entry.get("action"), score, evidence.explanation(), alert, "name"
        )

    def _document_hits(self, traveller: dict) -> list[Hit]:
        number = traveller.get("document_number")
        if not number or len(self.documents) == 0:
            return []
        country = traveller.get("issuing_country") or traveller.get("nationality")
        hits = []
        found = self.documents.lookup(number, country)
        entries = self._entries([h.entry for h in found])
        for doc in found:
            entry = entries[doc.entry]
            category = entry.get("category", "")
            listed_as = " as lost or stolen" if category == "lost_stolen_document" else ""
            shown = normalise_number(number)
            if doc.country_match:
                score, why = 1.0, f"document {shown} ({doc.country or '?'}) is listed{listed_as}"
            else:
                score = 0.6
                why = f"document {shown} is listed{listed_as}, but issued by {doc.country}, not {country}"
            alert = score >= self.thresholds.for_category(category)
            hits.append(
                Hit(entry["id"], category, entry.get("action"), score, why, alert, "document")
            )
        return hits

    def screen(self, traveller: dict[str, Any], today: date | None = None) -> ScreeningResult:
        """Screen one traveller; `today` (default: the local date) is used for the visa check."""
        start = time.perf_counter()
        check_traveller(traveller)
        q_sur = name_tokens(traveller.get("surname") or "")
        q_giv = name_tokens(traveller.get("given_names") or "")
        qdob = pack_date(traveller.get("birth_date"))
        hits = self._document_hits(traveller)
        positions, slots = self._candidates(q_sur + q_giv)
        n_candidates = len(positions)
        namesakes = 0  # counted only for a traveller with candidates to score
        if n_candidates:
            namesakes = self._namesakes(q_sur, q_giv, traveller.get("nationality"))
            kinds = evidence_kinds(qdob, np.asarray(self.dob[positions.astype(np.int64)]))
            ok = kinds != CONFLICT
            positions, kinds = positions[ok], kinds[ok]
            if len(positions) > MAX_SCORED:
                # The best score each candidate could reach with a perfect name: its date and
                # nationality evidence are known before any name is compared.
                nationality = traveller.get("nationality")
                best = self._best_possible(positions, kinds, nationality, namesakes)
                if len(positions) > CROWDED:
                    # Many namesakes: score only entries that could still reach an alert.
                    keep = best >= self.thresholds.lowest
                    positions, best = positions[keep], best[keep]
                if len(positions) > MAX_SCORED:
                    shared = self._shared_weight(positions, slots)
                    shared += self._initials_weight(positions, q_sur + q_giv)
                    positions = positions[_most_promising(best, shared)]
        entries = self._entries([int(p) for p in positions])
        # Whether the MRZ may have cut the name: as the reader saw its field, or by length.
        cut = traveller.get("names_truncated")
        if cut is None:
            cut = fills_mrz_field(
                traveller.get("surname") or "", traveller.get("given_names") or ""
            )
        for pos in positions:
            hit = self._name_hit(q_sur, q_giv, traveller, entries[int(pos)], qdob, namesakes, cut)
            if hit is not None:
                hits.append(hit)
        hits = _merge(hits)
        visa = (
            self.visas.check(traveller, today or date.today()) if self.visas is not None else None
        )
        ms = (time.perf_counter() - start) * 1000
        self._screened += 1
        if self._screened % FREEZE_EVERY == 0:
            gc.freeze()
        return ScreeningResult(
            traveller.get("id"), hits, visa, ms, self.version, n_candidates, len(positions)
        )


def _most_promising(best: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Indices of the candidates worth scoring precisely: half the cap by the names they share
    (rarest first: HYONPIL weighs more than KIM; then the strongest other evidence), the rest
    by the score they could reach (then by shared names). Either order alone misses someone:
    by names, the one listed person born on the traveller's day among 500 namesakes without a
    date; by evidence, the one whose whole name matches among candidates born on the day who
    share a single name with the traveller."""
    by_name = np.lexsort((-best, -shared))[: MAX_SCORED // 2]
    by_evidence = np.lexsort((-shared, -best))
    free = np.ones(len(best), dtype=bool)
    free[by_name] = False
    rest = by_evidence[free[by_evidence]][: MAX_SCORED - len(by_name)]
    return np.concatenate((by_name, rest))


def _warm_up() -> None:
    """Load the dictionaries now (pypinyin, kanji readings, variant groups), not on the first traveller."""
    render_name("張偉")
    render_name("大野 太郎")
    match_name(("ZHANG",), ("WEI",), render_name("張偉")[0])


def _merge(hits: list[Hit]) -> list[Hit]:
    """One hit per entry (the higher score; a document hit keeps its name evidence too)."""
    best: dict[str, Hit] = {}
    for hit in hits:
        other = best.get(hit.entry_id)
        if other is None:
            best[hit.entry_id] = hit
            continue
        top, low = (hit, other) if hit.score >= other.score else (other, hit)
        best[hit.entry_id] = Hit(
            top.entry_id, top.category, top.action, top.score,
            f"{top.explanation}; {low.explanation}", top.alert or low.alert, top.basis,
        )  # fmt: skip
    return sorted(best.values(), key=lambda h: (-h.score, h.entry_id))


__all__ = ["Hit", "Screener", "ScreeningResult"]
