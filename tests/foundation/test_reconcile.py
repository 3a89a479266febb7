"""East/West reconciliation: copy both ways, verify signatures, report what neither holds."""

from __future__ import annotations

from fastapi.testclient import TestClient

from central.api import create_app
from central.ingest import KeyCache, check_batch
from central.reconcile import LocalSide, reconcile
from central.store import open_store
from sekisho.wire.codec import encode
from sekisho.wire.signing import generate_key, public_pem, sign
from tests.foundation.support import make_record


def fill(store, key, seqs):
    recs = [sign(make_record(s), key) for s in seqs]
    payload = encode({"schema": "sekisho.records", "v": 1, "records": recs})
    store.ingest(
        check_batch("sekisho/v1/NRT/B01/records", payload, KeyCache(store.booth_key)).records
    )
    return {r["seq"]: r for r in recs}


def two_centres(database, tmp_path):
    key = generate_key()
    east, west = open_store(*database), open_store(tmp_path / "west.db")
    for s in (east, west):
        s.register_booth("NRT", "B01", public_pem(key.public_key()).decode())
    return key, east, west


def test_reconcile_copies_both_ways_and_reports_gaps(database, tmp_path):
    key, east, west = two_centres(database, tmp_path)
    recs = fill(east, key, [1, 2, 3, 6])
    west_only = fill(west, key, [4, 7])
    west.ingest(check_batch(
        "sekisho/v1/NRT/B01/records",
        encode({"schema": "sekisho.records", "v": 1, "records": [recs[1]]}),
        KeyCache(west.booth_key),
    ).records)  # fmt: skip
    report = reconcile(LocalSide(east, "east"), LocalSide(west, "west"))
    assert report["missing_here"] == 2 and report["missing_there"] == 3
    assert report["copied_here"] == 2 and report["copied_there"] == 3
    assert east.seqs("NRT", "B01") == west.seqs("NRT", "B01") == [1, 2, 3, 4, 6, 7]
    assert report["gaps"] == [{"port": "NRT", "booth": "B01", "first": 5, "count": 1}]
    assert east.record_ids() == west.record_ids()
    assert west_only[4]["id"] in east.record_ids()
    again = reconcile(LocalSide(east, "east"), LocalSide(west, "west"))
    assert again["missing_here"] == again["missing_there"] == 0


def test_reconcile_refuses_records_no_booth_signed(database, tmp_path):
    key, east, west = two_centres(database, tmp_path)
    fill(east, key, [1])
    # West holds a record signed by another key (a compromised peer): East must not take it.
    west.register_booth("NRT", "B01", public_pem(generate_key().public_key()).decode())
    rogue = generate_key()
    west.register_booth("NRT", "B01", public_pem(rogue.public_key()).decode())
    fill(west, rogue, [2])
    report = reconcile(LocalSide(east, "east"), LocalSide(west, "west"))
    assert report["missing_here"] == 1 and report["copied_here"] == 0
    assert east.seqs("NRT", "B01") == [1]
    assert east.totals()["rejects"].get("bad_signature") == 1


def test_sync_api_needs_the_token(tmp_path):
    store = tmp_path / "c.db"
    app = create_app(lambda: open_store(store), "east", sync_token="s" * 24)
    client = TestClient(app)
    assert client.get("/api/sync/booths").status_code == 401
    assert (
        client.get("/api/sync/booths", headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    ok = client.get("/api/sync/booths", headers={"Authorization": "Bearer " + "s" * 24})
    assert ok.status_code == 200 and ok.json() == []
    # without a token configured, the sync routes do not exist at all
    plain = TestClient(create_app(lambda: open_store(store), "east"))
    assert plain.get("/api/sync/booths").status_code == 404
