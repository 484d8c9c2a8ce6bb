"""S3UploadStore against a real S3 server over HTTP (moto's, on loopback): the local store's
guarantees hold in a bucket too."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.limits import MiB
from graphql_api.ingest.s3 import S3UploadStore
from tests.ingest.s3_server import (
    CREDENTIALS,
    moto_server,
    multipart_uploads,
    new_bucket,
    objects,
    s3_client,
)
from tests.ingest.stores import assert_not_held

C = IngestErrorCode
ZIP_HEAD = b"PK\x03\x04"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
async def client(endpoint: str) -> AsyncIterator[Any]:
    async with s3_client(endpoint) as s3:
        yield s3


@pytest.fixture
async def bucket(client: Any) -> str:
    return await new_bucket(client)


@pytest.fixture
async def store(endpoint: str, bucket: str, tmp_path: Path) -> AsyncIterator[S3UploadStore]:
    s3 = S3UploadStore(bucket, tmp_path / "spool", endpoint_url=endpoint, part_size=5 * MiB)
    try:
        yield s3
    finally:
        await s3.aclose()


async def chunks_of(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def spooled(store: S3UploadStore) -> list[str]:
    root = store.spool.root
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


async def test_an_upload_is_stored_whole_and_read_back(
    store: S3UploadStore, client: Any, bucket: str
) -> None:
    body = ZIP_HEAD + os.urandom(3000)
    stored = await store.save_stream(chunks_of(body, 100), "C:\\me\\portfolio.zip", 10_000)
    assert (stored.size, stored.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert stored.filename == "portfolio.zip"
    assert stored.location == f"s3://{bucket}/uploads/{stored.id}.zip"
    assert store.upload_id_of(stored.location) == stored.id
    assert store.upload_id_of(f"s3://other/uploads/{stored.id}.zip") is None
    assert await objects(client, bucket) == {f"uploads/{stored.id}.zip": body}
    head = await client.head_object(Bucket=bucket, Key=f"uploads/{stored.id}.zip")
    assert head["Metadata"] == {"sha256": stored.sha256}
    assert await store.exists(stored.id)
    async with store.opened(stored.id) as path:  # the copy this machine still has
        assert path.read_bytes() == body
    assert spooled(store) == []  # gone once read: the bucket is where uploads live
    async with store.opened(stored.id) as path:  # as another machine reads it: downloaded
        assert path.read_bytes() == body
    assert spooled(store) == []


async def test_a_large_upload_goes_in_parts_and_only_whole(
    store: S3UploadStore, client: Any, bucket: str
) -> None:
    body = ZIP_HEAD + os.urandom(11 * MiB)
    stored = await store.save_stream(chunks_of(body), "big.zip", 20 * MiB)
    assert await objects(client, bucket) == {f"uploads/{stored.id}.zip": body}
    assert await multipart_uploads(client, bucket) == []


@pytest.mark.parametrize(
    ("body", "limit", "code"),
    [
        (ZIP_HEAD + bytes(2000), 1000, C.UPLOAD_TOO_LARGE),
        (b"not a zip at all", 1000, C.NOT_A_ZIP),
        (b"", 1000, C.EMPTY_UPLOAD),
    ],
)
async def test_a_refused_upload_leaves_nothing_anywhere(
    store: S3UploadStore, client: Any, bucket: str, body: bytes, limit: int, code: IngestErrorCode
) -> None:
    with pytest.raises(IngestError) as caught:
        await store.save_stream(chunks_of(body, 100), "a.zip", limit)
    assert caught.value.code == code
    assert await objects(client, bucket) == {}
    assert await multipart_uploads(client, bucket) == []
    assert spooled(store) == []


async def test_an_unreachable_bucket_is_store_unavailable_and_leaves_nothing(
    endpoint: str, tmp_path: Path
) -> None:
    store = S3UploadStore("no-such-bucket", tmp_path / "spool", endpoint_url=endpoint)
    try:
        with pytest.raises(IngestError) as caught:
            await store.save_stream(chunks_of(ZIP_HEAD + bytes(10)), "a.zip", 1000)
        assert caught.value.code == C.STORE_UNAVAILABLE
        assert "no-such-bucket" not in caught.value.message  # the log has it, not the client
        assert spooled(store) == []
        with pytest.raises(Exception, match=r"404|Not Found|NoSuchBucket"):
            await store.check()
    finally:
        await store.aclose()


async def test_discard_and_missing_uploads(store: S3UploadStore, client: Any, bucket: str) -> None:
    stored = await store.save_stream(chunks_of(ZIP_HEAD + b"x"), "a.zip", 100)
    await store.discard(stored.id)
    await store.discard(stored.id)  # already gone: fine
    assert await objects(client, bucket) == {}
    await assert_not_held(store, stored.id)


async def test_sweep_aborts_stale_multipart_uploads(
    endpoint: str, bucket: str, client: Any, tmp_path: Path
) -> None:
    await client.create_multipart_upload(Bucket=bucket, Key="uploads/abandoned.zip")
    await client.create_multipart_upload(Bucket=bucket, Key="elsewhere/not-ours.zip")
    # moto reports every multipart upload as initiated in 2010, so only the prefix is what
    # this can show here; the age test (`stale_after`) is plain datetime arithmetic.
    stale = S3UploadStore(bucket, tmp_path / "spool", endpoint_url=endpoint, stale_after=0)
    try:
        assert await stale.sweep() == 1
    finally:
        await stale.aclose()
    assert await multipart_uploads(client, bucket) == ["elsewhere/not-ours.zip"]


async def test_check_passes_for_a_reachable_bucket(store: S3UploadStore) -> None:
    await store.check()
