"""`serve --with-worker` on QUEUE=postgres: one process is API and worker at once, its jobs
through procrastinate and its events over LISTEN/NOTIFY, as a small deployment runs it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.jobs.pgbus import PostgresBus
from graphql_api.jobs.queue import PostgresQueue
from graphql_api.jobs.service import Services
from graphql_api.settings import Settings
from tests.service.flows import build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder


@pytest.fixture
async def distributed(settings: Settings) -> AsyncIterator[Starlette]:
    if not settings.sqlalchemy_url.startswith("postgresql"):
        pytest.skip("QUEUE=postgres runs on PostgreSQL only")
    application = create_app(dataclasses.replace(settings, queue="postgres", with_worker=True))
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.postgresql
async def test_serve_with_worker_mines_through_the_job_engine(
    distributed: Starlette, tmp_path: Path
) -> None:
    services: Services = distributed.state.app_state.ready()
    assert isinstance(services.bus, PostgresBus)
    assert isinstance(services.queue, PostgresQueue)
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    transport = httpx.ASGITransport(app=distributed)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        payload = await upload(http, archive)
        job = await wait_for_job(services, payload["job"]["id"])
        assert (job.status, job.completed, job.attempts) == ("succeeded", 3, 1)
        ready = await http.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert await services.queue.depth() == 0
