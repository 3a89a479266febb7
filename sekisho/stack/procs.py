"""Child processes of the local stack: started in their own session, killed if the parent dies."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _child_setup() -> None:
    os.setsid()  # a terminal Ctrl-C reaches the orchestrator only; it stops children in order
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn_sekisho(
    args: list[str], log_path: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `python -m sekisho ARGS` with stdout and stderr appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child, closed when the parent exits
    child_env = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "sekisho", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_child_setup,
        env=child_env,
    )


def stop(
    proc: subprocess.Popen[bytes], timeout: float = 30.0, sig: int = signal.SIGTERM
) -> int | None:
    """Signal and wait; SIGKILL if it does not exit in time. Returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
