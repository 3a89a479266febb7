"""The aggregator process of one centre: MQTT ingest, batched commits, acknowledgements, web app.

Ingest pipeline: broker -> queue -> committer. The committer takes what has arrived (up to
`batch_max` messages or `batch_wait_ms`), checks each batch, stores everything in one durable
transaction, and only then publishes the acknowledgements. The broker acknowledges delivery to
us before our commit (a PUBACK means nothing durable), which is why booths keep every record
until this acknowledgement arrives.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import aiomqtt

from central.api import create_app
from central.ingest import KeyCache, check_batch
from central.store import open_store
from sekisho.config import CentralConfig
from sekisho.lifecycle import on_stop_signals
from sekisho.retry import backoff_delays
from sekisho.webserver import EmbeddedServer, embedded_server
from sekisho.wire import messages as m
from sekisho.wire import topics
from sekisho.wire.codec import WireError, decode_heartbeat, encode
from sekisho.wire.signing import SignatureError, load_or_create_private_key, sign, verify

logger = logging.getLogger(__name__)

BATCH_MAX_BYTES = 1_000_000  # ~1,700 records of ~590 bytes: about a second of checking


class Aggregator:
    def __init__(
        self, config: CentralConfig, worker: int = 0, config_path: str | None = None
    ) -> None:
        self.worker = worker
        self.config_path = config_path
        self.config = config
        self.centre = config.centre
        self.store = open_store(config.database, config.db_schema)
        self.key = load_or_create_private_key(config.key_file)
        self.keys = KeyCache(self.store.booth_key)
        self.queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(maxsize=20000)
        self.client: aiomqtt.Client | None = None
        self.stats = {
            "messages": 0,
            "inserted": 0,
            "duplicates": 0,
            "rejected": 0,
            "heartbeats": 0,
            "acks_sent": 0,
        }
        self._stop = asyncio.Event()

    # -- broker side --------------------------------------------------------------------------
    async def _mqtt(self) -> None:
        broker = self.config.broker
        delays = backoff_delays()
        while True:
            try:
                async with aiomqtt.Client(
                    broker.host,
                    broker.port,
                    identifier=f"central-{self.centre}-{self.worker}",
                    clean_session=False,
                    keepalive=broker.keepalive,
                    username=broker.username,
                    password=broker.password,
                    max_queued_incoming_messages=20000,
                ) as client:
                    self.client = client
                    delays = backoff_delays()
                    await client.subscribe(
                        topics.shared(f"central-{self.centre}", topics.ALL_RECORDS), qos=1
                    )
                    if self.worker == 0:
                        await client.subscribe(topics.ALL_HEARTBEATS, qos=0)
                    logger.info("%s: subscribed on %s:%s", self.centre, broker.host, broker.port)
                    async for message in client.messages:
                        self.stats["messages"] += 1
                        await self.queue.put((str(message.topic), bytes(message.payload)))
            except aiomqtt.MqttError as exc:
                logger.warning("%s broker: %s; reconnecting", self.centre, exc)
            finally:
                self.client = None
            await asyncio.sleep(next(delays))

    # -- committer ----------------------------------------------------------------------------
    async def _commit_loop(self) -> None:
        while True:
            first = await self.queue.get()
            messages = [first]
            size = len(first[1])
            deadline = time.monotonic() + self.config.batch_wait_ms / 1000
            # Bounded by bytes as well as messages: 500 backlog batches of 100 records each
            # would be 50,000 signatures to verify before the first acknowledgement.
            while len(messages) < self.config.batch_max and size < BATCH_MAX_BYTES:
                try:
                    messages.append(self.queue.get_nowait())
                    size += len(messages[-1][1])
                except asyncio.QueueEmpty:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    try:
                        messages.append(await asyncio.wait_for(self.queue.get(), left))
                        size += len(messages[-1][1])
                    except TimeoutError:
                        break
            await self.process(messages)

    async def process(self, messages: list[tuple[str, bytes]]) -> None:
        """Check, store in one transaction, then acknowledge; never raises on bad input.

        Checking (signatures) and storing run in a worker thread, so the MQTT client keeps
        its keepalive and the acknowledgements of the previous batch flow meanwhile.
        """
        result = await asyncio.to_thread(self._check_and_store, messages)
        if result is not None:
            await self._acknowledge(result.accepted, result.rejected)

    def _check_and_store(self, messages: list[tuple[str, bytes]]):
        records, rejected = [], []
        for topic, payload in messages:
            if topic.endswith("/heartbeat"):
                self._heartbeat(topic, payload)
                continue
            checked = check_batch(topic, payload, self.keys)
            if checked.error is not None:
                self.stats["rejected"] += 1
                logger.warning(
                    "%s: payload on %s rejected: %s", self.centre, topic, checked.error.reason
                )
                self.store.reject(
                    checked.port, checked.booth, checked.error.reason, checked.error.detail
                )
                continue
            records.extend(checked.records)
            rejected.extend((checked.port, checked.booth, r) for r in checked.rejected)
        if not records and not rejected:
            return None
        result = self.store.ingest(records, rejected)
        self.stats["inserted"] += result.inserted
        self.stats["duplicates"] += result.duplicates
        self.stats["rejected"] += sum(len(v) for v in result.rejected.values())
        return result

    async def _acknowledge(self, accepted: dict, rejected: dict) -> None:
        client = self.client
        if client is None:
            return  # the booths resend after their ack timeout
        for port, booth in set(accepted) | set(rejected):
            ack = m.Ack(
                centre=self.centre,
                port=port,
                booth=booth,
                at=m.utc_now(),
                accepted=accepted.get((port, booth), []),
                rejected=[
                    m.Rejection(**{k: r.get(k) for k in ("id", "seq", "reason")})
                    for r in rejected.get((port, booth), [])
                ],
            )
            try:
                await client.publish(
                    topics.acks(port, booth, self.centre),
                    encode(sign(m.dump(ack), self.key)),
                    qos=1,
                )
                self.stats["acks_sent"] += 1
            except aiomqtt.MqttError as exc:
                logger.warning(
                    "%s: acknowledgement to %s/%s not sent: %s", self.centre, port, booth, exc
                )

    def _heartbeat(self, topic: str, payload: bytes) -> None:
        try:
            where = topics.parse(topic)
            beat, raw = decode_heartbeat(payload)
            key = self.keys(where.port, where.booth)
            if key is None:
                raise WireError("unknown_booth", f"{where.port}/{where.booth}")
            verify(raw, key)
            if (beat.port, beat.booth) != (where.port, where.booth):
                raise WireError("wrong_topic", "heartbeat names another booth")
        except (ValueError, WireError, SignatureError) as exc:
            logger.info("%s: heartbeat on %s ignored: %s", self.centre, topic, exc)
            return
        self.store.record_heartbeat(where.port, where.booth, raw)
        self.stats["heartbeats"] += 1

    # -- lifecycle ----------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Ingest until stopped. Worker 0 also serves HTTP and supervises the other workers."""
        on_stop_signals(self.stop)
        tasks = [
            asyncio.create_task(self._mqtt(), name="mqtt"),
            asyncio.create_task(self._commit_loop(), name="commit"),
        ]
        server = None
        if self.worker == 0:
            server = self._http_server()
            tasks.append(asyncio.create_task(server.serve(), name="http"))
            if self.config.workers > 1:
                tasks.append(asyncio.create_task(self._supervise_workers(), name="workers"))
        stopper = asyncio.create_task(self._stop.wait())
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception():
                logger.error("%s: %s failed: %s", self.centre, task.get_name(), task.exception())
        if server is not None:
            server.should_exit = True
        for task in tasks:
            if task.get_name() != "http":
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.store.close()

    def _http_server(self) -> EmbeddedServer:
        app = create_app(
            lambda: open_store(self.config.database, self.config.db_schema),
            centre=self.centre,
            live_stats=self.stats,
            sync_token=self.config.sync_token,
        )
        return embedded_server(app, self.config.http.host, self.config.http.port)

    async def _supervise_workers(self) -> None:
        """Run ingest workers 1..N-1 as child processes; restart any that exits."""
        from sekisho.stack.procs import spawn_sekisho, stop

        if self.config_path is None:
            raise RuntimeError("extra ingest workers need the config file path")
        log_dir = (
            Path(self.config.database).parent if "://" not in self.config.database else Path(".")
        )
        procs: dict[int, Any] = {}
        try:
            while True:
                for i in range(1, self.config.workers):
                    proc = procs.get(i)
                    if proc is None or proc.poll() is not None:
                        if proc is not None:
                            logger.warning(
                                "%s: ingest worker %d exited (%s); restarting",
                                self.centre,
                                i,
                                proc.returncode,
                            )
                        procs[i] = spawn_sekisho(
                            ["central", "run", "--config", self.config_path, "--worker", str(i)],
                            log_dir / f"central-{self.centre}-worker{i}.log",
                        )
                await asyncio.sleep(1.0)
        finally:
            for proc in procs.values():
                await asyncio.to_thread(stop, proc)
