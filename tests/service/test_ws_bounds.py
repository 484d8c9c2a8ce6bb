"""What a websocket may run is bounded as HTTP requests are: subscribes and mutations are rate
limited per client, operations per connection are capped, and an operation's first result has
the request deadline. Over real websockets against a served app."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.settings import Settings
from tests.service.live import serving

SUBSCRIPTION = 'subscription { jobUpdated(id: "x") { status } }'
QUERY = "{ consent { consentLevel } }"
MUTATION = 'mutation { createPortfolio(name: "p") { portfolio { id } userErrors { code } } }'
WAIT = 10.0


@pytest.fixture
def settings(sqlite_settings: Callable[..., Settings]) -> Settings:
    """SQLite only: the database is not what these tests are about."""
    return sqlite_settings(
        rate_limit_subscribes="3/minute",
        rate_limit_mutations="1/minute",
        max_subscriptions_per_connection=2,
    )


@asynccontextmanager
async def socket(settings: Settings, protocol: str) -> AsyncIterator[Any]:
    app: Starlette = create_app(settings)
    async with app.router.lifespan_context(app), serving(app) as base:
        url = base.replace("http", "ws", 1) + "/graphql"
        async with websockets.connect(url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert (await receive(ws))["type"] == "connection_ack"
            yield ws


async def receive(ws: Any) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


async def subscribe(ws: Any, op_id: str, query: str, kind: str = "subscribe") -> None:
    await ws.send(json.dumps({"id": op_id, "type": kind, "payload": {"query": query}}))


async def replies(ws: Any, count: int) -> dict[str, list[Any]]:
    """The next `count` messages, by operation id."""
    seen: dict[str, list[Any]] = {}
    for _ in range(count):
        message = await receive(ws)
        seen.setdefault(message["id"], []).append(message)
    return seen


async def test_subscribes_over_the_rate_limit_are_refused(settings: Settings) -> None:
    roomy = dataclasses.replace(settings, max_subscriptions_per_connection=10)
    async with socket(roomy, "graphql-transport-ws") as ws:
        for n in range(4):
            await subscribe(ws, str(n), QUERY)
        seen = await replies(ws, 3 * 2 + 1)  # three answered (next, complete), one refused
    assert [m["type"] for m in seen["0"]] == ["next", "complete"]
    (refused,) = seen["3"]
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused["payload"][0]["extensions"]["retryAfter"] >= 1


async def test_legacy_subscribes_over_the_rate_limit_are_refused(settings: Settings) -> None:
    roomy = dataclasses.replace(settings, max_subscriptions_per_connection=10)
    async with socket(roomy, "graphql-ws") as ws:
        for n in range(4):
            await subscribe(ws, str(n), SUBSCRIPTION, kind="start")
        refused = None
        while refused is None:  # the three admitted ones answer too, in any order
            message = await receive(ws)
            refused = message if message["id"] == "3" else None
    assert refused["type"] == "error"
    assert refused["payload"]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_mutation_over_a_websocket_counts_against_the_mutation_limit(
    settings: Settings,
) -> None:
    async with socket(settings, "graphql-transport-ws") as ws:
        await subscribe(ws, "a", MUTATION)
        first = await replies(ws, 2)
        await subscribe(ws, "b", MUTATION)
        second = await replies(ws, 2)
    assert first["a"][0]["payload"]["data"]["createPortfolio"]["userErrors"] == []
    assert second["b"][0]["payload"]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_operations_per_connection_are_capped(settings: Settings) -> None:
    async with socket(settings, "graphql-transport-ws") as ws:
        for n in range(3):  # subscriptions stay open: the third is one too many
            await subscribe(ws, str(n), SUBSCRIPTION)
        seen: dict[str, list[Any]] = {}
        while "2" not in seen:
            message = await receive(ws)
            seen.setdefault(message["id"], []).append(message)
    assert seen["2"][0]["type"] == "error"
    assert seen["2"][0]["payload"][0]["extensions"] == {"code": "TOO_MANY_OPERATIONS", "limit": 2}


async def test_a_first_result_later_than_the_request_deadline_is_timeout(
    settings: Settings,
) -> None:
    tight = dataclasses.replace(settings, request_timeout=0.000_001)
    async with socket(tight, "graphql-transport-ws") as ws:
        await subscribe(ws, "1", QUERY)
        (message,) = (await replies(ws, 1))["1"]
        await subscribe(ws, "2", QUERY)  # the socket is still usable, the id released
        (again,) = (await replies(ws, 1))["2"]
    assert message["type"] == again["type"] == "error"
    assert message["payload"][0]["extensions"] == {"code": "TIMEOUT", "timeoutSeconds": 1e-06}
