"""A whole Sekisho deployment on one machine: East and West brokers and centres, and booths.

The demo runs it, and end-to-end tests drive it (kill, restart and cut parts of it). Every
part is a real process: Mosquitto, `sekisho central run`, `sekisho edge run`.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from central.store import open_store
from sekisho.stack.broker import Broker
from sekisho.stack.net import free_port, wait_for_port
from sekisho.stack.procs import spawn_sekisho, stop
from sekisho.stack.proxy import Proxy
from sekisho.wire.signing import load_or_create_private_key, public_pem

logger = logging.getLogger(__name__)

CENTRES = ("east", "west")


def _toml(value: Any) -> str:
    return json.dumps(str(value)) if isinstance(value, Path) else json.dumps(value)


@dataclass
class BoothSpec:
    port: str
    booth: str
    dir: Path
    config: Path
    proc: subprocess.Popen[bytes] | None = None
    proxies: dict[str, Proxy] = field(default_factory=dict)  # centre -> link to its broker
    ui_port: int | None = None  # the booth screen, when the stack serves one

    @property
    def name(self) -> str:
        return f"{self.port}-{self.booth}"

    @property
    def ui_url(self) -> str | None:
        return None if self.ui_port is None else f"http://127.0.0.1:{self.ui_port}/"


@dataclass
class CentreSpec:
    name: str
    dir: Path
    config: Path
    http_port: int
    broker: Broker
    proc: subprocess.Popen[bytes] | None = None

    @property
    def database(self) -> Path:
        return self.dir / "central.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"


@dataclass
class LocalStack:
    base: Path
    ports: list[str] = field(default_factory=lambda: ["NRT", "KIX"])
    booths_per_port: int = 3
    rate_per_minute: float = 120.0
    drain_timeout: float = 90.0
    ack_timeout: float = 5.0
    proxied: bool = False  # booths reach brokers through proxies that can cut one link
    booth_env: dict[str, str] = field(default_factory=dict)  # SEKISHO_BOOTH__* for every booth
    booth_toml: str = ""  # extra TOML tables for every booth, e.g. "[booth.refdata]"
    booth_ui: bool = False  # each booth serves its screen on a free loopback port
    sync_token: str = field(default_factory=lambda: secrets.token_hex(16))
    centres: dict[str, CentreSpec] = field(default_factory=dict)
    booths: list[BoothSpec] = field(default_factory=list)

    # -- setup --------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Brokers, keys and the booth ledger at both centres (once)."""
        if self.centres:
            return
        self.base.mkdir(parents=True, exist_ok=True)
        for name in CENTRES:
            cdir = self.base / name
            broker = Broker(cdir / "broker")
            spec = CentreSpec(name, cdir, cdir / "central.toml", free_port(), broker)
            load_or_create_private_key(cdir / "centre.key")
            self.centres[name] = spec
        for port in self.ports:
            for i in range(1, self.booths_per_port + 1):
                bdir = self.base / "booths" / f"{port}-B{i:02d}"
                self.booths.append(BoothSpec(port, f"B{i:02d}", bdir, bdir / "booth.toml"))
        for name in self.centres:
            self.prepare_centre_ledger(name)

    def prepare_centre_ledger(self, name: str) -> None:
        """Register every booth's public key at one centre (端末管理)."""
        store = open_store(self.centres[name].database)
        for booth in self.booths:
            key = load_or_create_private_key(booth.dir / "booth.key")
            store.register_booth(booth.port, booth.booth, public_pem(key.public_key()).decode())
        store.close()

    def write_configs(self) -> None:
        for c in self.centres.values():
            c.config.write_text(
                "[central]\n"
                f"centre = {_toml(c.name)}\n"
                f"database = {_toml(c.database)}\n"
                f"key_file = {_toml(c.dir / 'centre.key')}\n"
                f"sync_token = {_toml(self.sync_token)}\n"
                f"[central.broker]\nport = {c.broker.port}\n"
                f"[central.http]\nport = {c.http_port}\n"
            )
        for b in self.booths:
            lines = [
                "[booth]",
                f"port = {_toml(b.port)}",
                f"booth = {_toml(b.booth)}",
                f"data_dir = {_toml(b.dir)}",
                f"rate_per_minute = {self.rate_per_minute}",
                "heartbeat_seconds = 2.0",
                f"ack_timeout_seconds = {self.ack_timeout}",
                f"drain_timeout_seconds = {self.drain_timeout}",
            ]
            if self.booth_ui:
                b.ui_port = b.ui_port or free_port()
                lines.append(f"ui_port = {b.ui_port}")
            for c in self.centres.values():
                port = b.proxies[c.name].port if c.name in b.proxies else c.broker.port
                lines.append(f"[booth.brokers.{c.name}]\nport = {port}\n")
            lines.append("[booth.centre_keys]")
            for c in self.centres.values():
                lines.append(f"{c.name} = {_toml(c.dir / 'centre.pub')}")
            b.config.write_text("\n".join(lines) + "\n" + self.booth_toml)

    # -- processes ----------------------------------------------------------------------------
    def start_brokers(self) -> None:
        for c in self.centres.values():
            c.broker.start()
        if self.proxied:
            for b in self.booths:
                for c in self.centres.values():
                    if c.name not in b.proxies:
                        b.proxies[c.name] = Proxy(c.broker.port).start()

    def publish_bundle(
        self, kind: str, records: list[dict[str, Any]], version: int, signer: str = "east"
    ) -> dict[str, Any]:
        """Build a full bundle signed by `signer` and publish it, retained, to every broker."""
        import asyncio

        from central.bundle_publish import publish
        from central.bundles import build_full
        from sekisho.config import BrokerConfig

        work = self.base / "bundles"
        work.mkdir(parents=True, exist_ok=True)
        data = work / f"{kind}-v{version}.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        out = work / f"{kind}-v{version}.bundle"
        key = load_or_create_private_key(self.centres[signer].dir / "centre.key")
        envelope = build_full(kind, [data], version, key, signer, out)
        brokers = [BrokerConfig(port=c.broker.port) for c in self.centres.values()]
        asyncio.run(publish(brokers, out))
        return envelope

    def start_centre(self, name: str) -> None:
        c = self.centres[name]
        c.proc = spawn_sekisho(
            ["--log-level", "INFO", "central", "run", "--config", str(c.config)],
            self.base / "logs" / f"central-{name}.log",
        )

    def wait_centres(self, timeout: float = 30.0) -> None:
        for c in self.centres.values():
            if not wait_for_port(c.http_port, timeout):
                raise RuntimeError(f"centre {c.name} did not start; see {self.base / 'logs'}")

    def start_booth(self, booth: BoothSpec, seed: int | None = None) -> None:
        args = ["--log-level", "INFO", "edge", "run", "--config", str(booth.config)]
        if seed is not None:
            args += ["--seed", str(seed)]
        booth.proc = spawn_sekisho(
            args, self.base / "logs" / f"booth-{booth.name}.log", env=self.booth_env
        )

    def start(
        self, seed: int | None = None, bundles: list[tuple[str, list[dict], int]] = ()
    ) -> None:
        """Brokers, centres, then booths; `bundles` (kind, records, version) are published
        (retained) before any booth starts, so booths screen from their first traveller."""
        self.prepare()
        self.start_brokers()
        self.write_configs()
        for kind, records, version in bundles:
            self.publish_bundle(kind, records, version)
        for name in self.centres:
            self.start_centre(name)
        self.wait_centres()
        for i, booth in enumerate(self.booths):
            self.start_booth(booth, None if seed is None else seed + i)

    def stop_booths(self) -> None:
        """SIGTERM every booth at once (they drain in parallel), then wait for all."""
        for b in self.booths:
            if b.proc and b.proc.poll() is None:
                b.proc.terminate()
        for b in self.booths:
            if b.proc:
                stop(b.proc, timeout=self.drain_timeout + 15)

    def stop_all(self) -> None:
        self.stop_booths()
        for c in self.centres.values():
            if c.proc:
                stop(c.proc)
            c.broker.stop()
        for b in self.booths:
            for proxy in b.proxies.values():
                proxy.stop()

    # -- faults (chaos tests, outage rehearsal) ------------------------------------------------
    def kill_centre(self, name: str) -> None:
        """kill -9 the aggregator of a centre (its extra workers die with it)."""
        c = self.centres[name]
        if c.proc and c.proc.poll() is None:
            c.proc.kill()
            c.proc.wait()

    def kill_booth(self, booth: BoothSpec) -> None:
        if booth.proc and booth.proc.poll() is None:
            booth.proc.kill()
            booth.proc.wait()

    def cut(self, booth: BoothSpec, centre: str) -> None:
        booth.proxies[centre].cut()

    def heal(self, booth: BoothSpec, centre: str) -> None:
        booth.proxies[centre].heal()

    def heal_all(self) -> None:
        """Undo every fault: links healed, brokers, centres and booths running."""
        for b in self.booths:
            for proxy in b.proxies.values():
                if proxy.is_cut:
                    proxy.heal()
        for name, c in self.centres.items():
            if not c.broker.running:
                c.broker.start()
            if c.proc is None or c.proc.poll() is not None:
                self.start_centre(name)
        self.wait_centres()
        for b in self.booths:
            if b.proc is None or b.proc.poll() is not None:
                self.start_booth(b)

    # -- accounting ---------------------------------------------------------------------------
    def _outbox_query(self, booth: BoothSpec, sql: str) -> list[tuple]:
        """Read a booth's outbox from outside; empty while the booth is still creating it."""
        path = booth.dir / "outbox.db"
        if not path.exists():
            return []
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as conn:
                return conn.execute(sql).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise

    def outbox_counts(self) -> dict[str, int]:
        produced = undelivered = 0
        for b in self.booths:
            for total, left in self._outbox_query(
                b, "SELECT count(*), coalesce(sum(delivered_at IS NULL), 0) FROM records"
            ):
                produced += total
                undelivered += left
        return {"produced": produced, "undelivered": undelivered}

    def outbox_ids(self) -> set[str]:
        ids: set[str] = set()
        for b in self.booths:
            ids.update(r[0] for r in self._outbox_query(b, "SELECT id FROM records"))
        return ids

    def last_seqs(self) -> dict[tuple[str, str], int]:
        """Each booth's last sequence number: how many records it ever made."""
        out = {}
        for b in self.booths:
            rows = self._outbox_query(b, "SELECT value FROM meta WHERE key='last_seq'")
            out[(b.port, b.booth)] = int(rows[0][0]) if rows else 0
        return out

    def screening_counts(self) -> dict[str, int]:
        """Records screened on a watchlist, with alerts, and referred to an inspector."""
        out = {"screened": 0, "alerts": 0, "referred": 0}
        for b in self.booths:
            for screened, alerts, referred in self._outbox_query(
                b,
                """SELECT coalesce(sum(json_extract(payload, '$.screening.watchlist_version')
                                       IS NOT NULL), 0),
                          coalesce(sum(json_extract(payload, '$.screening.hits') > 0), 0),
                          coalesce(sum(json_extract(payload, '$.decision') = 'referred'), 0)
                   FROM records""",
            ):
                out["screened"] += screened
                out["alerts"] += alerts
                out["referred"] += referred
        return out

    def centre_seqs(self, name: str) -> tuple[dict[tuple[str, str], list[int]], list[str]]:
        """Per booth, the sequence numbers a centre holds, and every record id it holds."""
        path = self.centres[name].database
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as conn:
            seqs: dict[tuple[str, str], list[int]] = {}
            ids = []
            for port, booth, seq, rid in conn.execute("SELECT port, booth, seq, id FROM records"):
                seqs.setdefault((port, booth), []).append(seq)
                ids.append(rid)
        return seqs, ids

    def centre_counts(self, name: str) -> dict[str, int]:
        seqs, ids = self.centre_seqs(name)
        doubles = len(ids) - len(set(ids)) + sum(len(v) - len(set(v)) for v in seqs.values())
        return {"records": len(set(ids)), "duplicates": doubles}

    def summary(self) -> dict[str, Any]:
        """Checked by record id and by (booth, seq): every record in each centre exactly once.

        produced: records the booths made (their last sequence numbers); east/west: distinct
        records each centre holds; missing_<centre>: records made that the centre lacks (by
        sequence number, and by id for records still in an outbox); duplicates: records stored
        more than once anywhere.
        """
        last = self.last_seqs()
        booth_ids = self.outbox_ids()
        out: dict[str, Any] = {
            "produced": sum(last.values()),
            "undelivered": self.outbox_counts()["undelivered"],
            "duplicates": 0,
        }
        for name in self.centres:
            seqs, ids = self.centre_seqs(name)
            held = set(ids)
            out[name] = len(held)
            out["duplicates"] += len(ids) - len(held)
            out["duplicates"] += sum(len(v) - len(set(v)) for v in seqs.values())
            missing = 0
            for key, n in last.items():
                missing += n - len(set(seqs.get(key, ())) & set(range(1, n + 1)))
            out[f"missing_{name}"] = max(missing, len(booth_ids - held))
        keys = (
            "produced",
            "east",
            "west",
            "duplicates",
            "undelivered",
            "missing_east",
            "missing_west",
        )
        return {k: out[k] for k in keys}
