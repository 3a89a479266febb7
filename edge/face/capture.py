"""Capture: pick the best frame from a camera within a short window, guiding the traveller.

Each frame is detected, aligned and assessed (no embedding: that is done once, on the chosen
frame). The best frame has exactly one face and the highest quality score. While frames are
poor, guidance messages in Japanese and English tell the traveller what to change.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from edge.face.models import FaceModels, load_models
from edge.face.quality import Quality
from edge.face.verify import FaceTemplate, analyse

logger = logging.getLogger(__name__)

# issue code -> (Japanese, English); ordered by what the traveller should fix first.
GUIDANCE: dict[str, tuple[str, str]] = {
    "no_face": ("カメラの方を向いてください", "Please look at the camera"),
    "multiple_faces": ("お一人ずつお願いします", "One person at a time, please"),
    "too_small": ("もう少し近づいてください", "Please move closer"),
    "small": ("もう少し近づいてください", "Please move closer"),
    "too_close": ("少し離れてください", "Please step back a little"),
    "not_frontal": ("カメラを正面から見てください", "Please look straight at the camera"),
    "tilted": ("頭をまっすぐにしてください", "Please keep your head straight"),
    "eyes_closed": (
        "目を開けてカメラを見てください",
        "Please open your eyes and look at the camera",
    ),
    "underexposed": ("明るさが足りません。照明を確認してください", "More light, please"),
    "overexposed": ("明るすぎます。照明を確認してください", "Too bright: check the lighting"),
    "blurry": ("そのまま動かないでください", "Please hold still"),
}


@dataclass(frozen=True)
class Guidance:
    """One message for the booth UI."""

    code: str
    ja: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "ja": self.ja, "en": self.en}


def guidance_for(quality: Quality) -> list[Guidance]:
    """The messages a frame of this quality calls for (at most one per distinct message)."""
    out: list[Guidance] = []
    for code, (ja, en) in GUIDANCE.items():
        if code in quality.issues and all(g.en != en for g in out):
            out.append(Guidance(code, ja, en))
    return out


@dataclass
class CaptureResult:
    """The chosen frame (None when no frame was usable) and how the capture went."""

    image: np.ndarray | None
    frame_index: int | None
    quality: Quality | None
    frames_seen: int
    guidance: list[Guidance] = field(default_factory=list)
    ms: float = 0.0
    reason: str | None = None
    # The chosen frame's detection, alignment and quality, so verification need not redo
    # them: `verifier.compare(chip_template, result.template)` (only the embedding is left).
    template: FaceTemplate | None = None

    @property
    def ok(self) -> bool:
        return self.image is not None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "frame": self.frame_index,
            "frames_seen": self.frames_seen,
            "quality": self.quality.as_dict() if self.quality else None,
            "guidance": [g.as_dict() for g in self.guidance],
            "ms": round(self.ms, 1),
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def assess_frame(models: FaceModels, bgr: np.ndarray) -> Quality:
    """Detect, align and assess one BGR frame."""
    return analyse(models, bgr).quality


def capture_best(
    camera: Any,
    window_s: float = 3.0,
    models: FaceModels | None = None,
    on_guidance: Callable[[list[Guidance]], None] | None = None,
) -> CaptureResult:
    """Read frames for `window_s` seconds (live) or `window_s * fps` frames (file playback)."""
    models = models or load_models()
    start = time.monotonic()
    max_frames = max(1, round(window_s * camera.fps))
    live = getattr(camera, "live", False)
    best: tuple[float, int, np.ndarray, FaceTemplate] | None = None
    shown: list[Guidance] = []
    last_codes: tuple[str, ...] = ()
    issues_seen: Counter[str] = Counter()
    seen = 0
    while seen < max_frames and not (live and time.monotonic() - start > window_s):
        frame = camera.read()
        if frame is None:
            break
        seen += 1
        analysed = analyse(models, frame.image)
        quality = analysed.quality
        issues_seen.update(quality.issues)
        score = quality.score()
        if quality.usable and (best is None or score > best[0]):
            best = (score, frame.index, frame.image, analysed)
        advice = guidance_for(quality)
        codes = tuple(g.code for g in advice)
        if codes != last_codes:
            last_codes = codes
            if advice and on_guidance is not None:
                on_guidance(advice)
            shown += [g for g in advice if g not in shown]
    ms = (time.monotonic() - start) * 1000
    if best is None:
        common = ", ".join(code for code, _ in issues_seen.most_common(3)) or "no frames"
        reason = f"no usable frame in {seen} frame(s): {common}"
        logger.info("capture failed: %s", reason)
        return CaptureResult(None, None, None, seen, shown, ms, reason)
    _, index, image, analysed = best
    return CaptureResult(image, index, analysed.quality, seen, shown, ms, template=analysed)
