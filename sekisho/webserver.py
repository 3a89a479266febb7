"""uvicorn run inside a process that owns its own shutdown (the aggregator, the booth agent).

uvicorn would otherwise install its own SIGINT/SIGTERM handlers and fight the process's
lifecycle (`sekisho.lifecycle.on_stop_signals`).
"""

from __future__ import annotations

import contextlib

import uvicorn


class EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling; stop it with `should_exit = True`."""

    @contextlib.contextmanager
    def capture_signals(self):  # uvicorn >= 0.29
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        return None


def embedded_server(app, host: str, port: int) -> EmbeddedServer:
    return EmbeddedServer(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    )
