"""ICAO 9303-11/12 Passive Authentication: EF.SOD (CMS SignedData over LDSSecurityObject), data-group
hashes, Document Signer signature, DSC to CSCA chain with validity at an injectable time, CRLs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass, field

from asn1crypto import algos, cms, core, x509

from devices.emrtd import tlv
from devices.emrtd.errors import TLVError
from devices.emrtd.pki import (
    PKIError,
    TrustStore,
    check_signer_info,
    signer_certificate,
    valid_at,
    verify_cert_signature,
)

logger = logging.getLogger(__name__)

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
_HASHES = {
    "sha1": hashlib.sha1,
    "sha224": hashlib.sha224,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


class DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]  # noqa: RUF012 (asn1crypto schema)


class LDSSecurityObject(core.Sequence):
    _fields = [  # noqa: RUF012 (asn1crypto schema)
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", core.SequenceOf, {"spec": DataGroupHash}),
        ("lds_version_info", core.Any, {"optional": True}),
    ]


@dataclass
class SOD:
    """A parsed EF.SOD."""

    signed_data: cms.SignedData
    hash_algorithm: str
    hashes: dict[int, bytes]
    dsc: x509.Certificate | None

    @property
    def signer(self) -> cms.SignerInfo:
        return self.signed_data["signer_infos"][0]


def parse_sod(data: bytes) -> SOD:
    """Parse EF.SOD (tag 77 around a CMS ContentInfo); TLVError when malformed."""
    try:
        info = cms.ContentInfo.load(tlv.find(data, 0x77) if data[:1] == b"\x77" else data)
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != OID_LDS_SECURITY_OBJECT:
            raise TLVError("EF.SOD does not hold an LDSSecurityObject")
        lso = LDSSecurityObject.load(encap["content"].contents)
        hashes = {
            int(item["data_group_number"].native): item["data_group_hash_value"].native
            for item in lso["data_group_hash_values"]
        }
        algo = lso["hash_algorithm"]["algorithm"].native
        if not signed["signer_infos"]:
            raise TLVError("EF.SOD has no SignerInfo")
        dsc = signer_certificate(signed, signed["signer_infos"][0])
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise TLVError(f"malformed EF.SOD: {exc}") from exc
    return SOD(signed, algo, hashes, dsc)


@dataclass
class PAResult:
    """Outcome: status valid/invalid/no_trust_anchor, the failing step and a reason for a person."""

    status: str
    reason: str
    step: str | None = None
    checked_groups: list[str] = field(default_factory=list)
    dsc_subject: str = ""
    csca_subject: str = ""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"status": self.status, "reason": self.reason}
        if self.step:
            out["step"] = self.step
        return out


def check_hashes(sod: SOD, files: dict[str, bytes]) -> tuple[list[str], str | None]:
    """(groups whose hashes match, the first mismatching or unlisted group name or None)."""
    hfunc = _HASHES.get(sod.hash_algorithm)
    if hfunc is None:
        raise TLVError(f"EF.SOD names an unsupported hash algorithm {sod.hash_algorithm}")
    checked = []
    for name, data in sorted(files.items()):
        if not name.startswith("DG"):
            continue
        n = int(name[2:])
        expected = sod.hashes.get(n)
        if expected is None or not hmac.compare_digest(hfunc(data).digest(), expected):
            return checked, name
        checked.append(name)
    return checked, None


def passive_authentication(
    sod_bytes: bytes,
    files: dict[str, bytes],
    trust: TrustStore | None,
    at: dt.datetime | None = None,
) -> PAResult:
    """Run every PA step on EF.SOD and the read data groups; `at` is the validation time (default now)."""
    at = at or dt.datetime.now(dt.UTC)
    try:
        return _passive_authentication(sod_bytes, files, trust, at)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, PKIError) as exc:
        # asn1crypto parses lazily: a malformed field can surface at any later step.
        return PAResult("invalid", f"malformed EF.SOD or certificate: {exc}", "sod_format")


def _passive_authentication(
    sod_bytes: bytes, files: dict[str, bytes], trust: TrustStore | None, at: dt.datetime
) -> PAResult:
    try:
        sod = parse_sod(sod_bytes)
    except TLVError as exc:
        return PAResult("invalid", str(exc), "sod_format")
    try:
        checked, bad = check_hashes(sod, files)
    except TLVError as exc:
        return PAResult("invalid", str(exc), "sod_format")
    if bad:
        why = (
            "is not listed in EF.SOD"
            if int(bad[2:]) not in sod.hashes
            else "hash does not match EF.SOD"
        )
        return PAResult("invalid", f"{bad} {why}", f"hash_{bad}", checked)
    if sod.dsc is None:
        return PAResult(
            "invalid", "EF.SOD carries no Document Signer certificate", "dsc_missing", checked
        )
    dsc = sod.dsc
    result = PAResult("invalid", "", None, checked, dsc.subject.human_friendly)
    try:
        problem = check_signer_info(sod.signed_data, sod.signer, dsc)
    except PKIError as exc:
        problem = str(exc)
    if problem:
        result.reason, result.step = f"EF.SOD signature: {problem}", "sod_signature"
        return result
    if not valid_at(dsc, at):
        result.reason, result.step = (
            f"Document Signer certificate not valid on {at:%Y-%m-%d}",
            "dsc_validity",
        )
        return result
    cscas = trust.issuers_of(dsc) if trust else []
    if not cscas:
        result.status, result.step = "no_trust_anchor", "csca_lookup"
        result.reason = f"no trusted CSCA for issuer {dsc.issuer.human_friendly}"
        return result
    for csca in cscas:
        try:
            if not verify_cert_signature(dsc, csca):
                continue
        except PKIError as exc:
            logger.info("CSCA candidate unusable: %s", exc)
            continue
        result.csca_subject = csca.subject.human_friendly
        if not valid_at(csca, at):
            result.reason, result.step = (
                f"CSCA certificate not valid on {at:%Y-%m-%d}",
                "csca_validity",
            )
            return result
        if trust and trust.revoked(dsc, csca):
            result.reason, result.step = "Document Signer certificate is revoked", "dsc_revoked"
            return result
        result.status, result.reason = (
            "valid",
            f"{len(checked)} data groups, chain to {result.csca_subject}",
        )
        return result
    result.reason, result.step = (
        "DSC signature does not verify with the CSCA",
        "dsc_certificate_signature",
    )
    return result
