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


def _staging_index(root) -> bool:
    """Whether an apply is building the new index (so a kill lands mid-apply)."""
    return any((p / "index").exists() for p in (root / "watchlist").glob("staging-*"))


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 60.0) -> None:
    """kill -9 the process once `ready()` holds (it must while the process still runs)."""
    try:
        deadline = time.monotonic() + timeout
        while not ready() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready() and proc.poll() is None, proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL


def test_kill_mid_apply_leaves_old_data(tmp_path, centres, make_refdata):
    east = centres["east"]
    refdata = make_refdata()
    refdata.apply_file(east.full(1, entries()))
    big = east.full(2, BIG)
    cmd = [sys.executable, "-m", "sekisho", "watchlist", "bundle", "apply", str(big),
           "--refdata", str(refdata.root), "--centre-key", f"east={east.pub_path}"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _kill_when(proc, lambda: _staging_index(refdata.root))
    # a restarted booth: old version, screening works, the half-built staging is gone
    after = make_refdata()
    assert after.versions() == {"watchlist": 1}
    assert alerts(after, OHNO) == ["W-OHNO"]
    assert alerts(after, DOE) == []
    assert sorted(p.name for p in (after.root / "watchlist").iterdir()) == ["state.json", "v1"]
    after.apply_file(big)  # and the bundle applies in full afterwards
    assert after.versions() == {"watchlist": 2}
    assert alerts(after, DOE) == ["W-DOE"]


CHILD = """
import sys, time
from pathlib import Path
from edge.refdata import ReferenceData
from sekisho.wire.signing import load_public_key

root, pub, bundle, stage, marker = sys.argv[1:]
refdata = ReferenceData(Path(root), {"east": load_public_key(Path(pub).read_bytes())})

def on_stage(name):
    if name == stage:
        Path(marker).write_text(name)
        time.sleep(120)

refdata.apply_file(Path(bundle), on_stage=on_stage)
"""


@pytest.mark.parametrize("stage", ["link", "overlay", "sync", "switch"])
def test_kill_mid_overlay_apply_leaves_old_data(stage, tmp_path, centres, make_refdata):
    """SIGKILL while a delta is applied as an overlay onto a version that is itself an overlay."""
    from tests.bundles.test_overlay import (
        TRAVELLERS,
        screened,
        v1_records,
        v2_records,
        v3_records,
        v4_delta,
    )

    east = centres["east"]
    refdata = make_refdata()
    v1 = east.full(1, v1_records())
    refdata.apply_file(v1)
    refdata.apply_file(east.delta(v1, 2, v2_records()))
    refdata.apply_file(east.delta(east.base / "watchlist-2.jsonl", 3, v3_records(), base_version=2))
    before = {t["id"]: screened(refdata.screener(), t) for t in TRAVELLERS}
    bundle, _records = v4_delta(east, 1)
    marker = tmp_path / "reached"
    cmd = [sys.executable, "-c", CHILD, str(refdata.root), str(east.pub_path), str(bundle),
           stage, str(marker)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _kill_when(proc, marker.exists)
    after = make_refdata()  # a restarted booth: v3 (base + overlay) as it was, leftovers gone
    assert after.versions() == {"watchlist": 3}
    assert sorted(p.name for p in (after.root / "watchlist").iterdir()) == ["state.json", "v3"]
    for traveller in TRAVELLERS:
        assert screened(after.screener(), traveller) == before[traveller["id"]]
    after.apply_file(bundle)
    assert after.versions() == {"watchlist": 4}
    assert after.screener().screen(DOE).hits == []  # v4 deleted W-DOE
