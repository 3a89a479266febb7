"""Camera firmware profiles: the shipped ones validate, broken ones are refused clearly."""

from __future__ import annotations

import pytest

from devices.camera import CameraError, camera_settings
from devices.profiles import PROFILES_DIR, ProfileError, load_profile

CAMERA_PROFILES = sorted((PROFILES_DIR / "cameras").glob("*.toml"))


def test_shipped_camera_profiles_validate():
    assert len(CAMERA_PROFILES) >= 2
    for path in CAMERA_PROFILES:
        profile = load_profile(path, kind="camera")
        settings = camera_settings(profile)
        assert profile["device"]["kind"] == "camera"
        assert settings.fps is None or settings.fps > 0


def test_real_camera_profile_settings():
    settings = camera_settings(load_profile(PROFILES_DIR / "cameras" / "logitech-c920-uvc.toml"))
    assert (settings.width, settings.height, settings.fourcc) == (1280, 720, "MJPG")
    assert settings.backend == "v4l2" and settings.autofocus is False


def test_broken_profiles_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[device]\nkind = "camera"\nvendor = "X"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"device\.model"):
        load_profile(bad)
    bad.write_text("[device\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        '[device]\nkind = "camera"\nvendor = "X"\nmodel = "Y"\nfirmware = "1"\n'
        "[settings]\nfps = -3\n",
        encoding="utf-8",
    )
    with pytest.raises(CameraError, match="fps"):
        camera_settings(load_profile(wrong))
    with pytest.raises(ProfileError, match="not a chip_reader"):
        load_profile(wrong, kind="chip_reader")
