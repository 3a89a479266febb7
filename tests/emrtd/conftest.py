"""Fixtures for the eMRTD tests: a real pcscd with vsmartcard's vpcd driver, a test PKI and
generated passports, and a simulated chip served to the reader "Virtual PCD 00 00"."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

VPCD_READER = "Virtual PCD 00 00"


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory) -> Iterator[int]:
    """The vpcd port of a running pcscd: reuse one that lists the vpcd reader, else start our own
    on a port outside the ephemeral range (see devices/simulated/epassport/pcscd.py)."""
    from devices.simulated.epassport.pcscd import (
        PRIVATE_PORT,
        VPCD_DRIVER,
        PcscdError,
        start_pcscd,
        stop_pcscd,
        vpcd_reader_listed,
    )

    if not os.path.exists(VPCD_DRIVER) or shutil.which("pcscd") is None:
        pytest.skip("pcscd and vsmartcard-vpcd are not installed (deploy/debian-packages.txt)")
    if vpcd_reader_listed():
        yield 35963  # a system pcscd with Debian's /etc/reader.conf.d/vpcd
        return
    running = subprocess.run(
        ["pgrep", "-x", "pcscd"], capture_output=True, text=True
    ).stdout.split()
    if running:
        pytest.skip(f"a pcscd (pid {running[0]}) runs without the vpcd reader; not touching it")
    try:
        proc = start_pcscd(tmp_path_factory.mktemp("pcscd") / "reader.conf.d")
    except PcscdError as exc:
        pytest.fail(str(exc))
    try:
        yield PRIVATE_PORT
    finally:
        stop_pcscd(proc)


@pytest.fixture(scope="session")
def test_pki():
    from devices.simulated.epassport.generator import TestPKI

    return TestPKI.create()


@pytest.fixture(scope="session")
def passport_pace(test_pki):
    """PACE + BAC capable, RSA (ISO 9796-2) Active Authentication, 15 KB JPEG face."""
    from devices.simulated.epassport.generator import make_passport

    return make_passport(test_pki, aa_kind="rsa", pace=True)


@pytest.fixture(scope="session")
def passport_bac(test_pki):
    """BAC only (no EF.CardAccess), ECDSA Active Authentication, no Chip Authentication."""
    from devices.simulated.epassport.generator import make_passport, td3_mrz

    mrz = td3_mrz("Tanaka", "Hanako", "TK1234567", "JPN", "900101", "F", "351231", issuer="JPN")
    return make_passport(test_pki, mrz=mrz, aa_kind="ec", pace=False, chip_auth=False)


@pytest.fixture(scope="session")
def trust(test_pki):
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from devices.emrtd.pki import TrustStore

    store = TrustStore()
    store.add_certificate(x509.Certificate.load(test_pki.csca_cert.public_bytes(Encoding.DER)))
    return store


def _wait_reader(present: bool, timeout: float = 5.0) -> None:
    from devices.emrtd.pcsc import list_readers

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = next((r["card_present"] for r in list_readers() if r["name"] == VPCD_READER), None)
        if state == present:
            return
        time.sleep(0.05)
    raise AssertionError(f"reader never showed card_present={present}")


@pytest.fixture
def wait_reader():
    """wait_reader(present) blocks until the vpcd reader shows the card present/absent."""
    return _wait_reader


@pytest.fixture
def serve_card(pcscd) -> Iterator[Callable]:
    """serve_card(passport, options=None, removal=None) -> (VirtualCard, PcscTransport) in the vpcd reader."""
    from devices.emrtd.pcsc import PcscTransport
    from devices.simulated.epassport.chip import ChipOptions, EPassportChip
    from devices.simulated.epassport.vpcd import VirtualCard

    started: list = []

    def start(passport, options: ChipOptions | None = None, removal=None):
        card = VirtualCard(
            EPassportChip(passport, options or ChipOptions()), port=pcscd, removal=removal
        ).start()
        assert card.connected.wait(5), "vpcd did not accept the card connection"
        _wait_reader(True)
        transport = PcscTransport(VPCD_READER)
        started.append((card, transport))
        return card, transport

    yield start
    for card, transport in started:
        transport.close()
        card.stop()
    if started:
        _wait_reader(False)
