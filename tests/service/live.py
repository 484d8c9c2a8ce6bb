"""A real uvicorn serving the app on a free loopback port, and clients that talk to it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.settings import Settings


@asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """A new app through its lifespan (start-up, then shutdown as after SIGTERM once requests
    drain when the block ends), with an in-process client on it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield app, http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve `app`, whose lifespan the caller already runs, until the block ends; yields its
    base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # uvicorn sets this once it listens
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def zip_folder(folder: Path) -> bytes:
    """A ZIP of everything under `folder` (the .git directories included)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


class Subscription:
    """One graphql-transport-ws subscription over a real websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    @asynccontextmanager
    async def open(
        cls, base_url: str, query: str, variables: dict[str, Any]
    ) -> AsyncIterator[Subscription]:
        url = base_url.replace("http", "ws", 1) + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            message = {"query": query, "variables": variables}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
            yield cls(ws)

    async def next(self) -> dict[str, Any] | None:
        """The next result's data, or None when the server completed the subscription."""
        while True:
            message = json.loads(await self.ws.recv())
            if message["type"] == "complete":
                return None
            if message["type"] == "next":
                assert "errors" not in message["payload"], message["payload"]
                data: dict[str, Any] = message["payload"]["data"]
                return data
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            raise AssertionError(f"unexpected message {message}")


async def no_git_children() -> None:
    """Return once no git process of ours is left; killed ones are reaped as their tasks
    unwind, which may end a moment after the job's final event. Fails after 10 s."""
    for _ in range(200):
        if not git_children():
            return
        await asyncio.sleep(0.05)  # a process's end cannot be awaited from outside its parent
    raise AssertionError(f"git processes still running: {git_children()}")


def git_children() -> list[int]:
    """git processes started by this process (the runner's children) still alive."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            command, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1]
            if command == "git" and int(rest.split()[1]) == os.getpid():
                found.append(int(entry.name))
    return found
