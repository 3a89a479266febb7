"""kill -9 of `sekisho watchlist bundle apply` in the middle of applying leaves the old data usable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.bundles.conftest import DOE, OHNO, alerts, entries

pytestmark = pytest.mark.slow

BIG = [*entries(20_000), {"id": "W-DOE", "names": ["DOE, JANE"], "birth_date": "1980-02-03",
                          "category": "wanted"}]  # fmt: skip


def _wait_for_staging(root, proc, timeout: float = 60.0) -> bool:
    """True once the apply is building the new index (so the kill lands mid-apply)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any((p / "index").exists() for p in (root / "watchlist").glob("staging-*")):
            return True
        time.sleep(0.02)
    return False


def test_kill_mid_apply_leaves_old_data(tmp_path, centres, make_refdata):
    east = centres["east"]
    refdata = make_refdata()
    refdata.apply_file(east.full(1, entries()))
    big = east.full(2, BIG)
    cmd = [sys.executable, "-m", "sekisho", "watchlist", "bundle", "apply", str(big),
           "--refdata", str(refdata.root), "--centre-key", f"east={east.pub_path}"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _wait_for_staging(refdata.root, proc), proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # a restarted booth: old version, screening works, the half-built staging is gone
    after = make_refdata()
    assert after.versions() == {"watchlist": 1}
    assert alerts(after, OHNO) == ["W-OHNO"]
    assert alerts(after, DOE) == []
    assert sorted(p.name for p in (after.root / "watchlist").iterdir()) == ["state.json", "v1"]
    after.apply_file(big)  # and the bundle applies in full afterwards
    assert after.versions() == {"watchlist": 2}
    assert alerts(after, DOE) == ["W-DOE"]
