"""Central ingest without a broker: attribution, signatures, idempotency, conflicts.

Every test runs on SQLite and on PostgreSQL (the `database` fixture).
"""

from __future__ import annotations

import json

from central.ingest import KeyCache, check_batch
from central.store import open_store as Store
from sekisho.wire.codec import encode
from sekisho.wire.signing import generate_key, public_pem, sign
from tests.foundation.support import make_record


def batch(*records) -> bytes:
    return encode({"schema": "sekisho.records", "v": 1, "records": list(records)})


def setup_store(database, key):
    store = Store(*database)
    store.register_booth("NRT", "B01", public_pem(key.public_key()).decode())
    return store, KeyCache(store.booth_key)


def test_valid_batch_is_stored_once_and_acknowledged_twice(database):
    key = generate_key()
    store, keys = setup_store(database, key)
    recs = [sign(make_record(seq), key) for seq in (1, 2, 3)]
    checked = check_batch("sekisho/v1/NRT/B01/records", batch(*recs), keys)
    assert checked.error is None and len(checked.records) == 3 and not checked.rejected
    first = store.ingest(checked.records)
    second = store.ingest(check_batch("sekisho/v1/NRT/B01/records", batch(*recs), keys).records)
    assert first.inserted == 3 and second.inserted == 0 and second.duplicates == 3
    assert second.accepted[("NRT", "B01")] == [r["id"] for r in recs]  # duplicates are acked again
    assert store.totals()["records"] == 3 and store.counter("duplicates") == 3


def test_bad_signature_rejected_and_counted_not_stored(database):
    key = generate_key()
    store, keys = setup_store(database, key)
    forged = sign(make_record(1), generate_key())
    tampered = {**sign(make_record(2), key), "decision": "refused"}
    good = sign(make_record(3), key)
    checked = check_batch("sekisho/v1/NRT/B01/records", batch(forged, tampered, good), keys)
    assert [r["reason"] for r in checked.rejected] == ["bad_signature", "bad_signature"]
    result = store.ingest(checked.records, [("NRT", "B01", r) for r in checked.rejected])
    assert result.inserted == 1
    assert store.totals()["rejects"] == {"bad_signature": 2}
    assert store.record_ids() == {good["id"]}


def test_record_on_another_booths_topic_is_rejected(database):
    key = generate_key()
    store, keys = setup_store(database, key)
    store.register_booth("NRT", "B02", public_pem(key.public_key()).decode())
    rec = sign(make_record(1), key)  # names NRT/B01
    checked = check_batch("sekisho/v1/NRT/B02/records", batch(rec), keys)
    assert checked.records == [] and checked.rejected[0]["reason"] == "wrong_topic"


def test_unknown_booth_is_rejected(database):
    key = generate_key()
    _, keys = setup_store(database, key)
    rec = sign(make_record(1, booth="B09"), key)
    checked = check_batch("sekisho/v1/NRT/B09/records", batch(rec), keys)
    assert checked.rejected[0]["reason"] == "unknown_booth"


def test_reused_sequence_number_is_a_conflict(database):
    key = generate_key()
    store, keys = setup_store(database, key)
    a, b = sign(make_record(7), key), sign(make_record(7), key)
    store.ingest(check_batch("sekisho/v1/NRT/B01/records", batch(a), keys).records)
    result = store.ingest(check_batch("sekisho/v1/NRT/B01/records", batch(b), keys).records)
    assert result.inserted == 0 and result.rejected[("NRT", "B01")][0]["reason"] == "conflict"
    assert store.record_ids() == {a["id"]}


def test_malformed_and_truncated_payloads_give_errors(database):
    key = generate_key()
    _, keys = setup_store(database, key)
    good = batch(sign(make_record(1), key))
    for payload in (b"garbage", good[: len(good) // 2], json.dumps({"v": 99}).encode()):
        checked = check_batch("sekisho/v1/NRT/B01/records", payload, keys)
        assert checked.error is not None and not checked.records
    assert check_batch("not/ours", good, keys).error.reason == "bad_topic"


def test_gaps_and_sequences_per_booth(database):
    key = generate_key()
    store, keys = setup_store(database, key)
    recs = [sign(make_record(seq), key) for seq in (1, 2, 5, 6, 9)]
    store.ingest(check_batch("sekisho/v1/NRT/B01/records", batch(*recs), keys).records)
    assert store.seqs("NRT", "B01") == [1, 2, 5, 6, 9]
    assert store.gaps("NRT", "B01") == [(3, 4), (7, 8)]
    health = store.booth_health()[0]
    assert health["max_seq"] == 9 and health["missing_seqs"] == 4
    assert len(store.payloads("NRT", "B01", [2, 9])) == 2
