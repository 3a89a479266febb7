"""A simulated inspector for unattended booths (demo, tests): decides each inspection.

A real booth gets the decision from the inspector through the booth UI; this stands in for the
person, with the proportions of a busy airport: a little over half landings, nearly all admitted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from devices.document_reader import DocumentReading
from devices.simulated.travellers import LANDINGS
from edge.inspection import Checks


@dataclass(frozen=True)
class Decision:
    kind: str  # "landing" | "departure"
    decision: str
    landing: tuple[str, int] | None  # (status of residence, period in days) for landings


class SimulatedInspector:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def decide(self, reading: DocumentReading, checks: Checks | None = None) -> Decision:
        """A traveller the checks flag (alert, unscreened, face not matched) is referred."""
        rng = self.rng
        flagged = checks is not None and checks.needs_inspector
        if rng.random() < 0.55:
            status, days, _ = rng.choices(LANDINGS, [w for *_, w in LANDINGS])[0]
            decision = "admitted" if rng.random() > 0.002 and not flagged else "referred"
            return Decision("landing", decision, (status, days))
        return Decision("departure", "referred" if flagged else "departed", None)
