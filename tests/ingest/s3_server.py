"""A real S3-compatible HTTP server on loopback for the S3 upload store's tests: moto's server
(a third-party S3 implementation) in a process of its own, and a client to look inside."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from tests.service.live import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
STARTS_WITHIN = 60.0


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """`python -m moto.server` on a free loopback port; yields its endpoint URL. Synchronous,
    so a module-scoped fixture can share one server among tests (each uses its own bucket)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **CREDENTIALS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        while True:
            if process.poll() is not None:
                raise AssertionError("moto's server exited")
            try:
                httpx.get(f"{url}/moto-api/", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # another process: polling its port is all there is
        yield url
    finally:
        process.kill()
        process.wait()


@contextlib.asynccontextmanager
async def s3_client(endpoint: str) -> AsyncIterator[Any]:
    from aiobotocore.session import get_session  # type: ignore[import-untyped]

    async with get_session().create_client(
        "s3", endpoint_url=endpoint, region_name="us-east-1"
    ) as client:
        yield client


async def objects(client: Any, bucket: str) -> dict[str, bytes]:
    listed = await client.list_objects_v2(Bucket=bucket)
    found = {}
    for item in listed.get("Contents", []):
        got = await client.get_object(Bucket=bucket, Key=item["Key"])
        async with got["Body"] as body:
            found[item["Key"]] = await body.read()
    return found


async def multipart_uploads(client: Any, bucket: str) -> list[str]:
    listed = await client.list_multipart_uploads(Bucket=bucket)
    return [upload["Key"] for upload in listed.get("Uploads", [])]


async def new_bucket(client: Any) -> str:
    name = f"uploads-{uuid.uuid4().hex[:12]}"
    await client.create_bucket(Bucket=name)
    return name
