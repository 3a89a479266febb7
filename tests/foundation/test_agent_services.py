"""Background services (bundle sync, booth screen) never stop the booth's inspections."""

from __future__ import annotations

import asyncio
import socket

from edge.agent import BoothAgent, supervised
from sekisho.config import BoothConfig
from sekisho.stack.net import free_port
from sekisho.wire.signing import load_or_create_private_key, public_pem


def test_failing_service_is_restarted_and_cancellation_still_stops_it():
    runs = []

    async def flaky() -> None:
        runs.append(1)
        raise RuntimeError("broker gone")

    async def main() -> None:
        task = asyncio.create_task(supervised("flaky", flaky, pause=0.05))
        await asyncio.sleep(0.3)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return
        raise AssertionError("supervised() swallowed its cancellation")

    asyncio.run(main())
    assert len(runs) >= 3  # restarted after each failure


def test_booth_keeps_inspecting_when_its_screen_cannot_bind(tmp_path):
    key = load_or_create_private_key(tmp_path / "east.key")
    (tmp_path / "east.pub").write_bytes(public_pem(key.public_key()))
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    config = BoothConfig(
        port="NRT", booth="B01", data_dir=tmp_path / "booth", rate_per_minute=1200,
        brokers={"east": {"port": free_port()}}, centre_keys={"east": tmp_path / "east.pub"},
        ui_port=taken.getsockname()[1], drain_timeout_seconds=0,
    )  # fmt: skip
    agent = BoothAgent(config, seed=3)

    async def main() -> None:
        run = asyncio.create_task(agent.run())
        await asyncio.sleep(2.0)
        assert not run.done(), "the agent stopped because its screen could not start"
        agent.stop()
        await asyncio.wait_for(run, 20)

    asyncio.run(main())
    taken.close()
    assert agent.produced >= 10


def test_index_build_in_a_booth_does_not_freeze_threads_doing_linear_algebra(tmp_path):
    """The booth applies bundles (a parallel index build) while other threads run BLAS (MRZ OCR,
    face embeddings); worker processes must not be forked from it (OpenBLAS then hangs)."""
    import threading
    import time

    import numpy as np

    from edge.screening import build_directory
    from edge.screening.evalset import generate

    entries = generate(3000, 0, 0, seed=2).entries
    state = {"stop": False, "n": 0}

    def blas() -> None:
        a = np.random.default_rng(0).random((300, 300))
        while not state["stop"]:
            a @ a
            state["n"] += 1

    worker = threading.Thread(target=blas, daemon=True)
    worker.start()
    try:
        for i in range(3):
            build_directory(entries, tmp_path / f"index{i}", 1, workers=2)
            before = state["n"]
            time.sleep(0.5)
            assert state["n"] > before, "a thread doing linear algebra froze after the build"
    finally:
        state["stop"] = True
