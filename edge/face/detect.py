"""Face detection (dlib HOG on a downscaled copy) and 5-point landmarks at full resolution."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.face.models import FaceModels

logger = logging.getLogger(__name__)

# Detection runs on a copy whose longest side is at most this: HOG cost grows with pixels,
# and booth/chip faces are large. Measured: 480 keeps every face of 80 px and up.
DETECT_MAX_SIDE = 480
# If nothing is found, look again at up to 640 px with one 2x upsampling (finds faces down to
# ~40 px, and blurred or low-contrast faces the first pass misses) so a tiny face is reported
# as "too small" rather than "no face". ~150 ms of CPU on a 640x480 frame, so it only runs
# when the first pass found nothing. (At 480 px it cost 60 ms less but lost 2 of 52 bench
# frames and one face of the group photo.)
RETRY_MAX_SIDE = 640


@dataclass(frozen=True)
class Face:
    """One detected face in original-image pixels, with its 5 landmarks."""

    box: tuple[int, int, int, int]  # left, top, right, bottom
    score: float
    landmarks: np.ndarray  # (5, 2): eye corners x4, nose base; dlib's 5-point order
    shape: Any  # dlib.full_object_detection, what get_face_chip needs

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        """Centres of the two eyes, image-left first."""
        a = self.landmarks[0:2].mean(axis=0)
        b = self.landmarks[2:4].mean(axis=0)
        return (a, b) if a[0] <= b[0] else (b, a)

    @property
    def nose(self) -> np.ndarray:
        return self.landmarks[4]

    @property
    def eye_distance(self) -> float:
        left, right = self.eyes
        return float(np.linalg.norm(right - left))


def _scaled(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale >= 1.0:
        return rgb, 1.0
    small = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return small, scale


def _run_hog(models: FaceModels, img: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
    rects, scores, _ = models.detector.run(img, upsample, 0.0)
    return list(zip(rects, scores, strict=True))


def detect_faces(
    models: FaceModels, rgb: np.ndarray, max_side: int = DETECT_MAX_SIDE
) -> list[Face]:
    """All faces in an RGB uint8 image, largest first."""
    import dlib

    small, scale = _scaled(rgb, max_side)
    found = _run_hog(models, small, 0)
    if not found:
        small, scale = _scaled(rgb, RETRY_MAX_SIDE)
        found = _run_hog(models, small, 1)
    h, w = rgb.shape[:2]
    faces = []
    for rect, score in found:
        left = max(0, round(rect.left() / scale))
        top = max(0, round(rect.top() / scale))
        right = min(w - 1, round(rect.right() / scale))
        bottom = min(h - 1, round(rect.bottom() / scale))
        shape = models.landmarks(rgb, dlib.rectangle(left, top, right, bottom))
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
        faces.append(Face((left, top, right, bottom), float(score), points, shape))
    faces.sort(key=lambda f: f.width * f.height, reverse=True)
    logger.debug("detected %d face(s) at scale %.2f", len(faces), scale)
    return faces
