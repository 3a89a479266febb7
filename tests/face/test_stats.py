"""Per-booth biometric counters for the heartbeat."""

from __future__ import annotations

from edge.face.capture import CaptureResult, Guidance
from edge.face.quality import Quality
from edge.face.stats import RECENT, FaceStats
from edge.face.verify import Verification
from sekisho.wire import messages as m


def _v(score, match, ms=100.0):
    return Verification(score=score, match=match, threshold=0.5, quality={}, ms=ms)


def _failed(*codes):
    guidance = [Guidance(c, "", "") for c in codes]
    return CaptureResult(None, None, None, frames_seen=9, guidance=guidance)


def _captured(*issues):
    return CaptureResult(object(), 3, Quality(faces=1, issues=list(issues)), frames_seen=9)


def test_counters_follow_decisions_and_captures():
    stats = FaceStats()
    for v in (_v(0.9, True), _v(0.1, False), _v(0.45, None), _v(None, None), _v(0.8, True)):
        stats.record_verification(v)
    stats.record_capture(_failed("too_small", "underexposed"))
    stats.record_capture(_captured("blurry", "small"))
    counts = stats.as_dict()
    assert {k: counts[k] for k in ("captures", "capture_failures", "verifications")} == {
        "captures": 2,
        "capture_failures": 1,
        "verifications": 5,
    }
    assert (counts["match"], counts["non_match"], counts["unsure"], counts["no_face"]) == (
        2,
        1,
        2,
        1,
    )
    assert counts["capture_too_small"] == counts["capture_underexposed"] == 1
    assert counts["capture_blurry"] == 1 and counts["capture_overexposed"] == 0
    assert counts["recent_verify_ms_median"] == 100
    assert all(isinstance(v, int) for v in counts.values())
    counts["match"] = 99  # a copy: the heartbeat cannot change the counters
    assert stats.as_dict()["match"] == 2


def test_recent_window_shows_a_booth_that_degrades_today():
    clock = iter(range(0, 10_000, 10))
    stats = FaceStats(clock=lambda: next(clock))
    for _ in range(500):  # weeks of good captures
        stats.record_capture(_captured())
        stats.record_verification(_v(0.9, True))
    for _ in range(RECENT // 2):  # then the light fails
        stats.record_capture(_failed("underexposed"))
        stats.record_verification(_v(0.46, None))
    counts = stats.as_dict()
    assert counts["capture_failures"] / counts["captures"] < 0.1  # all-time share hides it
    assert counts["recent_captures"] == RECENT
    assert counts["recent_capture_failures"] / counts["recent_captures"] == 0.5
    assert counts["recent_unsure"] == RECENT // 2 and counts["recent_match"] == RECENT // 2
    assert counts["capture_underexposed"] == RECENT // 2
    assert counts["seconds"] > 0


def test_heartbeat_carries_the_counters():
    stats = FaceStats()
    stats.record_capture(_failed("blurry"))
    fields = stats.heartbeat_fields()
    beat = m.Heartbeat(
        port="NRT",
        booth="B01",
        at=m.utc_now(),
        state="open",
        outbox=m.OutboxState(depth=0),
        software="test",
        **fields,
    )
    assert beat.biometrics == stats.as_dict()
    assert beat.biometrics["capture_failures"] == 1 and beat.biometrics["capture_blurry"] == 1
