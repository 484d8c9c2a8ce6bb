"""LocalUploadStore: the interface's other half (ids, locations, opened), and the sweep of
partial uploads that dead processes left."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from graphql_api.ingest.store import LocalUploadStore
from tests.ingest.stores import assert_not_held

ZIP_HEAD = b"PK\x03\x04"
BOUNDED = 60.0

# A process that starts an upload and never finishes it: it is killed mid-upload.
WRITER = """
import asyncio, sys
from pathlib import Path
from graphql_api.ingest.store import LocalUploadStore

async def chunks():
    yield b"PK\\x03\\x04" + bytes(100)
    print("writing", flush=True)
    await asyncio.Event().wait()

store = LocalUploadStore(Path(sys.argv[1]), chunk_size=16)
asyncio.run(store.save_stream(chunks(), "a.zip", 10**6))
"""


async def _one(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _parts(root: Path) -> list[Path]:
    return sorted(root.glob(".*.part"))


async def test_a_killed_writers_partial_upload_is_swept(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, str(root), stdout=asyncio.subprocess.PIPE
    )
    assert writer.stdout is not None
    async with asyncio.timeout(BOUNDED):
        assert await writer.stdout.readline() == b"writing\n"
    store = LocalUploadStore(root)
    assert len(_parts(root)) == 1
    assert await store.sweep() == 0  # its writer is alive: the file is locked
    assert len(_parts(root)) == 1
    writer.send_signal(signal.SIGKILL)
    await writer.wait()
    assert await store.sweep() == 1
    assert _parts(root) == []
    assert list(root.iterdir()) == []


async def test_sweep_leaves_a_live_upload_of_this_process_alone(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path / "uploads", chunk_size=16)
    written, release = asyncio.Event(), asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield ZIP_HEAD + bytes(100)  # more than a block: written before the next is asked for
        written.set()
        await release.wait()
        yield bytes(10)

    saving = asyncio.create_task(store.save_stream(slow(), "a.zip", 10_000))
    async with asyncio.timeout(BOUNDED):
        await written.wait()
    assert len(_parts(store.root)) == 1
    assert await store.sweep() == 0
    release.set()
    stored = await saving
    assert stored.path.read_bytes() == ZIP_HEAD + bytes(110)
    assert _parts(store.root) == []


async def test_ids_locations_and_opened(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path / "uploads")
    stored = await store.save_stream(_one(ZIP_HEAD, b"rest"), "a.zip", 100)
    assert stored.location == store.location(stored.id) == str(stored.path)
    assert store.upload_id_of(stored.location) == stored.id
    assert store.upload_id_of(str(tmp_path / f"{stored.id}.zip")) is None  # not in the store
    assert store.upload_id_of(str(store.root / "notes.zip")) is None
    assert await store.exists(stored.id)
    async with store.opened(stored.id) as path:
        assert path.read_bytes() == ZIP_HEAD + b"rest"
    await store.discard(stored.id)
    await assert_not_held(store, stored.id)
    await store.check()
