"""Reconnect pacing shared by every MQTT client loop (booth links, central ingest)."""

from __future__ import annotations

import random
from collections.abc import Iterator

BACKOFF_MIN = 0.2
BACKOFF_MAX = 5.0


def backoff_delays(rng: random.Random | None = None) -> Iterator[float]:
    """Jittered exponential backoff: 0.2 s doubling to 5 s, each delay drawn in [d/2, d].

    The jitter keeps thousands of booths from reconnecting in lockstep after a national outage.
    """
    rng = rng or random.Random()
    delay = BACKOFF_MIN
    while True:
        yield rng.uniform(delay / 2, delay)
        delay = min(delay * 2, BACKOFF_MAX)
