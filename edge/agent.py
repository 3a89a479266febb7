"""The booth agent: runs the inspection workflow, the publisher links and the heartbeat.

Data flows one way: device reading -> decision -> outbox (durable) -> publisher. An inspection
counts as done only when its record is committed to the outbox. On stop, the agent stops taking
travellers and keeps delivering for up to `drain_timeout_seconds`; what is left stays on disk
and goes out on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import shutil
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from devices.document_reader import DocumentReader
from devices.passport_reader import DocumentReadError
from devices.simulated.travellers import SimulatedDocumentReader
from edge.diskguard import DiskGuard
from edge.inspection import Checks, Inspection
from edge.outbox import Outbox, OutboxError
from edge.publisher import CentreLink
from edge.records import build_record
from edge.simulation import SimulatedInspector
from sekisho import __version__
from sekisho.config import BoothConfig
from sekisho.lifecycle import on_stop_signals
from sekisho.wire import messages as m
from sekisho.wire.signing import load_or_create_private_key, load_public_key, sign

logger = logging.getLogger(__name__)


async def supervised(name: str, run: Callable[[], Awaitable[Any]], pause: float = 5.0) -> None:
    """Run a background service for as long as the agent runs, restarting it if it fails.

    The services (bundle sync, booth screen) serve the inspection but must never stop it: a
    failure is logged and the service restarts after `pause` seconds; inspections carry on.
    """
    while True:
        try:
            await run()
            logger.warning("%s stopped; restarting in %.0f s", name, pause)
        except asyncio.CancelledError:
            raise
        except (Exception, SystemExit) as exc:  # uvicorn exits when it cannot bind its port
            logger.error("%s failed (%s); restarting in %.0f s", name, exc, pause)
        await asyncio.sleep(pause)


class BoothAgent:
    """One booth: inspections in, signed records out to every centre."""

    def __init__(
        self,
        config: BoothConfig,
        reader: DocumentReader | None = None,
        seed: int | None = None,
        inspection: Inspection | None = None,
        services: list[Any] | None = None,
    ) -> None:
        """`inspection` runs the booth's checks; `services` are background tasks with `run()`
        (e.g. the bundle receiver) and optionally `heartbeat_fields()`."""
        self.config = config
        self.inspection = inspection or Inspection()
        self.services = services or []
        self.key = load_or_create_private_key(config.data_dir / "booth.key")
        self.outbox = Outbox(config.data_dir / "outbox.db", config.required_centres())
        self.reader: DocumentReader = reader or SimulatedDocumentReader(seed)
        self.rng = random.Random(seed)
        self.inspector = SimulatedInspector(self.rng)
        self.state = "open"
        self.produced = 0
        self.read_failures = 0
        self.links = {
            centre: CentreLink(
                centre,
                broker,
                self.outbox,
                port=config.port,
                booth=config.booth,
                centre_key=self._centre_key(centre),
                batch_size=config.batch_size,
                ack_timeout=config.ack_timeout_seconds,
                max_inflight=config.max_inflight,
            )
            for centre, broker in config.brokers.items()
        }
        self.guard = DiskGuard(config, self.outbox)
        self.current: dict[str, Any] | None = None  # the traveller now at the booth (screen only)
        self.recent: deque[dict[str, Any]] = deque(maxlen=20)  # without identities
        self._stop = asyncio.Event()

    def _centre_key(self, centre: str):
        path = self.config.centre_keys.get(centre)
        return load_public_key(path.read_bytes()) if path else None

    # -- the inspection workflow --------------------------------------------------------------
    async def inspect_one(self) -> dict[str, Any]:
        """Read a document, decide, commit the record durably; returns the committed record."""
        self.guard.admit()
        reading = await self.reader.read()
        checks: Checks = await self.inspection.check(reading)
        decided = self.inspector.decide(reading, checks)
        pending = self.outbox.append(
            lambda seq: build_record(
                seq=seq,
                port=self.config.port,
                booth=self.config.booth,
                kind=decided.kind,
                reading=reading,
                decision=decided.decision,
                inspector=self.config.inspector,
                landing=decided.landing,
                screening=checks.screening,
                key=self.key,
            )
        )
        self.produced += 1
        for link in self.links.values():
            link.notify()
        self._show(pending.payload, checks)
        return pending.payload

    def _show(self, record: dict[str, Any], checks: Checks) -> None:
        """Keep what the booth screen shows: the current traveller, and recent outcomes."""
        outcome = {
            "seq": record["seq"],
            "at": record["inspected_at"],
            "kind": record["kind"],
            "decision": record["decision"],
            "screening": record["screening"],
            "face": None
            if checks.face is None
            else {k: checks.face.get(k) for k in ("match", "score", "reason")},
            "notes": checks.notes,
        }
        self.recent.appendleft(outcome)
        self.current = {
            **outcome,
            "traveller": record["traveller"],
            "document": record["document"],
            "alerts": checks.alerts,
        }

    def screen_status(self) -> dict[str, Any]:
        """What the booth screen shows (edge/ui): checks, reference data, outbox, alarms."""
        beat = self.heartbeat()
        return {
            "port": self.config.port,
            "booth": self.config.booth,
            "inspector": self.config.inspector,
            "state": beat["state"],
            "alarms": beat["alarms"],
            "outbox": beat["outbox"],
            "devices": beat["devices"],
            "biometrics": beat.get("biometrics", {}),
            "reference_data": self.inspection.reference_status(),
            "bundle_rejections": self.inspection.bundle_rejections()[-5:],
            "current": self.current,
            "recent": list(self.recent),
        }

    async def _produce(self) -> None:
        rate = self.config.rate_per_minute
        if rate <= 0:
            return
        interval = 60.0 / rate
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                await self.inspect_one()
                self.guard.write_failed = False
            except DocumentReadError as exc:
                # No record: the document was not read. The inspector presents it again.
                self.read_failures += 1
                logger.warning("document not read: %s", exc)  # reasons carry no MRZ text
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=0.2)
                continue
            except OutboxError as exc:
                # Not "done": the traveller waits at the booth; the inspector sees the alarm.
                self.guard.write_failed = True
                logger.error("inspection not recorded: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=1.0)
                continue
            next_at += self.rng.expovariate(1.0 / interval)
            delay = next_at - time.monotonic()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
            else:
                next_at = time.monotonic()

    # -- heartbeat ----------------------------------------------------------------------------
    def heartbeat(self) -> dict[str, Any]:
        state = self.outbox.state()
        free = shutil.disk_usage(self.config.data_dir).free
        alarms = self.guard.alarms() + self.inspection.alarms()
        extra: dict[str, Any] = {"data_versions": {}, "data_age_s": {}, "biometrics": {}}
        for part in [self.inspection, *self.services]:
            for name, value in getattr(part, "heartbeat_fields", dict)().items():
                extra[name].update(value)
        message = m.Heartbeat(
            port=self.config.port,
            booth=self.config.booth,
            at=m.utc_now(),
            state="degraded" if alarms and self.state == "open" else self.state,
            alarms=alarms,
            outbox=m.OutboxState(**state, disk_free_bytes=free),
            software=__version__,
            devices=self._devices(),
            **extra,
        )
        return sign(m.dump(message), self.key)

    def _screen_server(self) -> Any:
        """The booth screen's web server on loopback, when `ui_port` is configured."""
        if self.config.ui_port is None:
            return None
        from edge.ui.app import create_app
        from sekisho.webserver import embedded_server

        return embedded_server(create_app(self), "127.0.0.1", self.config.ui_port)

    def _devices(self) -> dict[str, str]:
        devices = {"document_reader": self.reader.status()}
        if self.inspection.face is not None:
            devices["camera"] = self.inspection.face.status()
        return devices

    async def _heartbeats(self) -> None:
        last_expiry = 0.0
        while True:
            if time.monotonic() - last_expiry > 60:
                last_expiry = time.monotonic()
                if removed := self.guard.expire():
                    logger.info("%d delivered records past retention removed", removed)
            payload = self.heartbeat()
            for link in self.links.values():
                await link.publish_heartbeat(payload)
            await asyncio.sleep(self.config.heartbeat_seconds)

    # -- lifecycle ----------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        on_stop_signals(self.stop)
        async with asyncio.TaskGroup() as tg:
            link_tasks = [tg.create_task(link.run()) for link in self.links.values()]
            beat = tg.create_task(self._heartbeats())
            link_tasks += [
                tg.create_task(supervised(type(service).__name__, service.run))
                for service in self.services
            ]
            ui = self._screen_server()
            if ui is not None:
                link_tasks.append(tg.create_task(supervised("booth screen", ui.serve)))
            await self._produce()
            await self._stop.wait()
            self.state = "draining"
            await self.drain(self.config.drain_timeout_seconds)
            self.state = "closed"
            with contextlib.suppress(Exception):
                payload = self.heartbeat()
                for link in self.links.values():
                    await link.publish_heartbeat(payload)
            for task in [*link_tasks, beat]:
                task.cancel()
        self.outbox.close()

    async def drain(self, timeout: float) -> bool:
        """Wait until every record is delivered, up to `timeout` seconds; True when empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.state()["depth"] == 0:
                return True
            await asyncio.sleep(0.2)
        left = self.outbox.state()["depth"]
        logger.warning("stopping with %d records not yet held by every centre; kept on disk", left)
        return left == 0
