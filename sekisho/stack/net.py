"""Small network helpers for starting local services on free ports."""

from __future__ import annotations

import random
import socket
import time

# Listen ports come from below the kernel's ephemeral range (32768-60999 by default), so an
# outgoing connection of another process cannot take a port between our check and our bind.
LISTEN_RANGE = (20000, 32000)
_handed_out: set[int] = set()  # never the same port twice in one process, even before it is bound


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, outside the ephemeral range."""
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(*LISTEN_RANGE)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {LISTEN_RANGE}")


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False
