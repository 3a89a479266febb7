"""OCR-B glyph recogniser: a small two-layer perceptron over normalised cell patches.

The weights live in `glyphs.npz` next to this file (about 0.3 MB), produced by
`python -m edge.mrz.ocr.train` from rendered, photographed synthetic documents (the OCR-B
font of Debian's fonts-ocr-b). Inference is a few matrix products in numpy: well under a
millisecond for a whole MRZ.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
WEIGHTS_PATH = Path(__file__).with_name("glyphs.npz")


class RecogniserError(RuntimeError):
    """The recogniser's weights are missing or do not fit the patches given."""


def features(patches: np.ndarray) -> np.ndarray:
    """Flattened patches, each scaled to unit peak ink (contrast differs between prints)."""
    x = patches.reshape(len(patches), -1).astype(np.float32)
    peak = np.maximum(x.max(1, keepdims=True), 0.2)
    return x / peak


class Recogniser:
    """Class probabilities over ALPHABET for a stack of GLYPH_H x GLYPH_W ink patches."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.mean = weights["mean"].astype(np.float32)
        self.std = weights["std"].astype(np.float32)
        self.layers = [
            (weights[f"w{i}"].astype(np.float32), weights[f"b{i}"].astype(np.float32))
            for i in range(int(weights["depth"]))
        ]

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Recogniser:
        if not path.exists():
            raise RecogniserError(
                f"no recogniser weights at {path}; run `python -m edge.mrz.ocr.train` to build them"
            )
        with np.load(path) as data:
            return cls({k: data[k] for k in data.files})

    def logits(self, patches: np.ndarray) -> np.ndarray:
        h = (features(patches) - self.mean) / self.std
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                np.maximum(h, 0, out=h)
        return h

    def probabilities(self, patches: np.ndarray) -> np.ndarray:
        """(n, len(ALPHABET)) softmax probabilities."""
        z = self.logits(patches)
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)


@lru_cache(maxsize=1)
def default_recogniser() -> Recogniser:
    """The packaged recogniser, loaded once per process."""
    return Recogniser.load()
