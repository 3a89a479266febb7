"""Centre-to-centre sync endpoints, used by `sekisho central reconcile`.

They move booth-signed records between East and West: the receiving centre verifies every
record against its own booth ledger, so a peer cannot inject what no booth signed. They are
off unless a `sync_token` is configured, and every call must carry it as a bearer token.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel, Field

from central.ingest import KeyCache, check_batch
from central.store import Store
from sekisho.wire import topics
from sekisho.wire.codec import encode

MAX_RECORDS = 1000


class RecordsQuery(BaseModel):
    port: str
    booth: str
    seqs: list[int] = Field(max_length=MAX_RECORDS)


class RecordsPush(BaseModel):
    port: str
    booth: str
    records: list[dict[str, Any]] = Field(max_length=MAX_RECORDS)


def verify_and_store(store: Store, port: str, booth: str, records: list[dict[str, Any]]) -> dict:
    """Check records exactly as MQTT ingest does, then store them; returns counts."""
    if not records:
        return {"inserted": 0, "duplicates": 0, "rejected": 0}
    payload = encode({"schema": "sekisho.records", "v": 1, "records": records})
    checked = check_batch(topics.records(port, booth), payload, KeyCache(store.booth_key))
    if checked.error is not None:
        raise HTTPException(422, f"{checked.error.reason}: {checked.error.detail}")
    result = store.ingest(checked.records, [(port, booth, r) for r in checked.rejected])
    return {
        "inserted": result.inserted,
        "duplicates": result.duplicates,
        "rejected": sum(len(v) for v in result.rejected.values()),
    }


def sync_router(use_store: Callable[[Callable[[Store], Any]], Any], token: str) -> APIRouter:
    """The /api/sync routes; `use_store(fn)` runs fn with the app's store connection."""

    def authorised(authorization: str = Header(default="")) -> None:
        if not hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
            raise HTTPException(401, "centre sync needs the configured bearer token")

    router = APIRouter(prefix="/api/sync", dependencies=[Depends(authorised)])

    @router.get("/booths")
    def booths() -> list[dict[str, Any]]:
        """Booths this centre knows, with how many records it holds and the highest seq."""
        rows = use_store(lambda s: s.booth_health())
        return [
            {"port": r["port"], "booth": r["booth"], "count": r["records_received"],
             "max_seq": r["max_seq"], "booth_last_seq": r["booth_last_seq"]}
            for r in rows
        ]  # fmt: skip

    @router.get("/seqs")
    def seqs(port: str, booth: str) -> dict[str, list[int]]:
        return {"seqs": use_store(lambda s: s.seqs(port, booth))}

    @router.post("/records")
    def records(query: RecordsQuery) -> dict[str, list[dict[str, Any]]]:
        texts = use_store(lambda s: s.payloads(query.port, query.booth, query.seqs))
        return {"records": [json.loads(t) for t in texts]}

    @router.post("/ingest")
    def ingest(push: RecordsPush) -> dict[str, int]:
        return use_store(lambda s: verify_and_store(s, push.port, push.booth, push.records))

    return router
