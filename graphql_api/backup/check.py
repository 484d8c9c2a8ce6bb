"""`artifact-miner check`: is the database sound, and is every file it names in the store?

Problems found (each one line, naming the table and row or the store-relative path):
- SQLite: every line `PRAGMA integrity_check` reports, every row `PRAGMA foreign_key_check`
  reports; PostgreSQL: rows whose foreign key names no row (graphql_api/db/maintenance.py);
- a database that was never migrated;
- a path in `uploaded_zips.path`, `uploaded_zips.extraction_path` or `exports.path`, or the
  file of a `stored_uploads` row, that is missing, of the wrong kind (a file where a folder
  belongs), or outside DATA_DIR. With UPLOAD_STORE=s3 the uploads are in the bucket and are
  not checked here (extracted folders and exports still are).
Relative stored paths are read as the server reads them, from the working directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from graphql_api.backup import dumps
from graphql_api.backup.archive import dialect_of
from graphql_api.backup.files import inside
from graphql_api.db import maintenance
from graphql_api.db.engine import create_engine
from graphql_api.db.maintenance import FileReference
from graphql_api.settings import Settings


@dataclass(frozen=True, slots=True)
class CheckReport:
    dialect: str
    revision: str | None
    references: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def check(settings: Settings) -> CheckReport:
    """Check the database and file store of `settings`; nothing is changed."""
    dialect = dialect_of(settings)
    url = settings.sqlalchemy_url
    if dialect == "sqlite" and not await anyio.Path(dumps.sqlite_path(url)).is_file():
        return CheckReport(dialect, None, 0, [f"no SQLite database at {dumps.sqlite_path(url)}"])
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            revision = await maintenance.revision(conn)
            if revision is None:
                return CheckReport(dialect, None, 0, ["the database was never migrated"])
            problems = await maintenance.integrity_problems(conn)
            references = await maintenance.file_references(conn)
    finally:
        await engine.dispose()
    if settings.upload_store == "s3":  # uploads live in the bucket (its own tooling checks it)
        references = [r for r in references if not _in_bucket(r)]
    root = settings.data_dir
    problems += await anyio.to_thread.run_sync(_file_problems, references, root)
    return CheckReport(dialect, revision, len(references), problems)


def _in_bucket(ref: FileReference) -> bool:
    return ref.path.startswith("s3://") or (ref.in_store and ref.table == "stored_uploads")


def _file_problems(references: list[FileReference], root: Path) -> list[str]:
    return [p for ref in references if (p := _problem(ref, root)) is not None]


def _problem(ref: FileReference, root: Path) -> str | None:
    where = f"{ref.table} row {ref.row_id} ({ref.column})"
    path = root / ref.path if ref.in_store else Path(ref.path)
    relative = inside(path, root)
    if relative is None:
        return f"{where}: {ref.path} is outside DATA_DIR"
    if not path.exists():
        return f"{where}: {relative.as_posix()} is missing from the store"
    if (ref.kind == "directory") != path.is_dir():
        return f"{where}: {relative.as_posix()} is not a {ref.kind}"
    return None
