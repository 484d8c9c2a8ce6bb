"""API tokens: only their hash is stored; with REQUIRE_AUTH every API request needs one."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import select
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from graphql_api.app import create_app
from graphql_api.auth import create_token, hash_token
from graphql_api.cli import main
from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.settings import Settings
from tests.service.live import serving

QUERY = {"query": "{ portfolios { totalCount } }"}


@pytest.fixture
async def locked(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(dataclasses.replace(settings, require_auth=True))
    async with app.router.lifespan_context(app):
        yield app


def _db(app: Starlette) -> Database:
    db: Database = app.state.app_state.ready().db
    return db


async def test_requests_need_a_live_token(locked: Starlette) -> None:
    token = await create_token(_db(locked), "ada", "laptop")
    transport = httpx.ASGITransport(app=locked)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        anonymous = await http.post("/graphql", json=QUERY)
        forged = await http.post("/graphql", json=QUERY, headers={"Authorization": "Bearer x"})
        allowed = await http.post(
            "/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"}
        )
        health = await http.get("/healthz")
        upload = await http.post("/uploads", content=b"PK\x05\x06" + bytes(18))
    for refused in (anonymous, forged, upload):
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert allowed.json()["data"] == {"portfolios": {"totalCount": 0}}
    assert health.status_code == 200


async def test_only_the_hash_is_stored(locked: Starlette) -> None:
    token = await create_token(_db(locked), "ada")
    async with _db(locked).read() as session:
        row = (await session.scalars(select(models.ApiToken))).one()
        owner = await session.get(models.Owner, row.owner_id)
    assert row.token_hash == hash_token(token) != token
    assert owner is not None
    assert owner.name == "ada"


async def test_websockets_need_a_token_in_the_handshake_or_in_connection_init(
    locked: Starlette,
) -> None:
    token = await create_token(_db(locked), "ada")
    async with serving(locked) as base:
        url = base.replace("http", "ws", 1) + "/graphql"
        for payload, accepted in (({}, False), ({"authorization": f"Bearer {token}"}, True)):
            async with websockets.connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            ) as ws:
                await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
                if accepted:
                    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
                else:
                    with pytest.raises(ConnectionClosed) as closed:
                        await ws.recv()
                    assert closed.value.rcvd is not None
                    assert closed.value.rcvd.code == 4403


def test_cli_prints_a_token_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["create-token", "ada", "--name", "ci"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("am_")
    assert len(token) > 40
