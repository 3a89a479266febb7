"""Applying bundles from files on a booth: full then delta, every rejection, crashes, data age."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from edge.refdata import BundleRejected, StaleDataError
from edge.refdata.apply import STAGES
from tests.bundles.conftest import DOE, OHNO, Centre, alerts, entries

NEW = {"id": "W-DOE", "names": ["DOE, JANE"], "birth_date": "1980-02-03", "category": "wanted"}


@pytest.fixture
def at_v2(tmp_path, centres, make_refdata):
    """A booth holding watchlist v2 (full v1, then a delta adding W-DOE and dropping W-00000)."""
    east = centres["east"]
    v1 = east.full(1, entries())
    v2 = east.delta(v1, 2, [*entries()[1:], NEW])
    refdata = make_refdata()
    refdata.apply_file(v1)
    refdata.apply_file(v2)
    return refdata, v1, v2


def leftovers(refdata) -> list[str]:
    return sorted(p.name for p in (refdata.root / "watchlist").iterdir())


def test_full_then_delta_applied(at_v2):
    refdata, _v1, _v2 = at_v2
    held = refdata.held("watchlist")
    assert (held.version, held.mode, held.records) == (2, "delta", len(entries()))
    assert refdata.versions() == {"watchlist": 2}
    assert alerts(refdata, DOE) == ["W-DOE"]  # added by the delta
    assert alerts(refdata, OHNO) == ["W-OHNO"]  # kept from the full bundle
    dataset = (held.directory / "dataset.jsonl").read_text().splitlines()
    assert "W-00000" not in {json.loads(line)["id"] for line in dataset}  # deleted by the delta
    assert refdata.screener().version == 2
    assert leftovers(refdata) == ["state.json", "v2"]
    assert 0 <= refdata.age_seconds("watchlist") < 60


def _forged(tmp_path: Path, centres, v1, v2) -> Path:
    path = centres["east"].full(3, entries())
    line, rest = path.read_bytes().split(b"\n", 1)
    env = json.loads(line)
    env["records"] = 1  # any change to a signed member
    path.write_bytes(json.dumps(env).encode() + b"\n" + rest)
    return path


def _wrong_key(tmp_path: Path, centres, v1, v2) -> Path:
    mallory = Centre(tmp_path / "keys", "mallory")
    path = mallory.full(3, entries())
    assert json.loads(path.read_bytes().split(b"\n", 1)[0])["signer"] == "mallory"
    return path


def _chunked(centres) -> Path:
    return centres["east"].full(3, entries(), inline_max=0, chunk_size=512)


def _tampered(tmp_path: Path, centres, v1, v2) -> Path:
    path = _chunked(centres)
    data = bytearray(path.read_bytes())
    data[-700] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def _truncated(tmp_path: Path, centres, v1, v2) -> Path:
    path = _chunked(centres)
    path.write_bytes(path.read_bytes()[:-100])
    return path


def _wrong_base(tmp_path: Path, centres, v1, v2) -> Path:
    return centres["east"].delta(v1, 3, entries())  # v1 -> v3, while the booth holds v2


CASES = {
    "forged signature": (_forged, "bad_signature", "signature does not verify with the keys of east or west"),
    "wrong key": (_wrong_key, "bad_signature", "signature does not verify"),
    "tampered content": (_tampered, "bad_chunk", "does not match its signed sha256"),
    "truncated content": (_truncated, "bad_size", "truncated"),
    "rollback": (lambda t, c, v1, v2: v1, "rollback", "version 1 is older than the held version 2"),
    "replay": (lambda t, c, v1, v2: v2, "replay", "version 2 is already held"),
    "delta onto wrong base": (_wrong_base, "wrong_base", "delta applies to version 1; booth holds version 2"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_bundle_rejected_and_old_data_kept(case, tmp_path, centres, at_v2):
    refdata, v1, v2 = at_v2
    make, reason, message = CASES[case]
    bundle = make(tmp_path, centres, v1, v2)
    with pytest.raises(BundleRejected) as caught:
        refdata.apply_file(bundle)
    assert caught.value.reason == reason
    assert message in str(caught.value)
    assert str(caught.value).startswith("bundle watchlist v")
    assert refdata.rejections[-1]["reason"] == reason
    # the booth keeps its data and still screens on it
    assert refdata.versions() == {"watchlist": 2}
    assert alerts(refdata, DOE) == ["W-DOE"]
    assert leftovers(refdata) == ["state.json", "v2"]


@pytest.mark.parametrize("stage", STAGES)
def test_failure_at_any_stage_leaves_old_data(stage, centres, at_v2):
    refdata, _v1, _v2 = at_v2
    v2_data = centres["east"].base / "watchlist-2.jsonl"  # central keeps each version's records
    v3 = centres["east"].delta(v2_data, 3, [*entries()[2:], NEW], base_version=2)

    def fail(name: str) -> None:
        if name == stage:
            raise OSError(28, "No space left on device")

    with pytest.raises(BundleRejected, match="No space left on device") as caught:
        refdata.apply_file(v3, on_stage=fail)
    assert caught.value.reason == "io_error"
    assert refdata.versions() == {"watchlist": 2}
    assert alerts(refdata, DOE) == ["W-DOE"]
    assert leftovers(refdata) == ["state.json", "v2"]
    refdata.apply_file(v3)  # and the same bundle applies once the fault is gone
    assert refdata.versions() == {"watchlist": 3}


def test_data_older_than_policy_is_refused(tmp_path, centres, make_refdata):
    two_hours_ago = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - 7200))
    old = centres["west"].full(1, entries(), created_at=two_hours_ago)
    refdata = make_refdata(max_age_hours={"watchlist": 1.0})
    refdata.apply_file(old)
    assert 7100 < refdata.age_seconds("watchlist") < 7300
    assert refdata.status()["watchlist"]["usable"] is False
    with pytest.raises(
        StaleDataError, match=r"watchlist data v1 is 2\.0 h old; policy allows 1\.0 h"
    ):
        refdata.screener()
    fresh = centres["west"].full(2, entries())
    refdata.apply_file(fresh)
    assert alerts(refdata) == ["W-OHNO"]


def test_a_bundle_dated_in_the_future_ages_from_its_apply(centres, make_refdata):
    tomorrow = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() + 86400))
    refdata = make_refdata(max_age_hours={"watchlist": 1.0})
    refdata.apply_file(centres["east"].full(1, entries(), created_at=tomorrow))
    assert refdata.age_seconds("watchlist") < 60
    refdata.clock = lambda: time.time() + 7200  # two hours later: too old, whatever it claims
    with pytest.raises(StaleDataError, match=r"watchlist data v1 is 2\.0 h old"):
        refdata.screener()


def test_required_data_missing_is_refused(make_refdata):
    with pytest.raises(StaleDataError, match="no watchlist data held"):
        make_refdata().screener()


def test_visas_bundle_feeds_the_screener(centres, make_refdata):
    from datetime import date

    visa = {"visa_number": "V-100", "surname": "OHNO", "given_names": "TARO",
            "birth_date": "1969-08-06", "nationality": "JPN", "passport_number": "TK7654321",
            "type": "temporary_visitor", "valid_from": "2026-01-01", "valid_until": "2026-03-31"}  # fmt: skip
    refdata = make_refdata()
    refdata.apply_file(centres["east"].full(1, entries()))
    refdata.apply_file(centres["west"].full(7, [visa], kind="visas"))
    assert refdata.versions() == {"watchlist": 1, "visas": 7}
    result = refdata.screener().screen(OHNO, today=date(2026, 2, 10))
    assert result.visa.status == "valid"
