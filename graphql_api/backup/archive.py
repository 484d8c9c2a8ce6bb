"""`artifact-miner backup PATH` and `artifact-miner restore PATH [--force]`.

A backup is a directory:

    PATH/manifest.json          format, version, time, database kind, revision and digest,
                                the DATA_DIR it came from, and every file with size and sha256
    PATH/database.sqlite        (SQLite) a copy made with the online backup API
    PATH/database.pgdump        (PostgreSQL) `pg_dump --format=custom`
    PATH/files/uploads/...      the file store as it was under DATA_DIR
    PATH/files/extracted/...
    PATH/files/exports/...

It is written as a hidden sibling and renamed to PATH when complete, so PATH exists only whole.

Consistency while the server runs: the database is copied first, in one snapshot, then the
files. The server writes a file before the row that names it and removes only files no
committed row names, so every file named by the copied rows is in the store when the copy of
the store begins; files that arrive later are copied too and are simply not named by any row.

Restore checks the whole backup against its manifest before it changes anything, refuses a
target with data in it unless forced, then loads the database, copies the files and rewrites
the stored paths from the old DATA_DIR to the new one. Stop the server before restoring.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

import anyio.to_thread
from sqlalchemy import make_url

from graphql_api.backup import dumps, files
from graphql_api.backup.files import StoredFile
from graphql_api.db import maintenance
from graphql_api.db.engine import create_engine
from graphql_api.settings import Settings

FORMAT = "artifact-miner-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMP_FILES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Summary:
    path: Path
    dialect: str
    revision: str | None
    files: int
    bytes: int


def dialect_of(settings: Settings) -> str:
    return make_url(settings.sqlalchemy_url).get_backend_name()


async def backup(settings: Settings, target: Path) -> Summary:
    """Write a backup of the database and the file store of `settings` to `target`."""
    target, staging = await anyio.to_thread.run_sync(_staging_for, target)
    try:
        database = await _dump(settings, staging)  # first: see the module docstring
        stored = await anyio.to_thread.run_sync(
            files.copy_store, settings.data_dir, staging / "files"
        )
        manifest = _manifest(settings, database, stored)
        await anyio.to_thread.run_sync(_publish, staging, target, manifest)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(shutil.rmtree, staging, True)
        raise
    size = sum(f.size for f in stored) + database["size"]
    return Summary(target, database["dialect"], database["revision"], len(stored), size)


def _staging_for(target: Path) -> tuple[Path, Path]:
    target = target.absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty directory")
    staging = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:8]}")
    staging.mkdir(parents=True)
    return target, staging


def _publish(staging: Path, target: Path, manifest: dict[str, Any]) -> None:
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    if target.exists():
        target.rmdir()
    os.rename(staging, target)


async def _dump(settings: Settings, staging: Path) -> dict[str, Any]:
    dialect = dialect_of(settings)
    if dialect not in DUMP_FILES:
        raise BackupError(f"cannot back up a {dialect} database")
    path = staging / DUMP_FILES[dialect]
    url = settings.sqlalchemy_url
    try:
        if dialect == "sqlite":
            source = dumps.sqlite_path(url)
            revision = await anyio.to_thread.run_sync(dumps.sqlite_backup, source, path)
        else:
            revision = await _revision(url)
            await anyio.to_thread.run_sync(dumps.pg_dump, url, path)
    except dumps.DumpError as exc:
        raise BackupError(str(exc)) from exc
    size, sha256 = await anyio.to_thread.run_sync(_digest, path)
    return {
        "dialect": dialect,
        "file": path.name,
        "revision": revision,
        "size": size,
        "sha256": sha256,
    }


def _digest(path: Path) -> tuple[int, str]:
    return path.stat().st_size, files.digest_of(path)


def _manifest(
    settings: Settings, database: dict[str, Any], stored: list[StoredFile]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "database": database,
        # Both forms: stored paths are relative to the server's working directory when
        # DATA_DIR was given as a relative path.
        "data_dir": os.path.realpath(settings.data_dir),
        "data_dir_as_given": str(settings.data_dir),
        "files": [f.as_dict() for f in stored],
    }


async def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await maintenance.revision(conn)
    finally:
        await engine.dispose()


# -- restore ---------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a backup: it has no {MANIFEST}") from None
    except ValueError as exc:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{source / MANIFEST} is not a version {VERSION} {FORMAT} manifest")
    return manifest


async def restore(settings: Settings, source: Path, *, force: bool = False) -> Summary:
    """Restore the backup at `source` into the database and DATA_DIR of `settings`."""
    manifest = read_manifest(source)
    database = manifest["database"]
    dialect = dialect_of(settings)
    if database["dialect"] != dialect:
        raise BackupError(
            f"the backup holds a {database['dialect']} database; the target is {dialect}"
        )
    stored = [StoredFile(f["path"], f["size"], f["sha256"]) for f in manifest["files"]]
    dump = StoredFile(database["file"], database["size"], database["sha256"])
    problems = await anyio.to_thread.run_sync(_backup_problems, source, dump, stored)
    if problems:
        raise BackupError(
            "the backup is damaged, nothing was restored:\n  " + "\n  ".join(problems)
        )
    occupied = await _occupied(settings)
    if occupied and not force:
        raise BackupError(
            f"the target is not empty ({'; '.join(occupied)}): use --force to replace it"
        )
    await anyio.to_thread.run_sync(lambda: settings.data_dir.mkdir(parents=True, exist_ok=True))
    await _load_database(settings, source / dump.path, wipe=bool(occupied))
    await anyio.to_thread.run_sync(_replace_store, source / "files", settings.data_dir)
    await _relocate(settings, manifest)
    size = sum(f.size for f in stored) + dump.size
    return Summary(source, dialect, database["revision"], len(stored), size)


def _backup_problems(source: Path, dump: StoredFile, stored: list[StoredFile]) -> list[str]:
    return files.file_problems(source, [dump]) + files.file_problems(source / "files", stored)


def _replace_store(source: Path, data_dir: Path) -> None:
    files.remove_store(data_dir)
    files.copy_store(source, data_dir)


async def _occupied(settings: Settings) -> list[str]:
    store = await anyio.to_thread.run_sync(files.non_empty_store_dirs, settings.data_dir)
    found = [f"{name}/ has files" for name in store]
    url = settings.sqlalchemy_url
    if dialect_of(settings) == "sqlite" and not await _exists(dumps.sqlite_path(url)):
        return found
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await maintenance.user_tables(conn)
    finally:
        await engine.dispose()
    if tables:
        found.append(f"the database has {len(tables)} tables")
    return found


async def _exists(path: Path) -> bool:
    return await anyio.Path(path).exists()


async def _load_database(settings: Settings, dump: Path, *, wipe: bool) -> None:
    url = settings.sqlalchemy_url
    try:
        if dialect_of(settings) == "sqlite":
            await anyio.to_thread.run_sync(dumps.sqlite_restore, dump, dumps.sqlite_path(url))
            return
        if wipe:
            await _drop_tables(url)
        await anyio.to_thread.run_sync(dumps.pg_restore, url, dump)
    except dumps.DumpError as exc:
        raise BackupError(str(exc)) from exc


async def _drop_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await maintenance.drop_tables(conn)
    finally:
        await engine.dispose()


async def _relocate(settings: Settings, manifest: dict[str, Any]) -> None:
    """Point the stored paths at the new DATA_DIR."""
    old = PurePath(manifest["data_dir"]), PurePath(manifest["data_dir_as_given"])
    new = await anyio.to_thread.run_sync(settings.data_dir.resolve)

    def move(stored: str) -> str | None:
        path = PurePath(stored)
        root = old[0] if path.is_absolute() else old[1]
        try:
            return str(new / path.relative_to(root))
        except ValueError:  # outside the old store: left as it is, and `check` names it
            return None

    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with engine.begin() as conn:
            await maintenance.relocate_paths(conn, move)
    finally:
        await engine.dispose()
