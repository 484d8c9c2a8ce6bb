"""What every upload store says of an upload it no longer holds, and of a name that is no id."""

from __future__ import annotations

import pytest

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.store import UploadStore


async def assert_not_held(store: UploadStore, upload_id: str) -> None:
    """`upload_id` is gone: not there, and opening it is UPLOAD_NOT_FOUND; a path is refused
    as an id."""
    assert not await store.exists(upload_id)
    with pytest.raises(IngestError) as caught:
        async with store.opened(upload_id):
            pass
    assert caught.value.code == IngestErrorCode.UPLOAD_NOT_FOUND
    with pytest.raises(IngestError):
        store.check_id("../../etc/passwd")
