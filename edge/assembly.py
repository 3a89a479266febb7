"""Builds a booth agent from its configuration: devices, checks and background services.

The agent itself knows nothing of which checks a booth runs; this module reads `[booth]`,
`[booth.refdata]` and `[booth.face]` and wires the parts, importing heavy libraries (OpenCV,
the face models, the screening engine) only when the booth is configured to use them.
"""

from __future__ import annotations

import logging
from typing import Any

from edge.agent import BoothAgent
from edge.inspection import FaceCheck, Inspection, ScreeningCheck
from sekisho.config import BoothConfig
from sekisho.wire.signing import load_public_key

logger = logging.getLogger(__name__)


def _screening(booth: BoothConfig) -> tuple[ScreeningCheck, Any]:
    """The screening check on the booth's applied bundles, and the task that fetches them."""
    from edge.refdata import ReferenceData
    from edge.refdata.sync import BundleSync

    trusted = {c: load_public_key(p.read_bytes()) for c, p in booth.centre_keys.items()}
    refdata = ReferenceData(booth.data_dir / "refdata", trusted, booth.refdata)
    sync = BundleSync(refdata, booth.brokers, client_id=f"{booth.port}-{booth.booth}-bundles")
    return ScreeningCheck(refdata), sync


def _face(booth: BoothConfig) -> FaceCheck:
    from devices.camera import open_camera
    from edge.face.stats import FaceStats
    from edge.face.verify import FaceVerifier

    face = booth.face
    assert face is not None
    return FaceCheck(
        lambda: open_camera(face.camera, face.profile),
        FaceVerifier(),
        FaceStats(),
        window_s=face.window_seconds,
    )


def build_agent(booth: BoothConfig, seed: int | None = None) -> BoothAgent:
    """A booth agent with the checks and services its configuration asks for."""
    from devices.simulated.travellers import SimulatedDocumentReader

    services: list[Any] = []
    screening = face = None
    if booth.refdata is not None:
        screening, sync = _screening(booth)
        services.append(sync)
    portrait = None
    if booth.face is not None:
        face = _face(booth)
        if booth.face.simulated_portrait is not None:
            portrait = booth.face.simulated_portrait.read_bytes()
    if booth.document_reader == "simulated-passport":
        from devices.passport_reader import PassportDocumentReader
        from devices.simulated.passports import SimulatedPassportFeed

        feed = SimulatedPassportFeed(seed)
        reader = PassportDocumentReader(feed, feed.trust())
    else:
        reader = SimulatedDocumentReader(seed, portrait=portrait)
    return BoothAgent(
        booth, reader=reader, seed=seed, inspection=Inspection(screening, face), services=services
    )
