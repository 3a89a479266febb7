"""Read the MRZ of a document image: locate, segment, recognise, correct, validate.

`read_mrz(image)` returns an `MrzReading`. When no MRZ can be read, `mrz` is None and
`reason` says why. A reading whose check digits fail, or whose weakest character is
uncertain, carries a low `confidence`; callers should treat confidence below
`CONFIDENT` as "ask the inspector to rescan or type it in".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cv2
import numpy as np

from edge.mrz.ocr.correct import Decoded, decode
from edge.mrz.ocr.locate import Band, find_bands
from edge.mrz.ocr.recognise import Recogniser, default_recogniser
from edge.mrz.ocr.segment import Canvas, LineInk, analyse_line, cut_band, estimate_length, rectify
from edge.mrz.parse import MrzError, check_mrz

logger = logging.getLogger(__name__)

# Readings at or above this confidence are meant to be accepted without a second look.
CONFIDENT = 0.9
# An invalid reading (a check digit or field value fails) never reports more than this.
INVALID_CAP = 0.3
MAX_BANDS = 3
# Below this confidence, with two or more failures, an invalid reading is reported as none.
UNREADABLE = 0.05


@dataclass
class MrzReading:
    """The result of reading one image."""

    mrz: str | None
    reason: str | None = None
    confidence: float = 0.0
    char_confidence: list[list[float]] = field(default_factory=list)
    format: str | None = None
    valid: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mrz": self.mrz,
            "valid": self.valid,
            "format": self.format,
            "fields": self.fields,
            "confidence": round(self.confidence, 4),
        }
        if self.mrz is None:
            out["reason"] = self.reason
        return out


@dataclass
class _Attempt:
    decoded: Decoded
    score: float  # mean log-probability of the recogniser's top choices


def _line_lengths(band: Band) -> tuple[int, ...]:
    return (30,) if len(band.lines) == 3 else (44, 36)


def _score(probs: np.ndarray) -> float:
    """Mean log-probability of the recogniser's top choices (0 is certain)."""
    return float(np.mean(np.log(probs.max(1) + 1e-9)))


# An upright reading this sure, with every check digit passing, needs no upside-down try.
SURE_SCORE = -0.1


def _analysed(view: Canvas) -> list[LineInk] | None:
    lines = [analyse_line(view, i) for i in range(len(view.line_rows))]
    return lines if all(ln is not None for ln in lines) else None


def _recognised(
    lines: list[LineInk], n: int, rec: Recogniser, thorough: bool
) -> tuple[float, list[np.ndarray]]:
    cells = cut_band(lines, n)
    probs = rec.probabilities(np.concatenate([c.patches for c in cells]), thorough)
    return _score(probs), np.split(probs, len(cells))


def _attempts(gray: np.ndarray, band: Band, rec: Recogniser, thorough: bool) -> list[_Attempt]:
    """Readings of one band: both orientations are recognised, the likelier one decoded."""
    canvas = rectify(gray, band)
    upright = _analysed(canvas)
    flipped: list[LineInk] | None = None
    flipped_done = False
    choices = _line_lengths(band)
    first_lines = upright
    if first_lines is None:
        flipped, flipped_done = _analysed(canvas.rotated()), True
        first_lines = flipped
        if first_lines is None:
            return []
    first = estimate_length(first_lines[0], choices)
    out = []
    for n in sorted(choices, key=lambda c: c != first):
        options = []
        if upright is not None:
            options.append(_recognised(upright, n, rec, thorough))
            decoded = decode(options[0][1])
            if decoded is not None and decoded.checks_failed == 0 and options[0][0] > SURE_SCORE:
                out.append(_Attempt(decoded, options[0][0]))
                break  # the usual upright case: no need to look at it upside-down
        if not flipped_done:
            flipped, flipped_done = _analysed(canvas.rotated()), True
        if flipped is not None:
            options.append(_recognised(flipped, n, rec, thorough))
        if not options:
            continue
        score, per_line = max(options, key=lambda o: o[0])
        decoded = decode(per_line)
        if decoded is None:
            continue
        out.append(_Attempt(decoded, score))
        if decoded.checks_failed == 0 and score > -0.3:
            break  # the usual case: no need to try the other line length
    return out


def _reading(attempt: _Attempt, today: date | None) -> MrzReading:
    d = attempt.decoded
    weakest = min(min(row) for row in d.char_confidence)
    try:
        result = check_mrz(d.lines, today=today)
    except MrzError as exc:  # not shaped like an MRZ: cannot happen for decoded lines
        return MrzReading(None, reason=f"recognised text is not an MRZ: {exc}")
    confidence = weakest if result.valid else min(weakest, INVALID_CAP)
    return MrzReading(
        mrz="\n".join(d.lines),
        confidence=float(confidence),
        char_confidence=d.char_confidence,
        format=d.format,
        valid=result.valid,
        fields=result.fields(),
        errors=[f.to_dict() for f in result.failures],
    )


def to_gray(image: np.ndarray) -> np.ndarray:
    """An 8-bit grayscale view of a BGR, BGRA or gray image."""
    if image.ndim == 2:
        gray = image
    elif image.shape[2] == 4:
        gray = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    else:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if gray.dtype != np.uint8:
        gray = cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return gray


def _best_reading(
    gray: np.ndarray, bands: list[Band], rec: Recogniser, today: date | None, thorough: bool
) -> MrzReading | None:
    """The best reading over the bands (valid first, then confidence); stops at a sure one."""
    best: MrzReading | None = None
    for band in bands[:MAX_BANDS]:
        for attempt in _attempts(gray, band, rec, thorough):
            reading = _reading(attempt, today)
            if best is None or (reading.valid, reading.confidence) > (best.valid, best.confidence):
                best = reading
            if best.valid and best.confidence >= CONFIDENT:
                return best
    return best


def read_mrz(
    image: np.ndarray, *, recogniser: Recogniser | None = None, today: date | None = None
) -> MrzReading:
    """Read the MRZ in a camera frame or scan (BGR or grayscale numpy array)."""
    if image is None or image.size == 0 or min(image.shape[:2]) < 32:
        return MrzReading(None, reason="the image is empty or too small")
    rec = recogniser or default_recogniser()
    gray = to_gray(image)
    bands = find_bands(gray)
    if not bands:
        return MrzReading(None, reason="no MRZ found: no group of 2-3 long parallel text lines")
    best = _best_reading(gray, bands, rec, today, thorough=False)
    if best is None or not (best.valid and best.confidence >= CONFIDENT):
        # Not sure: ask every network (slower, better), and keep that unless it loses validity.
        second = _best_reading(gray, bands, rec, today, thorough=True)
        if second is not None and (second.valid or best is None or not best.valid):
            best = second
    if best is None:
        return MrzReading(None, reason="MRZ-like lines found but their characters could not be cut")
    if not best.valid and best.confidence < UNREADABLE and len(best.errors) >= 2:
        # Text shaped like an MRZ but mostly unrecognisable: not a reading worth showing.
        failed = ", ".join(e["field"] for e in best.errors[:4])
        return MrzReading(None, reason=f"MRZ-like lines found but unreadable (failing: {failed})")
    return best
