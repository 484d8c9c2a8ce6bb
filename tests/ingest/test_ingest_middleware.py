from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from graphql_api.ingest.middleware import BodySizeLimitMiddleware, BodyTooLarge

LIMIT = 100
TOO_LARGE = {
    "errors": [
        {
            "message": f"request body is larger than {LIMIT} bytes",
            "extensions": {"code": "PAYLOAD_TOO_LARGE"},
        }
    ]
}


class Echo:
    """An endpoint that records whether it ran and how much body it saw."""

    def __init__(self) -> None:
        self.calls = 0

    async def endpoint(self, request: Request) -> JSONResponse:
        self.calls += 1
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return JSONResponse({"size": size})


@pytest.fixture
def echo() -> Echo:
    return Echo()


@pytest.fixture
def client(echo: Echo) -> httpx.AsyncClient:
    app = Starlette(
        routes=[
            Route("/graphql", echo.endpoint, methods=["POST"]),
            Route("/other", echo.endpoint, methods=["POST"]),
        ],
        middleware=[Middleware(BodySizeLimitMiddleware, max_body_bytes=LIMIT, paths=["/graphql"])],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


async def chunked(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_under_the_limit_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"x" * LIMIT)
    assert (response.status_code, response.json()) == (200, {"size": LIMIT})


async def test_content_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, echo: Echo
) -> None:
    response = await client.post("/graphql", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == TOO_LARGE
    assert echo.calls == 0


async def test_chunked_body_over_the_limit(client: httpx.AsyncClient, echo: Echo) -> None:
    response = await client.post("/graphql", content=chunked(b"x" * 60, b"x" * 60, b"x" * 60))
    assert "content-length" not in response.request.headers
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert echo.calls == 1  # it ran, but never got past the limit


async def test_chunked_body_under_the_limit(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=chunked(b"x" * 50, b"x" * 50))
    assert (response.status_code, response.json()) == (200, {"size": 100})


async def test_other_paths_are_not_capped(client: httpx.AsyncClient) -> None:
    response = await client.post("/other", content=b"x" * 1000)
    assert response.json() == {"size": 1000}


async def test_lying_content_length_is_still_counted() -> None:
    sent = await call_raw(
        read_body_app, [body_message(b"x" * 80, more=True), body_message(b"x" * 80)], length=50
    )
    assert sent[0]["status"] == 413


async def test_an_app_that_swallows_the_error_still_answers_413() -> None:
    async def stubborn(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await receive()
        except BodyTooLarge:
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"mine"})

    sent = await call_raw(stubborn, [body_message(b"x" * 200)])
    assert [m.get("status") for m in sent] == [413, None]
    assert b"PAYLOAD_TOO_LARGE" in sent[1]["body"]


async def test_after_the_response_started_the_error_propagates() -> None:
    async def streams_first(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await read_body_app(scope, receive, send)

    with pytest.raises(BodyTooLarge):
        await call_raw(streams_first, [body_message(b"x" * 200)])


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
async def test_other_scopes_pass_through(scope_type: str) -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    middleware = BodySizeLimitMiddleware(app, max_body_bytes=0)
    scope = {"type": scope_type, "path": "/graphql", "headers": []}
    await middleware(scope, no_receive, no_send)
    assert seen == [scope]


def test_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        BodySizeLimitMiddleware(read_body_app, max_body_bytes=-1)


# -- raw ASGI helpers ------------------------------------------------------------------------


def body_message(body: bytes, *, more: bool = False) -> Message:
    return {"type": "http.request", "body": body, "more_body": more}


async def read_body_app(scope: Scope, receive: Receive, send: Send) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def call_raw(
    app: object, messages: list[Message], length: int | None = None
) -> list[Message]:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    incoming = iter(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        return next(incoming)

    async def send(message: Message) -> None:
        sent.append(message)

    await BodySizeLimitMiddleware(app, max_body_bytes=LIMIT)(scope, receive, send)  # type: ignore[arg-type]
    return sent


async def no_receive() -> Message:
    raise AssertionError("must not be called")


async def no_send(message: Message) -> None:
    raise AssertionError("must not be called")
