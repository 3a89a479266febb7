"""The centre's web app: port-health page and JSON API (FastAPI).

Requests use their own database connection (SQLite WAL lets it run beside the ingest writer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from central.store import Store
from central.sync_api import sync_router


class _Db:
    """The web app's one store connection (reads, and sync writes), one request thread at a time."""

    def __init__(self, open_store: Callable[[], Store]) -> None:
        self.store = open_store()
        self.lock = threading.Lock()

    def __call__(self, fn):
        with self.lock:
            return fn(self.store)


def create_app(
    open_store: Callable[[], Store],
    centre: str,
    live_stats: dict[str, Any] | None = None,
    sync_token: str | None = None,
) -> FastAPI:
    """The app; `open_store` makes the connection its requests use."""
    app = FastAPI(title=f"Sekisho central ({centre})", version="1")
    db = _Db(open_store)
    if sync_token:
        app.include_router(sync_router(db, sync_token))
    page = resources.files("central.web").joinpath("health.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def health_page() -> str:
        return page.replace("{{centre}}", centre)

    @app.get("/api/booths")
    def booths() -> list[dict[str, Any]]:
        """Every registered booth: last heartbeat, outbox depth, records received, sequence gaps."""
        return db(lambda s: s.booth_health())

    @app.get("/api/booths/{port}/{booth}/gaps")
    def gaps(port: str, booth: str) -> dict[str, Any]:
        """Sequence ranges this centre has not received from one booth (first 100)."""
        ranges = db(lambda s: s.gaps(port, booth))
        return {"port": port, "booth": booth, "gaps": [{"first": a, "last": b} for a, b in ranges]}

    @app.get("/api/stats")
    def stats() -> dict[str, Any]:
        """Totals held by this centre, rejections by reason, and the live ingest counters."""
        totals = db(lambda s: s.totals())
        return {"centre": centre, **totals, "ingest": dict(live_stats or {})}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        db(lambda s: s.conn.execute("SELECT 1").fetchone())
        return {"status": "ok", "centre": centre}

    return app
