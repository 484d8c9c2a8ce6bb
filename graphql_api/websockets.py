"""Websocket protocol handlers that check a message's shape before Strawberry reads it, and
bound what a websocket may run as HTTP requests are bounded.

Strawberry's handlers index a `subscribe`/`start` payload as a dict and catch only KeyError, so
a list payload (or a number for `query`) raised TypeError inside the connection's task and
dropped the socket without a word. Here a malformed message is a protocol error, as each
protocol defines one: graphql-transport-ws closes with 4400 and a reason (its spec,
"Invalid message"), the legacy graphql-ws answers an `error` message for the operation id.

Bounds: each `subscribe`/`start` counts against the client's RATE_LIMIT_SUBSCRIBES (over it:
an `error` message with code RATE_LIMITED and `retryAfter`); a mutation sent over a websocket
counts against RATE_LIMIT_MUTATIONS like one over HTTP (ratelimit.MutationRateLimit); at most
MAX_SUBSCRIPTIONS_PER_CONNECTION operations run at once on one socket (over it: an `error`
message, code TOO_MANY_OPERATIONS; Strawberry's own check has no code); and over
graphql-transport-ws the first result of every operation (a query's or mutation's only one, a
subscription's current snapshot) must come within REQUEST_TIMEOUT, or the operation ends with
an `error` message, code TIMEOUT. (The legacy graphql-ws runs subscriptions only; their first
result, the snapshot, is one indexed read.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from graphql import GraphQLError
from starlette.datastructures import Headers
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from graphql_api.ratelimit import client_key, limits_of, rate_limited
from graphql_api.schema.context import Context

__all__ = ["LegacyWSHandler", "TransportWSHandler", "payload_problem"]

log = logging.getLogger("graphql_api.websockets")


def payload_problem(message: Any, kind: str) -> str | None:
    """Why a `subscribe` (or legacy `start`) message cannot be run; None when it can."""
    if not isinstance(message.get("id"), str):
        return f"a {kind} message needs a string id"
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return f"the payload of a {kind} message must be an object"
    if not isinstance(payload.get("query"), str):
        return "payload.query must be a string"
    if not isinstance(payload.get("variables") or {}, dict):
        return "payload.variables must be an object"
    if not isinstance(payload.get("operationName") or "", str):
        return "payload.operationName must be a string"
    return None


_BAD_MESSAGE = {"code": "BAD_MESSAGE"}


async def _refusal(
    handler: TransportWSHandler | LegacyWSHandler, running: int
) -> GraphQLError | None:
    """Why a subscribe may not run (`running` operations run on its socket); None if it may."""
    cap = handler.max_subscriptions_per_connection
    if cap is not None and running >= cap:
        return GraphQLError(
            f"at most {cap} operations may run at once on one websocket",
            extensions={"code": "TOO_MANY_OPERATIONS", "limit": cap},
        )
    scope = handler.context.request.scope
    limits = limits_of(scope)
    if limits is None:
        return None
    key = client_key(Headers(scope=scope), scope.get("client"))
    seconds = await limits.wait(limits.subscribes, key)
    return None if seconds is None else rate_limited(seconds)


class _FirstResultLate(Exception):
    pass


async def _first_within(source: AsyncIterator[Any], seconds: float) -> AsyncGenerator[Any, None]:
    """`source`, whose first item must come within `seconds` (0: no bound)."""
    if seconds > 0:
        try:
            async with asyncio.timeout(seconds):
                first = await anext(source)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _FirstResultLate from None
        yield first
    async for item in source:
        yield item


def _late(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"the operation's first result took longer than {seconds} s",
        extensions={"code": "TIMEOUT", "timeoutSeconds": seconds},
    )


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_task_exception(self, error: Exception) -> None:
        # A client that closes its socket while an operation's last message is on its way
        # (it read the final ranking and left without waiting for `complete`) has left: no
        # error of ours, where Strawberry (0.341) logs it at ERROR with three tracebacks.
        if isinstance(error, WebSocketDisconnected):
            log.debug("the client left before operation messages reached it")
            return
        await super().handle_task_exception(error)

    async def handle_message(self, message: Any) -> None:
        if isinstance(message, dict) and message.get("type") == "subscribe":
            problem = payload_problem(message, "subscribe")
            if problem is not None:
                await self.handle_invalid_message(f"Invalid message: {problem}")
                return
            # Before connection_init was acknowledged Strawberry closes the socket (4401).
            refused = self.connection_acknowledged and await _refusal(self, len(self.operations))
            if refused:
                reply: Any = {"id": message["id"], "type": "error", "payload": [refused.formatted]}
                await self.send_message(reply)
                return
        await super().handle_message(message)

    async def _send_result_stream(self, operation: Operation[Context, None], source: Any) -> None:
        # Strawberry's own loop over an operation's results (0.341), its first result timed.
        seconds = self.context.settings.request_timeout
        try:
            await super()._send_result_stream(operation, _first_within(source, seconds))
        except _FirstResultLate:
            await operation.send_initial_errors([_late(seconds)])


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle_message(self, message: Any) -> None:
        if isinstance(message, dict) and message.get("type") == "start":
            problem = payload_problem(message, "start")
            error = None if problem is None else GraphQLError(problem, extensions=_BAD_MESSAGE)
            if error is None and self.connection_acknowledged:
                error = await _refusal(self, len(self.tasks))
            if error is not None:
                op_id = message.get("id") if isinstance(message.get("id"), str) else None
                reply: Any = {
                    "type": "error",
                    "id": op_id,
                    "payload": {"message": error.message, "extensions": error.extensions},
                }
                await self.send_message(reply)
                return
        await super().handle_message(message)
