"""OCR-B glyph recogniser: a small convolutional network over normalised cell patches.

The weights live in `glyphs.npz` next to this file (about 0.2 MB), produced by
`python -m edge.mrz.ocr.train` from rendered, photographed synthetic documents (the OCR-B
font of Debian's fonts-ocr-b). Training uses PyTorch; inference here is plain numpy (two
3x3 convolutions as im2col matrix products, two max-pools, two dense layers): about 3 ms
for the 88 cells of a passport MRZ on one core.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
WEIGHTS_PATH = Path(__file__).with_name("glyphs.npz")
FLOOR_QUANTILE = 0.25


class RecogniserError(RuntimeError):
    """The recogniser's weights are missing or do not fit the patches given."""


def features(patches: np.ndarray) -> np.ndarray:
    """Patches (n, h, w) from their own paper level to unit peak ink.

    Contrast differs between prints and along a line (uneven light), so each patch is
    stretched between its FLOOR_QUANTILE (paper: every glyph leaves most of its cell
    blank) and its darkest ink.
    """
    x = patches.astype(np.float32)
    flat = x.reshape(len(x), -1)
    k = int(FLOOR_QUANTILE * (flat.shape[1] - 1))
    floor = np.partition(flat, k, axis=1)[:, k]
    peak = np.maximum(flat.max(1) - floor, 0.2)
    return (x - floor[:, None, None]) / peak[:, None, None]


def conv3x3_relu(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A 'same' 3x3 convolution with ReLU on (n, h, w, c); `w` is (9 * c, c_out)."""
    n, h, wd, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.concatenate(
        [xp[:, dy : dy + h, dx : dx + wd, :] for dy in range(3) for dx in range(3)], axis=-1
    )
    out = cols.reshape(-1, 9 * c) @ w
    out += b
    np.maximum(out, 0, out=out)
    return out.reshape(n, h, wd, -1)


def maxpool2(x: np.ndarray) -> np.ndarray:
    """2x2 max-pooling of (n, h, w, c) with even h and w."""
    top = np.maximum(x[:, 0::2, 0::2], x[:, 0::2, 1::2])
    return np.maximum(top, np.maximum(x[:, 1::2, 0::2], x[:, 1::2, 1::2]))


class GlyphNet:
    """One trained network: class logits over ALPHABET for a stack of ink patches."""

    def __init__(self, weights: dict[str, np.ndarray], prefix: str = ""):
        self.mean = float(weights[prefix + "mean"])
        self.std = float(weights[prefix + "std"])
        self.convs = [
            (weights[f"{prefix}conv{i}_w"], weights[f"{prefix}conv{i}_b"])
            for i in range(int(weights[prefix + "n_conv"]))
        ]
        self.dense = [
            (weights[f"{prefix}fc{i}_w"], weights[f"{prefix}fc{i}_b"])
            for i in range(int(weights[prefix + "n_fc"]))
        ]

    def logits(self, patches: np.ndarray) -> np.ndarray:
        h = ((features(patches) - self.mean) / self.std)[..., None]
        for w, b in self.convs:
            h = maxpool2(conv3x3_relu(h, w, b))
        h = h.reshape(len(h), -1)
        for i, (w, b) in enumerate(self.dense):
            h = h @ w + b
            if i < len(self.dense) - 1:
                np.maximum(h, 0, out=h)
        return h


class Recogniser:
    """Class probabilities over ALPHABET for a stack of GLYPH_H x GLYPH_W ink patches.

    The weights file holds one or more networks trained apart. The first answers alone
    (fast); `thorough=True` averages the logits of all of them, which the reader asks for
    only when the fast reading is not sure: a second opinion where it matters, at no cost
    for the usual clear print.
    """

    def __init__(self, weights: dict[str, np.ndarray]):
        if str(weights.get("kind", "")) != "cnn":
            raise RecogniserError("these weights are not the convolutional recogniser; retrain")
        weights = {
            k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in weights.items()
        }
        count = int(weights.get("n_nets", 0))
        self.nets = (
            [GlyphNet(weights, f"net{i}_") for i in range(count)] if count else [GlyphNet(weights)]
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Recogniser:
        if not path.exists():
            raise RecogniserError(
                f"no recogniser weights at {path}; run `python -m edge.mrz.ocr.train` to build them"
            )
        with np.load(path) as data:
            return cls({k: data[k] for k in data.files})

    def logits(self, patches: np.ndarray, thorough: bool = False) -> np.ndarray:
        if not thorough or len(self.nets) == 1:
            return self.nets[0].logits(patches)
        return np.mean([net.logits(patches) for net in self.nets], axis=0)

    def probabilities(self, patches: np.ndarray, thorough: bool = False) -> np.ndarray:
        """(n, len(ALPHABET)) softmax probabilities."""
        z = self.logits(patches, thorough)
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)


def combine(nets: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """One weights file holding several single-network files (the first answers alone).

    Weight arrays are stored as float16 (half the size; inference is float32 and the
    readings do not change), scalars as they are.
    """
    out: dict[str, np.ndarray] = {"kind": np.array("cnn"), "n_nets": np.array(len(nets))}
    for i, weights in enumerate(nets):
        for k, v in weights.items():
            if k not in ("kind", "n_nets"):
                half = v.dtype == np.float32 and v.ndim > 0
                out[f"net{i}_{k}"] = v.astype(np.float16) if half else v
    return out


@lru_cache(maxsize=1)
def default_recogniser() -> Recogniser:
    """The packaged recogniser, loaded once per process."""
    return Recogniser.load()
