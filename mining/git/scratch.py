"""Private scratch directories: `tempfile.mkdtemp` without importing tempfile.

`mine` makes two before its first git (git's HOME, the first clean copy's scratch), and tempfile
costs ~3.5 ms to import (it brings random, for its names) against nothing here. The same
guarantees: the directory is new (mkdir(2) fails on any existing name, which is then skipped),
only its owner may enter it (0o700), and its name cannot be guessed (48 random bits).
"""

from __future__ import annotations

import os
from pathlib import Path

# Where a scratch goes when the caller names no parent: the first of these that is set, as
# tempfile.gettempdir looks on POSIX, then the usual places, each tried until one takes it.
_ENVIRONMENT = ("TMPDIR", "TEMP", "TMP")
_FALLBACKS = ("/tmp", "/var/tmp", "/usr/tmp")
_ATTEMPTS = 100  # as tempfile's TMP_MAX: names that all exist mean something is wrong


def private_dir(prefix: str, parent: Path | None = None) -> Path:
    """A new directory `<parent>/<prefix><random>`, mode 0o700 (under the system's temporary
    directory when `parent` is None); the caller removes it."""
    if parent is not None:
        return _made_in(Path(os.path.abspath(parent)), prefix)
    error: OSError | None = None
    for candidate in _temporary_dirs():
        try:
            return _made_in(candidate, prefix)
        except FileExistsError:  # every name taken: not a place to skip
            raise
        except OSError as exc:  # missing, read-only, not ours to write: the next place
            error = exc
    assert error is not None  # _FALLBACKS is not empty
    raise error


def _temporary_dirs() -> list[Path]:
    named = [os.environ[name] for name in _ENVIRONMENT if os.environ.get(name)]
    return [Path(os.path.abspath(place)) for place in (*named, *_FALLBACKS)]


def _made_in(parent: Path, prefix: str) -> Path:
    for _ in range(_ATTEMPTS):
        path = parent / f"{prefix}{os.urandom(6).hex()}"
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free name for {prefix!r} in {parent} after {_ATTEMPTS} tries")
