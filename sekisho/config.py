"""The one configuration model: TOML files, overridden by SEKISHO_* environment variables.

A file holds the sections a process needs (`[booth]` for an edge agent, `[central]` for an
aggregator). An environment variable `SEKISHO_<SECTION>__<KEY>[__<SUBKEY>]` overrides one value,
for example `SEKISHO_BOOTH__RATE_PER_MINUTE=30` or `SEKISHO_CENTRAL__HTTP__PORT=8080`; its text
is read as TOML when it parses (numbers, booleans, arrays), otherwise as a string.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sekisho.report import UserError
from sekisho.wire.topics import NAME_PATTERN

ENV_PREFIX = "SEKISHO_"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrokerConfig(_Strict):
    """One MQTT broker (East or West)."""

    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    keepalive: int = Field(
        5, ge=2, le=600, description="seconds; a silent partition shows within ~1.5x"
    )
    username: str | None = None
    password: str | None = None


class RefDataPolicy(_Strict):
    """Reference data (signed bundles) a booth takes, needs, and how old it may be to screen on."""

    kinds: list[str] = Field(
        default_factory=lambda: ["watchlist", "visas"], description="kinds to subscribe to"
    )
    required: list[str] = Field(
        default_factory=lambda: ["watchlist"], description="no screening without these"
    )
    max_age_hours: dict[str, float] = Field(
        default_factory=lambda: {"watchlist": 24.0, "visas": 24.0},
        description="kind -> the oldest data (by the bundle's created_at) the booth screens on",
    )
    fetch_stall_seconds: float = Field(
        30.0, gt=0, description="give up a chunked download that makes no progress this long"
    )

    def max_age_seconds(self, kind: str) -> float | None:
        hours = self.max_age_hours.get(kind)
        return None if hours is None else hours * 3600.0


class FaceCheckConfig(_Strict):
    """The booth's face check: live capture verified against the chip photo."""

    camera: str = Field(
        description="device (0, /dev/video0), stream URL, or a video/image file (simulation)"
    )
    profile: Path | None = Field(None, description="camera firmware profile (TOML)")
    window_seconds: float = Field(2.0, gt=0, le=30, description="capture window per traveller")
    simulated_portrait: Path | None = Field(
        None, description="chip photo the simulated document reader puts in every passport"
    )


class BoothConfig(_Strict):
    """An edge agent: one inspection booth at one port."""

    port: str = Field(pattern=NAME_PATTERN, description="port code, e.g. NRT")
    booth: str = Field(pattern=NAME_PATTERN, description="booth id within the port, e.g. B01")
    data_dir: Path
    brokers: dict[str, BrokerConfig] = Field(min_length=1, description="centre name -> broker")
    centre_keys: dict[str, Path] = Field(
        default_factory=dict, description="centre name -> Ed25519 public key (PEM) that signs acks"
    )
    require_acks: list[str] | None = Field(
        None, description="centres that must hold a record before the booth treats it as delivered"
    )
    rate_per_minute: float = Field(60.0, ge=0, description="simulated travellers per minute")
    heartbeat_seconds: float = Field(5.0, gt=0)
    ack_timeout_seconds: float = Field(10.0, gt=0, description="resend a record unacked this long")
    batch_size: int = Field(100, ge=1, le=1000)
    drain_timeout_seconds: float = Field(
        60.0, ge=0, description="on stop: keep delivering this long"
    )
    inspector: str = Field("J0001", description="staff id of the inspector signed in (simulation)")
    max_inflight: int = Field(1000, ge=1, description="records awaiting acknowledgement per centre")
    retention_hours: float = Field(
        72.0, ge=0, description="keep delivered records this long, so a centre can ask for a replay"
    )
    disk_budget_mb: float = Field(1024.0, gt=0, description="outbox size the booth may use")
    budget_warn_fraction: float = Field(0.8, gt=0, le=1, description="alarm above this share")
    min_free_disk_mb: float = Field(200.0, ge=0, description="alarm below this much free disk")
    refdata: RefDataPolicy | None = Field(
        None, description="screen on signed reference data; absent: the booth does not screen"
    )
    face: FaceCheckConfig | None = Field(None, description="face check; absent: none")
    document_reader: Literal["simulated", "simulated-passport"] = Field(
        "simulated",
        description="simulated: travellers as data; simulated-passport: a photographed page "
        "read by the MRZ OCR and a virtual chip read over the eMRTD stack",
    )
    ui_port: int | None = Field(
        None, ge=0, le=65535, description="booth screen on http://127.0.0.1:PORT/; absent: none"
    )

    @field_validator("require_acks")
    @classmethod
    def _acks_known(cls, value: list[str] | None, info: Any) -> list[str] | None:
        brokers = info.data.get("brokers") or {}
        for centre in value or []:
            if centre not in brokers:
                raise ValueError(f"centre {centre!r} has no entry under [booth.brokers]")
        return value

    @model_validator(mode="after")
    def _every_centre_has_a_key(self) -> BoothConfig:
        # An unauthenticated acknowledgement could make a booth forget a record it still needs.
        missing = sorted(set(self.brokers) - set(self.centre_keys))
        if missing:
            raise ValueError(
                f"[booth.centre_keys] needs the public key of every centre; missing: {', '.join(missing)}"
            )
        return self

    def required_centres(self) -> list[str]:
        return list(self.require_acks) if self.require_acks else sorted(self.brokers)


class HttpConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)


class CentralConfig(_Strict):
    """An aggregator in one centre."""

    centre: str = Field(pattern=NAME_PATTERN.replace("A-Z", "a-zA-Z"), description="east or west")
    broker: BrokerConfig = Field(default_factory=BrokerConfig)
    database: str = Field(description="SQLite file path, or a postgresql:// URL")
    db_schema: str = Field(
        "sekisho", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="PostgreSQL schema"
    )
    key_file: Path = Field(description="this centre's Ed25519 private key (PEM), signs acks")
    http: HttpConfig = Field(default_factory=HttpConfig)
    workers: int = Field(1, ge=1, le=32, description="ingest workers sharing one subscription")
    sync_token: str | None = Field(
        None, min_length=16, description="bearer token for centre-to-centre sync; None disables it"
    )
    batch_max: int = Field(500, ge=1)
    batch_wait_ms: int = Field(20, ge=0)


class Config(_Strict):
    """Root of every Sekisho config file."""

    booth: BoothConfig | None = None
    central: CentralConfig | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


def _coerce(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_env(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Overlay SEKISHO_SECTION__KEY=value variables onto the parsed file."""
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise UserError(f"{name}: {'.'.join(path[:-1])} is not a table")
        node[path[-1]] = _coerce(text)
    return data


def _explain(exc: ValidationError, source: str) -> str:
    lines = [f"invalid configuration in {source}:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def load(path: Path | str | None, environ: dict[str, str] | None = None) -> Config:
    """Read, overlay the environment, validate; raise UserError naming each wrong value."""
    data: dict[str, Any] = {}
    source = "environment"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"{path}: not valid TOML: {exc}") from None
    data = apply_env(data, dict(os.environ if environ is None else environ))
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise UserError(_explain(exc, source)) from None


def require(config: Config, section: Literal["booth", "central"], source: str) -> Any:
    value = getattr(config, section)
    if value is None:
        raise UserError(f"{source}: missing [{section}] section")
    return value
