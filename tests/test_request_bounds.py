"""A request holds at most one pooled connection at a time, whatever it asks for; other
clients are served meanwhile; a request that runs too long answers TIMEOUT."""

from __future__ import annotations

import asyncio
import contextvars
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from graphql_api.app import create_app
from graphql_api.db.engine import Database
from graphql_api.db.models import Owner, Portfolio
from graphql_api.settings import Settings
from tests.factories import portfolio_with_projects

WIDE = """{ portfolios(first: 2) { nodes { name latestJob { id } projects(first: 20) { nodes {
  projectName portfolio { name }
  skills(first: 4) { nodes { weight skill { name projects(first: 4) { nodes { weight } } } } }
  evidence(first: 5) { nodes { content } } resumeItems(first: 3) { nodes { title } }
  userStats(first: 2) { nodes { userEmail } } userSkills(first: 2) { nodes { level } } } } } } }"""

SMALL = "{ portfolios(first: 1) { totalCount } }"

client_name: contextvars.ContextVar[str] = contextvars.ContextVar("client_name", default="-")


class PoolWatch:
    """Connections checked out of the engine's pool, per client (a context variable set by
    the task that sends the request; SQLAlchemy carries it into its greenlets)."""

    def __init__(self) -> None:
        self.out: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.owners: dict[int, str] = {}
        self.events: list[tuple[str, str]] = []
        self.first_checkout: dict[str, asyncio.Event] = {}

    def checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        name = client_name.get()
        self.owners[id(record)] = name
        self.out[name] += 1
        self.peak[name] = max(self.peak[name], self.out[name])
        self.events.append(("checkout", name))
        self.first_checkout.setdefault(name, asyncio.Event()).set()

    def checkin(self, _dbapi: Any, record: Any) -> None:
        name = self.owners.pop(id(record), "-")
        self.out[name] -= 1
        self.events.append(("checkin", name))

    def started(self, name: str) -> asyncio.Event:
        return self.first_checkout.setdefault(name, asyncio.Event())


@contextmanager
def watching(db: Database) -> Iterator[PoolWatch]:
    watch = PoolWatch()
    pool = db.engine.sync_engine.pool
    event.listen(pool, "checkout", watch.checkout)
    event.listen(pool, "checkin", watch.checkin)
    try:
        yield watch
    finally:
        event.remove(pool, "checkout", watch.checkout)
        event.remove(pool, "checkin", watch.checkin)


async def post(client: httpx.AsyncClient, name: str, query: str) -> dict[str, Any]:
    client_name.set(name)  # this task's context, copied into every task the request starts
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body


async def test_a_wide_nested_query_holds_one_connection_at_a_time(
    db: Database, client: httpx.AsyncClient
) -> None:
    for name in ("a", "b"):
        await portfolio_with_projects(db, 20, skills_per_project=4, name=name)
    with watching(db) as watch:
        wide = asyncio.create_task(post(client, "wide", WIDE))
        await watch.started("wide").wait()
        small = await post(client, "small", SMALL)
        finished_while_wide_ran = not wide.done()
        body = await wide
    projects = body["data"]["portfolios"]["nodes"][0]["projects"]["nodes"]
    assert len(projects) == 20
    assert len(projects[0]["skills"]["nodes"][0]["skill"]["projects"]["nodes"]) == 4
    assert small["data"] == {"portfolios": {"totalCount": 2}}
    # The wide query's many turns (a session each, or one handed on while others waited)
    # never held two connections at once.
    assert watch.peak == Counter({"wide": 1, "small": 1})
    # The small query was not queued behind it: it was answered while the wide one still ran,
    # and the wide one went on using the pool after the small one had its connection back.
    assert finished_while_wide_ran
    last_small = max(i for i, e in enumerate(watch.events) if e == ("checkin", "small"))
    assert ("checkin", "wide") in watch.events[last_small:]
    assert watch.out == Counter({"wide": 0, "small": 0})


async def test_a_nested_session_in_one_task_is_an_error_not_a_hang(db: Database) -> None:
    request_db = db.serialised()
    async with request_db.read():
        with pytest.raises(RuntimeError, match="already open"):
            async with request_db.read():
                pass
    async with request_db.read():  # the gate is free again
        pass


@pytest.fixture
def impatient_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, request_timeout=0.000_001
    )


async def test_a_request_over_its_deadline_answers_timeout(impatient_settings: Settings) -> None:
    app = create_app(impatient_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post("/graphql", json={"query": SMALL})
        db: Database = app.state.app_state.ready().db
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.json()["errors"] == [
        {
            "message": "the request took longer than 1e-06 s",
            "extensions": {"code": "TIMEOUT", "timeoutSeconds": 1e-06},
        }
    ]


async def test_read_turns_queued_together_share_one_session(db: Database) -> None:
    """Turns that wait while another reads take its session in turn (one BEGIN and one
    rollback for all of them); the last closes it, so the request keeps no connection."""
    request_db = db.serialised()
    sessions: list[object] = []

    async def read() -> None:
        async with request_db.read() as session:
            sessions.append(session)
            await session.execute(select(func.count()).select_from(Portfolio))

    await asyncio.gather(*(read() for _ in range(3)))
    assert len(sessions) == 3
    assert len(set(map(id, sessions))) == 1
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    await read()  # alone: a session of its own
    assert sessions[3] is not sessions[0]
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_write_turn_ends_the_shared_read_session(db: Database) -> None:
    """A read queued after a write sees what it wrote: the write closes the session the
    reads before it would have handed on."""
    request_db = db.serialised()
    sessions: list[object] = []
    counts: list[int | None] = []

    async def read() -> None:
        async with request_db.read() as session:
            sessions.append(session)
            counts.append(await session.scalar(select(func.count()).select_from(Portfolio)))

    async def write() -> None:
        async with request_db.write() as session:
            session.add(Portfolio(id="p-written", name="written", owner_id=await _owner(db)))

    await asyncio.gather(read(), write(), read())
    assert sessions[0] is not sessions[1]
    assert counts[1] == (counts[0] or 0) + 1
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_cancelled_waiter_closes_the_session_handed_to_it(db: Database) -> None:
    request_db = db.serialised()
    waiter: asyncio.Task[None] | None = None

    async def waiting() -> None:
        async with request_db.read():
            pass

    async with request_db.read() as session:
        await session.execute(select(func.count()).select_from(Portfolio))  # holds a connection
        waiter = asyncio.create_task(waiting())
        await asyncio.sleep(0)  # it waits for the gate
        waiter.cancel()  # ... and is cancelled after this turn hands it the session
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def _owner(db: Database) -> int:
    async with db.read() as session:
        owner = await session.scalar(select(Owner.id).limit(1))
    if owner is not None:
        return owner
    async with db.write() as session:
        row = Owner(name="writer")
        session.add(row)
        await session.flush()
        return row.id
