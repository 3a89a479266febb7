"""The booth's checks between reading a document and the inspector's decision.

reading -> screening on local reference data -> face (live capture vs chip photo) -> decision.
Each check is optional on a booth. A check that cannot be made says why, and the traveller then
goes to the inspector (referred) rather than being passed by default: a booth whose watchlist is
missing or older than policy allows refuses to screen, it does not screen on stale data.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from devices.document_reader import DocumentReading
from sekisho.wire import messages as m

logger = logging.getLogger(__name__)


class ReferenceSource(Protocol):
    """The booth's applied reference data (`edge.refdata.ReferenceData`)."""

    def screener(self) -> Any:
        """The current Screener; raises `StaleDataError` when policy forbids screening."""
        ...

    def status(self) -> dict[str, dict[str, Any]]:
        """Per kind: version, age_s and whether screening may use it (`usable`)."""
        ...

    @property
    def rejections(self) -> Any:
        """The last bundles refused: dicts with kind, version, reason, detail, at."""
        ...


@dataclass
class Checks:
    """What the booth's checks found for one traveller: goes to the inspector and the record."""

    screening: m.ScreeningSummary = field(default_factory=m.ScreeningSummary)
    alerts: list[dict[str, Any]] = field(default_factory=list)  # for the booth screen only
    face: dict[str, Any] | None = None
    document_referred: bool = False  # the chip failed Passive Authentication
    notes: list[dict[str, str]] = field(default_factory=list)  # {"code", "detail"}: see note()

    def note(self, code: str, detail: str = "") -> None:
        """Why the traveller needs a person, as a code the booth screen translates (ja/en)."""
        self.notes.append({"code": code, "detail": detail})

    @property
    def needs_inspector(self) -> bool:
        """A hit, an unscreened traveller or a face that is not a clear match."""
        face_unclear = self.face is not None and self.face["match"] is not True
        return self.screening.referred or face_unclear or self.document_referred


def traveller_of(reading: DocumentReading) -> dict[str, Any]:
    """The screening engine's traveller dict, from a document reading."""
    return {
        "id": reading.document_number,
        "surname": reading.surname,
        "given_names": reading.given_names,
        "birth_date": reading.birth_date,
        "nationality": reading.nationality,
        "issuing_country": reading.issuing_state,
        "sex": reading.sex,
        "document_number": reading.document_number,
        "names_truncated": reading.names_truncated,
    }


class ScreeningCheck:
    """Screens each traveller against the booth's applied watchlist (and visas when held)."""

    REJECTION_ALARM_S = 3600.0  # how long a refused bundle keeps the booth's alarm raised

    def __init__(self, source: ReferenceSource) -> None:
        self.source = source

    def alarms(self) -> list[str]:
        """`watchlist_unusable` and the like (data missing or older than policy allows), and
        `bundle_rejected` for an hour after the booth refused a bundle (forged, tampered...)."""
        out = [f"{kind}_unusable" for kind, s in self.source.status().items() if not s["usable"]]
        now = time.time()
        if any(now - r["at"] < self.REJECTION_ALARM_S for r in self.source.rejections):
            out.append("bundle_rejected")
        return out

    def run(self, reading: DocumentReading, checks: Checks, today: date | None = None) -> None:
        from edge.refdata.service import StaleDataError

        try:
            screener = self.source.screener()
        except StaleDataError as exc:
            # Not screened: no version in the record, whatever the booth holds (too old to use).
            checks.screening = m.ScreeningSummary(hits=0, watchlist_version=None, referred=True)
            checks.note("not_screened", str(exc))
            return
        result = screener.screen(traveller_of(reading), today=today)
        version = result.data_version  # the data that screened this traveller, even mid-update
        checks.alerts = [
            {
                "entry": h.entry_id,
                "category": h.category,
                "action": h.action,
                "score": round(h.score, 3),
                "why": h.explanation,
            }
            for h in result.alerts
        ]
        visa = result.visa
        visa_problem = visa is not None and visa.status not in ("valid", "not_found")
        checks.screening = m.ScreeningSummary(
            hits=len(result.alerts),
            watchlist_version=version,
            referred=bool(result.alerts) or visa_problem,
        )
        if result.alerts:
            checks.note("watchlist_alert", str(len(result.alerts)))
        if visa_problem:
            checks.note("visa_problem", visa.status)


class FaceCheck:
    """Captures the traveller's face and verifies it against the chip photo (DG2).

    A live camera stays open between travellers; a file source (the simulated camera) is
    opened again for each one, as if the traveller stepped in front of it.
    """

    def __init__(
        self,
        open_camera: Callable[[], Any],
        verifier: Any,
        stats: Any,
        window_s: float = 2.0,
    ) -> None:
        self.open_camera = open_camera
        self.verifier = verifier
        self.stats = stats
        self.window_s = window_s
        self._camera: Any = None
        self._failed = False

    def _camera_now(self) -> Any:
        if self._camera is None or not self._camera.live:
            if self._camera is not None:
                self._camera.close()
                self._camera = None
            try:
                self._camera = self.open_camera()
            except Exception:
                self._failed = True
                raise
            self._failed = False
        return self._camera

    def status(self) -> str:
        if self._failed:
            return "fault"
        return "absent" if self._camera is None else self._camera.status()

    def run(self, reading: DocumentReading, checks: Checks) -> None:
        from edge.face.capture import capture_best

        if reading.portrait is None:
            checks.note("no_chip_photo")
            return
        started = time.monotonic()
        captured = capture_best(self._camera_now(), self.window_s, models=self.verifier.models)
        self.stats.record_capture(captured)
        if not captured.ok:
            checks.face = {"match": None, "reason": captured.reason}
            checks.note("face_not_captured", captured.reason or "")
            return
        # The capture already detected and aligned the live face: only embeddings are left.
        live = captured.template or self.verifier.template(captured.image, embed=False)
        verdict = self.verifier.compare(self.verifier.template(reading.portrait, embed=False), live)
        self.stats.record_verification(verdict)
        checks.face = verdict.as_dict()
        checks.face["ms_total"] = round((time.monotonic() - started) * 1000, 1)
        if verdict.match is not True:
            checks.note(
                "face_no_match" if verdict.match is False else "face_unsure", verdict.reason or ""
            )


def document_check(reading: DocumentReading, checks: Checks) -> None:
    """A chip whose data the CSCAs do not vouch for goes to a person (forgery or unknown issuer)."""
    status = reading.extras.get("passive_auth")
    if status is not None and status != "valid":
        checks.document_referred = True
        checks.note("chip_not_verified", status)


class Inspection:
    """Runs the booth's configured checks for one reading (CPU work off the event loop)."""

    def __init__(
        self, screening: ScreeningCheck | None = None, face: FaceCheck | None = None
    ) -> None:
        self.screening = screening
        self.face = face

    async def check(self, reading: DocumentReading) -> Checks:
        if self.screening is None and self.face is None:
            return self.check_now(reading)  # nothing slow to run: no thread needed
        return await asyncio.to_thread(self.check_now, reading)

    def check_now(self, reading: DocumentReading) -> Checks:
        """Every configured check; one that fails (a camera unplugged, a corrupt index) refers
        the traveller with the reason instead of stopping the booth."""
        checks = Checks()
        document_check(reading, checks)
        if self.screening is not None:
            try:
                self.screening.run(reading, checks)
            except Exception as exc:  # any failure means "not screened"
                logger.error("screening failed: %s", type(exc).__name__)
                checks.screening = m.ScreeningSummary(referred=True)
                checks.note("check_failed", f"screening: {type(exc).__name__}: {exc}")
        if self.face is not None:
            try:
                self.face.run(reading, checks)
            except Exception as exc:  # any failure means "face not verified"
                logger.error("face check failed: %s", type(exc).__name__)
                checks.face = {"match": None, "reason": f"{type(exc).__name__}: {exc}"}
                checks.note("check_failed", f"face: {type(exc).__name__}: {exc}")
        return checks

    def alarms(self) -> list[str]:
        return self.screening.alarms() if self.screening is not None else []

    def bundle_rejections(self) -> list[dict[str, Any]]:
        return list(self.screening.source.rejections) if self.screening is not None else []

    def reference_status(self) -> dict[str, dict[str, Any]]:
        """Per kind: version, age, allowed age, usable (empty when the booth does not screen)."""
        return self.screening.source.status() if self.screening is not None else {}

    def heartbeat_fields(self) -> dict[str, dict[str, int]]:
        """Reference data versions and biometric counters for the booth heartbeat."""
        fields: dict[str, dict[str, int]] = {}
        if self.screening is not None:
            held = {k: s for k, s in self.screening.source.status().items() if s["version"]}
            fields["data_versions"] = {kind: s["version"] for kind, s in held.items()}
            fields["data_age_s"] = {kind: s["age_s"] for kind, s in held.items()}
        if self.face is not None:
            fields["biometrics"] = self.face.stats.as_dict()
        return fields
