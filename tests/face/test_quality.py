"""Quality measures and guidance on real faces."""

from __future__ import annotations

import cv2

from edge.face.capture import assess_frame, guidance_for
from edge.face.quality import MIN_SHARPNESS, Quality
from edge.face.variations import Look, booth_frame
from tests.face.conftest import face_box


def test_sharpness_drops_when_blurred(models, hopper):
    box = face_box(models, hopper)
    sharp = assess_frame(models, booth_frame(hopper, box, Look(face_height=220)))
    blurred = assess_frame(models, booth_frame(hopper, box, Look(face_height=220, blur=4.0)))
    assert sharp.sharpness > MIN_SHARPNESS > blurred.sharpness
    assert "blurry" in blurred.issues and "blurry" not in sharp.issues


def test_exposure_flags_dark_and_bright_frames(models, hopper):
    box = face_box(models, hopper)
    dark = assess_frame(models, booth_frame(hopper, box, Look(face_height=220, gamma=5.0)))
    bright = assess_frame(models, booth_frame(hopper, box, Look(face_height=220, gamma=0.25)))
    assert "underexposed" in dark.issues
    assert "overexposed" in bright.issues


def test_pose_measures_roll(models, collins):
    box = face_box(models, collins)
    tilted = assess_frame(models, booth_frame(collins, box, Look(face_height=220, angle=25)))
    assert abs(tilted.roll_deg) > 15
    assert "tilted" in tilted.issues


def test_frontal_sharp_frame_has_no_issue(models, collins):
    frame = booth_frame(collins, face_box(models, collins), Look(face_height=220))
    q = assess_frame(models, frame)
    assert q.ok, q.issues
    assert abs(q.yaw) < 0.15 and q.eye_distance_px > 60
    assert cv2.countNonZero(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)) > 0


def test_guidance_in_japanese_and_english():
    advice = guidance_for(Quality(faces=1, issues=["too_small", "underexposed"]))
    assert [(g.ja, g.en) for g in advice] == [
        ("もう少し近づいてください", "Please move closer"),
        ("明るさが足りません。照明を確認してください", "More light, please"),
    ]
    assert guidance_for(Quality(faces=1)) == []
