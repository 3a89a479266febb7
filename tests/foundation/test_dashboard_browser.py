"""The port-health page in a real browser (Debian chromium driven by Playwright)."""

from __future__ import annotations

import threading

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from central.api import create_app
from central.ingest import KeyCache, check_batch
from central.store import open_store
from sekisho.stack.net import free_port, wait_for_port
from sekisho.wire.codec import encode
from sekisho.wire.signing import generate_key, public_pem, sign
from tests.foundation.support import make_record

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def served(tmp_path):
    db = tmp_path / "central.db"
    store = open_store(db)
    key = generate_key()
    for booth in ("B01", "B02"):
        store.register_booth("NRT", booth, public_pem(key.public_key()).decode())
    recs = [sign(make_record(seq, booth="B01"), key) for seq in (1, 2, 3, 5)]
    payload = encode({"schema": "sekisho.records", "v": 1, "records": recs})
    store.ingest(
        check_batch("sekisho/v1/NRT/B01/records", payload, KeyCache(store.booth_key)).records
    )
    beat = {
        "state": "degraded",
        "outbox": {"depth": 7, "oldest_unsent_age_s": 12, "last_seq": 12},
        "data_versions": {"watchlist": 12, "visas": 3},
        "data_age_s": {"watchlist": 9000},
        "biometrics": {"captures": 40, "capture_failures": 10, "verifications": 30, "unsure": 3},
        "alarms": ["face_capture_failures_high"],
    }
    store.record_heartbeat("NRT", "B01", beat)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(lambda: open_store(db), "east"), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for_port(port, 10)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(5)


def test_port_health_page_shows_booths_backlog_and_gaps(served, tmp_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(served)
        page.wait_for_selector("tr[data-booth='NRT/B01']")
        row = [c.inner_text() for c in page.query_selector_all("tr[data-booth='NRT/B01'] td")]
        assert row[0:3] == ["NRT", "B01", "degraded"]
        assert row[4] == "7" and row[5] == "12 s"  # outbox depth, oldest unsent
        assert row[6] == "4" and row[8] == "1"  # records received; seq 4 missing
        assert row[9] == "visas v3, watchlist v12 (2.5 h)"
        assert row[10] == "fail 25.0% · unsure 10.0% (30)"
        assert row[11] == "face_capture_failures_high"
        face_cell = page.query_selector_all("tr[data-booth='NRT/B01'] td")[10]
        assert face_cell.get_attribute("class") == "bad"  # 25 % of captures failed
        other = [c.inner_text() for c in page.query_selector_all("tr[data-booth='NRT/B02'] td")]
        assert other[2] == "unknown" and other[3] == "never"
        assert other[9] == "none" and other[10] == "–"
        assert page.inner_text("#t-records") == "4"
        assert page.inner_text("#t-queued") == "7"
        page.screenshot(path=str(tmp_path / "port-health.png"), full_page=True)
        browser.close()
    assert (tmp_path / "port-health.png").stat().st_size > 5000
