"""Legitimate image variations of a face photo: chip-photo and booth-capture look-alikes.

Used by the simulated camera, the tests and bench/face.py, because real face data sets cannot
be downloaded here. Pure image arithmetic (OpenCV/numpy, no I/O): crop, scale, rotate,
lighting, blur, noise, JPEG / JPEG 2000 recompression. It cannot make a face older.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # left, top, right, bottom
BACKGROUND = (170, 170, 165)  # a plain light-grey booth wall (BGR)


@dataclass(frozen=True)
class Look:
    """How to render a booth-like frame from a source photo."""

    face_height: int = 200  # px in the output frame
    angle: float = 0.0  # in-plane rotation, degrees
    gamma: float = 1.0  # >1 darker, <1 brighter
    blur: float = 0.0  # Gaussian sigma in output px
    noise: float = 0.0  # Gaussian noise sigma in grey levels
    jpeg_quality: int = 85
    shift: tuple[float, float] = (0.0, 0.0)  # face centre offset, fraction of frame size
    mirror: bool = False


def _crop_scaled(
    bgr: np.ndarray,
    box: Box,
    face_px: int,
    out_w: int,
    out_h: int,
    centre: tuple[float, float],
    angle: float = 0.0,
) -> np.ndarray:
    """Warp so the face box is `face_px` tall and centred at `centre` of an out_w x out_h frame."""
    import cv2

    left, top, right, bottom = box
    scale = face_px / max(bottom - top, 1)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    m = cv2.getRotationMatrix2D((cx, cy), angle, scale)
    m[0, 2] += centre[0] - cx
    m[1, 2] += centre[1] - cy
    return cv2.warpAffine(
        bgr,
        m,
        (out_w, out_h),
        flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=BACKGROUND,
    )


def chip_photo(
    bgr: np.ndarray, box: Box, size: tuple[int, int] = (240, 320), jp2_ratio: int = 100
) -> bytes:
    """An ICAO-like chip photo (face ~55% of the height) encoded as JPEG 2000, ~10-20 kB.

    `jp2_ratio` is OpenCV's IMWRITE_JPEG2000_COMPRESSION_X1000 (1000 = lossless).
    """
    import cv2

    w, h = size
    # The HOG box covers brows to chin; an ICAO portrait puts the eyes a bit above the middle.
    img = _crop_scaled(bgr, box, int(0.5 * h), w, h, (w / 2, 0.5 * h))
    ok, buf = cv2.imencode(".jp2", img, [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, jp2_ratio])
    if not ok:
        raise ValueError("OpenCV could not encode JPEG 2000")
    return buf.tobytes()


def booth_frame(
    bgr: np.ndarray,
    box: Box,
    look: Look = Look(),
    frame: tuple[int, int] = (640, 480),
    seed: int = 0,
) -> np.ndarray:
    """A booth-camera-like BGR frame of the face in `box`, rendered with `look`."""
    import cv2

    w, h = frame
    centre = (w / 2 + look.shift[0] * w, h / 2 + look.shift[1] * h)
    img = _crop_scaled(bgr, box, look.face_height, w, h, centre, look.angle)
    if look.mirror:
        img = cv2.flip(img, 1)
    if look.gamma != 1.0:
        table = ((np.arange(256) / 255.0) ** look.gamma * 255).astype(np.uint8)
        img = cv2.LUT(img, table)
    if look.blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), look.blur)
    if look.noise > 0:
        rng = np.random.default_rng(seed)
        img = np.clip(img + rng.normal(0, look.noise, img.shape), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, look.jpeg_quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else img


# The looks the bench and the simulated camera use for "booth-like" captures.
BOOTH_LOOKS: tuple[Look, ...] = (
    Look(),
    Look(face_height=160, angle=5, gamma=1.3, noise=4),
    Look(face_height=240, angle=-6, gamma=0.8, blur=1.0, jpeg_quality=70),
    Look(face_height=180, mirror=True, noise=6, shift=(0.08, -0.05)),
)


def closed_eyes(bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """A copy with both eyes painted shut: skin over the eye opening, a dark lash line below.

    A rendering, not a photograph: real closed-eye photos ship in no package we can use, so
    tests use this to check the eyes-open measure reacts (docs/face.md states the limits).
    """
    import cv2

    out = bgr.copy()
    for pair in (landmarks[0:2], landmarks[2:4]):
        a, b = sorted(pair, key=lambda point: point[0])  # so "below" points down for both
        centre = (a + b) / 2
        d = b - a
        width = float(np.linalg.norm(d))
        angle = float(np.degrees(np.arctan2(d[1], d[0])))
        below = centre + np.array([-d[1], d[0]]) / max(width, 1e-6) * 0.7 * width
        half = max(2, int(0.15 * width))
        x, y = int(below[0]), int(below[1])
        skin = np.median(bgr[y - half : y + half, x - half : x + half].reshape(-1, 3), axis=0)
        mask = np.zeros(bgr.shape[:2], np.uint8)
        axes = (int(0.62 * width), int(0.34 * width))
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), axes, angle, 0, 360, 255, -1)
        soft = cv2.GaussianBlur(mask, (0, 0), max(1.0, width / 12))[..., None] / 255.0
        lid = np.clip(skin * 0.92, 0, 255)  # an eyelid is a little darker than the cheek
        out = (out * (1 - soft) + lid * soft).astype(np.uint8)
        lash = max(1, round(width / 14))
        cv2.ellipse(
            out,
            (int(centre[0]), int(centre[1] + 0.05 * width)),
            (int(0.5 * width), int(0.12 * width)),
            angle,
            10,
            170,
            (40, 35, 35),
            lash,
            cv2.LINE_AA,
        )
    return out
