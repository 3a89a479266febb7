"""Name similarity: token against token, then a traveller's name against an entry's rendering.

Tokens compare on spelling (Jaro-Winkler and OSA edit distance from rapidfuzz), on the phonetic
skeleton (romanisation variants), on the consonant key (MOHAMMED/MUHAMMAD) and as MRZ
truncations or initials. Names align token to token greedily, allowing surname and given names
swapped, middle names dropped or added, and names run together or split (ABDUL RAHMAN).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from rapidfuzz.distance import OSA, JaroWinkler

from edge.mrz.formats import FORMATS as MRZ_FORMATS
from edge.screening.names import NameToken, Rendering
from edge.screening.text import (
    consonant_key,
    consonant_keys,
    glued_variants,
    skeleton,
    vowel_free,
)
from edge.screening.variants import (
    known_apart,
    may_go_unsaid,
    near_variant_groups,
    same_variant,
    variant_groups,
    variant_spellings,
)

logger = logging.getLogger(__name__)

MIN_TOKEN_SIM = 0.75  # below this two tokens are not the same name
CONFLICT_PENALTY = 0.30  # a token on each side that matches nothing: different names
EXTRA_PENALTY = 0.05  # a middle name on the traveller's side only
# A name on the entry's side only costs less: lists hold full names (patronymics, father's and
# grandfather's names) that passports and MRZ readers leave out. 0.01 chosen on the development
# seed in run I (0.015 before; one development and two test targets more at 1 % false alerts).
ENTRY_EXTRA_PENALTY = 0.01
MAX_SPELLINGS = 8
NO_MIDDLE_NAMES = frozenset({"korean", "chinese", "japanese"})  # scripts of names.Rendering


@lru_cache(maxsize=1_000_000)
def token_similarity(
    q: str, e: str, loose: bool = True, vowels_vary: bool = True, cut: bool = True
) -> tuple[float, str]:
    """(similarity 0..1, relation) of a traveller token and an entry spelling.

    Relations: '=' same or same sound, '≈' a known variant, 'truncated', 'initial', '~' fuzzy.
    `loose=False` (for names run together) keeps only spelling and sound, not consonant keys
    or truncation, which are too permissive on long joined strings. `vowels_vary=False` for
    spellings this module romanised itself from kana, Hangul, Cyrillic or Chinese characters:
    every accepted spelling is already among them, and a consonant-key match would make
    SACHIKO of SHOTAKE or EUNJI of YONJA. `cut=False` where the MRZ cannot have cut the
    traveller's name (`match_name`'s `cut`): no truncation.
    """
    if q == e:
        return 1.0, "="
    sq, se = skeleton(q), skeleton(e)
    if sq == se:
        return 0.97, "="
    if same_variant(q, e):
        return 0.95, "≈"
    if not loose:
        dist = min(OSA.distance(q, e), OSA.distance(sq, se))
        if dist == 1 and len(q) >= 6:
            return 0.86, "~"
        return (0.83, "~") if dist == 2 and len(q) >= 10 else (0.0, "~")
    # Vowels vary between transliterations (MOHAMED / MUHAMMAD), unless the variant table
    # knows the two as different names (HASSAN / HOSSEIN).
    vowels_vary = vowels_vary and not known_apart(q, e)
    cq = consonant_key(q) if vowels_vary else ""
    if cq and abs(len(sq) - len(se)) <= 2 and set(consonant_keys(q)) & set(consonant_keys(e)):
        return 0.93, "≈"
    # Short names: vowels vary there too (HUDA / HODA, MONA / MUNA), but two consonants say
    # less: four letters or more, lengths within one (JIN and JUN, 진 and 준, stay apart).
    short = vowels_vary and not cq and min(len(sq), len(se)) >= 4
    if short and abs(len(sq) - len(se)) <= 1 and vowel_free(q) == vowel_free(e):
        return 0.93, "≈"
    # Only the leading vowel differs (ESSA / ISSA, EMAN / IMAN): Arabic alif and hamza are
    # written A, E or I.
    if vowels_vary and len(sq) >= 3 and sq[1:] == se[1:] and sq[0] in "AEI" and se[0] in "AEI":
        return 0.93, "≈"
    best = _near_spelling(q, e, sq, se, cut)
    if vowels_vary and len(q) == 1 and q in "AEI" and e[:1] in ("A", "E", "I") and not best[0]:
        best = (0.82, "initial")  # of a name whose first vowel varies: I for EMAD (IMAD)
    # A typing error in a name whose vowels vary (JABITR for JABIR, a JABER in the list):
    # the consonants one edit apart, the spellings at most two.
    if best[0] < 0.80 and cq and len(cq) >= 3 and q[0] == e[0]:
        ce = consonant_key(e)
        if ce and OSA.distance(cq, ce) == 1 and OSA.distance(q, e) <= 2:
            best = (0.80, "~")
    # A typing error or a truncation of a known variant the entry does not use: MUAHMMAD,
    # MUAMMAD for MOHAMMED (via MUHAMMAD), FAMTA for FATIMA (via FATMA), EBR for IBRAHIM.
    # Only tried when the index's own test says a variant is one error away (or q begins one).
    if best[0] < 0.86 and variant_groups(e):
        near_groups = near_variant_groups(q) & variant_groups(e)
        for variant in variant_spellings(e):
            if near_groups or variant.startswith(q):
                near = _near_spelling(q, variant, sq, skeleton(variant), cut)
                if near[0] > best[0]:
                    best = near
    return best


def _near_spelling(q: str, e: str, sq: str, se: str, cut: bool = True) -> tuple[float, str]:
    """Similarity of two different names' spellings: initial, truncation (unless `cut` is
    false), typing errors."""
    if len(q) == 1:  # of the spelling or of its sound (Z for ZIRO, the Kunrei spelling of JIRO)
        return (0.82, "initial") if e.startswith(q) or se.startswith(q) else (0.0, "~")
    if cut and len(q) >= 2 and len(e) > len(q) and (e.startswith(q) or se.startswith(sq)):
        return (0.92 if len(q) >= 4 else 0.87), "truncated"
    # Typing and OCR errors: one edit (substitution, insertion, deletion, transposition) in a
    # word of 4+ letters, two in a long word. Jaro-Winkler alone is too kind to short names
    # sharing a prefix (MINSU / MINJUN), so it only ranks what the edit distance rejects.
    dist = min(OSA.distance(q, e), OSA.distance(sq, se))
    longest = max(len(q), len(e))
    # MARIA / DARIA: a different first letter is another name, unless the first two letters
    # were typed the wrong way round (IHSHAM for HISHAM).
    first_swapped = len(q) > 1 and len(e) > 1 and q[0] == e[1] and q[1] == e[0]
    if dist == 1 and q[0] != e[0] and not first_swapped:
        return (0.78, "~") if longest >= 7 else (0.68, "~")
    if dist == 1 and longest >= 6:
        return 0.86, "~"
    if dist == 1 and longest >= 4:
        return 0.83, "~"
    if dist == 1 and longest >= 3:
        return 0.76, "~"
    if dist == 2 and longest >= 8 and (q[0] == e[0] or first_swapped):
        return 0.78, "~"
    jw = max(JaroWinkler.similarity(q, e), JaroWinkler.similarity(sq, se))
    return round(0.8 * jw, 3), "~"


@dataclass(frozen=True)
class TokenMatch:
    """Traveller tokens aligned to entry tokens, with their similarity and relation."""

    query: tuple[str, ...]
    entry: tuple[NameToken, ...]
    entry_spelling: str
    similarity: float
    relation: str
    query_part: str  # 'surname' or 'given name'
    entry_part: str


@dataclass(frozen=True)
class NameMatch:
    """How well a traveller's name matches one rendering, and the evidence for it."""

    score: float
    matches: tuple[TokenMatch, ...]
    unmatched_query: tuple[str, ...]
    unmatched_entry: tuple[NameToken, ...]
    swapped: bool
    rendering: Rendering


def _entry_spellings(tokens: tuple[NameToken, ...]) -> list[str]:
    if len(tokens) == 1:
        return list(tokens[0].spellings[:MAX_SPELLINGS])
    return ["".join(p) for p in product(*(t.spellings[:2] for t in tokens))]


@lru_cache(maxsize=500_000)
def _best_spelling(
    q_text: str, e_tokens: tuple[NameToken, ...], single: bool, latin: bool, cut: bool = True
) -> tuple[float, str, str]:
    """(similarity, relation, entry spelling) of the best spelling pair; cached because the
    same entry tokens (KIM, MOHAMMED, 翔太) recur across thousands of listed people."""
    # Glued prefixes come off joined names too: E LSAYED, ALD OSARI (a typing error moved the
    # hyphen of EL-SAYED, AL-DOSARI) run together are ELSAYED, ALDOSARI: SAYED, DOSARI.
    q_forms = glued_variants(q_text)
    best = (0.0, "~", "")
    for spelling in _entry_spellings(e_tokens):
        for q_form in q_forms:
            sim, rel = token_similarity(q_form, spelling, single, latin, cut)
            if sim > best[0]:
                best = (sim, rel, spelling)
        if latin and len(q_forms) > 1 and best[0] < 0.86:
            # A typing error in the first letter after a glued prefix (ALNASSAN for ALHASSAN)
            # is one inside the written name, not a name beginning with another letter.
            prefix = q_text[: len(q_text) - len(q_forms[1])]
            sim, rel = token_similarity(q_text, prefix + spelling, single, latin, cut)
            if sim > best[0] and rel == "~":  # a typing error only
                best = (sim, rel, spelling)
    return best


# The MRZ cuts a name only when it does not fit its field (30 characters on a TD1 card, 31 on
# TD2, 39 on a passport), and a cut name fills the field: a shorter name was not cut. Two
# characters of slack for punctuation the reader may have dropped (O'BRIEN, AL-HASSAN).
MRZ_FULL_FIELD = min(f.field("names").width for f in MRZ_FORMATS.values()) - 2


def fills_mrz_field(surname: str, given: str) -> bool:
    """Whether a name as read is long enough to have been cut by an MRZ (SURNAME<<GIVEN<NAMES,
    particles included, of `MRZ_FULL_FIELD` characters or more): the test when the reader did
    not say whether the name field was full (`names_truncated`)."""
    sur, giv = surname.strip(), given.strip()
    return len(sur) + (2 + len(giv) if giv else 0) >= MRZ_FULL_FIELD


def _pair_candidates(
    q_tokens: list[str],
    e_tokens: list[NameToken],
    spans: list[tuple[int, int, int, int]],
    same_part: list[list[bool]],
    latin: bool,
    cut: bool,
) -> list[tuple]:
    """Candidate alignments (sim, -size, same part, qs, qe, entry indices, relation, spelling)
    of traveller tokens qs:qe with entry tokens es:ee. `cut`: the traveller's name may be cut
    short by the MRZ, which shortens the last names first, down to initials: a cut name is
    followed by initials only (IBR K for IBRAHIM KHALID; SU JIN is not SUYUN cut)."""
    out = []
    tail = len(q_tokens)  # where the trailing initials begin: a cut name ends there or after
    while tail and len(q_tokens[tail - 1]) == 1:
        tail -= 1
    for qs, qe, es, ee in spans:
        q_text = "".join(q_tokens[qs:qe])
        single = qe - qs == 1 and ee - es == 1
        at_end = cut and qe >= tail
        best = _best_spelling(q_text, tuple(e_tokens[es:ee]), single, latin, at_end)
        if best[0] >= MIN_TOKEN_SIM:
            size = (qe - qs) + (ee - es)
            # Ties go to surname against surname: MOHAMMED, ZAINAB MOHAMMED (family name and
            # father's name alike) must not leave the entry's surname unmatched.
            same = same_part[qs][es]
            out.append((best[0], -size, same, qs, qe, tuple(range(es, ee)), best[1], best[2]))
    return out


def _around_dropped(
    q_tokens: list[str], e_tokens: list[NameToken], same_part: list[list[bool]]
) -> list[tuple]:
    """Candidates for a traveller name that is two of the entry's names run together around a
    dropped one: JAMALSABER for JAMAL TARIQ SABER, FATIMAHALI for FATIMA AHMED ALI (the middle
    name left out, the names on either side glued). Same tuples as `_pair_candidates`."""
    out = []
    firsts = [{sp[:1] for sp in t.spellings[:MAX_SPELLINGS]} for t in e_tokens]
    lasts = [{sp[-1:] for sp in t.spellings[:MAX_SPELLINGS]} for t in e_tokens]
    for i, q in enumerate(q_tokens):
        if len(q) < 6:
            continue
        # Cheap test first: some entry name begins as q does and a later one ends as q does.
        lefts = [a for a in range(len(e_tokens)) if q[:1] in firsts[a]]
        rights = [b for b in range(len(e_tokens)) if q[-1:] in lasts[b]]
        pairs = [(a, b) for a in lefts for b in rights if b >= a + 2]
        if not pairs:
            continue
        for cut in range(3, len(q) - 2):
            for a, b in pairs:
                left = _best_spelling(q[:cut], (e_tokens[a],), False, False)
                if left[0] < 0.95:
                    continue
                right = _best_spelling(q[cut:], (e_tokens[b],), False, False)
                if right[0] >= 0.95:
                    sim = min(left[0], right[0])
                    out.append((sim, -3, same_part[i][a], i, i + 1, (a, b), "=",
                                left[2] + right[2]))  # fmt: skip
    return out


def _assign(candidates: list[tuple], used_q: set[int], used_e: set[int]) -> list[tuple]:
    chosen = []
    for cand in sorted(candidates, key=lambda c: (c[0], c[1], c[2]), reverse=True):
        _, _, _, qs, qe, ej, _, _ = cand
        if used_q.intersection(range(qs, qe)) or used_e.intersection(ej):
            continue
        used_q.update(range(qs, qe))
        used_e.update(ej)
        chosen.append(cand)
    return chosen


def _to_empty_part(
    chosen: list[tuple], e_tokens: list[NameToken], n_sur: int, used_e: set[int]
) -> list[tuple]:
    """Move a match to the entry's other copy of the same name when that leaves no part of
    the entry's name unmatched: AL-AHMED, ZAINAB AHMED (family name and father's name alike)
    against a passport with the names swapped, ZAINAB / AHMED, matches AHMED with the
    family name, not the father's name, which would leave the entry's surname unmatched."""
    parts = ((0, n_sur), (n_sur, len(e_tokens)))
    for lo, hi in parts:
        if any(j in used_e for j in range(lo, hi)) or not any(
            e_tokens[j].spellings for j in range(lo, hi)
        ):
            continue
        for n, cand in enumerate(chosen):
            if len(cand[5]) != 1 or lo <= cand[5][0] < hi:
                continue
            j = cand[5][0]
            own_lo, own_hi = parts[0] if j < n_sur else parts[1]
            if sum(own_lo <= u < own_hi for u in used_e) < 2:  # j's part would be left empty
                continue
            twin = next(
                (k for k in range(lo, hi) if e_tokens[k].spellings == e_tokens[j].spellings), None
            )
            if twin is not None:
                chosen[n] = (*cand[:5], (twin,), *cand[6:])
                used_e.discard(j)
                used_e.add(twin)
                break
    return chosen


@lru_cache(maxsize=200_000)
def match_name(
    q_surname: tuple[str, ...],
    q_given: tuple[str, ...],
    rendering: Rendering,
    cut: bool | None = None,
) -> NameMatch:
    """Align a traveller's surname and given-name tokens with one entry rendering.

    Single tokens are aligned first; names run together (pairs, or two names around a dropped
    one) are tried only for what is left unmatched. `cut`: whether the MRZ's name field was
    full, so the last name may be cut short (None: judged by the name's length). Cached:
    namesakes in the list share one rendering object.
    """
    if cut is None:
        cut = fills_mrz_field(" ".join(q_surname), " ".join(q_given))
    q_tokens = list(q_surname + q_given)
    q_parts = ["surname"] * len(q_surname) + ["given name"] * len(q_given)
    e_tokens = list(rendering.tokens)
    e_parts = ["surname"] * len(rendering.surname) + ["given name"] * len(rendering.given)
    nq, ne = len(q_tokens), len(e_tokens)
    used_q: set[int] = set()
    used_e: set[int] = set()
    singles = [(i, i + 1, j, j + 1) for i in range(nq) for j in range(ne)]
    same_part = [[qp == ep for ep in e_parts] for qp in q_parts]
    latin = rendering.script == "latin"
    single_cands = _pair_candidates(q_tokens, e_tokens, singles, same_part, latin, cut)
    chosen = _assign(single_cands, used_q, used_e)
    partial = any(c[6] in ("truncated", "initial") for c in chosen)
    # Every traveller name already matched as the same name: the entry's other names (a
    # father's, a patronymic) are extra, and joined pairs could not explain more.
    explained = len(used_q) == nq and all(c[0] >= 0.95 for c in chosen)
    if (len(used_q) < nq or len(used_e) < ne or partial) and nq + ne > 2 and not explained:
        pairs = [(i, i + 1, j, j + 2) for i in range(nq) for j in range(ne - 1)]
        pairs += [(i, i + 2, j, j + 1) for i in range(nq - 1) for j in range(ne)]
        more = _pair_candidates(q_tokens, e_tokens, pairs, same_part, latin, cut)
        if len(used_e) < ne - 1:
            more += _around_dropped(q_tokens, e_tokens, same_part)
        used_q, used_e = set(), set()
        chosen = _assign(single_cands + more, used_q, used_e)
    chosen = _to_empty_part(chosen, e_tokens, len(rendering.surname), used_e)
    matches = [
        TokenMatch(
            tuple(q_tokens[qs:qe]),
            tuple(e_tokens[j] for j in ej),
            spelling,
            sim,
            rel,
            q_parts[qs],
            e_parts[ej[0]],
        )
        for sim, _, _, qs, qe, ej, rel, spelling in chosen
    ]
    total = sum(c[0] * (c[4] - c[3]) for c in chosen)
    # A lone letter in a surname whose other names matched is a particle's remnant or a
    # conjunction (E-MAHMOUD, the L of EL lost; GARCIA Y LOPEZ), not a name of its own.
    n_qsur = len(q_surname)
    stray = {
        i for i in range(n_qsur)
        if len(q_tokens[i]) == 1 and i not in used_q and any(k in used_q for k in range(n_qsur))
    }  # fmt: skip
    unmatched_q = tuple(t for i, t in enumerate(q_tokens) if i not in used_q and i not in stray)
    unmatched_e = tuple(t for i, t in enumerate(e_tokens) if i not in used_e and t.spellings)
    if not matches:
        return NameMatch(0.0, (), unmatched_q, unmatched_e, False, rendering)
    mean = total / len(used_q)
    conflicts = min(len(unmatched_q), len(unmatched_e))
    extras_q, extras_e = len(unmatched_q) - conflicts, len(unmatched_e) - conflicts
    # A whole part of the entry's name (all its given names, or its surname) unmatched is a
    # missing name, not a dropped middle name.
    # Compared by position: a family name and a father's name may be the same token.
    n_sur = len(rendering.surname)
    for lo, hi in ((0, n_sur), (n_sur, ne)):
        part = [j for j in range(lo, hi) if e_tokens[j].spellings]
        if part and extras_e and all(j not in used_e for j in part):
            conflicts, extras_e = conflicts + 1, extras_e - 1
    # Likewise on the traveller's side: a passport never leaves out the surname, and a list
    # that holds given names (even ones it cannot read: 関 + unreadable kanji) does not leave
    # out all of them. DENG LIJU is not 李举 because LIJU is; SEKI YUUTO is not every 関.
    for lo, hi, entry_has in ((0, n_qsur, ne > 0), (n_qsur, nq, bool(rendering.given))):
        if hi > lo and entry_has and extras_q and all(i not in used_q for i in range(lo, hi)):
            conflicts, extras_q = conflicts + 1, extras_q - 1
    # Korean, Chinese and Japanese names have no middle names: a name the traveller has beyond
    # one of these is another person's (MIN DOK, 민덕, is not 조민's MIN with DOK added).
    if rendering.script in NO_MIDDLE_NAMES:
        conflicts, extras_q = conflicts + extras_q, 0
    # A passport's first given name is the person's own: a list leaves out fathers' names and
    # middle names, not that one (SMITH / ISLA RICHARD is not SMITH, RICHARD with ISLA added),
    # unless it is a devotional first name (MUHAMMAD NAWAZ, known as NAWAZ).
    own = n_qsur
    if (
        extras_q and own < nq and own not in used_q and not may_go_unsaid(q_tokens[own])
        and any(i in used_q for i in range(own, nq))
    ):  # fmt: skip
        conflicts, extras_q = conflicts + 1, extras_q - 1
    crossed = sum(m.query_part != m.entry_part for m in matches)
    swapped = crossed > 0 and crossed >= len(matches) / 2
    score = mean - CONFLICT_PENALTY * conflicts
    score -= EXTRA_PENALTY * min(extras_q, 3) + ENTRY_EXTRA_PENALTY * min(extras_e, 3)
    # Swapped surname and given names are said in the explanation, not penalised: passports
    # and lists disagree on the order often enough (weights: docs/screening.md).
    return NameMatch(
        round(max(score, 0.0), 3), tuple(matches), unmatched_q, unmatched_e, swapped, rendering
    )


def describe(match: NameMatch) -> list[str]:
    """Phrases a person can read: 'surname OHNO ≈ 大野 (reading オオノ)'."""
    out = []
    for m in sorted(match.matches, key=lambda m: (m.query_part != "surname", m.query)):
        q = " ".join(m.query)
        source = " ".join(t.source for t in m.entry)
        notes = "; ".join(dict.fromkeys(t.note for t in m.entry if t.note))
        latin_source = all(t.source in t.spellings for t in m.entry)
        rel = m.relation if latin_source else ("≈" if m.similarity < 1.0 or notes else "=")
        if m.relation in ("truncated", "initial"):
            phrase = f"{m.query_part} {q} = {source} ({m.relation})"
        elif rel == "~":
            phrase = f"{m.query_part} {q} ~ {source} (spelling differs)"
        else:
            phrase = f"{m.query_part} {q} {rel} {source}"
        if notes and not latin_source:
            shown = f" → {m.entry_spelling}" if m.entry_spelling != "".join(m.query) else ""
            phrase += f" ({notes}{shown})"
        out.append(phrase)
    if match.swapped:
        out.append("surname and given names swapped")
    for t in match.unmatched_query:
        out.append(f"traveller's name {t} not in entry")
    for tok in match.unmatched_entry:
        out.append(f"entry's name {tok.source} not in traveller's")
    return out
