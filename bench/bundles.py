"""Bundle benchmark: build, transfer and apply a full bundle and a delta at booth scale.

    .venv/bin/python bench/bundles.py                          # 1,000,000 entries, 10,000-entry delta
    .venv/bin/python bench/bundles.py --entries 20000 --delta 1000 --mqtt   # quick run, with MQTT
    .venv/bin/python bench/bundles.py --compare     # also a full rebuild of v2, to compare with

Entries come from the screening labelled-set generator (edge/screening/evalset, names in six
script families). The delta changes `--delta` records: 40% changed birth dates, 30% deleted,
30% added. Each figure is wall and CPU time (this process, its finished children, and the CPU
the index build's worker processes report in its meta.json; the machine is shared, so CPU time
is what free cores would take), per
apply stage (`decode`+`dataset`, `build` = the full screening index, `link` + `overlay` = the
base index hard-linked and the delta's records indexed, `sync` = fsync of the new version,
`switch` = atomic state switch). With `--mqtt` the full bundle is also published to a local
Mosquitto and fetched by the booth's own code.

Screening latency (`--travellers` from the same generator: half targets, half innocents, plus
travellers named after changed and added records) is measured on the v2 overlay screener and on
its base index alone, alternating which goes first per traveller, cold (first pass) and warm
(second pass), as CPU time of the screening thread and wall time. `--compare` also applies v2 as
a full bundle on another booth and counts travellers whose alerts differ from the overlay's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from central.bundles import build_delta, build_full  # noqa: E402
from edge.refdata import RefDataPolicy, ReferenceData  # noqa: E402
from edge.refdata.bundle_file import read_envelope  # noqa: E402
from sekisho.wire.signing import load_or_create_private_key  # noqa: E402


def cpu_time() -> float:
    """CPU of this process and of its finished children (the index build's worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Clock:
    """Wall and CPU time since the last mark."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_time()

    def lap(self) -> dict[str, float]:
        wall, cpu = time.perf_counter(), cpu_time()
        out = {"wall_s": round(wall - self.wall, 2), "cpu_s": round(cpu - self.cpu, 2)}
        self.wall, self.cpu = wall, cpu
        return out


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def datasets(n: int, changes: int, work: Path, travellers: int) -> tuple[Path, Path, list[dict]]:
    """v1 and v2 datasets, and travellers: generated, plus named after changed/added records."""
    from edge.screening.evalset import generate

    evalset = generate(n, travellers // 2, travellers - travellers // 2, seed=5)
    entries = evalset.entries
    v1 = work / "v1.jsonl"
    with open(v1, "w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    changed, deleted = int(changes * 0.4), int(changes * 0.3)
    added = changes - changed - deleted
    step = max(1, n // (changed + deleted))
    picked = list(range(0, n, step))[: changed + deleted]
    for i in picked[:changed]:
        entries[i] = {**entries[i], "birth_date": "1950-01-01"}
    gone = {entries[i]["id"] for i in picked[changed:]}
    new = [{**entries[j], "id": f"N{j:07d}"} for j in range(added)]
    v2 = work / "v2.jsonl"
    with open(v2, "w", encoding="utf-8") as f:
        for e in [*(e for e in entries if e["id"] not in gone), *new]:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    touched = [entries[i] for i in picked[:: max(1, (changed + deleted) // 50)]] + new[:20]
    named = [_traveller_of(e, f"C{k:04d}") for k, e in enumerate(touched)]
    return v1, v2, [*evalset.travellers, *(t for t in named if t)]


def third_version(v2: Path, changes: int, work: Path) -> Path:
    """v3: `changes` other records of v2 changed (birth dates), for a second delta in a row."""
    with open(v2, encoding="utf-8") as f:
        entries = [json.loads(line) for line in f]
    step = max(1, len(entries) // changes)
    for i in range(step // 2, len(entries), step)[:changes]:
        entries[i] = {**entries[i], "birth_date": "1951-02-02"}
    v3 = work / "v3.jsonl"
    with open(v3, "w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    return v3


def _traveller_of(entry: dict, tid: str) -> dict | None:
    """A traveller with the entry's first Latin name and its birth date (None if no such name)."""
    for name in entry.get("names") or ():
        if "," in name and name.isascii():
            surname, given = (part.strip() for part in name.split(",", 1))
            return {"id": tid, "surname": surname, "given_names": given,
                    "birth_date": entry.get("birth_date"), "nationality": entry.get("nationality")}  # fmt: skip
    return None


def apply_timed(refdata: ReferenceData, bundle: Path) -> dict[str, Any]:
    clock, stages = Clock(), {}
    last = ["start"]

    def on_stage(name: str) -> None:
        stages[last[0]] = clock.lap()
        last[0] = name

    held = refdata.apply_file(bundle, on_stage=on_stage)
    stages[last[0]] = clock.lap()
    # the index build's worker processes (forkserver) escape rusage; the build reports them
    for stage, meta in (("build", "index/meta.json"), ("overlay", "overlay/index/meta.json")):
        path = held.directory / meta
        if path.exists():
            workers = json.loads(path.read_text()).get("build_worker_cpu_seconds", 0.0)
            stages[stage]["cpu_s"] = round(stages[stage]["cpu_s"] + workers, 2)
            stages[stage]["of_which_workers_cpu_s"] = workers
    total = {k: round(sum(s[k] for s in stages.values()), 2) for k in ("wall_s", "cpu_s")}
    return {"version": held.version, "records": held.records, "total": total, "stages": stages}


async def mqtt_transfer(bundle: Path, work: Path, trusted: dict) -> dict[str, Any]:
    from central.bundle_publish import publish
    from edge.refdata.sync import BundleSync
    from sekisho.config import BrokerConfig
    from sekisho.stack.broker import Broker

    broker = Broker(work / "broker", persistence=False).start()
    try:
        conf = BrokerConfig(port=broker.port, keepalive=30)
        clock = Clock()
        await publish([conf], bundle)
        published = clock.lap()
        sync = BundleSync(ReferenceData(work / "mqtt-booth", trusted), {"east": conf}, "bench")
        link = sync.links["east"]
        task = asyncio.create_task(link.run())
        while link.client is None:
            await asyncio.sleep(0.05)
        from edge.refdata.verify import check_envelope

        env = check_envelope(read_envelope(bundle)[0], trusted, None)
        clock.lap()
        got = await link.fetch(env, work / "fetched.content", stall=60)
        fetched = clock.lap()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return {"publish": published, "fetch": fetched, "bytes": got.size,
                "chunks": len(env.chunks or []), "sha256_ok": got.sha256 == env.sha256}  # fmt: skip
    finally:
        broker.stop()


def _percentiles(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49], 2), "p90": round(q[89], 2), "p99": round(q[98], 2)}


def latency(screeners: dict[str, Any], travellers: list[dict]) -> dict[str, Any]:
    """Per screener: CPU and wall ms per traveller, cold then warm; order alternates."""
    out: dict[str, Any] = {}
    names = list(screeners)
    for phase in ("cold", "warm"):
        cpu: dict[str, list[float]] = {n: [] for n in names}
        wall: dict[str, list[float]] = {n: [] for n in names}
        for k, traveller in enumerate(travellers):
            for name in names if k % 2 == 0 else reversed(names):
                c0, w0 = time.thread_time(), time.perf_counter()
                screeners[name].screen(traveller)
                cpu[name].append((time.thread_time() - c0) * 1000)
                wall[name].append((time.perf_counter() - w0) * 1000)
        for name in names:
            out.setdefault(name, {})[phase] = {
                "cpu_ms": _percentiles(cpu[name]),
                "wall_ms": _percentiles(wall[name]),
            }
    return out


def agreement(overlay: Any, full: Any, travellers: list[dict]) -> dict[str, Any]:
    """How many travellers get the same alerts (and the same hits) from overlay and rebuild;
    where alerts differ, which entries only one of them alerted (ids only: no names)."""
    same_alerts = same_hits = 0
    differ: list[dict[str, Any]] = []
    for traveller in travellers:
        a, b = overlay.screen(traveller), full.screen(traveller)
        mine, theirs = {h.entry_id for h in a.alerts}, {h.entry_id for h in b.alerts}
        if mine == theirs:
            same_alerts += 1
        else:
            differ.append({"traveller": traveller.get("id"), "overlay_only": sorted(mine - theirs),
                           "rebuild_only": sorted(theirs - mine)})  # fmt: skip
        if [(h.entry_id, round(h.score, 4)) for h in a.hits] == [
            (h.entry_id, round(h.score, 4)) for h in b.hits
        ]:
            same_hits += 1
    return {"travellers": len(travellers), "same_alerts": same_alerts, "same_hits": same_hits,
            "alerts_differ": differ[:20]}  # fmt: skip


def screening_report(refdata: ReferenceData, travellers: list[dict], full: Any) -> dict[str, Any]:
    from edge.screening import Screener

    overlay = refdata.screener()
    held = refdata.held("watchlist")
    base = Screener.load(held.directory / "base") if (held.directory / "base").is_dir() else None
    screeners = {"overlay": overlay, **({"base_alone": base} if base else {})}
    if full is not None:
        screeners["full_rebuild"] = full
    out: dict[str, Any] = {
        "kind": type(overlay).__name__,
        "latency": latency(screeners, travellers),
    }
    if full is not None:
        out["agreement"] = agreement(overlay, full, travellers)
    return out


def full_rebuild(work: Path, trusted: dict, v2_full: Path) -> tuple[dict[str, Any], Any]:
    """v2 applied as a full bundle on another booth (the reference the overlay should match)."""
    refdata = ReferenceData(work / "booth-full", trusted, RefDataPolicy(kinds=["watchlist"]))
    timed = apply_timed(refdata, v2_full)
    return timed, refdata.screener()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--delta", type=int, default=10_000)
    parser.add_argument("--mqtt", action="store_true", help="also publish and fetch over Mosquitto")
    parser.add_argument("--work", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--travellers", type=int, default=400, help="for screening latency")
    parser.add_argument("--compare", action="store_true", help="also rebuild v2 in full")
    parser.add_argument("--second-delta", action="store_true",
                        help="then apply a v3 delta onto the v2 overlay (overlays accumulate)")  # fmt: skip
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sekisho-bundles-"))
    work.mkdir(parents=True, exist_ok=True)
    key = load_or_create_private_key(work / "east.key")
    trusted = {"east": key.public_key()}
    report: dict[str, Any] = {"entries": args.entries, "delta": args.delta}
    clock = Clock()
    v1, v2, travellers = datasets(args.entries, args.delta, work, args.travellers)
    report["generate"] = clock.lap()
    env = build_full("watchlist", [v1], 1, key, "east", work / "v1.bundle")
    report["central_build_full"] = {**clock.lap(), "bytes": env["size"],
                                    "raw_bytes": env["raw_size"], "chunks": len(env.get("chunks") or [])}  # fmt: skip
    env = build_delta("watchlist", work / "v1.bundle", [v2], 2, key, "east", work / "v2.bundle")
    report["central_build_delta"] = {
        **clock.lap(),
        "bytes": env["size"],
        "raw_bytes": env["raw_size"],
    }
    print(json.dumps(report), flush=True)
    if args.mqtt:
        report["mqtt_full"] = asyncio.run(mqtt_transfer(work / "v1.bundle", work, trusted))
        print(json.dumps({"mqtt_full": report["mqtt_full"]}), flush=True)
    refdata = ReferenceData(work / "booth", trusted, RefDataPolicy(kinds=["watchlist"]))
    report["booth_apply_full"] = apply_timed(refdata, work / "v1.bundle")
    print(json.dumps({"booth_apply_full": report["booth_apply_full"]}), flush=True)
    report["booth_apply_delta"] = apply_timed(refdata, work / "v2.bundle")
    print(json.dumps({"booth_apply_delta": report["booth_apply_delta"]}), flush=True)
    clock.lap()
    screener = refdata.screener()
    report["booth_load_screener"] = {**clock.lap(), "version": screener.version}
    full = None
    if args.compare:
        build_full("watchlist", [v2], 2, key, "east", work / "v2-full.bundle")
        clock.lap()
        report["booth_apply_full_v2"], full = full_rebuild(work, trusted, work / "v2-full.bundle")
        print(json.dumps({"booth_apply_full_v2": report["booth_apply_full_v2"]}), flush=True)
    report["screening"] = screening_report(refdata, travellers, full)
    print(json.dumps({"screening": report["screening"]}), flush=True)
    if args.second_delta:
        v3 = third_version(v2, args.delta, work)
        build_delta("watchlist", v2, [v3], 3, key, "east", work / "v3.bundle", base_version=2)
        report["booth_apply_second_delta"] = apply_timed(refdata, work / "v3.bundle")
        report["second_delta_overlay"] = refdata.screener().meta
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
