"""The booth camera interface, with a real OpenCV driver and a simulated (file) one.

`open_camera(source, profile)` returns a `Camera`:
  * `OpenCVCamera` for a V4L2 device ("0", "/dev/video0"), an RTSP/HTTP stream, or a video
    file (the simulated camera plays files through the very same VideoCapture code);
  * `StillImageCamera` for an image file (repeated as frames: a simulated still camera).
Settings (resolution, fps, exposure, focus...) come from a firmware profile's `[settings]`.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devices.profiles import PROFILES_DIR, load_profile

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".jp2", ".j2k", ".tif", ".tiff", ".webp"}
SIMULATED_PROFILE = PROFILES_DIR / "cameras" / "simulated.toml"


class CameraError(Exception):
    """A camera that cannot be opened, or refuses its settings."""


class CameraSettings(BaseModel):
    """The `[settings]` of a camera firmware profile. Unset values keep the device default."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["any", "v4l2", "ffmpeg"] = "any"
    width: int | None = Field(None, gt=0)
    height: int | None = Field(None, gt=0)
    fps: float | None = Field(None, gt=0)
    fourcc: str | None = Field(None, min_length=4, max_length=4)
    auto_exposure: bool | None = None
    exposure: float | None = None
    gain: float | None = None
    brightness: float | None = None
    autofocus: bool | None = None
    focus: float | None = None
    buffer_size: int | None = Field(None, ge=1)
    warmup_frames: int = Field(0, ge=0)
    rotate: Literal[0, 90, 180, 270] = 0
    mirror: bool = False
    realtime: bool = False  # file sources: deliver frames at `fps`, like a live camera
    still_frames: int = Field(15, ge=1)  # image sources: how many frames a still yields


@dataclass(frozen=True)
class Frame:
    """One frame: BGR pixels, its index in the stream and when it was read (monotonic s)."""

    image: np.ndarray
    index: int
    timestamp: float


class Camera(Protocol):
    """What capture needs from a camera."""

    source: str
    fps: float
    live: bool  # frames arrive in real time (capture windows are then timed, not counted)

    def read(self) -> Frame | None:
        """The next frame, or None when the stream has ended."""
        ...

    def close(self) -> None: ...

    def status(self) -> str:
        """'ok', 'absent' or 'fault', for the booth heartbeat."""
        ...


def camera_settings(profile: dict[str, Any] | None) -> CameraSettings:
    """Validate a loaded profile's settings as camera settings."""
    if profile is None:
        return CameraSettings()
    if profile.get("device", {}).get("kind") != "camera":
        raise CameraError("the firmware profile is not a camera profile")
    try:
        return CameraSettings.model_validate(profile.get("settings", {}))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CameraError(f"camera profile settings are invalid: {problems}") from exc


def _orient(image: np.ndarray, settings: CameraSettings) -> np.ndarray:
    import cv2

    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if settings.rotate:
        image = cv2.rotate(image, turns[settings.rotate])
    return cv2.flip(image, 1) if settings.mirror else image


class OpenCVCamera:
    """A `cv2.VideoCapture` source: V4L2 device, RTSP/HTTP stream or video file."""

    def __init__(self, source: str, settings: CameraSettings | None = None) -> None:
        import cv2

        self.source = source
        self.settings = settings or CameraSettings()
        self.is_file = Path(source).is_file()
        # live: frames arrive in real time (a device, a stream, or a paced file)
        self.live = not self.is_file or self.settings.realtime
        api = {"any": cv2.CAP_ANY, "v4l2": cv2.CAP_V4L2, "ffmpeg": cv2.CAP_FFMPEG}
        target: int | str = int(source) if source.isdigit() else source
        self._cap = cv2.VideoCapture(target, api[self.settings.backend])
        if not self._cap.isOpened():
            raise CameraError(f"cannot open camera source {source!r}")
        self.rejected = self._apply(self.settings)
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or self.settings.fps or 15.0)
        self._index = 0
        self._started = time.monotonic()
        self._failed = False
        for _ in range(self.settings.warmup_frames):
            self._cap.grab()
        logger.info("camera %s opened at %.1f fps", source, self.fps)

    def _apply(self, s: CameraSettings) -> list[str]:
        """Push the profile's settings to the device; return the names it refused."""
        import cv2

        wanted: dict[str, tuple[int, float]] = {}
        if s.fourcc:
            wanted["fourcc"] = (cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*s.fourcc))
        for name, prop in (
            ("width", cv2.CAP_PROP_FRAME_WIDTH),
            ("height", cv2.CAP_PROP_FRAME_HEIGHT),
            ("fps", cv2.CAP_PROP_FPS),
            ("exposure", cv2.CAP_PROP_EXPOSURE),
            ("gain", cv2.CAP_PROP_GAIN),
            ("brightness", cv2.CAP_PROP_BRIGHTNESS),
            ("focus", cv2.CAP_PROP_FOCUS),
            ("buffer_size", cv2.CAP_PROP_BUFFERSIZE),
        ):
            if getattr(s, name) is not None:
                wanted[name] = (prop, float(getattr(s, name)))
        if s.auto_exposure is not None:
            # V4L2 convention: 3 = aperture priority (auto), 1 = manual.
            wanted["auto_exposure"] = (cv2.CAP_PROP_AUTO_EXPOSURE, 3.0 if s.auto_exposure else 1.0)
        if s.autofocus is not None:
            wanted["autofocus"] = (cv2.CAP_PROP_AUTOFOCUS, 1.0 if s.autofocus else 0.0)
        if self.is_file:
            return []  # a file has no controls; only pacing and orientation apply
        rejected = [
            name for name, (prop, value) in wanted.items() if not self._cap.set(prop, value)
        ]
        if rejected:
            logger.warning("camera %s refused settings: %s", self.source, ", ".join(rejected))
        return rejected

    def read(self) -> Frame | None:
        if self.is_file and self.settings.realtime:
            if self._index == 0:
                self._started = time.monotonic()  # the clock starts with the first frame
            due = self._started + self._index / self.fps
            time.sleep(max(0.0, due - time.monotonic()))
        ok, image = self._cap.read()
        if not ok or image is None:
            self._failed = not self.is_file
            return None
        frame = Frame(_orient(image, self.settings), self._index, time.monotonic())
        self._index += 1
        return frame

    def close(self) -> None:
        self._cap.release()

    def status(self) -> str:
        if not self._cap.isOpened():
            return "absent"
        return "fault" if self._failed else "ok"

    def __enter__(self) -> OpenCVCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class StillImageCamera:
    """A simulated camera that shows one image file, `still_frames` times."""

    def __init__(self, source: str, settings: CameraSettings | None = None) -> None:
        import cv2

        self.source = source
        self.settings = settings or CameraSettings()
        data = np.fromfile(source, np.uint8) if Path(source).is_file() else np.empty(0, np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if image is None:
            raise CameraError(f"cannot open camera source {source!r}: not a readable image")
        self._image = _orient(image, self.settings)
        self.live = False
        self.fps = float(self.settings.fps or 15.0)
        self._index = 0

    def read(self) -> Frame | None:
        if self._index >= self.settings.still_frames:
            return None
        frame = Frame(self._image, self._index, time.monotonic())
        self._index += 1
        return frame

    def close(self) -> None:
        self._index = self.settings.still_frames

    def status(self) -> str:
        return "ok"

    def __enter__(self) -> StillImageCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_camera(source: str, profile: str | Path | dict[str, Any] | None = None) -> Camera:
    """Open a camera by source string, with settings from a profile (path or loaded dict).

    Without a profile, files use the simulated profile and devices/streams the device defaults.
    """
    is_stream = re.match(r"^[a-z][a-z0-9+.-]*://", source) is not None
    is_local_file = not is_stream and Path(source).is_file()
    if profile is None and is_local_file:
        profile = SIMULATED_PROFILE
    if isinstance(profile, str | Path):
        profile = load_profile(profile, kind="camera")
    settings = camera_settings(profile)
    if is_local_file and Path(source).suffix.lower() in IMAGE_SUFFIXES:
        return StillImageCamera(source, settings)
    if not (is_stream or is_local_file or source.isdigit() or source.startswith("/dev/")):
        raise CameraError(
            f"camera source {source!r} is neither a device (0, /dev/video0), a stream URL "
            "(rtsp://, http://) nor an existing file"
        )
    return OpenCVCamera(source, settings)
