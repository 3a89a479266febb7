"""An in-process `CardTransport` wired straight to a simulated chip: the same reader code without
pcscd, for booth workflow tests and demos on machines with no PC/SC stack."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from devices.emrtd.errors import CardRemovedError
from devices.simulated.epassport.chip import EPassportChip

logger = logging.getLogger(__name__)


class DirectTransport:
    """CardTransport over a chip object; `present` False makes every exchange a removed card."""

    def __init__(self, chip: EPassportChip, name: str = "simulated ePassport") -> None:
        self.chip = chip
        self.name = name
        self.max_response: int | None = None
        self.present = True
        self.apdus = 0

    def connect(self) -> None:
        if not self.present:
            raise CardRemovedError("no card on the simulated reader")
        self.chip.power_on()

    def transmit(self, apdu: bytes) -> bytes:
        if not self.present:
            raise CardRemovedError("the simulated card left the reader")
        self.apdus += 1
        return self.chip.process(apdu)

    def wait_for_card(self, timeout: float) -> bool:
        return self.present

    def events(self, timeout: float) -> Iterator[str]:
        """The current state only: the simulated card does not move by itself."""
        yield "inserted" if self.present else "removed"

    def close(self) -> None:
        """Nothing to release."""
