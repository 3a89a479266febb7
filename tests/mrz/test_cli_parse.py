"""`sekisho mrz parse` run as a real process: arguments, stdin, JSON, exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from edge.mrz import cli
from sekisho.report import UserError

from .test_parse_specimens import MRVA, TD1, TD3

ROOT = Path(__file__).resolve().parents[2]
SEKISHO = ROOT / ".venv" / "bin" / "sekisho"
COMMAND = [str(SEKISHO)] if SEKISHO.exists() else [sys.executable, "-m", "sekisho"]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "mrz", "parse", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def json_lines(out: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_valid_mrz_as_arguments_json() -> None:
    proc = run(*TD3, "--json", "--today", "2026-11-27")
    assert proc.returncode == 0, proc.stderr
    [report] = json_lines(proc.stdout)
    assert report["valid"] is True and report["format"] == "TD3"
    assert report["errors"] == []
    fields = report["fields"]
    assert fields["primary_identifier"] == "ERIKSSON"
    assert fields["secondary_identifier"] == "ANNA MARIA"
    assert fields["birth_date"] == "1974-08-12" and fields["expiry_date"] == "2012-04-15"
    assert fields["document_number"] == "L898902C3"
    assert report["checks"]["composite"] == {"found": "0", "expected": "0", "ok": True}


def test_invalid_check_digit_exit_1_with_the_field_named() -> None:
    bad = [TD3[0], TD3[1][:9] + "1" + TD3[1][10:]]
    proc = run(*bad, "--json")
    assert proc.returncode == 1
    [report] = json_lines(proc.stdout)
    assert report["valid"] is False
    assert report["errors"][0]["field"] == "document_number"
    assert report["errors"][0]["message"] == "check digit of document_number is 1, expected 6"
    assert report["checks"]["document_number"]["ok"] is False


def test_human_output_names_fields_and_errors() -> None:
    proc = run(TD3[0], TD3[1][:-1] + "9")
    assert proc.returncode == 1
    assert "ERIKSSON" in proc.stdout
    assert "composite check digit is 9, expected 0" in proc.stdout


def test_stdin_with_several_mrzs_gives_one_report_each() -> None:
    text = "\n".join(TD3) + "\n\n" + "\n".join(TD1) + "\n\n" + "\n".join(MRVA) + "\n"
    proc = run("--json", stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert [r["format"] for r in json_lines(proc.stdout)] == ["TD3", "TD1", "MRV-A"]


def test_stdin_mrzs_without_blank_lines_are_split_by_shape() -> None:
    proc = run("--json", stdin="\n".join(TD3 + MRVA) + "\n")
    assert [r["format"] for r in json_lines(proc.stdout)] == ["TD3", "MRV-A"]


def test_one_invalid_mrz_among_valid_ones_exits_1() -> None:
    text = "\n".join(TD3) + "\n\n" + TD1[0] + "\n" + TD1[1] + "\n"
    proc = run("--json", stdin=text)
    assert proc.returncode == 1
    reports = json_lines(proc.stdout)
    assert [r["valid"] for r in reports] == [True, False]
    assert reports[1]["format"] is None
    assert reports[1]["errors"][0]["reason"] == "shape"


def test_lowercase_is_a_precise_error() -> None:
    proc = run(TD3[0].lower(), TD3[1], "--json")
    assert proc.returncode == 1
    [report] = json_lines(proc.stdout)
    assert "line 1 column 1" in report["errors"][0]["message"]
    assert "lower case" in report["errors"][0]["message"]


def test_today_changes_the_century() -> None:
    proc = run(*TD3, "--json", "--today", "1995-01-01")
    assert json_lines(proc.stdout)[0]["fields"]["expired"] is False
    proc = run(*TD3, "--json", "--today", "2026-11-27")
    assert json_lines(proc.stdout)[0]["fields"]["expired"] is True


def test_usage_errors_exit_2() -> None:
    assert run("--today", "27/11/2026", *TD3).returncode == 2
    empty = run(stdin="")
    assert empty.returncode == 2
    assert "no MRZ lines" in empty.stderr


def _mrz_group(monkeypatch: pytest.MonkeyPatch, ocr_module: str) -> argparse.ArgumentParser:
    monkeypatch.setattr(cli, "OCR_CLI_MODULE", ocr_module)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    return parser


def test_broken_ocr_module_leaves_parse_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OCR module that fails to import gives a `read` that explains; `parse` still works."""
    (tmp_path / "broken_ocr_cli_for_test.py").write_text(
        "import a_dependency_that_is_not_installed_xyz\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    parser = _mrz_group(monkeypatch, "broken_ocr_cli_for_test")
    args = parser.parse_args(["mrz", "read", "x.png"])
    with pytest.raises(UserError, match="a_dependency_that_is_not_installed_xyz"):
        args.func(args)
    args = parser.parse_args(["mrz", "parse", *TD3])
    assert args.func is cli.handle_parse


def test_missing_ocr_module_registers_no_read(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = _mrz_group(monkeypatch, "edge.mrz.no_such_ocr.cli")
    args = parser.parse_args(["mrz", "parse", *TD3])
    assert args.func is cli.handle_parse
    listed = [
        line.split()[0] for line in args.parser.format_help().splitlines() if line[:4] == "    "
    ]
    assert "parse" in listed and "read" not in listed
