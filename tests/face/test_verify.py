"""Verification end to end on real images: matches, non-matches, and the null decisions."""

from __future__ import annotations

import cv2
import numpy as np

from edge.face.variations import BOOTH_LOOKS, Look, booth_frame, chip_photo
from edge.face.verify import DEFAULT_CALIBRATION, load_image, verify
from tests.face.conftest import face_box


def test_same_person_matches_chip_vs_booth_frame(verifier, models, collins):
    box = face_box(models, collins)
    chip = chip_photo(collins, box)
    frame = booth_frame(collins, box, BOOTH_LOOKS[2])  # rotated, darker, blurred, JPEG 70
    result = verifier.verify(chip, frame)
    assert result.match is True, result
    assert result.score >= DEFAULT_CALIBRATION.match_at
    assert result.reason is None
    assert result.ms > 0


def test_real_chip_photo_jpeg2000_matches_its_booth_rendering(verifier, models, dg2_jp2):
    chip = load_image(dg2_jp2)  # OpenCV decodes the chip's JPEG 2000
    assert chip.shape == (531, 413, 3)
    frame = booth_frame(chip, face_box(models, chip), Look(face_height=180, angle=4, gamma=1.2))
    result = verifier.verify(dg2_jp2, frame)
    assert result.match is True, result
    assert result.quality["a"]["faces"] == 1 and result.quality["a"]["usable"]


def test_different_people_do_not_match(verifier, collins, hopper, dg2_jp2):
    for a, b in ((collins, hopper), (hopper, dg2_jp2), (collins, dg2_jp2)):
        result = verifier.verify(a, b)
        assert result.match is False, result
        assert result.score <= DEFAULT_CALIBRATION.nonmatch_at


def test_module_level_verify_uses_one_verifier(collins, hopper):
    result = verify(collins, hopper)
    assert result.match is False
    assert set(result.as_dict()) == {"score", "match", "threshold", "quality", "ms"}


def test_no_face_gives_null_with_reason(verifier, collins):
    wall = np.full((480, 640, 3), 170, np.uint8)
    cv2.putText(wall, "SEKISHO", (150, 250), cv2.FONT_HERSHEY_SIMPLEX, 2, (40, 40, 40), 5)
    result = verifier.verify(collins, wall)
    assert result.match is None and result.score is None
    assert "image B" in result.reason and "no face" in result.reason
    assert result.quality["b"]["issues"] == ["no_face"]
    assert "reason" in result.as_dict()


def test_two_faces_are_rejected_by_quality(verifier, models, collins, hopper):
    left = booth_frame(collins, face_box(models, collins), Look(face_height=150), frame=(320, 480))
    right = booth_frame(hopper, face_box(models, hopper), Look(face_height=150), frame=(320, 480))
    two = np.hstack([left, right])
    result = verifier.verify(two, collins)
    assert result.match is None
    assert "multiple_faces" in result.quality["a"]["issues"]
    assert "2 faces" in result.reason


def test_tiny_face_is_rejected_by_quality(verifier, models, collins):
    tiny = booth_frame(collins, face_box(models, collins), Look(face_height=55))
    result = verifier.verify(collins, tiny)
    assert result.match is None
    assert "too_small" in result.quality["b"]["issues"]
    assert "too small" in result.reason


def test_chip_size_jpeg2000_works(verifier, models, hopper):
    jp2 = chip_photo(hopper, face_box(models, hopper), size=(240, 320))
    assert jp2.startswith(b"\x00\x00\x00\x0cjP  ")  # a JP2 file, as on the chip
    assert len(jp2) < 40_000
    assert load_image(jp2).shape == (320, 240, 3)
    result = verifier.verify(jp2, hopper)
    assert result.match is True, result


def test_blurred_non_match_goes_to_the_inspector(verifier, models, collins, hopper):
    smeared = booth_frame(hopper, face_box(models, hopper), Look(face_height=220, blur=4.0))
    result = verifier.verify(collins, smeared)
    assert "blurry" in result.quality["b"]["issues"]
    assert result.match is None
    assert "inspector" in result.reason


def test_calibration_from_impostor_scores(tmp_path):
    import json

    import pytest

    from edge.face.verify import Calibration, CalibrationError

    impostor = [i / 2000 for i in range(2000)]  # 0.0 .. 0.9995
    cal = Calibration.from_scores(impostor, target_fmr=0.001, band=0.1)
    fmr = sum(s >= cal.match_at for s in impostor) / len(impostor)
    assert fmr <= 0.001 and cal.match_at > 0.998
    assert cal.nonmatch_at == pytest.approx(cal.match_at - 0.1, abs=1e-3)
    few = Calibration.from_scores([0.1, 0.35, 0.2], target_fmr=0.001)
    assert few.match_at > 0.35  # too few pairs for 0.1%: just above the highest impostor
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(cal.as_dict()), encoding="utf-8")
    assert Calibration.load(path) == cal
    path.write_text(json.dumps({**cal.as_dict(), "nonmatch_at": 0.99, "match_at": 0.5}))
    with pytest.raises(CalibrationError, match="nonmatch_at <= match_at"):
        Calibration.load(path)


def test_stricter_calibration_turns_a_match_into_unsure(models, collins):
    from edge.face.verify import Calibration, FaceVerifier

    box = face_box(models, collins)
    strict = FaceVerifier(models, Calibration(match_at=0.99, nonmatch_at=0.2))
    result = strict.verify(chip_photo(collins, box), booth_frame(collins, box, BOOTH_LOOKS[1]))
    assert result.match is None and result.threshold == 0.99
    assert result.reason.startswith("unsure")
