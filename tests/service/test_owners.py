"""Owners kept apart: with two tokens, Bob cannot list, read, mutate, export, download,
subscribe to or upload into Ada's portfolio, and every attempt answers exactly what the same
attempt on a random missing ID answers (compared as response bytes)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import event
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.auth import create_token
from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.factories import portfolio_with_projects
from tests.service.live import serving
from tests.service.upload_helpers import post_upload, project_zip

NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($id: ID!) { nodes(ids: [$id]) { id } }"
PORTFOLIO = "query($id: ID!) { portfolio(id: $id) { id name projects { totalCount } } }"
PROJECT = "query($id: ID!) { project(id: $id) { id projectName } }"
JOB = "query($id: ID!) { job(id: $id) { id status } }"
SKILL = "query($name: String!) { skill(name: $name) { name projects { nodes { proficiency } } } }"
LISTS = """{ portfolios { totalCount nodes { id } }
             skills { totalCount nodes { name } } consent { consentLevel } }"""
PAYLOAD = "userErrors { code message field }"
PORTFOLIO_MUTATIONS = [
    f"mutation($id: ID!) {{ remine(portfolioId: $id) {{ job {{ id }} {PAYLOAD} }} }}",
    f"mutation($id: ID!) {{ rankProjects(portfolioId: $id) {{ projects {{ id }} {PAYLOAD} }} }}",
    f"mutation($id: ID!) {{ generateResume(portfolioId: $id) {{ projects {{ id }} {PAYLOAD} }} }}",
    f"mutation($id: ID!) {{ createExport(portfolioId: $id) {{ export {{ id }} {PAYLOAD} }} }}",
    "mutation($id: ID!) { setRepresentationPrefs(portfolioId: $id, prefs: {}) "
    f"{{ prefs {{ hiddenSkills }} {PAYLOAD} }} }}",
    "mutation($id: ID!) { setIdentities(portfolioId: $id, emails: []) "
    f"{{ portfolio {{ id }} {PAYLOAD} }} }}",
]
SUGGESTED = "query($id: ID!) { suggestedIdentities(portfolioId: $id) { email } }"
PROJECT_MUTATIONS = [
    f"mutation($id: ID!) {{ deleteProject(id: $id) {{ project {{ id }} {PAYLOAD} }} }}",
    f"mutation($id: ID!) {{ restoreProject(id: $id) {{ project {{ id }} {PAYLOAD} }} }}",
]
CANCEL = f"mutation($id: ID!) {{ cancelJob(id: $id) {{ job {{ id }} {PAYLOAD} }} }}"
UPLOAD_INTO = f"""mutation($id: ID, $uploads: [String!]) {{
  uploadPortfolio(portfolioId: $id, uploadIds: $uploads) {{ portfolio {{ id }} {PAYLOAD} }} }}"""
AUDIT = "{ auditLog(first: 100) { totalCount nodes { operation objectId outcome tokenId } } }"


@dataclass
class World:
    http: httpx.AsyncClient
    ada: str  # tokens
    bob: str
    portfolio: str  # Ada's global IDs
    project: str
    job: str
    export: str  # the export's download path
    upload: str  # an upload id of Ada's from POST /uploads

    async def ask(self, token: str, query: str, **variables: Any) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def data(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        body = (await self.ask(token, query, **variables)).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


def missing(global_id: str) -> str:
    """A well-formed ID of the same type that names nothing."""
    return ids.encode(ids.decode(global_id)[0], uuid.uuid4().hex)


@pytest.fixture
async def locked(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(dataclasses.replace(settings, require_auth=True))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def world(locked: Starlette) -> AsyncIterator[World]:
    db: Database = locked.state.app_state.ready().db
    ada, _ = await create_token(db, "ada")
    bob, _ = await create_token(db, "bob")
    portfolio = await portfolio_with_projects(db, 2, owner="ada")
    async with db.write() as session:
        job = models.MiningJob(
            portfolio_id=portfolio.id, owner_id=portfolio.owner_id, status="running"
        )
        session.add(job)
    transport = httpx.ASGITransport(app=locked)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        world = World(http, ada, bob, ids.encode("Portfolio", portfolio.id), "", "", "", "")
        world.job = ids.encode("MiningJob", job.uid)
        data = await world.data(ada, PORTFOLIO, id=world.portfolio)
        world.project = (
            await world.data(
                ada, "{ projects: portfolios { nodes { projects { nodes { id } } } } }"
            )
        )["projects"]["nodes"][0]["projects"]["nodes"][0]["id"]
        assert data["portfolio"]["projects"]["totalCount"] == 2
        made = await world.data(
            ada,
            PORTFOLIO_MUTATIONS[3].replace("export { id }", "export { url }"),
            id=world.portfolio,
        )
        world.export = made["createExport"]["export"]["url"]
        uploaded = await post_upload(
            http, project_zip(), headers={"Authorization": f"Bearer {ada}"}
        )
        world.upload = uploaded.json()["uploadId"]
        yield world


async def assert_same_as_missing(
    world: World, query: str, global_id: str, *, ada_sees: bool = True
) -> bytes:
    """Bob asking for Ada's object gets the very bytes he gets for a missing one — and Ada,
    asking the same, gets something else (the test would prove nothing otherwise)."""
    theirs = await world.ask(world.bob, query, id=global_id)
    nothing = await world.ask(world.bob, query, id=missing(global_id))
    assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
    if ada_sees:
        assert (await world.ask(world.ada, query, id=global_id)).content != theirs.content
    return theirs.content


async def test_another_owners_objects_read_as_missing(world: World) -> None:
    consent = "mutation { setConsent(level: CLOUD) { consent { consentLevel } } }"
    await world.data(world.ada, consent)
    answer = 'mutation { answerQuestions(answers: [{key: "email", answer: "ada@example.com"}])'
    await world.data(world.ada, answer + " { questions { key } } }")
    for query, global_id in [
        (NODE, world.portfolio),
        (NODE, world.project),
        (NODE, world.job),
        (NODES, world.portfolio),
        (NODES, world.project),
        (PORTFOLIO, world.portfolio),
        (PROJECT, world.project),
        (JOB, world.job),
    ]:
        body = await assert_same_as_missing(world, query, global_id)
        assert b"null" in body
        assert b"errors" not in body
    body = await assert_same_as_missing(world, SUGGESTED, world.portfolio)
    assert b'"NOT_FOUND"' in body
    lists = await world.data(world.bob, LISTS)
    assert lists == {
        "portfolios": {"totalCount": 0, "nodes": []},
        "skills": {"totalCount": 0, "nodes": []},
        "consent": None,
    }
    assert (await world.data(world.ada, LISTS))["consent"] == {"consentLevel": "CLOUD"}
    ada_skills = await world.data(world.ada, SKILL, name="main-skill-0")
    assert len(ada_skills["skill"]["projects"]["nodes"]) == 2
    assert await world.data(world.bob, SKILL, name="main-skill-0") == {"skill": None}


async def test_another_owners_objects_cannot_be_changed(world: World) -> None:
    before = (await world.ask(world.ada, PORTFOLIO, id=world.portfolio)).content
    for query in PORTFOLIO_MUTATIONS:
        body = await assert_same_as_missing(world, query, world.portfolio)
        assert b'"NOT_FOUND"' in body
    for query in PROJECT_MUTATIONS:
        body = await assert_same_as_missing(world, query, world.project, ada_sees=False)
        assert b'"NOT_FOUND"' in body
    body = await assert_same_as_missing(world, CANCEL, world.job)
    assert b'"NOT_FOUND"' in body
    assert (await world.ask(world.ada, PORTFOLIO, id=world.portfolio)).content == before
    lists = await world.data(world.ada, "{ portfolios { nodes { latestJob { status } } } }")
    assert lists["portfolios"]["nodes"] == [{"latestJob": {"status": "RUNNING"}}]


async def test_another_owners_uploads_and_portfolio_cannot_be_used(world: World) -> None:
    # Ada's upload id in Bob's hands is an unknown upload id.
    theirs = await world.ask(world.bob, UPLOAD_INTO, uploads=[world.upload])
    nothing = await world.ask(world.bob, UPLOAD_INTO, uploads=[uuid.uuid4().hex])
    assert theirs.content == nothing.content
    assert b'"UPLOAD_NOT_FOUND"' in theirs.content
    # Bob's own upload into Ada's portfolio: as into a portfolio that does not exist.
    own = await post_upload(
        world.http, project_zip(), headers={"Authorization": f"Bearer {world.bob}"}
    )
    bobs = [own.json()["uploadId"]]
    into = await world.ask(world.bob, UPLOAD_INTO, id=world.portfolio, uploads=bobs)
    into_nothing = await world.ask(
        world.bob, UPLOAD_INTO, id=missing(world.portfolio), uploads=bobs
    )
    assert into.content == into_nothing.content
    assert b'"NOT_FOUND"' in into.content
    # Bob's upload used in a new portfolio of his own works.
    mine = await world.data(world.bob, UPLOAD_INTO, uploads=bobs)
    assert mine["uploadPortfolio"]["userErrors"] == []


async def test_another_owners_export_cannot_be_downloaded(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.bob}"}
    theirs = await world.http.get(world.export, headers=headers)
    nothing = await world.http.get(f"/exports/{uuid.uuid4().hex}", headers=headers)
    assert (theirs.status_code, theirs.content) == (404, nothing.content)
    mine = await world.http.get(world.export, headers={"Authorization": f"Bearer {world.ada}"})
    assert mine.status_code == 200


async def _first_message(base: str, token: str, query: str, global_id: str) -> Any:
    url = base.replace("http", "ws", 1) + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        payload = {"query": query, "variables": {"id": global_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        return json.loads(await ws.recv())


async def test_another_owners_progress_cannot_be_subscribed_to(
    locked: Starlette, world: World
) -> None:
    progress = "subscription($id: ID!) { rankingProgress(portfolioId: $id) { status } }"
    updates = "subscription($id: ID!) { jobUpdated(id: $id) { status } }"
    async with serving(locked) as base:
        for query, global_id in ((progress, world.portfolio), (updates, world.job)):
            theirs = await _first_message(base, world.bob, query, global_id)
            nothing = await _first_message(base, world.bob, query, missing(global_id))
            assert theirs == nothing
            assert theirs["payload"]["data"] is None
            assert theirs["payload"]["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
            ada = await _first_message(base, world.ada, query, global_id)
            assert "errors" not in ada["payload"]


async def test_audit_log_holds_each_owners_own_entries(world: World) -> None:
    await world.ask(world.bob, PORTFOLIO_MUTATIONS[0], id=world.portfolio)  # refused
    await world.ask(world.ada, PORTFOLIO_MUTATIONS[4], id=world.portfolio)  # done
    ada = (await world.data(world.ada, AUDIT))["auditLog"]
    bob = (await world.data(world.bob, AUDIT))["auditLog"]
    ada_ops = [(e["operation"], e["outcome"]) for e in ada["nodes"]]
    bob_ops = [(e["operation"], e["outcome"]) for e in bob["nodes"]]
    # Newest first: Ada's prefs, her upload, her export, her token.
    assert ada_ops == [
        ("setRepresentationPrefs", "ok"),
        ("upload", "ok"),
        ("createExport", "ok"),
        ("token.create", "ok"),
    ]
    assert bob_ops == [("remine", "NOT_FOUND"), ("token.create", "ok")]
    assert bob["nodes"][0]["objectId"] == world.portfolio
    assert ada["nodes"][1]["objectId"] == world.upload
    assert len({e["tokenId"] for e in ada["nodes"]}) == 1
    assert ada["nodes"][0]["tokenId"] != bob["nodes"][0]["tokenId"]


async def test_audit_log_pages_by_keyset(world: World) -> None:
    for _ in range(3):
        await world.ask(world.ada, PORTFOLIO_MUTATIONS[4], id=world.portfolio)
    query = """query($after: String) { auditLog(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { operation } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await world.data(world.ada, query, after=after))["auditLog"]
        seen += [e["operation"] for e in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert page["totalCount"] == len(seen) == 6
    assert seen[:3] == ["setRepresentationPrefs"] * 3


async def test_a_mutations_change_and_its_audit_entry_are_one_commit(
    world: World, locked: Starlette
) -> None:
    """Recorded off the real engine: the statements of every committed transaction."""
    engine = locked.state.app_state.ready().db.engine.sync_engine
    open_: dict[int, list[str]] = {}
    committed: list[list[str]] = []

    def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        open_.setdefault(id(conn), []).append(statement.split("(")[0].strip().upper())

    def commit(conn: Any) -> None:
        committed.append(open_.pop(id(conn), []))

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", commit)
    try:
        await world.data(world.ada, PROJECT_MUTATIONS[0], id=world.project)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", commit)
    changes = [t for t in committed if any(s.startswith("UPDATE REPO_STATS") for s in t)]
    assert len(changes) == 1
    assert "INSERT INTO AUDIT_LOG" in changes[0]  # the deletion and its entry, one commit
    entry = (await world.data(world.ada, AUDIT))["auditLog"]["nodes"][0]
    assert (entry["operation"], entry["objectId"], entry["outcome"]) == (
        "deleteProject",
        world.project,
        "ok",
    )
