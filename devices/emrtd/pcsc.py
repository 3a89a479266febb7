"""The real transport: PC/SC through pyscard's low-level `smartcard.scard` API, behind `CardTransport`.

Result codes become typed errors (card removed, timeout, no reader); card presence is observed
with SCardGetStatusChange so a reader can wait for a card to come back.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Iterator
from typing import Protocol

from devices.emrtd.errors import CardRemovedError, ChipTimeoutError, TransportError

logger = logging.getLogger(__name__)


class CardTransport(Protocol):
    """What the reader service needs from a transport."""

    name: str
    max_response: int | None  # longest response the reader passes, when it says so

    def connect(self) -> None: ...

    def transmit(self, apdu: bytes) -> bytes: ...

    def wait_for_card(self, timeout: float) -> bool: ...

    def events(self, timeout: float) -> Iterator[str]: ...

    def close(self) -> None: ...


def list_readers() -> list[dict[str, object]]:
    """Readers known to pcscd, each with whether a card is present and its ATR."""
    from smartcard import scard

    ctx = _context()
    try:
        hresult, readers = scard.SCardListReaders(ctx, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check(hresult, "listing readers")
        states = [(r, scard.SCARD_STATE_UNAWARE) for r in readers]
        hresult, result = scard.SCardGetStatusChange(ctx, 0, states)
        out = []
        for reader, event, atr in result:
            present = bool(event & scard.SCARD_STATE_PRESENT)
            out.append(
                {
                    "name": reader,
                    "card_present": present,
                    "atr": bytes(atr).hex().upper() if present else None,
                }
            )
        return out
    finally:
        scard.SCardReleaseContext(ctx)


def _context() -> int:
    from smartcard import scard

    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise TransportError(
            f"cannot reach the PC/SC service (pcscd): {scard.SCardGetErrorMessage(hresult)}"
        )
    return ctx


def _check(hresult: int, doing: str) -> None:
    from smartcard import scard

    if hresult == scard.SCARD_S_SUCCESS:
        return
    message = f"PC/SC error while {doing}: {scard.SCardGetErrorMessage(hresult)}"
    if hresult in (
        scard.SCARD_W_REMOVED_CARD,
        scard.SCARD_E_NO_SMARTCARD,
        scard.SCARD_W_RESET_CARD,
        scard.SCARD_W_UNPOWERED_CARD,
        scard.SCARD_W_UNRESPONSIVE_CARD,
        scard.SCARD_E_NOT_TRANSACTED,
    ):
        # NOT_TRANSACTED: the reader driver lost the card mid-exchange (field lost, card pulled).
        raise CardRemovedError(message)
    if hresult == scard.SCARD_E_TIMEOUT:
        raise ChipTimeoutError(message)
    raise TransportError(message)


class PcscTransport:
    """One reader, by (part of) its name; the first reader with a card when no name is given."""

    def __init__(self, reader: str | None = None, apdu_timeout: float = 5.0) -> None:
        self.wanted = reader
        self.apdu_timeout = apdu_timeout
        self._worker: concurrent.futures.ThreadPoolExecutor | None = None
        self.name = ""
        self.max_response: int | None = None
        self._ctx: int | None = None
        self._card: int | None = None
        self._protocol = 0

    def _pick_reader(self) -> str:
        from smartcard import scard

        assert self._ctx is not None
        hresult, readers = scard.SCardListReaders(self._ctx, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE or not readers:
            raise TransportError("no PC/SC reader is connected")
        _check(hresult, "listing readers")
        if self.wanted:
            matches = [r for r in readers if self.wanted in r]
            if not matches:
                raise TransportError(
                    f"no reader named {self.wanted!r} (have: {', '.join(readers)})"
                )
            return matches[0]
        _h, states = scard.SCardGetStatusChange(
            self._ctx, 0, [(r, scard.SCARD_STATE_UNAWARE) for r in readers]
        )
        with_card = [r for r, event, _atr in states if event & scard.SCARD_STATE_PRESENT]
        return (with_card or readers)[0]

    def connect(self) -> None:
        from smartcard import scard

        if self._ctx is None:
            self._ctx = _context()
        if not self.name:
            self.name = self._pick_reader()
        self._disconnect()
        hresult, card, protocol = scard.SCardConnect(
            self._ctx,
            self.name,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        _check(hresult, f"connecting to the card in {self.name}")
        self._card, self._protocol = card, protocol
        # CCID readers tell their longest message; many other drivers (vpcd too) do not.
        hresult, attr = scard.SCardGetAttrib(card, scard.SCARD_ATTR_MAXINPUT)
        if hresult == scard.SCARD_S_SUCCESS and len(attr) >= 4:
            self.max_response = int.from_bytes(bytes(attr[:4]), "little") or None

    def transmit(self, apdu: bytes) -> bytes:
        from smartcard import scard

        if self._card is None:
            self.connect()
        # SCardTransmit can block for ever on a stalled driver (vpcd has no timeout): watch it.
        if self._worker is None:
            self._worker = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="pcsc-transmit"
            )
        job = self._worker.submit(scard.SCardTransmit, self._card, self._protocol, list(apdu))
        try:
            hresult, response = job.result(timeout=self.apdu_timeout)
        except concurrent.futures.TimeoutError:
            self._worker.shutdown(wait=False)
            self._worker = None
            self._card = None
            raise ChipTimeoutError(
                f"the chip did not answer within {self.apdu_timeout:.0f}s (reader {self.name})",
                stalled=True,
            ) from None
        if hresult != scard.SCARD_S_SUCCESS:
            self._disconnect()
        _check(hresult, "sending an APDU")
        if len(response) < 2:
            # Some drivers (vpcd among them) report success with no bytes when the card has gone.
            self._disconnect()
            raise CardRemovedError("the card answered nothing (it left the reader)")
        return bytes(response)

    def card_present(self) -> bool:
        from smartcard import scard

        if self._ctx is None:
            self._ctx = _context()
        name = self.name or self._pick_reader()
        hresult, states = scard.SCardGetStatusChange(
            self._ctx, 0, [(name, scard.SCARD_STATE_UNAWARE)]
        )
        _check(hresult, "reading the card state")
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)

    def wait_for_card(self, timeout: float) -> bool:
        """Block until a card is present (True) or `timeout` seconds pass (False)."""
        from smartcard import scard

        deadline = time.monotonic() + timeout
        if self._ctx is None:
            self._ctx = _context()
        name = self.name or self._pick_reader()
        state = scard.SCARD_STATE_UNAWARE
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            hresult, states = scard.SCardGetStatusChange(
                self._ctx, int(min(left, 0.5) * 1000), [(name, state)]
            )
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            _check(hresult, "waiting for a card")
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if state & scard.SCARD_STATE_PRESENT and not state & scard.SCARD_STATE_MUTE:
                return True

    def events(self, timeout: float) -> Iterator[str]:
        """Yield "inserted" / "removed" as the card comes and goes, for up to `timeout` seconds.

        The first event reports the current state ("inserted" when a card is already there).
        """
        from smartcard import scard

        deadline = time.monotonic() + timeout
        if self._ctx is None:
            self._ctx = _context()
        name = self.name or self._pick_reader()
        state = scard.SCARD_STATE_UNAWARE
        present: bool | None = None
        while (left := deadline - time.monotonic()) > 0:
            hresult, states = scard.SCardGetStatusChange(
                self._ctx, int(min(left, 0.5) * 1000), [(name, state)]
            )
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            _check(hresult, "watching the reader")
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            now = bool(state & scard.SCARD_STATE_PRESENT) and not state & scard.SCARD_STATE_MUTE
            if now != present:
                present = now
                yield "inserted" if now else "removed"

    def _disconnect(self) -> None:
        from smartcard import scard

        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None

    def close(self) -> None:
        from smartcard import scard

        self._disconnect()
        if self._worker is not None:
            self._worker.shutdown(wait=False)
            self._worker = None
        if self._ctx is not None:
            scard.SCardReleaseContext(self._ctx)
            self._ctx = None
