"""Archives built to cost memory before any limit is checked: the refusal itself is cheap."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.extract import extract_zip
from graphql_api.ingest.limits import MiB
from tests.ingest.ingest_zipcraft import build_zip, lying_central_directory, write

C = IngestErrorCode


def test_a_million_central_entries_behind_an_end_record_claiming_ten(tmp_path: Path) -> None:
    data = lying_central_directory(build_zip([("a", b"x")]), copies=1_000_000, claimed=10)
    assert len(data) > 40 * MiB  # zipfile would build a million ZipInfo objects from this
    path = write(tmp_path, data)
    del data
    dest = tmp_path / "out"
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as caught:
            extract_zip(path, dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == C.TOO_MANY_ENTRIES
    assert caught.value.message == (
        "the central directory holds more than 50000 entries (the end record claims 10)"
    )
    assert peak < 1 * MiB, f"the refusal allocated {peak} bytes"
    assert list(dest.iterdir()) == []


def test_a_central_directory_holding_fewer_entries_than_claimed(tmp_path: Path) -> None:
    data = lying_central_directory(build_zip([("a", b"x")]), copies=3, claimed=10)
    with pytest.raises(IngestError) as caught:
        extract_zip(write(tmp_path, data), tmp_path / "out")
    assert caught.value.code == C.ARCHIVE_CORRUPT
    assert caught.value.message == (
        "not a readable ZIP archive: the end record claims 10 entries, "
        "the central directory holds 3"
    )
