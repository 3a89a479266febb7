"""Benchmark: full passport reads through the real PC/SC stack (pyscard -> pcscd -> vpcd -> simulated chip).

Prints, per configuration, the median and worst wall time of a full read (authentication, EF.COM,
EF.SOD, DG1, 15 KB DG2, DG11, DG12, DG14, DG15, Passive and Active Authentication, face decode)
and the APDU count next to the minimum the chip's maximum read length allows.

    .venv/bin/python bench/chip_read.py [--runs 10]

Starts its own pcscd (vpcd on port 25963) when none lists the vpcd reader, and stops it at the end.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asn1crypto import x509
from cryptography.hazmat.primitives.serialization import Encoding

from devices.emrtd import service
from devices.emrtd.pcsc import PcscTransport, list_readers
from devices.emrtd.pki import TrustStore
from devices.emrtd.reader import ReadOptions
from devices.simulated.epassport.chip import ChipOptions, EPassportChip
from devices.simulated.epassport.generator import TestPKI, make_passport
from devices.simulated.epassport.pcscd import (
    PRIVATE_PORT,
    start_pcscd,
    stop_pcscd,
    vpcd_reader_listed,
)
from devices.simulated.epassport.vpcd import VirtualCard

READER = "Virtual PCD 00 00"
PORT = {"vpcd": 35963}  # set in main() to the port of the pcscd in use


def ensure_pcscd() -> tuple[subprocess.Popen | None, int]:
    """(our pcscd or None, vpcd port): reuse a pcscd that lists the vpcd reader, else start one."""
    if vpcd_reader_listed():
        return None, 35963
    return start_pcscd(Path(tempfile.mkdtemp()) / "reader.conf.d"), PRIVATE_PORT


def wait_present(present: bool) -> None:
    for _ in range(100):
        if any(r["name"] == READER and r["card_present"] == present for r in list_readers()):
            return
        time.sleep(0.05)


def minimum_apdus(passport, chip_max: int, pace: bool, short_cap: int) -> int:
    per_read = min(chip_max, short_cap)
    auth = (2 + 1 + 4) if pace else 2
    files = sum(1 + math.ceil(len(d) / per_read) for d in passport.files.values())
    chip_auth = (
        2 if passport.extra.get("ca_key") is not None else 0
    )  # MSE:Set AT + GENERAL AUTHENTICATE
    return auth + 1 + files + chip_auth + (1 if "DG15" in passport.files else 0)


def run(
    label: str, passport, trust, chip: ChipOptions, runs: int, pace: bool, short_cap: int
) -> None:
    card = VirtualCard(EPassportChip(passport, chip), port=PORT["vpcd"]).start()
    card.connected.wait(5)
    wait_present(True)
    times, apdus = [], 0
    for _ in range(runs):
        transport = PcscTransport(READER)
        t0 = time.perf_counter()
        report, _face = service.read_passport(
            transport,
            passport.key(),
            trust=trust,
            options=ReadOptions(extended_length=chip.extended_length),
        )
        times.append((time.perf_counter() - t0) * 1000)
        transport.close()
        apdus = report["apdus"]
        assert report["passive_auth"]["status"] == "valid" and report["active_auth"] == "passed"
    card.stop()
    wait_present(False)
    minimum = minimum_apdus(passport, chip.max_read, pace, short_cap)
    print(
        f"{label:<44} median {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  "
        f"apdus {apdus:3d} (minimum {minimum}) access {report['access']}"
    )


def breakdown(passport, trust, runs: int) -> None:
    """Where the time of a PACE read goes: chip session, Passive Authentication, face decode."""
    from devices.emrtd import lds, pa
    from devices.emrtd.reader import PassportReader

    card = VirtualCard(EPassportChip(passport, ChipOptions()), port=PORT["vpcd"]).start()
    card.connected.wait(5)
    wait_present(True)
    session, passive, face = [], [], []
    for _ in range(runs):
        transport = PcscTransport(READER)
        t0 = time.perf_counter()
        read = PassportReader(transport, passport.key()).read()
        t1 = time.perf_counter()
        groups = {n: d for n, d in read.files.items() if n.startswith("DG")}
        pa.passive_authentication(read.files["SOD"], groups, trust)
        t2 = time.perf_counter()
        lds.decode_face(lds.parse_dg2(read.files["DG2"])[0])
        t3 = time.perf_counter()
        transport.close()
        session.append((t1 - t0) * 1000)
        passive.append((t2 - t1) * 1000)
        face.append((t3 - t2) * 1000)
    card.stop()
    wait_present(False)
    print(
        f"PACE read breakdown (medians): session (PACE+CA+reads) {statistics.median(session):.1f} ms, "
        f"passive auth {statistics.median(passive):.1f} ms, face decode {statistics.median(face):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    proc, PORT["vpcd"] = ensure_pcscd()
    try:
        pki = TestPKI.create()
        trust = TrustStore()
        trust.add_certificate(x509.Certificate.load(pki.csca_cert.public_bytes(Encoding.DER)))
        pace = make_passport(pki, aa_kind="rsa", pace=True)
        bac = make_passport(pki, aa_kind="ec", pace=False)
        print(f"passport files: {', '.join(f'{n} {len(d)} B' for n, d in pace.files.items())}")
        run(
            "PACE, extended length (chip max 64 KB)",
            pace,
            trust,
            ChipOptions(),
            args.runs,
            True,
            65000,
        )
        run(
            "BAC, extended length (chip max 64 KB)",
            bac,
            trust,
            ChipOptions(pace=False),
            args.runs,
            False,
            65000,
        )
        run(
            "PACE, chip max 1024 (6700 refusals)",
            pace,
            trust,
            ChipOptions(max_read=1024),
            args.runs,
            True,
            65000,
        )
        run(
            "PACE, short APDUs only (chip max 223)",
            pace,
            trust,
            ChipOptions(max_read=223, extended_length=False),
            args.runs,
            True,
            223,
        )
        breakdown(pace, trust, args.runs)
    finally:
        if proc is not None:
            stop_pcscd(proc)


if __name__ == "__main__":
    main()
