"""Build -> parse round trips with random field values pin the builder and the parser together."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

import pytest

from edge.mrz import FORMATS, build_mrz, build_td1, build_td2, build_td3, parse_mrz
from edge.mrz.build import MrzBuildError
from edge.mrz.countries import ICAO_CODES
from edge.mrz.names import format_name_field, split_name_field

from .test_parse_specimens import MRVA, MRVB, TD1, TD1_LONG_NUMBER, TD2, TD3

TODAY = date(2026, 11, 27)
ALNUM = string.ascii_uppercase + string.digits
CODES = sorted(ICAO_CODES)

# Free room for optional data, and the field that holds it, per format.
OPTIONAL = {"TD1": ("optional_data_1", 15), "TD2": ("optional_data_1", 7),
            "TD3": ("personal_number", 14), "MRV-A": ("optional_data_1", 16),
            "MRV-B": ("optional_data_1", 8)}  # fmt: skip


def _word(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(low, high)))


def _alnum(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(rng.randint(low, high)))


def random_fields(fmt: str, rng: random.Random) -> dict[str, object]:
    """Plausible random fields for `fmt` (long document numbers for TD1/TD2 now and then)."""
    long_number = fmt in ("TD1", "TD2") and rng.random() < 0.3
    number = _alnum(rng, 10, 9 + OPTIONAL[fmt][1] - 1) if long_number else _alnum(rng, 1, 9)
    birth = TODAY - timedelta(days=rng.randint(0, 99 * 365))
    expiry = TODAY + timedelta(days=rng.randint(-15 * 365, 19 * 365))
    fields: dict[str, object] = {
        "document_number": number,
        "primary_identifier": " ".join(_word(rng, 1, 14) for _ in range(rng.randint(1, 3))),
        "secondary_identifier": " ".join(_word(rng, 1, 12) for _ in range(rng.randint(0, 4))),
        "nationality": rng.choice(CODES),
        "issuing_state": rng.choice(CODES),
        "birth_date": birth,
        "sex": rng.choice("MFX<"),
        "expiry_date": expiry,
    }
    name, room = OPTIONAL[fmt]
    if not long_number and rng.random() < 0.6:
        fields[name] = _alnum(rng, 1, room)
    if fmt == "TD1" and rng.random() < 0.5:
        fields["optional_data_2"] = _alnum(rng, 1, 11)
    return fields


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_random_fields(fmt: str) -> None:
    rng = random.Random(f"mrz-round-trip-{fmt}")
    long_numbers = truncated = 0
    for _ in range(400):
        fields = random_fields(fmt, rng)
        lines = build_mrz(fmt, **fields)
        assert [len(line) for line in lines] == [FORMATS[fmt].line_length] * FORMATS[fmt].line_count
        r = parse_mrz(lines, today=TODAY)
        assert r.valid and r.format == fmt
        assert r.document_number == fields["document_number"]
        assert r.long_document_number == (len(str(fields["document_number"])) > 9)
        assert r.issuing_state == fields["issuing_state"]
        assert r.nationality == fields["nationality"]
        assert r.birth_date == fields["birth_date"]
        assert r.expiry_date == fields["expiry_date"]
        assert r.sex_raw == fields["sex"]
        name, _room = OPTIONAL[fmt]
        assert getattr(r, name) == fields.get(name, "")
        if fmt == "TD1":
            assert r.optional_data_2 == fields.get("optional_data_2", "")
        names_raw = lines[2] if fmt == "TD1" else lines[0][5:]
        parts = split_name_field(names_raw)
        assert (r.primary_identifier, r.secondary_identifier) == (parts.primary, parts.secondary)
        width = len(names_raw)
        _field, built_truncated = format_name_field(
            str(fields["primary_identifier"]), str(fields["secondary_identifier"]), width
        )
        # A reader sees truncation only as a full field (Doc 9303: "may have been truncated"):
        # a name that fits exactly looks truncated, and a truncated name that dropped whole
        # given names and left the last position free looks complete.
        assert r.names_truncated == (names_raw[-1] != "<")
        if not built_truncated:
            assert r.primary_identifier == fields["primary_identifier"]
            assert r.secondary_identifier == fields["secondary_identifier"]
        else:
            # Truncation never changes a kept letter: each kept component is a prefix.
            got = r.secondary_identifier.split() or r.primary_identifier.split()
            want = (
                str(fields["secondary_identifier"]).split()
                or str(fields["primary_identifier"]).split()
            )
            assert all(w.startswith(g) for g, w in zip(got, want, strict=False))
        long_numbers += r.long_document_number
        truncated += built_truncated
    # The random values reach the interesting cases.
    assert truncated > 10
    if fmt in ("TD1", "TD2"):
        assert long_numbers > 50


@pytest.mark.parametrize(
    ("builder", "specimen", "fields"),
    [
        (build_td3, TD3, {"document_number": "L898902C3", "personal_number": "ZE184226B",
                          "birth_date": "740812", "expiry_date": "120415", "sex": "F",
                          "nationality": "UTO"}),
        (build_td1, TD1, {"document_number": "D23145890", "birth_date": "740812",
                          "expiry_date": "120415", "sex": "F", "nationality": "UTO"}),
        (build_td1, TD1_LONG_NUMBER, {"document_number": "D23145890734", "birth_date": "340712",
                                      "expiry_date": "950712", "sex": "M", "nationality": "UTO",
                                      "primary_identifier": "STEVENSON",
                                      "secondary_identifier": "PETER JOHN"}),
        (build_td2, TD2, {"document_number": "D23145890", "birth_date": "740812",
                          "expiry_date": "120415", "sex": "F", "nationality": "UTO"}),
    ],
)  # fmt: skip
def test_builder_reproduces_specimens(builder, specimen: list[str], fields: dict) -> None:  # type: ignore[no-untyped-def]
    args = {"primary_identifier": "ERIKSSON", "secondary_identifier": "ANNA MARIA", **fields}
    assert builder(**args) == specimen


@pytest.mark.parametrize(("fmt", "specimen"), [("MRV-A", MRVA), ("MRV-B", MRVB)])
def test_builder_reproduces_visa_specimens(fmt: str, specimen: list[str]) -> None:
    optional = "6ZE184226B" if fmt == "MRV-A" else ""
    lines = build_mrz(
        fmt,
        document_number="L8988901C",
        primary_identifier="ERIKSSON",
        secondary_identifier="ANNA MARIA",
        nationality="XXX",
        issuing_state="UTO",
        birth_date="400907",
        sex="F",
        expiry_date="961210",
        optional_data_1=optional,
    )
    assert lines == specimen


def test_long_number_with_optional_data_after_it() -> None:
    lines = build_td1(
        document_number="ABC123456789",
        primary_identifier="LEE",
        nationality="KOR",
        birth_date="800101",
        sex="M",
        expiry_date="300101",
        optional_data_1="XY",
    )
    assert lines[0][14] == "<"
    r = parse_mrz(lines, today=TODAY)
    assert (r.document_number, r.optional_data_1) == ("ABC123456789", "XY")


@pytest.mark.parametrize(
    ("fmt", "overrides", "field"),
    [
        ("TD3", {"document_number": "1234567890"}, "document_number"),
        ("TD3", {"personal_number": "X" * 15}, "personal_number"),
        ("TD3", {"birth_date": "1974-08-12"}, "birth_date"),
        ("TD3", {"sex": "Q"}, "sex"),
        ("TD3", {"nationality": "U1O"}, "nationality"),
        ("TD3", {"document_code": "V"}, "document_code"),
        ("TD1", {"document_number": "A" * 25}, "document_number"),
        ("TD1", {"document_number": "ABCDEFGHIJ KL"}, "document_number"),
        (
            "TD1",
            {"document_number": "ABCDEFGHIJKLMNOPQRST", "optional_data_1": "XYZ"},
            "optional_data_1",
        ),
        ("MRV-B", {"optional_data_1": "#"}, "optional_data_1"),
    ],
)
def test_build_errors_name_the_field(fmt: str, overrides: dict, field: str) -> None:  # type: ignore[type-arg]
    fields = {
        "document_number": "X1",
        "primary_identifier": "A",
        "nationality": "UTO",
        "issuing_state": "UTO",
        "birth_date": "800101",
        "sex": "F",
        "expiry_date": "300101",
        **overrides,
    }
    with pytest.raises(MrzBuildError) as exc_info:
        build_mrz(fmt, **fields)
    assert exc_info.value.field == field
