"""`sekisho face ...` through a real subprocess, as an operator or the booth would call it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from edge.face.variations import Look, booth_frame, chip_photo
from tests.face.conftest import DATA, REPO, face_box


def sekisho(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sekisho", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def pair_dir(tmp_path_factory, models, collins) -> Path:
    folder = tmp_path_factory.mktemp("pairs")
    (folder / "img").mkdir()
    (folder / "img" / "collins_chip.jp2").write_bytes(
        chip_photo(collins, face_box(models, collins))
    )
    cv2.imwrite(str(folder / "img" / "hopper.jpg"), cv2.imread(str(DATA / "hopper__navy.jpg")))
    cv2.imwrite(str(folder / "img" / "collins.jpg"), collins)
    frame = booth_frame(collins, face_box(models, collins), Look(face_height=220))
    cv2.imwrite(str(folder / "booth.jpg"), frame)
    (folder / "pairs.csv").write_text(
        "live,chip,note\n"
        "booth.jpg,img/collins_chip.jp2,same\n"
        "img/hopper.jpg,img/collins_chip.jp2,different\n"
        "img/missing.jpg,img/collins.jpg,broken\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.slow
def test_cli_verify_two_images_json(pair_dir):
    proc = sekisho(
        "face",
        "verify",
        str(pair_dir / "booth.jpg"),
        str(pair_dir / "img" / "collins_chip.jp2"),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"score", "match", "threshold", "quality", "ms"}
    assert out["match"] is True and out["score"] >= out["threshold"]
    assert set(out["quality"]) == {"a", "b"} and out["quality"]["a"]["faces"] == 1


@pytest.mark.slow
def test_cli_verify_pairs_csv(pair_dir):
    proc = sekisho("face", "verify", "--pairs", str(pair_dir / "pairs.csv"), "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(x["a"], x["match"]) for x in lines] == [
        ("booth.jpg", True),
        ("img/hopper.jpg", False),
        ("img/missing.jpg", None),
    ]
    assert {"a", "b", "score", "match", "ms"} <= set(lines[0])
    assert "cannot read image" in lines[2]["reason"]


@pytest.mark.slow
def test_cli_capture_from_video_file(tmp_path, models, collins):
    box = face_box(models, collins)
    video = tmp_path / "cam.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    for look in (Look(face_height=70), Look(face_height=220), Look(face_height=220, blur=4)):
        writer.write(booth_frame(collins, box, look))
    writer.release()
    out = tmp_path / "best.jpg"
    proc = sekisho("face", "capture", "--camera", str(video), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["ok"] is True and result["frame"] == 1 and result["out"] == str(out)
    assert cv2.imread(str(out)).shape == (480, 640, 3)
    assert "もう少し近づいてください" in proc.stderr  # live guidance went to stderr


def test_cli_user_errors():
    proc = sekisho("face", "verify", "only-one.jpg")
    assert proc.returncode == 2 and "needs two images" in proc.stderr
    proc = sekisho("face", "capture", "--camera", "no-such.mp4", "--out", "x.jpg")
    assert proc.returncode == 2 and "neither a device" in proc.stderr
