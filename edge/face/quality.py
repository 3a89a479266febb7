"""Quality of one face image: size, sharpness, pose/frontality, exposure, eyes open.

Pure logic on arrays (no I/O). `assess()` turns a detection and its aligned chip into a
`Quality` with measured values and issue codes; hard issues make an image unusable for a
decision, soft ones are reported and send a non-match to the inspector instead of deciding.
Thresholds were set on the images listed in docs/face.md (sharp originals vs. blurred copies).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from edge.face.detect import Face

logger = logging.getLogger(__name__)

# Hard limits: below these the image is not used for a decision.
MIN_EYE_DISTANCE_PX = 40  # ~ISO/IEC 19794-5 asks 60 for capture; chip photos can be smaller
SECOND_FACE_RATIO = 0.5  # a second face at least half the height of the first = two people

# Soft limits: reported, and used by capture to guide the traveller.
GOOD_EYE_DISTANCE_PX = 60  # "move closer" below this at capture
MAX_FACE_FRACTION = 0.8  # face box taller than this fraction of the frame: "step back"
MIN_SHARPNESS = 40.0  # Laplacian variance on the 150x150 chip; sharp originals measured 84+
MAX_YAW = 0.25  # |nose offset from eye midpoint| / eye distance; frontal ~0
MAX_ROLL_DEG = 15.0
MIN_BRIGHTNESS = 60.0  # mean grey level of the central face region
MAX_BRIGHTNESS = 205.0
MAX_CLIPPED = 0.15  # fraction of saturated face pixels
# Eyelid gap / eye width (edge/face/eyes.py). Measured (docs/face.md, "Eyes"): open eyes
# 0.23-0.40 on every real photo we have, a squinting laugh 0.17-0.19, eyes downcast to nearly
# shut 0.13-0.17, eyes painted shut 0.06-0.19. No narrow-eyed faces were in the set, so the
# bar is set low: it is a warning and a capture preference, never a rejection.
MIN_EYE_OPENNESS = 0.16
CLOSED_EYES_PENALTY = 10.0  # larger than the spread of all other ranking terms

HARD_ISSUES = frozenset({"no_face", "multiple_faces", "too_small"})
# Issues that make a low score untrustworthy: a non-match goes to the inspector instead.
DOUBTFUL_ISSUES = frozenset({"blurry", "not_frontal", "underexposed", "overexposed", "eyes_closed"})


@dataclass
class Quality:
    """Measured quality of one image; `issues` holds codes such as 'blurry' or 'too_small'."""

    faces: int
    eye_distance_px: float | None = None
    face_height_px: int | None = None
    sharpness: float | None = None
    yaw: float | None = None
    roll_deg: float | None = None
    brightness: float | None = None
    clipped: float | None = None
    eye_openness: float | None = None  # None when the eye model is absent or eyes too small
    eyes_open: bool | None = None
    issues: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """True when the image can be used for a decision (no hard issue)."""
        return not HARD_ISSUES.intersection(self.issues)

    @property
    def ok(self) -> bool:
        """True when there is no issue at all (a booth-grade capture)."""
        return not self.issues

    def score(self) -> float:
        """One number to rank capture frames: higher is better; unusable frames rank last."""
        if not self.usable or self.sharpness is None:
            return -1.0
        value = float(np.log1p(self.sharpness)) + min(self.eye_distance_px or 0, 120) / 40
        value -= 4 * abs(self.yaw or 0) + abs(self.roll_deg or 0) / 20
        if self.eye_openness is not None:  # prefer wide-open eyes: no frame caught mid-blink
            value += 4 * min(self.eye_openness, 0.3)
        if self.eyes_open is False:  # a frame with open eyes wins over any with closed ones
            value -= CLOSED_EYES_PENALTY
        return value - 0.5 * len(self.issues)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 3)
        out["usable"] = self.usable
        return out


def _grey(chip: np.ndarray) -> np.ndarray:
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return (chip.astype(np.float32) @ weights) if chip.ndim == 3 else chip.astype(np.float32)


def sharpness(grey_chip: np.ndarray) -> float:
    """Variance of the Laplacian over the central face region of the chip."""
    import cv2

    centre = grey_chip[25:125, 30:120]
    return float(cv2.Laplacian(centre, cv2.CV_32F).var())


def exposure(grey_chip: np.ndarray) -> tuple[float, float]:
    """(mean grey level, fraction of clipped pixels) over the central face region."""
    centre = grey_chip[40:130, 35:115]
    clipped = float(np.mean((centre >= 250) | (centre <= 5)))
    return float(centre.mean()), clipped


def pose(face: Face) -> tuple[float, float]:
    """(yaw proxy, roll in degrees) from the 5 landmarks."""
    left, right = face.eyes
    mid = (left + right) / 2
    yaw = float((face.nose[0] - mid[0]) / max(face.eye_distance, 1.0))
    roll = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    return yaw, roll


def assess(
    faces: list[Face],
    chip: np.ndarray | None,
    frame_height: int,
    eye_openness: float | None = None,
) -> Quality:
    """Quality of an image given its detected faces (largest first), the first face's chip
    and its eye openness (edge/face/eyes.py; None = not measured)."""
    if not faces:
        return Quality(faces=0, issues=["no_face"])
    face = faces[0]
    q = Quality(faces=len(faces), eye_distance_px=face.eye_distance, face_height_px=face.height)
    if len(faces) > 1 and faces[1].height >= SECOND_FACE_RATIO * face.height:
        q.issues.append("multiple_faces")
    if face.eye_distance < MIN_EYE_DISTANCE_PX:
        q.issues.append("too_small")
    elif face.eye_distance < GOOD_EYE_DISTANCE_PX:
        q.issues.append("small")
    if face.height > MAX_FACE_FRACTION * frame_height:
        q.issues.append("too_close")
    q.yaw, q.roll_deg = pose(face)
    if abs(q.yaw) > MAX_YAW:
        q.issues.append("not_frontal")
    if abs(q.roll_deg) > MAX_ROLL_DEG:
        q.issues.append("tilted")
    if chip is not None:
        grey = _grey(chip)
        q.sharpness = sharpness(grey)
        q.brightness, q.clipped = exposure(grey)
        if q.sharpness < MIN_SHARPNESS:
            q.issues.append("blurry")
        if q.brightness < MIN_BRIGHTNESS:
            q.issues.append("underexposed")
        elif q.brightness > MAX_BRIGHTNESS or q.clipped > MAX_CLIPPED:
            q.issues.append("overexposed")
    if eye_openness is not None:
        q.eye_openness = eye_openness
        q.eyes_open = eye_openness >= MIN_EYE_OPENNESS
        if not q.eyes_open:
            q.issues.append("eyes_closed")
    return q
