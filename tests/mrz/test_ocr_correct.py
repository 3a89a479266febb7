"""Grammar and check-digit correction of recogniser output (pure logic, no images)."""

from __future__ import annotations

import numpy as np

from edge.mrz.build import build_td3
from edge.mrz.ocr.correct import decode, guess_format
from edge.mrz.ocr.recognise import ALPHABET

TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]


def confident(lines: list[str], p: float = 0.97) -> list[np.ndarray]:
    """Probabilities that put `p` on each true character, the rest spread evenly."""
    out = []
    for line in lines:
        probs = np.full((len(line), len(ALPHABET)), (1 - p) / (len(ALPHABET) - 1))
        for i, ch in enumerate(line):
            probs[i, ALPHABET.index(ch)] = p
        out.append(probs)
    return out


def confuse(
    probs: list[np.ndarray], line: int, col: int, wrong: str, right: str, p_wrong: float = 0.6
) -> None:
    """Make the recogniser prefer `wrong` over `right` at one position."""
    row = probs[line][col]
    row[:] = 0.001
    row[ALPHABET.index(wrong)] = p_wrong
    row[ALPHABET.index(right)] = 1 - p_wrong - 0.001 * (len(ALPHABET) - 2)


def test_clean_input_passes_through_with_high_confidence() -> None:
    d = decode(confident(TD3))
    assert d is not None and d.lines == TD3 and d.format == "TD3"
    assert d.checks_failed == 0 and d.corrections == 0
    assert len(d.char_confidence) == 2 and all(len(r) == 44 for r in d.char_confidence)
    assert min(min(r) for r in d.char_confidence) > 0.9


def test_letters_in_dates_become_digits_by_character_class() -> None:
    probs = confident(TD3)
    confuse(probs, 1, 23, "O", "0", 0.9)  # expiry 120415: its '0' read as the letter O
    confuse(probs, 1, 21, "I", "1", 0.8)
    confuse(probs, 1, 16, "B", "8", 0.8)  # birth 740812
    d = decode(probs)
    assert d.lines == TD3
    assert d.checks_failed == 0


def test_digit_in_a_name_becomes_letter() -> None:
    probs = confident(TD3)
    confuse(probs, 0, 7, "1", "I", 0.8)  # ERIKSSON: 'I' read as '1'
    confuse(probs, 0, 10, "5", "S", 0.8)
    d = decode(probs)
    assert d.lines[0] == TD3[0]


def test_check_digit_repairs_a_confusable_in_an_alphanumeric_field() -> None:
    probs = confident(TD3)
    # Document number L898902C3: '8' and 'B' are both allowed there; the check digit decides.
    confuse(probs, 1, 1, "B", "8", 0.6)
    d = decode(probs)
    assert d.lines == TD3
    assert d.corrections == 1 and d.checks_failed == 0
    # The repaired character is reported, but not as certain as a clean one.
    assert d.char_confidence[1][1] < d.char_confidence[1][2]


def test_unrepairable_check_digit_is_reported_failed() -> None:
    lines = [TD3[0], TD3[1][:9] + "7" + TD3[1][10:]]  # a wrong document number check digit
    d = decode(confident(lines, 0.999))
    assert d.lines == lines  # nothing plausible to change: the text stands as printed
    assert d.checks_failed >= 1


def test_td1_and_visa_formats() -> None:
    d = decode(confident(TD1))
    assert d.format == "TD1" and d.lines == TD1 and d.checks_failed == 0
    visa = [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    ]
    assert guess_format(confident(visa)) == "MRV-A"
    assert guess_format(confident([v[:36] for v in visa])) == "MRV-B"


def test_letter_after_the_end_of_a_name_is_a_filler() -> None:
    probs = confident(TD3)
    confuse(probs, 0, 43, "I", "<", 0.6)  # the last cell, half cut by the page edge
    confuse(probs, 0, 30, "E", "<", 0.5)
    d = decode(probs)
    assert d.lines == TD3
    assert d.char_confidence[0][43] < 0.9  # overruled, so not vouched for
    td1 = confident(TD1)
    confuse(td1, 2, 29, "K", "<", 0.7)
    assert decode(td1).lines == TD1


def test_name_letters_before_three_fillers_are_kept() -> None:
    # Single and double fillers inside a name do not end it.
    lines = [(TD3[0][:5] + "VAN<DER<BERG<<ANNA").ljust(44, "<"), TD3[1]]
    d = decode(confident(lines))
    assert d.lines == lines
    # A letter the recogniser is sure of stays, even after three fillers (a misprint shows).
    odd = [lines[0][:-1] + "X", TD3[1]]
    assert decode(confident(odd, 0.999)).lines == odd


def test_a_rival_reading_that_also_passes_the_checks_keeps_confidence_low() -> None:
    # O (24) and 0 swapped at two positions of equal weight leave every check digit passing.
    lines = build_td3(
        document_number="L898902C3", primary_identifier="ERIKSSON", secondary_identifier="ANNA",
        nationality="UTO", birth_date="740812", sex="F", expiry_date="320415",
        personal_number="AO12034B",
    )  # fmt: skip
    assert lines[1][29] == "O" and lines[1][32] == "0"
    probs = confident(lines)
    confuse(probs, 1, 29, "O", "0", 0.7)
    confuse(probs, 1, 32, "0", "O", 0.7)
    d = decode(probs)
    assert d.lines == lines and d.checks_failed == 0
    assert d.char_confidence[1][29] < 0.9 and d.char_confidence[1][32] < 0.9
    # A single S for 8 (28 and 8: a difference of 20) passes a check digit too.
    probs = confident(TD3)
    confuse(probs, 1, 1, "8", "S", 0.8)  # document number L898902C3
    d = decode(probs)
    assert d.lines == TD3 and d.char_confidence[1][1] < 0.9
    # Without a close rival, a passing check still vouches for an unsure character.
    probs = confident(TD3)
    confuse(probs, 1, 1, "8", "B", 0.8)  # B (11) for 8 would fail the check
    assert decode(probs).char_confidence[1][1] > 0.9
