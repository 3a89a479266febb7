"""Turn per-cell class probabilities into MRZ text using the grammar of each format.

Each position may only hold the characters its field allows (digits in dates and check
digits, letters in names and codes, `formats.charclass_at`), which settles most 0/O, 1/I, 8/B,
5/S and 2/Z confusions outright. Where a check digit still fails, the cheapest one or two
substitutions (by recogniser probability) that make it pass are applied; letters after the
end of a name become fillers. Each character gets a confidence: its probability among the
allowed characters, raised when a passing check digit protects it, and capped when a rival
reading would pass the same checks. Pure logic, no I/O.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from edge.mrz.checkdigit import check_digit
from edge.mrz.countries import ICAO_CODES
from edge.mrz.formats import CHARCLASS_CHARS, FORMATS, MrzFormat, charclass_at
from edge.mrz.ocr.recognise import ALPHABET

logger = logging.getLogger(__name__)

# First letter of the document code per format (Doc 9303 Parts 4-7).
_DOC_CODE_FIRST = {"TD1": "ACI", "TD2": "ACI", "TD3": "P", "MRV-A": "V", "MRV-B": "V"}
# A substitution this much less likely than the recogniser's choice is not considered.
MAX_SUBSTITUTION_COST = 4.6
# A passing check digit misses a random single error about one time in ten.
CHECK_MISS_RATE = 0.1


@dataclass
class Decoded:
    """The text chosen for each line, a confidence per character, and what was corrected."""

    format: str
    lines: list[str]
    char_confidence: list[list[float]]
    checks_passed: int
    checks_failed: int
    corrections: int


@lru_cache(maxsize=16)
def allowed_masks(fmt_name: str) -> tuple[np.ndarray, ...]:
    """Per line, an (N, len(ALPHABET)) table of the characters each position allows."""
    fmt = FORMATS[fmt_name]
    masks = []
    for line in range(fmt.line_count):
        m = np.zeros((fmt.line_length, len(ALPHABET)), bool)
        for col in range(fmt.line_length):
            chars = CHARCLASS_CHARS[charclass_at(fmt, line, col)]
            if line == 0 and col == 0:
                chars = _DOC_CODE_FIRST[fmt.name]
            m[col] = [c in chars for c in ALPHABET]
        masks.append(m)
    return tuple(masks)


def _restricted(fmt: MrzFormat, probs: list[np.ndarray]) -> list[np.ndarray]:
    """Probabilities renormalised over the characters each position allows."""
    out = []
    for p, mask in zip(probs, allowed_masks(fmt.name), strict=True):
        masked = np.where(mask, p, 0.0) + 1e-12
        out.append(masked / masked.sum(1, keepdims=True))
    return out


def guess_format(probs: list[np.ndarray]) -> str | None:
    """The format from the line shape and the first character's likelihoods."""
    shape = (len(probs), len(probs[0]))
    first = probs[0][0]
    visa = first[ALPHABET.index("V")]
    if shape == (3, 30):
        return "TD1"
    if shape == (2, 44):
        return "MRV-A" if visa > first[ALPHABET.index("P")] else "TD3"
    if shape == (2, 36):
        other = max(first[ALPHABET.index(c)] for c in "ACI")
        return "MRV-B" if visa > other else "TD2"
    return None


@dataclass(frozen=True)
class _Check:
    """A check digit at `digit` over the characters at `covered` (line, col) positions."""

    field: str
    covered: tuple[tuple[int, int], ...]
    digit: tuple[int, int]


# Where a TD1/TD2 document number overflows: its '<' check position and the optional data.
_OVERFLOW = {"TD1": ((0, 14), 0, 15, 30), "TD2": ((1, 9), 1, 28, 35)}


def _checks(fmt: MrzFormat, chars: list[list[str]]) -> list[_Check]:
    """The check digits of `fmt` (field checks first, composite last) for the text `chars`.

    A TD1/TD2 document number over 9 characters puts '<' in its check digit position and
    goes on in the optional data up to the first '<'; the last character there is its
    check digit (Doc 9303 Parts 5-6).
    """
    out = []
    for spec in sorted(fmt.checks, key=lambda s: s.field == "composite"):
        covered = tuple((ln, c) for ln, a, b in spec.spans for c in range(a, b))
        digit = (spec.line, spec.col)
        if spec.field == "document_number" and fmt.name in _OVERFLOW:
            pos, line, start, end = _OVERFLOW[fmt.name]
            run = 0
            while start + run < end and chars[line][start + run] != "<":
                run += 1
            if chars[pos[0]][pos[1]] == "<" and run >= 1:
                ext = tuple((line, c) for c in range(start, start + run))
                covered, digit = covered + ext[:-1], ext[-1]
        out.append(_Check(spec.field, covered, digit))
    return out


def _passes(check: _Check, chars: list[list[str]]) -> bool:
    digit = chars[check.digit[0]][check.digit[1]]
    covered = "".join(chars[ln][c] for ln, c in check.covered)
    if digit == "<":
        # An empty field may carry '<' as its check digit.
        return set(covered) == {"<"}
    return digit.isdigit() and check_digit(covered) == digit


def _dates_plausible(check: _Check, chars: list[list[str]]) -> bool:
    """A repaired date must still be a date: YYMMDD with month 01-12, day 01-31 (or fillers)."""
    if check.field not in ("birth_date", "expiry_date"):
        return True
    text = "".join(chars[ln][c] for ln, c in check.covered)
    if not text.isdigit():
        return set(text) <= set("<0123456789")
    return 1 <= int(text[2:4]) <= 12 and 1 <= int(text[4:6]) <= 31


def _repair(check: _Check, chars, q, frozen) -> list[tuple[int, int, str]]:
    """Apply the cheapest 1-2 substitutions making `check` pass; the changes (old chars)."""
    options = []  # (cost, line, col, char)
    for ln, col in [*check.covered, check.digit]:
        if (ln, col) in frozen:
            continue
        p = q[ln][col]
        best = p.max()
        for k in np.argsort(p)[::-1][1:4]:
            cost = float(np.log(best) - np.log(p[k]))
            if cost < MAX_SUBSTITUTION_COST:
                options.append((cost, ln, col, ALPHABET[k]))
    options.sort()
    trials = [(o[0], (o,)) for o in options]
    top = options[:14]
    trials += [(a[0] + b[0], (a, b)) for a, b in itertools.combinations(top, 2) if a[1:3] != b[1:3]]
    trials.sort(key=lambda t: t[0])
    for cost, changes in trials:
        if cost > MAX_SUBSTITUTION_COST:
            break
        saved = [(ln, col, chars[ln][col]) for _, ln, col, _ in changes]
        for _, ln, col, ch in changes:
            chars[ln][col] = ch
        if _passes(check, chars) and _dates_plausible(check, chars):
            return saved
        for ln, col, ch in saved:
            chars[ln][col] = ch
    return []


# (line, first column) of the issuing state and nationality fields per format.
_STATE_FIELDS = {
    "TD1": ((0, 2), (1, 15)),
    "TD2": ((0, 2), (1, 10)),
    "TD3": ((0, 2), (1, 10)),
    "MRV-A": ((0, 2), (1, 10)),
    "MRV-B": ((0, 2), (1, 10)),
}


@lru_cache(maxsize=1)
def _code_table() -> np.ndarray:
    """(K, 3) ALPHABET indices of every ICAO state and organisation code, '<'-padded."""
    codes = sorted(c.ljust(3, "<") for c in ICAO_CODES if len(c) <= 3)
    return np.array([[ALPHABET.index(ch) for ch in code] for code in codes])


def _choose_codes(fmt_name: str, chars: list[list[str]], q: list[np.ndarray]) -> dict:
    """Put the likeliest known ICAO code in each state field; return their confidences.

    A known code replaces the recogniser's own choice only when it is not much less likely
    (the same budget as a check-digit repair), so a misprinted code still shows as printed.
    """
    table = _code_table()
    conf = {}
    for line, start in _STATE_FIELDS[fmt_name]:
        logq = np.log(q[line][start : start + 3] + 1e-12)
        scores = logq[np.arange(3), table].sum(1)
        k = int(scores.argmax())
        if logq.max(1).sum() - scores[k] > MAX_SUBSTITUTION_COST:
            continue
        post = np.exp(scores - scores[k])
        p = float(1.0 / post.sum())
        for j in range(3):
            chars[line][start + j] = ALPHABET[table[k, j]]
            conf[(line, start + j)] = p
    return conf


def _name_tails(fmt: MrzFormat, chars: list[list[str]], q: list[np.ndarray]) -> dict:
    """Fillers after the end of a name; the positions changed and their first choices.

    Name components are joined by one '<', the two identifiers by two, so three fillers in
    a row end the name: a letter after them is a misread filler (often the last cell, cut
    by the edge of the document), unless the recogniser is too sure of it to overrule.
    """
    filler = ALPHABET.index("<")
    changed = {}
    for ln in range(fmt.line_count):
        run, ended = 0, False
        for col in range(fmt.line_length):
            if charclass_at(fmt, ln, col) != "name":
                run, ended = 0, False
                continue
            p = q[ln][col]
            cost = float(np.log(p.max()) - np.log(p[filler]))
            if ended and chars[ln][col] != "<" and cost < MAX_SUBSTITUTION_COST:
                changed[(ln, col)] = chars[ln][col]
                chars[ln][col] = "<"
            run = run + 1 if chars[ln][col] == "<" else 0
            ended = ended or run >= 3
    return changed


def _rival_caps(fmt: MrzFormat, chars: list[list[str]], q: list[np.ndarray]) -> dict:
    """Caps on the confidence of characters that a rival reading, as valid, would change.

    Check digits miss some errors: a pair like O and 0 in two positions of equal weight
    cancel out, and so does a single S for 8 (28 and 8 differ by 20). So a passing check
    vouches for a character only as far as no other reading that passes every check it
    touches is nearly as likely: the cheapest rival with one or two substitutions, at cost
    c (log-odds against the reading), caps what it changes at 1 / (1 + e^-c).
    """
    covering: dict[tuple[int, int], list[_Check]] = {}
    for check in _checks(fmt, chars):
        for pos in (*check.covered, check.digit):
            covering.setdefault(pos, []).append(check)
    options = []  # (cost, line, col, char)
    for ln, col in covering:
        p = q[ln][col]
        here = p[ALPHABET.index(chars[ln][col])]
        for k in np.argsort(p)[::-1][:4]:
            cost = float(np.log(here) - np.log(p[k]))
            if ALPHABET[k] != chars[ln][col] and cost < MAX_SUBSTITUTION_COST:
                options.append((cost, ln, col, ALPHABET[k]))
    options.sort()
    top = options[:16]
    trials = [(o[0], (o,)) for o in options]
    trials += [(a[0] + b[0], (a, b)) for a, b in itertools.combinations(top, 2) if a[1:3] != b[1:3]]
    caps: dict[tuple[int, int], float] = {}
    for cost, changes in sorted(trials, key=lambda t: t[0]):
        if cost > MAX_SUBSTITUTION_COST:
            break
        saved = [(ln, col, chars[ln][col]) for _, ln, col, _ in changes]
        for _, ln, col, ch in changes:
            chars[ln][col] = ch
        touched = {id(c): c for _, ln, col, _ in changes for c in covering[(ln, col)]}
        rival = all(_passes(c, chars) and _dates_plausible(c, chars) for c in touched.values())
        for ln, col, ch in saved:
            chars[ln][col] = ch
        if rival:
            for _, ln, col, _ in changes:
                caps[(ln, col)] = min(caps.get((ln, col), 1.0), 1.0 / (1.0 + np.exp(-cost)))
    return caps


def _confidences(q, chars, repaired, code_conf, good, caps) -> list[list[float]]:
    """Per character: its probability, raised by a passing check, capped by a rival."""
    conf: list[list[float]] = []
    for ln, qi in enumerate(q):
        row = []
        for col, ch in enumerate(chars[ln]):
            p = float(qi[col, ALPHABET.index(ch)])
            if (ln, col) in repaired:
                # A substituted character is only as sure as the recogniser's odds for it
                # against its first choice: the check digit passing is no extra evidence here.
                old = float(qi[col, ALPHABET.index(repaired[(ln, col)])])
                p = p / (p + old)
            elif (ln, col) in code_conf:
                p = code_conf[(ln, col)]
            elif (ln, col) in good:
                p = 1.0 - (1.0 - p) * CHECK_MISS_RATE
            row.append(round(min(p, caps.get((ln, col), 1.0)), 4))
        conf.append(row)
    return conf


def decode(probs: list[np.ndarray], fmt_name: str | None = None) -> Decoded | None:
    """Choose the MRZ text from per-line (N, len(ALPHABET)) probability arrays."""
    fmt_name = fmt_name or guess_format(probs)
    if fmt_name is None:
        return None
    fmt = FORMATS[fmt_name]
    q = _restricted(fmt, probs)
    chars = [[ALPHABET[k] for k in qi.argmax(1)] for qi in q]
    code_conf = _choose_codes(fmt_name, chars, q)
    corrections, passed, failed = 0, 0, 0
    good: set[tuple[int, int]] = set()
    # position -> the character first chosen
    repaired: dict[tuple[int, int], str] = _name_tails(fmt, chars, q)
    corrections += len(repaired)
    for i in range(len(fmt.checks)):
        check = _checks(fmt, chars)[i]  # recomputed: a repair may change an overflow's extent
        ok = _passes(check, chars)
        if not ok:
            # The composite may only change what no passing field check already vouches for.
            frozen = good if check.field == "composite" else set()
            changes = _repair(check, chars, q, frozen)
            corrections += len(changes)
            repaired.update({(ln, col): old for ln, col, old in changes})
            ok = bool(changes)
        if ok:
            passed += 1
            good.update(check.covered)
            good.add(check.digit)
        else:
            failed += 1

    caps = _rival_caps(fmt, chars, q)
    conf = _confidences(q, chars, repaired, code_conf, good, caps)
    return Decoded(fmt_name, ["".join(c) for c in chars], conf, passed, failed, corrections)
