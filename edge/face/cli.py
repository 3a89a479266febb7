"""`sekisho face`: verify two face images (or a CSV of pairs) and capture from a camera."""

from __future__ import annotations

import argparse
import csv
import logging
import time
from pathlib import Path
from typing import Any

from sekisho.report import UserError, emit, progress

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "face",
        help="face capture and 1:1 verification against the chip photo (offline)",
        description="Face capture from the booth camera and 1:1 verification (dlib, offline).",
    )
    parser.set_defaults(parser=parser)
    sub = parser.add_subparsers(dest="face_command", metavar="SUBCOMMAND")

    verify = sub.add_parser(
        "verify",
        help="compare two face images, or every pair listed in a CSV",
        description="Compare IMAGE_A with IMAGE_B (JPEG, PNG or JPEG 2000): score, decision "
        "(true/false, null = unsure or no usable face, with a reason), threshold, quality, ms.",
    )
    verify.add_argument("images", nargs="*", metavar="IMAGE", help="IMAGE_A IMAGE_B")
    verify.add_argument(
        "--pairs",
        metavar="PAIRS.csv",
        help="CSV with a header; first two columns are image paths relative to the CSV's folder",
    )
    verify.add_argument(
        "--calibration",
        metavar="CAL.json",
        help="thresholds written by bench/face.py --write-calibration (default: built in)",
    )
    verify.add_argument("--json", action="store_true", help="one JSON object per line")
    verify.set_defaults(func=cmd_verify)

    capture = sub.add_parser(
        "capture",
        help="pick the best face frame from a camera and save it",
        description="Read a camera (V4L2 device number or path, rtsp:// or http:// stream, video "
        "or image file) for a short window, guide the traveller, and save the best frame.",
    )
    capture.add_argument(
        "--camera", required=True, metavar="SOURCE", help="0, /dev/video0, URL or file"
    )
    capture.add_argument("--out", required=True, metavar="FILE.jpg", help="where to save the frame")
    capture.add_argument("--profile", metavar="PROFILE.toml", help="camera firmware profile")
    capture.add_argument("--window", type=float, default=3.0, metavar="SECONDS", help="default 3")
    capture.add_argument("--json", action="store_true", help="print the result as one JSON line")
    capture.set_defaults(func=cmd_capture)


def _verifier(calibration: str | None) -> Any:
    from edge.face.models import ModelError
    from edge.face.verify import DEFAULT_CALIBRATION, Calibration, CalibrationError, FaceVerifier

    try:
        cal = Calibration.load(calibration) if calibration else DEFAULT_CALIBRATION
        return FaceVerifier(calibration=cal)
    except (ModelError, CalibrationError) as exc:
        raise UserError(str(exc)) from exc


def _human_verification(obj: dict[str, Any]) -> str:
    decision = {True: "MATCH", False: "NO MATCH", None: "INSPECTOR DECIDES"}[obj["match"]]
    lines = [f"{decision}  score {obj['score']}  threshold {obj['threshold']}  {obj['ms']} ms"]
    if obj.get("reason"):
        lines.append(f"reason: {obj['reason']}")
    for side in ("a", "b"):
        q = obj["quality"][side]
        lines.append(f"image {side.upper()}: faces {q['faces']}, issues {q['issues'] or 'none'}")
    return "\n".join(lines)


def cmd_verify(args: argparse.Namespace) -> int:
    from edge.face.verify import ImageError

    if args.pairs and args.images:
        raise UserError("give either IMAGE_A IMAGE_B or --pairs PAIRS.csv, not both")
    if args.pairs:
        return _verify_pairs(Path(args.pairs), args.json, args.calibration)
    if len(args.images) != 2:
        raise UserError("face verify needs two images: IMAGE_A IMAGE_B (or --pairs PAIRS.csv)")
    verifier = _verifier(args.calibration)
    try:
        result = verifier.verify(args.images[0], args.images[1])
    except ImageError as exc:
        raise UserError(str(exc)) from exc
    emit(result.as_dict(), args.json, _human_verification)
    return 0


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    if not rows or len(rows[0]) < 2:
        raise UserError(f"{path}: expected a header row and two image-path columns")
    pairs = [(r[0].strip(), r[1].strip()) for r in rows[1:] if len(r) >= 2 and r[0].strip()]
    if not pairs:
        raise UserError(f"{path}: no pairs below the header")
    return pairs


def _verify_pairs(path: Path, as_json: bool, calibration: str | None) -> int:
    from edge.face.verify import ImageError

    pairs = _read_pairs(path)
    verifier = _verifier(calibration)  # the model loads once for all pairs
    for a, b in pairs:
        start = time.perf_counter()
        try:
            r = verifier.verify(path.parent / a, path.parent / b)
            line: dict[str, Any] = {
                "a": a,
                "b": b,
                "score": None if r.score is None else round(r.score, 4),
                "match": r.match,
                "ms": round(r.ms, 1),
            }
            if r.reason:
                line["reason"] = r.reason
        except ImageError as exc:
            ms = round((time.perf_counter() - start) * 1000, 1)
            line = {"a": a, "b": b, "score": None, "match": None, "ms": ms, "reason": str(exc)}
        emit(
            line, as_json, lambda o: f"{o['a']}  {o['b']}  {o['score']}  {o['match']}  {o['ms']} ms"
        )
    return 0


def cmd_capture(args: argparse.Namespace) -> int:
    import cv2

    from devices.camera import CameraError, open_camera
    from devices.profiles import ProfileError
    from edge.face.capture import capture_best
    from edge.face.models import ModelError, load_models

    try:
        models = load_models()
        camera = open_camera(args.camera, args.profile)
    except (CameraError, ProfileError, ModelError) as exc:
        raise UserError(str(exc)) from exc
    try:
        result = capture_best(
            camera,
            window_s=args.window,
            models=models,
            on_guidance=lambda advice: progress(" / ".join(f"{g.ja} ({g.en})" for g in advice)),
        )
    finally:
        camera.close()
    out = result.as_dict()
    if result.ok:
        if not cv2.imwrite(args.out, result.image):
            raise UserError(f"cannot write {args.out} (folder missing, or not a .jpg/.png name?)")
        out["out"] = args.out
    emit(out, args.json, _human_capture)
    return 0 if result.ok else 1


def _human_capture(obj: dict[str, Any]) -> str:
    if obj["ok"]:
        q = obj["quality"]
        head = f"saved frame {obj['frame']} of {obj['frames_seen']} to {obj['out']}"
        return f"{head}  (eye distance {q['eye_distance_px']} px, issues {q['issues'] or 'none'})"
    return f"no usable frame: {obj['reason']}"
