"""The booth's reference data: what it holds, how old it is, the Screener built on it.

    refdata = ReferenceData(data_dir / "refdata", trusted_keys, RefDataPolicy())
    refdata.apply_file("watchlist-v12-full.bundle")   # from a USB stick; or over MQTT (run())
    refdata.versions()        # {"watchlist": 12, "visas": 3}
    refdata.screener()        # raises StaleDataError if required data is missing or too old

Applying takes a cross-process lock, so the agent and `sekisho watchlist bundle apply` can run
on the same booth; a version committed by another process is picked up at the next
`screener()` call.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from edge.refdata.apply import DATASET, INDEX, apply_bundle, dataset_records
from edge.refdata.bundle_file import (
    BundleFileError,
    Received,
    copy_content,
    read_envelope,
    reset_dir,
    write_inline,
)
from edge.refdata.overlay import BASE, OVERLAY, OverlayMeta, load_overlay_screener
from edge.refdata.store import Held, KindStore, apply_lock, pid_alive
from edge.refdata.verify import BundleRejected, check_content, check_envelope, inline_content
from sekisho.config import RefDataPolicy
from sekisho.wire.messages import BundleEnvelope

logger = logging.getLogger(__name__)


REINDEX_RETRY_SECONDS = 300.0  # after a failed re-index of held data (docs/bundles.md)


class StaleDataError(Exception):
    """The booth must not screen: required data is missing or older than policy allows."""


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 360 else f"{seconds:.0f} s"


def parse_time(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class ReferenceData:
    """Held versions, their age, verified application of bundles, and the current Screener."""

    def __init__(
        self,
        root: Path,
        trusted: dict[str, Ed25519PublicKey],
        policy: RefDataPolicy | None = None,
        thresholds: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = Path(root)
        self.trusted = dict(trusted)
        self.policy = policy or RefDataPolicy()
        self.thresholds = thresholds
        self.clock = clock
        self.incoming = reset_dir(self.root / ".incoming" / str(os.getpid()))
        self.rejections: deque[dict[str, Any]] = deque(maxlen=20)
        self._lock = threading.Lock()
        self._screener: Any = None
        self._screener_stamp: tuple[int, ...] | None = None
        # A re-index that failed (version directory, monotonic time, why): not retried for
        # every traveller, only after REINDEX_RETRY_SECONDS.
        self._reindex_failed: tuple[Path, float, str] | None = None
        with apply_lock(self.root):
            for kind in self.policy.kinds:
                KindStore(self.root, kind).clean()  # leftovers of a crash mid-apply
            for other in (self.root / ".incoming").iterdir():
                if other != self.incoming and not pid_alive(other.name):
                    shutil.rmtree(other, ignore_errors=True)

    # -- what is held ---------------------------------------------------------------------------
    def held(self, kind: str) -> Held | None:
        return KindStore(self.root, kind).held()

    def versions(self) -> dict[str, int]:
        """Kind -> held version (for the heartbeat's `data_versions`)."""
        out = {}
        for kind in self.policy.kinds:
            held = self.held(kind)
            if held:
                out[kind] = held.version
        return out

    def age_seconds(self, kind: str) -> float | None:
        """Seconds since central created the held bundle of `kind`; None if nothing is held.

        A `created_at` later than the booth's own time of applying it (a centre's clock ahead)
        counts from the apply instead, so no bundle can look fresh for longer than policy allows.
        """
        held = self.held(kind)
        if held is None:
            return None
        born = min(parse_time(held.created_at), parse_time(held.applied_at))
        return max(0.0, self.clock() - born)

    def status(self) -> dict[str, Any]:
        """Per kind: version, created_at, age, the allowed age and whether screening may use it."""
        out: dict[str, Any] = {}
        for kind in self.policy.kinds:
            held, limit = self.held(kind), self.policy.max_age_seconds(kind)
            age = self.age_seconds(kind)
            out[kind] = {
                "version": held.version if held else None,
                "created_at": held.created_at if held else None,
                "records": held.records if held else 0,
                "age_s": None if age is None else int(age),
                "max_age_s": None if limit is None else int(limit),
                "usable": self._problem(kind) is None,
            }
        return out

    def _problem(self, kind: str) -> str | None:
        held, limit = self.held(kind), self.policy.max_age_seconds(kind)
        if held is None:
            return f"no {kind} data held" if kind in self.policy.required else None
        age = self.age_seconds(kind) or 0.0
        if limit is not None and age > limit:
            return (
                f"{kind} data v{held.version} is {_hours(age)} old; policy allows "
                f"{_hours(limit)} (created {held.created_at})"
            )
        return None

    def check_fresh(self) -> None:
        problems = [p for kind in self.policy.kinds if (p := self._problem(kind))]
        if problems:
            raise StaleDataError("refusing to screen: " + "; ".join(problems))

    def screener(self) -> Any:
        """The Screener on the held data; StaleDataError when policy forbids screening."""
        self.check_fresh()
        stamp = tuple(KindStore(self.root, k).state_stamp() for k in self.policy.kinds)
        with self._lock:
            if self._screener is None or stamp != self._screener_stamp:
                self._screener = self._load_screener()
                self._screener_stamp = stamp
            return self._screener

    def visas(self) -> Any:
        """The held visa records as a VisaRegistry, or None."""
        from edge.screening import VisaRegistry
        from edge.screening.records import read_jsonl

        held = self.held("visas") if "visas" in self.policy.kinds else None
        if held is None:
            return None
        with open(held.directory / DATASET, encoding="utf-8") as f:
            return VisaRegistry(read_jsonl(f, "held visas"))

    def _load_screener(self) -> Any:
        from edge.screening.index_build import IndexDirectoryError

        try:
            return self._open_screener()
        except IndexDirectoryError as exc:
            # Built by an older version of this software (upgraded since the data was
            # applied), or a re-index cut short: index the held records again rather than
            # refuse to screen until the next bundle arrives.
            held = self.held("watchlist")
            failed = self._reindex_failed
            recent = failed and time.monotonic() - failed[1] < REINDEX_RETRY_SECONDS
            if held is not None and recent and failed[0] == held.directory:
                raise StaleDataError(failed[2]) from exc
            logger.warning("%s; re-indexing the held watchlist", exc)
            try:
                with apply_lock(self.root):
                    held = self.held("watchlist")
                    if held is not None:
                        reindex(held.directory, held.version)
                return self._open_screener()
            except Exception as why:  # a full disk, a damaged dataset: refer, keep serving
                logger.error("the held watchlist cannot be indexed: %s", why)
                reason = f"refusing to screen: the held watchlist cannot be indexed ({why})"
                if held is not None:
                    self._reindex_failed = (held.directory, time.monotonic(), reason)
                raise StaleDataError(reason) from why

    def _open_screener(self) -> Any:
        from edge.screening import Screener

        held = self.held("watchlist")
        visas = self.visas()
        if held is None:
            return Screener.from_entries([], self.thresholds, visas)
        overlay = OverlayMeta.read(held.directory)
        if overlay is not None:  # a delta applied as base index + overlay (docs/bundles.md)
            return load_overlay_screener(
                held.directory, overlay, held.version, self.thresholds, visas
            )
        return Screener.load(held.directory / INDEX, self.thresholds, visas)

    # -- applying bundles -----------------------------------------------------------------------
    def offer(self, obj: dict[str, Any], expect_kind: str | None = None) -> BundleEnvelope:
        """Check an envelope against keys and held version before fetching its content."""
        kind = obj.get("kind")
        held = self.held(kind) if isinstance(kind, str) and kind in self.policy.kinds else None
        if isinstance(kind, str) and kind not in self.policy.kinds:
            raise BundleRejected(kind, obj.get("version", "?"), "unknown_kind",
                                 f"this booth does not take {kind!r} data")  # fmt: skip
        return check_envelope(obj, self.trusted, held.version if held else None, expect_kind)

    def apply(
        self,
        obj: dict[str, Any],
        received: Callable[[BundleEnvelope, Path], Received],
        on_stage: Callable[[str], None] | None = None,
        record: bool = True,
    ) -> Held:
        """Verify and apply; `received(env, dir)` puts the content in dir and says what came.

        A rejection is logged and kept in `rejections` (unless `record` is false: the caller
        decides, as BundleSync does for retained envelopes seen again).
        """
        try:
            with apply_lock(self.root):
                env = self.offer(obj)  # again under the lock: another process may have applied
                got = received(env, self.incoming)
                try:
                    check_content(env, got.size, got.sha256, got.chunk_digests)
                    held = apply_bundle(self.root, env, got.path, on_stage)
                finally:
                    got.path.unlink(missing_ok=True)
        except BundleRejected as exc:
            if record:
                self.record_rejection(exc)
            raise
        logger.info(
            "applied %s v%d (%s, %d records)", held.kind, held.version, held.mode, held.records
        )
        return held

    def apply_file(self, path: Path, on_stage: Callable[[str], None] | None = None) -> Held:
        """Apply a bundle file (for a booth that was offline)."""
        try:
            obj, offset = read_envelope(Path(path))
        except BundleFileError as exc:
            self.record_rejection(BundleRejected("?", "?", "not_a_bundle", str(exc)))
            raise BundleRejected("?", "?", "not_a_bundle", str(exc)) from None

        def received(env: BundleEnvelope, into: Path) -> Received:
            dst = into / f"{env.sha256}.content"
            if env.payload_b64 is not None:
                return write_inline(inline_content(env), dst)
            return copy_content(Path(path), offset, dst, env.chunk_size if env.chunks else None)

        return self.apply(obj, received, on_stage)

    def record_rejection(self, exc: BundleRejected) -> None:
        """Keep the last rejections for the booth's status page, and log them."""
        self.rejections.append(
            {"kind": exc.kind, "version": exc.version, "reason": exc.reason, "detail": exc.detail,
             "at": self.clock()}
        )  # fmt: skip
        logger.warning("%s", exc)


def reindex(version_dir: Path, version: int) -> None:
    """Build a full index of a held version's records (its dataset.jsonl) in place of the one
    it holds (a full index, or a base index plus overlay). Crash-safe: the new index is built
    aside and renamed in; the overlay is removed last, so an interrupted re-index is redone."""
    from edge.screening import build_directory
    from edge.screening.index_build import FORMAT, load_directory

    index = version_dir / INDEX
    try:
        load_directory(index)
        fresh = not (version_dir / OVERLAY).exists()
    except Exception:  # missing, stale or damaged: build it
        fresh = False
    if fresh:  # another process re-indexed it while this one waited for the lock
        return
    aside = version_dir / (INDEX + ".new")
    shutil.rmtree(aside, ignore_errors=True)
    build_directory(dataset_records(version_dir / DATASET), aside, version)
    old = version_dir / (INDEX + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if index.exists():
        os.rename(index, old)
    os.rename(aside, index)  # between the renames there is no index: the next load redoes this
    shutil.rmtree(old, ignore_errors=True)
    for stale in (OVERLAY, BASE):
        shutil.rmtree(version_dir / stale, ignore_errors=True)
    logger.info("re-indexed %s as index format %d", version_dir, FORMAT)
