"""Uploads streamed to disk, never held whole in memory; the upload store's interface.

``UploadStore`` is what the server asks of a store (the API stores and reads uploads through
it, workers read them); ``LocalUploadStore`` and ``s3.S3UploadStore`` are its backends.

``LocalUploadStore(root)`` keeps one file per upload, ``<root>/<upload_id>.zip`` with
``upload_id`` a uuid4 hex string.  Bytes arrive as an async iterator (a raw request body or a
Starlette ``UploadFile`` read in chunks), are gathered into blocks of ``chunk_size`` and written
and hashed in a worker thread, so the event loop never blocks and memory stays at about one block
per upload.
A partial upload lives in ``<root>/.<upload_id>.part`` and is renamed into place only when
complete; on any failure (limit, bad signature, client gone, cancellation) it is deleted.
The writer holds an exclusive ``flock`` on its partial file while it writes, so ``sweep()``
removes only the partial files of processes that died (SIGKILL, power loss) mid-upload, also
when several processes, or machines on a shared file system with working locks, share ``root``.

Errors (``IngestError.code``):
    UPLOAD_TOO_LARGE  more than ``limit`` bytes arrived; raised as soon as the limit is passed.
    EMPTY_UPLOAD      zero bytes arrived.
    NOT_A_ZIP         the first four bytes are not a local file header ("PK\\3\\4") or the
                      end record of an empty archive ("PK\\5\\6").  Spanned archives
                      ("PK\\7\\8") are refused too.
    UPLOAD_NOT_FOUND  ``path_of``/``locate`` got a malformed id or one with no file.
    DISK_FULL         the disk filled up while the upload was written (the partial file is
                      removed, which gives the space back).

Files are not fsynced while they arrive: a crash loses an upload the client had not been told
was stored, and the client uploads again. Once an upload has been read (``opened``: extracted),
a worker thread writes it back and drops it from the page cache (graphql_api/pagecache.py): an
archive is read again only to extract it once more, rarely, and the memory it held goes to what
comes next instead. ``aclose`` waits for these writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import anyio
import anyio.to_thread
from starlette.datastructures import UploadFile

from graphql_api import leftovers
from graphql_api.ingest.errors import IngestError, IngestErrorCode, disk_full, is_disk_full, shown
from graphql_api.ingest.limits import MiB
from graphql_api.pagecache import Evictions, evict

__all__ = ["ZIP_SIGNATURES", "LocalUploadStore", "StoredUpload", "UploadStore", "display_name"]

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_SIGNATURE_SIZE = 4
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DEFAULT_NAME = "upload.zip"

C = IngestErrorCode


@dataclass(frozen=True, slots=True)
class StoredUpload:
    id: str
    location: str  # what `uploaded_zips.path` records: a file path, or s3://bucket/key
    filename: str  # for display only: never used to build a path
    size: int
    sha256: str

    @property
    def path(self) -> Path:
        """The file of an upload in a ``LocalUploadStore``."""
        return Path(self.location)


class UploadStore(Protocol):
    """Where uploads are kept, for every API process and worker (README, "Deploying")."""

    async def save_stream(
        self, chunks: AsyncIterator[bytes], filename: str, limit: int
    ) -> StoredUpload:
        """Store a new upload of at most ``limit`` bytes whole, or nothing (IngestError)."""
        ...

    async def save_upload_file(self, upload: UploadFile, limit: int) -> StoredUpload: ...

    def check_id(self, upload_id: str) -> None:
        """UPLOAD_NOT_FOUND for a malformed id (it never reaches SQL or a path)."""
        ...

    def location(self, upload_id: str) -> str: ...

    def upload_id_of(self, location: str) -> str | None:
        """The id of the upload at ``location`` (as ``location`` made it), else None."""
        ...

    async def exists(self, upload_id: str) -> bool: ...

    def opened(self, upload_id: str) -> AbstractAsyncContextManager[Path]:
        """A local file with the upload's bytes while the block runs (UPLOAD_NOT_FOUND)."""
        ...

    async def discard(self, upload_id: str) -> None:
        """Delete an upload; one already gone is not an error."""
        ...

    async def sweep(self) -> int:
        """Remove what dead processes left half-written; how many went."""
        ...

    async def check(self) -> None:
        """Raise when the store cannot be written (for /readyz)."""
        ...

    async def aclose(self) -> None: ...


class LocalUploadStore:
    def __init__(
        self, root: Path, *, chunk_size: int = 1 * MiB, idle_timeout: float = 60.0
    ) -> None:
        self.idle_timeout = idle_timeout
        self.root = root
        self.chunk_size = chunk_size
        self._evictions = Evictions()

    async def save_stream(
        self,
        chunks: AsyncIterator[bytes],
        filename: str,
        limit: int,
        *,
        upload_id: str | None = None,
    ) -> StoredUpload:
        """Stream ``chunks`` into a new upload of at most ``limit`` bytes (under ``upload_id``
        when given: a copy of an upload kept elsewhere)."""
        upload_id = uuid.uuid4().hex if upload_id is None else upload_id
        final = self.path_of(upload_id)
        sink = await anyio.to_thread.run_sync(_Sink.create, self.root / f".{upload_id}.part")
        writer = _Writer(sink)
        try:
            await self._pump(chunks, writer, limit)
            await anyio.to_thread.run_sync(sink.commit, final)
        except BaseException as exc:
            with anyio.CancelScope(shield=True):  # clean up even when cancelled
                await writer.abandon()  # the file is left alone before it goes
                await anyio.to_thread.run_sync(sink.discard)
            if is_disk_full(exc):
                raise disk_full("store the upload") from exc
            raise
        return StoredUpload(
            upload_id, str(final), display_name(filename), sink.size, sink.hexdigest
        )

    async def save_upload_file(self, upload: UploadFile, limit: int) -> StoredUpload:
        """Store a Starlette ``UploadFile`` (what Strawberry's ``Upload`` is on this server)."""
        if upload.size is not None and upload.size > limit:  # known up front: skip the copy
            raise _too_large(limit)
        return await self.save_stream(
            _read_upload(upload, self.chunk_size), upload.filename or _DEFAULT_NAME, limit
        )

    def path_of(self, upload_id: str) -> Path:
        """Where an upload lives; ids are validated so they can never name another path."""
        if not _UPLOAD_ID.fullmatch(upload_id):
            raise IngestError(C.UPLOAD_NOT_FOUND, f"malformed upload id {shown(upload_id)}")
        return self.root / f"{upload_id}.zip"

    async def locate(self, upload_id: str) -> Path:
        """``path_of`` for an upload that must exist."""
        path = self.path_of(upload_id)
        if not await anyio.Path(path).is_file():
            raise IngestError(C.UPLOAD_NOT_FOUND, f"no upload with id {shown(upload_id)}")
        return path

    async def discard(self, upload_id: str) -> None:
        """Delete an upload; deleting one that is already gone is not an error."""
        await anyio.Path(self.path_of(upload_id)).unlink(missing_ok=True)

    def check_id(self, upload_id: str) -> None:
        self.path_of(upload_id)

    def location(self, upload_id: str) -> str:
        return str(self.path_of(upload_id))

    def upload_id_of(self, location: str) -> str | None:
        path = Path(location)
        upload_id = path.name.removesuffix(".zip")
        if path.parent != self.root or not _UPLOAD_ID.fullmatch(upload_id):
            return None
        return upload_id

    async def exists(self, upload_id: str) -> bool:
        return await anyio.Path(self.path_of(upload_id)).is_file()

    @contextlib.asynccontextmanager
    async def opened(self, upload_id: str) -> AsyncIterator[Path]:
        path = await self.locate(upload_id)
        try:
            yield path
        finally:  # read: out of the page cache, in the background
            self._evictions.start(evict, path)

    async def sweep(self) -> int:
        return await anyio.to_thread.run_sync(_sweep, self.root)

    async def aclose(self) -> None:
        await self._evictions.aclose()

    async def check(self) -> None:
        """For /readyz: a file can be created and removed in the store (raises OSError)."""

        def probe() -> None:
            path = self.root / f".probe-{uuid.uuid4().hex}"
            path.open("xb").close()
            path.unlink()

        await anyio.to_thread.run_sync(probe)

    async def _pump(self, chunks: AsyncIterator[bytes], writer: _Writer, limit: int) -> None:
        # Blocks of chunk_size: request bodies arrive in ~64 KiB pieces and one thread hop
        # per piece would cost more than the write.
        block = bytearray()
        head = b""
        received = 0
        async for chunk in _with_idle_timeout(chunks, self.idle_timeout):
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            if len(head) < _SIGNATURE_SIZE:  # refuse a non-ZIP before storing the rest of it
                head += chunk[: _SIGNATURE_SIZE - len(head)]
                _check_signature(head, complete=False)
            block += chunk
            if len(block) >= self.chunk_size:
                full, block = block, bytearray()
                await writer.write(full)
        if not head:
            raise IngestError(C.EMPTY_UPLOAD, "the upload is empty (0 bytes)")
        _check_signature(head, complete=True)
        await writer.write(block)
        await writer.settle()


async def _with_idle_timeout(chunks: AsyncIterator[bytes], seconds: float) -> AsyncIterator[bytes]:
    """The chunks, failing with UPLOAD_STALLED when none arrives for `seconds`: a client that
    stops sending must not hold a connection and a partial file for ever."""
    iterator = aiter(chunks)
    while True:
        try:
            with anyio.fail_after(seconds):
                chunk = await anext(iterator)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise IngestError(
                C.UPLOAD_STALLED, f"no data for {seconds:g} s: the upload was abandoned"
            ) from None
        yield chunk


class _Writer:
    """Hands blocks to the sink in a worker thread while the next block arrives: receiving (on
    the event loop) and writing and hashing (in the thread; both let go of the GIL on large
    buffers) overlap instead of taking turns (78 MB over loopback from curl: ~215 -> ~180
    ms). One block at most is being written: memory stays at about two blocks per upload."""

    def __init__(self, sink: _Sink) -> None:
        self._sink = sink
        self._writing: asyncio.Future[None] | None = None

    async def write(self, block: bytes | bytearray) -> None:
        """Start writing `block` once the one before it is written (its error raised here)."""
        await self.settle()
        self._writing = asyncio.ensure_future(anyio.to_thread.run_sync(self._sink.write, block))

    async def settle(self) -> None:
        """Wait for the block being written; raise what writing it raised."""
        if self._writing is not None:
            await self._writing
            self._writing = None

    async def abandon(self) -> None:
        """Wait for the block being written, whatever became of it (before the file goes)."""
        if self._writing is not None:
            await asyncio.wait([self._writing])
            if not self._writing.cancelled():
                self._writing.exception()  # seen: no "exception was never retrieved"
            self._writing = None


class _Sink:
    """The partial file and its running hash; every method runs in a worker thread."""

    def __init__(self, path: Path, file: BinaryIO) -> None:
        self.path = path
        self.file = file
        self.size = 0
        self._hash = hashlib.sha256()

    @classmethod
    def create(cls, path: Path) -> _Sink:
        path.parent.mkdir(parents=True, exist_ok=True)
        file = path.open("xb")
        leftovers.hold(file.fileno())  # ours until closed (or this process dies): see sweep
        return cls(path, file)

    def write(self, block: bytes | bytearray) -> None:
        self.file.write(block)
        self._hash.update(block)  # hashlib releases the GIL on large buffers
        self.size += len(block)

    def commit(self, final: Path) -> None:
        self.file.flush()  # a full disk fails here, before the name says "complete"
        os.rename(self.path, final)  # still locked: no sweep can take the file in between
        self.file.close()

    def discard(self) -> None:
        try:
            self.file.close()  # flushes: on a full disk this fails again, and that is fine
        except OSError:
            pass
        finally:
            self.path.unlink(missing_ok=True)

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _sweep(root: Path) -> int:
    """Remove the partial uploads no live writer holds (blocking: run it in a thread)."""
    return leftovers.sweep([(root, ".*.part")])


async def _read_upload(upload: UploadFile, chunk_size: int) -> AsyncIterator[bytes]:
    while chunk := await upload.read(chunk_size):
        yield chunk


def _check_signature(head: bytes, *, complete: bool) -> None:
    if len(head) < _SIGNATURE_SIZE and not complete:
        return
    if head not in ZIP_SIGNATURES:
        raise IngestError(C.NOT_A_ZIP, f"the upload does not start with a ZIP signature: {head!r}")


def _too_large(limit: int) -> IngestError:
    return IngestError(C.UPLOAD_TOO_LARGE, f"the upload is larger than {limit} bytes")


def display_name(filename: str) -> str:
    """The last component of a client-given file name, without control or format characters
    (a right-to-left override would make "invoice\u202egpj.zip" display as "invoicepiz.jpg")."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")  # no bidi overrides
    name = unicodedata.normalize("NFC", _CONTROL.sub("", name)).strip()[:255]
    return name if name not in {"", ".", ".."} else _DEFAULT_NAME
