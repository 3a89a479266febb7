"""MRZ OCR benchmark: our reader against PassportEye on the same synthetic noisy images.

    .venv/bin/python bench/mrz_ocr.py --n 300 --seed 1 [--level 1.0] [--pe-max 300] [--no-pe]
        [--show-misses]

Generates N document images with `edge.mrz.synth` (TD1, TD2, TD3, MRV-A, MRV-B in turn; a
quarter upside-down; rotation up to +-10 degrees, perspective, uneven light, blur, noise,
JPEG; frames 500-2000 pixels wide), reads each with `edge.mrz.ocr.read_mrz` on one thread,
then with PassportEye (Tesseract) when it is installed (`pip install passporteye`, Debian
`tesseract-ocr`), and prints for each: exact-MRZ rate, character accuracy, median and p90
milliseconds per image, and how many wrong readings claimed high confidence.
Also reads a few frames without any MRZ (`--negatives`) to count false readings.
"""

from __future__ import annotations

import os

# One core, as on the booth: no BLAS or OpenCV worker threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import difflib
import logging
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edge.mrz import synth
from edge.mrz.ocr.reader import CONFIDENT, read_mrz
from edge.mrz.ocr.recognise import default_recogniser

logger = logging.getLogger(__name__)


def char_accuracy(truth: str, read: str | None) -> float:
    """Share of the truth's characters found in order in the reading."""
    if not read:
        return 0.0
    blocks = difflib.SequenceMatcher(None, truth, read, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(truth)


def summarise(name: str, rows: list[dict], samples: list[synth.Sample]) -> None:
    n = len(rows)
    exact = sum(r["read"] == s.mrz for r, s in zip(rows, samples, strict=True))
    chars = np.mean([char_accuracy(s.mrz, r["read"]) for r, s in zip(rows, samples, strict=True)])
    ms = np.array([r["ms"] for r in rows])
    print(f"\n== {name} on {n} images")
    print(f"exact MRZ        {exact}/{n} = {100 * exact / n:.1f}%")
    print(f"char accuracy    {100 * chars:.2f}%")
    print(
        f"ms per image     median {np.median(ms):.1f}  p90 {np.percentile(ms, 90):.1f}  "
        f"max {ms.max():.1f}"
    )
    if "cpu_ms" in rows[0]:
        cpu = np.array([r["cpu_ms"] for r in rows])
        print(
            f"CPU ms per image median {np.median(cpu):.1f}  p90 {np.percentile(cpu, 90):.1f}  "
            "(one thread; wall time above includes waiting for a shared CPU)"
        )
    nulls = sum(r["read"] is None for r in rows)
    print(f"no reading       {nulls}")
    if "confidence" in rows[0]:
        wrong_conf = sum(
            r["read"] is not None and r["read"] != s.mrz and r["confidence"] >= CONFIDENT
            for r, s in zip(rows, samples, strict=True)
        )
        wrong_valid = sum(
            r["read"] is not None and r["read"] != s.mrz and r["valid"]
            for r, s in zip(rows, samples, strict=True)
        )
        right_unsure = sum(
            r["read"] == s.mrz and r["confidence"] < CONFIDENT
            for r, s in zip(rows, samples, strict=True)
        )
        print(
            f"wrong, confidence >= {CONFIDENT}: {wrong_conf}   wrong but check digits pass: "
            f"{wrong_valid}   right but confidence < {CONFIDENT}: {right_unsure}"
        )
    groups: dict[str, list[bool]] = defaultdict(list)
    for r, s in zip(rows, samples, strict=True):
        groups[s.format].append(r["read"] == s.mrz)
        groups["upside-down" if s.upside_down else "upright"].append(r["read"] == s.mrz)
        groups["frame < 900 px" if s.image.shape[1] < 900 else "frame >= 900 px"].append(
            r["read"] == s.mrz
        )
    print(
        "exact by group   " + "  ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(groups.items()))
    )


def show_misses(rows: list[dict], samples: list[synth.Sample]) -> None:
    """Each image not read exactly: its conditions, and the lines that differ."""
    for i, (r, s) in enumerate(zip(rows, samples, strict=True)):
        if r["read"] == s.mrz:
            continue
        print(
            f"miss #{i} {s.format} pitch {s.pitch_px:.1f} px, frame {s.params['frame'][0]}, "
            f"blur {s.params['blur']}, noise {s.params['noise']}, jpeg {s.params['jpeg']}, "
            f"upside-down {s.upside_down}: confidence {r['confidence']:.2f}, valid {r['valid']}"
        )
        read = (r["read"] or "").split("\n")
        for k, truth in enumerate(s.lines):
            got = read[k] if k < len(read) else ""
            if got != truth:
                print(f"    truth {truth}\n    read  {got}")


def run_ours(samples: list[synth.Sample]) -> list[dict]:
    cv2.setNumThreads(1)
    default_recogniser()
    read_mrz(samples[0].image)  # warm up (first calls allocate)
    rows = []
    for s in samples:
        t, c = time.perf_counter(), time.process_time()
        r = read_mrz(s.image)
        rows.append(
            {
                "read": r.mrz,
                "ms": (time.perf_counter() - t) * 1000,
                "cpu_ms": (time.process_time() - c) * 1000,
                "confidence": r.confidence,
                "valid": r.valid,
            }
        )
    return rows


def run_passporteye(samples: list[synth.Sample], workdir: Path) -> list[dict] | None:
    try:
        from passporteye import read_mrz as pe_read_mrz
    except ImportError:
        print(
            "\nPassportEye is not installed: skipped "
            "(pip install passporteye; apt-get install tesseract-ocr)"
        )
        return None
    rows = []
    for i, s in enumerate(samples):
        path = workdir / f"{i:04d}.png"
        cv2.imwrite(str(path), s.image)
        t = time.perf_counter()
        try:
            mrz = pe_read_mrz(str(path))
        except Exception as exc:
            logger.warning("PassportEye failed on %s: %s", path, exc)
            mrz = None
        ms = (time.perf_counter() - t) * 1000
        text = None
        if mrz is not None:
            raw = mrz.aux.get("raw_text") or ""
            lines = [ln.replace(" ", "") for ln in raw.splitlines() if ln.strip()]
            text = "\n".join(lines) or None
        rows.append({"read": text, "ms": ms})
    return rows


def negatives(k: int, seed: int) -> tuple[int, int]:
    """(readings, confident readings) on frames of documents printed without an MRZ."""
    rng = np.random.default_rng(seed)
    found, confident = 0, 0
    for i in range(k):
        s = synth.make_sample(rng, synth.FORMATS[i % len(synth.FORMATS)], with_mrz=False)
        r = read_mrz(s.image)
        found += r.mrz is not None
        confident += r.mrz is not None and r.confidence >= CONFIDENT
    return found, confident


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="number of images (default 300)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--level", type=float, default=1.0, help="degradation level (1 = realistic)")
    ap.add_argument(
        "--pe-max",
        type=int,
        default=None,
        help="run PassportEye on at most this many of the images (it is slow)",
    )
    ap.add_argument("--no-pe", action="store_true", help="skip PassportEye")
    ap.add_argument("--show-misses", action="store_true", help="print every image not read exactly")
    ap.add_argument(
        "--negatives",
        type=int,
        default=20,
        help="frames without a readable MRZ to check for false readings",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)  # scikit-image under PassportEye

    t = time.time()
    samples = synth.make_set(args.n, args.seed, level=args.level)
    print(
        f"generated {len(samples)} images in {time.time() - t:.0f} s "
        f"(seed {args.seed}, level {args.level})"
    )
    ours = run_ours(samples)
    summarise("sekisho read_mrz (1 thread)", ours, samples)
    if args.show_misses:
        show_misses(ours, samples)
    if args.negatives:
        found, confident = negatives(args.negatives, args.seed + 10_000)
        print(
            f"no-MRZ frames    {args.negatives}: {found} gave a reading, "
            f"{confident} with confidence >= {CONFIDENT}"
        )
    if not args.no_pe:
        subset = samples[: args.pe_max] if args.pe_max else samples
        with tempfile.TemporaryDirectory() as tmp:
            pe = run_passporteye(subset, Path(tmp))
        if pe is not None:
            summarise("PassportEye 2.x + Tesseract", pe, subset)
            ours_sub = ours[: len(subset)]
            speed = np.median([r["ms"] for r in pe]) / np.median([r["ms"] for r in ours_sub])
            ex_o = sum(r["read"] == s.mrz for r, s in zip(ours_sub, subset, strict=True))
            ex_p = sum(r["read"] == s.mrz for r, s in zip(pe, subset, strict=True))
            print(
                f"\nsame {len(subset)} images: ours {ex_o} exact vs PassportEye {ex_p}; "
                f"ours is {speed:.0f}x faster (median)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
