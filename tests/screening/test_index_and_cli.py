"""Index directories (build, load, version) and the `sekisho screen` commands, with real files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from edge.screening import IndexDirectoryError, ReferenceDataError, Screener, build_directory
from edge.screening.evalset import generate, score

from .conftest import VISAS, WATCHLIST, traveller


def write_jsonl(path, rows):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def sekisho(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sekisho", *args], capture_output=True, text=True, timeout=120
    )


def test_index_directory_round_trip(tmp_path):
    meta = build_directory(iter(WATCHLIST), tmp_path / "idx", version=42)
    assert meta["version"] == 42 and meta["entries"] == len(WATCHLIST) and meta["documents"] == 1
    loaded = Screener.load(tmp_path / "idx")
    assert loaded.version == 42
    result = loaded.screen(traveller("OHNO", "TARO", "1969-08-06"))
    assert [h.entry_id for h in result.alerts] == ["W-OHNO"]
    assert [
        h.entry_id
        for h in loaded.screen(traveller("X", "Y", "1990-01-01", "JPN", doc="TR1234567")).alerts
    ] == ["D-STOLEN"]


def test_missing_index_and_bad_records_are_explained(tmp_path):
    with pytest.raises(IndexDirectoryError, match=r"no meta\.json"):
        Screener.load(tmp_path)
    with pytest.raises(ReferenceDataError, match="birth date"):
        Screener.from_entries(
            [{"id": "X", "names": ["A, B"], "category": "wanted", "birth_date": "6 Aug"}]
        )
    with pytest.raises(ReferenceDataError, match="needs names or documents"):
        Screener.from_entries([{"id": "X", "category": "wanted"}])


def test_evalset_is_seeded_and_labelled():
    a, b = generate(300, 20, 20, seed=1), generate(300, 20, 20, seed=1)
    assert a.travellers == b.travellers and a.entries == b.entries
    assert sum(e is None for e in a.expected) == 20
    scripts = "".join(n for e in a.entries for n in e["names"])
    assert any("가" <= c <= "힣" for c in scripts) and any("А" <= c <= "я" for c in scripts)
    assert score([{"W1"}, set(), {"W9"}], ["W1", None, None]) == {
        "recall": 1.0, "false_alert_rate": 0.5, "targets": 1, "innocents": 2,
    }  # fmt: skip


@pytest.mark.slow
def test_recall_and_false_alerts_on_a_small_labelled_set():
    ev = generate(5000, 300, 300, seed=11)
    screener = Screener.from_entries(ev.entries)
    got = [{h.entry_id for h in screener.screen(t).alerts} for t in ev.travellers]
    result = score(got, ev.expected)
    assert result["recall"] >= 0.9
    assert result["false_alert_rate"] <= 0.03


@pytest.mark.slow
def test_cli_check_index_and_batch(tmp_path):
    wl = write_jsonl(tmp_path / "w.jsonl", WATCHLIST)
    visas = write_jsonl(tmp_path / "v.jsonl", VISAS)
    t = json.dumps(traveller("OHNO", "TARO", "1969-08-06", "JPN", doc="AB1000001"))
    done = sekisho("screen", "check", "--watchlist", str(wl), "--visas", str(visas), "--traveller", t,
                   "--today", "2026-11-27", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["alerts"] == ["W-OHNO"] and "大野" in out["hits"][0]["why"]
    assert out["visa"]["status"] == "mismatch"  # the visa for AB1000001 is Tanaka's

    built = sekisho("screen", "index", "build", "--watchlist", str(wl), "--out", str(tmp_path / "idx"),
                    "--version", "9", "--json")  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["version"] == 9 and "index written" in built.stderr

    queries = write_jsonl(tmp_path / "q.jsonl", [traveller("KIM", "MIN JUN", "1985-03-02"),
                                                 traveller("DOE", "JANE", "1990-01-01")])  # fmt: skip
    batch = sekisho(
        "screen", "batch", "--index", str(tmp_path / "idx"), "--queries", str(queries), "--json"
    )
    lines = [json.loads(x) for x in batch.stdout.splitlines()]
    assert [x["alerts"] for x in lines] == [["W-KIM"], []]
    assert all(x["ms"] >= 0 for x in lines)


@pytest.mark.slow
def test_cli_errors_are_for_people(tmp_path):
    done = sekisho("screen", "check", "--index", str(tmp_path), "--traveller", "{}")
    assert done.returncode == 2 and "no meta.json" in done.stderr
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [{"id": "X", "names": ["A"], "category": "wanted", "birth_date": "x"}],
    )
    done = sekisho("screen", "check", "--watchlist", str(bad), "--traveller", '{"surname": "A"}')
    assert done.returncode == 2 and "line" not in done.stdout and "birth date" in done.stderr


@pytest.mark.slow
def test_cli_eval_reports_recall(tmp_path):
    done = sekisho(
        "screen", "eval", "--entries", "2000", "--targets", "100", "--innocents", "100", "--json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["recall"] >= 0.85 and report["false_alert_rate"] <= 0.05 and report["p99_ms"] > 0


def test_cli_help_states_the_engines_default_threshold():
    """The help text says the threshold the engine uses, not a number typed in beside it (it
    said 0.85 after the default had moved to 0.89)."""
    from edge.screening.scoring import DEFAULT_THRESHOLD

    for command in (("watchlist", "screen"), ("screen", "check")):
        out = sekisho(*command, "--help").stdout
        assert f"default {DEFAULT_THRESHOLD})" in " ".join(out.split()), command
