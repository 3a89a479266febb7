"""The booth workflow's face check: capture, verify against the chip photo, count, report.

Real OpenCV and face models on real public-domain portraits; the booth agent is built from its
configuration exactly as `sekisho edge run` builds it, and inspects travellers in process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import cv2
import pytest

from edge.assembly import build_agent
from sekisho.config import BoothConfig
from sekisho.wire.signing import load_or_create_private_key, public_pem

DATA = Path(__file__).resolve().parents[1] / "face" / "data"


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> dict[str, Path]:
    """Booth-camera frames and chip photos (JPEG 2000) of two people."""
    from edge.face.detect import detect_faces
    from edge.face.models import load_models
    from edge.face.variations import Look, booth_frame, chip_photo

    models = load_models()
    out = tmp_path_factory.mktemp("faces")
    paths = {}
    for name in ("collins__astronaut", "hopper__navy"):
        bgr = cv2.imread(str(DATA / f"{name}.jpg"))
        box = detect_faces(models, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))[0].box
        who = name.split("__")[0]
        (out / f"{who}.jp2").write_bytes(chip_photo(bgr, box))
        cv2.imwrite(str(out / f"{who}-booth.jpg"), booth_frame(bgr, box, Look(face_height=190)))
        paths[who] = out / f"{who}.jp2"
        paths[f"{who}-booth"] = out / f"{who}-booth.jpg"
    return paths


def booth(tmp_path: Path, camera: Path, portrait: Path) -> BoothConfig:
    key = load_or_create_private_key(tmp_path / "east.key")
    (tmp_path / "east.pub").write_bytes(public_pem(key.public_key()))
    return BoothConfig(
        port="NRT", booth="B01", data_dir=tmp_path / "booth",
        brokers={"east": {"port": 1}}, centre_keys={"east": tmp_path / "east.pub"},
        face={"camera": str(camera), "window_seconds": 1.0, "simulated_portrait": portrait},
    )  # fmt: skip


def inspect(config: BoothConfig, n: int) -> tuple[list[dict], dict]:
    agent = build_agent(config, seed=1)
    records = [asyncio.run(agent.inspect_one()) for _ in range(n)]
    beat = agent.heartbeat()
    agent.outbox.close()
    return records, beat


def test_same_person_passes_and_is_counted_in_the_heartbeat(tmp_path, faces):
    records, beat = inspect(booth(tmp_path, faces["collins-booth"], faces["collins"]), 3)
    assert {r["decision"] for r in records} <= {"admitted", "departed"}
    bio = beat["biometrics"]
    assert bio["captures"] == 3 and bio["capture_failures"] == 0
    assert bio["verifications"] == 3 and bio["match"] == 3 and bio["non_match"] == 0
    assert bio["recent_verifications"] == 3
    assert beat["devices"]["camera"] == "ok"


def test_another_person_is_referred_to_the_inspector(tmp_path, faces):
    records, beat = inspect(booth(tmp_path, faces["hopper-booth"], faces["collins"]), 2)
    assert {r["decision"] for r in records} == {"referred"}
    assert beat["biometrics"]["non_match"] + beat["biometrics"]["unsure"] == 2
    assert beat["biometrics"]["match"] == 0


def test_camera_gone_refers_the_traveller_and_reports_a_fault(tmp_path, faces):
    camera = tmp_path / "camera.jpg"
    camera.write_bytes(faces["collins-booth"].read_bytes())
    agent = build_agent(booth(tmp_path, camera, faces["collins"]), seed=1)
    first = asyncio.run(agent.inspect_one())
    assert first["decision"] in ("admitted", "departed")
    camera.unlink()  # the camera is unplugged between travellers
    second = asyncio.run(agent.inspect_one())
    assert second["decision"] == "referred"
    assert agent.current["notes"][0]["code"] == "check_failed"
    assert agent.heartbeat()["devices"]["camera"] == "fault"
    agent.outbox.close()
