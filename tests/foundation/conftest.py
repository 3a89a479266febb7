"""Fixtures for the foundation tests: real Mosquitto brokers and keys in a temp dir."""

from __future__ import annotations

import pytest

from sekisho.stack.broker import Broker
from sekisho.wire.signing import generate_key


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path / "broker").start()
    yield b
    b.stop()


@pytest.fixture
def booth_key():
    return generate_key()
