"""Fixtures: the face models loaded once per session, and the offline face images."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[2]
DG2 = REPO.parent / "shared" / "testdata" / "emrtd" / "bsi2008" / "Datagroup2.bin"


@pytest.fixture(scope="session")
def verifier():
    from edge.face.verify import FaceVerifier

    return FaceVerifier()


@pytest.fixture(scope="session")
def models(verifier):
    return verifier.models


@pytest.fixture(scope="session")
def collins() -> np.ndarray:
    """Eileen Collins, NASA portrait (public domain), as shipped in scikit-image."""
    return cv2.imread(str(DATA / "collins__astronaut.jpg"))


@pytest.fixture(scope="session")
def hopper() -> np.ndarray:
    """Grace Hopper, US Navy portrait (public domain), as shipped in matplotlib."""
    return cv2.imread(str(DATA / "hopper__navy.jpg"))


@pytest.fixture(scope="session")
def dg2_jp2() -> bytes:
    """The JPEG 2000 face image of the BSI 'Mustermann' test passport's DG2 (a real chip photo)."""
    if not DG2.is_file():
        pytest.skip(f"shared test data not found: {DG2}")
    data = DG2.read_bytes()
    return data[data.index(b"\x00\x00\x00\x0cjP  ") :]


def face_box(models, bgr: np.ndarray) -> tuple[int, int, int, int]:
    from edge.face.detect import detect_faces

    return detect_faces(models, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))[0].box
