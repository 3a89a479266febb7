"""One call for the booth: read a passport chip, check DG1 against the printed MRZ, run Passive and
Active Authentication, extract the face, and report it all as a plain dict."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from typing import Any

from devices.emrtd import aa, bac, lds, pa
from devices.emrtd.errors import EmrtdError, TLVError
from devices.emrtd.pace import CardAccessNumber
from devices.emrtd.pcsc import CardTransport
from devices.emrtd.pki import TrustStore
from devices.emrtd.reader import PassportReader, ReadOptions

logger = logging.getLogger(__name__)


def check_dg1(
    dg1_mrz: str, key: bac.MRZKey | CardAccessNumber, printed_mrz: str | None
) -> bool | None:
    """True when DG1 agrees with the printed MRZ (whole lines when given, else the key fields);
    None when there is nothing to compare (a CAN and no printed MRZ)."""
    if isinstance(key, CardAccessNumber) and not printed_mrz:
        return None
    if printed_mrz:
        printed = "".join(ln.strip() for ln in printed_mrz.replace("\\n", "\n").splitlines())
        return printed == dg1_mrz
    f = lds.mrz_fields(dg1_mrz)
    return (f["document_number"], f["birth"], f["expiry"]) == (
        key.document_number.rstrip("<"),
        key.birth,
        key.expiry,
    )


def read_passport(
    transport: CardTransport,
    key: bac.MRZKey | CardAccessNumber,
    *,
    trust: TrustStore | None = None,
    at: dt.datetime | None = None,
    printed_mrz: str | None = None,
    options: ReadOptions | None = None,
    want_face: bool = True,
) -> tuple[dict[str, Any], Any]:
    """Read and verify; returns (report dict in the `sekisho chip read --json` shape, face image or None)."""
    start = time.perf_counter()
    reader = PassportReader(transport, key, options)
    chip = reader.read()
    files = chip.files
    if "DG1" not in files or "SOD" not in files:
        raise EmrtdError("the chip holds no DG1 or no EF.SOD: not an ICAO passport chip")
    report: dict[str, Any] = {"access": chip.access}
    try:
        mrz = lds.parse_dg1(files["DG1"])
        report["mrz"] = "\n".join(lds.mrz_lines(mrz))
        report["dg1"] = lds.mrz_fields(mrz)
        report["dg1_matches_mrz"] = check_dg1(mrz, key, printed_mrz)
    except TLVError as exc:
        report.update(mrz="", dg1={"error": str(exc)}, dg1_matches_mrz=False)
    report["files"] = {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    for name, parse in (("DG11", lds.parse_dg11), ("DG12", lds.parse_dg12)):
        if name in files:
            try:
                report[name.lower()] = parse(files[name])
            except TLVError as exc:
                report[name.lower()] = {"error": str(exc)}
    face_img = None
    report["face"] = None
    if "DG2" in files and want_face:
        try:
            face = lds.parse_dg2(files["DG2"])[0]
            face_img = lds.decode_face(face)
            report["face"] = {
                "format": face.format,
                "width": face.width,
                "height": face.height,
                "container": face.container,
            }
        except TLVError as exc:
            report["face_error"] = str(exc)
    result = pa.passive_authentication(
        files["SOD"], {n: d for n, d in files.items() if n.startswith("DG")}, trust, at
    )
    report["passive_auth"] = result.to_dict()
    report["active_auth"] = "not_supported"
    if "DG15" in files:
        try:
            infos = lds.parse_security_infos(files["DG14"]) if "DG14" in files else []
            spki = lds.parse_dg15(files["DG15"])
            report["active_auth"] = reader.active_authentication(spki, aa.aa_hash_from_dg14(infos))
        except (TLVError, aa.ActiveAuthenticationError, ValueError, TypeError) as exc:
            report["active_auth"] = "failed"
            report["active_auth_error"] = str(exc)
    report["chip_auth"] = chip.chip_auth
    report["apdus"] = reader.apdus
    report["read_size"] = chip.chunk
    report["recoveries"] = reader.recoveries
    report["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return report, face_img
