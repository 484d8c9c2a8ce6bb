"""Slow clients against a real uvicorn, configured as `artifact-miner serve` configures it:
a stalled or trickling body is answered 408 with a typed code, a stalled request head is cut
off, and nothing of the upload is kept."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette

from graphql_api.server import uvicorn_config
from graphql_api.settings import Settings
from tests.service.live import free_port

STALL = 0.5  # the seconds a client may stall before it is cut off, in these tests
WAIT = 10.0  # a bound on every wait: a broken server fails the test instead of hanging it


@pytest.fixture
def settings(sqlite_settings: Callable[..., Settings]) -> Settings:
    """SQLite only: the database is not what these tests are about."""
    return sqlite_settings(
        upload_deadline=1.5,
        upload_min_rate=1000,
        upload_rate_grace=STALL,
        head_timeout=STALL,
    )


@asynccontextmanager
async def serving(app: Starlette, settings: Settings) -> AsyncIterator[int]:
    port = free_port()
    config = uvicorn_config(app, settings, host="127.0.0.1", port=port, lifespan="off")
    config.log_level = "warning"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield port
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def port(app: Starlette, settings: Settings) -> AsyncIterator[int]:
    async with serving(app, settings) as bound:
        yield bound


async def send_then_stall(port: int, head: bytes, body: bytes) -> tuple[bytes, float]:
    """Send a request head and the start of its body, then nothing: the server's answer and
    how long after the head it came."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    try:
        writer.write(head + body)
        await writer.drain()
        started = loop.time()
        answer = await asyncio.wait_for(reader.read(), WAIT)  # until the server closes
        return answer, loop.time() - started
    finally:
        writer.close()


def parse(answer: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, json.loads(body)


def upload_head(length: int) -> bytes:
    return (
        "POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: application/zip\r\n"
        f"Apollo-Require-Preflight: 1\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def kept_files(settings: Settings) -> list[str]:
    return [name for _, _, files in os.walk(settings.data_dir / "uploads") for name in files]


async def test_a_stalled_upload_is_408_too_slow(port: int, settings: Settings) -> None:
    answer, elapsed = await send_then_stall(
        port, upload_head(10_000_000), b"PK\x03\x04" + b"x" * 96
    )
    status, headers, body = parse(answer)
    assert status == 408
    assert headers["connection"] == "close"
    [error] = body["errors"]  # type: ignore[attr-defined]
    assert error["extensions"] == {"code": "UPLOAD_TOO_SLOW"}
    assert error["message"].endswith("under the minimum of 1000 bytes/s")
    assert STALL * 0.9 <= elapsed < WAIT
    assert kept_files(settings) == []


async def test_a_trickling_upload_is_408_at_its_deadline(port: int, settings: Settings) -> None:
    """Fast enough for the minimum rate all along, but not whole by the deadline."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    writer.write(upload_head(10_000_000) + b"PK\x03\x04")
    started = loop.time()
    answer = b""
    try:
        while not answer:  # 2 KiB every 0.1 s: twice the minimum rate, never done
            writer.write(b"x" * 2048)
            await writer.drain()
            try:
                answer = await asyncio.wait_for(reader.read(65536), 0.1)
            except TimeoutError:
                assert loop.time() - started < WAIT
        answer += await asyncio.wait_for(reader.read(), WAIT)
    except ConnectionResetError:
        pytest.fail("the connection was reset before the 408 was read")
    finally:
        writer.close()
    status, _, body = parse(answer)
    assert status == 408
    assert body["errors"][0]["extensions"] == {"code": "UPLOAD_TIMEOUT"}  # type: ignore[index]
    assert loop.time() - started >= settings.upload_deadline * 0.9
    assert kept_files(settings) == []


async def test_a_stalled_multipart_graphql_body_is_408(port: int) -> None:
    boundary = "b0undary"
    start = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        '{"query": "mutation($f: [Upload!]!) { uploadPortfolio(files: $f) { job { id } } }",'
        ' "variables": {"f": [null]}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        '{"0": ["variables.f.0"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.zip"\r\n'
        "Content-Type: application/zip\r\n\r\nPK\x03\x04"
    ).encode()
    head = (
        "POST /graphql HTTP/1.1\r\nHost: x\r\nApollo-Require-Preflight: 1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        "Content-Length: 5000000\r\n\r\n"
    ).encode()
    answer, elapsed = await send_then_stall(port, head, start)
    status, _, body = parse(answer)
    assert status == 408
    assert body["errors"][0]["extensions"] == {"code": "UPLOAD_TOO_SLOW"}  # type: ignore[index]
    assert elapsed < WAIT


async def test_a_stalled_request_head_is_answered_408_and_cut_off(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n":  # one byte each 0.05 s, never done
            writer.write(bytes([byte]))
            await writer.drain()
            if (first := await _first_byte(reader, 0.05)) is not None:
                break
        else:
            first = await _first_byte(reader, WAIT)
            assert first is not None, "the server kept the connection open"
        answer = first + await asyncio.wait_for(reader.read(), WAIT)  # to EOF: closed
    finally:
        writer.close()
    assert STALL * 0.9 <= loop.time() - started < WAIT
    status, headers, body = parse(answer)
    assert (status, headers["connection"]) == (408, "close")
    assert body["errors"][0]["extensions"]["code"] == "HEAD_TIMEOUT"


async def test_a_connection_that_sends_nothing_is_closed_without_an_answer(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        assert await asyncio.wait_for(reader.read(), WAIT) == b""
    finally:
        writer.close()


async def test_a_prompt_client_is_served_twice_on_one_connection(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(2):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
            assert head.startswith(b"HTTP/1.1 200")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await asyncio.wait_for(reader.readexactly(length), WAIT)
    finally:
        writer.close()


async def _first_byte(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    """The server's first byte (b"" if it closed) within `seconds`, else None."""
    try:
        return await asyncio.wait_for(reader.read(1), seconds)
    except TimeoutError:
        return None


async def test_a_websocket_message_over_the_json_body_cap_closes_the_socket(port: int) -> None:
    url = f"ws://127.0.0.1:{port}/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"x": "y" * 2**21}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), WAIT)
    assert ws.close_code == 1009  # message too big
