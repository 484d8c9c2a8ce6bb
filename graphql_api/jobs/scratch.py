"""Scratch space for mining (clean copies, git's private HOME) under `DATA_DIR/scratch`.

Clean copies hold hard links to uploaded objects, so they must never be left in the system
temp dir, where nothing of ours would find them after a `kill -9`. Each server process takes
an area of its own, `scratch/<random>/`, and holds an exclusive `flock` on `<random>.lock`
beside it while it lives. The kernel drops the lock when the process dies however it dies, so
the sweep at start-up removes exactly the areas whose owner is gone: never those of another
live server sharing the same DATA_DIR.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from graphql_api.leftovers import hold, unlocked

log = logging.getLogger("graphql_api.jobs")


class ScratchArea:
    """This process's scratch folder, locked until `close()` (or the process's death)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        self._lock_path = root / f"{name}.lock"
        self._lock_fd = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        hold(self._lock_fd)
        self.path = root / name  # made only once locked, so a sweep never takes it for dead
        self.path.mkdir(mode=0o700)

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock_path.unlink(missing_ok=True)
        os.close(self._lock_fd)


def sweep(root: Path) -> int:
    """Remove what dead processes left under `root`; returns how many areas went.

    Blocking (it walks and deletes trees): call it in a worker thread."""
    if not root.is_dir():
        return 0
    swept = 0
    for entry in root.iterdir():
        if entry.suffix == ".lock":
            continue
        lock = root / f"{entry.name}.lock"
        if lock.exists() and not unlocked(lock):
            continue  # a live process's area
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        lock.unlink(missing_ok=True)
        swept += 1
    if swept:
        log.warning("removed %d scratch area(s) left by a stopped process", swept)
    return swept
