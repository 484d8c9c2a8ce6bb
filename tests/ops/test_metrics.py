"""/metrics scraped over HTTP through the app and parsed with prometheus-client's parser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.ops import metrics
from graphql_api.settings import Settings
from mining.git import runner as git
from tests.service.flows import build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(http: httpx.AsyncClient, **headers: str) -> Samples:
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_mined_portfolio_shows_in_the_metrics(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    before = await scrape(client)
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    payload = await upload(client, archive)
    services = app.state.app_state.ready()
    job = await wait_for_job(services, payload["job"]["id"])
    assert job.status == "succeeded"
    after = await scrape(client)

    assert value(after, "artifact_miner_jobs", state="succeeded") == 1
    assert value(after, "artifact_miner_jobs", state="queued") == 0
    assert value(after, "artifact_miner_queue_depth") == 0
    mined = "artifact_miner_mining_seconds_count"
    assert value(after, mined, status="succeeded") == value(before, mined, status="succeeded") + 1
    assert value(after, "artifact_miner_mining_seconds_sum", status="succeeded") > value(
        before, "artifact_miner_mining_seconds_sum", status="succeeded"
    )
    requests = "artifact_miner_http_request_duration_seconds_count"
    graphql = {"method": "POST", "route": "/graphql", "status": "200"}
    assert value(after, requests, **graphql) == value(before, requests, **graphql) + 1
    # Every git the job started was reaped (this test process runs no other job).
    assert value(after, "artifact_miner_git_processes") == git.running_processes() == 0


async def test_the_metrics_name_no_owner_portfolio_or_path(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    payload = await upload(client, archive, filename="secret-course-work.zip")
    await wait_for_job(app.state.app_state.ready(), payload["job"]["id"])
    await client.get(f"/exports/{'e' * 32}")  # an id in a path: labelled by its route only
    await client.get(f"/portfolios/{'c' * 32}/cards/languages.svg")
    text = (await client.get("/metrics")).text
    secrets = (payload["portfolio"]["id"], "ada@example.com", "secret-course-work", "e" * 32)
    for secret in (*secrets, "c" * 32):
        assert secret not in text
    labels = {
        dict(sample.labels).get("route")
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert "/exports/{uid}" in labels
    assert "/portfolios/{uid}/cards/{card}" in labels


@pytest.fixture
async def guarded(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(Settings(**{**_fields(settings), "metrics_token": "scrape-me"}))
    async with application.router.lifespan_context(application):
        yield application


def _fields(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


async def test_metrics_token_is_required_when_set(guarded: Starlette) -> None:
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        refused = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        samples = await scrape(http, Authorization="Bearer scrape-me")
    assert (refused.status_code, wrong.status_code) == (403, 403)
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert ("artifact_miner_queue_depth", ()) in samples


async def test_without_a_token_only_loopback_clients_are_answered(app: Starlette) -> None:
    remote = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as http:
        response = await http.get("/metrics")
    assert response.status_code == 403
    local = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=local, base_url="http://testserver") as http:
        assert (await http.get("/metrics")).status_code == 200


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "lb-0123456789"})
    assert given.headers["x-request-id"] == "lb-0123456789"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert made.headers["x-request-id"] != "bad id\twith spaces"
    assert len(made.headers["x-request-id"]) == 32


async def test_readyz_names_each_check(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "queue": "ok", "store": "ok"},
        "failed": [],
    }


async def test_git_processes_are_counted_while_they_run(tmp_path: Path) -> None:
    seen: list[int] = []
    git.PROCESSES.listen(seen.append)
    runner = git.HardenedGitRunner(scratch=tmp_path)
    try:
        await asyncio.gather(runner.run(["--version"]), runner.run(["--version"]))
    finally:
        runner.close()
    assert max(seen) >= 1
    assert seen[-1] == 0
    assert git.running_processes() == 0


async def test_a_workers_own_listener_serves_its_metrics_to_the_token() -> None:
    with metrics.listening("127.0.0.1", 0, "worker-token") as port:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            refused = await http.get("/metrics")
            given = await http.get("/metrics", headers={"Authorization": "Bearer worker-token"})
    assert refused.status_code == 403
    assert given.status_code == 200
    families = {family.name for family in text_string_to_metric_families(given.text)}
    assert {"artifact_miner_git_processes", "artifact_miner_mining_seconds"} <= families
