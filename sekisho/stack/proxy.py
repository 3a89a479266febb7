"""A TCP proxy that can cut a link silently, for partition tests and outage rehearsals.

`cut()` makes the link a black hole: existing connections stay open but carry nothing, and new
ones are accepted but never forwarded, as a failed WAN link or a dead router does. Only the
client's keepalive can notice. `heal()` drops the dead connections and forwards again. All
proxies of a process share one event loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from sekisho.stack.net import free_port

logger = logging.getLogger(__name__)

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _shared_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="proxy-loop", daemon=True).start()
        return _loop


class Proxy:
    """127.0.0.1:<port> -> 127.0.0.1:<target_port>."""

    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self.is_cut = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.base_events.Server | None = None
        self._loop = _shared_loop()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def start(self) -> Proxy:
        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

        self._call(start())
        return self

    def stop(self) -> None:
        async def stop() -> None:
            if self._server:
                self._server.close()
            self._drop_all()

        self._call(stop())

    def cut(self) -> None:
        self.is_cut = True

    def heal(self) -> None:
        async def heal() -> None:
            self.is_cut = False
            self._drop_all()

        self._call(heal())

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self.is_cut:
            return  # accepted, never answered: the client must time out on its own
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.is_cut:
                    continue  # black hole: read and discard, send nothing, close nothing
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not self.is_cut:
                with contextlib.suppress(OSError, RuntimeError):
                    writer.transport.abort()
