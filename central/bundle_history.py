"""Release the next version of a dataset: full bundle and delta from the last, kept in a history.

    release("watchlist", [Path("watchlist.jsonl")], Path("/var/lib/sekisho/bundles"), key, "east")

The history directory holds `<kind>-v<version>-full.bundle` (and `-delta.bundle`) of every
release, so central never asks an operator for a version number or a base: the next version is
the last full bundle's plus one, and the delta is made from that full bundle. Publishing both
lets booths one version behind take the small delta, and every other booth the full bundle.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.bundles import BundleBuildError, build_delta, build_full

logger = logging.getLogger(__name__)


def _name(kind: str, version: int, mode: str) -> str:
    return f"{kind}-v{version:08d}-{mode}.bundle"


def latest_full(history: Path, kind: str) -> tuple[int, Path] | None:
    """(version, path) of the newest full bundle of `kind` in `history`, if any."""
    pattern = re.compile(rf"^{re.escape(kind)}-v(\d{{8}})-full\.bundle$")
    found = [
        (int(m.group(1)), p)
        for p in history.glob(f"{kind}-v*-full.bundle")
        if (m := pattern.match(p.name))
    ]
    return max(found) if found else None


def release(
    kind: str, paths: list[Path], history: Path, key: Ed25519PrivateKey, signer: str, **build: Any
) -> list[dict[str, Any]]:
    """Build version last+1: the full bundle, and the delta from the last full one if any.

    Returns the envelopes with the file each was written to (`file`), full first.
    """
    history.mkdir(parents=True, exist_ok=True)
    last = latest_full(history, kind)
    version = last[0] + 1 if last else 1
    full_path = history / _name(kind, version, "full")
    if full_path.exists():
        raise BundleBuildError(f"{full_path} already exists")
    out = [{**build_full(kind, paths, version, key, signer, full_path, **build), "file": full_path}]
    if last is not None:
        delta_path = history / _name(kind, version, "delta")
        env = build_delta(kind, last[1], paths, version, key, signer, delta_path, **build)
        out.append({**env, "file": delta_path})
    logger.info("released %s v%d (%s)", kind, version, "full + delta" if last else "full")
    return out
