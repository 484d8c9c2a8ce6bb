"""The outermost middleware: a request id for every request (and websocket), its latency.

The id is the client's `X-Request-ID` when it is a short token of safe characters (a proxy in
front may have set it), else a new one; it is sent back in `X-Request-ID` and is on every log
line written while the request runs (`logs.REQUEST_ID`).
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.ops import logs
from graphql_api.ops.metrics import REQUEST_SECONDS

__all__ = ["RequestIdMiddleware", "route_of"]

HEADER = "x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
_ROUTES = ("/graphql", "/uploads", "/healthz", "/readyz", "/metrics")


def route_of(path: str) -> str:
    """The route template of a path: a label that never carries an id."""
    if path in _ROUTES:
        return path
    if path.startswith("/exports/"):
        return "/exports/{uid}"
    if path.startswith("/thumbnails/"):
        return "/thumbnails/{uid}"
    if path.startswith("/portfolios/") and "/cards/" in path:
        return "/portfolios/{uid}/cards/{card}"
    if path.startswith("/graphiql/"):
        return "/graphiql/{file}"
    return "other"


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(HEADER, "")
        request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        token = logs.REQUEST_ID.set(request_id)
        if scope["type"] == "websocket":  # long-lived: no latency to speak of
            await self.app(scope, receive, send)
        else:
            await self._timed(scope, receive, send, request_id)
        # Not reset when the app raised: the server's "Exception in ASGI application" line,
        # written outside every middleware, still names the request (uvicorn runs each
        # request in a task of its own, so the id goes no further).
        logs.REQUEST_ID.reset(token)

    async def _timed(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            REQUEST_SECONDS.labels(scope["method"], route_of(scope["path"]), str(status)).observe(
                time.perf_counter() - started
            )
