"""Process lifecycle shared by long-running commands (booth agent, aggregator)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable


def on_stop_signals(stop: Callable[[], None]) -> None:
    """Call `stop` on SIGTERM or SIGINT, so the process can drain instead of dying mid-work."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
