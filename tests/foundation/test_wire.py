"""The wire contract: signatures, ids, topics and the versioning rules."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from sekisho.wire import messages as m
from sekisho.wire import topics
from sekisho.wire.codec import WireError, decode_ack, decode_record, decode_record_batch, encode
from sekisho.wire.ids import uuid7, uuid7_ms
from sekisho.wire.signing import SignatureError, canonical, generate_key, sign, verify


def record(seq: int = 1, **over) -> dict:
    rec = m.InspectionRecord(
        id=uuid7(),
        seq=seq,
        port="NRT",
        booth="B01",
        kind="landing",
        inspected_at=m.utc_now(),
        traveller=m.Traveller(
            surname="大野", given_names="TARO", nationality="JPN", sex="M", birth_date="1969-08-06"
        ),
        document=m.Document(type="P", number="TK1234567", issuing_state="JPN"),
        decision="admitted",
        landing=m.Landing(status_of_residence="TEMPORARY_VISITOR", period_days=90),
        inspector="J0001",
    )
    return {**m.dump(rec), **over}


def test_signature_verifies_and_detects_any_change():
    key = generate_key()
    signed = sign(record(), key)
    verify(signed, key.public_key())
    tampered = {**signed, "decision": "refused"}
    with pytest.raises(SignatureError):
        verify(tampered, key.public_key())
    nested = json.loads(json.dumps(signed))
    nested["traveller"]["surname"] = "ONO"
    with pytest.raises(SignatureError):
        verify(nested, key.public_key())


def test_signature_from_another_key_fails():
    signed = sign(record(), generate_key())
    with pytest.raises(SignatureError, match="does not verify"):
        verify(signed, generate_key().public_key())


def test_signature_survives_json_round_trip_and_key_order():
    key = generate_key()
    signed = sign(record(), key)
    reordered = dict(reversed(list(json.loads(encode(signed)).items())))
    verify(reordered, key.public_key())


def test_canonical_form_is_sorted_compact_utf8():
    assert canonical({"b": 1, "a": "関"}) == '{"a":"関","b":1}'.encode()


def test_uuid7_is_version_7_and_time_ordered():
    a = uuid7()
    time.sleep(0.002)
    b = uuid7()
    assert uuid.UUID(a).version == 7 and uuid.UUID(a).variant == uuid.RFC_4122
    assert a < b
    assert abs(uuid7_ms(a) - time.time() * 1000) < 5000


def test_topics_reject_wildcards_and_parse_back():
    assert topics.records("NRT", "B01") == "sekisho/v1/NRT/B01/records"
    assert topics.acks("NRT", "B01", "east") == "sekisho/v1/NRT/B01/acks/east"
    for bad in ("+", "#", "A/B", "", "nrt"):
        with pytest.raises(ValueError):
            topics.records(bad, "B01")
    assert topics.parse("sekisho/v1/KIX/B02/heartbeat") == ("KIX", "B02", "heartbeat")
    with pytest.raises(ValueError):
        topics.parse("sekisho/v2/KIX/B02/records")


def test_unknown_fields_are_ignored_but_stay_signed():
    key = generate_key()
    signed = sign(record(future_field={"x": 1}), key)
    verify(signed, key.public_key())
    assert decode_record(signed).seq == 1


def test_unknown_major_version_is_rejected_with_reason():
    with pytest.raises(WireError) as err:
        decode_record(record(v=2))
    assert err.value.reason == "unsupported_version"


def test_schema_errors_name_the_field():
    bad = record()
    bad["traveller"]["sex"] = "Q"
    with pytest.raises(WireError) as err:
        decode_record(bad)
    assert err.value.reason == "schema" and "traveller.sex" in err.value.detail


@pytest.mark.parametrize(
    "payload,reason",
    [
        (b"\xff\xfe", "malformed_json"),
        (b'{"schema": "sekisho.records", "v": 1, "records": [', "malformed_json"),
        (b"[1, 2]", "malformed_json"),
        (b'{"schema": "sekisho.records", "records": []}', "schema"),
        (b'{"schema": "sekisho.records", "v": 1, "records": []}', "schema"),
    ],
)
def test_bad_batches_give_a_reason(payload, reason):
    with pytest.raises(WireError) as err:
        decode_record_batch(payload)
    assert err.value.reason == reason


def test_ack_round_trip():
    key = generate_key()
    ack = sign(
        m.dump(m.Ack(centre="east", port="NRT", booth="B01", at=m.utc_now(), accepted=[uuid7()])),
        key,
    )
    decoded, raw = decode_ack(encode(ack))
    verify(raw, key.public_key())
    assert decoded.centre == "east" and len(decoded.accepted) == 1
