"""Encode and decode payloads, with the versioning rules of docs/protocol.md applied."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sekisho.wire.messages import (
    PROTOCOL_VERSION,
    Ack,
    Heartbeat,
    InspectionRecord,
    RecordBatch,
    ReplayRequest,
)

MAX_PAYLOAD = 4 * 1024 * 1024
M = TypeVar("M", bound=BaseModel)


class WireError(ValueError):
    """A payload that cannot be accepted; `reason` is a short machine-friendly code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def encode(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_json(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD:
        raise WireError("too_large", f"{len(payload)} bytes")
    try:
        obj = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError("malformed_json", str(exc)[:120]) from None
    if not isinstance(obj, dict):
        raise WireError("malformed_json", "top level is not an object")
    return obj


def validate(obj: dict[str, Any], model: type[M]) -> M:
    version = obj.get("v")
    if not isinstance(version, int):
        raise WireError("schema", "missing integer member 'v'")
    if version != PROTOCOL_VERSION:
        raise WireError("unsupported_version", f"v={version}")
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WireError("schema", f"{where}: {first['msg']}") from None


def decode_record_batch(payload: bytes) -> RecordBatch:
    return validate(parse_json(payload), RecordBatch)


def decode_record(obj: dict[str, Any]) -> InspectionRecord:
    return validate(obj, InspectionRecord)


def decode_heartbeat(payload: bytes) -> tuple[Heartbeat, dict[str, Any]]:
    obj = parse_json(payload)
    return validate(obj, Heartbeat), obj


def decode_ack(payload: bytes) -> tuple[Ack, dict[str, Any]]:
    obj = parse_json(payload)
    return validate(obj, Ack), obj


def decode_replay(payload: bytes) -> tuple[ReplayRequest, dict[str, Any]]:
    obj = parse_json(payload)
    return validate(obj, ReplayRequest), obj
