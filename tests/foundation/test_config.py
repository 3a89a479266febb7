"""The config model: TOML, environment overrides, and errors that name the wrong value."""

from __future__ import annotations

import pytest

from sekisho.config import load
from sekisho.report import UserError

BOOTH = """
[booth]
port = "NRT"
booth = "B01"
data_dir = "/tmp/x"
[booth.brokers.east]
port = 1883
[booth.brokers.west]
port = 1884
[booth.centre_keys]
east = "/etc/sekisho/east.pub"
west = "/etc/sekisho/west.pub"
"""


def test_load_booth_with_defaults(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(BOOTH)
    conf = load(path, environ={})
    assert conf.booth.port == "NRT"
    assert conf.booth.brokers["west"].port == 1884
    assert conf.booth.required_centres() == ["east", "west"]
    assert conf.booth.brokers["east"].keepalive == 5


def test_environment_overrides_file(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(BOOTH)
    conf = load(
        path,
        environ={
            "SEKISHO_BOOTH__RATE_PER_MINUTE": "30",
            "SEKISHO_BOOTH__BROKERS__EAST__HOST": "east.example",
        },
    )
    assert conf.booth.rate_per_minute == 30.0
    assert conf.booth.brokers["east"].host == "east.example"


def test_wrong_values_are_named(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(
        BOOTH.replace('port = "NRT"', 'port = "nrt/#"').replace("port = 1884", "port = 99999")
    )
    with pytest.raises(UserError) as err:
        load(path, environ={})
    text = str(err.value)
    assert "booth.port" in text and "booth.brokers.west.port" in text


def test_unknown_key_and_unknown_required_centre(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(
        BOOTH.replace("[booth]\n", '[booth]\ncolour = "red"\nrequire_acks = ["north"]\n')
    )
    with pytest.raises(UserError) as err:
        load(path, environ={})
    assert "booth.colour" in str(err.value) and "north" in str(err.value)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(UserError, match="not found"):
        load(tmp_path / "none.toml", environ={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[booth\n")
    with pytest.raises(UserError, match="not valid TOML"):
        load(bad, environ={})


def test_every_centre_needs_its_acknowledgement_key(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(BOOTH.replace('west = "/etc/sekisho/west.pub"\n', ""))
    with pytest.raises(UserError, match="missing: west"):
        load(path, environ={})
