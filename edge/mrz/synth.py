"""Synthetic travel-document images with a known MRZ, for OCR tests, training and benchmarks.

`make_sample(rng)` draws a random document (TD1, TD2, TD3, MRV-A or MRV-B) with a valid MRZ,
renders its page in OCR-B over a guilloche-like background with a photo block and printed
fields, then photographs it: placed in a 500-2000 pixel frame, rotated up to +-10 degrees (and
upside-down), with mild perspective, uneven light, blur, sensor noise and JPEG artefacts.
Everything is drawn from the numpy Generator given, so a seed reproduces a set exactly.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from edge.mrz.build import build_mrz

logger = logging.getLogger(__name__)

OCRB_FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
_SANS_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
)
# OCR-B advance width as a fraction of the em (the font is monospaced).
OCRB_ADVANCE_EM = 0.7231

FORMATS = ("TD1", "TD2", "TD3", "MRV-A", "MRV-B")
# format -> (lines, chars per line, document width mm, document height mm)
_SHAPES: dict[str, tuple[int, int, float, float]] = {
    "TD1": (3, 30, 85.6, 54.0),
    "TD2": (2, 36, 105.0, 74.0),
    "TD3": (2, 44, 125.0, 88.0),
    "MRV-A": (2, 44, 120.0, 80.0),
    "MRV-B": (2, 36, 105.0, 74.0),
}
_STATES = [
    "UTO",
    "JPN",
    "USA",
    "GBR",
    "FRA",
    "D",
    "CHN",
    "KOR",
    "IND",
    "BRA",
    "NLD",
    "CAN",
    "AUS",
    "ITA",
    "ESP",
    "PHL",
    "VNM",
    "THA",
    "GBD",
    "UNO",
    "XXA",
    "EUE",
    "NZL",
]
_SURNAMES = (
    "ERIKSSON", "SUZUKI", "TANAKA", "OHNO", "MUSTERMANN", "SMITH", "NGUYEN", "GARCIA",
    "VAN DER BERG", "O BRIEN", "MOHAMMED", "KIM", "WANG", "DUBOIS", "ROSSI", "KOWALSKI",
    "SANTOS SILVA", "JOHANSSON", "PAPADOPOULOS", "ZHANG", "HERNANDEZ LOPEZ", "BB", "LI",
    "QUISPE", "XU", "JEFFERSON", "YAMAMOTO", "OKONKWO",
)  # fmt: skip
_GIVEN = (
    "ANNA MARIA", "TARO", "HANAKO", "JOHN", "ERIKA", "MUHAMMAD ALI", "MIN JUN", "WEI",
    "JEAN PIERRE", "SOFIA", "OLIVIA GRACE", "KENJI", "XAVIER", "QUENTIN", "ZOE", "YUKI",
    "ANNE SOPHIE MARGUERITE", "IBRAHIM", "OLUWASEUN", "BJORN", "AIKO", "",
)  # fmt: skip
_ALNUM = string.ascii_uppercase + string.digits


@dataclass
class Sample:
    """One synthetic image and the truth about it."""

    image: np.ndarray  # BGR uint8
    lines: list[str]
    format: str
    upside_down: bool
    angle: float
    pitch_px: float  # MRZ character pitch in the final image
    params: dict = field(default_factory=dict)

    @property
    def mrz(self) -> str:
        return "\n".join(self.lines)


# ---------------------------------------------------------------------------------------------
# MRZ text


def _rand_chars(rng: np.random.Generator, alphabet: str, n: int) -> str:
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), n))


def _doc_number(rng: np.random.Generator, n: int = 9) -> str:
    kind = rng.random()
    if kind < 0.4:
        return _rand_chars(rng, string.digits, n)
    if kind < 0.8:
        return _rand_chars(rng, string.ascii_uppercase, 2) + _rand_chars(rng, string.digits, n - 2)
    return _rand_chars(rng, _ALNUM, int(rng.integers(6, n + 1)))


def _optional(rng: np.random.Generator, width: int) -> str:
    if rng.random() < 0.5:
        return ""
    return _rand_chars(rng, _ALNUM, int(rng.integers(1, width + 1)))


def _birth_expiry(rng: np.random.Generator) -> tuple[date, date]:
    birth = date(1935, 1, 1) + timedelta(days=int(rng.integers(0, 89 * 365)))
    expiry = date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 16 * 365)))
    return birth, expiry


def random_mrz(fmt: str, rng: np.random.Generator) -> list[str]:
    """Valid MRZ lines of format `fmt` with random but plausible content (via build.py)."""
    state = _STATES[rng.integers(len(_STATES))]
    nat = _STATES[rng.integers(len(_STATES))] if rng.random() < 0.3 else state
    birth, expiry = _birth_expiry(rng)
    given = _GIVEN[rng.integers(len(_GIVEN))]
    if rng.random() < 0.3:
        given = f"{given} {_GIVEN[rng.integers(len(_GIVEN))]}".strip()
    fields: dict[str, object] = {
        "document_number": _doc_number(rng),
        "primary_identifier": _SURNAMES[rng.integers(len(_SURNAMES))],
        "secondary_identifier": given,
        "nationality": nat,
        "issuing_state": state,
        "birth_date": birth,
        "expiry_date": expiry,
        "sex": "MFX<"[rng.choice(4, p=[0.47, 0.47, 0.03, 0.03])],
    }
    if fmt == "TD1":
        fields["document_code"] = ["I", "ID", "IC", "A", "AR", "C"][rng.integers(6)]
        if rng.random() < 0.15:  # a long number overflowing into the optional data
            fields["document_number"] = _rand_chars(rng, _ALNUM, int(rng.integers(10, 14)))
        else:
            fields["optional_data_1"] = _optional(rng, 15)
        fields["optional_data_2"] = _optional(rng, 11)
    elif fmt == "TD2":
        fields["document_code"] = ["I", "ID", "IC", "AC"][rng.integers(4)]
        fields["optional_data_1"] = _optional(rng, 7)
    elif fmt == "TD3":
        fields["document_code"] = ["P", "P", "P", "PD", "PS", "PO"][rng.integers(6)]
        fields["personal_number"] = _optional(rng, 14)
    else:
        fields["document_code"] = ["V", "VC", "VD"][rng.integers(3)]
        fields["optional_data_1"] = _optional(rng, 16 if fmt == "MRV-A" else 8)
    return build_mrz(fmt, **fields)


# ---------------------------------------------------------------------------------------------
# Page rendering


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _sans_font_path(rng: np.random.Generator) -> str:
    existing = [p for p in _SANS_FONTS if p.exists()]
    return str(existing[rng.integers(len(existing))] if existing else OCRB_FONT)


def _guilloche(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """Draw fine, light, coloured wave patterns over the page background (in place)."""
    h, w = canvas.shape[:2]
    xs = np.linspace(0, w, max(200, w // 3))
    for _ in range(int(rng.integers(8, 30))):
        colour = tuple(int(c) for c in rng.integers(165, 245, 3))
        y0 = rng.uniform(0, h)
        amp = rng.uniform(0.02, 0.25) * h
        freq = rng.uniform(1.0, 12.0) * 2 * np.pi / w
        phase = rng.uniform(0, 2 * np.pi)
        amp2, freq2 = rng.uniform(0, 0.05) * h, rng.uniform(5, 40) * 2 * np.pi / w
        ys = y0 + amp * np.sin(freq * xs + phase) + amp2 * np.sin(freq2 * xs)
        pts = np.stack([xs, ys], 1).astype(np.int32)
        cv2.polylines(canvas, [pts], False, colour, 1, cv2.LINE_AA)
    if rng.random() < 0.5:  # rosette
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.4) * min(h, w)
        t = np.linspace(0, 2 * np.pi, 600)
        k = int(rng.integers(5, 17))
        for j in range(int(rng.integers(4, 12))):
            rr = r * (0.6 + 0.4 * np.cos(k * t + j * 0.4))
            pts = np.stack([cx + rr * np.cos(t), cy + rr * np.sin(t)], 1).astype(np.int32)
            colour = tuple(int(c) for c in rng.integers(165, 245, 3))
            cv2.polylines(canvas, [pts], True, colour, 1, cv2.LINE_AA)


def _photo(canvas: np.ndarray, x: int, y: int, w: int, h: int, rng: np.random.Generator) -> None:
    """A face-like portrait block: tinted background, head and shoulders, some texture."""
    block = np.empty((h, w, 3), np.uint8)
    block[:] = rng.integers(150, 250, 3)
    skin = tuple(int(c) for c in rng.integers(60, 210, 3))
    cloth = tuple(int(c) for c in rng.integers(10, 120, 3))
    hair = tuple(int(c) for c in rng.integers(0, 90, 3))
    cv2.ellipse(block, (w // 2, h + h // 10), (w // 2, h // 3), 0, 0, 360, cloth, -1)
    cv2.ellipse(block, (w // 2, int(h * 0.45)), (w // 4, int(h * 0.3)), 0, 0, 360, skin, -1)
    cv2.ellipse(block, (w // 2, int(h * 0.3)), (w // 4 + 2, int(h * 0.18)), 0, 180, 360, hair, -1)
    for ex in (-1, 1):
        cv2.circle(block, (w // 2 + ex * w // 10, int(h * 0.42)), max(1, w // 40), (30, 30, 30), -1)
    noise = rng.normal(0, 12, (h, w, 3))
    canvas[y : y + h, x : x + w] = np.clip(block + noise, 0, 255).astype(np.uint8)


def _printed_fields(
    img: Image.Image, box: tuple[int, int, int, int], mm: float, rng: np.random.Generator
) -> None:
    """Labels and values in a proportional font inside `box` (x0, y0, x1, y1)."""
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    label_font = _font(_sans_font_path(rng), max(6, int(mm * rng.uniform(1.4, 2.0))))
    value_font = _font(_sans_font_path(rng), max(8, int(mm * rng.uniform(2.2, 3.4))))
    labels = (
        "Surname / Nom",
        "Given names / Prénoms",
        "Nationality",
        "Date of birth",
        "Sex",
        "Place of birth",
        "Date of issue",
        "Date of expiry",
        "Authority",
        "Passport No.",
        "Type / Code",
    )
    y = y0
    while y < y1 - mm * 9:
        x = x0
        while x < x1 - mm * 15:
            label = labels[rng.integers(len(labels))]
            value = (
                _rand_chars(
                    rng, string.ascii_uppercase + " " + string.digits, int(rng.integers(4, 14))
                ).strip()
                or "TOKYO"
            )
            ink = tuple(int(c) for c in rng.integers(0, 70, 3))
            draw.text((x, y), label, font=label_font, fill=(90, 90, 110))
            draw.text((x, y + mm * 2.2), value, font=value_font, fill=ink)
            x += int(mm * rng.uniform(25, 45))
        y += int(mm * rng.uniform(6.5, 9))


def render_page(
    lines: list[str], fmt: str, rng: np.random.Generator, px_per_mm: float
) -> tuple[np.ndarray, dict]:
    """The flat document page (BGR) at `px_per_mm`, and where its MRZ is on it."""
    _, n_chars, w_mm, h_mm = _SHAPES[fmt]
    w, h = round(w_mm * px_per_mm), round(h_mm * px_per_mm)
    base = rng.integers(205, 250, 3).astype(np.float32)
    tint = rng.integers(-20, 20, 3).astype(np.float32)
    ramp = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    canvas = np.clip(base + tint * ramp + np.zeros((h, w, 3), np.float32), 0, 255).astype(np.uint8)
    _guilloche(canvas, rng)

    pitch_mm = 2.54 * rng.uniform(0.93, 1.07)
    pitch = pitch_mm * px_per_mm
    font_px = max(6, round(pitch / OCRB_ADVANCE_EM * rng.uniform(0.9, 1.06)))
    line_gap = pitch * rng.uniform(1.5, 1.9)
    n_lines = len(lines)
    mrz_w = n_chars * pitch
    margin_x = max((w - mrz_w) / 2, 0) + rng.uniform(-0.3, 0.3) * max((w - mrz_w) / 2, 0)
    bottom = h - px_per_mm * rng.uniform(3.0, 6.0)
    top = bottom - n_lines * line_gap
    if rng.random() < 0.3:  # a white MRZ clear area, as on many passports
        cv2.rectangle(canvas, (0, int(top - pitch)), (w, h), tuple(int(c) for c in base + 8), -1)

    photo_w = int(w * rng.uniform(0.22, 0.3))
    photo_h = min(int(photo_w * 1.3), int(top - pitch - 10 * px_per_mm))
    px0 = int(px_per_mm * rng.uniform(3, 8))
    py0 = int(px_per_mm * rng.uniform(8, 14))
    if photo_h > 20:
        _photo(canvas, px0, py0, photo_w, photo_h, rng)

    img = Image.fromarray(canvas[:, :, ::-1].copy())
    draw = ImageDraw.Draw(img)
    title_font = _font(_sans_font_path(rng), max(8, int(px_per_mm * rng.uniform(3, 5))))
    draw.text(
        (px0, px_per_mm * 2),
        "PASSPORT  PASSEPORT  UTOPIA" if fmt == "TD3" else "IDENTITY CARD / VISA",
        font=title_font,
        fill=(40, 40, 90),
    )
    _printed_fields(
        img,
        (px0 + photo_w + int(4 * px_per_mm), py0, w - int(3 * px_per_mm), int(top - pitch)),
        px_per_mm,
        rng,
    )

    font = _font(str(OCRB_FONT), font_px)
    ink = tuple(int(c) for c in rng.integers(0, 60, 3))
    ascent = font.getbbox("M")[1]
    cap_h = font.getbbox("M")[3] - ascent
    for li, text in enumerate(lines):
        baseline_y = top + (li + 1) * line_gap
        y = baseline_y - cap_h - ascent
        for ci, ch in enumerate(text):
            jitter = rng.normal(0, 0.03 * pitch, 2)
            draw.text((margin_x + ci * pitch + jitter[0], y + jitter[1]), ch, font=font, fill=ink)
    page = np.asarray(img)[:, :, ::-1].copy()
    info = {
        "mrz_box": (margin_x, top, margin_x + mrz_w, bottom),
        "pitch": pitch,
        "font_px": font_px,
    }
    return page, info


# ---------------------------------------------------------------------------------------------
# Photographing the page


def _lighting(shape: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2) * strength
    light = 1.0 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5)
    if rng.random() < 0.5:  # a soft highlight or shadow
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.2, 0.6) * w
        light += (
            rng.uniform(-0.35, 0.3)
            * strength
            * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        )
    return np.clip(light * rng.uniform(0.7, 1.1), 0.25, 1.5)


def make_sample(
    rng: np.random.Generator,
    fmt: str | None = None,
    *,
    width: int | None = None,
    angle: float | None = None,
    upside_down: bool | None = None,
    level: float = 1.0,
    lines: list[str] | None = None,
    with_mrz: bool = True,
) -> Sample:
    """A photographed synthetic document; `level` scales the degradations (0 = clean).

    `lines` replaces the random MRZ text (it must have the shape of `fmt`); with
    `with_mrz=False` the page has no MRZ at all (and the sample's `lines` are empty).
    """
    fmt = fmt or FORMATS[rng.integers(len(FORMATS))]
    lines = lines or random_mrz(fmt, rng)
    _, _, w_mm, h_mm = _SHAPES[fmt]
    frame_w = int(width or rng.choice([rng.integers(500, 900), rng.integers(900, 2001)]))
    frame_h = int(frame_w * rng.uniform(0.62, 0.85))
    angle = float(rng.uniform(-10, 10) if angle is None else angle)
    upside_down = bool(rng.random() < 0.25 if upside_down is None else upside_down)

    # Size the document so that it, rotated, fits in the frame, and fills 55-95% of it.
    rad = np.deg2rad(abs(angle))
    fit = min(
        frame_w / (w_mm * np.cos(rad) + h_mm * np.sin(rad)),
        frame_h / (w_mm * np.sin(rad) + h_mm * np.cos(rad)),
    )
    px_per_mm_final = fit * rng.uniform(0.62, 0.95)
    px_per_mm_page = max(px_per_mm_final * 1.3, 4.0)
    page, info = render_page(lines if with_mrz else [], fmt, rng, px_per_mm_page)
    ph, pw = page.shape[:2]

    corners = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    scale = px_per_mm_final / px_per_mm_page
    dst = (corners - [pw / 2, ph / 2]) * scale
    persp = 0.025 * level
    dst += rng.uniform(-persp, persp, dst.shape) * [pw * scale, ph * scale]
    theta = np.deg2rad(angle + (180.0 if upside_down else 0.0))
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    dst = dst @ rot.T
    span = dst.max(0) - dst.min(0)
    slack = np.maximum([frame_w, frame_h] - span, 0)
    dst += -dst.min(0) + rng.uniform(0, 1, 2) * slack
    m = cv2.getPerspectiveTransform(corners, dst.astype(np.float32))

    desk = rng.integers(20, 200, 3).astype(np.uint8)
    frame = np.empty((frame_h, frame_w, 3), np.uint8)
    frame[:] = desk
    frame = cv2.add(frame, rng.integers(0, 25, (frame_h, frame_w, 3), dtype=np.uint8))
    cv2.warpPerspective(
        page,
        m,
        (frame_w, frame_h),
        dst=frame,
        flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_TRANSPARENT,
    )

    pitch_px = info["pitch"] * scale
    img = frame.astype(np.float32)
    img *= _lighting((frame_h, frame_w), rng, 0.8 * level)[:, :, None]
    blur_sigma = level * rng.uniform(0.0, 0.12) * pitch_px
    if blur_sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), blur_sigma)
    noise_sd = level * rng.uniform(0, 10)
    img += rng.normal(0, noise_sd, img.shape).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    quality = int(np.clip(95 - level * rng.uniform(0, 60), 25, 95))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if ok:
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    params = {
        "frame": (frame_w, frame_h),
        "blur": round(blur_sigma, 2),
        "noise": round(noise_sd, 1),
        "jpeg": quality,
        "font_px": info["font_px"],
    }
    return Sample(img, lines if with_mrz else [], fmt, upside_down, angle, float(pitch_px), params)


def make_set(n: int, seed: int, level: float = 1.0) -> list[Sample]:
    """`n` samples cycling through the formats, reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    return [make_sample(rng, FORMATS[i % len(FORMATS)], level=level) for i in range(n)]
