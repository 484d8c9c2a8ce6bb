"""A ZIP extracted while it is uploaded: a guess that ``extract_zip`` checks before it adopts it.

``extract_zip`` reads the central directory first, so it can start only once the upload is
whole; for a portfolio of packs that is the upload's time, then the extraction's. An
``EarlyExtraction`` is handed the upload's chunks as they arrive (``feed``, from the event
loop: it only queues them) and, in a thread of its own, walks the local file headers and
writes each entry's bytes into a hidden staging folder, as they come. Nothing in that folder
is trusted: ``extract_zip(..., early=...)`` inspects the central directory as it always does,
then takes the folder only when every entry the directory lists was written from the local
header at the directory's offset for it, with the same name, method, sizes and CRC (checked
on the bytes written), and nothing else was; otherwise the folder is removed and the archive
is extracted from the stored file as without it. So what is refused, and every byte of what is
accepted, is exactly what the extraction of the stored file decides.

While it guesses it keeps to the same bounds (``ArchiveLimits``: names checked by the same
rules, sizes, entries, the ratio against the bytes received) and gives up, silently, at the
first thing it does not handle: a data descriptor (sizes after the data), ZIP64 sizes,
encryption, a method other than stored or deflate, a name refused, a file written twice, a
stream whose CRC or size differs from its header, more than ``MAX_QUEUED`` bytes waiting (it
never holds an upload in memory), or whatever it raises. Giving up costs nothing but the guess.

``EarlyExtractions`` keeps the guesses of uploads received (POST /uploads) until
``uploadPortfolio`` takes them: the last ``KEPT`` of them, for ``MAX_AGE`` seconds (a guess
takes the disk space of its extraction; with WORKERS > 1 the mutation may reach another process,
which extracts the stored file, and the guess here waits for its time to end).
"""

from __future__ import annotations

import os
import queue
import shutil
import stat
import struct
import tempfile
import threading
import time
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from graphql_api.ingest.errors import IngestError
from graphql_api.ingest.extract import _safe_parts
from graphql_api.ingest.limits import ArchiveLimits, MiB
from graphql_api.leftovers import hold

__all__ = ["EarlyEntry", "EarlyExtraction", "EarlyExtractions", "EarlyTree"]

MAX_QUEUED = 64 * MiB  # bytes fed and not yet written: past it, the guess is given up
KEPT = 4  # guesses kept for uploads not yet taken; the oldest goes first
MAX_AGE = 900.0  # seconds a guess is kept untaken
_LOCAL = struct.Struct("<4s2xHHHHIIIHH")  # APPNOTE 4.3.7: the 30 fixed bytes
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENDS = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06")  # the central directory begins
_DESCRIPTOR, _UTF8, _ENCRYPTED = 0x8, 0x800, 0x41
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP64 = 0xFFFFFFFF
_DONE = b""  # what `finish` queues: no more chunks


class _GiveUp(Exception):
    """The guess ends here (the stored file is extracted as without it)."""


@dataclass(frozen=True, slots=True)
class EarlyEntry:
    """One entry written from its local header, at `offset` in the archive."""

    offset: int
    name: str  # decoded as zipfile decodes it
    method: int
    compressed: int
    size: int
    crc: int
    parts: tuple[str, ...]
    is_dir: bool


@dataclass(slots=True)
class EarlyTree:
    """What an early extraction wrote: its staging folder (held by this process while it
    lives: the start-up sweep takes it only from a dead one) and the entries in it."""

    staging: Path
    entries: dict[int, EarlyEntry]  # by offset
    directories: set[tuple[str, ...]]
    total: int
    _fd: int = -1

    def discard(self) -> None:
        """Remove the folder (blocking)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.release()

    def release(self) -> None:
        """Let the folder go (renamed into place, or removed)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def adopt(self, infos: list[tuple[zipfile.ZipInfo, bool, bool]]) -> bool:
        """Whether the folder holds exactly the entries the central directory lists (each
        info with whether it is a directory and whether it is executable); then the modes
        are set from the directory, as the extraction sets them (blocking)."""
        if len(infos) != len(self.entries):
            return False
        for info, is_dir, _ in infos:
            early = self.entries.get(info.header_offset)
            if early is None or not _same(early, info, is_dir):
                return False
        for info, is_dir, executable in infos:
            if not is_dir:
                path = self.staging.joinpath(*self.entries[info.header_offset].parts)
                os.chmod(path, 0o755 if executable else 0o644)
        for parts in self.directories:
            os.chmod(self.staging.joinpath(*parts), 0o755)
        os.chmod(self.staging, 0o755)  # mkdtemp made it 0700
        return True


@dataclass
class _Entry:
    header: EarlyEntry
    left: int  # compressed bytes still to come
    out: int  # the file's descriptor (-1: a directory)
    inflate: zlib._Decompress | None
    crc: int = 0
    produced: int = 0


@dataclass
class _State:
    staging: Path
    limits: ArchiveLimits
    offset: int = 0  # of the next byte to come
    head: bytearray = field(default_factory=bytearray)  # a local header being gathered
    entry: _Entry | None = None
    entries: dict[int, EarlyEntry] = field(default_factory=dict)
    made: set[tuple[str, ...]] = field(default_factory=set)
    total: int = 0
    ended: bool = False  # the central directory began: the rest is not ours


class EarlyExtraction:
    """Feed it an upload's chunks in order from the event loop, then `finish` (blocking) for
    the tree it guessed, or None."""

    def __init__(self, dest_parent: Path, limits: ArchiveLimits) -> None:
        dest_parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=dest_parent))
        self._fd = os.open(staging, os.O_RDONLY)
        hold(self._fd)
        self._state = _State(staging, limits)
        self._chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._queued = 0
        self._lock = threading.Lock()
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="early-extract", daemon=True)
        self._thread.start()

    def feed(self, chunk: bytes) -> None:
        """Queue the next bytes of the upload (never blocks; past MAX_QUEUED it gives up)."""
        if self._failed or not chunk:
            return
        with self._lock:
            self._queued += len(chunk)
            over = self._queued > MAX_QUEUED
        if over:
            self._failed = True
        self._chunks.put(chunk)

    def finish(self) -> EarlyTree | None:
        """The tree once every fed chunk is written, or None (its folder removed). Blocking."""
        self._chunks.put(_DONE)
        self._thread.join()
        state = self._state
        if self._failed or not state.ended or state.entry is not None:
            self._discard()
            return None
        tree = EarlyTree(state.staging, state.entries, state.made, state.total, self._fd)
        self._fd = -1
        return tree

    def abandon(self) -> None:
        """The upload failed: stop, and remove what was written (blocking)."""
        self._failed = True
        self._chunks.put(_DONE)
        self._thread.join()
        self._discard()

    def _discard(self) -> None:
        entry = self._state.entry
        if entry is not None and entry.out >= 0:
            os.close(entry.out)
            entry.out = -1
        shutil.rmtree(self._state.staging, ignore_errors=True)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not _DONE:
            with self._lock:
                self._queued -= len(chunk)
            if self._failed or self._state.ended:
                continue  # drained, not read
            try:
                _consume(self._state, memoryview(chunk))
            except (_GiveUp, IngestError, OSError, ValueError, zlib.error):
                self._failed = True
            except BaseException:  # a bug of ours must not stop the upload: the guess ends
                self._failed = True
                raise


def _consume(state: _State, data: memoryview) -> None:
    while data and not state.ended:
        entry = state.entry
        data = _header(state, data) if entry is None else _data(state, entry, data)


def _header(state: _State, data: memoryview) -> memoryview:
    """Gather the next local header (or see the central directory begin)."""
    need = _LOCAL.size - len(state.head)
    if need > 0:
        state.head += data[:need]
        data = data[need:]
        if len(state.head) < _LOCAL.size:
            return data
    signature, flags, method, _, _, crc, compressed, size, name_len, extra_len = _LOCAL.unpack(
        state.head[: _LOCAL.size]
    )
    if signature in _ENDS:
        state.ended = True
        return data
    if signature != _LOCAL_SIGNATURE:
        raise _GiveUp("not a local header")
    more = _LOCAL.size + name_len + extra_len - len(state.head)
    if more > 0:
        state.head += data[:more]
        data = data[more:]
        if len(state.head) < _LOCAL.size + name_len + extra_len:
            return data
    raw = bytes(state.head[_LOCAL.size : _LOCAL.size + name_len])
    header = _entry_header(state, flags, method, crc, compressed, size, raw)
    state.entry = _open(state, header)
    state.offset += len(state.head)
    state.head = bytearray()
    if state.entry.left == 0:
        _close(state, state.entry)
    return data


def _entry_header(
    state: _State, flags: int, method: int, crc: int, compressed: int, size: int, raw: bytes
) -> EarlyEntry:
    if flags & (_DESCRIPTOR | _ENCRYPTED) or method not in _METHODS:
        raise _GiveUp("an entry this guess does not handle")
    if _ZIP64 in (compressed, size) or len(state.entries) >= state.limits.max_entries:
        raise _GiveUp("ZIP64 sizes, or too many entries")
    name = raw.decode("utf-8") if flags & _UTF8 else raw.decode("cp437")
    parts = _safe_parts(name, state.limits)
    limits = state.limits
    if size > limits.max_entry_size or state.total + size > limits.max_total_uncompressed:
        raise _GiveUp("too large")
    is_dir = name.endswith("/")
    return EarlyEntry(state.offset, name, method, compressed, size, crc, parts, is_dir)


def _open(state: _State, header: EarlyEntry) -> _Entry:
    dirs = header.parts if header.is_dir else header.parts[:-1]
    for depth in range(1, len(dirs) + 1):
        if (key := dirs[:depth]) not in state.made:
            os.mkdir(state.staging.joinpath(*key), 0o755)  # exists: a file there, or twice
            state.made.add(key)
    if header.is_dir:
        if header.compressed:
            raise _GiveUp("a directory with data")
        return _Entry(header, 0, -1, None)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    out = os.open(state.staging.joinpath(*header.parts), flags, 0o644)
    inflate = zlib.decompressobj(-15) if header.method == zipfile.ZIP_DEFLATED else None
    return _Entry(header, header.compressed, out, inflate)


def _data(state: _State, entry: _Entry, data: memoryview) -> memoryview:
    take, rest = data[: entry.left], data[entry.left :]
    entry.left -= len(take)
    state.offset += len(take)
    if entry.inflate is None:
        _write(state, entry, take)
    else:
        _inflate(state, entry, take)
    if entry.left == 0:
        _close(state, entry)
    return rest


def _inflate(state: _State, entry: _Entry, data: memoryview | bytes) -> None:
    assert entry.inflate is not None
    while data:
        room = entry.header.size - entry.produced + 1  # one byte more: a lie is seen
        out = entry.inflate.decompress(data, min(room, 4 * MiB))
        _write(state, entry, out)
        data = entry.inflate.unconsumed_tail
        if entry.inflate.eof:
            return


def _write(state: _State, entry: _Entry, data: memoryview | bytes) -> None:
    entry.produced += len(data)
    state.total += len(data)
    if entry.produced > entry.header.size:
        raise _GiveUp("more bytes than the header says")
    if state.total > state.limits.max_total_uncompressed:
        raise _GiveUp("too large")
    limits = state.limits
    if state.total > limits.ratio_threshold and state.total > limits.max_ratio * state.offset:
        raise _GiveUp("over the ratio")
    entry.crc = zlib.crc32(data, entry.crc)
    view = memoryview(data)
    while view:
        view = view[os.write(entry.out, view) :]


def _close(state: _State, entry: _Entry) -> None:
    if entry.inflate is not None and not entry.inflate.eof:
        raise _GiveUp("the deflate stream did not end")
    if entry.out >= 0:
        os.close(entry.out)
        entry.out = -1
    if entry.produced != entry.header.size or entry.crc != entry.header.crc:
        raise _GiveUp("size or CRC differs from the header")
    state.entries[entry.header.offset] = entry.header
    state.entry = None


def _same(early: EarlyEntry, info: zipfile.ZipInfo, is_dir: bool) -> bool:
    return (
        early.name == info.orig_filename
        and early.method == info.compress_type
        and early.compressed == info.compress_size
        and early.size == info.file_size
        and early.crc == info.CRC
        and early.is_dir == is_dir
        and not stat.S_ISLNK(info.external_attr >> 16)
    )


class EarlyExtractions:
    """The guesses of uploads received, by upload id, until taken (the last KEPT)."""

    def __init__(self, dest_parent: Path, limits: ArchiveLimits | None = None) -> None:
        self.dest_parent = dest_parent
        self.limits = limits or ArchiveLimits()
        self._kept: OrderedDict[str, tuple[float, EarlyExtraction]] = OrderedDict()

    def start(self) -> EarlyExtraction:
        """A new guess (blocking: makes its folder)."""
        return EarlyExtraction(self.dest_parent, self.limits)

    def keep(self, upload_id: str, extraction: EarlyExtraction) -> list[EarlyExtraction]:
        """Keep `extraction` for `upload_id`; what no longer fits, or is too old, is returned
        for the caller to abandon."""
        now = time.monotonic()
        self._kept[upload_id] = (now, extraction)
        dropped = []
        while self._kept and (
            len(self._kept) > KEPT or next(iter(self._kept.values()))[0] < now - MAX_AGE
        ):
            dropped.append(self._kept.popitem(last=False)[1][1])
        return dropped

    def take(self, upload_id: str) -> EarlyExtraction | None:
        kept = self._kept.pop(upload_id, None)
        return kept[1] if kept is not None else None

    def close(self) -> None:
        """Abandon every guess kept (blocking)."""
        while self._kept:
            self._kept.popitem()[1][1].abandon()
