"""The HTTP-level rules of the real app: the JSON body cap apart from uploads, batching off,
no mutation over GET, and rate limits on mutations and uploads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.settings import Settings
from tests.service.live import serving
from tests.service.upload_helpers import PREFLIGHT, upload_portfolio

MiB = 1024 * 1024
CONSENT = "mutation { setConsent(level: NONE) { consent { consentLevel } userErrors { code } } }"

ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def app_client(tmp_path: Path, database_url: str) -> ClientFactory:
    """A client on an app whose settings differ from the defaults by `overrides`; with
    `other`, a second client from another address on the same app."""

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=tmp_path / "data", database_url=database_url, **overrides)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            other = httpx.ASGITransport(app=app, client=("127.0.0.2", 1))
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as c,
                httpx.AsyncClient(transport=other, base_url="http://testserver") as o,
            ):
                c.other = o  # type: ignore[attr-defined]
                yield c

    return open_client


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_a_json_body_over_its_cap_is_refused_before_it_is_read(
    app: Any, client: httpx.AsyncClient
) -> None:
    async with serving(app) as base:
        url = urlsplit(base)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        # Only the head is sent: the answer must come without the 2 MiB that it announces.
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (2 * MiB)
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        await writer.wait_closed()
    assert head.startswith(b"HTTP/1.1 413 ")
    # Chunked, without a length: cut once the count passes the cap.

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 64 * 1024

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0] == {
        "message": f"request body is larger than {MiB} bytes",
        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
    }


async def test_a_multipart_upload_keeps_the_upload_cap(client: httpx.AsyncClient) -> None:
    not_a_zip = b"x" * (2 * MiB)  # over the JSON cap, far under the upload cap
    response = await upload_portfolio(client, [("big.zip", not_a_zip)], headers=PREFLIGHT)
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["uploadPortfolio"]
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_A_ZIP"]  # read, then judged


async def test_batching_is_off_with_a_clear_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"message": "Batching is not enabled", "extensions": {"code": "BATCHING_NOT_SUPPORTED"}}
        ]
    }


async def test_get_runs_queries_but_never_mutations(client: httpx.AsyncClient) -> None:
    accept = {"Accept": "application/json"}
    refused = await client.get("/graphql", params={"query": CONSENT}, headers=accept)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    assert code_of(refused) == "METHOD_NOT_ALLOWED"
    query = await client.get("/graphql", params={"query": "{ consent { id } }"}, headers=accept)
    assert query.status_code == 200
    assert query.json()["data"] == {"consent": None}  # the mutation did not run


async def test_mutations_are_rate_limited_per_client(app_client: ClientFactory) -> None:
    async with app_client(rate_limit_mutations="2/minute") as client:
        answers = [await client.post("/graphql", json={"query": CONSENT}) for _ in range(3)]
        reads = await client.post("/graphql", json={"query": "{ consent { consentLevel } }"})
        other = await client.other.post("/graphql", json={"query": CONSENT})
    assert [a.json()["data"] is not None for a in answers] == [True, True, False]
    error = answers[2].json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 60
    assert other.json()["data"]["setConsent"]["userErrors"] == []  # its own count
    assert reads.json()["data"] == {"consent": {"consentLevel": "NONE"}}  # queries are free


async def test_aliased_mutations_count_one_each(app_client: ClientFactory) -> None:
    three = "mutation { a: setConsent(level: NONE) { userErrors { code } } " + (
        "b: setConsent(level: NONE) { userErrors { code } } "
        "c: setConsent(level: NONE) { userErrors { code } } }"
    )
    async with app_client(rate_limit_mutations="2/minute") as client:
        response = await client.post("/graphql", json={"query": three})
    assert code_of(response) == "RATE_LIMITED"


async def test_uploads_are_rate_limited_with_retry_after(app_client: ClientFactory) -> None:
    headers = {**PREFLIGHT, "Content-Type": "application/zip", "X-Filename": "p.zip"}
    async with app_client(rate_limit_uploads="1/minute") as client:
        first = await client.post("/uploads", content=b"PK", headers=headers)
        second = await client.post("/uploads", content=b"PK", headers=headers)
        multipart = await upload_portfolio(client, [("p.zip", b"PK")], headers=PREFLIGHT)
    assert first.status_code != 429
    for refused in (second, multipart):
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert json.loads(refused.content)["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
