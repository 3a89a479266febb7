"""Message schemas of protocol version 1.

Receivers ignore members they do not know (a newer minor revision may add them; they stay
covered by the signature and are kept in the stored payload), and reject a message whose `v`
is a major version they do not implement. Times are ISO 8601 UTC strings with a `Z`; dates are
`YYYY-MM-DD`; country codes are ICAO 9303 three-letter codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sekisho.wire.topics import NAME_PATTERN

PROTOCOL_VERSION = 1
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
COUNTRY_PATTERN = r"^[A-Z<]{1,3}$"


class _Message(BaseModel):
    # Forward compatible: unknown members are ignored here but remain in the raw payload.
    model_config = ConfigDict(extra="ignore", frozen=True)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Traveller(_Message):
    surname: str = Field(max_length=200)
    given_names: str = Field("", max_length=200)
    nationality: str = Field(pattern=COUNTRY_PATTERN)
    sex: Literal["M", "F", "X"]
    birth_date: str | None = Field(None, description="YYYY-MM-DD; None when unknown")


class Document(_Message):
    type: str = Field(max_length=2, description="MRZ document code, e.g. P, PD, I, V")
    number: str = Field(min_length=1, max_length=20)
    issuing_state: str = Field(pattern=COUNTRY_PATTERN)
    expiry_date: str | None = None


class Landing(_Message):
    """What a landing permission grants: status of residence (在留資格) and period."""

    status_of_residence: str = Field(max_length=64, description="e.g. TEMPORARY_VISITOR")
    period_days: int = Field(ge=0, le=36500)


class ScreeningSummary(_Message):
    hits: int = Field(0, ge=0)
    watchlist_version: int | None = None
    referred: bool = False


Decision = Literal["admitted", "refused", "referred", "departed", "departure_stopped"]


class InspectionRecord(_Message):
    """One landing (上陸) or departure (出国) record, signed by the booth that made it."""

    schema_: Literal["sekisho.record"] = Field("sekisho.record", alias="schema")
    v: int = PROTOCOL_VERSION
    id: str = Field(pattern=UUID_PATTERN, description="UUIDv7, stable across resends")
    seq: int = Field(ge=1, description="per-booth sequence number; only increases")
    port: str = Field(pattern=NAME_PATTERN)
    booth: str = Field(pattern=NAME_PATTERN)
    kind: Literal["landing", "departure"]
    inspected_at: str
    traveller: Traveller
    document: Document
    decision: Decision
    landing: Landing | None = None
    inspector: str = Field(min_length=1, max_length=32, description="staff id")
    screening: ScreeningSummary = Field(default_factory=ScreeningSummary)
    sig: str | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class RecordBatch(_Message):
    """Payload of a records topic: one or more individually signed records of one booth."""

    schema_: Literal["sekisho.records"] = Field("sekisho.records", alias="schema")
    v: int = PROTOCOL_VERSION
    records: list[dict] = Field(min_length=1, max_length=1000)

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class OutboxState(_Message):
    depth: int = Field(ge=0, description="records not yet held by every required centre")
    oldest_unsent_age_s: int = Field(0, ge=0)
    undelivered: dict[str, int] = Field(default_factory=dict, description="centre -> not acked")
    last_seq: int = Field(0, ge=0)
    disk_free_bytes: int | None = None


class Heartbeat(_Message):
    """Booth state, sent every few seconds and signed by the booth."""

    schema_: Literal["sekisho.heartbeat"] = Field("sekisho.heartbeat", alias="schema")
    v: int = PROTOCOL_VERSION
    port: str = Field(pattern=NAME_PATTERN)
    booth: str = Field(pattern=NAME_PATTERN)
    at: str
    state: Literal["open", "closed", "degraded", "draining"]
    outbox: OutboxState
    data_versions: dict[str, int] = Field(default_factory=dict)
    data_age_s: dict[str, int] = Field(
        default_factory=dict, description="kind -> seconds since central built the held data"
    )
    software: str
    devices: dict[str, str] = Field(default_factory=dict, description="device -> ok|absent|fault")
    biometrics: dict[str, int] = Field(default_factory=dict)
    alarms: list[str] = Field(default_factory=list, description="e.g. outbox_near_budget")
    sig: str | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Rejection(_Message):
    id: str | None = None
    seq: int | None = None
    reason: str


class Ack(_Message):
    """Sent by a centre after its database commit: these records are durably held here."""

    schema_: Literal["sekisho.ack"] = Field("sekisho.ack", alias="schema")
    v: int = PROTOCOL_VERSION
    centre: str
    port: str = Field(pattern=NAME_PATTERN)
    booth: str = Field(pattern=NAME_PATTERN)
    at: str
    accepted: list[str] = Field(default_factory=list, description="record ids now held")
    rejected: list[Rejection] = Field(default_factory=list)
    sig: str | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class ReplayRequest(_Message):
    """A centre asks a booth to send again every record it still holds after `after_seq`.

    Used when a centre lost records that no other centre holds (restored from backup). Booths
    keep delivered records for their retention period so such a request can be served.
    """

    schema_: Literal["sekisho.replay"] = Field("sekisho.replay", alias="schema")
    v: int = PROTOCOL_VERSION
    centre: str
    port: str = Field(pattern=NAME_PATTERN)
    booth: str = Field(pattern=NAME_PATTERN)
    at: str
    after_seq: int = Field(ge=0)
    sig: str | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class BundleEnvelope(_Message):
    """Signed, versioned reference data pushed to booths (watchlist, visa data, config).

    `version` only increases per `kind`; a booth refuses a bundle whose version is not greater
    than the one it holds (rollback protection) or whose signature does not verify. The
    signature covers every member, so the chunk digests bind the content to the signer.
    Content too large for one message travels in `chunks` (see docs/bundles.md).
    """

    schema_: Literal["sekisho.bundle"] = Field("sekisho.bundle", alias="schema")
    v: int = PROTOCOL_VERSION
    kind: str
    version: int = Field(ge=1)
    created_at: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    content_type: str = "application/x-ndjson"
    payload_b64: str | None = Field(None, description="inline content, for small bundles")
    url: str | None = Field(None, description="where to fetch large content")
    signer: str
    # Additive members (protocol v1.1): delta bundles, chunked content, the dataset they make.
    mode: Literal["full", "delta"] = Field("full", description="whole dataset, or changes")
    base_version: int | None = Field(None, ge=1, description="delta: the version it applies to")
    content_encoding: Literal["identity", "gzip"] = "identity"
    raw_size: int | None = Field(None, ge=0, description="content size once decoded")
    chunk_size: int | None = Field(None, ge=1, description="bytes per chunk (the last is shorter)")
    chunks: list[str] | None = Field(
        None, description="sha256 of each chunk, in order; chunks travel on bundle_chunk topics"
    )
    records: int | None = Field(None, ge=0, description="records in the resulting dataset")
    dataset_sha256: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$", description="sha256 of the resulting canonical dataset"
    )
    sig: str | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def dump(message: BaseModel) -> dict:
    """The JSON-ready dict of a message, as it goes on the wire (aliases, no None members)."""
    return message.model_dump(by_alias=True, exclude_none=True, mode="json")
