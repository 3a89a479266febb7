"""1:1 verification: live capture vs. chip photo, with a calibrated threshold and an unsure band.

`verify(img_a, img_b)` returns a `Verification`: similarity score (1 - embedding distance),
`match` True / False / None (None = unsure or no usable face: the inspector decides, see
`reason`), the decision threshold, the quality of both images and the time taken.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.face.align import align_face
from edge.face.detect import detect_faces
from edge.face.embed import embed_chip, similarity
from edge.face.eyes import measure_eyes
from edge.face.models import FaceModels, load_models
from edge.face.quality import DOUBTFUL_ISSUES, HARD_ISSUES, Quality, assess

logger = logging.getLogger(__name__)

ImageLike = np.ndarray | str | Path | bytes


class ImageError(Exception):
    """An image file that cannot be read or decoded."""


class CalibrationError(Exception):
    """A calibration file that cannot be read or makes no sense."""


@dataclass(frozen=True)
class Calibration:
    """Decision thresholds on the similarity score, for a target false-match rate.

    score >= match_at: match; score <= nonmatch_at: non-match; in between: unsure (None).
    Values come from bench/face.py (docs/face.md gives the run) and dlib's published LFW
    figures; the offline set is small, so the band is kept wide on purpose.
    """

    match_at: float = 0.50  # embedding distance <= 0.50
    nonmatch_at: float = 0.42  # embedding distance >= 0.58
    target_fmr: float = 0.001
    source: str = "bench/face.py on the offline set (docs/face.md) + dlib LFW figures"

    @classmethod
    def from_scores(
        cls, impostor: list[float], target_fmr: float = 0.001, band: float = 0.08
    ) -> Calibration:
        """Thresholds from impostor scores: the lowest match threshold whose FMR <= target.

        With fewer than 1/target_fmr impostor pairs the target cannot be resolved, so the
        threshold sits just above the highest impostor score. `band` is the unsure band below it.
        """
        scores = np.sort(np.asarray(impostor, dtype=np.float64))[::-1]
        if scores.size == 0:
            raise ValueError("no impostor scores to calibrate on")
        allowed = int(np.floor(target_fmr * scores.size))  # impostors allowed at/above threshold
        match_at = float(scores[allowed]) + 1e-6 if allowed < scores.size else float(scores[-1])
        source = f"{scores.size} impostor pairs, FMR target {target_fmr}"
        match_at = math.ceil(match_at * 1e4) / 1e4  # round up: never admit one more impostor
        return cls(match_at, round(match_at - band, 4), target_fmr, source)

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """A calibration saved as JSON by bench/face.py (`--write-calibration`)."""
        import json

        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            cal = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise CalibrationError(f"cannot load face calibration {path}: {exc}") from exc
        if not 0 <= cal.nonmatch_at <= cal.match_at <= 1:
            raise CalibrationError(
                f"face calibration {path}: need 0 <= nonmatch_at <= match_at <= 1"
            )
        return cal

    def as_dict(self) -> dict[str, Any]:
        return {
            "match_at": self.match_at,
            "nonmatch_at": self.nonmatch_at,
            "target_fmr": self.target_fmr,
            "source": self.source,
        }


DEFAULT_CALIBRATION = Calibration()


@dataclass
class FaceTemplate:
    """What one image yields: its quality and, when usable, the embedding of its main face."""

    quality: Quality
    embedding: np.ndarray | None
    ms: float
    chip: np.ndarray | None = None  # kept until embedded, so a hopeless pair skips the embedding


@dataclass
class Verification:
    """The result of comparing two face images."""

    score: float | None
    match: bool | None
    threshold: float
    quality: dict[str, Any]
    ms: float
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "score": None if self.score is None else round(self.score, 4),
            "match": self.match,
            "threshold": self.threshold,
            "quality": self.quality,
            "ms": round(self.ms, 1),
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def load_image(source: ImageLike) -> np.ndarray:
    """A BGR uint8 image from an array, a file path or encoded bytes (JPEG, PNG, JPEG 2000)."""
    import cv2

    if isinstance(source, np.ndarray):
        return source
    if isinstance(source, str | Path):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ImageError(f"cannot read image {source}: {exc.strerror}") from exc
        name = str(source)
    else:
        data, name = bytes(source), "<bytes>"
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError(f"cannot decode image {name}: not a JPEG, PNG or JPEG 2000 file")
    return image


def analyse(models: FaceModels, bgr: np.ndarray) -> FaceTemplate:
    """Detect, align and assess the main face of a BGR image (no embedding yet)."""
    import cv2

    start = time.perf_counter()
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    faces = detect_faces(models, rgb)
    chip = align_face(rgb, faces[0]) if faces else None
    quality = assess(faces, chip, rgb.shape[0], measure_eyes(models, rgb, faces))
    return FaceTemplate(quality, None, (time.perf_counter() - start) * 1000, chip)


def _describe(issue: str, q: Quality) -> str:
    if issue == "no_face":
        return "no face found"
    if issue == "multiple_faces":
        return f"{q.faces} faces in the image"
    if issue == "too_small":
        return f"face too small (eye distance {q.eye_distance_px:.0f} px)"
    return issue


class FaceVerifier:
    """Holds the models (loaded once) and the calibration; safe to reuse for many pairs."""

    def __init__(
        self, models: FaceModels | None = None, calibration: Calibration = DEFAULT_CALIBRATION
    ) -> None:
        self.models = models or load_models()
        self.calibration = calibration

    def template(self, image: ImageLike, embed: bool = True) -> FaceTemplate:
        """Detect, assess, align and (when usable and `embed`) embed the main face of one image."""
        start = time.perf_counter()
        t = analyse(self.models, load_image(image))
        t.ms = (time.perf_counter() - start) * 1000
        return self.embed(t) if embed else t

    def embed(self, t: FaceTemplate) -> FaceTemplate:
        """Compute the embedding of a usable template that has none yet."""
        if t.embedding is None and t.chip is not None and t.quality.usable:
            start = time.perf_counter()
            t.embedding = embed_chip(self.models, t.chip)
            t.ms += (time.perf_counter() - start) * 1000
        return t

    def compare(self, a: FaceTemplate, b: FaceTemplate) -> Verification:
        """Decide on two templates (e.g. the chip photo's, computed while the chip was read)."""
        cal = self.calibration
        quality = {"a": a.quality.as_dict(), "b": b.quality.as_dict()}
        ms = a.ms + b.ms
        problems = [
            f"image {label}: "
            + ", ".join(_describe(i, t.quality) for i in t.quality.issues if i in HARD_ISSUES)
            for label, t in (("A", a), ("B", b))
            if not t.quality.usable
        ]
        if problems:
            return Verification(None, None, cal.match_at, quality, ms, "; ".join(problems))
        a, b = self.embed(a), self.embed(b)
        ms = a.ms + b.ms
        score = similarity(a.embedding, b.embedding)
        if score >= cal.match_at:
            return Verification(score, True, cal.match_at, quality, ms)
        if score <= cal.nonmatch_at:
            soft = sorted(DOUBTFUL_ISSUES.intersection(a.quality.issues + b.quality.issues))
            if soft:
                reason = (
                    "non-match on a poor-quality image (" + ", ".join(soft) + "): inspector decides"
                )
                return Verification(score, None, cal.match_at, quality, ms, reason)
            return Verification(score, False, cal.match_at, quality, ms)
        reason = f"unsure: score {score:.3f} between {cal.nonmatch_at} and {cal.match_at}"
        return Verification(score, None, cal.match_at, quality, ms, reason)

    def verify(self, img_a: ImageLike, img_b: ImageLike) -> Verification:
        """Compare two images end to end (both detected, aligned and embedded)."""
        # Embeddings are computed in compare(), only when both images are usable.
        return self.compare(self.template(img_a, embed=False), self.template(img_b, embed=False))


_default: FaceVerifier | None = None


def verify(img_a: ImageLike, img_b: ImageLike) -> Verification:
    """Compare two face images with the process-wide verifier (models loaded on first call)."""
    global _default
    if _default is None:
        _default = FaceVerifier()
    return _default.verify(img_a, img_b)
