"""The cross-site protection that neither Strawberry, Starlette nor uvicorn provides.

A multipart POST is a CORS "simple request": a browser sends it from any origin without a
preflight, and Strawberry executes it. So a multipart request must carry a bearer token or a
header that forces a preflight (`Apollo-Require-Preflight`, `X-Requested-With`, ...); otherwise
it gets 403 CSRF_HEADER_REQUIRED and is never executed.

(Websocket handshakes, which CORS does not cover either, are checked by Strawberry against
`allowed_origins`; see graphql_api/app.py.)
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.ingest.middleware import graphql_error_body
from graphql_api.ingest.routes import PREFLIGHT_HEADERS, has_bearer_or_preflight_header

log = logging.getLogger("graphql_api.security")


class CsrfMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
        await self.app(scope, receive, send)


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/"))
    return False
