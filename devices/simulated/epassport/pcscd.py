"""Start a private pcscd whose vsmartcard vpcd reader listens on a chosen port (tests, benchmarks, demos).

Debian's /etc/reader.conf.d/vpcd uses port 35963, inside Linux's ephemeral port range
(32768-60999): any outgoing connection on the machine may hold it and stop vpcd from binding.
A private reader.conf.d with a port below that range avoids the clash.
"""

from __future__ import annotations

import logging
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)

VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
PRIVATE_PORT = 25963
READER = "Virtual PCD 00 00"
_CONF = """FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x{port:04X}
LIBPATH      {driver}
CHANNELID    0x{port:04X}
"""


class PcscdError(RuntimeError):
    """pcscd could not be started with the vpcd reader."""


def vpcd_reader_listed() -> bool:
    from devices.emrtd.errors import TransportError
    from devices.emrtd.pcsc import list_readers

    try:
        return any(r["name"] == READER for r in list_readers())
    except TransportError:
        return False


def start_pcscd(
    conf_dir: str | Path, port: int = PRIVATE_PORT, timeout: float = 10.0
) -> subprocess.Popen:
    """Run `pcscd -f` with a reader.conf.d holding only vpcd on `port`; returns once the reader is listed."""
    conf = Path(conf_dir)
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "vpcd").write_text(_CONF.format(port=port, driver=VPCD_DRIVER))
    proc = subprocess.Popen(
        ["pcscd", "-f", "-e", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + timeout
    while not vpcd_reader_listed():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_pcscd(proc)
            raise PcscdError(f"pcscd did not list {READER!r} (is port {port} free?)")
        time.sleep(0.1)
    logger.info("pcscd %d up with vpcd on port %d", proc.pid, port)
    return proc


def stop_pcscd(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
