"""Files read for the last time in a while leave the page cache, in worker threads.

A stored upload is read to extract it, and an extracted upload is read by the job that mines
it; then neither is read again until another extraction or job, rarely soon. Left in the page
cache, they hold memory that what comes next (the next upload, its extraction) must find
elsewhere, and on a VM whose memory the guest has never touched, writing into that memory costs
~10x writing into memory freed before (300-450 against 4,500 MB/s, measured): every upload kept
in the cache made the next one's extraction pay for fresh memory (0.23 s against 0.07 s for a
78 MB portfolio of flask and requests, measured). Each file is written back, then dropped
(fdatasync, then POSIX_FADV_DONTNEED: only clean pages drop). Of a tree, only the large files
are: they hold nearly all its memory (a repository's packs), and the write-back costs per file
(~75 us each on this VM's disk: 7 s for the 100,000 files of a node_modules).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread


def evict(path: Path) -> None:
    """Write `path` back, then drop its pages from the page cache. Best effort: a file gone, not
    a regular file, or a system without posix_fadvise keeps what it has."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with contextlib.suppress(OSError):
        fd = os.open(path, flags)
        try:
            os.fdatasync(fd)
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


LARGE = 256 * 1024  # the files of a tree evict_tree drops


def evict_tree(root: Path) -> None:
    """`evict` every regular file of at least LARGE bytes under `root` (symbolic links are not
    followed)."""
    with contextlib.suppress(OSError), os.scandir(root) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                evict_tree(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and entry.stat().st_size >= LARGE:
                evict(Path(entry.path))


class Evictions:
    """Evictions running in worker threads, not awaited by what starts them, one at a time a
    path (asked again while it runs, it is not started twice); `aclose` waits for those still
    running."""

    def __init__(self) -> None:
        self._running: dict[Path, asyncio.Task[None]] = {}

    def start(self, drop: Callable[[Path], None], path: Path) -> None:
        if path in self._running:
            return
        task = asyncio.create_task(anyio.to_thread.run_sync(drop, path))
        self._running[path] = task
        task.add_done_callback(lambda _: self._running.pop(path, None))

    async def aclose(self) -> None:
        await asyncio.gather(*self._running.values(), return_exceptions=True)
