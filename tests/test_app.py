"""The app as a browser and a script meet it: GraphiQL offline, /healthz, a real uvicorn."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import httpx
import pytest
import uvicorn

from graphql_api.app import create_app
from graphql_api.settings import Settings


async def test_graphiql_page_and_every_asset_it_references_come_from_us(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<title>Artifact Miner · GraphiQL</title>" in page.text
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(references) == [
        "/graphiql/graphiql.min.css",
        "/graphiql/graphiql.min.js",
        "/graphiql/react-dom.production.min.js",
        "/graphiql/react.production.min.js",
    ]
    for ref in references:
        asset = await client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 5_000, ref
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', page.text))


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok", "graphiqlAssets": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_real_uvicorn_serves_queries(tmp_path: Path, database_url: str) -> None:
    port = _free_port()
    app = create_app(Settings(data_dir=tmp_path, database_url=database_url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # the server flips this once it listens
            assert not serving.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            response = await http.post(
                "/graphql", json={"query": "{ questions { key } portfolios { totalCount } }"}
            )
    finally:
        server.should_exit = True
        await serving
    assert response.json()["data"]["portfolios"] == {"totalCount": 0}
    assert response.json()["data"]["questions"][0] == {"key": "email"}
