"""Find the MRZ band in a frame: groups of 2 or 3 long, parallel, evenly spaced text lines.

The frame is reduced to at most WORK_WIDTH pixels, dark ink is separated from its local
background (so uneven light does not matter), and a short horizontal closing joins the
characters of each line into one long thin blob. MRZ lines have no spaces (fillers '<' are
ink), so each MRZ line becomes a single blob whose principal axis, ends and thickness give
its geometry, whatever the rotation (up to about +-20 degrees; 180 degrees looks the same
here and is resolved by the recogniser). Line ends are returned in full-frame coordinates.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import cv2
import numpy as np

logger = logging.getLogger(__name__)

WORK_WIDTH = 800
MAX_ANGLE_DEG = 20.0


@dataclass(frozen=True)
class TextLine:
    """One long text line: its two ends (left, right) and thickness, in full-frame pixels."""

    start: tuple[float, float]
    end: tuple[float, float]
    thickness: float

    @property
    def length(self) -> float:
        return float(np.hypot(self.end[0] - self.start[0], self.end[1] - self.start[1]))

    @property
    def center(self) -> np.ndarray:
        return (np.asarray(self.start) + np.asarray(self.end)) / 2

    @property
    def direction(self) -> np.ndarray:
        d = np.asarray(self.end) - np.asarray(self.start)
        return d / max(np.hypot(*d), 1e-9)


@dataclass(frozen=True)
class Band:
    """A candidate MRZ: 2 or 3 text lines, top to bottom in the frame, and a ranking score."""

    lines: tuple[TextLine, ...]
    score: float


def _ink_mask(small: np.ndarray, relative: float = 0.3) -> np.ndarray:
    """Thin dark strokes (uint8 0/255): a black-hat keeps dark marks smaller than its kernel.

    Large dark areas (the desk around the document, a photo) are not marks and drop out, and
    the closing that the black-hat subtracts from is the local paper brightness, so the
    margin follows the light.
    """
    w = small.shape[1]
    k = max(7, (w // 80) | 1)
    smooth = cv2.GaussianBlur(small, (3, 3), 0.8)
    closed = cv2.morphologyEx(
        smooth, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    hat = cv2.subtract(closed, smooth)
    # Printed text is the strongest mark on a page; background prints are fainter.
    hist = cv2.calcHist([hat], [0], None, [256], [0, 256]).ravel()
    top = int(np.searchsorted(np.cumsum(hist), 0.995 * hist.sum()))
    margin = np.maximum(closed >> 3, max(12, int(relative * top))).astype(np.uint8)
    return np.where(hat > margin, 255, 0).astype(np.uint8)


def _blob_line(contour: np.ndarray) -> tuple | None:
    """Principal axis of a filled contour: (start, end, thickness, spread) or None."""
    m = cv2.moments(contour)
    area = m["m00"]
    if area <= 0:
        return None
    cx, cy = m["m10"] / area, m["m01"] / area
    mu20, mu02, mu11 = m["mu20"] / area, m["mu02"] / area, m["mu11"] / area
    theta = 0.5 * np.arctan2(2 * mu11, mu20 - mu02)
    axis = np.array([np.cos(theta), np.sin(theta)])
    minor_var = 0.5 * (mu20 + mu02) - np.hypot(0.5 * (mu20 - mu02), mu11)
    along = (contour.reshape(-1, 2) - [cx, cy]) @ axis
    lo, hi = float(along.min()), float(along.max())
    length = max(hi - lo, 1.0)
    thickness = area / length
    centre = np.array([cx, cy])
    # For a straight band the spread across the axis is thickness/sqrt(12) = 0.29 thickness.
    spread = float(np.sqrt(max(minor_var, 0.0)) / max(thickness, 1e-6))
    return centre + lo * axis, centre + hi * axis, float(thickness), spread


def _points_line(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Ends and mean thickness of the band of pixels `pts` (x, y) along its principal axis."""
    mean = pts.mean(0)
    centred = pts - mean
    _, evecs = np.linalg.eigh(centred.T @ centred)
    axis = evecs[:, 1] if evecs[0, 1] >= 0 else -evecs[:, 1]
    along = centred @ axis
    lo, hi = np.percentile(along, [0.2, 99.8])
    length = max(float(hi - lo), 1.0)
    return mean + lo * axis, mean + hi * axis, len(pts) / length


def _split_merged(
    closed: np.ndarray, contour: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[tuple]:
    """Split a blob of 2-3 text lines that touch (tight line spacing, blur) into its lines."""
    x, y, w, h = cv2.boundingRect(contour)
    mask = np.zeros((h, w), np.uint8)
    cv2.drawContours(mask, [contour - [x, y]], 0, 1, thickness=-1)
    mask &= closed[y : y + h, x : x + w] > 0  # the blob's own pixels, holes stay empty
    ys, xs = np.nonzero(mask)
    pts = np.column_stack([xs + x, ys + y]).astype(np.float64)
    d = (end - start) / max(float(np.hypot(*(end - start))), 1e-9)
    across = (pts - start) @ np.array([-d[1], d[0]])
    base = np.floor(across.min())
    hist = np.bincount((across - base).astype(int)).astype(np.float64)
    smooth = np.convolve(hist, np.ones(3) / 3, mode="same")
    peak = smooth.max()
    # Valleys: rows across the band with little ink, between rows with plenty.
    low = smooth < 0.3 * peak
    cuts = []
    i = 0
    while i < len(low):
        if low[i]:
            j = i
            while j + 1 < len(low) and low[j + 1]:
                j += 1
            if (
                smooth[:i].max(initial=0) > 0.6 * peak
                and smooth[j + 1 :].max(initial=0) > 0.6 * peak
            ):
                cuts.append(base + (i + j + 1) / 2)
            i = j + 1
        else:
            i += 1
    if not cuts:
        return []
    edges = [-np.inf, *cuts, np.inf]
    parts = []
    for a, b in itertools.pairwise(edges):
        sel = (across >= a) & (across < b)
        if sel.sum() > 0.15 * len(pts):
            parts.append(_points_line(pts[sel]))
    return parts if len(parts) >= 2 else []


def _lines_at_scale(ink: np.ndarray, kw: int, min_len: float) -> list[tuple]:
    closed = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, 1))
    )
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        _, _, w, h = cv2.boundingRect(contour)
        if w < min_len or h > 0.5 * w:
            continue
        geo = _blob_line(contour)
        if geo is None:
            continue
        start, end, thick, spread = geo
        if start[0] > end[0]:
            start, end = end, start
        length = float(np.hypot(*(end - start)))
        if length < min_len or thick * length < min_len * 3:
            continue
        if length / max(thick, 1) < 30:
            parts = _split_merged(closed, contour, start, end)
            if parts:
                found.extend(p for p in parts if _plausible(*p, min_len))
                continue
        if spread > 0.42:
            continue
        if _plausible(start, end, thick, min_len):
            found.append((start, end, thick))
    return found


def _plausible(start: np.ndarray, end: np.ndarray, thick: float, min_len: float) -> bool:
    """Long, thin and near-horizontal enough to be an MRZ line."""
    if start[0] > end[0]:
        start, end = end, start
    length = float(np.hypot(*(end - start)))
    angle = np.degrees(np.arctan2(end[1] - start[1], end[0] - start[0]))
    return length >= min_len and thick >= 3 and length / thick >= 12 and abs(angle) <= MAX_ANGLE_DEG


def _reduce(gray: np.ndarray, f: float) -> np.ndarray:
    """`gray` scaled by f <= 1, quickly (pyramid halvings, then one linear resize)."""
    img = gray
    while f <= 0.5:
        img = cv2.pyrDown(img)
        f *= 2
    if f < 0.999:
        img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_LINEAR)
    return img


def _same_line(centre: np.ndarray, line: TextLine, f: float, thick: float) -> bool:
    offset = centre - line.center * f
    d = line.direction
    across = abs(float(offset @ np.array([-d[1], d[0]])))
    along = abs(float(offset @ d))
    return across < 0.6 * thick and along < 0.3 * line.length * f


def find_text_lines(gray: np.ndarray, relative: float = 0.3) -> list[TextLine]:
    """Long straight text lines in a grayscale frame (full-frame coordinates)."""
    w = gray.shape[1]
    f = min(1.0, WORK_WIDTH / w)
    small = _reduce(gray, f)
    ink = _ink_mask(small, relative)
    sw = small.shape[1]
    min_len = 0.2 * sw
    raw: list[tuple] = []
    for kw in (max(5, sw // 100), max(9, sw // 60), max(13, sw // 36)):
        raw.extend(_lines_at_scale(ink, kw, min_len))
    lines: list[TextLine] = []
    for start, end, thick in sorted(raw, key=lambda r: -np.hypot(*(r[1] - r[0]))):
        centre = (start + end) / 2
        if any(_same_line(centre, ln, f, thick) for ln in lines):
            continue  # the same line found at another scale
        lines.append(TextLine(tuple(start / f), tuple(end / f), thick / f))
    return lines


def _compatible(a: TextLine, b: TextLine) -> bool:
    """Whether `b` could be the MRZ line just below `a`."""
    if abs(a.length - b.length) > 0.15 * max(a.length, b.length):
        return False
    if float(a.direction @ b.direction) < np.cos(np.radians(4)):
        return False
    t = (a.thickness + b.thickness) / 2
    # A line that is mostly fillers is thinner: '<' is shorter than the capitals.
    if abs(a.thickness - b.thickness) > 0.5 * t:
        return False
    normal = np.array([-a.direction[1], a.direction[0]])
    gap = float((b.center - a.center) @ normal)
    if not 1.05 * t < gap < 3.2 * t:
        return False
    shift = float((np.asarray(b.start) - np.asarray(a.start)) @ a.direction)
    return abs(shift) < 2.0 * t


def find_bands(gray: np.ndarray) -> list[Band]:
    """Candidate MRZ bands, best first; faint prints get a second, more sensitive look."""
    return _find_bands(gray, 0.3) or _find_bands(gray, 0.12)


def _find_bands(gray: np.ndarray, relative: float) -> list[Band]:
    """Candidate MRZ bands, best first."""
    lines = find_text_lines(gray, relative)
    # Sort top to bottom along the mean normal (lines are near-horizontal, so by y).
    lines.sort(key=lambda ln: ln.center[1])
    bands: list[Band] = []
    for i, first in enumerate(lines):
        chain = [first]
        for cand in lines[i + 1 :]:
            if _compatible(chain[-1], cand):
                chain.append(cand)
                if len(chain) == 3:
                    break
        if len(chain) < 2:
            continue
        regular = 1.0
        if len(chain) == 3:
            g1 = np.hypot(*(chain[1].center - chain[0].center))
            g2 = np.hypot(*(chain[2].center - chain[1].center))
            regular = 1.0 if abs(g1 - g2) < 0.2 * max(g1, g2) else 0.0
            if not regular:
                chain = chain[:2]
        length = float(np.mean([ln.length for ln in chain]))
        score = length * (1.0 + 0.2 * (len(chain) - 2)) + 0.01 * float(chain[-1].center[1])
        bands.append(Band(tuple(chain), score))
    bands.sort(key=lambda b: -b.score)
    # Drop bands that are a sub-chain of a better one.
    kept: list[Band] = []
    for band in bands:
        ids = {id(ln) for ln in band.lines}
        if any(ids <= {id(ln) for ln in k.lines} for k in kept):
            continue
        kept.append(band)
    logger.debug("%d text lines, %d candidate bands", len(lines), len(kept))
    return kept
