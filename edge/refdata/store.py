"""The booth's reference data on disk: one directory per kind, one committed version in each.

    <root>/<kind>/state.json       what the booth holds: version, created_at, signer, directory
    <root>/<kind>/v<version>/      dataset.jsonl (canonical), envelope.json, index/ (watchlist)
    <root>/<kind>/staging-*/       a bundle being applied (removed at the next start if left)

`state.json` is the only commit point: it is replaced atomically (write, fsync, rename, fsync
the directory) after the new version directory is complete and synced. A crash at any moment
leaves either the old state naming the old, intact directory, or the new state naming the new,
synced one. The held version in `state.json` is also what rollback protection compares with.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

STATE = "state.json"


@dataclass(frozen=True)
class Held:
    """The committed version of one kind."""

    kind: str
    version: int
    created_at: str
    signer: str
    mode: str
    records: int
    dataset_sha256: str
    directory: Path
    applied_at: str

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["directory"] = self.directory.name
        return out


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(top: Path) -> None:
    """fsync every file and directory under `top` (build steps write without syncing)."""
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            fsync_path(Path(dirpath) / name)
        fsync_path(Path(dirpath))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file, whole."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    fsync_path(path.parent)


class KindStore:
    """The directory of one kind of reference data."""

    def __init__(self, root: Path, kind: str) -> None:
        self.kind = kind
        self.dir = Path(root) / kind
        self.dir.mkdir(parents=True, exist_ok=True)

    def held(self) -> Held | None:
        path = self.dir / STATE
        if not path.exists():
            return None
        state = json.loads(path.read_text(encoding="utf-8"))
        state["directory"] = self.dir / state["directory"]
        return Held(**state)

    def state_stamp(self) -> int:
        """Changes whenever another process commits a version (cheap to poll)."""
        try:
            return (self.dir / STATE).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def new_staging(self, version: int) -> Path:
        path = self.dir / f"staging-{version}-{os.getpid()}"
        if path.exists():
            shutil.rmtree(path)
        path.mkdir()
        return path

    def commit(
        self, staging: Path, held: Held, before_switch: Callable[[], None] | None = None
    ) -> Held:
        """Make `staging` the held version: sync it, rename it, then switch state.json."""
        final = self.dir / f"v{held.version}"
        if final.exists():  # left by a crash after the rename but before the state switch
            shutil.rmtree(final)
        fsync_tree(staging)
        staging.rename(final)
        fsync_path(self.dir)
        held = Held(**{**held.__dict__, "directory": final})
        try:
            if before_switch:
                before_switch()
            write_atomic(self.dir / STATE, json.dumps(held.to_dict(), indent=2).encode("utf-8"))
        except BaseException:
            current = self.held()
            if current is None or current.directory != final:
                shutil.rmtree(final, ignore_errors=True)
            raise
        self.clean()
        return held

    def clean(self) -> None:
        """Remove every version and staging directory that state.json does not name."""
        current = self.held()
        keep = current.directory.name if current else None
        for child in self.dir.iterdir():
            if child.is_dir() and child.name != keep:
                if child.name.startswith("staging-") and pid_alive(child.name.rsplit("-", 1)[-1]):
                    continue
                shutil.rmtree(child, ignore_errors=True)


def pid_alive(pid: str) -> bool:
    """Whether another live process has this id (its staging or download is in progress)."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def apply_lock(root: Path) -> Iterator[None]:
    """One apply at a time per booth, across processes (agent and `bundle apply`)."""
    Path(root).mkdir(parents=True, exist_ok=True)
    with open(Path(root) / ".apply.lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
