"""ICAO 9303-10 Logical Data Structure: file ids, EF.COM, DG1 (MRZ), DG2 (face), DG11/12, DG14/CardAccess, DG15."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from devices.emrtd import tlv
from devices.emrtd.errors import TLVError

logger = logging.getLogger(__name__)

# name -> (short file id, outer tag)
FILES: dict[str, tuple[int, int]] = {
    "COM": (0x011E, 0x60),
    "SOD": (0x011D, 0x77),
    **{
        f"DG{n}": (0x0100 + n, t)
        for n, t in zip(
            range(1, 17),
            (
                0x61,
                0x75,
                0x63,
                0x76,
                0x65,
                0x66,
                0x67,
                0x68,
                0x69,
                0x6A,
                0x6B,
                0x6C,
                0x6D,
                0x6E,
                0x6F,
                0x70,
            ),
            strict=True,
        )
    },
}
CARD_ACCESS_FID = 0x011C
TAG_TO_NAME = {tag: name for name, (_fid, tag) in FILES.items()}
EMRTD_AID = bytes.fromhex("A0000002471001")

OID_PACE = "0.4.0.127.0.7.2.2.4"
OID_AA = "2.23.136.1.1.5"
OID_CA = "0.4.0.127.0.7.2.2.3"
OID_CA_PUBKEY = "0.4.0.127.0.7.2.2.1"


def dg_number(name: str) -> int:
    return int(name[2:]) if name.startswith("DG") else 0


@dataclass(frozen=True)
class EFCom:
    """EF.COM: LDS version, Unicode version and the list of data groups present."""

    lds_version: str
    unicode_version: str
    data_groups: list[str]


def parse_com(data: bytes) -> EFCom:
    body = tlv.find(data, 0x60)
    version = tlv.find_optional(body, 0x5F01) or b""
    unicode = tlv.find_optional(body, 0x5F36) or b""
    tags = tlv.find_optional(body, 0x5C) or b""
    names = []
    for t in tags:
        if t not in TAG_TO_NAME:
            raise TLVError(f"EF.COM lists unknown data-group tag {t:02X}")
        names.append(TAG_TO_NAME[t])
    return EFCom(version.decode("ascii", "replace"), unicode.decode("ascii", "replace"), names)


def parse_dg1(data: bytes) -> str:
    """The MRZ string stored in DG1 (without line breaks)."""
    raw = tlv.find(data, 0x61, 0x5F1F)
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise TLVError("DG1 MRZ is not ASCII") from exc


def mrz_lines(mrz: str) -> list[str]:
    """Split a DG1 MRZ into its printed lines."""
    size = {88: 44, 90: 30, 72: 36}.get(len(mrz))
    if size is None:
        raise TLVError(f"DG1 MRZ has an unexpected length {len(mrz)}")
    return [mrz[i : i + size] for i in range(0, len(mrz), size)]


def mrz_fields(mrz: str) -> dict[str, str]:
    """The fields of a TD1/TD2/TD3 MRZ as stored in DG1."""
    lines = mrz_lines(mrz)

    def names(raw: str) -> tuple[str, str]:
        sur, _, given = raw.partition("<<")
        return sur.replace("<", " ").strip(), given.replace("<", " ").strip()

    if len(lines) == 3:
        l1, l2, l3 = lines
        surname, given = names(l3)
        return {
            "document_code": l1[0:2].rstrip("<"),
            "issuing_state": l1[2:5].rstrip("<"),
            "document_number": l1[5:14].rstrip("<"),
            "birth": l2[0:6],
            "sex": l2[7],
            "expiry": l2[8:14],
            "nationality": l2[15:18].rstrip("<"),
            "surname": surname,
            "given_names": given,
            "optional": (l1[15:30] + l2[18:29]).strip("<"),
        }
    l1, l2 = lines
    surname, given = names(l1[5:])
    return {
        "document_code": l1[0:2].rstrip("<"),
        "issuing_state": l1[2:5].rstrip("<"),
        "surname": surname,
        "given_names": given,
        "document_number": l2[0:9].rstrip("<"),
        "nationality": l2[10:13].rstrip("<"),
        "birth": l2[13:19],
        "sex": l2[20],
        "expiry": l2[21:27],
        "optional": l2[28:42].rstrip("<") if len(l2) == 44 else l2[28:35],
    }


@dataclass
class FaceImage:
    """One face image from DG2: `format` "jpeg" or "jp2", the encoded bytes, and header facts."""

    format: str
    data: bytes
    width: int = 0
    height: int = 0
    container: str = "19794-5"
    header: dict[str, Any] = field(default_factory=dict)


def _image_format(blob: bytes) -> str:
    if blob.startswith(b"\xff\xd8"):
        return "jpeg"
    if blob.startswith(b"\x00\x00\x00\x0cjP  ") or blob.startswith(b"\xff\x4f\xff\x51"):
        return "jp2"
    raise TLVError("face image is neither JPEG nor JPEG 2000")


def _parse_19794_5(bdb: bytes) -> list[FaceImage]:
    if bdb[:4] != b"FAC\x00" or len(bdb) < 14:
        raise TLVError("ISO 19794-5 block does not start with FAC")
    count = int.from_bytes(bdb[12:14], "big")
    pos = 14
    faces = []
    for _ in range(count):
        block_len = int.from_bytes(bdb[pos : pos + 4], "big")
        landmarks = int.from_bytes(bdb[pos + 4 : pos + 6], "big")
        info = pos + 20 + 8 * landmarks
        if block_len < 32 or pos + block_len > len(bdb):
            raise TLVError("ISO 19794-5 facial record length is out of range")
        data_type = bdb[info + 1]
        width = int.from_bytes(bdb[info + 2 : info + 4], "big")
        height = int.from_bytes(bdb[info + 4 : info + 6], "big")
        image = bdb[info + 12 : pos + block_len]
        fmt = _image_format(image)
        if (data_type == 0) != (fmt == "jpeg"):
            logger.warning("19794-5 image data type %d disagrees with the image bytes", data_type)
        faces.append(FaceImage(fmt, image, width, height, "19794-5", {"gender": bdb[pos + 6]}))
        pos += block_len
    return faces


def _find_image(blob: bytes) -> bytes:
    for magic in (b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51", b"\xff\xd8\xff"):
        at = blob.find(magic)
        if at >= 0:
            return blob[at:]
    raise TLVError("no JPEG or JPEG 2000 image inside the ISO 39794-5 block")


def _parse_39794_5(bdb: bytes) -> list[FaceImage]:
    """ISO/IEC 39794-5 (DER): the image is the longest OCTET STRING-like leaf; find it by signature."""
    image = _find_image(bdb)
    # The image is the value of a primitive data object: cut it at that object's end.
    for item in _leaves(bdb):
        if image.startswith(item[:16]) and len(item) >= 16:
            image = item
            break
    return [FaceImage(_image_format(image), image, 0, 0, "39794-5")]


def _leaves(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    try:
        for item in tlv.iter_tlv(data):
            if item.constructed:
                out.extend(_leaves(item.value))
            else:
                out.append(item.value)
    except TLVError:
        pass  # not every leaf is BER (the image bytes themselves), so stop descending there
    return out


def parse_dg2(data: bytes) -> list[FaceImage]:
    """Every face image of DG2 (ICAO 9303-10 §4.7.2), in either container."""
    group = tlv.find(data, 0x75, 0x7F61)
    faces: list[FaceImage] = []
    for item in tlv.iter_tlv(group):
        if item.tag != 0x7F60:
            continue
        for sub in item.children():
            if sub.tag in (0x5F2E, 0x7F2E):
                bdb = sub.value
                faces.extend(_parse_19794_5(bdb) if bdb[:4] == b"FAC\x00" else _parse_39794_5(bdb))
    if not faces:
        raise TLVError("DG2 holds no face image")
    return faces


def decode_face(face: FaceImage) -> Any:
    """The face as an OpenCV BGR image (numpy array); JPEG 2000 through Pillow if OpenCV cannot."""
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(face.data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        import io

        from PIL import Image

        try:
            with Image.open(io.BytesIO(face.data)) as pil:
                img = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR)
        except (OSError, ValueError, SyntaxError) as exc:
            raise TLVError(f"the {face.format} face image cannot be decoded: {exc}") from exc
    face.height, face.width = img.shape[:2]
    return img


_DG11_FIELDS = {
    0x5F0E: "full_name",
    0x5F0F: "other_names",
    0x5F10: "personal_number",
    0x5F2B: "full_birth_date",
    0x5F11: "place_of_birth",
    0x5F42: "address",
    0x5F12: "telephone",
    0x5F13: "profession",
    0x5F14: "title",
    0x5F15: "personal_summary",
    0x5F16: "proof_of_citizenship",
    0x5F17: "other_travel_documents",
    0x5F18: "custody",
}
_DG12_FIELDS = {
    0x5F19: "issuing_authority",
    0x5F26: "date_of_issue",
    0x5F1A: "other_persons",
    0x5F1B: "endorsements",
    0x5F1C: "tax_exit",
    0x5F55: "personalisation_time",
    0x5F56: "personalisation_device",
}


def _text_fields(data: bytes, outer: int, names: dict[int, str]) -> dict[str, str]:
    body = tlv.find(data, outer)
    out: dict[str, str] = {}
    for item in tlv.iter_tlv(body):
        if item.tag in names:
            out[names[item.tag]] = item.value.decode("utf-8", "replace")
        elif item.tag == 0xA0:  # other names as a list
            out["other_names"] = "; ".join(
                c.value.decode("utf-8", "replace") for c in item.children() if c.tag == 0x5F0F
            )
    return out


def parse_dg11(data: bytes) -> dict[str, str]:
    return _text_fields(data, 0x6B, _DG11_FIELDS)


def parse_dg12(data: bytes) -> dict[str, str]:
    return _text_fields(data, 0x6C, _DG12_FIELDS)


@dataclass(frozen=True)
class SecurityInfo:
    """One SecurityInfo of DG14 or EF.CardAccess: OID, version-like integers, raw other fields."""

    oid: str
    version: int | None
    parameter_id: int | None
    other_oid: str | None
    raw: bytes


def parse_security_infos(data: bytes) -> list[SecurityInfo]:
    """SecurityInfos (a SET) from EF.CardAccess, or DG14 when wrapped in tag 6E."""
    if data[:1] == b"\x6e":
        data = tlv.find(data, 0x6E)
    infos = []
    for info in tlv.decode_all(tlv.find(data, 0x31)):
        if info.tag != 0x30:
            raise TLVError("SecurityInfo is not a SEQUENCE")
        parts = info.children()
        if not parts or parts[0].tag != 0x06:
            raise TLVError("SecurityInfo has no protocol OID")
        oid = tlv.decode_oid(parts[0].value)
        ints = [tlv.decode_int(p.value) for p in parts[1:] if p.tag == 0x02]
        oids = [tlv.decode_oid(p.value) for p in parts[1:] if p.tag == 0x06]
        infos.append(
            SecurityInfo(
                oid,
                ints[0] if ints else None,
                ints[1] if len(ints) > 1 else None,
                oids[0] if oids else None,
                tlv.encode(0x30, info.value),
            )
        )
    return infos


def parse_dg15(data: bytes) -> bytes:
    """The Active Authentication public key (DER SubjectPublicKeyInfo) from DG15."""
    body = tlv.find(data, 0x6F)
    first = tlv.decode(body)
    return tlv.encode(first.tag, first.value)
