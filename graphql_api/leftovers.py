"""Half-written files and folders that a killed process leaves behind, and their sweep.

Whatever is written in place before it is renamed into view (an upload's `.<id>.part`, an
export's `<name>.part`, an extraction's `.extract-*` staging folder) is held under an
exclusive `flock` by the process writing it. The kernel drops the lock when that process dies,
however it dies, so the sweep at start-up removes exactly what nobody is writing any more:
never the work in progress of another live server sharing the same DATA_DIR.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path


def hold(fd: int) -> None:
    """Mark the open file or folder `fd` as being written by this process until it is closed."""
    fcntl.flock(fd, fcntl.LOCK_EX)


@contextlib.contextmanager
def held(path: Path) -> Iterator[None]:
    """`path` (an existing file or folder) held while the block runs."""
    fd = os.open(path, os.O_RDONLY)
    try:
        hold(fd)
        yield
    finally:
        os.close(fd)


def unlocked(path: Path) -> bool:
    """True when no live process holds `path` (we take it for a moment and let it go)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases a lock we took
    return True


def sweep(places: Iterable[tuple[Path, str]]) -> int:
    """Remove what dead processes left half-written in each (folder, glob); returns how many.

    Blocking (it walks and deletes trees): call it in a worker thread."""
    return sum(_take(path) for folder, pattern in places for path in sorted(folder.glob(pattern)))


def _take(path: Path) -> bool:
    """Remove `path` unless a live process holds it; we hold it while we remove it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False  # just renamed into place, or removed
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False  # being written
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)
    return True
