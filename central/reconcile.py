"""Reconcile East and West: each centre ends up holding every record either of them holds.

Records are compared per booth by sequence number and copied both ways as the booths signed
them; the receiving side verifies each signature against its own booth ledger. What neither
centre holds (a gap below the booth's last sequence number) can only come from the booth:
`request_replays` asks each such booth to send again what it still keeps.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

from central.store import Store
from central.sync_api import MAX_RECORDS, verify_and_store
from sekisho.config import CentralConfig
from sekisho.wire import messages as m
from sekisho.wire import topics
from sekisho.wire.codec import encode
from sekisho.wire.signing import load_or_create_private_key, sign

logger = logging.getLogger(__name__)


class Side(Protocol):
    name: str

    def booths(self) -> list[dict[str, Any]]: ...
    def seqs(self, port: str, booth: str) -> list[int]: ...
    def records(self, port: str, booth: str, seqs: list[int]) -> list[dict[str, Any]]: ...
    def ingest(self, port: str, booth: str, records: list[dict[str, Any]]) -> dict[str, int]: ...


class LocalSide:
    """This centre's own database."""

    def __init__(self, store: Store, name: str = "local") -> None:
        self.store = store
        self.name = name

    def booths(self) -> list[dict[str, Any]]:
        return [
            {"port": r["port"], "booth": r["booth"], "count": r["records_received"],
             "max_seq": r["max_seq"], "booth_last_seq": r["booth_last_seq"]}
            for r in self.store.booth_health()
        ]  # fmt: skip

    def seqs(self, port: str, booth: str) -> list[int]:
        return self.store.seqs(port, booth)

    def records(self, port: str, booth: str, seqs: list[int]) -> list[dict[str, Any]]:
        return [json.loads(t) for t in self.store.payloads(port, booth, seqs)]

    def ingest(self, port: str, booth: str, records: list[dict[str, Any]]) -> dict[str, int]:
        return verify_and_store(self.store, port, booth, records)


class HttpSide:
    """A peer centre through its /api/sync endpoints."""

    def __init__(self, url: str, token: str, name: str = "peer", timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.name = name
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.load(response)

    def booths(self) -> list[dict[str, Any]]:
        return self._call("GET", "/api/sync/booths")

    def seqs(self, port: str, booth: str) -> list[int]:
        return self._call("GET", f"/api/sync/seqs?port={port}&booth={booth}")["seqs"]

    def records(self, port: str, booth: str, seqs: list[int]) -> list[dict[str, Any]]:
        body = {"port": port, "booth": booth, "seqs": seqs}
        return self._call("POST", "/api/sync/records", body)["records"]

    def ingest(self, port: str, booth: str, records: list[dict[str, Any]]) -> dict[str, int]:
        return self._call(
            "POST", "/api/sync/ingest", {"port": port, "booth": booth, "records": records}
        )


def _copy(src: Side, dst: Side, port: str, booth: str, seqs: list[int]) -> int:
    copied = 0
    for i in range(0, len(seqs), MAX_RECORDS):
        records = src.records(port, booth, seqs[i : i + MAX_RECORDS])
        counts = dst.ingest(port, booth, records)
        copied += counts["inserted"]
        if counts["rejected"]:
            logger.warning(
                "%s refused %d records of %s/%s", dst.name, counts["rejected"], port, booth
            )
    return copied


def reconcile(
    local: Side, peer: Side, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Make both sides hold the union of their records; report what differed and what is left."""
    info: dict[tuple[str, str], dict[str, Any]] = {}
    for side in (local, peer):
        for row in side.booths():
            entry = info.setdefault((row["port"], row["booth"]), {"last": 0})
            entry["last"] = max(entry["last"], row.get("booth_last_seq") or 0, row["max_seq"])
    report: dict[str, Any] = {
        "booths": len(info), "missing_here": 0, "missing_there": 0,
        "copied_here": 0, "copied_there": 0, "missing_both": 0, "gaps": [],
    }  # fmt: skip
    for (port, booth), entry in sorted(info.items()):
        here, there = set(local.seqs(port, booth)), set(peer.seqs(port, booth))
        need_here, need_there = sorted(there - here), sorted(here - there)
        report["missing_here"] += len(need_here)
        report["missing_there"] += len(need_there)
        if not dry_run:
            report["copied_here"] += _copy(peer, local, port, booth, need_here)
            report["copied_there"] += _copy(local, peer, port, booth, need_there)
        held = here | there
        last = max([entry["last"], *held]) if held else entry["last"]
        absent = [s for s in range(1, last + 1) if s not in held]
        if absent:
            report["missing_both"] += len(absent)
            report["gaps"].append(
                {"port": port, "booth": booth, "first": absent[0], "count": len(absent)}
            )
        if progress and (need_here or need_there or absent):
            progress(
                f"{port}/{booth}: {len(need_here)} to here, {len(need_there)} to peer, {len(absent)} at neither"
            )
    return report


def replay_request(config: CentralConfig, port: str, booth: str, after_seq: int) -> dict[str, Any]:
    key = load_or_create_private_key(config.key_file)
    request = m.ReplayRequest(
        centre=config.centre, port=port, booth=booth, at=m.utc_now(), after_seq=after_seq
    )
    return sign(m.dump(request), key)


async def request_replays(config: CentralConfig, gaps: list[dict[str, Any]]) -> int:
    """Ask each booth with records at neither centre to send again what it keeps (QoS 1)."""
    import aiomqtt

    broker = config.broker
    async with aiomqtt.Client(
        broker.host, broker.port, username=broker.username, password=broker.password,
        identifier=f"central-{config.centre}-reconcile",
    ) as client:  # fmt: skip
        for gap in gaps:
            payload = replay_request(config, gap["port"], gap["booth"], gap["first"] - 1)
            topic = topics.replay(gap["port"], gap["booth"], config.centre)
            await client.publish(topic, encode(payload), qos=1)
    return len(gaps)


def run_replays(config: CentralConfig, gaps: list[dict[str, Any]]) -> int:
    return asyncio.run(request_replays(config, gaps)) if gaps else 0
