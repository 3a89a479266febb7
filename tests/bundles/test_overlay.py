"""Deltas applied as base index + overlay screen exactly as a full rebuild of the same data."""

from __future__ import annotations

import os

import pytest

from edge.refdata.apply import STAGES
from edge.refdata.overlay import OverlayMeta, OverlayScreener, overlay_limit
from edge.screening import Screener
from tests.bundles.conftest import DOE, OHNO, entries

FILLERS = 192  # with OHNO, D-1, SMITH and OTHERS: 203 base records; an overlay may mask 10 keys

SMITH = {"id": "W-SMITH", "names": ["SMITH, JOHN"], "birth_date": "1975-05-05",
         "nationality": "USA", "category": "wanted", "action": "detain"}  # fmt: skip
DOE_ENTRY = {"id": "W-DOE", "names": ["DOE, JANE"], "birth_date": "1980-02-03",
             "category": "wanted"}  # fmt: skip
OHNO_NOW = {**entries(0)[0], "category": "person_of_interest", "action": "refer"}
STOLEN = {"id": "D-2", "category": "lost_stolen_document", "action": "seize",
          "documents": [{"number": "ZZ0000002", "country": "UTO"}]}  # fmt: skip

OTHERS = [
    {"id": f"W-X{i}", "names": [name], "birth_date": f"196{i}-03-0{i + 1}", "category": "deportee"}
    for i, name in enumerate(["KOWALSKI, ADAM", "NOVAK, PETRA", "SILVA, JOAO", "MULLER, HANS",
                              "ROSSI, MARIO", "DUBOIS, CLAIRE", "JANSEN, PIETER", "HORVAT, IVAN"])
]  # fmt: skip
SMITH_TRAVELLER = {"id": "T-3", "surname": "SMITH", "given_names": "JOHN",
                   "birth_date": "1975-05-05", "nationality": "USA"}  # fmt: skip
LOST = {"id": "T-4", "surname": "NOBODY", "given_names": "KNOWN", "birth_date": "1990-01-01",
        "nationality": "UTO", "document_number": "ZZ0000001", "issuing_country": "UTO"}  # fmt: skip
STOLEN_TRAVELLER = {**LOST, "id": "T-5", "document_number": "ZZ0000002"}
FILLER = {"id": "T-6", "surname": "PERSON7", "given_names": "GIVEN7", "birth_date": "1970-01-01",
          "nationality": "UTO"}  # fmt: skip
TRAVELLERS = [OHNO, DOE, SMITH_TRAVELLER, LOST, STOLEN_TRAVELLER, FILLER]


def v1_records() -> list[dict]:
    return [*entries(FILLERS), *OTHERS, SMITH]


def v2_records() -> list[dict]:
    """v1 + JANE DOE, - JOHN SMITH."""
    return [*entries(FILLERS), *OTHERS, DOE_ENTRY]


def v3_records() -> list[dict]:
    """v2 with OHNO recategorised, lost document D-1 deleted, stolen document D-2 added."""
    kept = [e for e in entries(FILLERS) if e["id"] not in ("W-OHNO", "D-1")]
    return [*kept, *OTHERS, OHNO_NOW, DOE_ENTRY, STOLEN]


def v4_delta(east, others_deleted: int) -> tuple:
    """v3 without JANE DOE and the first `others_deleted` of OTHERS (bundle, records)."""
    gone = {"W-DOE", *(e["id"] for e in OTHERS[:others_deleted])}
    records = [e for e in v3_records() if e["id"] not in gone]
    return east.delta(east.base / "watchlist-3.jsonl", 4, records, base_version=3), records


def screened(screener, traveller: dict) -> dict:
    out = screener.screen(traveller).to_dict()
    out.pop("ms")
    return out


def full_rebuild(records: list[dict], version: int) -> Screener:
    return Screener.from_entries(records, version=version)


@pytest.fixture
def at_v3(centres, make_refdata):
    """A booth that took v1 full, then the v2 and v3 deltas (both applied as overlays)."""
    east = centres["east"]
    v1 = east.full(1, v1_records())
    refdata = make_refdata()
    refdata.apply_file(v1)
    refdata.apply_file(east.delta(v1, 2, v2_records()))
    v2_data = east.base / "watchlist-2.jsonl"
    refdata.apply_file(east.delta(v2_data, 3, v3_records(), base_version=2))
    return refdata, east


def test_full_delta_delta_screens_as_a_full_rebuild(at_v3):
    refdata, _east = at_v3
    held = refdata.held("watchlist")
    assert (held.version, held.mode, held.records) == (3, "delta", len(v3_records()))
    names = sorted(p.name for p in held.directory.iterdir())
    assert names == [
        "base",
        "dataset.jsonl",
        "dataset.keys",
        "envelope.json",
        "overlay",
    ]  # no index/
    meta = OverlayMeta.read(held.directory)
    assert meta.base_version == 1
    assert meta.masked == {"W-DOE", "W-SMITH", "W-OHNO", "D-1", "D-2"}  # v2's and v3's keys
    assert meta.records == 3  # W-DOE, W-OHNO (new data), D-2
    screener = refdata.screener()
    assert isinstance(screener, OverlayScreener) and screener.version == 3
    reference = full_rebuild(v3_records(), 3)
    for traveller in TRAVELLERS:
        assert screened(screener, traveller) == screened(reference, traveller), traveller["id"]
    # and what each traveller shows, spelled out
    assert screener.screen(DOE).to_dict()["alerts"] == ["W-DOE"]  # added by v2
    assert screener.screen(SMITH_TRAVELLER).hits == []  # deleted by v2
    (ohno,) = screener.screen(OHNO).alerts  # changed by v3: found with its new data
    assert (ohno.entry_id, ohno.category, ohno.action) == ("W-OHNO", "person_of_interest", "refer")
    assert screener.screen(LOST).hits == []  # lost document deleted by v3
    assert screener.screen(STOLEN_TRAVELLER).to_dict()["alerts"] == ["D-2"]  # added by v3


def test_base_is_hard_linked_and_old_versions_removed(at_v3):
    refdata, _east = at_v3
    held = refdata.held("watchlist")
    assert sorted(p.name for p in (refdata.root / "watchlist").iterdir()) == ["state.json", "v3"]
    meta_file = held.directory / "base" / "meta.json"
    assert os.stat(meta_file).st_nlink == 1  # v1 and v2 removed; the links kept the files
    assert Screener.load(held.directory / "base").version == 1  # the base index is v1's


def test_delta_past_the_limit_rebuilds_the_full_index(at_v3):
    refdata, east = at_v3
    limit = overlay_limit(len(v1_records()))
    assert limit == 10
    # v4 deletes 6 more keys (and W-DOE again): 5 + 6 masked keys > 10, so the index is rebuilt
    bundle, v4_records = v4_delta(east, 6)
    refdata.apply_file(bundle)
    held = refdata.held("watchlist")
    assert sorted(p.name for p in held.directory.iterdir()) == [
        "dataset.jsonl", "dataset.keys", "envelope.json", "index"
    ]  # fmt: skip
    screener = refdata.screener()
    assert not isinstance(screener, OverlayScreener) and screener.version == 4
    reference = full_rebuild(v4_records, 4)
    for traveller in TRAVELLERS:
        assert screened(screener, traveller) == screened(reference, traveller), traveller["id"]
    assert screener.screen(DOE).hits == []
    # the next delta starts a new overlay on the v4 index
    v5_records = [*v4_records, SMITH]
    refdata.apply_file(east.delta(east.base / "watchlist-4.jsonl", 5, v5_records, base_version=4))
    meta = OverlayMeta.read(refdata.held("watchlist").directory)
    assert (meta.base_version, meta.masked) == (4, {"W-SMITH"})
    assert refdata.screener().screen(SMITH_TRAVELLER).to_dict()["alerts"] == ["W-SMITH"]


def test_full_bundle_after_overlay_builds_a_full_index(at_v3):
    refdata, east = at_v3
    refdata.apply_file(east.full(4, v3_records()))
    held = refdata.held("watchlist")
    assert OverlayMeta.read(held.directory) is None and (held.directory / "index").is_dir()
    assert screened(refdata.screener(), OHNO) == screened(full_rebuild(v3_records(), 4), OHNO)


FAILURES = [("overlay", stage) for stage in STAGES] + [
    ("rebuild", stage) for stage in STAGES if stage not in ("link", "overlay")
]


@pytest.mark.parametrize(("path", "stage"), FAILURES)
def test_failure_on_the_overlay_path_leaves_v3(path, stage, at_v3):
    """v3 is base + overlay; v4 fails at `stage`, applied as an overlay or as a full rebuild."""
    refdata, east = at_v3
    bundle, v4_records = v4_delta(east, 1 if path == "overlay" else 6)
    running = refdata.screener()
    before = {t["id"]: screened(running, t) for t in TRAVELLERS}

    def fail(name: str) -> None:
        if name == stage:
            raise OSError(28, "No space left on device")

    with pytest.raises(Exception, match="No space left on device"):
        refdata.apply_file(bundle, on_stage=fail)
    assert refdata.versions() == {"watchlist": 3}
    assert sorted(p.name for p in (refdata.root / "watchlist").iterdir()) == ["state.json", "v3"]
    for traveller in TRAVELLERS:  # the running screener and a reloaded one both still screen v3
        assert screened(running, traveller) == before[traveller["id"]]
        assert screened(refdata.screener(), traveller) == before[traveller["id"]]
    refdata.apply_file(bundle)
    assert refdata.versions() == {"watchlist": 4}
    overlay = OverlayMeta.read(refdata.held("watchlist").directory)
    assert (overlay is not None) == (path == "overlay")
    reference = full_rebuild(v4_records, 4)
    for traveller in TRAVELLERS:
        assert screened(refdata.screener(), traveller) == screened(reference, traveller)


def test_key_list_missing_or_wrong(at_v3, caplog):
    """The merge reads keys from dataset.keys; a list out of step with its dataset is not used
    (the dataset is parsed, as for a version held before key lists existed)."""
    refdata, east = at_v3
    held = refdata.held("watchlist")
    keys = held.directory / "dataset.keys"
    assert keys.read_text().splitlines() == sorted(e["id"] for e in v3_records())
    keys.write_text("".join(f"{k}\n" for k in sorted(e["id"] for e in v2_records())))
    bundle, v4_records = v4_delta(east, 1)
    refdata.apply_file(bundle)
    assert "key list unusable" in caplog.text
    assert "does not hold the key its key list names" in caplog.text
    assert refdata.versions() == {"watchlist": 4}
    new_keys = refdata.held("watchlist").directory / "dataset.keys"
    assert new_keys.read_text().splitlines() == sorted(e["id"] for e in v4_records)
    new_keys.unlink()  # no key list at all: parsed without a warning
    caplog.clear()
    v5 = east.delta(east.base / "watchlist-4.jsonl", 5, [*v4_records, SMITH], base_version=4)
    refdata.apply_file(v5)
    assert refdata.versions() == {"watchlist": 5} and "key list" not in caplog.text
    assert refdata.screener().screen(SMITH_TRAVELLER).to_dict()["alerts"] == ["W-SMITH"]


def test_unreadable_overlay_rebuilds_the_full_index(at_v3):
    refdata, east = at_v3
    records = refdata.held("watchlist").directory / "overlay" / "records.jsonl"
    records.write_bytes(b"not json\n")
    bundle, v4_records = v4_delta(east, 1)
    refdata.apply_file(bundle)
    held = refdata.held("watchlist")
    assert OverlayMeta.read(held.directory) is None and (held.directory / "index").is_dir()
    reference = full_rebuild(v4_records, 4)
    for traveller in TRAVELLERS:
        assert screened(refdata.screener(), traveller) == screened(reference, traveller)


def _age_index(meta_path) -> None:
    """Make an index look built by an older version of the software (index format 2)."""
    import json

    meta = json.loads(meta_path.read_text())
    meta["format"] = 2
    meta_path.write_text(json.dumps(meta))


@pytest.mark.parametrize("held_as", ["overlay", "full"])
def test_an_index_of_an_older_format_is_rebuilt_from_the_held_records(held_as, at_v3, caplog):
    """After a software upgrade that changes the index keys, the booth re-indexes the records
    it holds (dataset.jsonl) instead of refusing to screen until the next bundle; the result
    screens exactly as a full build of the same data."""
    refdata, east = at_v3
    if held_as == "full":
        refdata.apply_file(east.full(4, v3_records()))
    held = refdata.held("watchlist")
    version = held.version
    stale = held.directory / ("base" if held_as == "overlay" else "index") / "meta.json"
    _age_index(stale)
    refdata._screener = None  # as after a restart with the new software
    reference = full_rebuild(v3_records(), version)
    for traveller in TRAVELLERS:
        assert screened(refdata.screener(), traveller) == screened(reference, traveller)
    assert "re-indexing the held watchlist" in caplog.text
    assert OverlayMeta.read(held.directory) is None and (held.directory / "index").is_dir()
    assert not (held.directory / "base").exists() and refdata.versions() == {"watchlist": version}


def test_the_booths_bundle_task_reindexes_at_start_not_at_the_first_traveller(at_v3):
    """The agent's bundle task opens the held data when it starts, so an upgrade's re-index
    is done before any traveller waits for it."""
    import asyncio
    import json

    from edge.refdata.sync import BundleSync
    from edge.screening.index_build import FORMAT

    refdata, _ = at_v3
    held = refdata.held("watchlist")
    _age_index(held.directory / "base" / "meta.json")
    refdata._screener = None

    async def start_briefly() -> None:
        task = asyncio.create_task(BundleSync(refdata, {}, "booth-NRT-B09").run())
        for _ in range(600):
            if refdata._screener is not None:
                break
            await asyncio.sleep(0.05)
        task.cancel()

    asyncio.run(start_briefly())
    meta = json.loads((held.directory / "index" / "meta.json").read_text())
    assert refdata._screener is not None and meta["format"] == FORMAT


def test_a_watchlist_that_cannot_be_reindexed_refuses_screening_with_a_reason(
    centres, make_refdata
):
    """A stale index whose records cannot be read back (a damaged dataset.jsonl; a full disk
    behaves alike) is reported as data the booth cannot screen on, so travellers are referred,
    not as a crash of the inspection."""
    from edge.refdata.service import StaleDataError

    refdata = make_refdata()
    refdata.apply_file(centres["east"].full(1, v1_records()))
    held = refdata.held("watchlist")
    _age_index(held.directory / "index" / "meta.json")
    (held.directory / "dataset.jsonl").write_bytes(b"{not json\n")
    refdata._screener = None
    with pytest.raises(StaleDataError, match="cannot be indexed"):
        refdata.screener()
    assert refdata.versions() == {"watchlist": 1}
    # Not retried for every traveller: the next one is referred at once, for the same reason.
    (held.directory / "dataset.jsonl").unlink()
    with pytest.raises(StaleDataError, match=r"cannot be indexed.*Expecting"):
        refdata.screener()
