"""Consistent copies of a live database, and putting them back.

SQLite: the online backup API (https://sqlite.org/backup.html) in a single step, which copies
every page inside one read transaction: with WAL the server keeps writing meanwhile, and the
copy is the database as of one commit. PostgreSQL: `pg_dump --format=custom`, which reads
everything in one repeatable-read snapshot, and `pg_restore` in a single transaction.

The connection details reach pg_dump and pg_restore through libpq's environment variables
(PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), so no password appears on a command line.
These are the only processes the service starts other than git (mining/git/runner.py), and only
from the administration commands.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url


class DumpError(Exception):
    """A database could not be copied or restored; the message says why."""


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DumpError(f"not a SQLite database file: {url!r}")
    return Path(database)


def sqlite_backup(source: Path, target: Path) -> str | None:
    """Copy the live database at `source` to `target`; returns its migration revision."""
    if not source.is_file():
        raise DumpError(f"no SQLite database at {source}")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=-1)  # one step: one read transaction, one consistent state
        problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise DumpError(f"the copy failed integrity_check: {problems[:5]}")
        return _sqlite_revision(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # never migrated
        return None
    return None if row is None else str(row[0])


def sqlite_restore(copy: Path, target: Path) -> None:
    """Replace the database file at `target` by `copy` (nothing may have it open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(copy, partial)
    for suffix in ("-wal", "-shm", "-journal"):  # they belong to the file being replaced
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)


def _libpq_env(url: str) -> dict[str, str]:
    parsed = make_url(url)
    settings = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({k: v for k, v in settings.items() if v})
    return env


def _run(tool: str, args: list[str], url: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise DumpError(f"{tool} is not installed (it comes with the PostgreSQL client)")
    done = subprocess.run(
        [program, *args], env=_libpq_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise DumpError(f"{tool} exited {done.returncode}: {done.stderr.strip()[-2000:]}")


def pg_dump(url: str, target: Path) -> None:
    """`pg_dump --format=custom` of the database at `url` into `target`."""
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-acl", f"--file={target}"], url)


def pg_restore(url: str, dump: Path) -> None:
    """Load `dump` into the (empty) database at `url`, all or nothing."""
    database = make_url(url).database or ""
    args = ["--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    _run("pg_restore", [*args, f"--dbname={database}", str(dump)], url)
