"""Per-booth biometric counters for the heartbeat: captures, failures, match, non-match, unsure.

Central compares these across booths to spot a camera or lighting that degrades (a rising
capture-failure or unsure rate). Thread-safe; `as_dict()` is what the heartbeat carries.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

COUNTERS = (
    "captures",
    "capture_failures",
    "verifications",
    "match",
    "non_match",
    "unsure",
    "no_face",
)


class FaceStats:
    """Counters since the agent started (monotonic; central computes rates from deltas)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(COUNTERS, 0)

    def _add(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self._counts[name] += 1

    def record_capture(self, result: Any) -> None:
        """Count one capture attempt (an `edge.face.capture.CaptureResult`)."""
        self._add("captures", *(() if result.ok else ("capture_failures",)))

    def record_verification(self, result: Any) -> None:
        """Count one decision (an `edge.face.verify.Verification`)."""
        if result.match is True:
            self._add("verifications", "match")
        elif result.match is False:
            self._add("verifications", "non_match")
        elif result.score is None:
            self._add("verifications", "unsure", "no_face")
        else:
            self._add("verifications", "unsure")

    def as_dict(self) -> dict[str, int]:
        """A copy of the counters, e.g. {"captures": 12, "capture_failures": 1, ...}."""
        with self._lock:
            return dict(self._counts)
