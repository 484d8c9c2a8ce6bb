"""How `artifact-miner serve` runs uvicorn: its timeouts set for hostile clients.

uvicorn (0.54) has a keep-alive timeout (`timeout_keep_alive`, armed only after a response) but
no timeout for a request head: a client that connects and sends nothing, or one header byte
every few seconds, holds the connection for ever (each byte cancels the keep-alive timer).
`HeadTimeoutProtocol` is uvicorn's h11 protocol with one timer more: a request head must be
complete within `head_timeout` seconds of the connection or of the previous response. A client
that sent part of a head is then answered 408 `HEAD_TIMEOUT` (the GraphQL error shape of every
ingest answer) and the connection is closed; an idle connection that sent nothing is closed
without a word, as the keep-alive timeout does, so a client reusing it just as it closes is not
handed an answer to a request it never made.  Bodies are timed by
`ingest.BodyDeadlineMiddleware` inside the app.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from graphql_api.ingest.errors import IngestErrorCode
from graphql_api.ingest.middleware import graphql_error_body
from graphql_api.settings import Settings

__all__ = ["HeadTimeoutProtocol", "ReusePort", "run_workers", "uvicorn_config"]

log = logging.getLogger("uvicorn.error")


class HeadTimeoutProtocol(H11Protocol):
    head_timeout = 10.0  # replaced per server by `protocol_for`

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._head_bytes += len(data)
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the head is in: the body is timed elsewhere
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        self._arm_head_timer()  # before: the next pipelined head may complete in there
        super().on_response_complete()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._cancel_head_timer()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if getattr(self, "_head_timer", None) is not None:
            assert self._head_timer is not None
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        if self._head_bytes:
            self.logger.info("answering 408: no complete request head in time")
            self.transport.write(_head_timeout_answer(self.head_timeout))
        self.transport.close()


def _head_timeout_answer(seconds: float) -> bytes:
    """A whole HTTP/1.1 408 written raw: h11 cannot answer a request whose head it never got."""
    body = graphql_error_body(
        f"the request head did not arrive within {seconds:g} s", IngestErrorCode.HEAD_TIMEOUT
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


def protocol_for(head_timeout: float) -> type[HeadTimeoutProtocol]:
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"head_timeout": head_timeout})


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of `serve`; `options` pass through (host, port, log_level)."""
    return uvicorn.Config(
        app,
        http=protocol_for(settings.head_timeout),
        timeout_keep_alive=settings.keep_alive,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        log_config=None,  # the root logger's handler (ops/logs.py) writes uvicorn's lines too
        ws_max_size=settings.max_json_body_bytes,  # uvicorn's default is 16 MiB a message
        **options,
    )


class ReusePort:
    """The listening socket of one worker process, made in the process it is sent to: a socket
    of its own on the address, with SO_REUSEPORT, so that the kernel spreads new connections
    over the workers (by a hash of their addresses, socket(7)).

    uvicorn's workers share the one socket their parent bound, and the worker that wakes first
    accepts a whole burst of connections (asyncio accepts up to the backlog at once): the 16
    keep-alive connections of one client all went to one of two workers, the other idle
    (bench/dashboard_bench.py: WORKERS=2 served 1.02-1.05x of WORKERS=1). Pickling it, as
    uvicorn's supervisor does to hand its sockets to each worker it spawns, makes the socket
    anew in the worker."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return _reuse_port_socket, (self.host, self.port)


def _bound(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to the address (SO_REUSEADDR, as uvicorn binds), not listening."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    return _bound(host, port, reuse_port=True)


def _free(host: str, port: int) -> int:
    """`port` (a free one when 0) once a socket without SO_REUSEPORT could bind it."""
    with _bound(host, port, reuse_port=False) as probe:
        bound: int = probe.getsockname()[1]
        return bound


def run_workers(config: uvicorn.Config) -> None:
    """uvicorn's supervisor over `config.workers` processes, each listening on a socket of its
    own (ReusePort). The address is bound here first, without SO_REUSEPORT, so that a port in
    use (another server of ours included) fails at once as with one worker; then it is held,
    with SO_REUSEPORT and unlistened (the kernel hands connections to listening sockets only),
    so that no other server joins it while workers come and go."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    try:
        config.port = _free(config.host, config.port)
        held = _reuse_port_socket(config.host, config.port)
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", config.host, config.port, exc.strerror or exc)
        raise SystemExit(STARTUP_FAILURE) from None
    try:
        host, port, workers = config.host, config.port, config.workers
        log.info("Uvicorn running on http://%s:%d, %d workers", host, port, workers)
        Multiprocess(config, sockets=[ReusePort(host, port)]).run()  # type: ignore[list-item]
    finally:
        held.close()
