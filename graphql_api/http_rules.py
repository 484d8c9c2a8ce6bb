"""The HTTP-level rules of /graphql: a small body cap for JSON, a deadline per request, and
refusals in the GraphQL error shape.

- A POST to /graphql that is not multipart is capped at `max_json_body_bytes` (1 MiB): over
  it, 413 PAYLOAD_TOO_LARGE before the body is read (a declared Content-Length) or as soon
  as the count passes it. Multipart uploads keep the upload cap (`max_upload_bytes`).
- A GraphQL request over HTTP runs within `request_timeout` seconds, else TIMEOUT (as a
  GraphQL error). Multipart uploads are left to the upload deadlines.
- Strawberry's own refusals (bad JSON, batching, GET with a mutation) become JSON errors with
  a code; a mutation over GET is 405 with `Allow: POST`; batching stays off (400
  BATCHING_NOT_SUPPORTED).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from graphql_api.ingest import BodySizeLimitMiddleware

log = logging.getLogger("graphql_api.http")

GRAPHQL_PATH = "/graphql"
_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def is_multipart(headers: Headers) -> bool:
    return headers.get("content-type", "").startswith("multipart/")


class JsonBodyLimitMiddleware:
    """The JSON cap for non-multipart requests to /graphql; everything else passes on."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.capped = BodySizeLimitMiddleware(app, max_body_bytes=max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == GRAPHQL_PATH
            and not is_multipart(Headers(scope=scope))
        ):
            await self.capped(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def within_deadline(run: Awaitable[Any], seconds: float, request: Any) -> Any:
    """`run`'s result, or a TIMEOUT result once `seconds` have passed (0: no deadline)."""
    if seconds <= 0 or not isinstance(request, Request) or is_multipart(request.headers):
        return await run
    try:
        async with asyncio.timeout(seconds) as deadline:
            return await run
    except TimeoutError:
        if not deadline.expired():
            raise  # a TimeoutError of the operation's own: not ours to translate
    log.warning("GraphQL request over its deadline of %s s: TIMEOUT", seconds)
    error = GraphQLError(
        f"the request took longer than {seconds} s",
        extensions={"code": "TIMEOUT", "timeoutSeconds": seconds},
    )
    return ExecutionResult(data=None, errors=[error])


def refusal(request: Any, error: HTTPException) -> JSONResponse:
    """Strawberry's HTTPException as a GraphQL-shaped JSON error with a code."""
    status, headers = error.status_code, {}
    if isinstance(error.__cause__, InvalidOperationTypeError) and request.method == "GET":
        status, headers = 405, {"Allow": "POST"}  # GET cannot run a mutation
    code = _CODES.get(status, "BAD_REQUEST")
    if error.reason == "Batching is not enabled":
        code = "BATCHING_NOT_SUPPORTED"
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)
