"""Bundles over real Mosquitto brokers: retained for late booths, live updates, forgeries refused."""

from __future__ import annotations

import asyncio
import contextlib

import aiomqtt
import pytest

from central.bundle_publish import PublishError, publish
from edge.refdata.bundle_file import read_envelope
from edge.refdata.sync import BundleSync
from sekisho.config import BrokerConfig
from sekisho.stack.broker import Broker
from sekisho.wire import topics
from sekisho.wire.codec import encode
from tests.bundles.conftest import DOE, OHNO, alerts, entries

pytestmark = pytest.mark.slow

NEW = {"id": "W-DOE", "names": ["DOE, JANE"], "birth_date": "1980-02-03", "category": "wanted"}


async def until(predicate, timeout: float = 20.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return False


@contextlib.asynccontextmanager
async def running(sync: BundleSync):
    task = asyncio.create_task(sync.run())
    try:
        yield sync
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def conf(broker: Broker) -> BrokerConfig:
    return BrokerConfig(port=broker.port, keepalive=5)


def test_retained_bundles_reach_a_booth_that_connects_later(tmp_path, centres, make_refdata):
    brokers = {n: Broker(tmp_path / f"broker-{n}").start() for n in ("east", "west")}
    try:
        east = centres["east"]
        v1 = east.full(1, entries(), inline_max=0, chunk_size=256)  # several chunks
        v2 = east.delta(v1, 2, [*entries()[1:], NEW])
        assert len(read_envelope(v1)[0]["chunks"]) > 2
        for bundle in (v1, v2):
            results = asyncio.run(publish([conf(b) for b in brokers.values()], bundle))
            assert all(r["version"] == read_envelope(bundle)[0]["version"] for r in results)
        refdata = make_refdata()

        async def booth() -> BundleSync:
            sync = BundleSync(refdata, {n: conf(b) for n, b in brokers.items()}, "booth-NRT-B01")
            async with running(sync):
                assert await until(lambda: len(sync.applied) == 2), refdata.rejections
            return sync

        sync = asyncio.run(booth())
        assert [(h.version, h.mode) for h in sync.applied] == [(1, "full"), (2, "delta")]
        assert sync.heartbeat_fields() == {"data_versions": {"watchlist": 2}}
        assert alerts(refdata, DOE) == ["W-DOE"]
        assert list(refdata.rejections) == []
    finally:
        for b in brokers.values():
            b.stop()


async def _retained_count(port: int, topic_filter: str) -> int:
    count = 0
    async with aiomqtt.Client("127.0.0.1", port) as client:
        await client.subscribe(topic_filter, qos=1)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                async for message in client.messages:
                    count += bool(message.payload)
    return count


def test_live_update_forgery_refused_and_old_chunks_cleared(broker, centres, make_refdata):
    east, west = centres["east"], centres["west"]
    v1 = east.full(1, entries(), inline_max=0, chunk_size=256)
    v3 = west.full(3, [*entries(), NEW], inline_max=0, chunk_size=256)
    asyncio.run(publish([conf(broker)], v1))
    refdata = make_refdata()

    async def scenario() -> None:
        sync = BundleSync(refdata, {"east": conf(broker)}, "booth-NRT-B02")
        async with running(sync):
            assert await until(lambda: refdata.versions() == {"watchlist": 1})
            # v3's genuine signature copied onto a re-labelled envelope: a delta onto v1
            forged = {**read_envelope(v3)[0], "version": 2, "mode": "delta", "base_version": 1}
            async with aiomqtt.Client("127.0.0.1", broker.port) as client:
                topic = topics.bundle_delta("watchlist")
                await client.publish(topic, encode(forged), qos=1, retain=True)
            assert await until(
                lambda: any(r["reason"] == "bad_signature" for r in refdata.rejections)
            )
            assert refdata.versions() == {"watchlist": 1}
            assert alerts(refdata, OHNO) == ["W-OHNO"]
            await publish([conf(broker)], v3)  # west signs this one: either centre is trusted
            assert await until(lambda: refdata.versions() == {"watchlist": 3})

    asyncio.run(scenario())
    assert alerts(refdata, DOE) == ["W-DOE"]
    old = read_envelope(v1)[0]["sha256"]
    new = read_envelope(v3)[0]["sha256"]
    # publishing v3 cleared the chunks of the v1 it replaced
    assert asyncio.run(_retained_count(broker.port, topics.bundle_chunks("watchlist", old))) == 0
    assert asyncio.run(_retained_count(broker.port, topics.bundle_chunks("watchlist", new))) > 2
    with pytest.raises(PublishError, match="already holds watchlist v3"):
        asyncio.run(publish([conf(broker)], v1))


def test_tampered_chunk_on_the_broker_is_never_applied(broker, centres, make_refdata):
    v1 = centres["east"].full(1, entries(), inline_max=0, chunk_size=256)
    env = read_envelope(v1)[0]
    asyncio.run(publish([conf(broker)], v1))
    chunk0 = topics.bundle_chunk("watchlist", env["sha256"], 0)
    genuine = v1.read_bytes()[v1.read_bytes().index(b"\n") + 1 :][:256]
    refdata = make_refdata(fetch_stall_seconds=1.0)

    async def put(payload: bytes) -> None:
        async with aiomqtt.Client("127.0.0.1", broker.port) as client:
            await client.publish(chunk0, payload, qos=1, retain=True)

    async def scenario() -> None:
        await put(b"x" * 256)  # someone with write access to the broker swaps a chunk
        sync = BundleSync(refdata, {"east": conf(broker)}, "booth-NRT-B03")
        async with running(sync):
            await asyncio.sleep(2.5)  # settle, fetch, stall, give up
            assert refdata.versions() == {}
            await put(genuine)  # the genuine chunk is back: the next retry completes
            assert await until(lambda: refdata.versions() == {"watchlist": 1}, timeout=15)

    asyncio.run(scenario())
    assert alerts(refdata, OHNO) == ["W-OHNO"]


def test_chunks_missing_on_one_broker_are_fetched_from_the_other(tmp_path, centres, make_refdata):
    brokers = {n: Broker(tmp_path / f"broker-{n}").start() for n in ("east", "west")}
    try:
        v1 = centres["east"].full(1, entries(), inline_max=0, chunk_size=256)

        async def envelope_only() -> None:  # East lost its chunks (a wiped broker, say)
            async with aiomqtt.Client("127.0.0.1", brokers["east"].port) as client:
                payload = encode(read_envelope(v1)[0])
                await client.publish(topics.bundle("watchlist"), payload, qos=1, retain=True)

        asyncio.run(envelope_only())
        refdata = make_refdata(fetch_stall_seconds=1.0)

        async def booth() -> BundleSync:
            sync = BundleSync(refdata, {n: conf(b) for n, b in brokers.items()}, "booth-NRT-B04")
            async with running(sync):
                assert await until(lambda: sync.failures, timeout=10)  # East's download stalled
                assert refdata.versions() == {}
                await publish([conf(brokers["west"])], v1)  # West has the whole bundle
                assert await until(lambda: refdata.versions() == {"watchlist": 1}, timeout=15)
            return sync

        sync = asyncio.run(booth())
        assert [centre for _identity, centre in sync.failures] == ["east"]
        assert alerts(refdata, OHNO) == ["W-OHNO"]
    finally:
        for b in brokers.values():
            b.stop()
