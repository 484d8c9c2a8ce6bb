"""A total deadline and a minimum rate for request bodies, for any ASGI app.

uvicorn never times out a request body: a client that sends a byte a minute holds a
connection, a worker's form parser and a partial file for as long as it likes.  This pure ASGI
middleware wraps ``receive()`` so that the body must arrive

- whole within ``deadline`` seconds of the request head (code UPLOAD_TIMEOUT), and
- at ``min_rate`` bytes per second or more on average, counted from the head once ``grace``
  seconds have passed (code UPLOAD_TOO_SLOW),

and answers a GraphQL-shaped 408 with ``Connection: close`` otherwise.  The checks are timers,
not polls: each ``receive()`` waits at most until the moment the body would be late, so a
stalled client is cut off on time even if it never sends another byte.  As with
``BodySizeLimitMiddleware``, the app sees an exception from ``receive()`` (``BodyTimeout``),
whatever it then sends is dropped, and the 408 goes out in its place; a response already
started cannot be replaced and the error propagates.  Only ``paths`` (segment-wise prefixes)
and methods with a body are timed; WebSocket and lifespan scopes pass through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.ingest.errors import IngestErrorCode
from graphql_api.ingest.middleware import GuardedRequest, graphql_error_body

__all__ = ["BodyDeadlineMiddleware", "BodyTimeout"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodyTimeout(Exception):
    """Raised from ``receive()`` once the body is late or too slow."""

    def __init__(self, code: IngestErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BodyDeadlineMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        deadline: float,
        min_rate: float,
        grace: float,
        paths: Iterable[str] | None = None,
    ) -> None:
        if deadline <= 0 or min_rate < 0 or grace < 0:
            raise ValueError("deadline must be > 0, min_rate and grace >= 0")
        self.app = app
        self.deadline = deadline
        self.min_rate = min_rate
        self.grace = grace
        self.paths = None if paths is None else tuple(p.rstrip("/") for p in paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if self.paths is not None and not any(
            scope["path"] == p or scope["path"].startswith(p + "/") for p in self.paths
        ):
            await self.app(scope, receive, send)
            return
        await _TimedRequest(self, receive, send).run(self.app, scope)


class _TimedRequest(GuardedRequest):
    """One request's timed ``receive``: late, a 408."""

    failure: BodyTimeout | None

    def __init__(self, limits: BodyDeadlineMiddleware, receive: Receive, send: Send) -> None:
        super().__init__(receive, send)
        self.limits = limits
        self.loop = asyncio.get_running_loop()
        self.start = self.loop.time()
        self.received = 0
        self.complete = False  # the whole body has arrived: nothing more to time

    async def receive(self) -> Message:
        if self.failure is not None:
            raise self.failure
        if self.complete:
            return await self._receive()
        try:
            message = await asyncio.wait_for(self._receive(), self._wait())
        except TimeoutError:
            self.failure = self._late()
            raise self.failure from None
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        return message

    async def answer(self, send: Send) -> None:
        assert self.failure is not None
        await _send_408(send, self.failure)

    def _wait(self) -> float:
        """Seconds until the body is late: the deadline, or the moment its average rate
        falls under the minimum (never before the grace period ends)."""
        limits = self.limits
        due = self.start + limits.deadline
        if limits.min_rate > 0:
            due = min(due, self.start + max(limits.grace, self.received / limits.min_rate))
        return max(due - self.loop.time(), 0.0)

    def _late(self) -> BodyTimeout:
        elapsed = self.loop.time() - self.start
        limits = self.limits
        if elapsed >= limits.deadline:
            return BodyTimeout(
                IngestErrorCode.UPLOAD_TIMEOUT,
                f"the request body did not arrive within {limits.deadline:g} s",
            )
        return BodyTimeout(
            IngestErrorCode.UPLOAD_TOO_SLOW,
            f"the request body arrived at {self.received / max(elapsed, 1e-9):.0f} bytes/s, "
            f"under the minimum of {limits.min_rate:g} bytes/s",
        )


async def _send_408(send: Send, failure: BodyTimeout) -> None:
    body = graphql_error_body(failure.message, failure.code)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body will not be read
    ]
    await send({"type": "http.response.start", "status": 408, "headers": headers})
    await send({"type": "http.response.body", "body": body})
