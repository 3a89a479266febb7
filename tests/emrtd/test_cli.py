"""`sekisho chip ...` commands run in-process against the simulated chip in the vpcd reader."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from sekisho.cli import main

READER = "Virtual PCD 00 00"
MASTER_LIST = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "testdata"
    / "emrtd"
    / "DE_masterlist.ml"
)


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


@pytest.mark.slow
def test_chip_read_json_line(serve_card, passport_pace, test_pki, tmp_path, capsys) -> None:
    serve_card(passport_pace)
    csca = tmp_path / "csca.pem"
    csca.write_bytes(test_pki.csca_pem())
    face = tmp_path / "face.png"
    mrz = passport_pace.mrz[:44] + "\\n" + passport_pace.mrz[44:]
    cscas = ["--csca", str(csca)] + (["--csca", str(MASTER_LIST)] if MASTER_LIST.exists() else [])
    rc = main(
        [
            "chip",
            "read",
            "--reader",
            READER,
            "--mrz",
            mrz,
            *cscas,
            "--save-face",
            str(face),
            "--json",
        ]
    )
    assert rc == 0
    [report] = _lines(capsys)
    assert report["access"] == "PACE"
    assert report["mrz"].split("\n")[1].startswith("L898902C3")
    assert report["dg1"]["surname"] == "ERIKSSON" and report["dg1_matches_mrz"] is True
    assert set(report["files"]) >= {"COM", "SOD", "DG1", "DG2", "DG14", "DG15"}
    assert all(len(h) == 64 for h in report["files"].values())
    assert report["face"]["format"] == "jpeg" and report["face"]["width"] == 420
    assert report["passive_auth"]["status"] == "valid"
    assert report["active_auth"] == "passed"
    assert report["apdus"] > 0 and report["ms"] > 0
    assert cv2.imread(str(face)).shape == (525, 420, 3)


def test_chip_read_with_wrong_key_prints_error_and_fails(serve_card, passport_pace, capsys) -> None:
    serve_card(passport_pace)
    rc = main(
        [
            "chip",
            "read",
            "--reader",
            READER,
            "--doc-number",
            "L898902C3",
            "--birth",
            "740812",
            "--expiry",
            "350415",
            "--json",
        ]
    )
    assert rc == 1
    [line] = _lines(capsys)
    assert "error" in line and line["kind"] == "AccessDeniedError"


def test_chip_read_without_a_key_is_a_usage_error(capsys) -> None:
    assert main(["chip", "read", "--doc-number", "X1"]) == 2
    assert "--mrz" in capsys.readouterr().err


def test_chip_read_at_old_date_with_bac(
    serve_card, passport_bac, test_pki, tmp_path, capsys
) -> None:
    serve_card(passport_bac)
    csca = tmp_path / "csca.pem"
    csca.write_bytes(test_pki.csca_pem())
    k = passport_bac.key()
    rc = main(
        [
            "chip",
            "read",
            "--reader",
            READER,
            "--doc-number",
            k.document_number,
            "--birth",
            k.birth,
            "--expiry",
            k.expiry,
            "--csca",
            str(csca),
            "--at",
            "2001-01-01",
            "--json",
        ]
    )
    assert rc == 0
    [report] = _lines(capsys)
    assert report["access"] == "BAC"
    assert (
        report["passive_auth"]["status"] == "invalid"
        and report["passive_auth"]["step"] == "dsc_validity"
    )


def test_chip_readers_lists_the_virtual_reader(serve_card, passport_pace, capsys) -> None:
    serve_card(passport_pace)
    assert main(["chip", "readers", "--json"]) == 0
    readers = {r["name"]: r for r in _lines(capsys)}
    assert readers[READER]["card_present"] is True and readers[READER]["atr"]


@pytest.mark.slow
def test_chip_simulate_serves_a_verifiable_passport(pcscd, wait_reader, tmp_path) -> None:
    """`sekisho chip simulate` in its own process, read back through pcscd and verified against its CSCA."""
    import subprocess
    import sys

    from devices.emrtd import service
    from devices.emrtd.bac import MRZKey
    from devices.emrtd.pcsc import PcscTransport
    from devices.emrtd.pki import TrustStore

    csca = tmp_path / "csca.pem"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sekisho",
            "chip",
            "simulate",
            "--csca-out",
            str(csca),
            "--aa",
            "ec",
            "--port",
            str(pcscd),
            "--seconds",
            "20",
            "--json",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        summary = json.loads(proc.stdout.readline())
        wait_reader(True, timeout=10)
        trust = TrustStore()
        trust.add_path(csca)
        key = MRZKey(summary["document_number"], summary["birth"], summary["expiry"])
        transport = PcscTransport(READER)
        report, _ = service.read_passport(transport, key, trust=trust, want_face=False)
        transport.close()
    finally:
        proc.terminate()
        proc.wait(10)
    assert report["access"] == "PACE" and report["passive_auth"]["status"] == "valid"
    assert report["active_auth"] == "passed" and report["chip_auth"] == "passed"
    wait_reader(False)


def test_chip_verify_saved_files(passport_pace, test_pki, tmp_path, capsys) -> None:
    """PA of files on disk: a generated passport (valid, exit 0), then with one group altered (exit 1)."""
    for name, data in passport_pace.files.items():
        (tmp_path / (f"EF_{name}.bin" if name in ("COM", "SOD") else f"{name}.bin")).write_bytes(
            data
        )
    csca = tmp_path / "csca.pem"
    csca.write_bytes(test_pki.csca_pem())
    assert main(["chip", "verify", str(tmp_path), "--csca", str(csca), "--json"]) == 0
    [report] = _lines(capsys)
    assert report["passive_auth"]["status"] == "valid" and "DG2" in report["groups"]
    (tmp_path / "DG12.bin").write_bytes(passport_pace.files["DG12"].replace(b"UTOPIA", b"ATLANT"))
    assert main(["chip", "verify", str(tmp_path), "--csca", str(csca), "--json"]) == 1
    [report] = _lines(capsys)
    assert report["passive_auth"]["step"] == "hash_DG12"


def test_chip_verify_bsi_folder(capsys) -> None:
    bsi = MASTER_LIST.parent / "bsi2008"
    if not bsi.is_dir():
        pytest.skip("shared test data not present")
    assert main(["chip", "verify", str(bsi), "--at", "2008-06-01", "--json"]) == 1
    [report] = _lines(capsys)
    assert report["passive_auth"]["status"] == "no_trust_anchor"
    assert report["groups"] == ["DG1", "DG2", "DG3", "DG14"] and report["ignored"] == [
        "DG4",
        "DG15",
    ]
    assert report["dg1"]["surname"] == "MUSTERMANN"
