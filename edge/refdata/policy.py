"""How old reference data may be before the booth refuses to screen on it (per kind).

The booth config would carry it as `[booth.refdata]` (the lead hooks `RefDataPolicy` into
`BoothConfig`); until then the agent and the CLI build it themselves.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RefDataPolicy(BaseModel):
    """Which kinds the booth takes, which it cannot screen without, and how old they may be."""

    model_config = ConfigDict(extra="forbid")

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
