"""Candidate index over name keys: a query touches only entries sharing keys with the traveller.

Keys per spelling: the phonetic skeleton (S), the consonant key (C) and, for typing errors,
the skeleton with one letter deleted (D, SymSpell style) and skeleton prefixes for MRZ
truncation (P). Keys are 64-bit hashes in sorted numpy arrays; postings are a CSR pair of
arrays (offsets, entry positions), so loading is a memory map and memory stays bounded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from edge.screening.keyhash import (
    as_matrix,
    deletion_hashes,
    hash_keys,
    hash_matrix,
    key_hash,
    prefix_hashes,
)
from edge.screening.names import Rendering
from edge.screening.text import consonant_keys, deletes, glued_variants, skeleton
from edge.screening.variants import near_variant_groups, prefix_variant_groups, variant_groups

logger = logging.getLogger(__name__)

MIN_DELETE_LEN = 4  # shorter keys would match almost every short name after one deletion
MIN_PREFIX_LEN = 3
MAX_SPELLINGS = 8  # spellings indexed per token (the commonest first)
# The commonest spellings get their traveller-side candidate sets merged at build time, so the
# first traveller called KIM or MOHAMMED does not pay for merging hundreds of postings.
HOT_TOKENS = 300
HOT_MIN_ENTRIES = 1_000


def spelling_keys(spelling: str) -> list[str]:
    """Index keys of one entry spelling: skeleton, consonant key, known-variant groups."""
    sk = skeleton(spelling)
    keys = ["S" + sk]
    keys += ["C" + ck for ck in consonant_keys(spelling)]
    keys += [f"G{gid}" for gid in variant_groups(spelling)]
    return keys


SpellingKeys = tuple[tuple[str, tuple[str, ...]], ...]


def keys_of_spelling(spelling: str) -> SpellingKeys:
    """(variant as written, its index keys) for each glued variant; the first key is 'S'."""
    return tuple((v, tuple(spelling_keys(v))) for v in glued_variants(spelling))


def query_keys(spelling: str) -> tuple[list[str], list[str], list[str]]:
    """(vocabulary keys, delete-table keys, prefix-table keys) to look up for a traveller token.

    Deletions are taken of the skeleton and of the spelling as written: a typing error in a
    letter the skeleton rewrites (KHOURY typed KNOURY, CHANG typed CANG) meets its entry only
    through the written form. A typing error in a listed variant spelling (MUAHMMAD) reaches
    the variant group, so every spelling of the name the entry uses (MOHAMMED).
    """
    vocab: list[str] = []
    dels: list[str] = []
    prefix: list[str] = []
    for variant in glued_variants(spelling):
        sk = skeleton(variant)
        vocab += spelling_keys(variant)
        for form in dict.fromkeys((sk, variant)):
            dels.append(form)
            if len(form) >= MIN_DELETE_LEN:
                dels += deletes(form)
        if len(sk) >= MIN_DELETE_LEN:
            vocab += ["S" + d for d in deletes(sk)]
        # A typing error in a known variant the entry does not use (MUAHMMAD for MOHAMMED).
        vocab += [f"G{gid}" for gid in near_variant_groups(variant)]
        if len(variant) >= MIN_PREFIX_LEN:
            prefix.append(variant)
            vocab += [f"G{gid}" for gid in prefix_variant_groups(variant)]
    return vocab, dels, prefix


def entry_spellings(renderings: Iterable[Rendering]) -> list[str]:
    """The distinct spellings of an entry's renderings that the index holds keys for."""
    out: dict[str, None] = {}
    for rendering in renderings:
        for token in rendering.tokens:
            for spelling in token.spellings[:MAX_SPELLINGS]:
                out[spelling] = None
    return list(out)


class NameIndexBuilder:
    """Collects (entry, key) pairs; `finish()` turns them into a NameIndex.

    Keys are computed once per distinct spelling (names repeat across a list), and entries
    arrive in batches of (positions, spellings per entry) from the build workers.
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._spelling_vids: dict[str, np.ndarray] = {}
        self._raw: dict[str, int] = {}  # spelling as written -> vocabulary id of its skeleton
        self._pair_entries: list[np.ndarray] = []
        self._pair_vids: list[np.ndarray] = []
        self._counts: dict[str, int] = {}  # entries per spelling

    def _vids(self, spelling: str, keys: SpellingKeys | None = None) -> np.ndarray:
        found = self._spelling_vids.get(spelling)
        if found is None:
            vids: dict[int, None] = {}
            for variant, variant_keys in keys or keys_of_spelling(spelling):
                for key in variant_keys:
                    vids[self.vocab.setdefault(key, len(self.vocab))] = None
                self._raw.setdefault(variant, self.vocab[variant_keys[0]])
            found = np.fromiter(vids, dtype=np.uint32, count=len(vids))
            self._spelling_vids[spelling] = found
        return found

    def add(self, entry: int, renderings: Iterable[Rendering]) -> None:
        """Index one entry's renderings (the in-memory path)."""
        spellings = entry_spellings(renderings)
        self.add_batch(
            np.array([entry], np.uint32),
            np.array([len(spellings)], np.int64),
            spellings,
            np.arange(len(spellings), dtype=np.uint32),
        )

    def add_batch(
        self,
        positions: np.ndarray,
        counts: np.ndarray,
        spellings: list[str],
        idx: np.ndarray,
        keys: dict[str, SpellingKeys] | None = None,
    ) -> None:
        """Entries `positions`, entry i holding `counts[i]` spellings `spellings[idx[...]]`;
        `keys` of spellings new to this builder, when a worker computed them."""
        if len(idx) == 0:
            return
        keys = keys or {}
        local = [self._vids(s, keys.get(s)) for s in spellings]
        counts_here = np.bincount(idx, minlength=len(spellings))
        for spelling, n in zip(spellings, counts_here.tolist(), strict=True):
            self._counts[spelling] = self._counts.get(spelling, 0) + n
        sizes = np.fromiter((len(v) for v in local), dtype=np.int64, count=len(local))
        flat = np.concatenate(local)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        per_token = sizes[idx]
        # Expand each (entry, spelling) to (entry, vocabulary id) without a Python loop.
        take = np.repeat(starts[idx] - np.concatenate(([0], np.cumsum(per_token)[:-1])), per_token)
        take += np.arange(len(take))
        entries = np.repeat(np.repeat(np.asarray(positions, np.uint32), counts), per_token)
        self._pair_entries.append(entries)
        self._pair_vids.append(flat[take])

    def finish(self) -> NameIndex:
        if self._pair_entries:
            pairs = np.concatenate(self._pair_vids).astype(np.uint64) << np.uint64(32)
            pairs |= np.concatenate(self._pair_entries).astype(np.uint64)
            pairs.sort()  # by key, then entry
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # duplicates gone
        else:
            pairs = np.empty(0, np.uint64)
        keys = (pairs >> np.uint64(32)).astype(np.uint32)
        postings = (pairs & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        counts = np.bincount(keys, minlength=len(self.vocab))
        offsets = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        words = list(self.vocab)
        vocab_hash = hash_keys(words) if words else np.empty(0, np.uint64)
        # Deletions of every skeleton, and of every spelling as written (plus the spelling).
        s_vids = np.array([v for w, v in self.vocab.items() if w[0] == "S"], np.uint32)
        s_matrix, s_len = as_matrix([w[1:] for w in words if w[0] == "S"])
        d1, r1 = deletion_hashes(s_matrix, s_len, "D", MIN_DELETE_LEN)
        raw_vids = np.fromiter(self._raw.values(), np.uint32, count=len(self._raw))
        r_matrix, r_len = as_matrix(list(self._raw))
        d2, r2 = deletion_hashes(r_matrix, r_len, "D", MIN_DELETE_LEN)
        del_hash = np.concatenate([d1, d2, hash_matrix(r_matrix, "D")])
        del_vid = np.concatenate([s_vids[r1], raw_vids[r2], raw_vids])
        # MRZ truncation cuts the spelling as written: index raw prefixes.
        pre_hash, pre_rows = prefix_hashes(r_matrix, r_len, "P", MIN_PREFIX_LEN)
        index = NameIndex(
            *_sorted_table(vocab_hash, np.arange(len(words), dtype=np.uint32)),
            *_unique_pairs(del_hash, del_vid),
            *_unique_pairs(pre_hash, raw_vids[pre_rows]),
            offsets,
            postings,
        )
        hot = sorted(self._counts, key=self._counts.__getitem__, reverse=True)[:HOT_TOKENS]
        index.precompute_hot([t for t in hot if self._counts[t] >= HOT_MIN_ENTRIES])
        return index


def _unique_pairs(hashes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hash, value) pairs sorted by hash then value, duplicates dropped."""
    hashes, values = hashes.astype(np.uint64), values.astype(np.uint32)
    if len(hashes) == 0:
        return hashes, values
    order = np.lexsort((values, hashes))
    hashes, values = hashes[order], values[order]
    keep = np.concatenate(([True], (hashes[1:] != hashes[:-1]) | (values[1:] != values[:-1])))
    return hashes[keep], values[keep]


def _sorted_table(hashes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(hashes, kind="stable")
    return hashes[order], values[order]


_HOT = ("hot_hash", "hot_offsets", "hot_entries")
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


def isin_sorted(values: np.ndarray, sorted_pool: np.ndarray) -> np.ndarray:
    """Which values occur in a sorted array (binary search; both arrays are entry positions)."""
    if len(sorted_pool) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    idx = np.minimum(np.searchsorted(sorted_pool, values), len(sorted_pool) - 1)
    return sorted_pool[idx] == values


def union_sorted(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted unique union of sorted arrays: a stable sort merges the runs far faster than
    np.unique hashes."""
    merged = np.sort(np.concatenate(parts), kind="stable")
    if len(merged) == 0:
        return merged
    return merged[np.concatenate(([True], merged[1:] != merged[:-1]))]


class NameIndex:
    """Lookup of entry positions by name keys."""

    def __init__(self, *arrays: np.ndarray) -> None:
        for name, arr in zip(_ARRAYS, arrays, strict=True):
            setattr(self, name, arr)
        self.hot_hash = np.empty(0, np.uint64)
        self.hot_offsets = np.zeros(1, np.int64)
        self.hot_entries = np.empty(0, np.uint32)

    def token_entries(self, token: str, loose: bool = True) -> np.ndarray:
        """Entries a traveller token reaches: by spelling, sound, variant, one edit, prefix, or
        split in two in the entry (ABDULRAHMAN -> ABDUL RAHMAN). Precomputed for common ones.

        `loose=False` for two traveller names run together (MIN JUN -> MINJUN): by spelling,
        sound and one edit only, as the similarity compares them; a consonant key or a prefix
        of a long joined string reaches thousands of unrelated names."""
        found = self.hot(token) if loose else None
        if found is not None:
            return found
        found = [self.entries_for(self.vocabulary_ids(token, loose))]
        for cut in range(2, len(token) - 1):
            left = self.exact_ids([token[:cut]])
            right = self.exact_ids([token[cut:]]) if len(left) else left
            if len(left) and len(right):
                # Entries holding both halves: KIMHYONPIL is not every KIM.
                a, b = self.entries_for(left), self.entries_for(right)
                small, large = (a, b) if len(a) <= len(b) else (b, a)
                found.append(small[isin_sorted(small, large)])
        return found[0] if len(found) == 1 else union_sorted(found)

    def hot(self, token: str) -> np.ndarray | None:
        """The precomputed candidate set of a common token, or None."""
        if len(self.hot_hash) == 0:
            return None
        h = key_hash("T" + token)
        i = int(np.searchsorted(self.hot_hash, h))
        if i == len(self.hot_hash) or self.hot_hash[i] != h:
            return None
        return self.hot_entries[self.hot_offsets[i] : self.hot_offsets[i + 1]]

    def precompute_hot(self, tokens: list[str]) -> None:
        """Merge the candidate sets of these tokens now (build time) and keep them."""
        sets = [self.token_entries(t) for t in tokens]
        hashes = hash_keys(["T" + t for t in tokens])
        order = np.argsort(hashes, kind="stable")
        sizes = np.array([len(sets[i]) for i in order], dtype=np.int64)
        self.hot_hash = hashes[order]
        self.hot_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        parts = [np.asarray(sets[i], np.uint32) for i in order]
        self.hot_entries = np.concatenate(parts) if parts else np.empty(0, np.uint32)

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocab_hash)

    def _find(self, hashes: np.ndarray, values: np.ndarray, keys: list[str]) -> np.ndarray:
        if not keys or len(hashes) == 0:
            return np.empty(0, dtype=np.uint32)
        wanted = hash_keys(keys)
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

    def vocabulary_ids(self, spelling: str, loose: bool = True) -> np.ndarray:
        """Vocabulary ids matching a traveller token exactly, by variant, by one edit or as
        prefix (`loose=False`: by skeleton and one edit only)."""
        vocab, dels, prefix = query_keys(spelling)
        if not loose:
            vocab, prefix = [k for k in vocab if k.startswith("S")], []
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
        return np.asarray(parts[0]) if len(parts) == 1 else union_sorted(parts)

    def save(self, directory: Path) -> None:
        for name in (*_ARRAYS, *_HOT):
            np.save(directory / f"names_{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, directory: Path) -> NameIndex:
        # Plain ndarray views of the memory maps: slicing a np.memmap costs a Python object each.
        def array(name: str) -> np.ndarray:
            return np.asarray(np.load(directory / f"names_{name}.npy", mmap_mode="r"))

        index = cls(*(array(name) for name in _ARRAYS))
        if (directory / "names_hot_hash.npy").exists():
            for name in _HOT:
                setattr(index, name, array(name))
        return index
