"""Real `artifact-miner` processes for multi-process tests: a fresh database of their own, the
CLI run as subprocesses, servers started, awaited until healthy, and killed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Self

import httpx
from sqlalchemy import make_url, text

from graphql_api.db.engine import create_engine
from tests.service.live import free_port

HEALTHY_WITHIN = 60.0  # seconds: start-up imports and migrations on a loaded 2-core machine


@asynccontextmanager
async def fresh_database(backend: str, pg_url: str, folder: Path) -> AsyncIterator[str]:
    """The URL of an empty database (no tables), dropped afterwards on PostgreSQL."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'fresh.db'}"
        return
    url = make_url(pg_url)
    own = url.set(database=f"{url.database}_fresh_{uuid.uuid4().hex[:12]}")
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{own.database}"'))
        yield own.render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        await admin.dispose()


def cli_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    return {**env, "DATA_DIR": str(data_dir), "DATABASE_URL": database_url, **extra}


async def run_cli(env: Mapping[str, str], *args: str) -> tuple[int, bytes]:
    """Run `artifact-miner ARGS` to its end; its exit code and its output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "graphql_api.cli",
        *args,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output


class CliProcess:
    """`artifact-miner <role>` in a process of its own, its output in `log`."""

    role = ""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.env = dict(env)
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Self:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "graphql_api.cli",
                self.role,
                env=self.env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as when the machine loses power."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM, then its exit status (SIGKILL after 60 s: -9)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(60):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()
        assert self.process.returncode is not None
        return self.process.returncode


class Worker(CliProcess):
    """`artifact-miner worker`."""

    role = "worker"


class Server(CliProcess):
    """`artifact-miner serve` on a free loopback port."""

    role = "serve"

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__({**env, "PORT": str(self.port), "HOST": "127.0.0.1"}, log)

    async def healthy(self) -> None:
        """Return once /healthz answers 200; fail if the process exits first or too late."""
        assert self.process is not None
        async with httpx.AsyncClient(timeout=5) as http:
            async with asyncio.timeout(HEALTHY_WITHIN):
                while True:
                    if self.process.returncode is not None:
                        raise AssertionError(f"server exited: {self.log.read_text()[-3000:]}")
                    with suppress(httpx.TransportError):
                        if (await http.get(f"{self.url}/healthz")).status_code == 200:
                            return
                    # Polling a port is the only way to learn that another process listens.
                    await asyncio.sleep(0.1)


@asynccontextmanager
async def running(env: Mapping[str, str], log: Path) -> AsyncIterator[Server]:
    server = await Server(env, log).start()
    try:
        await server.healthy()
        yield server
    finally:
        await server.stop()
