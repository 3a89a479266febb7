"""The booth screen's web app: one bilingual page and the JSON it polls.

The page shows the current traveller's checks (screening alerts, face result, why a traveller
is referred), the age and version of the reference data the booth screens on, the outbox, and
alarms. It binds to the booth's loopback only: it is the inspector's screen, not an API for
the network. Only the current traveller's identity is shown; history rows carry no names.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.responses import HTMLResponse


class BoothView(Protocol):
    """What the screen needs from the agent."""

    def screen_status(self) -> dict[str, Any]: ...


def create_app(view: BoothView) -> FastAPI:
    app = FastAPI(title="Sekisho booth screen", version="1", docs_url=None, redoc_url=None)
    page = resources.files("edge.ui").joinpath("booth.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def booth_page() -> str:
        return page

    @app.get("/api/status")
    async def status() -> dict[str, Any]:
        # async on purpose: it runs on the agent's own event loop, so it never reads the agent's
        # state while an inspection is changing it (a sync handler would run in a thread pool).
        return view.screen_status()

    return app
