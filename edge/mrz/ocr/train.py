"""Build `glyphs.npz`: train the glyph recogniser on cells cut from synthetic documents.

    python -m edge.mrz.ocr.train [--docs 1200] [--seed 1000] [--epochs 30]

Documents come from `edge.mrz.synth` (OCR-B from Debian's fonts-ocr-b), photographed with
the same degradations as the benchmark but from other seeds. Each is located and segmented
by the reader's own pipeline, so the recogniser learns the cells exactly as it will see them
(including small misalignments). A third of the documents carry random characters instead
of a realistic MRZ, so rare letters are seen often enough. Training is plain numpy (Adam,
cross-entropy); it takes a few minutes on two cores.
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
from edge.mrz.ocr.recognise import ALPHABET, WEIGHTS_PATH, features
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
    level = float(rng.uniform(0.3, 1.3))
    sample = synth.make_sample(rng, fmt, level=level, lines=lines)
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


def _augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Small shifts and contrast changes, on top of what the documents already vary."""
    out = x.copy()
    n = len(x)
    shift = rng.integers(-1, 2, (n, 2))
    for dy in (-1, 1):
        sel = shift[:, 0] == dy
        out[sel] = np.roll(out[sel], dy, axis=1)
    for dx in (-1, 1):
        sel = shift[:, 1] == dx
        out[sel] = np.roll(out[sel], dx, axis=2)
    out *= rng.uniform(0.7, 1.2, (n, 1, 1)).astype(np.float32)
    out += rng.normal(0, 0.04, out.shape).astype(np.float32)
    return np.clip(out, 0, 1)


def train(
    patches: np.ndarray, labels: np.ndarray, epochs: int, seed: int, hidden: int = 192
) -> dict[str, np.ndarray]:
    """A 2-layer perceptron trained with Adam on softmax cross-entropy."""
    rng = np.random.default_rng(seed)
    feats = features(patches)
    mean, std = feats.mean(0), feats.std(0) + 1e-3
    d, k = feats.shape[1], len(ALPHABET)
    params = {
        "w0": (rng.normal(0, np.sqrt(2 / d), (d, hidden))).astype(np.float32),
        "b0": np.zeros(hidden, np.float32),
        "w1": (rng.normal(0, np.sqrt(1 / hidden), (hidden, k))).astype(np.float32),
        "b1": np.zeros(k, np.float32),
    }
    m = {n: np.zeros_like(v) for n, v in params.items()}
    v = {n: np.zeros_like(x) for n, x in params.items()}
    # Weight classes so that the frequent filler does not dominate.
    counts = np.bincount(labels, minlength=k).astype(np.float32)
    cw = (counts.sum() / np.maximum(counts, 1) / k) ** 0.5
    step, batch = 0, 256
    for epoch in range(epochs):
        lr = 2e-3 * (0.5 ** (epoch / max(epochs / 4, 1)))
        order = rng.permutation(len(labels))
        loss_sum = 0.0
        for start in range(0, len(order), batch):
            sel = order[start : start + batch]
            x = (features(_augment(patches[sel], rng)) - mean) / std
            y = labels[sel]
            h = np.maximum(x @ params["w0"] + params["b0"], 0)
            z = h @ params["w1"] + params["b1"]
            z -= z.max(1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(1, keepdims=True)
            w = cw[y]
            loss_sum += float(-(w * np.log(p[np.arange(len(y)), y] + 1e-9)).sum())
            g = p
            g[np.arange(len(y)), y] -= 1
            g *= (w / w.sum())[:, None]
            grads = {"w1": h.T @ g, "b1": g.sum(0)}
            gh = (g @ params["w1"].T) * (h > 0)
            grads["w0"] = x.T @ gh + 1e-5 * params["w0"]
            grads["b0"] = gh.sum(0)
            step += 1
            for n in params:
                m[n] = 0.9 * m[n] + 0.1 * grads[n]
                v[n] = 0.999 * v[n] + 0.001 * grads[n] ** 2
                mh = m[n] / (1 - 0.9**step)
                vh = v[n] / (1 - 0.999**step)
                params[n] -= (lr * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
        logger.info("epoch %d loss %.4f", epoch, loss_sum / len(order))
    return {
        **{n: x.astype(np.float32) for n, x in params.items()},
        "mean": mean.astype(np.float32),
        "std": std.astype(np.float32),
        "depth": np.array(2),
    }


def accuracy(weights: dict[str, np.ndarray], patches: np.ndarray, labels: np.ndarray) -> float:
    from edge.mrz.ocr.recognise import Recogniser

    pred = Recogniser(weights).probabilities(patches).argmax(1)
    return float((pred == labels).mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1_000_000)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--out", default=str(WEIGHTS_PATH))
    ap.add_argument(
        "--cache",
        default=None,
        help="an .npz of collected cells: loaded if it exists, else written",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t = time.time()
    if args.cache and Path(args.cache).exists():
        with np.load(args.cache) as data:
            x, y = data["x"], data["y"]
    else:
        x, y = collect(args.docs, args.seed)
        if args.cache:
            np.savez_compressed(args.cache, x=x.astype(np.float16), y=y.astype(np.int8))
    x = x.astype(np.float32)
    logger.info("%d cells from %d documents in %.0f s", len(y), args.docs, time.time() - t)
    n_val = len(y) // 10
    weights = train(x[n_val:], y[n_val:], args.epochs, args.seed, args.hidden)
    logger.info("held-out cell accuracy %.4f", accuracy(weights, x[:n_val], y[:n_val]))
    np.savez_compressed(args.out, **weights)
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
