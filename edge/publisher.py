"""Delivers outbox records to every centre's broker and records the centres' acknowledgements.

One `CentreLink` per centre (East, West): its own MQTT connection, reconnect loop with jittered
backoff, its own cursor into the outbox. A record is resent if its centre has not acknowledged it
within the ack timeout, and after every reconnect; central ingest is idempotent, so a resend is
harmless. Only a centre's signed acknowledgement (sent after its database commit) counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import aiomqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from edge.outbox import Outbox
from sekisho.config import BrokerConfig
from sekisho.retry import backoff_delays
from sekisho.wire import topics
from sekisho.wire.codec import WireError, decode_ack, encode
from sekisho.wire.messages import PROTOCOL_VERSION
from sekisho.wire.signing import SignatureError, verify

logger = logging.getLogger(__name__)


class CentreLink:
    """The booth's connection to one centre's broker."""

    def __init__(
        self,
        centre: str,
        broker: BrokerConfig,
        outbox: Outbox,
        *,
        port: str,
        booth: str,
        centre_key: Ed25519PublicKey | None,
        batch_size: int = 100,
        ack_timeout: float = 10.0,
        on_delivered: Callable[[int], None] | None = None,
    ) -> None:
        self.centre = centre
        self.broker = broker
        self.outbox = outbox
        self.port = port
        self.booth = booth
        self.centre_key = centre_key
        self.batch_size = batch_size
        self.ack_timeout = ack_timeout
        self.on_delivered = on_delivered
        self.wake = asyncio.Event()
        self.connected = False
        self.client: aiomqtt.Client | None = None
        self.inflight: dict[str, tuple[int, float]] = {}  # record id -> (seq, sent at)
        self.cursor = 0
        self.stats = {"published": 0, "acked": 0, "reconnects": 0, "bad_acks": 0}

    def notify(self) -> None:
        self.wake.set()

    async def run(self) -> None:
        """Connect, deliver, reconnect forever (until cancelled)."""
        delays = backoff_delays()
        client_id = f"booth-{self.port}-{self.booth}-{self.centre}"
        while True:
            try:
                async with aiomqtt.Client(
                    self.broker.host,
                    self.broker.port,
                    identifier=client_id,
                    clean_session=False,
                    keepalive=self.broker.keepalive,
                    username=self.broker.username,
                    password=self.broker.password,
                    timeout=max(self.broker.keepalive, 5),
                ) as client:
                    self.client = client
                    self.connected = True
                    delays = backoff_delays()
                    logger.info(
                        "connected to %s broker %s:%s",
                        self.centre,
                        self.broker.host,
                        self.broker.port,
                    )
                    await client.subscribe(topics.acks(self.port, self.booth, self.centre), qos=1)
                    self.cursor = 0  # resend everything unacknowledged after a (re)connect
                    self.inflight.clear()
                    async with asyncio.TaskGroup() as tg:
                        tg.create_task(self._receive(client))
                        tg.create_task(self._send(client))
            except* aiomqtt.MqttError as group:
                logger.warning("%s broker: %s; reconnecting", self.centre, group.exceptions[0])
            finally:
                self.connected = False
                self.client = None
            self.stats["reconnects"] += 1
            await asyncio.sleep(next(delays))

    async def _send(self, client: aiomqtt.Client) -> None:
        topic = topics.records(self.port, self.booth)
        while True:
            self._expire_inflight()
            batch = self.outbox.pending_for(self.centre, self.cursor, self.batch_size)
            if batch:
                payload = {
                    "schema": "sekisho.records",
                    "v": PROTOCOL_VERSION,
                    "records": [p.payload for p in batch],
                }
                await client.publish(topic, encode(payload), qos=1)
                now = time.monotonic()
                for p in batch:
                    self.inflight[p.id] = (p.seq, now)
                self.cursor = batch[-1].seq
                self.stats["published"] += len(batch)
                continue
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=1.0)

    def _expire_inflight(self) -> None:
        """Rewind the cursor to the oldest record whose acknowledgement is overdue."""
        if not self.inflight:
            return
        now = time.monotonic()
        overdue = [seq for seq, sent in self.inflight.values() if now - sent > self.ack_timeout]
        if overdue:
            self.cursor = min(self.cursor, min(overdue) - 1)
            self.inflight = {i: v for i, v in self.inflight.items() if v[0] <= self.cursor}
            logger.info("%s: %d records unacknowledged, resending", self.centre, len(overdue))

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            self.handle_ack(bytes(message.payload))

    def handle_ack(self, payload: bytes) -> int:
        """Apply one acknowledgement; returns the number of records it made fully delivered."""
        try:
            ack, raw = decode_ack(payload)
            if self.centre_key is not None:
                verify(raw, self.centre_key)
        except (WireError, SignatureError) as exc:
            self.stats["bad_acks"] += 1
            logger.warning("%s: ignoring acknowledgement: %s", self.centre, exc)
            return 0
        if ack.centre != self.centre or ack.booth != self.booth or ack.port != self.port:
            self.stats["bad_acks"] += 1
            logger.warning("%s: acknowledgement for another booth or centre ignored", self.centre)
            return 0
        for rejection in ack.rejected:
            logger.error(
                "%s rejected record seq=%s: %s", self.centre, rejection.seq, rejection.reason
            )
        for record_id in ack.accepted:
            self.inflight.pop(record_id, None)
        delivered = self.outbox.mark_acked(self.centre, ack.accepted)
        self.stats["acked"] += len(ack.accepted)
        if delivered and self.on_delivered:
            self.on_delivered(delivered)
        return delivered

    async def publish_heartbeat(self, payload: dict[str, Any]) -> bool:
        client = self.client
        if client is None or not self.connected:
            return False
        try:
            await client.publish(topics.heartbeat(self.port, self.booth), encode(payload), qos=0)
        except aiomqtt.MqttError:
            return False
        return True
