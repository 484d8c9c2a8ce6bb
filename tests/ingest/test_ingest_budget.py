"""The real-bytes guard, driven directly: zipfile never lets it trip on its own."""

from __future__ import annotations

import zipfile

import pytest

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.extract import _Budget
from graphql_api.ingest.limits import ArchiveLimits


def entry(file_size: int, compress_size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("e")
    info.file_size, info.compress_size = file_size, compress_size
    return info


RATIO_2 = ArchiveLimits(max_ratio=2, ratio_threshold=5)


@pytest.mark.parametrize(
    ("limits", "info", "archive_size", "message"),
    [
        (
            ArchiveLimits(max_entry_size=10),
            entry(100, 100),
            10**6,
            "entry 'e' produced more than 10 bytes",
        ),
        (
            ArchiveLimits(),
            entry(10, 10),
            10**6,
            "entry 'e' produced more than 10 bytes",  # more than declared
        ),
        (RATIO_2, entry(100, 4), 10**6, "entry 'e' passed the ratio limit 2"),
        (
            ArchiveLimits(max_total_uncompressed=15),
            entry(100, 100),
            10**6,
            "archive produced more than 15 bytes",
        ),
        (RATIO_2, entry(100, 100), 4, "archive passed the ratio limit 2"),
    ],
)
def test_budget_trips_on_real_bytes(
    limits: ArchiveLimits, info: zipfile.ZipInfo, archive_size: int, message: str
) -> None:
    budget = _Budget(limits, archive_size)
    budget.start()
    budget.add(info, 8)
    with pytest.raises(IngestError) as caught:
        budget.add(info, 8)
    assert caught.value.code == IngestErrorCode.ARCHIVE_TOO_LARGE
    # The whole message: what the user reads says the limit tripped while extracting.
    assert caught.value.message == f"{message} while extracting"


def test_budget_resets_per_entry_but_keeps_the_total() -> None:
    budget = _Budget(ArchiveLimits(max_entry_size=10), 10**6)
    for _ in range(3):
        budget.start()
        budget.add(entry(10, 10), 10)
    assert budget.total == 30


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"ArchiveLimits.max_depth must be > 0, got 0"):
        ArchiveLimits(max_depth=0)
