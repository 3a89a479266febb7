"""Build `glyphs.npz`: train the glyph recogniser on cells cut from synthetic documents.

    python -m edge.mrz.ocr.train [--docs 5000] [--seed 1000000] [--epochs 8] [--cache F] --out N.npz
    python -m edge.mrz.ocr.train --combine FIRST.npz SECOND.npz    # -> glyphs.npz

Documents come from `edge.mrz.synth` (OCR-B from Debian's fonts-ocr-b), photographed with
the same degradations as the benchmark but from other seeds. Each is located and segmented
by the reader's own pipeline, so the recogniser learns the cells exactly as it will see them
(including small misalignments). A third of the documents carry random characters instead
of a realistic MRZ, so rare letters are seen often enough; frames of 500-900 pixels (the
smallest prints) are over-sampled. The network is trained with PyTorch (`train_net.py`,
training only) and exported to numpy arrays; the reader never imports PyTorch.
"""

from __future__ import annotations

import os

# Small matrices: BLAS threads only fight each other (and the other processes).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import logging
import multiprocessing
import string
import time
from pathlib import Path

import cv2
import numpy as np

from edge.mrz import synth
from edge.mrz.ocr.locate import find_bands
from edge.mrz.ocr.recognise import ALPHABET, WEIGHTS_PATH, Recogniser, combine
from edge.mrz.ocr.segment import rectify, segment_line

logger = logging.getLogger(__name__)

_SHAPE = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRV-A": (2, 44), "MRV-B": (2, 36)}


def _random_lines(fmt: str, rng: np.random.Generator) -> list[str]:
    n_lines, length = _SHAPE[fmt]
    alphabet = string.ascii_uppercase + string.digits + "<<<<"
    return ["".join(rng.choice(list(alphabet), length)) for _ in range(n_lines)]


def cells_of_document(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labelled patches from one synthetic document (empty when the pipeline missed it)."""
    rng = np.random.default_rng(seed)
    fmt = synth.FORMATS[seed % len(synth.FORMATS)]
    lines = _random_lines(fmt, rng) if rng.random() < 0.35 else None
    level = float(rng.uniform(0.4, 1.4))
    # Small prints are the hard ones: over-sample frames of 500-900 pixels.
    width = int(rng.integers(500, 900)) if rng.random() < 0.6 else None
    sample = synth.make_sample(rng, fmt, width=width, level=level, lines=lines)
    gray = cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)
    bands = [b for b in find_bands(gray) if len(b.lines) == len(sample.lines)]
    if not bands:
        return np.zeros((0,)), np.zeros((0,), int)
    canvas = rectify(gray, bands[0])
    if sample.upside_down:
        canvas = canvas.rotated()
    patches, labels = [], []
    for i, text in enumerate(sample.lines):
        cells = segment_line(canvas, i, len(text))
        if cells is None or cells.coverage < 0.5 or cells.residual > 0.2:
            continue
        patches.append(cells.patches)
        labels.extend(ALPHABET.index(c) for c in text)
    if not patches:
        return np.zeros((0,)), np.zeros((0,), int)
    return np.concatenate(patches), np.asarray(labels)


def collect(n_docs: int, seed: int, workers: int = 2) -> tuple[np.ndarray, np.ndarray]:
    with multiprocessing.Pool(workers) as pool:
        parts = pool.map(cells_of_document, range(seed, seed + n_docs), chunksize=8)
    xs = [p for p, _ in parts if len(p)]
    ys = [y for p, y in parts if len(p)]
    return np.concatenate(xs), np.concatenate(ys)


def accuracy(weights: dict[str, np.ndarray], patches: np.ndarray, labels: np.ndarray) -> float:
    """Share of cells the exported (numpy) recogniser gets right."""
    pred = Recogniser(weights).probabilities(patches).argmax(1)
    return float((pred == labels).mean())


def load_cells(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """Cells from the cache files that exist, else collected (and cached when asked)."""
    caches = [Path(c) for c in args.cache or []]
    if caches and all(c.exists() for c in caches):
        parts = [np.load(c) for c in caches]
        return (
            np.concatenate([p["x"] for p in parts]).astype(np.float32),
            np.concatenate([p["y"] for p in parts]).astype(np.int64),
        )
    x, y = collect(args.docs, args.seed)
    if caches:
        np.savez_compressed(caches[0], x=x.astype(np.float16), y=y.astype(np.int8))
    return x.astype(np.float32), y


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1_000_000)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(WEIGHTS_PATH))
    ap.add_argument(
        "--cache",
        action="append",
        help="an .npz of collected cells (repeatable): loaded if all exist, else the first "
        "is written",
    )
    ap.add_argument(
        "--combine",
        nargs="+",
        metavar="NET.npz",
        help="no training: pack networks trained apart into --out (the first answers alone)",
    )
    ap.add_argument("--collect-only", action="store_true", help="stop after writing --cache")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.combine:
        nets = [dict(np.load(path)) for path in args.combine]
        np.savez_compressed(args.out, **combine(nets))
        logger.info("wrote %s (%d networks)", args.out, len(nets))
        return 0
    t = time.time()
    x, y = load_cells(args)
    logger.info("%d cells in %.0f s", len(y), time.time() - t)
    if args.collect_only:
        return 0
    import torch  # training only: the reader never needs it

    from edge.mrz.ocr import train_net

    torch.set_num_threads(args.threads)
    n_val = len(y) // 20  # the first documents' cells are held out
    net, mean, std = train_net.train(x[n_val:], y[n_val:], args.epochs, args.seed)
    weights = train_net.export(net, mean, std, x.shape[1], x.shape[2])
    logger.info("held-out cell accuracy %.4f", accuracy(weights, x[:n_val], y[:n_val]))
    np.savez_compressed(args.out, **weights)
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
