"""ICAO 9303-12 PKI pieces: signature checks (RSA, RSA-PSS, ECDSA incl. explicit curves), CSCA trust store,
CMS master lists with their own signature verified, and CRLs.

EC keys with explicit domain parameters (most CSCAs, brainpool) go through python-ecdsa, which
accepts them; RSA keys through pyca/cryptography.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms, core, crl, keys, pem, x509

logger = logging.getLogger(__name__)

OID_MASTER_LIST = "2.23.136.1.1.2"


class PKIError(Exception):
    """A certificate, list or signature could not be parsed or checked."""


def _hash(name: str) -> type:
    return {
        "sha1": hashlib.sha1,
        "sha224": hashlib.sha224,
        "sha256": hashlib.sha256,
        "sha384": hashlib.sha384,
        "sha512": hashlib.sha512,
    }[name]


def load_ec_key(spki_der: bytes):
    """An EC public key with named or explicit domain parameters; PKIError when unusable."""
    import ecdsa

    try:
        return ecdsa.VerifyingKey.from_der(
            spki_der, valid_curve_encodings=["explicit", "named_curve"]
        )
    except (
        ecdsa.der.UnexpectedDER,
        ecdsa.curves.UnknownCurveError,
        ValueError,
        AssertionError,
        RuntimeError,
    ) as exc:
        # python-ecdsa reports bad points as AssertionError/RuntimeError subclasses.
        raise PKIError(f"unusable EC public key: {exc}") from exc


def verify_signature(
    spki: keys.PublicKeyInfo,
    algorithm: cms.SignedDigestAlgorithm,
    signature: bytes,
    data: bytes,
    digest_hint: str | None = None,
) -> bool:
    """True when `signature` over `data` verifies with the public key `spki`."""
    sig_algo = algorithm.signature_algo
    try:
        hash_name = algorithm.hash_algo
    except ValueError:
        hash_name = digest_hint or "sha256"
    if sig_algo == "ecdsa":
        import ecdsa
        from ecdsa.util import sigdecode_der

        vk = load_ec_key(spki.dump())
        try:
            return bool(
                vk.verify(signature, data, hashfunc=_hash(hash_name), sigdecode=sigdecode_der)
            )
        except (ecdsa.BadSignatureError, ecdsa.der.UnexpectedDER, AssertionError):
            return False
    if sig_algo in ("rsassa_pkcs1v15", "rsassa_pss"):
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        key = load_der_public_key(spki.dump())
        h = getattr(hashes, hash_name.upper())()
        if sig_algo == "rsassa_pss":
            params = algorithm["parameters"]
            salt = params["salt_length"].native if params.native else 20
            mgf_hash = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
            pad = padding.PSS(padding.MGF1(getattr(hashes, mgf_hash.upper())()), salt)
        else:
            pad = padding.PKCS1v15()
        try:
            key.verify(signature, data, pad, h)  # type: ignore[union-attr,call-arg]
            return True
        except InvalidSignature:
            return False
    raise PKIError(f"unsupported signature algorithm {algorithm['algorithm'].native}")


def verify_cert_signature(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when `issuer`'s key signed `cert`."""
    return verify_signature(
        issuer.public_key,
        cert["signature_algorithm"],
        cert["signature_value"].native,
        cert["tbs_certificate"].dump(),
    )


def valid_at(cert: x509.Certificate, at: dt.datetime) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    return validity["not_before"].native <= at <= validity["not_after"].native


def load_certificates(blob: bytes) -> list[x509.Certificate]:
    """Certificates from DER or PEM bytes (one or many)."""
    if pem.detect(blob):
        return [
            x509.Certificate.load(der)
            for kind, _h, der in pem.unarmor(blob, multiple=True)
            if kind == "CERTIFICATE"
        ]
    return [x509.Certificate.load(blob)]


def signer_certificate(
    signed_data: cms.SignedData, signer: cms.SignerInfo
) -> x509.Certificate | None:
    """The certificate in `signed_data` named by the signer's sid."""
    sid = signer["sid"]
    for choice in signed_data["certificates"] or []:
        cert = choice.chosen
        if not isinstance(cert, x509.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            if (
                cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            ):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def check_signer_info(
    signed_data: cms.SignedData, signer: cms.SignerInfo, cert: x509.Certificate
) -> str | None:
    """None when the SignerInfo's signed attributes bind the content and its signature verifies; else why not."""
    content = signed_data["encap_content_info"]["content"]
    content_bytes = content.contents if content is not None else b""
    hash_name = signer["digest_algorithm"]["algorithm"].native
    attrs = signer["signed_attrs"]
    if attrs.native is None or len(attrs) == 0:
        signed = content_bytes
    else:
        digest = None
        ctype = None
        for attr in attrs:
            if attr["type"].native == "message_digest":
                digest = attr["values"][0].native
            elif attr["type"].native == "content_type":
                ctype = attr["values"][0].dotted
        if digest != _hash(hash_name)(content_bytes).digest():
            return "the signed message digest does not match the content"
        if ctype != signed_data["encap_content_info"]["content_type"].dotted:
            return "the signed content type does not match the content"
        signed = attrs.untag().dump(force=False)
        # Signed attributes are signed as an explicit SET OF (tag 31), not the [0] IMPLICIT form.
        signed = b"\x31" + signed[1:]
    if not verify_signature(
        cert.public_key,
        signer["signature_algorithm"],
        signer["signature"].native,
        signed,
        digest_hint=hash_name,
    ):
        return "the signature does not verify with the signer's certificate"
    return None


class CscaMasterList(core.Sequence):
    _fields = [("version", core.Integer), ("cert_list", core.SetOf, {"spec": x509.Certificate})]  # noqa: RUF012 (asn1crypto schema)


@dataclass
class TrustStore:
    """CSCA certificates (from files and verified master lists) and CRLs."""

    cscas: list[x509.Certificate] = field(default_factory=list)
    crls: list[crl.CertificateList] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add_certificate(self, cert: x509.Certificate) -> None:
        if all(c.sha256 != cert.sha256 for c in self.cscas):
            self.cscas.append(cert)

    def add_master_list(self, blob: bytes) -> int:
        """Verify a CSCA master list's signature (signer certified by a CSCA in the list) and load it."""
        try:
            info = cms.ContentInfo.load(blob)
            signed = info["content"]
            if signed["encap_content_info"]["content_type"].dotted != OID_MASTER_LIST:
                raise PKIError("not a CSCA master list (wrong content type)")
            listing = CscaMasterList.load(signed["encap_content_info"]["content"].contents)
            certs = list(listing["cert_list"])
        except (ValueError, TypeError, KeyError) as exc:
            raise PKIError(f"malformed master list: {exc}") from exc
        signer = signed["signer_infos"][0]
        signer_cert = signer_certificate(signed, signer)
        if signer_cert is None:
            raise PKIError("master list names a signer certificate it does not carry")
        problem = check_signer_info(signed, signer, signer_cert)
        if problem:
            raise PKIError(f"master list signature: {problem}")
        issuers = [
            c
            for c in certs + [ch.chosen for ch in signed["certificates"]]
            if isinstance(c, x509.Certificate) and c.subject == signer_cert.issuer
        ]
        if not any(_safe_verify(signer_cert, c) for c in issuers):
            raise PKIError("master list signer certificate is not signed by a CSCA in the list")
        for cert in certs:
            self.add_certificate(cert)
        return len(certs)

    def add_crl(self, blob: bytes) -> None:
        if pem.detect(blob):
            blob = pem.unarmor(blob)[2]
        self.crls.append(crl.CertificateList.load(blob))

    def add_path(self, path: str | Path) -> None:
        """Load a certificate (PEM/DER), a .ml master list, a .crl, or a folder of them."""
        p = Path(path)
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file():
                    self.add_path(child)
            return
        blob = p.read_bytes()
        suffix = p.suffix.lower()
        try:
            if suffix == ".ml" or _looks_like_master_list(blob):
                n = self.add_master_list(blob)
                self.sources.append(f"{p.name} ({n} CSCAs)")
            elif suffix == ".crl":
                self.add_crl(blob)
                self.sources.append(p.name)
            else:
                for cert in load_certificates(blob):
                    self.add_certificate(cert)
                self.sources.append(p.name)
        except (ValueError, TypeError) as exc:
            raise PKIError(f"{p}: not a certificate, CRL or master list ({exc})") from exc

    def issuers_of(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """Trusted CSCAs whose subject (and key id, when both carry one) matches `cert`'s issuer."""
        aki = cert.authority_key_identifier
        out = []
        for ca in self.cscas:
            if ca.subject != cert.issuer:
                continue
            if aki and ca.key_identifier and aki != ca.key_identifier:
                continue
            out.append(ca)
        return out

    def revoked(self, cert: x509.Certificate, issuer: x509.Certificate) -> bool | None:
        """True/False from a verified CRL of `issuer`; None when there is none."""
        answer = None
        for lst in self.crls:
            if lst.issuer != issuer.subject:
                continue
            ok = verify_signature(
                issuer.public_key,
                lst["signature_algorithm"],
                lst["signature"].native,
                lst["tbs_cert_list"].dump(),
            )
            if not ok:
                logger.warning(
                    "ignoring a CRL of %s whose signature does not verify",
                    issuer.subject.human_friendly,
                )
                continue
            answer = False
            for entry in lst["tbs_cert_list"]["revoked_certificates"] or []:
                if entry["user_certificate"].native == cert.serial_number:
                    return True
        return answer


def _safe_verify(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        return verify_cert_signature(cert, issuer)
    except PKIError:
        return False


def _looks_like_master_list(blob: bytes) -> bool:
    return b"\x06\x06\x67\x81\x08\x01\x01\x02" in blob[:64]
