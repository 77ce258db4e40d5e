"""A loopback TCP proxy that a test can cut and restore, to simulate PostgreSQL or Redis outages.

Stopping the machine's real services would break everybody else using them, so an app node under
test is pointed at this proxy instead. `cut()` drops every open connection and refuses new ones
(exactly what a client sees when the server process dies or the network to it is lost);
`restore()` forwards again. It runs its own asyncio loop in a daemon thread.
"""

import asyncio
import socket
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, listen_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.port: int | None = None
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._cut = False
        self._cut_after: bytes | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.connections_accepted = 0

    # -- control, from the test's thread ----------------------------------------------------
    def start(self) -> "TcpProxy":
        self._thread.start()
        self._call(self._start())
        return self

    def cut(self) -> None:
        self._call(self._set_cut(True))

    def restore(self) -> None:
        self._call(self._set_cut(False))

    def cut_after(self, marker: bytes) -> None:
        """Cut everything right after forwarding client data that contains `marker`.

        For PostgreSQL (without TLS) a statement's text travels in clear, so this drops the
        connection exactly when the app has sent a given statement inside its transaction.
        """
        self._cut_after = marker

    def stop(self) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def is_cut(self) -> bool:
        return self._cut

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    # -- inside the loop --------------------------------------------------------------------
    async def _start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.listen_host, 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._handle, sock=sock)

    async def _set_cut(self, value: bool) -> None:
        self._cut = value
        self._cut_after = None
        if value:
            for writer in list(self._writers):
                _abort(writer)
            self._writers.clear()

    async def _stop(self) -> None:
        await self._set_cut(True)
        if self._server is not None:
            self._server.close()

    async def _handle(self, client_reader, client_writer) -> None:
        if self._cut:
            # Refused: the client sees its connection reset at once.
            _abort(client_writer)
            return
        self.connections_accepted += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _abort(client_writer)
            return
        self._writers.update({client_writer, server_writer})
        await asyncio.gather(
            self._pipe(client_reader, server_writer, upstream=True),
            self._pipe(server_reader, client_writer, upstream=False),
            return_exceptions=True,
        )
        for writer in (client_writer, server_writer):
            self._writers.discard(writer)
            _abort(writer)

    async def _pipe(self, reader, writer, *, upstream: bool) -> None:
        try:
            while data := await reader.read(65536):
                if self._cut:
                    break
                writer.write(data)
                await writer.drain()
                if upstream and self._cut_after and self._cut_after in data:
                    # Let the server execute it inside the open transaction, then cut.
                    await asyncio.sleep(0.3)
                    await self._set_cut(True)
                    break
        finally:
            _abort(writer)


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if transport is not None and not transport.is_closing():
        transport.abort()
