"""Uploads kept in an S3-compatible bucket (UPLOAD_STORE=s3), through aiobotocore.

An upload is first streamed into a local spool (a ``LocalUploadStore`` under DATA_DIR): the
size limit, the ZIP signature check, the sha256, DISK_FULL and the idle timeout are the local
store's, unchanged. Only a complete, accepted upload is sent to the bucket, as
``<prefix><upload_id>.zip``: in one PUT up to ``part_size``, else as a multipart upload, which
S3 shows as an object only once it is completed — so the bucket never holds a partial upload.
A failed or cancelled send aborts its multipart upload and removes the spool file.

Whoever extracts an upload (any API process or worker, on any machine) reads it through
``opened()``: the spool file when this machine still has it, else a download into the spool
(atomic: a partial download is never used). The spool copy goes when the block ends: the
bucket is where uploads live. ``sweep()`` aborts multipart uploads older than ``stale_after``
seconds (their sender's request deadline is long past) and clears the spool of what dead
processes left; a bucket lifecycle rule "AbortIncompleteMultipartUpload" is a good second
wall (README, "The S3 upload store").

Errors: the local store's, plus ``STORE_UNAVAILABLE`` when the bucket cannot be reached or
refuses a request (the client is told to retry; the reason is logged, not sent).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.datastructures import UploadFile

from graphql_api.ingest.errors import IngestError, IngestErrorCode, shown
from graphql_api.ingest.limits import MiB
from graphql_api.ingest.store import _UPLOAD_ID, LocalUploadStore, StoredUpload

__all__ = ["S3UploadStore"]

log = logging.getLogger("graphql_api.ingest")

C = IngestErrorCode
MIN_PART_SIZE = 5 * MiB  # S3's smallest part but the last


class S3UploadStore:
    def __init__(
        self,
        bucket: str,
        spool: Path,
        *,
        prefix: str = "uploads/",
        endpoint_url: str | None = None,
        region: str | None = None,
        part_size: int = 8 * MiB,
        stale_after: float = 2 * 3600.0,
        chunk_size: int = 1 * MiB,
        idle_timeout: float = 60.0,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes, not {part_size}")
        self.bucket = bucket
        self.prefix = prefix
        self.part_size = part_size
        self.stale_after = stale_after
        self.spool = LocalUploadStore(spool, chunk_size=chunk_size, idle_timeout=idle_timeout)
        self._options: dict[str, Any] = {"endpoint_url": endpoint_url, "region_name": region}
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        self._lock = anyio.Lock()

    # --- the interface ----------------------------------------------------------------------

    async def save_stream(
        self, chunks: AsyncIterator[bytes], filename: str, limit: int
    ) -> StoredUpload:
        spooled = await self.spool.save_stream(chunks, filename, limit)
        try:
            await self._send(spooled)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.spool.discard(spooled.id)
            raise
        return StoredUpload(
            spooled.id, self.location(spooled.id), spooled.filename, spooled.size, spooled.sha256
        )

    async def save_upload_file(self, upload: UploadFile, limit: int) -> StoredUpload:
        if upload.size is not None and upload.size > limit:
            raise IngestError(C.UPLOAD_TOO_LARGE, f"the upload is larger than {limit} bytes")
        return await self.save_stream(
            _read(upload, self.spool.chunk_size), upload.filename or "upload.zip", limit
        )

    def check_id(self, upload_id: str) -> None:
        self.spool.check_id(upload_id)

    def location(self, upload_id: str) -> str:
        return f"s3://{self.bucket}/{self._key(upload_id)}"

    def upload_id_of(self, location: str) -> str | None:
        key = location.removeprefix(f"s3://{self.bucket}/{self.prefix}")
        upload_id = key.removesuffix(".zip")
        if key == location or not _UPLOAD_ID.fullmatch(upload_id):
            return None
        return upload_id

    async def exists(self, upload_id: str) -> bool:
        client = await self._connected()
        try:
            await client.head_object(Bucket=self.bucket, Key=self._key(upload_id))
        except Exception as exc:
            if _status(exc) == 404:
                return False
            raise _unavailable("look up an upload", exc) from exc
        return True

    @contextlib.asynccontextmanager
    async def opened(self, upload_id: str) -> AsyncIterator[Path]:
        try:
            if not await self.spool.exists(upload_id):
                await self._download(upload_id)
            yield self.spool.path_of(upload_id)
        finally:
            with anyio.CancelScope(shield=True):
                await self.spool.discard(upload_id)

    async def discard(self, upload_id: str) -> None:
        await self.spool.discard(upload_id)
        client = await self._connected()
        try:
            await client.delete_object(Bucket=self.bucket, Key=self._key(upload_id))
        except Exception as exc:
            raise _unavailable("delete an upload", exc) from exc

    async def sweep(self) -> int:
        """Abort stale multipart uploads under the prefix; clear the spool. How many went."""
        gone = await self.spool.sweep()
        gone += await anyio.to_thread.run_sync(_clear, self.spool.root, self.stale_after)
        try:
            gone += await self._abort_stale()
        except Exception as exc:  # not fatal: the next start tries again; /readyz tells
            log.warning("the upload store's sweep failed: %s: %s", type(exc).__name__, exc)
        return int(gone)

    async def _abort_stale(self) -> int:
        client = await self._connected()
        cutoff = datetime.now(UTC) - timedelta(seconds=self.stale_after)
        gone = 0
        paginator = client.get_paginator("list_multipart_uploads")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] <= cutoff:
                    await client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    log.info("aborted a stale multipart upload of %s", upload["Key"])
                    gone += 1
        return gone

    async def check(self) -> None:
        await anyio.Path(self.spool.root).mkdir(parents=True, exist_ok=True)
        await self.spool.check()
        client = await self._connected()
        await client.head_bucket(Bucket=self.bucket)

    async def aclose(self) -> None:
        async with self._lock:
            if self._stack is not None:
                await self._stack.aclose()
            self._stack = self._client = None

    # --- S3 ----------------------------------------------------------------------------------

    def _key(self, upload_id: str) -> str:
        self.check_id(upload_id)
        return f"{self.prefix}{upload_id}.zip"

    async def _connected(self) -> Any:
        async with self._lock:
            if self._client is None:
                from aiobotocore.session import get_session  # type: ignore[import-untyped]

                stack = contextlib.AsyncExitStack()
                options = {k: v for k, v in self._options.items() if v}
                self._client = await stack.enter_async_context(
                    get_session().create_client("s3", **options)
                )
                self._stack = stack
            return self._client

    async def _send(self, spooled: StoredUpload) -> None:
        client = await self._connected()
        key = self._key(spooled.id)
        meta = {"sha256": spooled.sha256}
        try:
            if spooled.size <= self.part_size:
                body = await anyio.to_thread.run_sync(spooled.path.read_bytes)
                await client.put_object(Bucket=self.bucket, Key=key, Body=body, Metadata=meta)
                return
            started = await client.create_multipart_upload(
                Bucket=self.bucket, Key=key, Metadata=meta
            )
        except Exception as exc:
            raise _unavailable("store the upload", exc) from exc
        upload_id = started["UploadId"]
        try:
            parts = await self._parts(client, key, upload_id, spooled.path)
            await client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException as exc:
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            if isinstance(exc, Exception):
                raise _unavailable("store the upload", exc) from exc
            raise

    async def _parts(
        self, client: Any, key: str, upload_id: str, path: Path
    ) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        with path.open("rb") as file:
            number = 1
            while block := await anyio.to_thread.run_sync(file.read, self.part_size):
                sent = await client.upload_part(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=block
                )
                parts.append({"ETag": sent["ETag"], "PartNumber": number})
                number += 1
        return parts

    async def _download(self, upload_id: str) -> None:
        client = await self._connected()
        try:
            got = await client.get_object(Bucket=self.bucket, Key=self._key(upload_id))
        except Exception as exc:
            if _status(exc) == 404:
                raise IngestError(
                    C.UPLOAD_NOT_FOUND, f"no upload with id {shown(upload_id)}"
                ) from None
            raise _unavailable("read an upload", exc) from exc
        async with got["Body"] as body:
            chunks = body.iter_chunks(self.spool.chunk_size)
            await self.spool.save_stream(chunks, "upload.zip", sys.maxsize, upload_id=upload_id)


async def _read(upload: UploadFile, chunk_size: int) -> AsyncIterator[bytes]:
    while chunk := await upload.read(chunk_size):
        yield chunk


def _clear(spool: Path, older_than: float) -> int:
    """The spool's complete copies not touched for `older_than` seconds: the bucket has them,
    and no request or extraction can still be using one."""
    gone, cutoff = 0, time.time() - older_than
    for path in spool.glob("*.zip") if spool.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                gone += 1
    return gone


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None
    return None


def _unavailable(action: str, exc: BaseException) -> IngestError:
    log.warning("the upload store could not %s: %s: %s", action, type(exc).__name__, exc)
    return IngestError(C.STORE_UNAVAILABLE, f"the upload store could not {action}; try again")
