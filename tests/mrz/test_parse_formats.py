"""The layout data the OCR relies on: fields tile every line, classes and check positions agree."""

from __future__ import annotations

import pytest

from edge.mrz import CHAR_VALUES, FORMATS, charclass_at, detect_format
from edge.mrz.formats import CHARCLASS_CHARS, allowed_chars, get_format


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_fields_tile_every_position_exactly_once(fmt: str) -> None:
    layout = FORMATS[fmt]
    for line in range(layout.line_count):
        covered = sorted(
            col for f in layout.fields if f.line == line for col in range(f.start, f.end)
        )
        assert covered == list(range(layout.line_length)), (fmt, line)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_check_positions_are_check_fields(fmt: str) -> None:
    layout = FORMATS[fmt]
    for spec in layout.checks:
        assert charclass_at(fmt, spec.line, spec.col) == "check"
        for line, start, end in spec.spans:
            assert 0 <= start < end <= layout.line_length and line < layout.line_count
    assert layout.has_composite == (fmt in ("TD1", "TD2", "TD3"))


def test_charclass_at_known_positions() -> None:
    assert charclass_at("TD3", 0, 0) == "alpha"
    assert charclass_at("TD3", 0, 10) == "name"
    assert charclass_at("TD3", 1, 0) == "alnum"
    assert charclass_at("TD3", 1, 9) == "check"
    assert charclass_at("TD3", 1, 15) == "numeric"
    assert charclass_at("TD3", 1, 20) == "sex"
    assert charclass_at("TD1", 1, 7) == "sex"
    assert charclass_at("TD1", 2, 29) == "name"
    assert charclass_at("MRV-B", 1, 35) == "alnum"
    assert allowed_chars("TD3", 1, 20) == "MFX<"
    assert set(CHARCLASS_CHARS["numeric"]) == set("0123456789<")
    with pytest.raises(IndexError):
        charclass_at("TD3", 2, 0)
    with pytest.raises(KeyError):
        get_format("TD4")


def test_char_values() -> None:
    assert CHAR_VALUES["<"] == 0 and CHAR_VALUES["7"] == 7
    assert CHAR_VALUES["A"] == 10 and CHAR_VALUES["Z"] == 35
    assert len(CHAR_VALUES) == 37


@pytest.mark.parametrize(
    "lines",
    [[], ["A" * 44], ["A" * 44, "A" * 36], ["A" * 30] * 4, ["A" * 44] * 3, ["A" * 40] * 2],
)
def test_detect_format_refuses_other_shapes(lines: list[str]) -> None:
    assert detect_format(lines) is None


def test_detect_format_visa_by_first_letter() -> None:
    assert detect_format(["V" * 44, "1" * 44]) == "MRV-A"
    assert detect_format(["P" * 44, "1" * 44]) == "TD3"
    assert detect_format(["V" * 36, "1" * 36]) == "MRV-B"
    assert detect_format(["I" * 36, "1" * 36]) == "TD2"
    assert detect_format(["I" * 30] * 3) == "TD1"
