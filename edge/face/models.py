"""The offline face models (dlib HOG detector, 5-point landmarks, ResNet embedder, eyelid
landmarks), loaded once.

The embedder runs dlib's ResNet weights with numpy (edge/face/resnet.py): same numbers as
dlib's own `face_recognition_model_v1`, about 4x less CPU than the BLAS-less dlib-bin build.

The weights ship inside the `face_recognition_models` package (CC0). We locate its files
without importing it (its `__init__` needs `pkg_resources`) and never touch the network.
The 68-point landmark model in the same package is deliberately NOT used: its training data
(iBUG 300-W) forbids commercial use.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.face.resnet import FaceResNet

logger = logging.getLogger(__name__)

LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
EMBEDDER_FILE = "dlib_face_recognition_resnet_model_v1.dat"


class ModelError(Exception):
    """The face models are missing or cannot be loaded."""


@dataclass(frozen=True)
class FaceModels:
    """The three dlib objects the pipeline needs, plus where they came from."""

    detector: Any  # dlib.fhog_object_detector
    landmarks: Any  # dlib.shape_predictor (5 points)
    embedder: Any  # edge.face.resnet.FaceResNet (dlib's weights, numpy forward pass)
    model_dir: Path
    load_ms: float
    eyes: Any = None  # cv2.dnn.Net for eyelid landmarks (edge/face/eyes.py), None if absent


def models_dir() -> Path:
    """Folder holding the packaged weights (inside the installed face_recognition_models)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "face models not installed: install the 'face_recognition_models' package "
            "(it carries dlib's weights; see docs/face.md)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in (LANDMARKS_FILE, EMBEDDER_FILE):
        if not (folder / name).is_file():
            raise ModelError(f"face model file missing: {folder / name}")
    return folder


@functools.lru_cache(maxsize=1)
def load_models() -> FaceModels:
    """Load the models once per process (about 1.5 s); later calls return the same object."""
    try:
        import dlib
    except ImportError as exc:
        raise ModelError("dlib is not installed: install the 'dlib-bin' package") from exc
    from edge.face.eyes import load_eye_model  # eyes -> quality -> detect -> this module

    folder = models_dir()
    start = time.perf_counter()
    detector = dlib.get_frontal_face_detector()
    landmarks = dlib.shape_predictor(str(folder / LANDMARKS_FILE))
    embedder = FaceResNet(folder / EMBEDDER_FILE)
    eyes = load_eye_model()
    models = FaceModels(
        detector=detector,
        landmarks=landmarks,
        embedder=embedder,
        model_dir=folder,
        load_ms=(time.perf_counter() - start) * 1000,
        eyes=eyes,
    )
    logger.info("face models loaded from %s in %.0f ms", folder, models.load_ms)
    return models
