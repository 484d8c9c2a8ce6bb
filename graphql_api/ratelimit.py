"""Rate limits on mutations and uploads, per token (per client address without one).

The `limits` library counts hits in a moving window held in memory, so each server process
keeps its own counts (README, "Limits"). A client over a limit gets `RATE_LIMITED` with the
seconds to wait: a GraphQL error for a mutation (over HTTP or a websocket), HTTP 429 with
`Retry-After` for an upload (POST /uploads, or a multipart POST to /graphql, refused before its
body is read), an `error` message for a websocket `subscribe`/`start` (websockets.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator

from graphql import GraphQLError, OperationDefinitionNode, OperationType
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType as Operation

from graphql_api.ingest.middleware import graphql_error_body

log = logging.getLogger("graphql_api.ratelimit")


class RateLimits:
    """The mutation, upload and websocket-subscribe limits of one process ("" turns one off)."""

    def __init__(self, mutations: str, uploads: str, subscribes: str = "") -> None:
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.mutations: RateLimitItem | None = parse(mutations) if mutations else None
        self.uploads: RateLimitItem | None = parse(uploads) if uploads else None
        self.subscribes: RateLimitItem | None = parse(subscribes) if subscribes else None

    async def wait(self, item: RateLimitItem | None, client: str, cost: int = 1) -> int | None:
        """None when the hit is allowed (and counted); else the seconds until it would be."""
        if item is None or await self.limiter.hit(item, client, cost=cost):
            return None
        stats = await self.limiter.get_window_stats(item, client)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def aclose(self) -> None:
        """Stop the storage's expiry task (it runs after hits, on the current loop)."""
        timer = self.storage.timer
        if timer is not None and not timer.done():
            timer.cancel()
            await asyncio.gather(timer, return_exceptions=True)


def client_key(headers: Headers, client: tuple[str, int] | None) -> str:
    """Who is counted: the bearer token's hash, else the client's address."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()
    return "address:" + (client[0] if client else "unknown")


def rate_limited(seconds: int) -> GraphQLError:
    return GraphQLError(
        f"too many requests: retry in {seconds} s",
        extensions={"code": "RATE_LIMITED", "retryAfter": seconds},
    )


class MutationRateLimit(SchemaExtension):
    """Counts each root field of a mutation against the client's mutation limit."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        scope: Scope = getattr(getattr(context.context, "request", None), "scope", {})
        limits = limits_of(scope)
        if limits is not None and context.operation_type is Operation.MUTATION:
            key = client_key(Headers(scope=scope), scope.get("client"))
            seconds = await limits.wait(limits.mutations, key, cost=_root_fields(context))
            if seconds is not None:
                log.info("mutation refused: RATE_LIMITED for %s s", seconds)
                context.result = ExecutionResult(data=None, errors=[rate_limited(seconds)])
        yield


def limits_of(scope: Scope) -> RateLimits | None:
    """The app's limits (none for a schema run outside the app, as in some tests)."""
    app = scope.get("app")
    state = getattr(getattr(app, "state", None), "app_state", None)
    limits = getattr(state, "rate_limits", None)
    return limits if isinstance(limits, RateLimits) else None


def _root_fields(context: ExecutionContext) -> int:
    """How many mutations the operation runs (each root field is one)."""
    document = context.graphql_document
    for definition in document.definitions if document else ():
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.operation is OperationType.MUTATION
            and context.operation_name in (None, definition.name and definition.name.value)
        ):
            return max(1, len(definition.selection_set.selections))
    return 1


class UploadRateLimitMiddleware:
    """Refuses an upload over the client's limit with 429 before its body is read."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_upload(scope):
            key = client_key(Headers(scope=scope), scope.get("client"))
            seconds = await self.limits.wait(self.limits.uploads, key)
            if seconds is not None:
                log.info("upload refused: RATE_LIMITED for %s s", seconds)
                await _send_429(send, seconds)
                return
        await self.app(scope, receive, send)


def _is_upload(scope: Scope) -> bool:
    if scope["method"] != "POST":
        return False
    if scope["path"] == "/uploads":
        return True
    content_type = Headers(scope=scope).get("content-type", "")
    return scope["path"] == "/graphql" and content_type.startswith("multipart/")


async def _send_429(send: Send, seconds: int) -> None:
    body = graphql_error_body(f"too many uploads: retry in {seconds} s", "RATE_LIMITED")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode()),
        (b"connection", b"close"),  # the unread body makes the connection unusable
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["MutationRateLimit", "RateLimits", "UploadRateLimitMiddleware", "client_key"]
