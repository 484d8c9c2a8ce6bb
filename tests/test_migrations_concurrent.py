"""Concurrent starters on one fresh database: the migration lock makes them wait their turn,
then find the schema current (real processes, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from graphql_api.db.engine import create_engine
from graphql_api.db.models import Question
from graphql_api.db.seeds import QUESTIONS
from tests.conftest import BACKENDS, PG_URL
from tests.processes import cli_env, fresh_database, run_cli, running


async def _state(url: str) -> tuple[list[str], int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            versions = list(await conn.scalars(text("SELECT version_num FROM alembic_version")))
            questions = await conn.scalar(select(func.count()).select_from(Question))
    finally:
        await engine.dispose()
    return versions, questions or 0


@pytest.mark.parametrize("backend", BACKENDS)
async def test_five_processes_migrating_a_fresh_database_all_succeed(
    backend: str, tmp_path: Path
) -> None:
    async with fresh_database(backend, PG_URL, tmp_path) as url:
        env = cli_env(tmp_path / "data", url)
        results = await asyncio.gather(*(run_cli(env, "migrate") for _ in range(5)))
        assert [code for code, _ in results] == [0] * 5, [out[-2000:] for _, out in results]
        versions, questions = await _state(url)
    assert len(versions) == 1  # one head, recorded once
    assert questions == len(QUESTIONS)  # the seed rows inserted once, not five times


@pytest.mark.postgresql
async def test_two_servers_starting_on_a_fresh_postgresql_database_both_become_healthy(
    tmp_path: Path,
) -> None:
    async with fresh_database("postgresql", PG_URL, tmp_path) as url:
        envs = [cli_env(tmp_path / f"data{i}", url) for i in range(2)]

        async def serve(i: int) -> int:
            async with running(envs[i], tmp_path / f"server{i}.log") as server:
                return server.port

        ports = await asyncio.gather(serve(0), serve(1))
        versions, questions = await _state(url)
    assert len(set(ports)) == 2
    assert len(versions) == 1
    assert questions == len(QUESTIONS)
