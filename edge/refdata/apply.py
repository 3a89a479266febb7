"""Turn a verified bundle into the booth's new reference data, or leave the old data untouched.

Stages, each in a staging directory the running booth never reads:
1. decode the content (gzip, bounded by the signed `raw_size`);
2. make the dataset: a full bundle *is* the dataset; a delta is merged into the held dataset;
   either way the result must hash to the signed `dataset_sha256`;
3. build what screening loads: the watchlist index via `edge.screening.build_directory`, or for
   a delta small enough, the held base index (hard-linked) plus an overlay index of the records
   changed since it (`edge.refdata.overlay_build`); visa records are checked by loading them;
4. commit (`KindStore.commit`: fsync, rename, atomic switch of state.json).
A failure or crash before the switch leaves the held version as it was.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import shutil
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from edge.refdata.block_merge import merge_blocks
from edge.refdata.content import (
    ContentError,
    HashingWriter,
    apply_delta,
    dataset_rows,
    delta_ops,
    key_field,
)
from edge.refdata.dataset_keys import KEYS_FILE, KeyListError, KeyWriter
from edge.refdata.overlay_build import DeltaTap, plan_overlay, write_overlay
from edge.refdata.store import Held, KindStore
from edge.refdata.verify import MAX_RAW_SIZE, BundleRejected
from sekisho.wire.messages import BundleEnvelope, dump, utc_now

logger = logging.getLogger(__name__)

DATASET = "dataset.jsonl"
INDEX = "index"
ENVELOPE = "envelope.json"
# "link" and "overlay" happen only when a delta is applied as an overlay (instead of a full build)
STAGES = ("decode", "dataset", "build", "link", "overlay", "sync", "switch")


class _Bounded(io.RawIOBase):
    """A reader that fails once more than `limit` bytes were read (decompression bomb guard)."""

    def __init__(self, inner: IO[bytes], limit: int) -> None:
        self.inner, self.limit, self.count = inner, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        data = self.inner.read(len(buf))
        self.count += len(data)
        if self.count > self.limit:
            raise ContentError(f"content decodes to more than the signed {self.limit:,} bytes")
        buf[: len(data)] = data
        return len(data)


def _decoded(env: BundleEnvelope, raw: IO[bytes]) -> IO[bytes]:
    inner: IO[bytes] = gzip.GzipFile(fileobj=raw) if env.content_encoding == "gzip" else raw
    limit = env.raw_size if env.raw_size is not None else MAX_RAW_SIZE
    return io.BufferedReader(_Bounded(inner, limit), buffer_size=1 << 20)


def make_dataset(
    env: BundleEnvelope,
    content: Path,
    held: Held | None,
    out: Path,
    tap: DeltaTap | None = None,
    use_keys: bool = True,
) -> HashingWriter:
    """Write the dataset the bundle makes (and its key list); `tap` keeps a delta's operations.

    A delta onto a dataset with a key list is merged block by block (`block_merge`); without
    one (or with `use_keys` false) every held line is parsed for its key.
    """
    with ExitStack() as stack:
        stream = _decoded(env, stack.enter_context(open(content, "rb")))
        writer = HashingWriter(stack.enter_context(open(out, "wb")))
        keys = KeyWriter(out.with_name(KEYS_FILE))
        stack.callback(keys.close)
        rows: Iterable[tuple[str, bytes]] = ()
        if env.mode == "full":
            rows = dataset_rows(stream, env.kind, "bundle content")
        else:
            assert held is not None  # check_envelope refused a delta without its base
            ops = delta_ops(stream, env.kind)
            ops = tap.tap(ops) if tap is not None else ops
            base = stack.enter_context(open(held.directory / DATASET, "rb"))
            held_keys = held.directory / KEYS_FILE
            if use_keys and held_keys.exists():
                key_list = stack.enter_context(open(held_keys, "rb"))
                merge_blocks(base, key_list, ops, writer, keys, key_field(env.kind))
            else:
                rows = apply_delta(dataset_rows(base, env.kind, "held dataset"), ops)
        for key, line in rows:
            writer.write(line)
            keys.add(key)
        if env.raw_size is not None and stream.raw.count != env.raw_size:  # type: ignore[attr-defined]
            raise ContentError(
                f"content decodes to {stream.raw.count:,} bytes, not the signed {env.raw_size:,}"
            )  # type: ignore[attr-defined]
    return writer


def dataset_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a held or staged dataset.jsonl, one at a time."""
    with open(path, "rb") as f:
        for line in f:
            yield json.loads(line)


def _build(
    env: BundleEnvelope,
    staging: Path,
    held: Held | None,
    tap: DeltaTap | None,
    stage: Callable[[str], None],
) -> None:
    """What screening loads; bad records raise ReferenceDataError naming the record.

    A watchlist delta becomes an overlay on the held base index while the overlay stays small
    (`edge.refdata.overlay.overlay_limit`); otherwise, and for a full bundle, the whole
    (already merged and checked) dataset is indexed.
    """
    from edge.screening import VisaRegistry, build_directory

    if env.kind == "watchlist":
        plan = plan_overlay(held, tap) if held is not None and tap is not None else None
        if plan is not None:
            write_overlay(plan, staging, env.version, stage)
            return
        build_directory(dataset_records(staging / DATASET), staging / INDEX, env.version)
    elif env.kind == "visas":
        VisaRegistry(dataset_records(staging / DATASET))


def _dataset(
    env: BundleEnvelope, content: Path, held: Held | None, out: Path
) -> tuple[HashingWriter, DeltaTap | None]:
    """Make the dataset, keeping a watchlist delta's operations for its overlay."""
    tap = DeltaTap() if env.mode == "delta" and env.kind == "watchlist" else None
    try:
        return make_dataset(env, content, held, out, tap), tap
    except KeyListError as exc:  # a local file out of step: merge by parsing instead
        logger.warning("held %s key list unusable (%s); parsing the dataset", env.kind, exc)
        tap = DeltaTap() if tap is not None else None
        return make_dataset(env, content, held, out, tap, use_keys=False), tap


def apply_bundle(
    root: Path,
    env: BundleEnvelope,
    content: Path,
    on_stage: Callable[[str], None] | None = None,
) -> Held:
    """Apply a bundle whose envelope and content passed `verify`; the caller holds the lock."""
    from edge.screening import ReferenceDataError

    store = KindStore(root, env.kind)
    held = store.held()
    staging = store.new_staging(env.version)
    stage = on_stage or (lambda _name: None)

    def reject(reason: str, detail: str) -> BundleRejected:
        return BundleRejected(env.kind, env.version, reason, detail)

    try:
        stage("decode")
        writer, tap = _dataset(env, content, held, staging / DATASET)
        stage("dataset")
        if env.dataset_sha256 is not None and writer.digest.hexdigest() != env.dataset_sha256:
            raise reject(
                "bad_dataset", "the dataset it makes does not match the signed dataset_sha256"
            )
        if env.records is not None and writer.lines != env.records:
            raise reject(
                "bad_dataset", f"{writer.lines:,} records where {env.records:,} were signed"
            )
        stage("build")
        _build(env, staging, held, tap, stage)
        meta = {k: v for k, v in dump(env).items() if k != "payload_b64"}
        (staging / ENVELOPE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        stage("sync")
        new = Held(
            kind=env.kind, version=env.version, created_at=env.created_at, signer=env.signer,
            mode=env.mode, records=writer.lines, dataset_sha256=writer.digest.hexdigest(),
            directory=staging, applied_at=utc_now(),
        )  # fmt: skip
        return store.commit(staging, new, before_switch=lambda: stage("switch"))
    except ContentError as exc:
        raise reject("bad_content", str(exc)) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise reject("bad_content", f"content does not decode: {exc}") from None
    except ReferenceDataError as exc:
        raise reject("bad_data", str(exc)) from None
    except OSError as exc:
        raise reject("io_error", f"{exc.strerror or exc} (the held data is unchanged)") from None
    except (ValueError, RuntimeError, MemoryError) as exc:  # from the index build: refuse, keep old
        logger.exception("applying %s v%d failed", env.kind, env.version)
        raise reject("apply_failed", f"{type(exc).__name__} while applying (see the log)") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
