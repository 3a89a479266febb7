"""The vpcd wire protocol (vsmartcard): the card program connects to the vpcd driver inside pcscd
over TCP; each message is a 2-byte big-endian length then the payload; a 1-byte payload is a
control (0 power off, 1 power on, 2 reset, 4 get ATR), anything longer is a command APDU.

Closing the connection is the card leaving the field; connecting again is re-insertion.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass

from devices.simulated.epassport.chip import ATR, EPassportChip

logger = logging.getLogger(__name__)

VPCD_PORT = 35963
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


@dataclass
class Removal:
    """Pull the card once: after `after_apdus` APDUs, or while it answers a READ BINARY of
    `during_file` past offset 0 (that answer is lost); put it back after `away_s` seconds."""

    after_apdus: int | None = None
    during_file: str | None = None
    away_s: float = 0.3

    def due(self, apdus: int, chip: EPassportChip) -> bool:
        if self.after_apdus is not None and apdus >= self.after_apdus:
            return True
        if self.during_file and chip.reads:
            name, offset, _ne = chip.reads[-1]
            return name == self.during_file and offset > 0
        return False


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _quickack(sock: socket.socket) -> None:
    # Delayed ACKs cost ~40 ms per APDU round trip; QUICKACK is reset by the kernel, so set it each time.
    if hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


class VirtualCard:
    """Serves one chip to vpcd until stop() is called; reconnects when vpcd goes away."""

    def __init__(
        self,
        chip: EPassportChip,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        removal: Removal | None = None,
        stall_after: int | None = None,
    ) -> None:
        self.chip = chip
        self.host = host
        self.port = port
        self.removal = removal
        self.stall_after = stall_after  # stop answering (but stay in the field) after N APDUs
        self.apdus = 0
        self.removals = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> VirtualCard:
        self._thread = threading.Thread(target=self.serve_forever, name="vpcd-card", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> VirtualCard:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                time.sleep(0.1)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            _quickack(sock)
            self._sock = sock
            self.connected.set()
            logger.info("card inserted (connected to vpcd %s:%d)", self.host, self.port)
            pulled = self._serve(sock)
            self.connected.clear()
            sock.close()
            self._sock = None
            if pulled:
                logger.info("card pulled; back in %.2fs", pulled)
                self._stop.wait(pulled)
            elif not self._stop.is_set():
                time.sleep(0.1)

    def _serve(self, sock: socket.socket) -> float:
        """Serve one connection; returns seconds to stay away when the card is pulled, else 0."""
        self.chip.power_on()
        while not self._stop.is_set():
            try:
                head = _recv_exact(sock, 2)
                if head is None:
                    return 0.0
                payload = _recv_exact(sock, int.from_bytes(head, "big"))
            except OSError:
                return 0.0
            if payload is None:
                return 0.0
            _quickack(sock)
            if len(payload) == 1:
                answer = self._control(payload[0])
                if answer is None:
                    continue
            else:
                self.apdus += 1
                if self.stall_after is not None and self.apdus > self.stall_after:
                    self._stop.wait()
                    return 0.0
                answer = self.chip.process(payload)
                if self.removal and self.removals == 0 and self.removal.due(self.apdus, self.chip):
                    self.removals += 1
                    return self.removal.away_s
            try:
                sock.sendall(len(answer).to_bytes(2, "big") + answer)
            except OSError:
                return 0.0
            _quickack(sock)
        return 0.0

    def _control(self, code: int) -> bytes | None:
        if code == CTRL_ATR:
            return ATR
        if code in (CTRL_ON, CTRL_RESET):
            self.chip.power_on()
        elif code == CTRL_OFF:
            self.chip.power_on()  # power off loses all session state; power_on() is the clean state
        return None
