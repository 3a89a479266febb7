"""Per-booth biometric counters for the heartbeat: captures, failures, match, non-match, unsure.

Central compares these across booths to spot a camera or lighting that degrades: a rising
capture-failure or unsure share, or more captures that are dark, bright or blurred. Counters
run since the agent started (central sees a restart as counters going down); the `recent_*`
counters cover only the last `RECENT` captures / verifications, so a booth that degrades
today is not hidden by weeks of good history. Thread-safe; every value is an int, as the
heartbeat's `biometrics: dict[str, int]` requires.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections import deque
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
# Issues of the captured frame (or, when capture failed, the guidance it had to give) that
# point at the booth rather than the traveller: light, focus, camera placement.
CAPTURE_ISSUES = ("underexposed", "overexposed", "blurry", "too_small", "eyes_closed")
RECENT = 100  # captures / verifications in the rolling window


class FaceStats:
    """Counters since the agent started, plus the same shares over the last RECENT events."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._started = clock()
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._issues = dict.fromkeys(CAPTURE_ISSUES, 0)
        self._recent_captures: deque[bool] = deque(maxlen=RECENT)  # True = failed
        self._recent_verdicts: deque[str] = deque(maxlen=RECENT)  # match / non_match / unsure
        self._recent_ms: deque[float] = deque(maxlen=RECENT)

    def record_capture(self, result: Any) -> None:
        """Count one capture attempt (an `edge.face.capture.CaptureResult`)."""
        if result.ok and result.quality is not None:
            issues = set(result.quality.issues)
        else:
            issues = {g.code for g in result.guidance}
        with self._lock:
            self._counts["captures"] += 1
            self._counts["capture_failures"] += 0 if result.ok else 1
            for code in issues.intersection(CAPTURE_ISSUES):
                self._issues[code] += 1
            self._recent_captures.append(not result.ok)

    def record_verification(self, result: Any) -> None:
        """Count one decision (an `edge.face.verify.Verification`)."""
        verdict = {True: "match", False: "non_match"}.get(result.match, "unsure")
        with self._lock:
            self._counts["verifications"] += 1
            self._counts[verdict] += 1
            if result.score is None:
                self._counts["no_face"] += 1
            self._recent_verdicts.append(verdict)
            self._recent_ms.append(float(result.ms))

    def as_dict(self) -> dict[str, int]:
        """A copy of the counters, e.g. {"captures": 12, "capture_failures": 1, ...}."""
        with self._lock:
            out = dict(self._counts)
            out.update({f"capture_{code}": n for code, n in self._issues.items()})
            out["seconds"] = int(self._clock() - self._started)
            out["recent_captures"] = len(self._recent_captures)
            out["recent_capture_failures"] = sum(self._recent_captures)
            out["recent_verifications"] = len(self._recent_verdicts)
            for verdict in ("match", "non_match", "unsure"):
                out[f"recent_{verdict}"] = self._recent_verdicts.count(verdict)
            ms = list(self._recent_ms)
        out["recent_verify_ms_median"] = round(statistics.median(ms)) if ms else 0
        return out

    def heartbeat_fields(self) -> dict[str, dict[str, int]]:
        """What the booth agent merges into its heartbeat: {"biometrics": {...}}."""
        return {"biometrics": self.as_dict()}
