"""Cross-site protections of the real app: CSRF on multipart requests, the request body cap,
CORS, and the websocket Origin check."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from websockets.exceptions import InvalidStatus

from graphql_api.app import MULTIPART_SLACK
from graphql_api.auth import create_token
from graphql_api.db.engine import Database
from graphql_api.settings import Settings
from tests.service.live import serving
from tests.service.upload_helpers import (
    NO_ROWS,
    PREFLIGHT,
    UPLOAD_PORTFOLIO,
    leftovers,
    project_zip,
    row_counts,
    upload_portfolio,
)

LIMIT = 64 * 1024
CAP = LIMIT + MULTIPART_SLACK  # what BodySizeLimitMiddleware lets through
ALLOWED = "http://allowed.example"
EVIL = "http://evil.example"
CREATE = 'mutation { createPortfolio(name: "csrf") { portfolio { name } userErrors { code } } }'
CSRF_REFUSAL = {
    "errors": [
        {
            "message": "a multipart request needs one of these headers: "
            "x-requested-with, apollo-require-preflight, x-apollo-operation-name",
            "extensions": {"code": "CSRF_HEADER_REQUIRED"},
        }
    ]
}
TOO_LARGE = {
    "errors": [
        {
            "message": f"request body is larger than {CAP} bytes",
            "extensions": {"code": "PAYLOAD_TOO_LARGE"},
        }
    ]
}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_upload_bytes=LIMIT,
        allowed_origins=(ALLOWED,),
    )


def multipart(fields: dict[str, str], boundary: str = "csrf-test") -> tuple[bytes, str]:
    """A multipart/form-data body of text fields only, as a cross-site HTML form sends it."""
    lines = []
    for name, value in fields.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode(), f"multipart/form-data; boundary={boundary}"


async def create_portfolio_multipart(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> httpx.Response:
    """createPortfolio as a GraphQL multipart request without a file."""
    body, content_type = multipart({"operations": json.dumps({"query": CREATE}), "map": "{}"})
    return await http.post(
        "/graphql", content=body, headers={**headers, "Content-Type": content_type}
    )


# -- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic-auth"),
        pytest.param({"Origin": EVIL}, id="foreign-origin"),
        pytest.param({"Content-Type-Hint": "1"}, id="other-header"),
    ],
)
async def test_multipart_without_a_preflight_header_is_refused_unexecuted(
    headers: dict[str, str], client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    created = await create_portfolio_multipart(client, headers)
    uploaded = await upload_portfolio(client, [("p.zip", project_zip())], headers=headers)

    for response in (created, uploaded):
        assert response.status_code == 403
        assert response.json() == CSRF_REFUSAL
    assert await row_counts(db) == NO_ROWS
    assert leftovers(settings) == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(PREFLIGHT, id="apollo-require-preflight"),
        pytest.param({"X-Requested-With": "XMLHttpRequest"}, id="x-requested-with"),
        pytest.param({"Authorization": "Bearer {token}"}, id="bearer"),
    ],
)
async def test_multipart_with_a_preflight_header_or_bearer_runs(
    headers: dict[str, str], client: httpx.AsyncClient, db: Database
) -> None:
    token, _ = await create_token(db, "ada")
    headers = {name: value.format(token=token) for name, value in headers.items()}
    response = await create_portfolio_multipart(client, headers)

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {
        "createPortfolio": {"portfolio": {"name": "csrf"}, "userErrors": []}
    }
    assert await row_counts(db) == {"portfolios": 1, "uploaded_zips": 0, "mining_jobs": 0}


async def test_a_json_request_needs_no_preflight_header(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Not a simple request: a browser preflights application/json, so CORS guards it."""
    response = await client.post("/graphql", json={"query": CREATE})

    assert response.status_code == 200
    assert response.json()["data"]["createPortfolio"]["portfolio"] == {"name": "csrf"}
    assert await row_counts(db) == {"portfolios": 1, "uploaded_zips": 0, "mining_jobs": 0}


# -- the request body cap -------------------------------------------------------------------


def oversized_upload() -> httpx.Request:
    """uploadPortfolio with one file of twice the body cap, as the multipart spec sends it."""
    archive = b"PK\x03\x04" + bytes(2 * CAP)
    operations = {"query": UPLOAD_PORTFOLIO, "variables": {"files": [None]}}
    return httpx.Request(
        "POST",
        "http://testserver/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.files.0"]}),
        },
        files={"0": ("big.zip", archive, "application/zip")},
        headers=PREFLIGHT,
    )


class Body:
    """A request body sent in 16 KiB chunks, counting how many the server pulled."""

    CHUNK = 16 * 1024

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.CHUNK):
            self.sent += 1
            yield self.data[start : start + self.CHUNK]


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
async def test_a_body_over_the_cap_is_refused_early(
    with_length: bool, client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    request = oversized_upload()
    data = request.read()
    assert len(data) > CAP
    body = Body(data)
    headers = {**PREFLIGHT, "Content-Type": request.headers["Content-Type"]}
    if with_length:
        headers["Content-Length"] = str(len(data))

    response = await client.post("/graphql", content=body, headers=headers)

    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert response.headers["connection"] == "close"
    chunks = -(-len(data) // Body.CHUNK)
    if with_length:
        assert body.sent == 0  # answered from the header, the body never read
    else:
        assert body.sent == CAP // Body.CHUNK + 1  # read until just past the cap, no further
        assert body.sent < chunks
    assert await row_counts(db) == NO_ROWS
    assert leftovers(settings) == []


async def test_a_body_just_under_the_cap_reaches_the_resolver(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """The cap leaves MULTIPART_SLACK for framing: a file over max_upload_bytes but a body
    under the cap is the resolver's to refuse, as UPLOAD_TOO_LARGE."""
    response = await upload_portfolio(client, [("big.zip", b"PK\x03\x04" + bytes(LIMIT))])

    assert response.status_code == 200
    payload = response.json()["data"]["uploadPortfolio"]
    assert [e["code"] for e in payload["userErrors"]] == ["UPLOAD_TOO_LARGE"]
    assert await row_counts(db) == NO_ROWS
    assert leftovers(settings) == []


# -- CORS -----------------------------------------------------------------------------------


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, apollo-require-preflight",
    }


async def test_cors_preflight_from_an_allowed_origin(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight_headers(ALLOWED))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-methods"] == "GET, POST"


async def test_cors_preflight_from_another_origin(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight_headers(EVIL))

    assert response.status_code == 400
    assert response.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(("origin", "allowed"), [(ALLOWED, True), (EVIL, False)])
async def test_cors_headers_on_a_request(
    origin: str, allowed: bool, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": origin}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}
    assert response.headers.get("access-control-allow-origin") == (origin if allowed else None)


# -- the websocket Origin check -------------------------------------------------------------


async def _ack(url: str, origin: str | None) -> dict[str, str]:
    async with websockets.connect(
        url,
        origin=origin,  # type: ignore[arg-type]
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        message: dict[str, str] = json.loads(await ws.recv())
        return message


async def test_websocket_origin_check(app: Starlette, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with serving(app) as base:
        url = base.replace("http", "ws", 1) + "/graphql"
        with pytest.raises(InvalidStatus) as refused:
            await _ack(url, EVIL)
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus) as look_alike:
            await _ack(url, base.replace("127.0.0.1", "127.0.0.1.evil.example"))
        assert look_alike.value.response.status_code == 403

        assert await _ack(url, None) == {"type": "connection_ack"}  # a script: no Origin
        assert await _ack(url, base) == {"type": "connection_ack"}  # the same host
    refusals = [r.getMessage() for r in caplog.records if "Rejected WebSocket" in r.getMessage()]
    assert len(refusals) == 2  # Strawberry's Origin check, configured from allowed_origins


async def test_websocket_from_an_allowed_origin_is_accepted(app: Starlette) -> None:
    async with serving(app) as base:
        url = base.replace("http", "ws", 1) + "/graphql"
        assert await _ack(url, ALLOWED) == {"type": "connection_ack"}
