"""The hostile queries of issue 8 against a real `artifact-miner serve` under a 1 GiB address
space limit: each answered with its code, /healthz still answering, the server alive.

Before the limits, the 12-level Skill -> projects -> skills cycle grew the process to 23 GB.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graphql_api.db import migrate
from graphql_api.db.engine import Database
from tests.factories import portfolio_with_projects
from tests.service.live import free_port
from tests.test_query_limits import cycle, fragments_spreading_twice

ADDRESS_SPACE = 1024**3  # prlimit --as: the ceiling of the whole server process
CLI = Path(sys.executable).with_name("artifact-miner")

pytestmark = pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux prlimit")


async def seed(data_dir: Path) -> None:
    """Three portfolios of 30 projects, each project showing all 8 of its portfolio's skills."""
    db = Database.from_url(f"sqlite+aiosqlite:///{data_dir / 'artifact-miner.db'}")
    try:
        await migrate.upgrade(db.engine)
        for name in ("main", "b", "c"):
            await portfolio_with_projects(db, 30, skills_per_project=8, name=name)
    finally:
        await db.dispose()


@asynccontextmanager
async def server(data_dir: Path) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir), "MALLOC_ARENA_MAX": "2"}
    process = await asyncio.create_subprocess_exec(
        "prlimit",
        f"--as={ADDRESS_SPACE}",
        "--",
        str(CLI),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,  # uvicorn's access log
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        said: list[bytes] = []
        async for line in process.stderr:  # uvicorn says when it listens
            if b"Application startup complete" in line:
                break
            said.append(line)
        else:
            code = await process.wait()
            log = b"".join(said[-20:]).decode(errors="replace")
            raise AssertionError(f"the server ended before it started ({code}):\n{log}")
        drain = asyncio.create_task(process.stderr.read())  # keep its log pipe flowing
        yield f"http://127.0.0.1:{port}", process
        drain.cancel()
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def aliases_through_fragments(count: int) -> str:
    """`count` (a multiple of 100) aliases from a few hundred tokens."""
    ten = " ".join(f"a{i}: __typename" for i in range(10))
    spreads = " ".join(["...A"] * 10)
    outer = " ".join(["...B"] * (count // 100))
    return f"fragment A on Query {{ {ten} }} fragment B on Query {{ {spreads} }} {{ {outer} }}"


HOSTILE: list[tuple[str, str, str]] = [
    ("12-level cycle", cycle(12), "QUERY_TOO_COMPLEX"),
    ("12-level cycle, first: 1", cycle(12, "(first: 1)"), "QUERY_TOO_DEEP"),
    ("1,000 aliases", aliases_through_fragments(1000), "TOO_MANY_ALIASES"),
    (
        "1,000 plain aliases",
        "{" + " ".join(f"a{i}: __typename" for i in range(1000)) + "}",
        "TOO_MANY_TOKENS",
    ),
    ("100k tokens", "{" + " a" * 100_000 + "}", "TOO_MANY_TOKENS"),
    ("2**60 fields from fragments", fragments_spreading_twice(60), "TOO_MANY_FIELDS"),
]
TWO_MB_QUERY = json.dumps({"query": "{" + " __typename" * 200_000 + "}"}).encode()


async def post_expecting_continue(base: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST /graphql as curl sends a large body: the head with `Expect: 100-continue`, the
    body only once the server asks for it. A server that refuses the body answers at once."""
    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if head.startswith(b"HTTP/1.1 100"):  # asked for it: send it
        writer.write(body)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    answer = json.loads(await reader.readexactly(length))
    writer.close()
    await writer.wait_closed()
    return int(head.split()[1]), answer


async def test_hostile_queries_are_refused_by_a_server_under_a_memory_limit(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    await seed(data_dir)
    async with (
        server(data_dir) as (base, process),
        httpx.AsyncClient(base_url=base, timeout=60) as http,
    ):
        answers: dict[str, Any] = {}
        for name, query, _ in HOSTILE:
            response = await http.post("/graphql", json={"query": query}, timeout=60)
            answers[name] = response.json()["errors"][0]["extensions"]["code"]
        status, two_mb = await post_expecting_continue(base, TWO_MB_QUERY)
        # A wide query within the limits is answered in full.
        wide = await http.post(
            "/graphql",
            json={"query": cycle(3, "(first: 8)")},
            timeout=60,
        )
        health = await http.get("/healthz")
        peak = peak_rss_kib(process.pid)
        alive = process.returncode is None
    print(f"peak RSS under prlimit --as={ADDRESS_SPACE}: {peak // 1024} MiB")
    assert answers == {name: code for name, _, code in HOSTILE}
    assert (status, two_mb["errors"][0]["extensions"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert "errors" not in wide.json(), wide.json()["errors"]
    skill = wide.json()["data"]["skill"]
    assert len(skill["projects"]["nodes"]) == 8
    inner = skill["projects"]["nodes"][0]["project"]["skills"]["nodes"][0]["skill"]["projects"]
    assert len(inner["nodes"]) == 8
    assert health.json()["status"] == "ok"
    assert alive
