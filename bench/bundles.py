"""Bundle benchmark: build, transfer and apply a full bundle and a delta at booth scale.

    .venv/bin/python bench/bundles.py                          # 1,000,000 entries, 10,000-entry delta
    .venv/bin/python bench/bundles.py --entries 20000 --delta 1000 --mqtt   # quick run, with MQTT

Entries come from the screening labelled-set generator (edge/screening/evalset, names in six
script families). The delta changes `--delta` records: 40% changed birth dates, 30% deleted,
30% added. Each figure is wall and CPU time (this process; the machine is shared, so CPU time
is what one free core would take), per apply stage (`decode`+`dataset`, `build` = the screening
index, `sync` = fsync of the new version, `switch` = atomic state switch). With `--mqtt` the
full bundle is also published to a local Mosquitto and fetched by the booth's own code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
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


class Clock:
    """Wall and CPU time since the last mark."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> dict[str, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = {"wall_s": round(wall - self.wall, 2), "cpu_s": round(cpu - self.cpu, 2)}
        self.wall, self.cpu = wall, cpu
        return out


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def datasets(n: int, changes: int, work: Path) -> tuple[Path, Path]:
    from edge.screening.evalset import generate

    entries = generate(n, 0, 0, seed=5).entries
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
    return v1, v2


def apply_timed(refdata: ReferenceData, bundle: Path) -> dict[str, Any]:
    clock, stages = Clock(), {}
    last = ["start"]

    def on_stage(name: str) -> None:
        stages[last[0]] = clock.lap()
        last[0] = name

    held = refdata.apply_file(bundle, on_stage=on_stage)
    stages[last[0]] = clock.lap()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--delta", type=int, default=10_000)
    parser.add_argument("--mqtt", action="store_true", help="also publish and fetch over Mosquitto")
    parser.add_argument("--work", type=Path, help="work directory (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sekisho-bundles-"))
    work.mkdir(parents=True, exist_ok=True)
    key = load_or_create_private_key(work / "east.key")
    trusted = {"east": key.public_key()}
    report: dict[str, Any] = {"entries": args.entries, "delta": args.delta}
    clock = Clock()
    v1, v2 = datasets(args.entries, args.delta, work)
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
    clock.lap()
    screener = refdata.screener()
    report["booth_load_screener"] = {**clock.lap(), "version": screener.version}
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
