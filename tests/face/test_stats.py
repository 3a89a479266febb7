"""Per-booth biometric counters for the heartbeat."""

from __future__ import annotations

from edge.face.capture import CaptureResult
from edge.face.stats import FaceStats
from edge.face.verify import Verification


def _v(score, match):
    return Verification(score=score, match=match, threshold=0.5, quality={}, ms=1.0)


def test_counters_follow_decisions_and_captures():
    stats = FaceStats()
    for v in (_v(0.9, True), _v(0.1, False), _v(0.45, None), _v(None, None), _v(0.8, True)):
        stats.record_verification(v)
    stats.record_capture(CaptureResult(image=None, frame_index=None, quality=None, frames_seen=9))
    counts = stats.as_dict()
    assert counts == {
        "captures": 1,
        "capture_failures": 1,
        "verifications": 5,
        "match": 2,
        "non_match": 1,
        "unsure": 2,
        "no_face": 1,
    }
    assert all(isinstance(v, int) for v in counts.values())
    counts["match"] = 99  # a copy: the heartbeat cannot change the counters
    assert stats.as_dict()["match"] == 2
