"""API tokens: only their hash is stored; with REQUIRE_AUTH every API request needs one."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import select
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed, InvalidStatus

from graphql_api.app import create_app
from graphql_api.auth import create_token, hash_token, list_tokens, revoke_token
from graphql_api.cli import is_loopback, main
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
    token, _ = await create_token(_db(locked), "ada", "laptop")
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
    token, _ = await create_token(_db(locked), "ada")
    async with _db(locked).read() as session:
        row = (await session.scalars(select(models.ApiToken))).one()
        owner = await session.get(models.Owner, row.owner_id)
    assert row.token_hash == hash_token(token) != token
    assert owner is not None
    assert owner.name == "ada"


async def test_websockets_need_a_token_in_the_handshake_or_in_connection_init(
    locked: Starlette,
) -> None:
    token, _ = await create_token(_db(locked), "ada")
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


def test_cli_prints_a_token_once_and_create_token_still_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["create-token", "ada", "--name", "ci"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("am_")
    assert len(token) > 40


async def test_expired_and_revoked_tokens_are_refused_with_www_authenticate(
    locked: Starlette,
) -> None:
    db = _db(locked)
    live, _ = await create_token(db, "ada", expires_in=timedelta(days=1))
    expired, _ = await create_token(db, "ada", expires_in=timedelta(seconds=-1))
    revoked, revoked_id = await create_token(db, "ada")
    transport = httpx.ASGITransport(app=locked)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

        async def status(token: str) -> httpx.Response:
            return await http.post(
                "/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"}
            )

        assert (await status(revoked)).status_code == 200
        assert await revoke_token(db, revoked_id)
        assert not await revoke_token(db, revoked_id)  # once only
        for token in (expired, revoked):
            refused = await status(token)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
        assert (await status(live)).status_code == 200
    assert (await http_without_token(locked)).headers["www-authenticate"].startswith("Bearer")
    by_id = {t.id: t for t in await list_tokens(db, "ada")}
    assert by_id[revoked_id].revoked_at is not None
    assert by_id[revoked_id].last_used_at is not None  # it was used once
    async with db.read() as session:
        audit = (await session.scalars(select(models.AuditEntry))).all()
    assert sorted((e.operation, e.token_id) for e in audit if e.token_id == revoked_id) == [
        ("token.create", revoked_id),
        ("token.revoke", revoked_id),
    ]


async def http_without_token(app: Starlette) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post("/graphql", json=QUERY)


async def test_without_require_auth_requests_act_for_the_local_owner(
    client: httpx.AsyncClient, db: Database
) -> None:
    create = 'mutation { createPortfolio(name: "mine") { portfolio { id } } }'
    made = await client.post("/graphql", json={"query": create})
    assert made.status_code == 200
    async with db.read() as session:
        owner = (
            await session.scalars(
                select(models.Owner).join(
                    models.Portfolio, models.Portfolio.owner_id == models.Owner.id
                )
            )
        ).one()
    assert owner.name == models.LOCAL_OWNER
    token, _ = await create_token(db, "ada")  # a token still says who: not the local owner
    theirs = await client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})
    assert theirs.json()["data"] == {"portfolios": {"totalCount": 0}}
    mine = await client.post("/graphql", json=QUERY)
    assert mine.json()["data"] == {"portfolios": {"totalCount": 1}}
    bad = await client.post("/graphql", json=QUERY, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401  # a wrong token is never taken for "no token"


def test_cli_creates_lists_and_revokes_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["token", "create", "ada", "--name", "ci", "--expires-in", "30"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("am_")
    assert main(["token", "list", "ada"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    assert header.split("\t")[0] == "id"
    token_id, owner, name, *_, state = row.split("\t")
    assert (owner, name, state) == ("ada", "ci", "live")
    assert token not in row
    assert main(["token", "revoke", token_id]) == 0
    assert main(["token", "revoke", token_id]) == 1
    capsys.readouterr()
    assert main(["token", "list"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[1].endswith("\trevoked")


def test_serve_refuses_a_public_host_without_auth(tmp_path: Path) -> None:
    """The real command, as a subprocess: it exits before anything runs."""
    environment = {**os.environ, "DATA_DIR": str(tmp_path)}
    environment.pop("REQUIRE_AUTH", None)
    environment.pop("ALLOW_ANONYMOUS_REMOTE", None)
    done = subprocess.run(
        [sys.executable, "-m", "graphql_api.cli", "serve", "--host", "0.0.0.0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "REQUIRE_AUTH" in done.stderr
    assert not (tmp_path / "artifact-miner.db").exists()  # refused before anything ran


@pytest.mark.parametrize(
    ("queue", "message"),
    [("redis", "QUEUE must be local or postgres"), ("postgres", "QUEUE=postgres needs")],
)
def test_serve_refuses_a_queue_that_cannot_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    queue: str,
    message: str,
) -> None:
    """An unknown QUEUE, or QUEUE=postgres on SQLite, stops `serve` before anything runs,
    whatever the host."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QUEUE", queue)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["serve", "--insecure-no-auth", "--host", "0.0.0.0"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "artifact-miner.db").exists()


@pytest.mark.parametrize(
    "told", [["--insecure-no-auth"], pytest.param([], id="ALLOW_ANONYMOUS_REMOTE=1")]
)
def test_serve_takes_a_public_host_without_auth_when_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: list[str]
) -> None:
    """Told explicitly, it gets past the check; the port is taken, so it stops at the bind
    (after migrating) instead of serving."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REQUIRE_AUTH", raising=False)
    if not told:
        monkeypatch.setenv("ALLOW_ANONYMOUS_REMOTE", "1")
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        with pytest.raises(SystemExit):  # uvicorn's answer to a port in use
            main(["serve", "--host", "0.0.0.0", "--port", port, *told])
    assert (tmp_path / "artifact-miner.db").exists()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.1", False),
        ("example.com", False),
    ],
)
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


async def test_websocket_origin_is_checked_under_auth(
    settings: Settings,
) -> None:
    app = create_app(
        dataclasses.replace(settings, require_auth=True, allowed_origins=("http://app.example",))
    )
    async with app.router.lifespan_context(app):
        token, _ = await create_token(_db(app), "ada")
        async with serving(app) as base:
            url = base.replace("http", "ws", 1) + "/graphql"
            auth = {"Authorization": f"Bearer {token}"}
            with pytest.raises(InvalidStatus) as refused:
                async with websockets.connect(
                    url,
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                    origin="http://evil.example",  # type: ignore[arg-type]
                    additional_headers=auth,
                ):
                    pass
            assert refused.value.response.status_code == 403
            async with websockets.connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                origin="http://app.example",  # type: ignore[arg-type]
                additional_headers=auth,
            ) as ws:
                await ws.send(json.dumps({"type": "connection_init"}))
                assert json.loads(await ws.recv()) == {"type": "connection_ack"}
