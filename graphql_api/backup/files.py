"""Copying the file store (uploads, extracted, exports under DATA_DIR) with a digest per file.

Top-level names starting with "." are skipped: they are work in progress (a partial upload
`.<id>.part`, an extraction being staged `.extract-*`) that no row names yet, and each is
either renamed into place whole or removed. Symbolic links are never followed (extraction
refuses them, so one in the store was put there by hand).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("graphql_api.backup")

STORE_DIRS = ("uploads", "extracted", "exports")
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: str  # relative to DATA_DIR, "/"-separated
    size: int
    sha256: str

    def as_dict(self) -> dict[str, str | int]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def store_files(data_dir: Path) -> Iterator[Path]:
    """Every regular file of the store, relative to `data_dir`, in a stable order."""
    for top in STORE_DIRS:
        root = data_dir / top
        if not root.is_dir():
            continue
        for entry in sorted(root.iterdir()):
            if entry.name.startswith("."):
                continue
            yield from _walk(entry, data_dir)


def _walk(path: Path, data_dir: Path) -> Iterator[Path]:
    if path.is_symlink():
        log.warning("skipped symbolic link %s", path.relative_to(data_dir))
    elif path.is_dir():
        for child in sorted(path.iterdir()):
            yield from _walk(child, data_dir)
    elif path.is_file():
        yield path.relative_to(data_dir)


def copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy `source` to `target` (its folders made), returning size and sha256 from one read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, target.open("xb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    shutil.copymode(source, target)
    return size, digest.hexdigest()


def copy_store(data_dir: Path, target: Path) -> list[StoredFile]:
    """Copy the store of `data_dir` under `target`, keeping relative paths."""
    copied = []
    for relative in store_files(data_dir):
        try:
            size, sha256 = copy_file(data_dir / relative, target / relative)
        except FileNotFoundError:  # gone since it was listed: no row named it (see backup.py)
            continue
        copied.append(StoredFile(relative.as_posix(), size, sha256))
    return copied


def file_problems(root: Path, files: list[StoredFile]) -> list[str]:
    """Files of a manifest that are missing under `root` or differ from it."""
    problems = []
    for entry in files:
        path = root / entry.path
        if not path.is_file():
            problems.append(f"{entry.path}: missing")
        elif path.stat().st_size != entry.size or digest_of(path) != entry.sha256:
            problems.append(f"{entry.path}: content differs from the manifest")
    return problems


def digest_of(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def non_empty_store_dirs(data_dir: Path) -> list[str]:
    return [
        top for top in STORE_DIRS if (data_dir / top).is_dir() and any((data_dir / top).iterdir())
    ]


def remove_store(data_dir: Path) -> None:
    for top in STORE_DIRS:
        shutil.rmtree(data_dir / top, ignore_errors=True)


def inside(path: Path, root: Path) -> Path | None:
    """`path` relative to `root` when it lies inside it (symbolic links resolved), else None."""
    resolved, base = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    try:
        return resolved.relative_to(base)
    except ValueError:
        return None
