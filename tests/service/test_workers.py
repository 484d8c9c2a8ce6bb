"""`artifact-miner serve` with WORKERS=2: two uvicorn worker processes behind one socket; one of
them runs the mining jobs, including the jobs queued through the other."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.flows import build_portfolio, upload
from tests.service.live import free_port, zip_folder

ROOT = Path(__file__).resolve().parents[2]
JOB = "query($id: ID!) { job(id: $id) { status } }"


@pytest.fixture
async def two_workers(tmp_path: Path) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    # Three uploads at once by one owner: over the default quota of two active jobs.
    env = {
        **os.environ,
        "WORKERS": "2",
        "DATA_DIR": str(tmp_path / "data"),
        "MAX_ACTIVE_JOBS_PER_OWNER": "3",
    }
    env.pop("DATABASE_URL", None)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(port),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await _answer(base, "/healthz")
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(server.wait(), 30)
        except TimeoutError:
            server.kill()
            await server.wait()
    assert server.returncode == 0


async def _answer(base: str, path: str) -> httpx.Response:
    async with asyncio.timeout(60):
        while True:
            try:
                async with httpx.AsyncClient(
                    base_url=base, timeout=60
                ) as http:  # a new connection each time
                    return (await http.get(path)).raise_for_status()
            except httpx.TransportError:
                await asyncio.sleep(0.1)


async def _job_status(base: str, job_id: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        body = (
            await http.post("/graphql", json={"query": JOB, "variables": {"id": job_id}})
        ).json()
    status: str = body["data"]["job"]["status"]
    return status


async def test_two_workers_serve_and_every_job_is_mined_once(
    two_workers: tuple[str, int], tmp_path: Path
) -> None:
    base, pid = two_workers
    children = await asyncio.to_thread(Path(f"/proc/{pid}/task/{pid}/children").read_text)
    assert len(children.split()) >= 2
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    jobs: list[str] = []
    for _ in range(3):  # new connections: the kernel hands them to either worker
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            payload: dict[str, Any] = await upload(http, archive)
        assert payload["userErrors"] == []
        jobs.append(payload["job"]["id"])
    async with asyncio.timeout(120):
        statuses = [await _job_status(base, job) for job in jobs]
        while any(s in {"QUEUED", "RUNNING"} for s in statuses):
            await asyncio.sleep(0.2)
            statuses = [await _job_status(base, job) for job in jobs]
    assert statuses == ["SUCCEEDED"] * 3
