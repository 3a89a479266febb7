"""Face verification benchmark: genuine/impostor scores, FNMR at FMR 0.1% and 1%, DET curve, time.

Usage (from the repository root):
    .venv/bin/python bench/face.py [--archives WHEEL_OR_SDIST ...] [--images DIR] [--out bench/out]

Face images that can be had offline are few, so the set is built from:
  * tests/face/data/<identity>__<photo>.jpg (public-domain portraits committed with the tests),
  * the BSI "Mustermann" DG2 chip photo from ../shared/testdata (a real JPEG 2000 chip image),
  * optional package archives fetched once with `pip download` (face_recognition sdist: Obama x3
    distinct photos + Biden; insightface wheel: Tom Hanks + a 6-person group photo),
  * optional DIR/<identity>/<photo>.jpg folders of your own.
From every source photo it renders a chip-like JPEG 2000 (240x320) and four booth-like frames
(scale, rotation, lighting, blur, noise, mirror, JPEG), and compares chip vs. frames.
It prints the limits of that set with the figures: read them before trusting the figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge.face.detect import detect_faces  # noqa: E402
from edge.face.embed import similarity  # noqa: E402
from edge.face.variations import (  # noqa: E402
    BOOTH_LOOKS,
    Look,
    booth_frame,
    chip_photo,
    closed_eyes,
)
from edge.face.verify import DEFAULT_CALIBRATION, Calibration, FaceVerifier, analyse  # noqa: E402

logger = logging.getLogger("bench.face")

DG2 = ROOT.parent / "shared" / "testdata" / "emrtd" / "bsi2008" / "Datagroup2.bin"
# Archive members we know, and whose face they show. obama_partial_face*.jpg and 32bit.png are
# crops/copies of obama.jpg / obama2.jpg, so they are left out (they are not new photos).
# Licences (docs/face.md, "Evaluation set"): the packages' code is MIT; obama.jpg is the
# official White House portrait (US government work, public domain); the other photos carry
# no licence of their own, so they are read in memory for this bench and never redistributed.
KNOWN_MEMBERS = {
    "test_images/obama.jpg": ("obama", "p1"),
    "test_images/obama2.jpg": ("obama", "p2"),
    "test_images/obama3.jpg": ("obama", "p3"),
    "test_images/biden.jpg": ("biden", "p1"),
    "images/Tom_Hanks_54745.png": ("hanks", "p1"),
    "images/t1.jpg": ("t1", "group"),
}


# Degraded captures (a poor camera or light), scored as their own genuine category.
HARD_LOOKS = (
    Look(face_height=100, blur=1.5, gamma=1.8, noise=10, jpeg_quality=50),
    Look(face_height=130, angle=12, gamma=0.5, blur=2.0, noise=8, jpeg_quality=60),
)


@dataclass
class Source:
    identity: str
    photo: str
    bgr: np.ndarray
    box: tuple[int, int, int, int]


def decode(data: bytes) -> np.ndarray | None:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def dg2_image(path: Path) -> np.ndarray | None:
    """The JPEG 2000 or JPEG inside a DG2 file (found by its signature, not by parsing CBEFF)."""
    data = path.read_bytes()
    for magic in (b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51", b"\xff\xd8\xff"):
        at = data.find(magic)
        if at >= 0:
            return decode(data[at:])
    return None


def archive_members(path: Path) -> list[tuple[str, bytes]]:
    out = []
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            out += [(name, zf.read(name)) for name in zf.namelist() if _known(name)]
    else:
        with tarfile.open(path) as tf:
            for member in tf.getmembers():
                if member.isfile() and _known(member.name):
                    out.append((member.name, tf.extractfile(member).read()))
    return out


def _known(name: str) -> tuple[str, str] | None:
    for suffix, who in KNOWN_MEMBERS.items():
        if name.endswith(suffix):
            return who
    return None


def collect_raw(args: argparse.Namespace) -> list[tuple[str, str, np.ndarray]]:
    raw = []
    for f in sorted((ROOT / "tests" / "face" / "data").glob("*__*.jpg")):
        identity, photo = f.stem.split("__", 1)
        raw.append((identity, photo, cv2.imread(str(f))))
    if DG2.is_file() and (img := dg2_image(DG2)) is not None:
        raw.append(("mustermann", "dg2", img))
    for archive in args.archives:
        for name, data in archive_members(Path(archive)):
            identity, photo = _known(name)
            raw.append((identity, photo, decode(data)))
    if args.images:
        for folder in sorted(p for p in Path(args.images).iterdir() if p.is_dir()):
            for f in sorted(folder.iterdir()):
                if (img := cv2.imread(str(f))) is not None:
                    raw.append((folder.name, f.stem, img))
    return raw


def to_sources(verifier: FaceVerifier, raw: list[tuple[str, str, np.ndarray]]) -> list[Source]:
    sources = []
    for identity, photo, bgr in raw:
        faces = detect_faces(verifier.models, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        if photo == "group":  # every face of a group photo is a different person
            for k, face in enumerate(faces):
                sources.append(Source(f"{identity}_{k}", "p1", bgr, face.box))
        elif faces:
            sources.append(Source(identity, photo, bgr, faces[0].box))
        else:
            print(f"  skipped {identity}/{photo}: no face found")
    return sources


def quantiles(xs: list[float]) -> str:
    if not xs:
        return "(none)"
    q = np.quantile(xs, [0, 0.01, 0.05, 0.5, 0.95, 1])
    return "min {:.3f}  p1 {:.3f}  p5 {:.3f}  median {:.3f}  p95 {:.3f}  max {:.3f}".format(*q)


def fnmr_at_fmr(genuine: list[float], impostor: list[float], fmr: float) -> tuple[float, float]:
    """(threshold, FNMR) at the lowest threshold whose FMR <= fmr (scores: higher = same)."""
    imp = np.sort(np.asarray(impostor))[::-1]
    allowed = int(np.floor(fmr * len(imp)))  # impostor scores allowed at or above threshold
    threshold = imp[allowed] + 1e-9 if allowed < len(imp) else -np.inf
    fnmr = float(np.mean(np.asarray(genuine) < threshold)) if genuine else float("nan")
    return float(threshold), fnmr


def det_points(genuine: list[float], impostor: list[float]) -> list[tuple[float, float]]:
    g, i = np.asarray(genuine), np.asarray(impostor)
    points = []
    for t in np.unique(np.concatenate([g, i])):
        points.append((float(np.mean(i >= t)), float(np.mean(g < t))))
    return points


def draw_det(curves: dict[str, list[tuple[float, float]]], path: Path, n_impostor: int) -> None:
    """A DET plot (log FMR vs. log FNMR) drawn with OpenCV, so no plotting library is needed.

    Empirical operating points are joined as a staircase (nothing between two thresholds is
    measured), and the FMR range below 1/n_impostor, which this set cannot resolve, is greyed.
    """
    w, h, pad = 720, 560, 70
    img = np.full((h, w, 3), 255, np.uint8)
    lo_x, lo_y = 1e-4, 1e-3

    def xy(fmr: float, fnmr: float) -> tuple[int, int]:
        fx = (np.log10(max(fmr, lo_x)) - np.log10(lo_x)) / -np.log10(lo_x)
        fy = (np.log10(max(fnmr, lo_y)) - np.log10(lo_y)) / -np.log10(lo_y)
        return int(pad + fx * (w - 2 * pad)), int(h - pad - fy * (h - 2 * pad))

    for e in range(-4, 1):
        x, _ = xy(10.0**e, lo_y)
        cv2.line(img, (x, pad), (x, h - pad), (220, 220, 220), 1)
        cv2.putText(
            img, f"1e{e}", (x - 16, h - pad + 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1
        )
    for e in range(-3, 1):
        _, y = xy(lo_x, 10.0**e)
        cv2.line(img, (pad, y), (w - pad, y), (220, 220, 220), 1)
        cv2.putText(img, f"1e{e}", (8, y + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    cv2.rectangle(img, (pad, pad), (w - pad, h - pad), (0, 0, 0), 1)
    cv2.putText(
        img, "FMR (log)", (w // 2 - 40, h - 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1
    )
    cv2.putText(img, "FNMR (log)", (8, pad - 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1)
    cv2.putText(
        img,
        "DET: dlib ResNet, offline set (see docs/face.md)",
        (pad + 120, 30),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.55,
        (0, 0, 0),
        1,
    )
    x_limit, _ = xy(1 / max(n_impostor, 1), lo_y)
    cv2.rectangle(img, (pad + 1, pad + 1), (x_limit, h - pad - 1), (225, 225, 225), -1)
    cv2.putText(
        img,
        f"FMR < 1/{n_impostor}: not measurable here",
        (pad + 6, h - pad - 10),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.4,
        (90, 90, 90),
        1,
    )
    colours = [(200, 60, 0), (0, 120, 0), (0, 0, 200)]
    for k, (name, points) in enumerate(curves.items()):
        stairs: list[tuple[float, float]] = []
        for a, b in sorted(points):
            if stairs:
                stairs.append((a, stairs[-1][1]))
            stairs.append((a, b))
        pts = np.array([xy(a, b) for a, b in stairs], np.int32) + k  # offset: curves coincide
        cv2.polylines(img, [pts], False, colours[k % 3], 2)
        cv2.putText(
            img,
            name,
            (w - pad - 250, pad + 25 + 22 * k),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            colours[k % 3],
            1,
        )
    cv2.imwrite(str(path), img)


def decisions(scores: list[float]) -> str:
    cal = DEFAULT_CALIBRATION
    n = max(len(scores), 1)
    m = sum(s >= cal.match_at for s in scores)
    nm = sum(s <= cal.nonmatch_at for s in scores)
    return f"match {m / n:.1%}  unsure {(n - m - nm) / n:.1%}  non-match {nm / n:.1%}"


def _clock(fn: Any) -> tuple[float, float]:
    """(wall ms, CPU ms of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def timing(verifier: FaceVerifier, pairs: list[tuple[bytes, np.ndarray]]) -> dict[str, tuple]:
    """Median (wall, CPU) ms of: a full verification; with the chip template computed while
    the chip was read; and with the capture's own analysis of the frame (embedding only)."""
    runs: dict[str, list[tuple[float, float]]] = {"both": [], "chip_ready": [], "after_capture": []}
    dg2 = dg2_image(DG2) if DG2.is_file() else None
    if dg2 is not None:
        data = DG2.read_bytes()
        dg2_jp2 = data[data.index(b"\x00\x00\x00\x0cjP  ") :]
        runs["both_real_dg2"] = []
    reference = verifier.template(pairs[0][0])
    for chip, frame in pairs:
        runs["both"].append(_clock(lambda c=chip, f=frame: verifier.verify(c, f)))
        runs["chip_ready"].append(
            _clock(lambda f=frame: verifier.compare(reference, verifier.template(f)))
        )
        captured = analyse(verifier.models, frame)  # what capture_best hands over
        runs["after_capture"].append(_clock(lambda c=captured: verifier.compare(reference, c)))
        if dg2 is not None:
            runs["both_real_dg2"].append(_clock(lambda f=frame: verifier.verify(dg2_jp2, f)))
    out = {}
    for name, xs in runs.items():
        wall, cpu = np.asarray(xs).T
        out[name] = (float(np.median(wall)), float(np.median(cpu)), float(np.quantile(cpu, 0.95)))
    return out


def eye_report(verifier: FaceVerifier, sources: list[Source], frames: list[tuple]) -> None:
    """Eye openness on the real photos' booth frames, and on the same frames painted shut."""
    from edge.face.quality import MIN_EYE_OPENNESS

    real = [(sources[k].identity, t.quality.eye_openness) for k, t in frames]
    real = [(who, o) for who, o in real if o is not None]
    shut = []
    for k, s in enumerate(sources):
        frame = booth_frame(s.bgr, s.box, Look(face_height=220), seed=k)
        faces = detect_faces(verifier.models, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        if faces:
            q = verifier.template(closed_eyes(frame, faces[0].landmarks), embed=False).quality
            if q.eye_openness is not None:
                shut.append(q.eye_openness)
    values = [o for _, o in real]
    low = sorted({f"{who} {o:.2f}" for who, o in real if o < MIN_EYE_OPENNESS})
    print(f"\neyes (openness = eyelid gap / eye width; closed below {MIN_EYE_OPENNESS}):")
    print(f"  real photos, booth frames ({len(values)}): {quantiles(values)}")
    print(f"    flagged closed: {len(low)} ({', '.join(low) or 'none'})")
    print(f"  same frames, eyes painted shut ({len(shut)}): {quantiles(shut)}")
    print(f"    flagged closed: {sum(o < MIN_EYE_OPENNESS for o in shut)} of {len(shut)}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--archives", nargs="*", default=[], help="wheels/sdists holding face images"
    )
    parser.add_argument("--images", help="folder of <identity>/<photo>.jpg")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"), help="where the DET PNG goes")
    parser.add_argument("--timing-pairs", type=int, default=20)
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    parser.add_argument(
        "--write-calibration",
        metavar="CAL.json",
        help="save thresholds for FMR 0.1%% from these impostor scores (for face verify --calibration)",
    )
    args = parser.parse_args()
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    start = time.perf_counter()
    verifier = FaceVerifier()
    print(f"models loaded in {verifier.models.load_ms:.0f} ms from {verifier.models.model_dir}")
    sources = to_sources(verifier, collect_raw(args))
    identities = sorted({s.identity for s in sources})
    print(
        f"set: {len(sources)} source photos, {len(identities)} identities: {', '.join(identities)}"
    )
    photos = {i: sum(s.identity == i for s in sources) for i in identities}
    multi = sorted(i for i, n in photos.items() if n > 1)
    print(f"identities with more than one distinct photo: {len(multi)} ({', '.join(multi)})")

    chips, frames, hard = [], [], []  # (source index, template)
    timing_pairs = []
    for k, s in enumerate(sources):
        chip = chip_photo(s.bgr, s.box)
        chips.append((k, verifier.template(chip)))
        for j, look in enumerate(BOOTH_LOOKS):
            frame = booth_frame(s.bgr, s.box, look, seed=k * 10 + j)
            frames.append((k, verifier.template(frame)))
            if len(timing_pairs) < args.timing_pairs:
                timing_pairs.append((chip, frame))
        for j, look in enumerate(HARD_LOOKS):
            hard.append(
                (k, verifier.template(booth_frame(s.bgr, s.box, look, seed=k * 10 + 5 + j)))
            )
    unusable = sum(t.embedding is None for _, t in chips + frames)
    unusable_hard = sum(t.embedding is None for _, t in hard)
    print(
        f"templates: {len(chips)} chip-like JPEG 2000 + {len(frames)} booth-like frames: "
        f"{unusable} without a usable face; {len(hard)} degraded frames: {unusable_hard} without "
        "a usable face (failure to acquire)"
    )

    if verifier.models.eyes is not None:
        eye_report(verifier, sources, frames)

    same_photo, cross_photo, degraded, impostor = [], [], [], []
    for a, ta in chips:
        for kind, pool in (("booth", frames), ("hard", hard)):
            for b, tb in pool:
                if ta.embedding is None or tb.embedding is None:
                    continue
                score = similarity(ta.embedding, tb.embedding)
                if sources[a].identity != sources[b].identity:
                    impostor.append(score)
                elif kind == "hard":
                    degraded.append(score)
                elif a == b:
                    same_photo.append(score)
                else:
                    cross_photo.append(score)

    print("\nscore = 1 - dlib embedding distance (higher = more alike)")
    print(f"genuine, same source photo ({len(same_photo)} pairs): {quantiles(same_photo)}")
    print(f"genuine, different photos  ({len(cross_photo)} pairs): {quantiles(cross_photo)}")
    print(f"genuine, degraded capture  ({len(degraded)} pairs): {quantiles(degraded)}")
    print(f"impostor                  ({len(impostor)} pairs): {quantiles(impostor)}")
    pairs_of_people = len(identities) * (len(identities) - 1) // 2
    print(
        f"\nFNMR at fixed FMR (impostor pairs: {len(impostor)} from {pairs_of_people} pairs of "
        f"people; the smallest FMR these pairs can show is 1/{len(impostor)} = "
        f"{1 / max(len(impostor), 1):.2%}, and since the pairs of the same two people are alike, the "
        f"{pairs_of_people} pairs of people are the real sample size; FMR 0.1% means at most "
        f"{int(0.001 * len(impostor))} impostor pair(s) at or above the threshold)"
    )
    for fmr in (0.001, 0.01):
        for name, gen in (
            ("same photo", same_photo),
            ("different photos", cross_photo),
            ("degraded capture", degraded),
        ):
            if gen:
                t, fnmr = fnmr_at_fmr(gen, impostor, fmr)
                print(f"  FMR {fmr:.1%}: threshold {t:.3f}  FNMR {fnmr:.1%} ({name})")
    cal = DEFAULT_CALIBRATION
    print(f"\nshipped calibration: match >= {cal.match_at}, non-match <= {cal.nonmatch_at}")
    print(f"  genuine same photo:  {decisions(same_photo)}")
    print(f"  genuine diff photos: {decisions(cross_photo)}")
    print(f"  genuine degraded:    {decisions(degraded)}")
    print(f"  impostor:            {decisions(impostor)}")

    suggested = Calibration.from_scores(impostor, target_fmr=0.001)
    print(
        f"  from this set (FMR 0.1%): match >= {suggested.match_at}, "
        f"non-match <= {suggested.nonmatch_at} ({suggested.source})"
    )
    if args.write_calibration:
        Path(args.write_calibration).write_text(json.dumps(suggested.as_dict(), indent=2) + "\n")
        print(f"  written to {args.write_calibration}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # n in the legend: FNMR below 1/n genuine pairs cannot show either.
    curves = {}
    for name, gen in (
        ("same photo", same_photo),
        ("different photos", cross_photo),
        ("degraded capture", degraded),
    ):
        if gen:
            curves[f"genuine {name} (n={len(gen)})"] = det_points(gen, impostor)
    draw_det(curves, out / "face_det.png", len(impostor))
    print(f"\nDET curve: {out / 'face_det.png'}")

    cores = "all cores" if args.all_cores else "one core"
    t = timing(verifier, timing_pairs)
    print(
        f"\ntime per verification on {cores} ({len(timing_pairs)} pairs, model loaded; "
        "median wall / median CPU / p95 CPU):"
    )
    labels = {
        "both": "both images (chip JPEG 2000 240x320 + 640x480 frame)",
        "both_real_dg2": "both images, real BSI DG2 chip (JPEG 2000 413x531)",
        "chip_ready": "chip template computed while the chip was read",
        "after_capture": "chip ready + capture's own frame analysis (embed only)",
    }
    for name, (wall, cpu, cpu95) in t.items():
        print(f"  {labels[name]:56s} {wall:5.0f} / {cpu:4.0f} / {cpu95:4.0f} ms")
    print(
        f"  load average now: {os.getloadavg()[0]:.1f} (other work on this machine inflates wall time)"
    )

    print(
        "\nlimits of this set: few identities (see above), mostly one photo per person; the "
        "booth-like frames are renderings of the same photo, so 'same photo' pairs are "
        "optimistic; no ageing, no real booth lighting, no demographic coverage. The "
        "FMR 0.1% point rests on a handful of impostor pairs."
    )
    print(f"total bench time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
