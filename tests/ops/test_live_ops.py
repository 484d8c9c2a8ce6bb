"""`artifact-miner serve` as a real process: readiness when its database goes away, JSON log
lines carrying request and job ids, a graceful shutdown that finishes requests in flight, and
metrics added up over WORKERS=2."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import Server, cli_env, running
from tests.service.flows import build_portfolio, upload
from tests.service.live import Subscription, zip_folder
from tests.service.upload_helpers import PREFLIGHT, project_zip

JOB = "query($id: ID!) { job(id: $id) { id status } }"
BOUNDED = 120.0  # seconds: an upper bound for a loaded machine, not a timing assertion


def _env(tmp_path: Path, database: Path, **extra: str) -> dict[str, str]:
    return cli_env(tmp_path / "data", f"sqlite+aiosqlite:///{database}", **extra)


def _json_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


async def _job_done(http: httpx.AsyncClient, job_id: str) -> str:
    async with asyncio.timeout(BOUNDED):
        while True:
            body = await http.post("/graphql", json={"query": JOB, "variables": {"id": job_id}})
            status: str = body.json()["data"]["job"]["status"]
            if status not in ("QUEUED", "RUNNING"):
                return status
            await asyncio.sleep(0.2)  # another process mines it: polling is all there is


async def test_readyz_fails_while_the_database_is_unreachable(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    env = _env(tmp_path, folder / "am.db")
    async with running(env, tmp_path / "server.log") as server, httpx.AsyncClient() as http:
        assert (await http.get(f"{server.url}/readyz")).status_code == 200
        # The volume holding the database goes away: new connections cannot open it.
        folder.rename(tmp_path / "db-away")
        gone = await http.get(f"{server.url}/readyz")
        alive = await http.get(f"{server.url}/healthz")
        (tmp_path / "db-away").rename(folder)
        back = await http.get(f"{server.url}/readyz")
    assert gone.status_code == 503
    assert gone.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "queue": "ok", "store": "ok"},
        "failed": ["database"],
    }
    assert alive.status_code == 200  # liveness is not readiness: no restart for this
    assert back.status_code == 200
    assert "readiness: database is not reachable" in (tmp_path / "server.log").read_text()


async def test_readyz_names_the_store_when_it_is_gone(tmp_path: Path) -> None:
    env = _env(tmp_path, tmp_path / "am.db")
    async with running(env, tmp_path / "server.log") as server, httpx.AsyncClient() as http:
        uploads = tmp_path / "data" / "uploads"
        uploads.rename(tmp_path / "uploads-away")
        try:
            gone = await http.get(f"{server.url}/readyz")
        finally:
            (tmp_path / "uploads-away").rename(uploads)
    assert gone.status_code == 503
    assert gone.json()["failed"] == ["store"]


async def test_json_log_lines_carry_the_request_and_the_job(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    env = _env(tmp_path, tmp_path / "am.db", LOG_FORMAT="json")
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    async with (
        running(env, log) as server,
        httpx.AsyncClient(base_url=server.url, timeout=60) as http,
    ):
        sent = await http.post(
            "/graphql",
            data={
                "operations": json.dumps(
                    {
                        "query": "mutation($f: [Upload!]!) { uploadPortfolio(files: $f) "
                        "{ job { id } userErrors { code } } }",
                        "variables": {"f": [None]},
                    }
                ),
                "map": json.dumps({"0": ["variables.f.0"]}),
            },
            files={"0": ("portfolio.zip", archive, "application/zip")},
            headers={**PREFLIGHT, "X-Request-ID": "client-chosen-id-1"},
        )
        job_id = sent.json()["data"]["uploadPortfolio"]["job"]["id"]
        assert await _job_done(http, job_id) == "SUCCEEDED"
    lines = _json_lines(log)  # every line is JSON
    assert {"time", "level", "logger", "message", "request_id", "job_id"} <= set(lines[0])
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access
    assert all(line["request_id"] for line in access)
    upload_line = next(line for line in access if "POST /graphql" in line["message"])
    assert upload_line["request_id"] == "client-chosen-id-1"
    jobs = [line for line in lines if line["logger"] == "graphql_api.jobs"]
    assert any("job started" in line["message"] for line in jobs)
    assert any("job succeeded" in line["message"] for line in jobs)
    assert len({line["job_id"] for line in jobs}) == 1
    assert all(line["job_id"] for line in jobs)


async def _slow_body(release: asyncio.Event, body: bytes) -> AsyncIterator[bytes]:
    yield body[:10]
    await release.wait()
    yield body[10:]


async def test_a_stopping_server_finishes_the_request_in_flight(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = Server(_env(tmp_path, tmp_path / "am.db"), log)
    await server.start()
    try:
        await server.healthy()
        release = asyncio.Event()
        async with httpx.AsyncClient(base_url=server.url, timeout=BOUNDED) as http:
            headers = {**PREFLIGHT, "Content-Type": "application/zip"}
            request = asyncio.create_task(
                http.post("/uploads", content=_slow_body(release, project_zip()), headers=headers)
            )
            await _until(lambda: _began(tmp_path))  # the server is reading the body
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            await _until(lambda: "Waiting for connections to close" in log.read_text())
            release.set()
            response = await request
        async with asyncio.timeout(BOUNDED):
            code = await server.process.wait()
    finally:
        await server.stop()
    assert response.status_code == 201, response.text
    # uvicorn raises the signal again once it has shut down, so the exit says why it stopped.
    assert code in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log.read_text()


async def _until(done: Callable[[], bool]) -> None:
    """Another process's state, polled (it has no other way to tell us), boundedly."""
    async with asyncio.timeout(BOUNDED):
        while True:
            if done():
                return
            await asyncio.sleep(0.05)


def _began(tmp_path: Path) -> bool:
    """A partial upload file exists: the server is reading the body."""
    uploads = tmp_path / "data" / "uploads"
    return uploads.is_dir() and any(p.name.endswith(".part") for p in uploads.iterdir())


async def test_metrics_add_up_every_worker(tmp_path: Path) -> None:
    env = _env(tmp_path, tmp_path / "am.db", WORKERS="2")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    async with running(env, tmp_path / "server.log") as server:
        for _ in range(12):  # a new connection each: the kernel hands them to either worker
            async with httpx.AsyncClient() as http:
                assert (await http.get(f"{server.url}/healthz")).status_code == 200
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"{server.url}/metrics")).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    key = (
        "artifact_miner_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/healthz"), ("status", "200")),
    )
    # `running` polled /healthz until it answered: at least once more than the dozen above.
    assert samples[key] >= 13
    assert os.listdir(tmp_path / "data" / "metrics")  # prometheus-client's multi-process files


PROGRESS = "subscription($id: ID!) { rankingProgress(portfolioId: $id) { final status } }"


async def test_a_client_that_leaves_after_the_final_ranking_logs_no_error(tmp_path: Path) -> None:
    """As the e2e bench's client does: the final ranking read, the socket closed without
    waiting for `complete`. The server then meets a closing socket as it completes the
    operation: the client's leaving, not an error (Strawberry logged it at ERROR, with three
    tracebacks, on every such client of the bench's)."""
    env = _env(tmp_path, tmp_path / "am.db")
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    log = tmp_path / "server.log"
    async with (
        running(env, log) as server,
        httpx.AsyncClient(base_url=server.url, timeout=BOUNDED) as http,
    ):
        pid = (await upload(http, archive))["portfolio"]["id"]
        for _ in range(3):
            async with Subscription.open(server.url, PROGRESS, {"id": pid}) as live:
                await upload(http, archive, pid)  # mined again: its events come live
                while (event := await live.next()) and not event["rankingProgress"]["final"]:
                    pass
                assert event is not None  # the final one: the client leaves at once
    errors = [line for line in log.read_text().splitlines() if line.startswith("ERROR")]
    assert errors == []
