"""`sekisho demo` as the README runs it: the summary line, plain and with --chaos."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def run_demo(tmp_path, *extra: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sekisho",
            "demo",
            "--json",
            "--dir",
            str(tmp_path / "demo"),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1, out.stdout  # --json: exactly one summary line on stdout
    return json.loads(lines[0])


def test_demo_summary(tmp_path):
    summary = run_demo(tmp_path, "--duration", "15", "--rate", "240", "--seed", "1")
    assert summary["produced"] > 0
    assert summary["produced"] == summary["east"] == summary["west"]
    assert summary["duplicates"] == 0 and summary["undelivered"] == 0
    assert "faults" not in summary
    # booths screened on the watchlist East pushed; whoever was not screened was referred
    assert 0 < summary["screened"] <= summary["produced"]
    assert summary["referred"] >= summary["produced"] - summary["screened"]


def test_demo_chaos_injects_faults_and_loses_nothing(tmp_path):
    summary = run_demo(tmp_path, "--duration", "40", "--chaos", "--seed", "7")
    assert summary["faults"] >= 3
    assert summary["produced"] > 0
    assert summary["produced"] == summary["east"] == summary["west"]
    assert summary["duplicates"] == 0 and summary["undelivered"] == 0
