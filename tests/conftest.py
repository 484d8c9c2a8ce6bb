"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the app with its lifespan running, and an HTTP client on it."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
from sqlalchemy import make_url, text
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.db import migrate
from graphql_api.db.engine import Database, create_engine
from graphql_api.db.models import Base
from graphql_api.db.seeds import insert_missing_questions
from graphql_api.settings import Settings

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
_pg_state = {"url": ""}  # this process's PostgreSQL database, created on first use
# No property test has a time limit: how long an example takes depends on what else shares the
# machine's two cores, and speed is measured by the benchmarks in bench/, never by a test.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.load_profile("suite")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="TEST_DATABASE_URL is not set")
    for item in items:
        if not PG_URL and "postgresql" in item.keywords:
            item.add_marker(skip)


async def _create_postgres_database(base_url: str) -> str:
    """A database of this test process's own (so parallel runs never meet), migrated once;
    dropped when the session ends."""
    url = make_url(base_url)
    own = url.set(database=f"{url.database}_{os.getpid()}")
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{own.database}"'))
            await conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        await admin.dispose()
    engine = create_engine(own.render_as_string(hide_password=False))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_database() -> Iterator[None]:
    yield
    if _pg_state["url"]:
        asyncio.run(_drop(PG_URL, make_url(_pg_state["url"]).database or ""))


async def _drop(base_url: str, name: str) -> None:
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once; each test gets a copy (a fresh migration costs more)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")

    async def run() -> None:
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return path


@pytest.fixture
def sqlite_settings(tmp_path: Path, sqlite_template: Path) -> Callable[..., Settings]:
    """Settings on a copy of the migrated SQLite template, for tests the database is not
    what they are about; keyword arguments override settings."""

    def make(**overrides: Any) -> Settings:
        shutil.copy(sqlite_template, tmp_path / "test.db")
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return Settings(data_dir=tmp_path / "data", database_url=database_url, **overrides)

    return make


async def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            await conn.run_sync(insert_missing_questions)
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        if not _pg_state["url"]:
            _pg_state["url"] = await _create_postgres_database(PG_URL)
        await _truncate_postgres(_pg_state["url"])
        yield _pg_state["url"]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # The suite drives many mutations and uploads from one client in a few seconds; the rate
    # limits are tested on their own (tests/test_http_rules.py).
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        rate_limit_mutations="",
        rate_limit_uploads="",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def db(app: Starlette) -> Database:
    database: Database = app.state.app_state.ready().db
    return database


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self(query, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
