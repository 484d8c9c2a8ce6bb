"""Safe, atomic extraction of one uploaded ZIP.

``extract_zip`` is synchronous and blocking: callers run it in a worker thread
(``await anyio.to_thread.run_sync(extract_zip, ...)``).  It works in two passes.

1. Inspection of the central directory, before anything is written.  Refused with
   (codes from ``errors.IngestErrorCode``):
   - ARCHIVE_CORRUPT: not a ZIP, unreadable directory, entries whose data overlap (the
     "overlapping files" bomb: https://www.bamsoftware.com/hacks/zipbomb/).
   - TOO_MANY_ENTRIES: more than ``max_entries``, declared in the end record or counted by
     walking the central directory's headers in place, before zipfile parses it into memory
     (a count that differs from the declared one is ARCHIVE_CORRUPT).
   - ARCHIVE_ENCRYPTED: general-purpose flag bit 0 (traditional) or 6 (strong encryption).
   - ARCHIVE_UNSUPPORTED: compression other than stored, deflate, bzip2, lzma (deflate64 from
     Windows Explorer is the one met in practice; Python cannot read it).
   - ARCHIVE_UNSAFE_PATH: absolute names, "..", backslashes, drive letters ("C:"), NUL and other
     control characters, empty names, and device/FIFO/socket entries.
   - ARCHIVE_SYMLINK: entries whose Unix mode is S_IFLNK.  A separate code, so the client can be
     told to re-zip without symlinks rather than that its paths are unsafe.
   - ARCHIVE_TOO_DEEP: more than ``max_depth`` components, a name over ``max_path_length``
     bytes, or a component over 255 bytes (NAME_MAX).
   - ARCHIVE_DUPLICATE_ENTRY: two files with the same name after dropping "." and empty
     components and Unicode NFC normalisation (case folded too when
     ``reject_case_collisions``), or a name used both as a file and as a directory.  A directory
     listed twice is harmless and allowed.
   - ARCHIVE_TOO_LARGE: an entry over ``max_entry_size``, a total over
     ``max_total_uncompressed``, or a ratio over ``max_ratio`` (per entry and overall, only
     above ``ratio_threshold`` bytes).
   - EMPTY_UPLOAD: no entries, or only directories.
   - DISK_FULL (while extracting): the disk filled up; the partial tree is removed.
2. Extraction into a fresh hidden directory in ``dest_parent``, streaming each entry while
   counting the bytes really produced and enforcing the size and ratio limits on them (CRC
   mismatches and broken streams are ARCHIVE_CORRUPT), then one ``rename`` to the final name.
   On any failure the partial directory is removed: a caller sees the whole tree or nothing.

Modes are sanitised: directories 0755, files 0644, or 0755 when the archive marks them executable;
setuid/setgid/sticky bits are never set.  Timestamps are not restored.  Dotfiles and ``.git``
directories are extracted like anything else (they are the repositories being mined), and
inner archives stay files: nothing is extracted recursively.
"""

from __future__ import annotations

import lzma
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Generator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graphql_api.ingest.errors import IngestError, IngestErrorCode, disk_full, is_disk_full
from graphql_api.ingest.limits import ArchiveLimits, MiB
from graphql_api.leftovers import held

__all__ = ["SUPPORTED_METHODS", "ExtractionResult", "extract_zip", "inspect_zip"]

SUPPORTED_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_ENCRYPTED_FLAGS = 0x1 | 0x40  # traditional PKWARE encryption | strong encryption
_LOCAL_HEADER_SIZE = 30  # fixed part of a local file header, before name and extra field
_NAME_MAX = 255
_CHUNK = 1 * MiB
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a damaged stream raises from zipfile and the decompressors (bz2 raises a bare OSError).
# NotImplementedError: zipfile's answer to a header claiming a newer ZIP version (found by
# tests/ingest/test_ingest_fuzz.py); for us it is a damaged or hostile archive.
# UnicodeDecodeError: a damaged local header whose name claims UTF-8 (zipfile decodes it in open).
_STREAM_ERRORS = (
    zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, NotImplementedError,
    UnicodeDecodeError,
)  # fmt: skip
_DIRECTORY_ERRORS = (
    zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError
)  # fmt: skip

C = IngestErrorCode


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    path: Path
    files: int
    directories: int
    total_bytes: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One central-directory entry that passed inspection."""

    info: zipfile.ZipInfo
    parts: tuple[str, ...]
    is_dir: bool
    executable: bool


def extract_zip(
    zip_path: Path,
    dest_parent: Path,
    limits: ArchiveLimits | None = None,
    *,
    name: str | None = None,
) -> ExtractionResult:
    """Extract ``zip_path`` into ``dest_parent/<name or uuid4 hex>``; see the module docstring.

    ``dest_parent`` is created if missing; it must be on one filesystem with its children (the
    final step is a rename).
    """
    limits = limits or ArchiveLimits()
    final = dest_parent / _checked_name(name or uuid.uuid4().hex)
    dest_parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise FileExistsError(f"extraction target {str(final)!r} already exists")
    with ExitStack() as stack:
        fp = stack.enter_context(zip_path.open("rb"))
        archive_size = os.fstat(fp.fileno()).st_size
        zf = stack.enter_context(_open_zip(fp, limits))
        entries = inspect_zip(zf, limits, archive_size)
        return _extract_atomically(zf, entries, final, limits, archive_size)


def inspect_zip(zf: zipfile.ZipFile, limits: ArchiveLimits, archive_size: int) -> list[Entry]:
    """Validate the central directory of ``zf``; raise ``IngestError`` on the first problem."""
    infos = zf.infolist()
    _check_count(len(infos), limits)
    _check_overlaps(zf, infos)
    entries = [_inspect_entry(info, limits) for info in infos]
    _check_duplicates(entries, limits)
    _check_totals(entries, limits, archive_size)
    return entries


# -- opening ---------------------------------------------------------------------------------


def _open_zip(fp: BinaryIO, limits: ArchiveLimits) -> zipfile.ZipFile:
    try:
        _check_central_directory(fp, limits)
        return zipfile.ZipFile(fp)
    except _DIRECTORY_ERRORS as exc:
        raise IngestError(C.ARCHIVE_CORRUPT, f"not a readable ZIP archive: {exc}") from exc


def _check_central_directory(fp: BinaryIO, limits: ArchiveLimits) -> None:
    """Count the central directory's headers before zipfile builds one ZipInfo per entry.

    zipfile walks the directory by its declared byte size, not by the end record's entry
    count, so an end record claiming 10 entries in front of a directory of a million would
    pass a check of the count alone and cost gigabytes once parsed.  Here the headers are
    walked in place (46 bytes read, name/extra/comment skipped), at most ``max_entries + 1``
    of them, and the count found must equal the count declared.  ``_EndRecData`` is private
    but has been stable since Python 2 and also resolves the ZIP64 end record.
    """
    endrec = zipfile._EndRecData(fp)  # type: ignore[attr-defined]
    if endrec is None:
        raise zipfile.BadZipFile("no end of central directory record")
    declared = int(endrec[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]
    _check_count(declared, limits)
    size_cd = int(endrec[zipfile._ECD_SIZE])  # type: ignore[attr-defined]
    start = int(endrec[zipfile._ECD_LOCATION]) - size_cd  # type: ignore[attr-defined]
    if endrec[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
        start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
    found = _count_headers(fp, start, size_cd, limits.max_entries)
    if found > limits.max_entries:
        raise IngestError(
            C.TOO_MANY_ENTRIES,
            f"the central directory holds more than {limits.max_entries} entries "
            f"(the end record claims {declared})",
        )
    if found != declared:
        raise zipfile.BadZipFile(
            f"the end record claims {declared} entries, the central directory holds {found}"
        )


_CD_HEADER = struct.Struct("<4s24xHHH12x")  # APPNOTE 4.3.12: the 46 fixed bytes
_CD_SIGNATURE = b"PK\x01\x02"


def _count_headers(fp: BinaryIO, start: int, size: int, limit: int) -> int:
    """Central directory headers in ``size`` bytes from ``start``; stops after ``limit + 1``."""
    if start < 0:
        raise zipfile.BadZipFile("bad offset for the central directory")
    fp.seek(start)
    count = walked = 0
    while walked < size and count <= limit:
        header = fp.read(_CD_HEADER.size)
        if len(header) != _CD_HEADER.size:
            raise zipfile.BadZipFile("truncated central directory")
        signature, name, extra, comment = _CD_HEADER.unpack(header)
        if signature != _CD_SIGNATURE:
            raise zipfile.BadZipFile("bad magic number in the central directory")
        fp.seek(name + extra + comment, os.SEEK_CUR)
        walked += _CD_HEADER.size + name + extra + comment
        count += 1
    return count


def _checked_name(name: str) -> str:
    if name in {"", ".", ".."} or "/" in name or "\0" in name:
        raise ValueError(f"extraction name must be a single path component, got {name!r}")
    return name


# -- inspection ------------------------------------------------------------------------------


def _check_count(count: int, limits: ArchiveLimits) -> None:
    if count > limits.max_entries:
        raise IngestError(
            C.TOO_MANY_ENTRIES, f"archive has {count} entries, limit {limits.max_entries}"
        )
    if count == 0:
        raise IngestError(C.EMPTY_UPLOAD, "archive has no entries")


def _check_overlaps(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Reject entries whose data run into the next header (or into the central directory).

    The lower bound of an entry's extent is its local header, name and compressed data; the
    extra field and data descriptor only make it longer, so a real overlap is never missed.
    """
    ordered = sorted(infos, key=lambda info: info.header_offset)
    ends = [info.header_offset for info in ordered[1:]] + [zf.start_dir]
    for info, limit in zip(ordered, ends, strict=True):
        extent = _LOCAL_HEADER_SIZE + len(info.orig_filename) + info.compress_size
        if info.header_offset + extent > limit:
            raise IngestError(
                C.ARCHIVE_CORRUPT, f"entry {info.orig_filename!r} overlaps the next entry"
            )


def _inspect_entry(info: zipfile.ZipInfo, limits: ArchiveLimits) -> Entry:
    raw = info.orig_filename  # zipfile truncates .filename at NUL; the original keeps it
    if info.flag_bits & _ENCRYPTED_FLAGS:
        raise IngestError(C.ARCHIVE_ENCRYPTED, f"entry {raw!r} is encrypted")
    if info.compress_type not in SUPPORTED_METHODS:
        raise IngestError(
            C.ARCHIVE_UNSUPPORTED,
            f"entry {raw!r} uses compression method {info.compress_type}; "
            "only stored, deflate, bzip2 and lzma are supported",
        )
    mode = info.external_attr >> 16
    _check_file_type(raw, mode)
    parts = _safe_parts(raw, limits)
    is_dir = info.is_dir() or stat.S_ISDIR(mode)
    _check_entry_size(info, limits)
    return Entry(info, parts, is_dir, executable=bool(mode & 0o111) and not is_dir)


def _check_file_type(raw: str, mode: int) -> None:
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        raise IngestError(C.ARCHIVE_SYMLINK, f"entry {raw!r} is a symbolic link")
    # 0 is what non-Unix zippers write: the name alone says file or directory.
    if kind not in {0, stat.S_IFREG, stat.S_IFDIR}:
        raise IngestError(C.ARCHIVE_UNSAFE_PATH, f"entry {raw!r} is a special file ({kind:o})")


def _safe_parts(raw: str, limits: ArchiveLimits) -> tuple[str, ...]:
    """The path components of an entry name, or ``IngestError`` if the name is unsafe."""
    unsafe = _unsafe_reason(raw)
    if unsafe:
        raise IngestError(C.ARCHIVE_UNSAFE_PATH, f"entry {raw!r} {unsafe}")
    size = len(raw.encode("utf-8", "surrogateescape"))
    if size > limits.max_path_length:
        raise IngestError(
            C.ARCHIVE_TOO_DEEP,
            f"entry {raw!r} is {size} bytes long, limit {limits.max_path_length}",
        )
    parts = tuple(part for part in raw.split("/") if part not in {"", "."})
    if not parts:
        raise IngestError(C.ARCHIVE_UNSAFE_PATH, f"entry {raw!r} has an empty name")
    if len(parts) > limits.max_depth:
        raise IngestError(
            C.ARCHIVE_TOO_DEEP,
            f"entry {raw!r} is {len(parts)} levels deep, limit {limits.max_depth}",
        )
    if any(len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX for part in parts):
        raise IngestError(C.ARCHIVE_TOO_DEEP, f"entry {raw!r} has a component over 255 bytes")
    return parts


def _unsafe_reason(raw: str) -> str | None:
    if _CONTROL.search(raw):
        return "contains a control character"
    if "\\" in raw:
        return "contains a backslash"
    if raw.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(raw):
        return "starts with a drive letter"
    if ".." in raw.split("/"):
        return "contains a '..' component"
    return None


def _check_entry_size(info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    raw = info.orig_filename
    if info.file_size > limits.max_entry_size:
        raise IngestError(
            C.ARCHIVE_TOO_LARGE,
            f"entry {raw!r} expands to {info.file_size} bytes, limit {limits.max_entry_size}",
        )
    if _ratio_exceeded(info.file_size, info.compress_size, limits):
        raise IngestError(
            C.ARCHIVE_TOO_LARGE,
            f"entry {raw!r} expands {info.file_size} bytes from {info.compress_size}, "
            f"over the ratio limit {limits.max_ratio:g}",
        )


def _ratio_exceeded(uncompressed: int, compressed: int, limits: ArchiveLimits) -> bool:
    return uncompressed > limits.ratio_threshold and uncompressed > limits.max_ratio * max(
        compressed, 1
    )


def _check_duplicates(entries: list[Entry], limits: ArchiveLimits) -> None:
    files: dict[str, str] = {}
    dirs: dict[str, str] = {}
    for entry in entries:
        keys = [_key(entry.parts[:i], limits) for i in range(1, len(entry.parts) + 1)]
        raw = entry.info.orig_filename
        for parent in keys[: None if entry.is_dir else -1]:
            dirs.setdefault(parent, raw)
        if not entry.is_dir:
            if keys[-1] in files:
                raise IngestError(
                    C.ARCHIVE_DUPLICATE_ENTRY,
                    f"entry {raw!r} duplicates entry {files[keys[-1]]!r}",
                )
            files[keys[-1]] = raw
    for key, raw in files.items():
        if key in dirs:
            raise IngestError(
                C.ARCHIVE_DUPLICATE_ENTRY,
                f"entry {raw!r} is a file but {dirs[key]!r} uses it as a directory",
            )


def _key(parts: tuple[str, ...], limits: ArchiveLimits) -> str:
    key = unicodedata.normalize("NFC", "/".join(parts))
    return key.casefold() if limits.reject_case_collisions else key


def _check_totals(entries: list[Entry], limits: ArchiveLimits, archive_size: int) -> None:
    total = sum(entry.info.file_size for entry in entries)
    if total > limits.max_total_uncompressed:
        raise IngestError(
            C.ARCHIVE_TOO_LARGE,
            f"archive expands to {total} bytes, limit {limits.max_total_uncompressed}",
        )
    if _ratio_exceeded(total, archive_size, limits):
        raise IngestError(
            C.ARCHIVE_TOO_LARGE,
            f"archive expands {archive_size} bytes to {total}, "
            f"over the ratio limit {limits.max_ratio:g}",
        )
    if all(entry.is_dir for entry in entries):
        raise IngestError(C.EMPTY_UPLOAD, "archive holds directories but no files")


# -- extraction ------------------------------------------------------------------------------


class _Budget:
    """Counts the bytes really produced, because the sizes in the directory can lie.

    (CPython's ZipExtFile already stops at the declared size and then fails the CRC check; this
    is the guard that does not depend on that detail.)
    """

    def __init__(self, limits: ArchiveLimits, archive_size: int) -> None:
        self.limits = limits
        self.archive_size = archive_size
        self.total = 0
        self.entry = 0

    def start(self) -> None:
        self.entry = 0

    def add(self, info: zipfile.ZipInfo, size: int) -> None:
        self.entry += size
        self.total += size
        limits, raw = self.limits, info.orig_filename
        if self.entry > min(limits.max_entry_size, info.file_size):
            cap = min(limits.max_entry_size, info.file_size)
            self._fail(f"entry {raw!r} produced more than {cap} bytes")
        if _ratio_exceeded(self.entry, info.compress_size, limits):
            self._fail(f"entry {raw!r} passed the ratio limit {limits.max_ratio:g}")
        if self.total > limits.max_total_uncompressed:
            self._fail(f"archive produced more than {limits.max_total_uncompressed} bytes")
        if _ratio_exceeded(self.total, self.archive_size, limits):
            self._fail(f"archive passed the ratio limit {limits.max_ratio:g}")

    @staticmethod
    def _fail(message: str) -> None:
        raise IngestError(C.ARCHIVE_TOO_LARGE, message + " while extracting")


def _extract_atomically(
    zf: zipfile.ZipFile,
    entries: list[Entry],
    final: Path,
    limits: ArchiveLimits,
    archive_size: int,
) -> ExtractionResult:
    # Hidden, in the same directory as the target: the final rename is atomic (same filesystem)
    # and a crash leaves a dot-directory that is easy to sweep.
    # Held while it fills, so that the start-up sweep takes it only from a dead process.
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=final.parent))
    try:
        with held(staging):
            budget = _Budget(limits, archive_size)
            made: set[tuple[str, ...]] = set()
            for entry in entries:
                _extract_entry(zf, entry, staging, budget, made)
            os.chmod(staging, 0o755)  # mkdtemp made it 0700
            os.rename(staging, final)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if is_disk_full(exc):
            raise disk_full("extract the archive") from exc
        raise
    files = sum(not entry.is_dir for entry in entries)
    return ExtractionResult(final, files, len(made), budget.total)


def _extract_entry(
    zf: zipfile.ZipFile,
    entry: Entry,
    root: Path,
    budget: _Budget,
    made: set[tuple[str, ...]],
) -> None:
    dir_parts = entry.parts if entry.is_dir else entry.parts[:-1]
    _make_dirs(root, dir_parts, made)
    if entry.is_dir:
        return
    mode = 0o755 if entry.executable else 0o644
    # O_EXCL | O_NOFOLLOW: never write through something already there (there should be nothing).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    budget.start()
    fd = os.open(root.joinpath(*entry.parts), flags, mode)
    with open(fd, "wb") as out, closing(_read_chunks(zf, entry.info)) as chunks:
        for chunk in chunks:
            budget.add(entry.info, len(chunk))
            out.write(chunk)
        os.fchmod(out.fileno(), mode)  # os.open's mode was filtered by the umask


def _make_dirs(root: Path, parts: tuple[str, ...], made: set[tuple[str, ...]]) -> None:
    for depth in range(1, len(parts) + 1):
        key = parts[:depth]
        if key not in made:
            path = root.joinpath(*key)
            path.mkdir(mode=0o755, exist_ok=True)
            os.chmod(path, 0o755)
            made.add(key)


def _read_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """Decompressed chunks of one entry; stream damage becomes ARCHIVE_CORRUPT."""
    try:
        with zf.open(info) as src:
            while chunk := src.read(_CHUNK):
                yield chunk
    except _STREAM_ERRORS as exc:
        raise IngestError(
            C.ARCHIVE_CORRUPT, f"entry {info.orig_filename!r} is corrupt: {exc}"
        ) from exc
