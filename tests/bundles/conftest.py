"""Fixtures for the bundle tests: real centre keys on disk, small datasets, real Mosquitto."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.bundles import build_delta, build_full
from edge.refdata import RefDataPolicy, ReferenceData
from sekisho.stack.broker import Broker
from sekisho.wire.signing import load_or_create_private_key, load_public_key

OHNO = {"id": "T-1", "surname": "OHNO", "given_names": "TARO", "birth_date": "1969-08-06",
        "nationality": "JPN", "sex": "M", "document_number": "TK7654321"}  # fmt: skip
DOE = {"id": "T-2", "surname": "DOE", "given_names": "JANE", "birth_date": "1980-02-03",
       "nationality": "GBR", "sex": "F", "document_number": "GB1112223"}  # fmt: skip


def entries(n: int = 120) -> list[dict]:
    """A small watchlist: `n` filler entries, OHNO (wanted) and one lost document."""
    out = [
        {"id": f"W-{i:05d}", "names": [f"PERSON{i}, GIVEN{i}"], "birth_date": "1970-01-01",
         "nationality": "UTO", "category": "deportee"}
        for i in range(n)
    ]  # fmt: skip
    out.append({"id": "W-OHNO", "names": ["大野 太郎", "OHNO, TARO"], "birth_date": "1969-08-06",
                "nationality": "JPN", "sex": "M", "category": "wanted", "action": "detain"})  # fmt: skip
    out.append({"id": "D-1", "category": "lost_stolen_document",
                "documents": [{"number": "ZZ0000001", "country": "UTO"}]})  # fmt: skip
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


class Centre:
    """A centre's key pair on disk, and bundle builds signed with it."""

    def __init__(self, base: Path, name: str) -> None:
        self.name = name
        self.key = load_or_create_private_key(base / f"{name}.key")
        self.pub_path = base / f"{name}.pub"
        self.pub = load_public_key(self.pub_path.read_bytes())
        self.base = base

    def full(self, version: int, records: list[dict], kind: str = "watchlist", **kw) -> Path:
        data = write_jsonl(self.base / f"{kind}-{version}.jsonl", records)
        out = self.base / f"{kind}-v{version}-full-{self.name}.bundle"
        build_full(kind, [data], version, self.key, self.name, out, **kw)
        return out

    def delta(
        self, base: Path, version: int, records: list[dict], kind: str = "watchlist", **kw
    ) -> Path:
        data = write_jsonl(self.base / f"{kind}-{version}.jsonl", records)
        out = self.base / f"{kind}-v{version}-delta-{self.name}.bundle"
        build_delta(kind, base, [data], version, self.key, self.name, out, **kw)
        return out


@pytest.fixture
def centres(tmp_path) -> dict[str, Centre]:
    keys = tmp_path / "keys"
    keys.mkdir()
    return {name: Centre(keys, name) for name in ("east", "west")}


@pytest.fixture
def make_refdata(tmp_path, centres):
    def make(root: Path | None = None, **policy) -> ReferenceData:
        trusted = {name: c.pub for name, c in centres.items()}
        return ReferenceData(
            root or tmp_path / "booth" / "refdata", trusted, RefDataPolicy(**policy)
        )

    return make


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path / "broker").start()
    yield b
    b.stop()


def alerts(refdata: ReferenceData, traveller: dict = OHNO) -> list[str]:
    return refdata.screener().screen(traveller).to_dict()["alerts"]
