"""The `sekisho watchlist` and `sekisho visa` commands, run as a person would run them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sekisho.cli import main
from tests.bundles.conftest import DOE, OHNO, entries, write_jsonl

pytestmark = pytest.mark.slow

VISA = {"visa_number": "V-100", "surname": "OHNO", "given_names": "TARO", "birth_date": "1969-08-06",
        "nationality": "JPN", "passport_number": "TK7654321", "type": "temporary_visitor",
        "valid_from": "2026-01-01", "valid_until": "2026-03-31", "entries": "single", "used": 0}  # fmt: skip


class Ran:
    """What a command printed and how it exited."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = code, stdout, stderr


@pytest.fixture
def sekisho(capsys):
    """Run `sekisho ARGS...` in this process (the same entry point; no interpreter start-up)."""

    def run(*args: object, ok: bool = True) -> Ran:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert (code == 0) == ok, err
        return Ran(code, out, err)

    return run


def sekisho_process(*args: object) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "sekisho", *map(str, args)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc


def lines(proc: Ran | subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_watchlist_screen_prints_one_line_per_query(tmp_path):
    """As a person runs it: a separate process."""
    names = write_jsonl(tmp_path / "names.jsonl", entries(50)[:-1])
    docs = write_jsonl(tmp_path / "docs.jsonl", entries(0)[-1:])
    stolen = {"id": "T-3", "surname": "ROE", "nationality": "UTO", "document_number": "ZZ0000001"}
    queries = write_jsonl(tmp_path / "q.jsonl", [OHNO, DOE, stolen])
    out = lines(sekisho_process("watchlist", "screen", "--watchlist", names, "--watchlist", docs,
                        "--queries", queries, "--json"))  # fmt: skip
    assert [r["id"] for r in out] == ["T-1", "T-2", "T-3"]
    assert [r["alerts"] for r in out] == [["W-OHNO"], [], ["D-1"]]
    for row in out:
        assert {"id", "alerts", "hits", "ms"} <= set(row)
        assert isinstance(row["ms"], float) and row["ms"] < 5000
        assert all({"entry", "score", "why"} <= set(h) for h in row["hits"])
    assert out[0]["hits"][0]["entry"] == "W-OHNO" and out[0]["hits"][0]["score"] >= 0.85


def test_bundle_build_verify_apply_screen_and_visa_check(tmp_path, centres, sekisho):
    east, west = centres["east"], centres["west"]
    keys = ["--centre-key", f"east={east.pub_path}", "--centre-key", f"west={west.pub_path}"]
    data = write_jsonl(tmp_path / "w.jsonl", entries(30))
    visas = write_jsonl(tmp_path / "v.jsonl", [VISA])
    wl = tmp_path / "w1.bundle"
    built = lines(sekisho("watchlist", "bundle", "build", "--data", data, "--version", 1,
                          "--key", east.base / "east.key", "--signer", "east", "--out", wl, "--json"))  # fmt: skip
    assert built[0]["version"] == 1 and built[0]["records"] == 32
    vb = tmp_path / "v1.bundle"
    sekisho("watchlist", "bundle", "build", "--kind", "visas", "--data", visas, "--version", 4,
            "--key", west.base / "west.key", "--signer", "west", "--out", vb)  # fmt: skip
    verified = lines(sekisho("watchlist", "bundle", "verify", wl, *keys, "--json"))[0]
    assert verified["ok"] and "dataset_sha256" in verified["checked"]
    wrong = sekisho(
        "watchlist", "bundle", "verify", wl, "--centre-key", f"west={west.pub_path}", ok=False
    )
    assert "signature does not verify with the keys of west" in wrong.stderr
    root = tmp_path / "refdata"
    for bundle in (wl, vb):
        sekisho("watchlist", "bundle", "apply", bundle, "--refdata", root, *keys)
    again = sekisho("watchlist", "bundle", "apply", wl, "--refdata", root, *keys, ok=False)
    assert "bundle watchlist v1 rejected: version 1 is already held" in again.stderr
    status = {
        r["kind"]: r
        for r in lines(sekisho("watchlist", "bundle", "status", "--refdata", root, "--json"))
    }
    assert (status["watchlist"]["version"], status["visas"]["version"]) == (1, 4)
    queries = write_jsonl(tmp_path / "q.jsonl", [OHNO])
    screened = lines(sekisho("watchlist", "screen", "--refdata", root, "--queries", queries,
                             "--today", "2026-02-10", "--json"))  # fmt: skip
    assert screened[0]["alerts"] == ["W-OHNO"] and screened[0]["visa"]["status"] == "valid"
    stale = sekisho("watchlist", "screen", "--refdata", root, "--queries", queries,
                    "--max-age-hours", "watchlist=0.00001", ok=False)  # fmt: skip
    assert "refusing to screen: watchlist data v1 is" in stale.stderr
    visa = lines(sekisho("visa", "check", "--refdata", root, "--traveller", json.dumps(OHNO),
                         "--today", "2026-04-02", "--json"))[0]  # fmt: skip
    assert (visa["status"], visa["reasons"], visa["data_version"]) == (
        "expired",
        ["expired 2026-03-31"],
        4,
    )
    plain = sekisho("visa", "check", "--visas", visas, "--traveller", json.dumps(DOE), "--json")
    assert lines(plain)[0]["status"] == "not_found"


def test_bundle_publish_command(tmp_path, centres, broker, sekisho):
    bundle = centres["east"].full(1, entries(10))
    out = lines(sekisho("watchlist", "bundle", "publish", bundle,
                        "--broker", f"127.0.0.1:{broker.port}", "--json"))  # fmt: skip
    assert out[0]["topic"] == "sekisho/v1/bundles/watchlist" and out[0]["version"] == 1
    again = sekisho(
        "watchlist", "bundle", "publish", bundle, "--broker", f"127.0.0.1:{broker.port}", ok=False
    )
    assert "already holds watchlist v1" in again.stderr


def test_release_allocates_versions_keeps_history_and_publishes(tmp_path, centres, broker, sekisho):
    east = centres["east"]
    history = tmp_path / "history"
    common = ["--history", history, "--key", east.base / "east.key", "--signer", "east",
              "--broker", f"127.0.0.1:{broker.port}", "--json"]  # fmt: skip
    first = lines(
        sekisho(
            "watchlist",
            "bundle",
            "release",
            "--data",
            write_jsonl(tmp_path / "a.jsonl", entries(20)),
            *common,
        )
    )
    assert [(r.get("version"), r.get("mode"), r.get("topic")) for r in first] == [
        (1, "full", None), (1, "full", "sekisho/v1/bundles/watchlist")]  # fmt: skip
    second = lines(
        sekisho(
            "watchlist",
            "bundle",
            "release",
            "--data",
            write_jsonl(tmp_path / "b.jsonl", entries(25)),
            *common,
        )
    )
    built, published = second[:2], second[2:]
    assert [(r["version"], r["mode"], r.get("base_version")) for r in built] == [
        (2, "full", None),
        (2, "delta", 1),
    ]
    assert [r["topic"] for r in published] == [
        "sekisho/v1/bundles/watchlist",
        "sekisho/v1/bundles/watchlist/delta",
    ]
    # a booth that holds v1 takes the delta from the history
    root = tmp_path / "refdata"
    keys = ["--refdata", root, "--centre-key", f"east={east.pub_path}"]
    sekisho("watchlist", "bundle", "apply", first[0]["file"], *keys)
    sekisho("watchlist", "bundle", "apply", built[1]["file"], *keys)
    status = lines(sekisho("watchlist", "bundle", "status", "--refdata", root, "--json"))
    assert (status[0]["version"], status[0]["records"]) == (2, 27)


def test_screen_on_refdata_after_a_delta_never_finds_a_deleted_entry(
    tmp_path, centres, sekisho, capsys
):
    """A delta is held as base index + overlay; `watchlist screen --refdata` must not screen on
    the base alone (it would still find W-OHNO): it screens through `ReferenceData.screener()`."""
    east = centres["east"]
    root, keys = tmp_path / "refdata", ["--centre-key", f"east={east.pub_path}"]
    v1 = east.full(1, entries(30))
    v2 = east.delta(v1, 2, [e for e in entries(30) if e["id"] != "W-OHNO"])
    for bundle in (v1, v2):
        sekisho("watchlist", "bundle", "apply", bundle, "--refdata", root, *keys)
    queries = write_jsonl(tmp_path / "q.jsonl", [OHNO])
    capsys.readouterr()
    code = main(
        ["watchlist", "screen", "--refdata", str(root), "--queries", str(queries), "--json"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [json.loads(line)["hits"] for line in out.splitlines()] == [[]]
