"""Capture from the simulated camera (a real video file through cv2.VideoCapture)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from devices.camera import CameraError, OpenCVCamera, StillImageCamera, open_camera
from edge.face.capture import capture_best
from edge.face.variations import Look, booth_frame, chip_photo
from tests.face.conftest import face_box

SHARP_FRAMES = range(10, 13)


@pytest.fixture(scope="module")
def approach_video(tmp_path_factory, models, collins) -> Path:
    """18 frames: far away (tiny face), then blurred, then 3 sharp frontal, then blurred."""
    box = face_box(models, collins)
    frames = [booth_frame(collins, box, Look(face_height=70), seed=i) for i in range(5)]
    frames += [booth_frame(collins, box, Look(face_height=200, blur=4.0)) for _ in range(5)]
    frames += [booth_frame(collins, box, Look(face_height=220)) for _ in SHARP_FRAMES]
    frames += [booth_frame(collins, box, Look(face_height=230, blur=3.5)) for _ in range(5)]
    path = tmp_path_factory.mktemp("camera") / "approach.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def test_capture_picks_the_sharp_frontal_frame_and_guides(models, approach_video):
    camera = open_camera(str(approach_video))
    assert isinstance(camera, OpenCVCamera) and not camera.live
    seen = []
    result = capture_best(camera, window_s=3.0, models=models, on_guidance=seen.append)
    camera.close()
    assert result.ok
    assert result.frame_index in SHARP_FRAMES
    assert result.frames_seen == 18
    assert result.quality.ok, result.quality.issues
    codes = {g.code for g in result.guidance}
    assert "small" in codes or "too_small" in codes
    assert "blurry" in codes
    texts = [(g.ja, g.en) for advice in seen for g in advice]
    assert ("もう少し近づいてください", "Please move closer") in texts
    assert ("そのまま動かないでください", "Please hold still") in texts


def test_capture_window_limits_frames(models, approach_video):
    with open_camera(str(approach_video)) as camera:
        result = capture_best(camera, window_s=0.2, models=models)  # 0.2 s x 15 fps = 3 frames
    assert result.frames_seen == 3
    assert not result.ok  # only far-away frames were seen
    assert "too_small" in result.reason
    assert "no usable frame" in result.reason


def test_still_image_is_a_simulated_camera(models, tmp_path, hopper):
    path = tmp_path / "still.jpg"
    cv2.imwrite(str(path), hopper)
    camera = open_camera(str(path))
    assert isinstance(camera, StillImageCamera)
    result = capture_best(camera, window_s=0.2, models=models)
    assert result.ok and result.frames_seen == 3  # 0.2 s at the simulated profile's 15 fps
    assert result.image.shape == hopper.shape


def test_unknown_source_is_refused():
    with pytest.raises(CameraError, match="neither a device"):
        open_camera("no-such-file.mp4")


def test_profile_settings_orient_and_pace_the_simulated_camera(tmp_path, hopper, approach_video):
    profile = {
        "device": {"kind": "camera", "vendor": "T", "model": "T", "firmware": "1"},
        "settings": {"rotate": 90, "mirror": True, "still_frames": 2, "fps": 50, "realtime": True},
    }
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), hopper)
    with open_camera(str(path), profile) as camera:
        frame = camera.read()
        assert frame.image.shape == (hopper.shape[1], hopper.shape[0], 3)
        expected = cv2.flip(cv2.rotate(hopper, cv2.ROTATE_90_CLOCKWISE), 1)
        assert (frame.image == expected).all()
        assert camera.read() is not None and camera.read() is None  # still_frames = 2
    with open_camera(str(approach_video), profile) as camera:
        assert camera.live  # realtime playback behaves like a live camera
        start = camera.read().timestamp
        for _ in range(7):
            last = camera.read()
        assert camera.fps == 15  # a video file keeps its own frame rate
        assert last.timestamp - start >= 0.4  # 7 frames at 15 fps: ~0.47 s, unpaced ~0.02 s


def test_captured_template_spares_verification_the_detection(verifier, approach_video, collins):
    chip = verifier.template(chip_photo(collins, face_box(verifier.models, collins)))
    with open_camera(str(approach_video)) as camera:
        result = capture_best(camera, window_s=3.0, models=verifier.models)
    assert result.template is not None and result.template.embedding is None
    assert result.template.quality is result.quality
    quick = verifier.compare(chip, result.template)  # only the live embedding is computed
    full = verifier.verify(result.image, chip_photo(collins, face_box(verifier.models, collins)))
    assert quick.match is True and abs(quick.score - full.score) < 0.02
