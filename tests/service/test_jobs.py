"""The job runner's life: restart recovery, cancellation, live progress for late and leaving
subscribers, and a web process that stays responsive while it mines."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import update
from starlette.applications import Starlette

from graphql_api.db import models, writes
from graphql_api.jobs.bus import InProcessBus
from graphql_api.jobs.events import job_topic, portfolio_topic
from graphql_api.jobs.service import JobStateError, Services
from graphql_api.pagecache import LARGE
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.conftest import GraphQLClient
from tests.factories import owner_id
from tests.pagecache import resident_bytes
from tests.service.flows import build_portfolio, synthetic_repo, upload, wait_for_job
from tests.service.live import Subscription, no_git_children, serving, started, zip_folder

PROGRESS = """subscription($id: ID!) { rankingProgress(portfolioId: $id) {
  kind status final ranking { name position } } }"""


def _services(app: Starlette) -> Services:
    services: Services = app.state.app_state.ready()
    return services


async def test_jobs_left_running_are_resolved_on_start_up(
    settings: Settings, tmp_path: Path
) -> None:
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    async with started(settings) as (first, http):
        payload = await upload(http, archive)
        again = await upload(http, archive)  # another portfolio, another job
        for job_id in (payload["job"]["id"], again["job"]["id"]):
            await wait_for_job(_services(first), job_id)
        db = _services(first).db
        # As a process killed mid-job leaves them: one job running once, one three times.
        async with db.write() as session:
            for job_id, attempts in ((payload["job"]["id"], 1), (again["job"]["id"], 3)):
                await session.execute(
                    update(models.MiningJob)
                    .where(models.MiningJob.uid == ids.decode(job_id)[1])
                    # full: mine again what the first run stored (else nothing changed to mine)
                    .values(status="running", stage="mining", attempts=attempts, full=True)
                )

    async with started(settings) as (second, _):
        requeued = await wait_for_job(_services(second), payload["job"]["id"])
        given_up = await wait_for_job(_services(second), again["job"]["id"])
    assert (requeued.status, requeued.attempts, requeued.completed) == ("succeeded", 2, 3)
    assert (given_up.status, given_up.error_code) == ("failed", "INTERRUPTED")


async def test_cancel_job_stops_a_running_job_and_its_git(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    services = _services(app)
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    async with services.runner._write_lock:  # the job mines, then waits to write its results
        payload = await upload(client, archive)
        uid = ids.decode(payload["job"]["id"])[1]
        async with services.bus.subscribe(job_topic(uid)) as events:
            async for event in events:
                if event.stage == "mining":
                    break
        cancelled = await gql.data(
            "mutation($id: ID!) { cancelJob(id: $id) { job { id } userErrors { code } } }",
            id=payload["job"]["id"],
        )
    assert cancelled["cancelJob"]["userErrors"] == []
    job = await wait_for_job(services, payload["job"]["id"])
    assert job.status == "cancelled"
    assert job.finished_at is not None
    await no_git_children()
    again = await gql.data(
        "mutation($id: ID!) { cancelJob(id: $id) { job { id } userErrors { code } } }",
        id=payload["job"]["id"],
    )
    assert again["cancelJob"]["userErrors"] == [{"code": "JOB_FINISHED"}]


async def test_late_subscriber_gets_the_current_state_then_the_stream_ends(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    payload = await upload(client, archive)
    await wait_for_job(_services(app), payload["job"]["id"])
    async with serving(app) as base:
        pid = payload["portfolio"]["id"]
        async with Subscription.open(base, PROGRESS, {"id": pid}) as subscription:
            first = await subscription.next()
            end = await subscription.next()
    assert first is not None
    snapshot = first["rankingProgress"]
    assert (snapshot["kind"], snapshot["status"], snapshot["final"]) == (
        "SNAPSHOT",
        "SUCCEEDED",
        True,
    )
    assert [r["position"] for r in snapshot["ranking"]] == [1, 2, 3]
    assert end is None  # completed: nothing more will come


async def test_a_client_that_disconnects_leaves_no_subscription_behind(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    services = _services(app)
    created = await gql.data("mutation { createPortfolio { portfolio { id } } }")
    pid = created["createPortfolio"]["portfolio"]["id"]
    topic = portfolio_topic(ids.decode(pid)[1])
    before = asyncio.all_tasks()
    async with serving(app) as base:
        bus = services.bus
        assert isinstance(bus, InProcessBus)
        async with asyncio.timeout(10):
            async with Subscription.open(base, PROGRESS, {"id": pid}):
                await bus.until_subscribers(topic, 1)  # the server has subscribed
            await bus.until_subscribers(topic, 0)  # and noticed the closed socket
    assert asyncio.all_tasks() - before == set()  # no task of the connection outlives it


async def test_healthz_is_answered_all_along_while_a_large_portfolio_is_mined(
    app: Starlette, tmp_path: Path
) -> None:
    # Long enough histories that each is read split across processes (log_reader's
    # min_commits), and several of them: gaps between repositories are not what this shows.
    for n in range(3):
        synthetic_repo(tmp_path / "big" / f"repo{n}", 2_000)
    archive = zip_folder(tmp_path / "big")
    latencies: list[float] = []
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        payload = await upload(http, archive)
        uid = ids.decode(payload["job"]["id"])[1]
        done = asyncio.Event()

        async def watch() -> None:
            async with _services(app).bus.subscribe(job_topic(uid)) as events:
                async for event in events:
                    if event.final:
                        done.set()
                        return

        watcher = asyncio.create_task(watch())
        while not done.is_set():
            started = time.perf_counter()
            response = await http.get("/healthz")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
        await watcher
    job = await wait_for_job(_services(app), payload["job"]["id"])
    assert job.status == "succeeded"
    latencies.sort()
    median, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    print(
        f"/healthz during mining: {len(latencies)} requests, median {median * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    # Answered all along, not only between repositories: a loop held for whole mining steps
    # answers a handful. How fast it answers is a benchmark's figure (bench/e2e_bench.py), not
    # a test's: timings on a shared 2-core machine vary with whatever else runs.
    assert len(latencies) > 20


async def _idle_job(services: Services, status: str) -> models.MiningJob:
    """A job row the runner was never asked to run."""
    async with services.db.write() as session:
        portfolio = models.Portfolio(name="idle", owner_id=await owner_id(session))
        session.add(portfolio)
        await session.flush()
        job = models.MiningJob(
            portfolio_id=portfolio.id, owner_id=portfolio.owner_id, status=status, stage=status
        )
        session.add(job)
    return job


async def test_cancelling_a_queued_job_ends_its_subscriptions(
    app: Starlette, gql: GraphQLClient
) -> None:
    services = _services(app)
    job = await _idle_job(services, "queued")
    async with services.bus.subscribe(job_topic(job.uid)) as events:
        cancelled = await gql.data(
            "mutation($id: ID!) { cancelJob(id: $id) { job { status } userErrors { code } } }",
            id=ids.encode("MiningJob", job.uid),
        )
        event = await anext(events)
    assert cancelled["cancelJob"] == {"job": {"status": "CANCELLED"}, "userErrors": []}
    assert (event.status, event.final) == ("cancelled", True)


async def test_a_stale_copy_never_overwrites_a_finished_job(app: Starlette) -> None:
    services = _services(app)
    stale = await _idle_job(services, "running")  # what cancelJob read...
    async with services.db.write() as session:  # ...before the runner finished the job
        await writes.update_job(session, stale.id, status="succeeded", stage="done")
    with pytest.raises(JobStateError, match="already succeeded"):
        await services.cancel(stale)
    async with services.db.read() as session:
        row = await session.get(models.MiningJob, stale.id)
    assert row is not None
    assert (row.status, row.cancel_requested) == ("succeeded", False)


async def test_the_legacy_graphql_ws_protocol_is_served_too(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    payload = await upload(client, archive)
    await wait_for_job(_services(app), payload["job"]["id"])
    query = {"query": PROGRESS, "variables": {"id": payload["portfolio"]["id"]}}
    async with serving(app) as base:
        url = base.replace("http", "ws", 1) + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            await ws.send(json.dumps({"type": "start", "id": "1", "payload": query}))
            data = json.loads(await ws.recv())
            done = json.loads(await ws.recv())
    assert data["type"] == "data"
    assert data["payload"]["data"]["rankingProgress"]["kind"] == "SNAPSHOT"
    assert done == {"type": "complete", "id": "1"}


async def test_a_mined_upload_leaves_the_page_cache(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Once its job has read them, the extracted folder's large files (a repository's pack, a
    data file) are written back and dropped from the page cache."""
    folder = build_portfolio(tmp_path / "src", tmp_path / "home")
    (folder / "data.bin").write_bytes(os.urandom(LARGE))
    payload = await upload(client, zip_folder(folder))
    services = _services(app)
    await wait_for_job(services, payload["job"]["id"])
    await services.runner.stop()  # waits for the evictions the job started
    large = [
        p
        for p in services.settings.extracted_dir.rglob("*")
        if p.is_file() and p.stat().st_size >= LARGE
    ]
    assert {p.suffix for p in large} >= {".bin"}
    assert [resident_bytes(p) for p in large] == [0] * len(large)
