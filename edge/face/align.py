"""Alignment: rotate, scale and crop a face to the 150x150 chip the embedder was trained on."""

from __future__ import annotations

import numpy as np

from edge.face.detect import Face

CHIP_SIZE = 150  # fixed by dlib's ResNet model
CHIP_PADDING = 0.25  # dlib's default, the setting the model was trained with


def align_face(rgb: np.ndarray, face: Face) -> np.ndarray:
    """The aligned RGB chip (150x150x3 uint8) for one detected face."""
    import dlib

    return np.asarray(dlib.get_face_chip(rgb, face.shape, size=CHIP_SIZE, padding=CHIP_PADDING))
