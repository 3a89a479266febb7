"""The booth workflow screens on pushed, signed reference data (real brokers and processes).

Central publishes a signed watchlist bundle, retained, to both brokers; booths started
afterwards take it, screen every traveller, and refer those the watchlist names. Records say
which watchlist version screened them; heartbeats tell central which versions each booth holds.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from central.store import open_store
from devices.simulated.travellers import TravellerGenerator
from sekisho.stack.local import LocalStack
from tests.foundation.support import wait_for

pytestmark = pytest.mark.slow
SEED = 7


def listed_travellers(seed: int, every: int = 5, n: int = 400) -> tuple[list[dict], set[str]]:
    """Watchlist entries for every `every`-th traveller the seeded booth will see; their numbers."""
    gen = TravellerGenerator(seed)
    entries, numbers = [], set()
    for i in range(n):
        r = gen.reading()
        if i % every:
            continue
        numbers.add(r.document_number)
        if i % (2 * every):  # half listed by name and birth date, half as lost documents
            entries.append({"id": f"W-{i}", "names": [f"{r.surname}, {r.given_names}"],
                            "birth_date": r.birth_date, "nationality": r.nationality,
                            "category": "wanted", "action": "refer"})  # fmt: skip
        else:
            entries.append({"id": f"D-{i}", "category": "lost_stolen_document",
                            "documents": [{"number": r.document_number, "country": r.issuing_state}]})  # fmt: skip
    return entries, numbers


def outbox_records(stack: LocalStack) -> list[dict]:
    rows = stack._outbox_query(stack.booths[0], "SELECT payload FROM records ORDER BY seq")
    return [json.loads(p) for (p,) in rows]


@pytest.fixture
def stack(tmp_path):
    s = LocalStack(
        tmp_path / "stack", ports=["NRT"], booths_per_port=1, rate_per_minute=300,
        drain_timeout=30, ack_timeout=3, booth_toml="[booth.refdata]\nkinds = [\"watchlist\"]\n",
        booth_ui=True,
    )  # fmt: skip
    yield s
    s.stop_all()


def test_booth_refers_listed_travellers_and_reports_its_watchlist_version(stack):
    entries, listed_numbers = listed_travellers(SEED)
    stack.prepare()
    stack.start_brokers()
    stack.write_configs()
    envelope = stack.publish_bundle("watchlist", entries, version=3)
    assert envelope["version"] == 3
    for name in stack.centres:
        stack.start_centre(name)
    stack.wait_centres()
    stack.start_booth(stack.booths[0], seed=SEED)

    def screened() -> list[dict]:
        return [r for r in outbox_records(stack) if r["screening"].get("watchlist_version") == 3]

    assert wait_for(lambda: len(screened()) >= 60, 90), outbox_records(stack)[-3:]
    # the booth's own screen shows the data it screens on, and the latest traveller's checks
    status = httpx.get(stack.booths[0].ui_url + "api/status", timeout=10).json()
    assert status["reference_data"]["watchlist"]["version"] == 3
    assert status["reference_data"]["watchlist"]["usable"] is True
    assert status["current"]["screening"]["watchlist_version"] == 3
    stack.stop_booths()
    records = outbox_records(stack)
    # Travellers met before the bundle was applied were not screened: referred, never admitted.
    for r in records:
        if r["screening"].get("watchlist_version") is None:
            assert r["screening"]["referred"] and r["decision"] == "referred"
    flagged = [r for r in screened() if r["document"]["number"] in listed_numbers]
    clear = [r for r in screened() if r["document"]["number"] not in listed_numbers]
    assert len(flagged) >= 8 and len(clear) >= 40
    for r in flagged:
        assert r["screening"]["hits"] >= 1 and r["screening"]["referred"], r["screening"]
        assert r["decision"] == "referred"
    # Simulated travellers share common names; a listed namesake born on another day is no hit.
    assert sum(r["screening"]["hits"] > 0 for r in clear) <= len(clear) * 0.05
    # The operator's view of the booth: outbox drained, the watchlist it holds and how old it is.
    out = subprocess.run(
        [sys.executable, "-m", "sekisho", "edge", "status", "--json",
         "--config", str(stack.booths[0].config)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    status = json.loads(out)
    assert status["depth"] == 0 and status["last_seq"] == len(records)
    assert status["reference_data"]["watchlist"]["version"] == 3
    assert status["reference_data"]["watchlist"]["usable"] is True
    # Personal data never reaches a log: no document number or name of any record, anywhere.
    logs = "".join(f.read_text(errors="replace") for f in (stack.base / "logs").glob("*.log"))
    assert "watchlist" in logs  # the logs are there and say what happened
    for r in records:
        assert r["document"]["number"] not in logs
        assert f"{r['traveller']['surname']}, {r['traveller']['given_names']}" not in logs
    # Every centre holds the records and sees the booth's watchlist version in its heartbeat.
    for name in stack.centres:
        store = open_store(stack.centres[name].database)
        health = store.booth_health()[0]
        assert health["data_versions"] == {"watchlist": 3}
        assert 0 <= health["data_age_s"]["watchlist"] < 600  # built just before the booths started
        assert "watchlist_unusable" not in health["alarms"]


def test_booth_without_watchlist_refers_everyone_and_raises_an_alarm(stack):
    stack.start(seed=SEED)
    assert wait_for(lambda: len(outbox_records(stack)) >= 10, 60)

    def beat() -> dict:
        health = open_store(stack.centres["east"].database).booth_health()
        return health[0] if health else {}

    assert wait_for(lambda: "watchlist_unusable" in beat().get("alarms", []), 30), beat()
    assert beat()["state"] == "degraded"
    stack.stop_booths()
    records = outbox_records(stack)
    assert records and all(r["screening"]["referred"] for r in records)
    assert {r["decision"] for r in records} == {"referred"}
