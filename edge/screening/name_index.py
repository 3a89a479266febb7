"""Candidate index over name keys: a query touches only entries sharing keys with the traveller.

Keys per spelling: the phonetic skeleton (S), the consonant key (C) and, for typing errors,
the skeleton with one letter deleted (D, SymSpell style) and skeleton prefixes for MRZ
truncation (P). Keys are 64-bit hashes in sorted numpy arrays; postings are a CSR pair of
arrays (offsets, entry positions), so loading is a memory map and memory stays bounded.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from edge.screening.names import Rendering
from edge.screening.text import consonant_key, deletes, glued_variants, skeleton
from edge.screening.variants import variant_groups

logger = logging.getLogger(__name__)

MIN_DELETE_LEN = 4  # shorter keys would match almost every short name after one deletion
MIN_PREFIX_LEN = 3


def key_hash(key: str) -> int:
    """Stable 64-bit hash of an index key."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def spelling_keys(spelling: str) -> list[str]:
    """Index keys of one entry spelling: skeleton, consonant key, known-variant groups."""
    sk = skeleton(spelling)
    keys = ["S" + sk]
    ck = consonant_key(spelling)
    if ck:
        keys.append("C" + ck)
    keys += [f"G{gid}" for gid in variant_groups(spelling)]
    return keys


def query_keys(spelling: str) -> tuple[list[str], list[str], list[str]]:
    """(vocabulary keys, delete-table keys, prefix-table keys) to look up for a traveller token."""
    vocab: list[str] = []
    dels: list[str] = []
    prefix: list[str] = []
    for variant in glued_variants(spelling):
        sk = skeleton(variant)
        vocab += spelling_keys(variant)
        dels.append(sk)
        if len(sk) >= MIN_DELETE_LEN:
            for d in deletes(sk):
                vocab.append("S" + d)
                dels.append(d)
        if len(variant) >= MIN_PREFIX_LEN:
            prefix.append(variant)
    return vocab, dels, prefix


class NameIndexBuilder:
    """Collects (key, entry) pairs; `finish()` turns them into a NameIndex."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._keys: array = array("I")
        self._entries: array = array("I")
        self._prefixed: set[str] = set()
        self._prefixes: list[tuple[str, int]] = []

    def add(self, entry: int, renderings: Iterable[Rendering]) -> None:
        seen: set[int] = set()
        for rendering in renderings:
            for token in rendering.tokens:
                for spelling in token.spellings[:6]:
                    for variant in glued_variants(spelling):
                        if variant not in self._prefixed:
                            self._prefixed.add(variant)
                            vid = self.vocab.setdefault("S" + skeleton(variant), len(self.vocab))
                            # MRZ truncation cuts the spelling as written: index raw prefixes.
                            for n in range(MIN_PREFIX_LEN, len(variant)):
                                self._prefixes.append((variant[:n], vid))
                        for key in spelling_keys(variant):
                            vid = self.vocab.setdefault(key, len(self.vocab))
                            if vid not in seen:
                                seen.add(vid)
                                self._keys.append(vid)
                                self._entries.append(entry)

    def finish(self) -> NameIndex:
        keys = np.frombuffer(self._keys, dtype=np.uint32)
        entries = np.frombuffer(self._entries, dtype=np.uint32)
        order = np.lexsort((entries, keys))
        counts = np.bincount(keys, minlength=len(self.vocab))
        offsets = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        postings = entries[order].copy()
        words = list(self.vocab)
        vocab_hash = np.fromiter((key_hash(w) for w in words), dtype=np.uint64, count=len(words))
        del_hash, del_vid, pre_hash, pre_vid = array("Q"), array("I"), array("Q"), array("I")
        for vid, word in enumerate(words):
            if word[0] != "S":
                continue
            sk = word[1:]
            if len(sk) >= MIN_DELETE_LEN:
                for d in set(deletes(sk)):
                    del_hash.append(key_hash("D" + d))
                    del_vid.append(vid)
        for prefix, vid in self._prefixes:
            pre_hash.append(key_hash("P" + prefix))
            pre_vid.append(vid)
        return NameIndex(
            *_sorted_table(vocab_hash, np.arange(len(words), dtype=np.uint32)),
            *_sorted_table(np.frombuffer(del_hash, np.uint64), np.frombuffer(del_vid, np.uint32)),
            *_sorted_table(np.frombuffer(pre_hash, np.uint64), np.frombuffer(pre_vid, np.uint32)),
            offsets,
            postings,
        )


def _sorted_table(hashes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(hashes, kind="stable")
    return hashes[order], values[order]


_ARRAYS = (
    "vocab_hash",
    "vocab_vid",
    "del_hash",
    "del_vid",
    "pre_hash",
    "pre_vid",
    "offsets",
    "postings",
)


class NameIndex:
    """Lookup of entry positions by name keys."""

    def __init__(self, *arrays: np.ndarray) -> None:
        for name, arr in zip(_ARRAYS, arrays, strict=True):
            setattr(self, name, arr)

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocab_hash)

    def _find(self, hashes: np.ndarray, values: np.ndarray, keys: list[str]) -> np.ndarray:
        if not keys or len(hashes) == 0:
            return np.empty(0, dtype=np.uint32)
        wanted = np.fromiter((key_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
        lo = np.searchsorted(hashes, wanted, side="left")
        hi = np.searchsorted(hashes, wanted, side="right")
        if not (hi > lo).any():
            return np.empty(0, dtype=np.uint32)
        return np.concatenate([values[a:b] for a, b in zip(lo, hi, strict=True) if b > a])

    def same_name_ids(self, spelling: str) -> np.ndarray:
        """Vocabulary ids of this spelling's skeleton and variant groups (no typo neighbours)."""
        keys = ["S" + skeleton(v) for v in glued_variants(spelling)]
        keys += [f"G{gid}" for v in glued_variants(spelling) for gid in variant_groups(v)]
        return np.unique(self._find(self.vocab_hash, self.vocab_vid, keys))

    def exact_ids(self, spellings: list[str]) -> np.ndarray:
        """Vocabulary ids of the skeletons of these spellings (no fuzzy neighbours)."""
        return self._find(self.vocab_hash, self.vocab_vid, ["S" + skeleton(s) for s in spellings])

    def vocabulary_ids(self, spelling: str) -> np.ndarray:
        """Vocabulary ids matching a traveller token exactly, by variant, by one edit or as prefix."""
        vocab, dels, prefix = query_keys(spelling)
        found = [
            self._find(self.vocab_hash, self.vocab_vid, vocab),
            self._find(self.del_hash, self.del_vid, ["D" + d for d in dels]),
            self._find(self.pre_hash, self.pre_vid, ["P" + p for p in prefix]),
        ]
        return np.unique(np.concatenate(found))

    def entries_for(self, vids: np.ndarray) -> np.ndarray:
        """Sorted unique entry positions posted under any of the vocabulary ids."""
        if len(vids) == 0:
            return np.empty(0, dtype=np.uint32)
        parts = [self.postings[self.offsets[v] : self.offsets[v + 1]] for v in vids]
        if len(parts) == 1:
            return np.asarray(parts[0])
        # Postings are sorted runs: a stable sort merges them far faster than np.unique hashes.
        merged = np.sort(np.concatenate(parts), kind="stable")
        if len(merged) == 0:
            return merged
        return merged[np.concatenate(([True], merged[1:] != merged[:-1]))]

    def save(self, directory: Path) -> None:
        for name in _ARRAYS:
            np.save(directory / f"names_{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, directory: Path) -> NameIndex:
        return cls(*(np.load(directory / f"names_{name}.npy", mmap_mode="r") for name in _ARRAYS))
