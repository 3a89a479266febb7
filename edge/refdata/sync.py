"""Take bundles from every centre's broker and apply what is new (an asyncio task of the agent).

One `_Link` per broker (its own connection and reconnect loop, as edge/publisher.py) subscribes
to the retained envelope topics of each kind (`bundles/<kind>` full, `bundles/<kind>/delta`).
Envelopes from all links are candidates; the driver picks, per kind, a delta that applies to
the held version, else the newest full bundle, fetches its content (inline, or the retained
chunks of that content's topic on the link that offered it), and applies it in a thread. A
bundle refused once is not tried again; one whose download stalls is retried, on any link.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import aiomqtt

from edge.refdata.bundle_file import Received, write_inline
from edge.refdata.service import ReferenceData
from edge.refdata.store import Held
from edge.refdata.verify import BundleRejected, inline_content
from sekisho.config import BrokerConfig
from sekisho.retry import backoff_delays
from sekisho.wire import topics
from sekisho.wire.messages import BundleEnvelope
from sekisho.wire.signing import canonical

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 0.3  # retained envelopes arrive in a burst: let a delta and its full both land
RETRY_SECONDS = 5.0
QUIET = ("replay", "rollback")  # a retained envelope seen again after a reconnect is normal


def _identity(obj: dict[str, Any]) -> str:
    """One envelope exactly (a forgery may copy a genuine signature onto changed members)."""
    return hashlib.sha256(canonical(obj)).hexdigest()


class FetchFailed(Exception):
    """The chunks of a bundle did not all arrive; another try (or link) may succeed."""


class _Fetch:
    """Chunks of one content, written at their offsets as they arrive (any order)."""

    def __init__(self, env: BundleEnvelope, path: Path) -> None:
        self.env = env
        self.path = path
        self.fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        self.have: set[int] = set()
        self.done = asyncio.Event()
        self.progress = time.monotonic()
        self.error: OSError | None = None

    def add(self, index: int, data: bytes) -> None:
        chunks = self.env.chunks or []
        if index >= len(chunks) or hashlib.sha256(data).hexdigest() != chunks[index]:
            logger.warning("%s v%d: chunk %d does not match its signed sha256", self.env.kind,
                           self.env.version, index)  # fmt: skip
            return
        try:
            os.pwrite(self.fd, data, index * (self.env.chunk_size or 0))
        except OSError as exc:  # a full disk must not take the agent down
            self.error = exc
            self.done.set()
            return
        self.have.add(index)
        self.progress = time.monotonic()
        if len(self.have) == len(chunks):
            self.done.set()

    def result(self) -> Received:
        os.close(self.fd)
        digest, size = hashlib.sha256(), 0
        with open(self.path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                size += len(block)
        return Received(self.path, size, digest.hexdigest(), list(self.env.chunks or []))


class _Link:
    """One broker: envelopes in, chunks on request."""

    def __init__(self, sync: BundleSync, centre: str, broker: BrokerConfig) -> None:
        self.sync, self.centre, self.broker = sync, centre, broker
        self.client: aiomqtt.Client | None = None
        self.fetching: _Fetch | None = None

    async def run(self) -> None:
        delays = backoff_delays()
        while True:
            try:
                async with aiomqtt.Client(
                    self.broker.host, self.broker.port, identifier=f"{self.sync.client_id}-{self.centre}",
                    clean_session=True, keepalive=self.broker.keepalive,
                    username=self.broker.username, password=self.broker.password,
                    timeout=max(self.broker.keepalive, 5),
                ) as client:  # fmt: skip
                    self.client = client
                    delays = backoff_delays()
                    for kind in self.sync.refdata.policy.kinds:
                        await client.subscribe(topics.bundle(kind), qos=1)
                        await client.subscribe(topics.bundle_delta(kind), qos=1)
                    async for message in client.messages:
                        self._on_message(str(message.topic), bytes(message.payload or b""))
            except aiomqtt.MqttError as exc:
                logger.warning("%s broker (bundles): %s; reconnecting", self.centre, exc)
            finally:
                self.client = None
                self.sync.forget(self.centre)
            await asyncio.sleep(next(delays))

    def _on_message(self, topic: str, payload: bytes) -> None:
        if "/chunks/" in topic:
            fetch = self.fetching
            with contextlib.suppress(ValueError):
                kind, digest, index = topics.parse_bundle_chunk(topic)
                if fetch and payload and digest == fetch.env.sha256 and kind == fetch.env.kind:
                    fetch.add(index, payload)
            return
        try:
            obj = json.loads(payload) if payload else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            logger.warning("%s: envelope on %s is not JSON", self.centre, topic)
            return
        self.sync.candidate(self.centre, topic, obj if isinstance(obj, dict) else None)

    async def fetch(self, env: BundleEnvelope, path: Path, stall: float) -> Received:
        client = self.client
        if client is None:
            raise FetchFailed(f"not connected to the {self.centre} broker")
        self.fetching = fetch = _Fetch(env, path)
        chunk_filter = topics.bundle_chunks(env.kind, env.sha256)
        try:
            await client.subscribe(chunk_filter, qos=1)
            while not fetch.done.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(fetch.done.wait(), timeout=1.0)
                if self.client is not client:
                    raise FetchFailed(f"disconnected from the {self.centre} broker")
                if not fetch.done.is_set() and time.monotonic() - fetch.progress > stall:
                    raise FetchFailed(
                        f"{len(fetch.have)}/{len(env.chunks or [])} chunks after {stall:g} s"
                    )
            if fetch.error is not None:
                raise FetchFailed(f"cannot store a chunk: {fetch.error.strerror}")
            return fetch.result()
        except aiomqtt.MqttError as exc:
            raise FetchFailed(str(exc)) from None
        finally:
            self.fetching = None
            if not fetch.done.is_set() or fetch.error is not None:
                os.close(fetch.fd)
                path.unlink(missing_ok=True)
            with contextlib.suppress(aiomqtt.MqttError):
                if self.client is client:
                    await client.unsubscribe(chunk_filter)


class BundleSync:
    """The booth agent's bundle task: `await BundleSync(refdata, brokers, client_id).run()`."""

    def __init__(
        self, refdata: ReferenceData, brokers: dict[str, BrokerConfig], client_id: str
    ) -> None:
        self.refdata = refdata
        self.client_id = client_id
        self.links = {name: _Link(self, name, broker) for name, broker in brokers.items()}
        self.candidates: dict[tuple[str, str], dict[str, Any]] = {}
        self.refused: set[str] = set()  # identities of envelopes refused for good
        self.reported: set[str] = set()  # ... and of those whose rejection was recorded
        self.applied: list[Held] = []
        self.failures: dict[tuple[str, str], int] = {}  # (envelope, centre) -> failed fetches
        self.wake = asyncio.Event()

    # -- what the agent reads -------------------------------------------------------------------
    def versions(self) -> dict[str, int]:
        return self.refdata.versions()

    def age_seconds(self, kind: str) -> float | None:
        return self.refdata.age_seconds(kind)

    def screener(self) -> Any:
        return self.refdata.screener()

    def heartbeat_fields(self) -> dict[str, Any]:
        """What the agent's heartbeat carries from this service (its `services` protocol)."""
        return {"data_versions": self.versions()}

    # -- candidates -----------------------------------------------------------------------------
    def candidate(self, centre: str, topic: str, obj: dict[str, Any] | None) -> None:
        logger.debug("%s: envelope on %s: v%s", centre, topic, obj and obj.get("version"))
        if obj is None:
            self.candidates.pop((centre, topic), None)
        else:
            self.candidates[(centre, topic)] = obj
        self.wake.set()

    def forget(self, centre: str) -> None:
        for key in [k for k in self.candidates if k[0] == centre]:
            del self.candidates[key]

    def _choose(self, kind: str) -> tuple[str, dict[str, Any]] | None:
        held = self.refdata.held(kind)
        have = held.version if held else None
        fresh = [
            (centre, obj) for (centre, _t), obj in self.candidates.items()
            if obj.get("kind") == kind and _identity(obj) not in self.refused
            and isinstance(obj.get("version"), int) and (have is None or obj["version"] > have)
        ]  # fmt: skip
        deltas = [
            c for c in fresh if c[1].get("mode") == "delta" and c[1].get("base_version") == have
        ]
        fulls = [c for c in fresh if c[1].get("mode", "full") == "full"]
        for group in (deltas, fulls, fresh):  # last: an unusable delta, to report why once
            if group:  # the newest; of equal ones, from the broker that failed least
                return max(group, key=lambda c: (c[1]["version"], -self.failures.get(
                    (_identity(c[1]), c[0]), 0)))  # fmt: skip
        return None

    def _untried_elsewhere(self, identity: str) -> bool:
        """Another broker offers the same envelope and has not failed it yet: try it now."""
        return any(
            _identity(obj) == identity and (identity, centre) not in self.failures
            for (centre, _topic), obj in self.candidates.items()
        )

    # -- running --------------------------------------------------------------------------------
    async def run(self) -> None:
        """Run every link and the driver until cancelled."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._open_held())
            for link in self.links.values():
                tg.create_task(link.run())
            tg.create_task(self._drive())

    async def _open_held(self) -> None:
        """Open the held data's Screener at start, not at the first traveller: after an upgrade
        that changed the index format this re-indexes the held records (seconds to a minute)."""
        try:
            await asyncio.to_thread(self.refdata.screener)
        except Exception as exc:  # stale or missing data is reported where screening asks
            logger.info("held reference data not opened at start: %s", exc)

    async def _drive(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=RETRY_SECONDS)
            self.wake.clear()
            await asyncio.sleep(SETTLE_SECONDS)
            for kind in self.refdata.policy.kinds:
                while (choice := self._choose(kind)) is not None:
                    if not await self._take(*choice):
                        break

    async def _take(self, centre: str, obj: dict[str, Any]) -> bool:
        """Fetch and apply one candidate; False when it should be retried later."""
        sig = _identity(obj)
        logger.debug("taking %s v%s from %s", obj.get("kind"), obj.get("version"), centre)
        try:
            env = self.refdata.offer(obj)
            into = self.refdata.incoming / f"{env.sha256}.content"
            if env.payload_b64 is not None:
                got = write_inline(inline_content(env), into)
            else:
                stall = self.refdata.policy.fetch_stall_seconds
                got = await self.links[centre].fetch(env, into, stall)
            held = await asyncio.to_thread(self.refdata.apply, obj, lambda _e, _d: got, None, False)
        except BundleRejected as exc:
            if exc.reason == "wrong_base":  # may apply once the full bundle it needs is here
                if sig not in self.reported:
                    self.reported.add(sig)
                    self.refdata.record_rejection(exc)
                return False
            self.refused.add(sig)
            if exc.reason in QUIET:
                logger.debug("%s", exc)
            elif sig not in self.reported:
                self.reported.add(sig)
                self.refdata.record_rejection(exc)
            return True
        except (FetchFailed, OSError) as exc:  # OSError: the booth's disk, not the bundle
            self.failures[(sig, centre)] = self.failures.get((sig, centre), 0) + 1
            logger.warning("bundle %s v%s from %s: %s; will retry", obj.get("kind"),
                           obj.get("version"), centre, exc)  # fmt: skip
            return self._untried_elsewhere(sig)
        self.applied.append(held)
        return True
