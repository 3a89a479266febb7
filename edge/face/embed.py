"""Embedding: dlib's ResNet maps an aligned chip to a 128-d vector; same person = close."""

from __future__ import annotations

import functools

import numpy as np

from edge.face.models import FaceModels


@functools.lru_cache(maxsize=1)
def _blas() -> object:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def embed_chip(models: FaceModels, chip: np.ndarray) -> np.ndarray:
    """128-d float32 embedding of one aligned 150x150 RGB chip (one pass, no jitter).

    BLAS runs single-threaded here: the matrices are small, and extra threads only fight the
    rest of the booth for the cores (measured: 23 ms CPU with 1 thread; multi-threaded runs
    were slower and erratic on a busy machine).
    """
    with _blas().limit(limits=1, user_api="blas"):
        return models.embedder.embed(np.ascontiguousarray(chip))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two embeddings; dlib's model separates people at ~0.6."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Similarity score in [0, 1]: 1 - distance, clipped. Higher means more alike."""
    return float(min(1.0, max(0.0, 1.0 - distance(a, b))))
