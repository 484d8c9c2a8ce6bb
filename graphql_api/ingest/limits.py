"""Limits applied to uploads and to the archives inside them.

The defaults fit one portfolio of git repositories on a small server; the app layer builds its own
instances from settings.  Every limit is checked twice during extraction: first against the sizes
the ZIP central directory declares (so a hostile archive is refused before one byte is written),
then against the bytes actually produced while streaming (declared sizes can lie).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What one ZIP may expand to.

    max_total_uncompressed: sum of all entries' uncompressed bytes.
    max_entry_size: uncompressed bytes of any single entry.
    max_entries: entries in the central directory, directories included.
    max_ratio: uncompressed / compressed, per entry and for the whole archive.  Tiny entries
        compress absurdly well (a 200 KiB file of blank lines is legitimate), so the ratio is only
        enforced once the uncompressed size passes ``ratio_threshold``.
    ratio_threshold: uncompressed bytes below which the ratio is not checked.
    max_depth: path components of an entry name ("a/b/c.txt" has 3).
    max_path_length: UTF-8 bytes of an entry name.
    reject_case_collisions: also treat names that differ only by case as duplicates.  Off by
        default: extraction happens on a case-sensitive Linux filesystem and real repositories do
        hold such pairs (``Makefile`` and ``makefile``); turn it on if the extraction target is
        case-insensitive (macOS, Windows) where one would silently overwrite the other.
    """

    max_total_uncompressed: int = 2 * GiB
    max_entry_size: int = 512 * MiB
    max_entries: int = 50_000
    max_ratio: float = 200.0
    ratio_threshold: int = 1 * MiB
    max_depth: int = 32
    max_path_length: int = 1024
    reject_case_collisions: bool = False

    def __post_init__(self) -> None:
        _require_positive(self)


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """What one upload may weigh.

    max_upload_bytes: bytes of one uploaded file (the ZIP as sent, before extraction).
    chunk_size: bytes read and written per step; bounds the memory one upload holds.
    """

    max_upload_bytes: int = 2 * GiB
    chunk_size: int = 1 * MiB

    def __post_init__(self) -> None:
        _require_positive(self)


def _require_positive(limits: ArchiveLimits | UploadLimits) -> None:
    for field in fields(limits):
        value = getattr(limits, field.name)
        if not isinstance(value, bool) and value <= 0:
            raise ValueError(f"{type(limits).__name__}.{field.name} must be > 0, got {value!r}")
