"""Cut a located MRZ band into character cells.

The band's line ends define a homography to a flat, upright canvas where capitals are
CAP_HEIGHT pixels tall (this removes rotation and mild perspective). On that canvas each line
is normalised to an ink map (0 = paper, 1 = full ink), the glyphs' centres are fitted to an
evenly spaced grid of N cells (OCR-B in an MRZ is monospaced), and each cell is resampled to
a GLYPH_H x GLYPH_W patch for the recogniser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from edge.mrz.ocr.locate import Band

logger = logging.getLogger(__name__)

CAP_HEIGHT = 24
GLYPH_H, GLYPH_W = 20, 16
# Horizontal / vertical extent of a cell crop, in pitches / cap heights.
CELL_WIDTH = 1.2
CELL_HEIGHT = 1.45


@dataclass
class Canvas:
    """A band warped flat and upright: the image and each line's centre row."""

    image: np.ndarray  # float32 gray
    line_rows: list[float]
    line_start: float
    line_length: float

    def rotated(self) -> Canvas:
        """The same band turned 180 degrees (for upside-down documents)."""
        h, w = self.image.shape
        return Canvas(
            self.image[::-1, ::-1].copy(),
            [h - 1 - y for y in self.line_rows[::-1]],
            w - 1 - (self.line_start + self.line_length),
            self.line_length,
        )


@dataclass
class LineCells:
    """The N cell patches of one line and the fitted grid."""

    patches: np.ndarray  # (N, GLYPH_H, GLYPH_W) float32 ink
    pitch: float
    residual: float  # RMS distance of glyph centres from their cells, in pitches
    coverage: float  # share of cells holding a glyph-sized mark


def rectify(gray: np.ndarray, band: Band) -> Canvas:
    """Warp the band to a flat canvas with CAP_HEIGHT-pixel capitals."""
    first, last = band.lines[0], band.lines[-1]
    thick = float(np.mean([ln.thickness for ln in band.lines]))
    r = CAP_HEIGHT / max(thick, 1.0)
    normal = np.array([-first.direction[1], first.direction[0]])
    spacing = float((last.center - first.center) @ normal)
    length = float(np.mean([ln.length for ln in band.lines])) * r
    mx, my = 3.5 * CAP_HEIGHT, 1.6 * CAP_HEIGHT  # room for line ends the locator missed
    dc = spacing * r
    # An affine map (rotation and scale) from the first line; perspective along the lines is
    # left to the per-line fit, because a homography from such a thin quadrilateral would
    # magnify small errors at the line ends into a large false foreshortening.
    src = np.float32([first.start, first.end, np.asarray(first.start) + normal * spacing])
    dst = np.float32(
        [[mx, my], [mx + length * float(first.length * r / length), my], [mx, my + dc]]
    )
    size = (int(np.ceil(2 * mx + length)), int(np.ceil(2 * my + dc)))

    # Work from a pyramid level no more than about 1.6x finer than the canvas.
    # The source area the whole canvas comes from (so no border is replicated into it).
    inverse = cv2.invertAffineTransform(cv2.getAffineTransform(src, dst))
    corners = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    area = corners @ inverse[:, :2].T + inverse[:, 2]
    x0, y0 = (max(0, int(v) - 2) for v in area.min(0))
    x1 = min(gray.shape[1], int(area[:, 0].max()) + 3)
    y1 = min(gray.shape[0], int(area[:, 1].max()) + 3)
    roi = gray[y0:y1, x0:x1]
    shrink = 1.0
    while r < 0.6 and min(roi.shape) > 8:
        roi = cv2.pyrDown(roi)
        shrink, r = shrink * 2, r * 2

    def to_roi(pts: np.ndarray) -> np.ndarray:
        return ((np.asarray(pts, np.float32) - np.float32([x0, y0])) / shrink).astype(np.float32)

    m = cv2.getAffineTransform(to_roi(src), dst)
    canvas = cv2.warpAffine(
        roi, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).astype(np.float32)
    rows = [my]
    for mid in band.lines[1:]:
        rows.append(float(m[1, :2] @ to_roi(mid.center) + m[1, 2]))
    return Canvas(canvas, rows, mx, length)


def ink_map(strip: np.ndarray) -> np.ndarray:
    """Relative darkness against the local paper (0..1, strokes near 1)."""
    k = max(3, int(CAP_HEIGHT * 0.5) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    paper = cv2.blur(cv2.dilate(strip, kernel), (k, k))
    ink = (paper - strip) / np.maximum(paper, 8.0)
    flat = ink[::2, ::2].ravel()
    kth = int(0.98 * (len(flat) - 1))
    scale = float(np.partition(flat, kth)[kth])
    return np.clip(ink / max(scale * 0.85, 0.05), 0.0, 1.0)


def _text_rows(binary: np.ndarray, centre: int) -> tuple[int, int]:
    """The contiguous band of rows around `centre` where the line's ink lies."""
    prof = binary.mean(1)
    on = prof > 0.3 * prof.max() if prof.max() > 0 else np.zeros_like(prof, bool)
    top = bottom = min(max(centre, 0), len(prof) - 1)
    if not on[top]:
        near = np.flatnonzero(on)
        if len(near) == 0:
            return centre - CAP_HEIGHT // 2, centre + CAP_HEIGHT // 2
        top = bottom = int(near[np.argmin(np.abs(near - centre))])
    while top > 0 and on[top - 1]:
        top -= 1
    while bottom < len(prof) - 1 and on[bottom + 1]:
        bottom += 1
    return top, bottom


def _glyph_rows(stats: np.ndarray, top: int, bottom: int, centre: float) -> tuple[int, int]:
    """The text rows, re-measured from glyph-sized marks when the ink band is too tall.

    A dark block touching the line (the portrait's shoulders reach into the MRZ of some
    cards) makes the band of inked rows taller than the glyphs; the median top and bottom
    of glyph-sized marks near the line's centre are then the better measure.
    """
    y, w, hh = stats[:, 1], stats[:, 2], stats[:, 3]
    glyph = (hh >= 0.5 * CAP_HEIGHT) & (hh <= 1.6 * CAP_HEIGHT) & (w <= 1.5 * CAP_HEIGHT)
    glyph &= np.abs(y + hh / 2 - centre) < 0.6 * CAP_HEIGHT
    if glyph.sum() < 6:
        return top, bottom
    g_top, g_bottom = int(np.median(y[glyph])), int(np.median(y[glyph] + hh[glyph] - 1))
    if bottom - top + 1 > 1.25 * (g_bottom - g_top + 1):
        return g_top, g_bottom
    return top, bottom


def _sequential_cells(xs: np.ndarray, x0: float, p: float, n: int) -> np.ndarray | None:
    """Cell index of each (sorted) mark from the gaps between neighbours, or None.

    Gaps are local, so a slowly changing pitch (perspective) does not make marks in the
    middle of the line jump to a neighbouring cell, as nearest-cell rounding would.
    """
    if len(xs) < 2:
        return None
    idx = np.empty(len(xs), int)
    idx[0] = round((xs[0] - x0) / p - 0.5)
    steps = np.round(np.diff(xs) / p).astype(int)
    idx[1:] = idx[0] + np.cumsum(steps)
    last = round((xs[-1] - x0) / p - 0.5)
    if abs(idx[-1] - last) > 0 or idx[0] < 0 or idx[-1] >= n:
        return None
    return idx


def _fit_positions(xs: np.ndarray, x0: float, p: float, n: int) -> tuple[np.ndarray, float, float]:
    """Cell centres fitted to glyph centres `xs`: (centres, rms residual / p, coverage).

    The evenly spaced grid between the line ends is corrected by an offset, a tilt and a
    bulge (symmetric and skewed) that vanishes at both ends: what mild perspective does to
    the pitch. The ends themselves are measured directly, so the correction is bounded.
    """
    xs = np.sort(xs)
    cells = np.arange(n, dtype=np.float64)
    grid = x0 + (cells + 0.5) * p
    t = cells / max(n - 1, 1)
    bulge = 4 * t * (1 - t)
    basis = np.column_stack([np.ones(n), t - 0.5, bulge, bulge * (t - 0.5) * 2])
    limits = np.array([0.4, 0.6, 1.5, 1.0]) * p
    centres = grid
    ok = np.zeros(len(xs), bool)
    idx = _sequential_cells(xs, x0, p, n)
    trusted = idx is not None
    for tol in (0.45, 0.4, 0.35, 0.3):
        if idx is None or tol < 0.45:
            idx = np.round(np.interp(xs, centres, cells, left=-1, right=n)).astype(int)
        inside = (idx >= 0) & (idx < n)
        res = np.where(inside, xs - centres[np.clip(idx, 0, n - 1)], p)
        ok = inside & (np.abs(res) < max(tol * p, np.abs(res[inside]).min(initial=0)))
        if tol == 0.45 and trusted:
            ok = inside  # the sequential assignment is trusted on the first pass
        if ok.sum() < max(6, n // 4):
            break
        coef, *_ = np.linalg.lstsq(basis[idx[ok]], xs[ok] - grid[idx[ok]], rcond=None)
        centres = grid + basis @ np.clip(coef, -limits, limits)
    idx = np.round(np.interp(xs, centres, cells, left=-1, right=n)).astype(int)
    inside = (idx >= 0) & (idx < n)
    res = xs[inside] - centres[idx[inside]]
    ok_res = np.abs(res) < 0.3 * p
    rms = float(np.sqrt(np.mean((res[ok_res] / p) ** 2))) if ok_res.any() else 1.0
    coverage = len(set(idx[inside][ok_res].tolist())) / n
    return centres, rms, coverage


@dataclass
class LineInk:
    """One line of a canvas as ink, with its glyph-tall marks (shared by every grid tried)."""

    ink: np.ndarray
    top: int
    bottom: int
    left: float  # outer ends of the line's ink
    right: float
    centres: np.ndarray  # x centres of glyph-tall marks
    widths: np.ndarray

    @property
    def height(self) -> int:
        return max(self.bottom - self.top + 1, CAP_HEIGHT // 2)


def analyse_line(canvas: Canvas, line: int) -> LineInk | None:
    """The ink of line `line` and its glyph-tall marks, or None when there are too few."""
    img = canvas.image
    yc = canvas.line_rows[line]
    half = int(CAP_HEIGHT * 1.15)
    y0 = max(0, round(yc) - half)
    y1 = min(img.shape[0], round(yc) + half + 1)
    if y1 - y0 < CAP_HEIGHT // 2:
        return None
    ink = ink_map(img[y0:y1])
    binary = (ink > 0.4).astype(np.uint8)
    top, bottom = _text_rows(binary, round(yc) - y0)
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    s = stats[1:count]
    top, bottom = _glyph_rows(s, top, bottom, yc - y0)
    h = max(bottom - top + 1, CAP_HEIGHT // 2)
    cy = s[:, 1] + s[:, 3] / 2.0
    tall = (
        (s[:, 3] >= 0.55 * h) & (s[:, 3] <= 1.5 * h) & (np.abs(cy - (top + bottom) / 2) < 0.35 * h)
    )
    # A mark reaching the top or bottom of the strip is an edge (of the page, the frame, a
    # photo), not a glyph: it would stretch the line's ends.
    tall &= (s[:, 1] > 0) & (s[:, 1] + s[:, 3] < binary.shape[0])
    # The ends of the line: the MRZ has no spaces (fillers are ink), so its marks form one
    # chain without wide gaps; take the chain that best covers where the locator put the line.
    near = tall & (s[:, 0] + s[:, 2] > canvas.line_start - 0.15 * canvas.line_length)
    near &= s[:, 0] < canvas.line_start + 1.15 * canvas.line_length
    if near.sum() < 4:
        return None
    marks = s[near][np.argsort(s[near, 0])]
    lefts, rights = marks[:, 0].astype(np.float64), (marks[:, 0] + marks[:, 2]).astype(np.float64)
    centres = (lefts + rights) / 2
    pitch = float(np.median(np.diff(centres)))
    gaps = lefts[1:] - np.maximum.accumulate(rights)[:-1]
    breaks = np.flatnonzero(gaps > 1.6 * max(pitch, h * 0.5))
    bounds = np.split(np.arange(len(marks)), breaks + 1)
    lo, hi = canvas.line_start, canvas.line_start + canvas.line_length
    best = max(bounds, key=lambda b: min(rights[b].max(), hi) - max(lefts[b].min(), lo))
    left = float(lefts[best].min())
    right = float(rights[best].max())
    keep = best
    marks = marks[keep]
    return LineInk(ink, top, bottom, left, right, marks[:, 0] + marks[:, 2] / 2.0, marks[:, 2])


def estimate_length(line: LineInk, choices: tuple[int, ...]) -> int:
    """Which of `choices` (characters per line) fits the spacing of the line's marks best."""
    gaps = np.diff(np.sort(line.centres))
    span = line.right - line.left
    best, best_err = choices[0], np.inf
    for n in choices:
        p = span / (n - 0.2)
        steps = gaps / p
        # Gaps between neighbours are whole numbers of pitches (missing marks: 2, 3...).
        use = (steps > 0.5) & (steps < 3.5)
        if use.sum() < 3:
            continue
        err = float(np.mean(np.abs(steps[use] - np.round(steps[use]))))
        if err < best_err:
            best, best_err = n, err
    return best


def _grid(
    line: LineInk, n: int, left: float, right: float
) -> tuple[np.ndarray, float, float, float]:
    """Cell centres for n cells between `left` and `right`: (centres, pitch, rms, coverage)."""
    p = (right - left) / (n - 0.2)
    glyph = (line.widths <= 1.1 * p) & (line.widths >= 0.12 * p)
    xs, widths = line.centres[glyph], line.widths[glyph]
    centres, rms, coverage = _fit_positions(xs, left - 0.1 * p, p, n)
    # Snap each cell to a glyph-sized mark close to it (absorbs small local misfit).
    if len(xs):
        nearest = np.abs(xs[None, :] - centres[:, None]).argmin(1)
        snap = (np.abs(xs[nearest] - centres) < 0.2 * p) & (widths[nearest] > 0.35 * p)
        centres = np.where(snap, xs[nearest], centres)
    return centres, p, rms, coverage


def cut_cells(line: LineInk, n: int) -> LineCells:
    """Fit an n-cell grid to the line and resample each cell to a GLYPH_H x GLYPH_W patch."""
    centres, p, rms, coverage = _grid(line, n, line.left, line.right)
    return LineCells(_resample(line, centres, p), p, rms, coverage)


def cut_band(lines: list[LineInk], n: int) -> list[LineCells]:
    """Cut every line of a band with n cells, using the line ends the lines agree on.

    The lines of an MRZ start and end at the same place, so a line whose own end is off (a
    faint first character missed, a stray mark taken in) is cut between the ends that fit
    all lines' glyphs best.
    """
    lefts = sorted({ln.left for ln in lines})
    rights = sorted({ln.right for ln in lines})
    if len(lefts) == 1 and len(rights) == 1:
        return [cut_cells(ln, n) for ln in lines]
    best, best_score = (lines[0].left, lines[0].right), -np.inf
    for left in lefts:
        for right in rights:
            if right - left < n:
                continue
            score = 0.0
            for ln in lines:
                # Each line may differ from the common ends by its own side bearings.
                own_left = ln.left if abs(ln.left - left) < 0.3 * (right - left) / n else left
                own_right = ln.right if abs(ln.right - right) < 0.3 * (right - left) / n else right
                _, _, rms, coverage = _grid(ln, n, own_left, own_right)
                score += coverage - rms
            if score > best_score:
                best, best_score = (left, right), score
    left, right = best
    pitch = (right - left) / n
    out = []
    for ln in lines:
        own_left = ln.left if abs(ln.left - left) < 0.3 * pitch else left
        own_right = ln.right if abs(ln.right - right) < 0.3 * pitch else right
        centres, p, rms, coverage = _grid(ln, n, own_left, own_right)
        out.append(LineCells(_resample(ln, centres, p), p, rms, coverage))
    return out


def _resample(line: LineInk, centres: np.ndarray, p: float) -> np.ndarray:
    """All cells of a line in one remap: (n, GLYPH_H, GLYPH_W) patches."""
    h = line.height
    mid = (line.top + line.bottom) / 2
    cell_w, cell_h = CELL_WIDTH * p, CELL_HEIGHT * h
    sx, sy = cell_w / GLYPH_W, cell_h / GLYPH_H
    # Pre-blur so that point sampling approximates area averaging.
    sigma_x, sigma_y = max(0.4 * (sx - 1), 0.01), max(0.4 * (sy - 1), 0.01)
    src = cv2.GaussianBlur(line.ink, (0, 0), sigmaX=sigma_x, sigmaY=sigma_y)
    n = len(centres)
    gx = (np.arange(GLYPH_W, dtype=np.float32) + 0.5) * sx - cell_w / 2 - 0.5
    gy = (np.arange(GLYPH_H, dtype=np.float32) + 0.5) * sy - cell_h / 2 - 0.5
    map_x = (centres.astype(np.float32)[:, None] + gx[None, :]).reshape(1, -1)
    map_x = np.repeat(map_x, GLYPH_H, axis=0)
    map_y = np.repeat((mid + gy)[:, None], n * GLYPH_W, axis=1).astype(np.float32)
    out = cv2.remap(
        src, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    return out.reshape(GLYPH_H, n, GLYPH_W).transpose(1, 0, 2).copy()


def segment_line(canvas: Canvas, line: int, n: int) -> LineCells | None:
    """Cut line `line` of the canvas into `n` cell patches, or None when no grid fits."""
    analysed = analyse_line(canvas, line)
    return None if analysed is None else cut_cells(analysed, n)
