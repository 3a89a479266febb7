"""Vectorised 64-bit hashes of short index keys, and their deletion and prefix neighbourhoods.

Keys are ASCII strings (a one-letter kind, then an upper-case name spelling) padded to a fixed
width and hashed with FNV-1a over whole numpy columns, so a million vocabulary words, their
one-letter deletions (SymSpell) and prefixes are hashed in a few numpy passes instead of
millions of Python calls. The query side hashes its few keys with the same function.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

logger = logging.getLogger(__name__)

WIDTH = 32  # kind letter + up to 31 letters; longer spellings are cut (same on both sides)
_OFFSET = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)


def as_matrix(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n x WIDTH uint8 matrix of the zero-padded ASCII words, their lengths)."""
    raw = np.array([w.encode("ascii", "ignore")[:WIDTH] for w in words], dtype=f"S{WIDTH}")
    matrix = (
        raw.view(np.uint8).reshape(len(raw), WIDTH) if len(raw) else np.zeros((0, WIDTH), np.uint8)
    )
    lengths = np.minimum(np.char.str_len(raw), WIDTH) if len(raw) else np.zeros(0, np.int64)
    return matrix, lengths


def hash_matrix(matrix: np.ndarray, kind: str) -> np.ndarray:
    """FNV-1a of `kind` followed by each row (zero padding included, so widths must agree)."""
    h = np.full(len(matrix), _OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h ^= np.uint64(ord(kind))
        h *= _PRIME
        for col in range(matrix.shape[1]):
            h ^= matrix[:, col].astype(np.uint64)
            h *= _PRIME
    return h


SMALL = 64  # up to this many keys (a traveller's lookups) are hashed one by one, cached
_MASK = 0xFFFFFFFFFFFFFFFF
_OFFSET_INT, _PRIME_INT = int(_OFFSET), int(_PRIME)


@lru_cache(maxsize=500_000)
def key_hash(key: str) -> int:
    """One key's hash, equal to `hash_keys([key])[0]`: a traveller's few keys cost a cached
    dict lookup instead of 33 numpy passes (~120 us per call); keys recur all day."""
    h = _OFFSET_INT
    for byte in key.encode("ascii", "ignore")[: WIDTH + 1].ljust(WIDTH + 1, b"\0"):
        h = ((h ^ byte) * _PRIME_INT) & _MASK
    return h


def hash_keys(keys: Sequence[str]) -> np.ndarray:
    """Hashes of keys written as kind letter + spelling ('SONO', 'DONO'...), in one pass.

    Same value as `hash_matrix` of the spelling under its kind: the kind is the first byte.
    """
    if not keys:
        return np.empty(0, np.uint64)
    if len(keys) <= SMALL:
        return np.fromiter((key_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
    raw = np.array([k.encode("ascii", "ignore")[: WIDTH + 1] for k in keys], dtype=f"S{WIDTH + 1}")
    matrix = raw.view(np.uint8).reshape(len(raw), WIDTH + 1)
    h = np.full(len(raw), _OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in range(WIDTH + 1):
            h ^= matrix[:, col].astype(np.uint64)
            h *= _PRIME
    return h


def deletion_hashes(
    matrix: np.ndarray, lengths: np.ndarray, kind: str, min_len: int
) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, row numbers) of every one-letter deletion of the rows at least `min_len` long."""
    hashes, rows = [], []
    for i in range(WIDTH):
        sel = np.flatnonzero((lengths > i) & (lengths >= min_len))
        if len(sel) == 0:
            break
        sub = matrix[sel]
        deleted = np.concatenate(
            [sub[:, :i], sub[:, i + 1 :], np.zeros((len(sel), 1), np.uint8)], axis=1
        )
        hashes.append(hash_matrix(deleted, kind))
        rows.append(sel)
    if not hashes:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    return np.concatenate(hashes), np.concatenate(rows)


def prefix_hashes(
    matrix: np.ndarray, lengths: np.ndarray, kind: str, min_len: int
) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, row numbers) of every proper prefix of at least `min_len` letters of each row."""
    hashes, rows = [], []
    for n in range(min_len, WIDTH):
        sel = np.flatnonzero(lengths > n)
        if len(sel) == 0:
            break
        sub = matrix[sel].copy()
        sub[:, n:] = 0
        hashes.append(hash_matrix(sub, kind))
        rows.append(sel)
    if not hashes:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    return np.concatenate(hashes), np.concatenate(rows)
