"""A request body cap for any ASGI app.

Neither uvicorn, Starlette nor Strawberry limits the size of a request body, and a multipart
GraphQL upload is spooled to disk by the form parser before any resolver sees it.  This pure
ASGI middleware refuses bodies over ``max_body_bytes`` with a GraphQL-shaped 413:

    {"errors": [{"message": "...", "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}

- A ``Content-Length`` over the limit is answered at once; the body is never read.
- Otherwise (chunked bodies, or a Content-Length that lies) the bytes of ``http.request``
  messages are counted.  Once over the limit the app's next ``receive()`` raises
  ``BodyTooLarge`` (the body is not passed on), whatever the app then sends is dropped, and the
  413 is sent in its place.  If the app had already started its response, the 413 cannot be
  sent and the error propagates so the server aborts the connection.
- ``paths``: path prefixes the cap applies to (segment-wise: "/graphql" matches "/graphql" and
  "/graphql/x", not "/graphqlx"); ``None`` caps every path.
- WebSocket and lifespan scopes pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.ingest.errors import IngestErrorCode

__all__ = ["BodySizeLimitMiddleware", "BodyTooLarge", "GuardedRequest", "graphql_error_body"]


class BodyTooLarge(Exception):
    """Raised from ``receive()`` once the body passed the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes")
        self.limit = limit


class BodySizeLimitMiddleware:
    def __init__(
        self, app: ASGIApp, max_body_bytes: int, paths: Iterable[str] | None = None
    ) -> None:
        if max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be >= 0, got {max_body_bytes!r}")
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.paths = None if paths is None else tuple(p.rstrip("/") for p in paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _send_413(send, self.max_body_bytes)
            return
        await _LimitedRequest(self.max_body_bytes, receive, send).run(self.app, scope)

    def _applies(self, path: str) -> bool:
        if self.paths is None:
            return True
        return any(path == p or path.startswith(p + "/") or p == "" for p in self.paths)


class GuardedRequest:
    """One request whose ``receive()`` may refuse the body by raising ``self.failure``.

    From then on what the app sends is dropped and ``answer()`` goes out in its place once the
    app is done; if the app had already started its response, the failure propagates so the
    server aborts the connection.  Subclasses provide ``receive`` and ``answer``.
    """

    def __init__(self, receive: Receive, send: Send) -> None:
        self.failure: Exception | None = None
        self.response_started = False
        self._receive = receive
        self._send = send

    async def run(self, app: ASGIApp, scope: Scope) -> None:
        try:
            await app(scope, self.receive, self.send)
        except Exception:
            # The app may turn the failure into anything (Starlette's ServerErrorMiddleware
            # re-raises it after a 500, which send() dropped); only a started response is final.
            if self.failure is None or self.response_started:
                raise
        if self.failure is not None and not self.response_started:
            await self.answer(self._send)

    async def receive(self) -> Message:
        raise NotImplementedError

    async def answer(self, send: Send) -> None:
        raise NotImplementedError

    async def send(self, message: Message) -> None:
        if self.failure is not None and not self.response_started:
            return  # the answer goes out instead, once the app is done
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)


class _LimitedRequest(GuardedRequest):
    """One request's counting ``receive``: over the limit, a 413."""

    def __init__(self, limit: int, receive: Receive, send: Send) -> None:
        super().__init__(receive, send)
        self.limit = limit
        self.received = 0

    async def receive(self) -> Message:
        if self.failure is not None:
            raise self.failure
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.failure = BodyTooLarge(self.limit)
                raise self.failure
        return message

    async def answer(self, send: Send) -> None:
        await _send_413(send, self.limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server's HTTP parser answers malformed framing itself
    return None


def graphql_error_body(message: str, code: str) -> bytes:
    """The JSON error shape every ingest HTTP answer uses, so clients parse one format."""
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()


async def _send_413(send: Send, limit: int) -> None:
    body = graphql_error_body(
        f"request body is larger than {limit} bytes", IngestErrorCode.PAYLOAD_TOO_LARGE
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The unread rest of the body makes the connection unusable for another request.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
