"""What bounds a job: one active job per portfolio, held by the database itself."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.db import models
from graphql_api.jobs.service import JobStateError, Services
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.conftest import GraphQLClient
from tests.service.flows import synthetic_repo, upload, wait_for_job
from tests.service.live import no_git_children, zip_folder
from tests.service.upload_helpers import post_upload

REMINE = """mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }"""


def _services(app: Starlette) -> Services:
    services: Services = app.state.app_state.ready()
    return services


def _plain_project(root: Path, text: str = "hi") -> bytes:
    (root / "tool").mkdir(parents=True)
    (root / "tool" / "main.py").write_text(f"print('{text}')\n")
    return zip_folder(root)


async def _active(services: Services, portfolio_id: str) -> int:
    async with services.db.read() as session:
        stmt = select(func.count()).where(
            models.MiningJob.portfolio_id == portfolio_id,
            models.MiningJob.status.in_(["queued", "running"]),
        )
        return int(await session.scalar(stmt) or 0)


async def test_the_database_refuses_a_second_active_job(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    services = _services(app)
    payload = await upload(client, _plain_project(tmp_path / "src"))
    await wait_for_job(services, payload["job"]["id"])
    _, pid = ids.decode(payload["portfolio"]["id"], "Portfolio")
    async with services.db.read() as session:
        owner_id = (await session.get_one(models.Portfolio, pid)).owner_id

    def job(status: str) -> models.MiningJob:
        return models.MiningJob(portfolio_id=pid, owner_id=owner_id, status=status)

    async with services.db.write() as session:  # finished jobs may be many
        session.add_all([job("succeeded"), job("failed"), job("queued")])
    with pytest.raises(IntegrityError):
        async with services.db.write() as session:
            session.add(job("running"))


async def test_concurrent_uploads_and_remines_never_make_two_active_jobs(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    services = _services(app)
    archive = _plain_project(tmp_path / "src")
    first = await upload(client, archive)
    await wait_for_job(services, first["job"]["id"])
    pid = first["portfolio"]["id"]
    _, portfolio_id = ids.decode(pid, "Portfolio")
    async with services.db.read() as session:
        owner = (await session.get_one(models.Portfolio, portfolio_id)).owner_id
    peak = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, await _active(services, portfolio_id))

    async def remine(direct: bool) -> dict[str, Any]:
        if direct:  # straight into the service: the requests meet at the database at once
            try:
                job = await services.remine(portfolio_id, owner)
            except JobStateError as error:
                return {"job": None, "userErrors": [{"code": error.code}]}
            return {"job": {"id": ids.encode("MiningJob", job.uid)}, "userErrors": []}
        payload: dict[str, Any] = (await gql.data(REMINE, id=pid))["remine"]
        return payload

    # Warm the pool, so the racers do not queue behind new connections and really meet.
    await asyncio.gather(*(_active(services, portfolio_id) for _ in range(5)))
    watcher = asyncio.create_task(watch())
    try:
        answers = await asyncio.gather(
            *(remine(direct=n % 2 == 0) for n in range(32)),
            *(upload(client, archive, pid) for _ in range(4)),
        )
    finally:
        done.set()
        await watcher
    started = [a["job"]["id"] for a in answers if not a["userErrors"]]
    refused = [e["code"] for a in answers for e in a["userErrors"]]
    assert started  # some got through ...
    assert set(refused) <= {"JOB_ALREADY_RUNNING"}  # ... the others were told why
    assert len(started) + len(refused) == 36
    for job_id in started:
        await wait_for_job(services, job_id)
    assert peak <= 1
    async with services.db.read() as session:
        jobs = await session.scalar(
            select(func.count()).where(models.MiningJob.portfolio_id == portfolio_id)
        )
    assert jobs == 1 + len(started)  # no job row behind a refused request


@asynccontextmanager
async def _app_with(settings: Settings, **limits: Any) -> AsyncIterator[Starlette]:
    application = create_app(dataclasses.replace(settings, **limits))
    async with application.router.lifespan_context(application):
        yield application


@asynccontextmanager
async def _client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _files(settings: Settings) -> list[Path]:
    folders = (settings.uploads_dir, settings.extracted_dir)
    return sorted(p for folder in folders for p in folder.rglob("*"))


async def test_a_job_over_its_deadline_fails_typed_and_its_git_is_killed(
    settings: Settings, tmp_path: Path
) -> None:
    synthetic_repo(tmp_path / "src" / "big", 30_000)
    archive = zip_folder(tmp_path / "src")
    # A deadline far shorter than mining 30,000 commits takes.
    async with _app_with(settings, job_deadline_seconds=0.3) as app, _client(app) as http:
        services = _services(app)
        payload = await upload(http, archive)
        async with asyncio.timeout(120):  # a job that never ends fails the test, not CI
            job = await wait_for_job(services, payload["job"]["id"])
        assert list(services.runner.scratch.iterdir()) == []  # its clean copy went too
    assert (job.status, job.error_code) == ("failed", "JOB_DEADLINE_EXCEEDED")
    assert job.error == "the job ran over its deadline of 0.3 s"
    await no_git_children()


async def test_stored_bytes_per_owner_are_a_quota(settings: Settings, tmp_path: Path) -> None:
    archive = _plain_project(tmp_path / "src")
    quota = len(archive) + len(archive) // 2  # one upload fits, two do not
    async with _app_with(settings, max_stored_bytes_per_owner=quota) as app, _client(app) as http:
        first = await upload(http, archive)
        await wait_for_job(_services(app), first["job"]["id"])
        before = _files(settings)
        # Other bytes (the same would add nothing: test_incremental.py), as many of them.
        changed = _plain_project(tmp_path / "src2", "ho")
        second = await upload(http, changed, first["portfolio"]["id"])
        other = await upload(http, archive)  # another portfolio of the same owner
    assert first["userErrors"] == []
    assert [e["code"] for e in second["userErrors"]] == ["QUOTA_EXCEEDED"]
    assert [e["code"] for e in other["userErrors"]] == ["QUOTA_EXCEEDED"]
    assert "MAX_STORED_BYTES_PER_OWNER" in second["userErrors"][0]["message"]
    assert _files(settings) == before  # nothing of the refused uploads kept


async def test_the_stored_bytes_quota_counts_post_uploads_each_file_once(
    settings: Settings, tmp_path: Path
) -> None:
    archive = _plain_project(tmp_path / "src")
    quota = len(archive) + len(archive) // 2  # one file fits, two do not
    use = """mutation($ids: [String!]) { uploadPortfolio(uploadIds: $ids) {
        job { id } userErrors { code } } }"""
    async with _app_with(settings, max_stored_bytes_per_owner=quota) as app, _client(app) as http:
        kept = await post_upload(http, archive)
        before = _files(settings)
        refused = await post_upload(http, archive)  # a second file: over the quota
        after_refusal = _files(settings)
        used = await http.post(  # the first file, now in a portfolio: still one file
            "/graphql",
            json={"query": use, "variables": {"ids": [kept.json()["uploadId"]]}},
        )
        payload = used.json()["data"]["uploadPortfolio"]
        await wait_for_job(_services(app), payload["job"]["id"])
    assert kept.status_code == 201
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUOTA_EXCEEDED"
    assert after_refusal == before  # the refused file was removed
    assert payload["userErrors"] == []


async def test_projects_per_upload_are_a_quota(settings: Settings, tmp_path: Path) -> None:
    for name in ("one", "two", "three"):
        (tmp_path / "src" / name).mkdir(parents=True)
        (tmp_path / "src" / name / "main.py").write_text("print(1)\n")
        (tmp_path / "src" / name / "requirements.txt").write_text("flask\n")  # a project each
    archive = zip_folder(tmp_path / "src")
    async with _app_with(settings, max_projects_per_upload=2) as app, _client(app) as http:
        refused = await upload(http, archive)
        async with _services(app).db.read() as session:
            portfolios = await session.scalar(select(func.count(models.Portfolio.id)))
    assert refused["job"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["QUOTA_EXCEEDED"]
    assert refused["userErrors"][0]["message"] == (
        "portfolio.zip holds 3 projects; an upload may hold 2 (MAX_PROJECTS_PER_UPLOAD)"
    )
    assert _files(settings) == []
    assert portfolios == 0


async def test_active_jobs_per_owner_are_a_quota(settings: Settings, tmp_path: Path) -> None:
    archive = _plain_project(tmp_path / "src")
    async with _app_with(settings, max_active_jobs_per_owner=1) as app, _client(app) as http:
        services = _services(app)
        async with services.runner._write_lock:  # the first job mines, then waits to save
            first = await upload(http, archive)
            second = await upload(http, archive)  # another portfolio: the owner is at the limit
        await wait_for_job(services, first["job"]["id"])
        third = await upload(http, archive)  # the first one is over: room again
        await wait_for_job(services, third["job"]["id"])
    assert first["userErrors"] == third["userErrors"] == []
    assert [e["code"] for e in second["userErrors"]] == ["QUOTA_EXCEEDED"]
    assert "MAX_ACTIVE_JOBS_PER_OWNER" in second["userErrors"][0]["message"]
