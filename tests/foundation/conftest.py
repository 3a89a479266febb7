"""Fixtures for the foundation tests: real Mosquitto brokers and keys in a temp dir."""

from __future__ import annotations

import os
import uuid

import pytest

from central.store import open_store
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


PG_URL = os.environ.get("SEKISHO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A central database location on each engine: (database, schema)."""
    if request.param == "sqlite":
        yield str(tmp_path / "central.db"), "sekisho"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        store = open_store(PG_URL, schema)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    store.close()
    yield PG_URL, schema
    cleanup = open_store(PG_URL, schema)
    cleanup.drop()
    cleanup.close()
