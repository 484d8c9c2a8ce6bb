"""Faults survived: a real server killed with SIGKILL while it mines, then started again.

Whatever is killed when, a portfolio shows the results of the job before (the old set) or of
the job that was killed (the new set), never a mix; scratch space left by the dead process is
swept at the next start, and so are half-written uploads, exports and extractions; nothing is
written to the system temp dir."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from graphql_api.db.engine import create_engine
from graphql_api.schema import ids
from tests.conftest import BACKENDS, PG_URL
from tests.mining.repo_builder import Repo
from tests.processes import Server, cli_env, fresh_database
from tests.service.flows import ADA, DAY, T0, upload
from tests.service.live import Subscription, zip_folder

REPOSITORIES = 4
PROGRESS = """subscription($id: ID!) { rankingProgress(portfolioId: $id) {
  kind status stage completed total final } }"""
REMINE = """mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }"""
JOB = """query($id: ID!) { node(id: $id) { ... on MiningJob { status errorCode attempts } } }"""

Event = dict[str, Any]
Results = frozenset[tuple[str, int]]


def _grow(repos: list[Repo], commits: int, start: int) -> None:
    for n, repo in enumerate(repos):
        for c in range(start, start + commits):
            repo.write(f"src/module_{c}.py", f"VALUE = {c}\n" * (5 + n))
            repo.commit(f"change {c}", author=ADA, when=T0 + c * DAY)


async def _results(url: str, portfolio_id: str) -> Results:
    """What a reader sees, straight from the database (the server may be dead): each
    project's name and commits, after checking the rows agree with one another."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT r.project_name, r.total_commits, r.ranking_position, "
                        "u.total_commits, (SELECT count(*) FROM resume_items i "
                        "WHERE i.repo_stat_id = r.id) FROM repo_stats r "
                        "JOIN user_repo_stats u ON u.repo_stat_id = r.id "
                        "WHERE r.portfolio_id = :pid"
                    ),
                    {"pid": portfolio_id},
                )
            ).all()
    finally:
        await engine.dispose()
    assert sorted(row[2] for row in rows) == list(range(1, len(rows) + 1)), rows  # one ranking
    assert all(row[1] == row[3] and row[4] > 0 for row in rows), rows  # stats, resume agree
    return frozenset((row[0], row[1]) for row in rows)


async def _watch(base: str, portfolio_id: str, until: Callable[[Event], bool]) -> Event:
    """Follow the portfolio's job until `until(event)` holds or the job ends."""
    async with Subscription.open(base, PROGRESS, {"id": portfolio_id}) as subscription:
        while (data := await subscription.next()) is not None:
            event: Event = data["rankingProgress"]
            if until(event) or event["final"]:
                return event
    raise AssertionError("the subscription ended without a final event")


def _first_repository(event: Event) -> bool:
    return event["stage"] == "MINING" and event["completed"] >= 1


def _half_way(event: Event) -> bool:
    return event["stage"] == "MINING" and event["completed"] > event["total"] // 2 > 0


def _saving(event: Event) -> bool:
    return event["stage"] == "saving"


def _areas(scratch: Path) -> set[Path]:
    return {p for p in scratch.iterdir() if p.is_dir()} if scratch.is_dir() else set()


async def _graphql(base: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.mark.parametrize("backend", BACKENDS)
async def test_kill_9_while_mining_leaves_old_or_new_results_never_a_mix(
    backend: str, tmp_path: Path
) -> None:
    repos = [Repo(tmp_path / "src" / f"p{i}", tmp_path / "home") for i in range(REPOSITORIES)]
    _grow(repos, 2, 0)
    old_zip = zip_folder(tmp_path / "src")
    _grow(repos, 3, 2)
    new_zip = zip_folder(tmp_path / "src")
    old: Results = frozenset((f"p{i}", 2) for i in range(REPOSITORIES))
    new: Results = frozenset((f"p{i}", 5) for i in range(REPOSITORIES))
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    scratch = tmp_path / "data" / "scratch"

    async with fresh_database(backend, PG_URL, tmp_path) as url:
        env = cli_env(tmp_path / "data", url, MINING_CONCURRENCY="1", TMPDIR=str(system_tmp))
        server = await Server(env, tmp_path / "server.log").start()
        await server.healthy()
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            first = await upload(http, old_zip, filename="old.zip")
        pid = first["portfolio"]["id"]
        assert (await _watch(server.url, pid, lambda e: False))["status"] == "SUCCEEDED"
        _, portfolio_id = ids.decode(pid, "Portfolio")
        assert await _results(url, portfolio_id) == old

        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            second = await upload(http, new_zip, pid, filename="new.zip")
        job_id = second["job"]["id"]
        seen = []
        for point in (_first_repository, _half_way, _saving):
            event = await _watch(server.url, pid, point)
            await server.kill()
            seen.append((event["stage"], event["completed"], event["total"]))
            assert await _results(url, portfolio_id) in (old, new), seen
            left = _areas(scratch)  # the dead process's area is still there ...
            assert left
            server = await Server(env, tmp_path / "server.log").start()
            await server.healthy()
            assert not left & _areas(scratch)  # ... until the next start sweeps it

        final = await _watch(server.url, pid, lambda e: False)
        job = (await _graphql(server.url, JOB, id=job_id))["node"]
        after = await _results(url, portfolio_id)
        # Killed three times: failed, typed, on the old results (or it had just committed).
        assert (job["status"], job["errorCode"], after) in {
            ("FAILED", "INTERRUPTED", old),
            ("SUCCEEDED", None, new),
        }, (job, final, seen)

        again = (await _graphql(server.url, REMINE, id=pid))["remine"]
        assert again["userErrors"] == []
        assert (await _watch(server.url, pid, lambda e: False))["status"] == "SUCCEEDED"
        assert await _results(url, portfolio_id) == new
        await server.stop()
    assert seen[0][0] == "MINING"  # the first kill did land mid-mining
    assert _areas(scratch) == set()  # a clean stop removes its own area
    assert list(system_tmp.iterdir()) == []  # no clean copy, no git HOME in the system temp


async def test_half_written_files_of_a_killed_server_are_swept_at_the_next_start(
    tmp_path: Path,
) -> None:
    """An upload cut off by `kill -9` leaves its `.part`; the next start removes it, and the
    staging folder of an extraction and an export's `.part` likewise. What a live process is
    still writing (a second process holding its lock) is left alone."""
    data = tmp_path / "data"
    env = cli_env(data, f"sqlite+aiosqlite:///{tmp_path / 'am.db'}")
    server = await Server(env, tmp_path / "server.log").start()
    await server.healthy()
    host, port = server.url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    head = (
        "POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: application/zip\r\n"
        "X-Filename: a.zip\r\nApollo-Require-Preflight: 1\r\nContent-Length: 10000000\r\n\r\n"
    )
    writer.write(head.encode() + b"PK\x03\x04" + b"x" * 300_000)
    await writer.drain()
    uploads = data / "uploads"
    for _ in range(500):  # another process's file appearing cannot be awaited: poll, bounded
        if list(uploads.glob(".*.part")):  # the body is being written
            break
        await asyncio.sleep(0.02)
    await server.kill()
    writer.close()
    (cut_off,) = uploads.glob(".*.part")
    staging = data / "extracted" / ".extract-dead"
    staging.mkdir()
    (staging / "half.py").write_text("x = 1\n")
    dead_export = data / "exports" / "e.json.part"
    dead_export.write_text("{")
    live = data / "extracted" / ".extract-live"
    live.mkdir()
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
        str(live),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert await holder.stdout.readline() == b"held\n"
    try:
        server = await Server(env, tmp_path / "server.log").start()
        await server.healthy()
        await server.stop()
    finally:
        holder.stdin.close()
        await holder.wait()
    assert [p.exists() for p in (cut_off, staging, dead_export)] == [False, False, False]
    assert live.is_dir()  # its writer lives
