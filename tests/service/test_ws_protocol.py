"""Malformed subscription messages over real websockets: a protocol error as each protocol
defines one (graphql-transport-ws: close 4400 with a reason; graphql-ws: an `error` message),
never INTERNAL and never a dropped socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import websockets
from starlette.applications import Starlette

from graphql_api.settings import Settings
from tests.service.live import serving

SUBSCRIPTION = 'subscription { jobUpdated(id: "x") { status } }'
WAIT = 10.0


@pytest.fixture
def settings(sqlite_settings: Callable[..., Settings]) -> Settings:
    """SQLite only: the database is not what these tests are about."""
    return sqlite_settings()


@pytest.fixture
async def ws_url(app: Starlette) -> AsyncIterator[str]:
    async with serving(app) as base:
        yield base.replace("http", "ws", 1) + "/graphql"


async def exchange(url: str, protocol: str, message: dict[str, Any]) -> tuple[Any, Any]:
    """Send `message` after the handshake: the next message the server sends (None when it
    closed instead) and the close code and reason (None when it stayed open)."""
    async with websockets.connect(url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["type"] == "connection_ack"
        await ws.send(json.dumps(message))
        try:
            reply = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        except websockets.ConnectionClosed:
            return None, (ws.close_code, ws.close_reason)
        return reply, None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([1, 2], "Invalid message: the payload of a subscribe message must be an object"),
        ({"query": 42}, "Invalid message: payload.query must be a string"),
        (
            {"query": SUBSCRIPTION, "variables": [1]},
            "Invalid message: payload.variables must be an object",
        ),
        ({"query": SUBSCRIPTION, "operationName": "Nope"}, 'Unknown operation named "Nope".'),
    ],
    ids=["list-payload", "number-query", "list-variables", "wrong-operation-name"],
)
async def test_graphql_transport_ws_closes_4400(ws_url: str, payload: Any, reason: str) -> None:
    message = {"id": "1", "type": "subscribe", "payload": payload}
    reply, closed = await exchange(ws_url, "graphql-transport-ws", message)
    assert (reply, closed) == (None, (4400, reason))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            [1, 2],
            {
                "message": "the payload of a start message must be an object",
                "extensions": {"code": "BAD_MESSAGE"},
            },
        ),
        (
            {"query": SUBSCRIPTION, "operationName": "Nope"},
            {"message": 'Unknown operation named "Nope".'},
        ),
    ],
    ids=["list-payload", "wrong-operation-name"],
)
async def test_legacy_graphql_ws_answers_an_error(ws_url: str, payload: Any, expected: Any) -> None:
    message = {"id": "1", "type": "start", "payload": payload}
    reply, closed = await exchange(ws_url, "graphql-ws", message)
    assert closed is None
    assert reply["type"] == "error"
    assert reply["id"] == "1"
    assert {k: v for k, v in reply["payload"].items() if k != "locations"} == expected
