"""The booth screen (edge/ui) in a real browser: the agent's checks, data age, bilingual labels.

A real booth agent built from its config, with a signed watchlist bundle applied from a file,
inspects travellers in process; its screen is served by uvicorn and read by Debian chromium.
"""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

from central.bundles import build_full
from devices.simulated.travellers import TravellerGenerator
from edge.assembly import build_agent
from edge.ui.app import create_app
from sekisho.config import BoothConfig
from sekisho.stack.net import free_port, wait_for_port
from sekisho.webserver import embedded_server
from sekisho.wire.signing import load_or_create_private_key, public_pem
from tests.foundation.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS

SEED = 11


def booth_with_watchlist(tmp_path, created_at: str | None = None):
    """An agent whose first traveller is listed as wanted (bundle signed by East, applied)."""
    key = load_or_create_private_key(tmp_path / "east.key")
    (tmp_path / "east.pub").write_bytes(public_pem(key.public_key()))
    first = TravellerGenerator(SEED).reading()
    entry = {"id": "W-77", "names": [f"{first.surname}, {first.given_names}"],
             "birth_date": first.birth_date, "category": "wanted", "action": "detain"}  # fmt: skip
    data = tmp_path / "watchlist.jsonl"
    data.write_text(json.dumps(entry) + "\n")
    bundle = tmp_path / "watchlist-v4.bundle"
    build_full("watchlist", [data], 4, key, "east", bundle, created_at=created_at)
    config = BoothConfig(
        port="NRT", booth="B07", data_dir=tmp_path / "booth", brokers={"east": {"port": 1}},
        centre_keys={"east": tmp_path / "east.pub"}, refdata={"kinds": ["watchlist"]},
    )  # fmt: skip
    agent = build_agent(config, seed=SEED)
    agent.inspection.screening.source.apply_file(bundle)
    return agent


@pytest.fixture
def serve():
    servers = []

    def start(agent) -> str:
        port = free_port()
        server = embedded_server(create_app(agent), "127.0.0.1", port)
        threading.Thread(target=server.run, daemon=True).start()
        assert wait_for_port(port, 10)
        servers.append(server)
        return f"http://127.0.0.1:{port}/"

    yield start
    for s in servers:
        s.should_exit = True


@contextmanager
def screen_page(url: str, wait_for: str):
    """The booth screen at `url` in Debian chromium, once `wait_for` is on the page."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector(wait_for)
            yield page
        finally:
            browser.close()


def texts(page, selector: str) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all(selector)]


def test_screen_shows_alert_data_age_and_switches_language(tmp_path, serve):
    agent = booth_with_watchlist(tmp_path)
    for _ in range(3):
        asyncio.run(agent.inspect_one())
    url = serve(agent)
    with screen_page(url, "#recent tr") as page:
        # Japanese by default; the listed first traveller is the oldest row, referred
        assert page.inner_text("#state") == "稼働中"
        assert page.inner_text("section#current h2") == "現在の旅客"
        rows = page.query_selector_all("#recent tr")
        assert len(rows) == 3
        first = [c.inner_text() for c in rows[-1].query_selector_all("td")]
        assert first[0] == "1" and first[3] == "要審査（引継ぎ）" and first[4] == "v4 · 1件ヒット"
        assert "要注意人物照合ヒット" in first[6]
        refdata = texts(page, "#refdata td")
        assert refdata[0:2] == ["watchlist", "v4"] and refdata[3] == "可"
        assert refdata[2].startswith("0.0 時間 / 上限 24 時間")
        page.click("#lang")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.inner_text("section#current h2") == "Current traveller"
        first = [
            c.inner_text()
            for c in page.query_selector_all("#recent tr")[-1].query_selector_all("td")
        ]
        assert first[3] == "referred to an inspector" and "Watchlist alert: 1" in first[6]
        page.screenshot(path=str(tmp_path / "booth-screen.png"), full_page=True)
    agent.outbox.close()


def test_screen_says_when_the_watchlist_is_too_old_to_screen_on(tmp_path, serve):
    agent = booth_with_watchlist(tmp_path, created_at="2020-01-01T00:00:00Z")
    asyncio.run(agent.inspect_one())
    status = agent.screen_status()
    assert status["current"]["decision"] == "referred"
    assert status["current"]["screening"].get("watchlist_version") is None  # held, not used
    assert status["current"]["notes"][0]["code"] == "not_screened"
    assert "policy allows 24" in status["current"]["notes"][0]["detail"]
    assert "watchlist_unusable" in status["alarms"] and status["state"] == "degraded"
    url = serve(agent)
    with screen_page(url + "?lang=en", "#recent tr") as page:
        assert page.inner_text("#state") == "degraded"
        assert page.inner_text("#alarms") == "watchlist data missing or too old"
        assert texts(page, "#refdata td")[3] == "NO"
        assert page.inner_text("#notes").startswith("Not screened: refusing to screen")
    agent.outbox.close()


def test_a_forged_bundle_is_refused_raises_an_alarm_and_shows_on_the_screen(tmp_path, serve):
    from edge.refdata import BundleRejected
    from sekisho.wire.signing import generate_key

    agent = booth_with_watchlist(tmp_path)
    data = tmp_path / "forged.jsonl"
    data.write_text(json.dumps({"id": "W-1", "names": ["DOE, JOHN"], "category": "wanted"}) + "\n")
    forged = tmp_path / "forged.bundle"
    build_full("watchlist", [data], 9, generate_key(), "east", forged)  # not East's key
    with pytest.raises(BundleRejected, match="signature does not verify"):
        agent.inspection.screening.source.apply_file(forged)
    asyncio.run(agent.inspect_one())
    status = agent.screen_status()
    assert "bundle_rejected" in status["alarms"] and status["state"] == "degraded"
    assert status["reference_data"]["watchlist"]["version"] == 4  # still screening on v4
    assert status["current"]["screening"]["watchlist_version"] == 4
    assert status["bundle_rejections"][-1]["reason"] == "bad_signature"
    url = serve(agent)
    with screen_page(url + "?lang=en", "#rejections li") as page:
        assert page.inner_text("#rejections li").startswith("refused: watchlist v9")
        assert "signature" in page.inner_text("#rejections li")
        assert "bundle was refused" in page.inner_text("#alarms")
    agent.outbox.close()
