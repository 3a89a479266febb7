"""Run a real Mosquitto broker on a free port, for the demo and the tests (kill, restart, wipe)."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from sekisho.report import UserError
from sekisho.stack.net import free_port, wait_for_port

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto" / "sekisho-local.conf"


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise UserError("mosquitto not found: install the Debian package 'mosquitto'")


class Broker:
    """One Mosquitto process with its own config and data directory."""

    def __init__(self, data_dir: Path, port: int | None = None, persistence: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.persistence = persistence
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def conf_path(self) -> Path:
        return self.data_dir / "mosquitto.conf"

    def start(self, timeout: float = 10.0) -> Broker:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = TEMPLATE.read_text().format(
            user=pwd.getpwuid(os.geteuid()).pw_name,
            port=self.port,
            data_dir=self.data_dir,
            persistence="true" if self.persistence else "false",
        )
        self.conf_path.write_text(conf)
        self.proc = subprocess.Popen(
            [mosquitto_binary(), "-c", str(self.conf_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_for_port(self.port, timeout):
            self.stop()
            raise RuntimeError(
                f"mosquitto did not start on port {self.port}; see {self.data_dir}/mosquitto.log"
            )
        return self

    def kill(self) -> None:
        """kill -9: no chance to save anything."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, sig: int) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self, wipe: bool = False) -> None:
        self.stop()
        if wipe:
            (self.data_dir / "mosquitto.db").unlink(missing_ok=True)
        self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None
