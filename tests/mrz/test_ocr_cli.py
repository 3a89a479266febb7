"""`sekisho mrz read IMAGE... --json` as a real process on generated image files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from edge.mrz import synth

ROOT = Path(__file__).resolve().parents[2]
SEKISHO = ROOT / ".venv" / "bin" / "sekisho"
COMMAND = [str(SEKISHO)] if SEKISHO.exists() else [sys.executable, "-m", "sekisho"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "mrz", "read", *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_read_json_one_line_per_image(tmp_path: Path) -> None:
    s1 = synth.make_sample(
        np.random.default_rng(41), "TD3", width=1000, angle=4.0, upside_down=False, level=0.5
    )
    s2 = synth.make_sample(
        np.random.default_rng(42), "TD1", width=800, angle=-5.0, upside_down=True, level=0.5
    )
    p1, p2 = tmp_path / "passport.jpg", tmp_path / "card.png"
    cv2.imwrite(str(p1), s1.image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    cv2.imwrite(str(p2), s2.image)
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((500, 700, 3), 230, np.uint8))

    proc = run(str(p1), str(p2), str(blank), "--json")
    assert proc.returncode == 1, proc.stderr  # the blank image has no MRZ
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["file"] for o in out] == [str(p1), str(p2), str(blank)]
    first, second, third = out
    assert set(first) == {"file", "mrz", "valid", "format", "fields", "confidence", "ms"}
    assert first["mrz"] == s1.mrz and first["valid"] is True and first["format"] == "TD3"
    assert first["fields"]["document_number"] and 0.9 <= first["confidence"] <= 1
    assert first["ms"] > 0
    assert second["mrz"] == s2.mrz and second["format"] == "TD1"
    assert third["mrz"] is None and third["reason"] and third["valid"] is False


def test_read_human_output_and_unreadable_file(tmp_path: Path) -> None:
    bogus = tmp_path / "not-an-image.jpg"
    bogus.write_text("hello")
    proc = run(str(bogus))
    assert proc.returncode == 1
    assert "no MRZ" in proc.stdout and "cannot open" in proc.stdout
