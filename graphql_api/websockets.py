"""Websocket protocol handlers that check a message's shape before Strawberry reads it.

Strawberry's handlers index a `subscribe`/`start` payload as a dict and catch only KeyError, so
a list payload (or a number for `query`) raised TypeError inside the connection's task and
dropped the socket without a word. Here a malformed message is a protocol error, as each
protocol defines one: graphql-transport-ws closes with 4400 and a reason (its spec,
"Invalid message"), the legacy graphql-ws answers an `error` message for the operation id.
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from graphql_api.schema.context import Context

__all__ = ["LegacyWSHandler", "TransportWSHandler", "payload_problem"]


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


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_message(self, message: Any) -> None:
        if isinstance(message, dict) and message.get("type") == "subscribe":
            problem = payload_problem(message, "subscribe")
            if problem is not None:
                await self.handle_invalid_message(f"Invalid message: {problem}")
                return
        await super().handle_message(message)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle_message(self, message: Any) -> None:
        if isinstance(message, dict) and message.get("type") == "start":
            problem = payload_problem(message, "start")
            if problem is not None:
                op_id = message.get("id") if isinstance(message.get("id"), str) else None
                reply: Any = {
                    "type": "error",
                    "id": op_id,
                    "payload": {"message": problem, "extensions": {"code": "BAD_MESSAGE"}},
                }
                await self.send_message(reply)
                return
        await super().handle_message(message)
