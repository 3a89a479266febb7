"""Delivers outbox records to every centre's broker and records the centres' acknowledgements.

One `CentreLink` per centre (East, West): its own MQTT connection, reconnect loop with jittered
backoff, and its own cursors into the outbox. Only a centre's signed acknowledgement (sent after
its database commit) counts; a PUBACK only means "in broker RAM".

Within a link, three streams share the connection, in this order of priority:
1. live: records made since the link (re)connected, so a traveller's record never waits
   behind a backlog drain;
2. replay: records a centre asked for again (`ReplayRequest`), delivered or not;
3. backlog: records from before the (re)connect that this centre has not acknowledged.
Each stream is sent in sequence order. At most `max_inflight` records wait for acknowledgement;
one unacknowledged for `ack_timeout` seconds rewinds its stream, so it is sent again (central
ingest is idempotent, so a resend is harmless).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiomqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from edge.outbox import Outbox, Pending
from sekisho.config import BrokerConfig
from sekisho.retry import backoff_delays
from sekisho.wire import topics
from sekisho.wire.codec import WireError, decode_ack, decode_replay, encode
from sekisho.wire.messages import PROTOCOL_VERSION
from sekisho.wire.signing import SignatureError, verify

logger = logging.getLogger(__name__)

MAX_RESEND_AFTER = 60.0  # seconds; the longest wait before resending to a slow centre


@dataclass
class Stream:
    """A cursor over part of the outbox: records with cursor < seq <= until."""

    name: str
    cursor: int
    until: int | None = None  # None: open-ended (live)
    retained: bool = False  # replay: every held record, acknowledged or not

    @property
    def done(self) -> bool:
        return self.until is not None and self.cursor >= self.until


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
        max_inflight: int = 1000,
    ) -> None:
        self.centre = centre
        self.broker = broker
        self.outbox = outbox
        self.port = port
        self.booth = booth
        self.centre_key = centre_key
        self.batch_size = batch_size
        self.ack_timeout = ack_timeout
        # Doubles with every resend (up to MAX_RESEND_AFTER) until everything sent is
        # acknowledged: a centre draining a national backlog is slow, not gone, and a fixed
        # timeout makes every booth resend its whole backlog to it every ack_timeout seconds.
        self.resend_after = ack_timeout
        self.max_inflight = max(max_inflight, batch_size)
        self.wake = asyncio.Event()
        self.connected = False
        self.client: aiomqtt.Client | None = None
        self.inflight: dict[str, tuple[str, int, float]] = {}  # id -> (stream, seq, sent at)
        self.streams: dict[str, Stream] = {}
        self.stats = {"published": 0, "acked": 0, "reconnects": 0, "bad_acks": 0, "replays": 0}

    def notify(self) -> None:
        self.wake.set()

    # -- connection ---------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, deliver, reconnect forever (until cancelled)."""
        delays = backoff_delays()
        while True:
            try:
                async with aiomqtt.Client(
                    self.broker.host,
                    self.broker.port,
                    identifier=f"booth-{self.port}-{self.booth}-{self.centre}",
                    clean_session=False,
                    keepalive=self.broker.keepalive,
                    username=self.broker.username,
                    password=self.broker.password,
                    timeout=max(self.broker.keepalive, 5),
                ) as client:
                    self.client = client
                    self.connected = True
                    delays = backoff_delays()
                    logger.info("connected to the %s broker", self.centre)
                    await client.subscribe(topics.acks(self.port, self.booth, self.centre), qos=1)
                    await client.subscribe(topics.replay(self.port, self.booth, self.centre), qos=1)
                    self._reset_streams()
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

    def _reset_streams(self) -> None:
        """After a (re)connect: everything not acknowledged so far is backlog."""
        last = self.outbox.last_seq()
        self.inflight.clear()
        self.resend_after = self.ack_timeout
        self.streams = {
            "live": Stream("live", last),
            "backlog": Stream("backlog", 0, until=last),
        }

    # -- sending ------------------------------------------------------------------------------
    def next_batch(self) -> tuple[Stream, list[Pending]] | None:
        """The next batch to publish, by stream priority; None when there is nothing to send."""
        self._expire_inflight()
        room = self.max_inflight - len(self.inflight)
        if room <= 0:
            return None
        limit = min(self.batch_size, room)
        for name in ("live", "replay", "backlog"):
            stream = self.streams.get(name)
            if stream is None or stream.done:
                continue
            if stream.retained:
                batch = self.outbox.retained_after(stream.cursor, limit)
                batch = [p for p in batch if stream.until is None or p.seq <= stream.until]
            else:
                batch = self.outbox.pending_for(self.centre, stream.cursor, limit, stream.until)
            if batch:
                return stream, batch
            if stream.until is not None:
                stream.cursor = stream.until  # nothing left in this range
        return None

    async def _send(self, client: aiomqtt.Client) -> None:
        topic = topics.records(self.port, self.booth)
        while True:
            picked = self.next_batch()
            if picked is None:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=1.0)
                continue
            stream, batch = picked
            payload = {
                "schema": "sekisho.records",
                "v": PROTOCOL_VERSION,
                "records": [p.payload for p in batch],
            }
            await client.publish(topic, encode(payload), qos=1)
            now = time.monotonic()
            for p in batch:
                self.inflight[p.id] = (stream.name, p.seq, now)
            stream.cursor = batch[-1].seq
            self.stats["published"] += len(batch)

    def _expire_inflight(self) -> None:
        """Rewind each stream to just before its oldest overdue record."""
        if not self.inflight:
            return
        now = time.monotonic()
        rewind: dict[str, int] = {}
        for name, seq, sent in self.inflight.values():
            if now - sent > self.resend_after:
                rewind[name] = min(rewind.get(name, seq), seq)
        if rewind:
            self.resend_after = min(self.resend_after * 2, MAX_RESEND_AFTER)
        for name, seq in rewind.items():
            stream = self.streams.get(name)
            if stream is None:
                continue
            stream.cursor = min(stream.cursor, seq - 1)
            self.inflight = {
                i: v for i, v in self.inflight.items() if v[0] != name or v[1] <= stream.cursor
            }
            logger.info(
                "%s: %s stream unacknowledged from seq %d, resending", self.centre, name, seq
            )

    # -- receiving ----------------------------------------------------------------------------
    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            if str(message.topic).endswith(f"/replay/{self.centre}"):
                self.handle_replay(bytes(message.payload))
            else:
                self.handle_ack(bytes(message.payload))
            self.wake.set()

    def _verified(self, decode, payload: bytes):
        try:
            message, raw = decode(payload)
            if self.centre_key is not None:
                verify(raw, self.centre_key)
        except (WireError, SignatureError) as exc:
            self.stats["bad_acks"] += 1
            logger.warning("%s: ignoring message: %s", self.centre, exc)
            return None
        if (message.centre, message.port, message.booth) != (self.centre, self.port, self.booth):
            self.stats["bad_acks"] += 1
            logger.warning("%s: message for another booth or centre ignored", self.centre)
            return None
        return message

    def handle_ack(self, payload: bytes) -> int:
        """Apply one acknowledgement; returns the number of records it made fully delivered."""
        ack = self._verified(decode_ack, payload)
        if ack is None:
            return 0
        for rejection in ack.rejected:
            logger.error(
                "%s rejected record seq=%s: %s", self.centre, rejection.seq, rejection.reason
            )
        for record_id in ack.accepted:
            self.inflight.pop(record_id, None)
        if not self.inflight:
            self.resend_after = self.ack_timeout
        delivered = self.outbox.mark_acked(self.centre, ack.accepted)
        self.stats["acked"] += len(ack.accepted)
        return delivered

    def handle_replay(self, payload: bytes) -> bool:
        request = self._verified(decode_replay, payload)
        if request is None:
            return False
        self.stats["replays"] += 1
        self.streams["replay"] = Stream(
            "replay", request.after_seq, until=self.outbox.last_seq(), retained=True
        )
        logger.info("%s asked for a replay after seq %d", self.centre, request.after_seq)
        return True

    async def publish_heartbeat(self, payload: dict[str, Any]) -> bool:
        client = self.client
        if client is None or not self.connected:
            return False
        try:
            await client.publish(topics.heartbeat(self.port, self.booth), encode(payload), qos=0)
        except aiomqtt.MqttError:
            return False
        return True
