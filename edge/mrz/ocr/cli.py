"""`sekisho mrz read IMAGE... [--json]`: read the MRZ of document images.

    sekisho mrz read passport.jpg card.png --json

Prints one report per image, in the order given. With --json each is one line:
{"file", "mrz" (lines joined by newlines, or null), "valid", "format", "fields",
"confidence", "ms"} plus "reason" when mrz is null. Exit code 0 when every image gave a
valid MRZ, 1 otherwise (including files that cannot be opened as images).
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from sekisho.report import UserError, emit

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `read` to the `mrz` command group."""
    read = subparsers.add_parser(
        "read",
        help="read the MRZ of passport, ID card and visa images (OCR, offline)",
        description=(
            "Find and read the machine-readable zone in each image (camera frame or scan, "
            "any of TD1/TD2/TD3/MRV-A/MRV-B, rotated or upside-down). Prints one report per "
            "image; confidence below 0.9 means the reading should be checked by a person."
        ),
        epilog="example:\n  sekisho mrz read passport.jpg card.png --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    read.add_argument("images", nargs="+", metavar="IMAGE", help="image files (JPEG, PNG, ...)")
    read.add_argument("--json", action="store_true", help="one JSON object per image")
    read.set_defaults(func=handle_read)


def _human(report: dict[str, Any]) -> str:
    head = f"{report['file']}: "
    if report["mrz"] is None:
        return head + f"no MRZ ({report['reason']}) [{report['ms']} ms]"
    state = "valid" if report["valid"] else "INVALID"
    lines = "\n".join("  " + ln for ln in report["mrz"].split("\n"))
    return (
        f"{head}{report['format']} {state} confidence {report['confidence']:.3f} "
        f"[{report['ms']} ms]\n{lines}"
    )


def read_file(path: str) -> dict[str, Any]:
    """The report for one image file (the CLI's JSON object)."""
    import cv2

    from edge.mrz.ocr.reader import MrzReading, read_mrz

    image = cv2.imread(path, cv2.IMREAD_COLOR)
    start = time.perf_counter()  # the OCR itself, not the file decoding
    if image is None:
        reading = MrzReading(None, reason="cannot open the file as an image")
    else:
        reading = read_mrz(image)
    ms = (time.perf_counter() - start) * 1000
    return {"file": path, **reading.to_dict(), "ms": round(ms, 1)}


def handle_read(args: argparse.Namespace) -> int:
    """Read each image; one report per image; 1 if any gave no valid MRZ."""
    from edge.mrz.ocr.recognise import RecogniserError, default_recogniser

    try:
        default_recogniser()  # load once, before timing the first image
    except RecogniserError as exc:
        raise UserError(str(exc)) from None
    all_valid = True
    for path in args.images:
        report = read_file(path)
        all_valid = all_valid and bool(report["valid"])
        emit(report, args.json, _human)
    return 0 if all_valid else 1
