"""Nothing touches the network while the models load and a verification runs."""

from __future__ import annotations

import json
import subprocess
import sys

from edge.face.eyes import eye_model_path
from tests.face.conftest import DATA, REPO

# A fresh interpreter records every socket-level audit event (PEP 578) from start to end:
# model loading, detection, alignment, eyes, embedding. Any event means a network attempt.
PROBE = """
import json, sys
events = []
def hook(event, args):
    if event.startswith(("socket.", "urllib.", "http.")):
        events.append(event)
sys.addaudithook(hook)
from edge.face.verify import FaceVerifier
r = FaceVerifier().verify(sys.argv[1], sys.argv[2])
eyes = r.quality["a"]["eye_openness"]
print(json.dumps({"events": events, "match": r.match, "eyes": eyes}))
"""


def test_model_load_and_verify_make_no_network_call():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(DATA / "collins__astronaut.jpg"),
            str(DATA / "hopper__navy.jpg"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["match"] is False  # the pipeline really ran
    assert out["events"] == []
    if eye_model_path() is not None:
        assert out["eyes"] > 0.2  # the eyelid model loaded and ran too
