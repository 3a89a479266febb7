"""Publish a bundle file to centre brokers: chunks first, then the envelope, all retained.

Order matters: a booth that sees the new envelope must find every chunk it lists already
retained. After the envelope, the chunks of the envelope it replaced are cleared (an empty
retained message deletes one), so a broker keeps the content of one version per topic. A
version not above the retained one is refused unless forced, so an operator cannot roll the
booths back by mistake (they would refuse it anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiomqtt

from edge.refdata.bundle_file import read_envelope
from sekisho.config import BrokerConfig
from sekisho.wire import topics
from sekisho.wire.codec import encode

logger = logging.getLogger(__name__)


class PublishError(RuntimeError):
    """The bundle could not be published to a broker; the message says where and why."""


def envelope_topic(envelope: dict[str, Any]) -> str:
    kind = envelope["kind"]
    return topics.bundle_delta(kind) if envelope.get("mode") == "delta" else topics.bundle(kind)


async def retained(client: aiomqtt.Client, topic: str, wait: float = 10.0) -> dict | None:
    """The envelope retained on `topic`, if any.

    A broker sends retained messages right after the SUBACK, and delivers to one client in
    order, so once a probe published after the subscription comes back, nothing retained is
    still on its way.
    """
    probe = f"{topic}/probe/{secrets.token_hex(8)}"
    found = None
    await client.subscribe(topic, qos=1)
    await client.subscribe(probe, qos=1)
    await client.publish(probe, b"probe", qos=1)
    try:
        async with asyncio.timeout(wait):
            async for message in client.messages:
                if message.topic.matches(probe):
                    break
                if message.topic.matches(topic) and message.payload:
                    with contextlib.suppress(json.JSONDecodeError, UnicodeDecodeError):
                        found = json.loads(message.payload)
    finally:
        await client.unsubscribe(probe)
        await client.unsubscribe(topic)
    return found if isinstance(found, dict) else None


def _chunks(path: Path, offset: int, envelope: dict[str, Any]) -> Iterator[bytes]:
    """The content's chunks, read one at a time (a 10M-document bundle is ~115 MB)."""
    size = envelope.get("chunk_size") or 0
    with open(path, "rb") as f:
        f.seek(offset)
        for _digest in envelope.get("chunks") or ():
            yield f.read(size)


async def publish_one(
    broker: BrokerConfig, path: Path, force: bool = False, client_id: str | None = None
) -> dict[str, Any]:
    """Publish the bundle file at `path` to one broker; returns what was done."""
    envelope, offset = read_envelope(path)
    topic = envelope_topic(envelope)
    async with aiomqtt.Client(
        broker.host, broker.port, identifier=client_id, username=broker.username,
        password=broker.password, keepalive=max(broker.keepalive, 30), timeout=30,
    ) as client:  # fmt: skip
        previous = await retained(client, topic)
        if previous and int(previous.get("version", 0)) >= envelope["version"] and not force:
            raise PublishError(
                f"{broker.host}:{broker.port} already holds {envelope['kind']} "
                f"v{previous.get('version')} on {topic}; publish a higher version (or --force)"
            )
        for index, data in enumerate(_chunks(path, offset, envelope)):
            await client.publish(
                topics.bundle_chunk(envelope["kind"], envelope["sha256"], index),
                data, qos=1, retain=True,
            )  # fmt: skip
        await client.publish(topic, encode(envelope), qos=1, retain=True)
        cleared = 0
        if previous and previous.get("chunks") and previous.get("sha256") != envelope["sha256"]:
            for index in range(len(previous["chunks"])):
                chunk = topics.bundle_chunk(previous["kind"], previous["sha256"], index)
                await client.publish(chunk, b"", qos=1, retain=True)
                cleared += 1
    return {
        "broker": f"{broker.host}:{broker.port}",
        "topic": topic,
        "kind": envelope["kind"],
        "version": envelope["version"],
        "mode": envelope.get("mode", "full"),
        "chunks": len(envelope.get("chunks") or ()),
        "replaced_version": previous.get("version") if previous else None,
        "cleared_chunks": cleared,
    }


async def publish(
    brokers: list[BrokerConfig], path: Path, force: bool = False
) -> list[dict[str, Any]]:
    """Publish to every broker; a broker that fails is reported, the others still get it."""
    results = []
    for broker in brokers:
        try:
            results.append(await publish_one(broker, path, force))
        except aiomqtt.MqttError as exc:
            raise PublishError(f"{broker.host}:{broker.port}: {exc}") from None
    return results
