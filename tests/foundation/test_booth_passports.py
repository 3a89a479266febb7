"""The booth reads real-looking passports: MRZ by OCR from a photographed page, then the chip.

The pages are synthetic TD3 data pages photographed with noise, blur and perspective; the chips
are strict virtual ePassports signed by a test CSCA, reached over the card-transport interface.
Nothing is passed around the reader: the booth's records hold what OCR and the chip gave.
"""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from central.bundles import build_full
from devices.passport_reader import DocumentReadError, PassportDocumentReader, Presented
from devices.simulated.passports import SimulatedPassportFeed
from devices.simulated.travellers import TravellerGenerator
from edge.assembly import build_agent
from sekisho.config import BoothConfig
from sekisho.wire.signing import load_or_create_private_key, public_pem

SEED = 21


def config(tmp_path, **extra) -> BoothConfig:
    key = load_or_create_private_key(tmp_path / "east.key")
    (tmp_path / "east.pub").write_bytes(public_pem(key.public_key()))
    return BoothConfig(
        port="KIX", booth="B02", data_dir=tmp_path / "booth", brokers={"east": {"port": 1}},
        centre_keys={"east": tmp_path / "east.pub"}, document_reader="simulated-passport", **extra,
    )  # fmt: skip


def test_records_hold_what_ocr_and_chip_read_and_the_listed_traveller_is_referred(tmp_path):
    gen = TravellerGenerator(SEED)
    truth = [gen.reading() for _ in range(4)]
    listed = truth[2]
    key = load_or_create_private_key(tmp_path / "east.key")
    data = tmp_path / "watchlist.jsonl"
    data.write_text(json.dumps({"id": "W-9", "names": [f"{listed.surname}, {listed.given_names}"],
                                "birth_date": listed.birth_date, "category": "wanted"}) + "\n")  # fmt: skip
    build_full("watchlist", [data], 1, key, "east", tmp_path / "w.bundle")
    agent = build_agent(config(tmp_path, refdata={"kinds": ["watchlist"]}), seed=SEED)
    agent.inspection.screening.source.apply_file(tmp_path / "w.bundle")
    records = [asyncio.run(agent.inspect_one()) for _ in range(4)]
    for rec, want in zip(records, truth, strict=True):
        assert rec["document"]["number"] == want.document_number
        assert rec["traveller"]["surname"] == want.surname
        assert rec["traveller"]["given_names"] == want.given_names
        assert rec["traveller"]["birth_date"] == want.birth_date
    assert records[2]["screening"]["hits"] == 1 and records[2]["decision"] == "referred"
    assert all(r["screening"]["hits"] == 0 for i, r in enumerate(records) if i != 2)
    agent.outbox.close()


def test_chip_from_an_unknown_issuer_is_referred(tmp_path):
    agent = build_agent(config(tmp_path), seed=SEED)
    agent.reader.trust = SimulatedPassportFeed(seed=1).trust()  # another CSCA: not the issuer
    record = asyncio.run(agent.inspect_one())
    assert record["decision"] == "referred"
    assert agent.current["notes"][0]["code"] == "chip_not_verified"
    agent.outbox.close()


class BlankFeed:
    def present(self) -> Presented:
        return Presented(np.full((600, 900, 3), 235, np.uint8))

    def status(self) -> str:
        return "ok"


def test_page_without_a_readable_mrz_is_not_guessed(tmp_path):
    reader = PassportDocumentReader(BlankFeed())
    with pytest.raises(DocumentReadError, match="MRZ not found"):
        reader.read_now()
    assert reader.failures == 1
