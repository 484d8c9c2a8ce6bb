from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request

from graphql_api.ingest.limits import UploadLimits
from graphql_api.ingest.middleware import BodySizeLimitMiddleware
from graphql_api.ingest.routes import make_upload_route
from graphql_api.ingest.store import LocalUploadStore, StoredUpload
from tests.ingest.ingest_zipcraft import build_zip

LIMIT = 10_000
ZIP = build_zip([("project/README.md", b"# hello\n")])
HEADERS = {"content-type": "application/zip", "x-requested-with": "test"}


@pytest.fixture
def store(tmp_path: Path) -> LocalUploadStore:
    return LocalUploadStore(tmp_path / "uploads")


def make_app(store: LocalUploadStore, **options: object) -> Starlette:
    route = make_upload_route(store, UploadLimits(max_upload_bytes=LIMIT), **options)  # type: ignore[arg-type]
    return Starlette(routes=[route])


@pytest.fixture
def client(store: LocalUploadStore) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(make_app(store))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def stored_files(store: LocalUploadStore) -> list[str]:
    return sorted(p.name for p in store.root.iterdir()) if store.root.exists() else []


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_upload_is_stored(client: httpx.AsyncClient, store: LocalUploadStore) -> None:
    headers = {**HEADERS, "x-filename": "my%20caf%C3%A9.zip"}
    response = await client.post("/uploads", content=ZIP, headers=headers)

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "uploadId": body["uploadId"],
        "size": len(ZIP),
        "sha256": hashlib.sha256(ZIP).hexdigest(),
        "filename": "my caf\u00e9.zip",
    }
    assert store.path_of(body["uploadId"]).read_bytes() == ZIP
    assert stored_files(store) == [f"{body['uploadId']}.zip"]


async def test_filename_from_query_and_streamed_body(client: httpx.AsyncClient) -> None:
    async def parts() -> AsyncIterator[bytes]:
        for i in range(0, len(ZIP), 7):
            yield ZIP[i : i + 7]

    response = await client.post("/uploads?filename=q.zip", content=parts(), headers=HEADERS)
    assert (response.status_code, response.json()["filename"]) == (201, "q.zip")
    assert response.json()["size"] == len(ZIP)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"content-type": "application/zip"}, 403, "CSRF_HEADER_REQUIRED"),
        ({"content-type": "text/plain", "x-requested-with": "x"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        ({"x-requested-with": "x"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
async def test_request_refusals(
    client: httpx.AsyncClient,
    store: LocalUploadStore,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    response = await client.post("/uploads", content=ZIP, headers=headers)
    assert (response.status_code, error_code(response)) == (status, code)
    assert stored_files(store) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": "Bearer abc"},
        {"apollo-require-preflight": "true"},
        {"x-apollo-operation-name": "Upload"},
    ],
)
async def test_csrf_proofs(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    headers = {"content-type": "application/octet-stream", **headers}
    assert (await client.post("/uploads", content=ZIP, headers=headers)).status_code == 201


async def test_csrf_check_can_be_replaced_or_disabled(store: LocalUploadStore) -> None:
    for options in ({"csrf_check": None}, {"csrf_check": lambda request: True}):
        transport = httpx.ASGITransport(make_app(store, **options))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = {"content-type": "application/zip"}
            assert (await client.post("/uploads", content=ZIP, headers=headers)).status_code == 201


async def test_declared_length_over_the_limit(
    client: httpx.AsyncClient, store: LocalUploadStore
) -> None:
    response = await client.post("/uploads", content=b"PK\x03\x04" + bytes(LIMIT), headers=HEADERS)
    assert (response.status_code, error_code(response)) == (413, "UPLOAD_TOO_LARGE")
    assert stored_files(store) == []


async def test_streamed_body_over_the_limit(
    client: httpx.AsyncClient, store: LocalUploadStore
) -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"PK\x03\x04"
        for _ in range(20):
            yield bytes(1000)

    response = await client.post("/uploads", content=parts(), headers=HEADERS)
    assert (response.status_code, error_code(response)) == (413, "UPLOAD_TOO_LARGE")
    assert stored_files(store) == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [(b"", 400, "EMPTY_UPLOAD"), (b"%PDF-1.7 not a zip", 415, "NOT_A_ZIP")],
)
async def test_content_refusals(
    client: httpx.AsyncClient, store: LocalUploadStore, content: bytes, status: int, code: str
) -> None:
    response = await client.post("/uploads", content=content, headers=HEADERS)
    assert (response.status_code, error_code(response)) == (status, code)
    assert stored_files(store) == []


async def test_on_stored_hook(store: LocalUploadStore) -> None:
    seen: list[StoredUpload] = []

    async def record(request: Request, stored: StoredUpload) -> None:
        seen.append(stored)

    transport = httpx.ASGITransport(make_app(store, on_stored=record))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/uploads", content=ZIP, headers=HEADERS)
    assert [s.id for s in seen] == [response.json()["uploadId"]]


# -- over a real socket ----------------------------------------------------------------------


async def test_through_a_real_uvicorn_server(store: LocalUploadStore) -> None:
    app = Starlette(
        routes=[make_upload_route(store, UploadLimits(max_upload_bytes=10 * LIMIT))],
        middleware=[Middleware(BodySizeLimitMiddleware, max_body_bytes=LIMIT)],
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", ws="none", log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await wait_started(server)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            stored = await client.post("/uploads", content=ZIP, headers=HEADERS)
            too_large = await client.post("/uploads", content=bytes(LIMIT + 1), headers=HEADERS)
    finally:
        server.should_exit = True
        await serving
        sock.close()

    assert stored.status_code == 201
    assert store.path_of(stored.json()["uploadId"]).read_bytes() == ZIP
    assert (too_large.status_code, error_code(too_large)) == (413, "PAYLOAD_TOO_LARGE")


async def wait_started(server: uvicorn.Server) -> None:
    async with asyncio.timeout(10):  # a deadline, not a fixed sleep
        while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
            await asyncio.sleep(0.01)
