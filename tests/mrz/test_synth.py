"""The synthetic document generator: valid MRZs, reproducible images, the promised ranges."""

from __future__ import annotations

import numpy as np
import pytest

from edge.mrz import synth
from edge.mrz.parse import check_mrz


@pytest.mark.parametrize("fmt", synth.FORMATS)
def test_random_mrz_is_valid_and_of_its_format(fmt: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        lines = synth.random_mrz(fmt, rng)
        result = check_mrz(lines)
        assert result.valid, (lines, [f.message for f in result.failures])
        assert result.format == fmt


def test_td1_sometimes_has_a_long_document_number() -> None:
    rng = np.random.default_rng(3)
    longs = [check_mrz(synth.random_mrz("TD1", rng)).long_document_number for _ in range(80)]
    assert any(longs) and not all(longs)


def test_same_seed_same_image_and_truth() -> None:
    a = synth.make_sample(np.random.default_rng(11), "TD3", width=640)
    b = synth.make_sample(np.random.default_rng(11), "TD3", width=640)
    assert a.lines == b.lines
    assert np.array_equal(a.image, b.image)
    c = synth.make_sample(np.random.default_rng(12), "TD3", width=640)
    assert c.lines != a.lines


def test_sample_ranges() -> None:
    rng = np.random.default_rng(5)
    for width, angle, flip in ((500, -10.0, True), (2000, 10.0, False)):
        s = synth.make_sample(rng, "TD1", width=width, angle=angle, upside_down=flip)
        assert s.image.shape[1] == width and s.image.dtype == np.uint8 and s.image.ndim == 3
        assert s.angle == angle and s.upside_down is flip
        assert len(s.lines) == 3 and s.mrz.count("\n") == 2
        # Characters large enough to read: at least ~6 pixels per character.
        assert s.pitch_px > 6


def test_page_without_mrz() -> None:
    s = synth.make_sample(np.random.default_rng(2), "TD2", with_mrz=False)
    assert s.lines == [] and s.mrz == ""
    assert s.image.std() > 10  # still a document: background, photo, printed fields


def test_make_set_cycles_formats() -> None:
    samples = synth.make_set(5, seed=4, level=0.0)
    assert [s.format for s in samples] == list(synth.FORMATS)
    assert all(s.params["blur"] == 0 and s.params["noise"] == 0 for s in samples)
