"""MQTT topic layout, version 1. Every topic name used anywhere is built here.

    sekisho/v1/<port>/<booth>/records        booth -> centres   QoS 1   record batches
    sekisho/v1/<port>/<booth>/heartbeat      booth -> centres   QoS 0   booth state
    sekisho/v1/<port>/<booth>/acks/<centre>  centre -> booth    QoS 1   acknowledgements
    sekisho/v1/<port>/<booth>/replay/<centre> centre -> booth   QoS 1   replay requests
    sekisho/v1/bundles/<kind>                centre -> booths   QoS 1   retained bundle envelopes
    sekisho/v1/bundles/<kind>/delta          centre -> booths   QoS 1   retained delta envelopes
    sekisho/v1/bundles/<kind>/chunks/<sha256>/<n>  centre -> booths  QoS 1  retained content chunks

Port, booth and centre names match NAME_PATTERN, so they can never contain MQTT wildcards or
separators, and a broker ACL can confine each booth to `sekisho/v1/+/<its booth>/#`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ROOT = "sekisho/v1"
NAME_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,15}$"
_NAME = re.compile(NAME_PATTERN)
_CENTRE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


def _check(name: str, pattern: re.Pattern[str] = _NAME) -> str:
    if not pattern.match(name):
        raise ValueError(f"not a valid topic name part: {name!r}")
    return name


def records(port: str, booth: str) -> str:
    return f"{ROOT}/{_check(port)}/{_check(booth)}/records"


def heartbeat(port: str, booth: str) -> str:
    return f"{ROOT}/{_check(port)}/{_check(booth)}/heartbeat"


def acks(port: str, booth: str, centre: str) -> str:
    return f"{ROOT}/{_check(port)}/{_check(booth)}/acks/{_check(centre, _CENTRE)}"


def replay(port: str, booth: str, centre: str) -> str:
    return f"{ROOT}/{_check(port)}/{_check(booth)}/replay/{_check(centre, _CENTRE)}"


def bundle(kind: str) -> str:
    """The latest full bundle envelope of `kind` (retained)."""
    return f"{ROOT}/bundles/{_check(kind, _CENTRE)}"


def bundle_delta(kind: str) -> str:
    """The latest delta bundle envelope of `kind` (retained)."""
    return f"{bundle(kind)}/delta"


_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def bundle_chunks(kind: str, content_sha256: str) -> str:
    """Filter for every chunk of one bundle's content, named by the content's sha256."""
    return f"{bundle(kind)}/chunks/{_check(content_sha256, _DIGEST)}/+"


def bundle_chunk(kind: str, content_sha256: str, index: int) -> str:
    """Chunk `index` (from 0) of one bundle's content (retained)."""
    if index < 0:
        raise ValueError(f"chunk index must be >= 0, not {index}")
    return f"{bundle(kind)}/chunks/{_check(content_sha256, _DIGEST)}/{index}"


def parse_bundle_chunk(topic: str) -> tuple[str, str, int]:
    """(kind, content sha256, index) of a chunk topic; ValueError if it is not one."""
    parts = topic.split("/")
    if len(parts) != 7 or "/".join(parts[:3]) != f"{ROOT}/bundles" or parts[4] != "chunks":
        raise ValueError(f"not a bundle chunk topic: {topic!r}")
    kind, digest, index = parts[3], parts[5], parts[6]
    _check(kind, _CENTRE)
    _check(digest, _DIGEST)
    if not index.isdigit():
        raise ValueError(f"not a bundle chunk topic: {topic!r}")
    return kind, digest, int(index)


# Subscriptions used by centres. Records use a shared subscription so several ingest workers
# of one centre split the load; each centre has its own share group and so gets every record.
ALL_RECORDS = f"{ROOT}/+/+/records"
ALL_HEARTBEATS = f"{ROOT}/+/+/heartbeat"


def shared(group: str, topic_filter: str) -> str:
    return f"$share/{_check(group, _CENTRE)}/{topic_filter}"


class BoothTopic(NamedTuple):
    port: str
    booth: str
    kind: str


def parse(topic: str) -> BoothTopic:
    """Split a booth topic into (port, booth, kind); ValueError if it is not one of ours."""
    parts = topic.split("/")
    if len(parts) < 5 or "/".join(parts[:2]) != ROOT:
        raise ValueError(f"not a sekisho v1 booth topic: {topic!r}")
    port, booth, kind = parts[2], parts[3], parts[4]
    _check(port)
    _check(booth)
    return BoothTopic(port, booth, kind)
