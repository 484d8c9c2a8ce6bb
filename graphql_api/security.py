"""Cross-site protections that neither Strawberry, Starlette nor uvicorn provide.

- A multipart POST is a CORS "simple request": a browser sends it from any origin without a
  preflight, and Strawberry executes it. So a multipart request to /graphql must carry a bearer
  token or a header that forces a preflight (`Apollo-Require-Preflight`, `X-Requested-With`,
  ...); otherwise it gets 403 CSRF_HEADER_REQUIRED and is never executed.
- A websocket handshake is not subject to CORS at all: its Origin is checked here against the
  allowed origins (same host always allowed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.ingest.middleware import graphql_error_body
from graphql_api.ingest.routes import PREFLIGHT_HEADERS, has_bearer_or_preflight_header

log = logging.getLogger("graphql_api.security")


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed_origins = frozenset(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_multipart(scope):
            request = Request(scope)
            if not has_bearer_or_preflight_header(request):
                log.info("multipart request without a preflight header refused")
                message = "a multipart request needs one of these headers: " + ", ".join(
                    PREFLIGHT_HEADERS
                )
                response = Response(
                    graphql_error_body(message, "CSRF_HEADER_REQUIRED"),
                    status_code=403,
                    media_type="application/json",
                )
                await response(scope, receive, send)
                return
        if scope["type"] == "websocket" and not self._origin_allowed(scope):
            log.info("websocket from a foreign origin refused")
            await send({"type": "websocket.close", "code": 4403})
            return
        await self.app(scope, receive, send)

    def _origin_allowed(self, scope: Scope) -> bool:
        headers: dict[bytes, bytes] = dict(scope.get("headers", ()))
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin or origin in self.allowed_origins or "*" in self.allowed_origins:
            return True  # not a browser (scripts send no Origin), or an allowed one
        host = headers.get(b"host", b"").decode("latin-1")
        return urlsplit(origin).netloc == host


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/"))
    return False
