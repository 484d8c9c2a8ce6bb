from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from starlette.datastructures import UploadFile

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.store import LocalUploadStore, display_name
from tests.pagecache import resident_bytes

C = IngestErrorCode
ZIP_HEAD = b"PK\x03\x04"


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.fixture
def store(tmp_path: Path) -> LocalUploadStore:
    return LocalUploadStore(tmp_path / "uploads", chunk_size=64)


def leftovers(store: LocalUploadStore) -> list[str]:
    return sorted(p.name for p in store.root.iterdir()) if store.root.exists() else []


async def test_stream_is_stored_with_size_and_hash(store: LocalUploadStore) -> None:
    body = ZIP_HEAD + os.urandom(1000)
    parts = [body[i : i + 37] for i in range(0, len(body), 37)]  # not aligned to chunk_size

    stored = await store.save_stream(chunks_of(*parts), "C:\\Users\\me\\portfolio.zip", 10_000)

    assert stored.path == store.root / f"{stored.id}.zip"
    assert stored.path.read_bytes() == body
    assert (stored.size, stored.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert stored.filename == "portfolio.zip"
    assert leftovers(store) == [f"{stored.id}.zip"]
    assert await store.locate(stored.id) == stored.path


async def test_limit_aborts_early_and_leaves_nothing(store: LocalUploadStore) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        yield ZIP_HEAD
        while True:
            pulled += 1
            yield bytes(100)

    with pytest.raises(IngestError) as caught:
        await store.save_stream(endless(), "big.zip", 1000)

    assert caught.value.code == C.UPLOAD_TOO_LARGE
    assert "1000 bytes" in caught.value.message
    assert pulled == 10  # stopped at the first chunk past the limit
    assert leftovers(store) == []


async def test_exactly_at_the_limit_is_accepted(store: LocalUploadStore) -> None:
    stored = await store.save_stream(chunks_of(ZIP_HEAD, bytes(96)), "a.zip", 100)
    assert stored.size == 100


async def test_empty_upload(store: LocalUploadStore) -> None:
    with pytest.raises(IngestError) as caught:
        await store.save_stream(chunks_of(), "a.zip", 100)
    assert caught.value.code == C.EMPTY_UPLOAD
    assert leftovers(store) == []


@pytest.mark.parametrize("parts", [(b"GIF89a...",), (b"PK",), (b"P", b"K\x07\x08rest")])
async def test_not_a_zip(store: LocalUploadStore, parts: tuple[bytes, ...]) -> None:
    with pytest.raises(IngestError) as caught:
        await store.save_stream(chunks_of(*parts), "a.zip", 100)
    assert caught.value.code == C.NOT_A_ZIP
    assert leftovers(store) == []


async def test_signature_split_across_chunks_and_empty_archive(store: LocalUploadStore) -> None:
    assert (await store.save_stream(chunks_of(b"P", b"K\x03", b"\x04x"), "a", 100)).size == 5
    assert (await store.save_stream(chunks_of(b"PK\x05\x06" + bytes(18)), "b", 100)).size == 22


async def test_cancelled_upload_leaves_nothing(store: LocalUploadStore) -> None:
    async def stalls() -> AsyncIterator[bytes]:
        yield ZIP_HEAD + bytes(100)
        await anyio.sleep_forever()
        yield b""  # pragma: no cover

    with anyio.move_on_after(0.05):
        await store.save_stream(stalls(), "a.zip", 10_000)
    assert leftovers(store) == []


async def test_save_upload_file(store: LocalUploadStore) -> None:
    body = ZIP_HEAD + os.urandom(300)
    upload = UploadFile(io.BytesIO(body), filename="../../etc/x.zip", size=len(body))
    stored = await store.save_upload_file(upload, 1000)
    assert stored.path.read_bytes() == body
    assert stored.filename == "x.zip"


async def test_save_upload_file_refuses_a_known_size_up_front(store: LocalUploadStore) -> None:
    upload = UploadFile(io.BytesIO(b""), filename="x.zip", size=5000)
    with pytest.raises(IngestError) as caught:
        await store.save_upload_file(upload, 1000)
    assert caught.value.code == C.UPLOAD_TOO_LARGE
    assert leftovers(store) == []


@pytest.mark.parametrize("upload_id", ["../../etc/passwd", "A" * 32, "0" * 31, "", "0" * 32 + "/"])
def test_path_of_rejects_malformed_ids(store: LocalUploadStore, upload_id: str) -> None:
    with pytest.raises(IngestError) as caught:
        store.path_of(upload_id)
    assert caught.value.code == C.UPLOAD_NOT_FOUND


async def test_locate_and_discard(store: LocalUploadStore) -> None:
    stored = await store.save_stream(chunks_of(ZIP_HEAD), "a.zip", 100)
    await store.discard(stored.id)
    await store.discard(stored.id)  # already gone: fine
    with pytest.raises(IngestError) as caught:
        await store.locate(stored.id)
    assert caught.value.code == C.UPLOAD_NOT_FOUND


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("report.zip", "report.zip"),
        ("a/b/c.zip", "c.zip"),
        ("..", "upload.zip"),
        ("", "upload.zip"),
        ("evil\x00\n.zip", "evil.zip"),
        ("cafe\u0301.zip", "caf\u00e9.zip"),
    ],
)
def test_display_name(given: str, shown: str) -> None:
    assert display_name(given) == shown


async def test_an_upload_that_stops_sending_is_abandoned(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path, idle_timeout=0.05)
    stalled = asyncio.Event()

    async def chunks() -> AsyncIterator[bytes]:
        yield b"PK\x03\x04" + b"\0" * 100
        await stalled.wait()  # never set: the client went silent
        yield b"never"

    with pytest.raises(IngestError) as info:
        await store.save_stream(chunks(), "slow.zip", 10_000)
    assert info.value.code == "UPLOAD_STALLED"
    assert [p async for p in anyio.Path(tmp_path).iterdir()] == []  # the partial file is gone


def test_display_names_lose_format_characters() -> None:
    assert display_name("invoice\u202egpj.zip") == "invoicegpj.zip"


async def test_an_upload_once_read_leaves_the_page_cache(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path / "uploads")
    body = ZIP_HEAD + os.urandom(4 * 1024 * 1024)
    stored = await store.save_stream(chunks_of(body), "big.zip", len(body))
    async with store.opened(stored.id) as path:
        assert path.read_bytes() == body  # as extraction reads it
        assert resident_bytes(path) >= len(body) // 2  # written and read: cached
    await store.aclose()  # the write-back and the drop are done
    assert resident_bytes(stored.path) == 0
    assert stored.path.read_bytes() == body  # and it reads as before
