"""Firmware profiles: one declarative, validated TOML file per device model and firmware version.

Generic on purpose: the loader checks the common header (`[device]`: kind, vendor, model,
firmware) and hands back the `[settings]` table; each driver validates its own settings
(e.g. `devices.camera.CameraSettings`).
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

logger = logging.getLogger(__name__)

PROFILES_DIR = Path(__file__).resolve().parent.parent / "firmware_profiles"


class ProfileError(Exception):
    """A firmware profile that is missing, not TOML, or fails validation."""


class DeviceInfo(BaseModel):
    """Which hardware and firmware a profile is for."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # camera, document_reader, chip_reader...
    vendor: str = Field(min_length=1)
    model: str = Field(min_length=1)
    firmware: str = Field(min_length=1)
    description: str = ""


class DeviceProfile(BaseModel):
    """The whole file: a format version, the device header and its settings table."""

    model_config = ConfigDict(extra="forbid")

    profile_version: int = Field(1, ge=1, le=1)
    device: DeviceInfo
    settings: dict[str, Any] = Field(default_factory=dict)


def load_profile(path: str | Path, kind: str | None = None) -> dict[str, Any]:
    """Read and validate one profile; `kind` (e.g. "camera") must match when given."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read firmware profile {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"firmware profile {path} is not valid TOML: {exc}") from exc
    try:
        profile = DeviceProfile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ProfileError(f"firmware profile {path} is invalid: {problems}") from exc
    if kind is not None and profile.device.kind != kind:
        raise ProfileError(f"firmware profile {path} is for a {profile.device.kind}, not a {kind}")
    logger.debug("loaded profile %s (%s %s)", path, profile.device.vendor, profile.device.model)
    return profile.model_dump()
