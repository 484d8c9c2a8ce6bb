"""SQL for the administration commands (`artifact-miner backup | restore | check`), never run
inside a request: integrity checks, the file paths the database names, and moving those paths
when a backup is restored into another DATA_DIR.

Integrity on SQLite is `PRAGMA integrity_check` and `PRAGMA foreign_key_check`
(https://sqlite.org/pragma.html). PostgreSQL keeps its pages consistent itself and enforces
foreign keys, but rows can still be orphaned (a restore with triggers disabled, a replica
promoted mid-way), so every foreign key the database declares is checked with one anti-join.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import MetaData, Table, and_, exists, func, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from graphql_api.db.models import Export, StoredUpload, UploadedZip

# Every column holding a path into the file store, and what must be at that path.
_UPLOADS = cast(Table, UploadedZip.__table__)
_EXPORTS = cast(Table, Export.__table__)
FILE_COLUMNS = (
    (_UPLOADS, "path", "file"),
    (_UPLOADS, "extraction_path", "directory"),
    (_EXPORTS, "path", "file"),
)


@dataclass(frozen=True, slots=True)
class FileReference:
    table: str
    row_id: int | str
    column: str
    path: str
    kind: str  # "file" | "directory"
    in_store: bool = False  # True: `path` is relative to DATA_DIR, implied by the row's id


async def file_references(conn: AsyncConnection) -> list[FileReference]:
    """Every non-empty path the database names, in table and id order."""
    found: list[FileReference] = []
    for table, column, kind in FILE_COLUMNS:
        col = table.c[column]
        rows = await conn.execute(
            select(table.c.id, col).where(col.is_not(None), col != "").order_by(table.c.id)
        )
        found += [FileReference(table.name, row.id, column, row[1], kind) for row in rows]
    # A stored upload's file is named by its id (graphql_api/ingest/store.py).
    uploads = await conn.scalars(select(StoredUpload.id).order_by(StoredUpload.id))
    found += [
        FileReference("stored_uploads", uid, "id", f"uploads/{uid}.zip", "file", in_store=True)
        for uid in uploads
    ]
    return found


async def relocate_paths(conn: AsyncConnection, move: Callable[[str], str | None]) -> int:
    """Replace every stored path `p` by `move(p)` (unless that is None); returns the count."""
    changed = 0
    for ref in await file_references(conn):
        if ref.in_store:
            continue
        new = move(ref.path)
        if new is not None and new != ref.path:
            table = next(t for t, c, _ in FILE_COLUMNS if t.name == ref.table and c == ref.column)
            await conn.execute(
                update(table).where(table.c.id == ref.row_id).values({ref.column: new})
            )
            changed += 1
    return changed


async def integrity_problems(conn: AsyncConnection) -> list[str]:
    """What is wrong with the database itself; empty when nothing is."""
    if conn.dialect.name == "sqlite":
        return await _sqlite_problems(conn)
    return await conn.run_sync(_orphans)


async def _sqlite_problems(conn: AsyncConnection) -> list[str]:
    checked = [row[0] for row in await conn.exec_driver_sql("PRAGMA integrity_check")]
    problems = [f"integrity_check: {line}" for line in checked if line != "ok"]
    for row in await conn.exec_driver_sql("PRAGMA foreign_key_check"):
        table, rowid, parent = tuple(row)[:3]
        problems.append(f"{table} row {rowid}: its {parent} row does not exist")
    return problems


def _orphans(sync: Connection) -> list[str]:
    """Rows whose foreign key names no row, for every foreign key in the current schema."""
    meta = MetaData()
    problems: list[str] = []
    for name in inspect(sync).get_table_names():
        table = Table(name, meta, autoload_with=sync)
        for fk in table.foreign_key_constraints:
            referred = fk.referred_table.alias("referred")  # an alias: a table may name itself
            pairs = [(el.parent, referred.c[el.column.name]) for el in fk.elements]
            present = and_(*(child.is_not(None) for child, _ in pairs))
            parent = exists().where(and_(*(child == ref for child, ref in pairs)))
            count = sync.scalar(select(func.count()).select_from(table).where(present, ~parent))
            if count:
                columns = ", ".join(child.name for child, _ in pairs)
                problems.append(
                    f"{name}: {count} row(s) whose {columns} names no {fk.referred_table.name} row"
                )
    return problems


async def user_tables(conn: AsyncConnection) -> list[str]:
    """The tables in the database's current schema (none: a database restore may fill)."""
    names: list[str] = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    return names


# The job queue's functions and types (procrastinate's, migration 0004) outlive its tables.
_DROP_QUEUE_ROUTINES = r"""
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\_%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f);
    END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'c')
               AND t.typname LIKE 'procrastinate\_%' LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
    END LOOP;
END $$
"""


async def drop_tables(conn: AsyncConnection) -> None:
    """Drop every table of the current schema, and the job queue's functions and types
    (PostgreSQL; `restore --force` before loading)."""
    names = await user_tables(conn)
    if names:
        quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
        await conn.execute(text(f"DROP TABLE IF EXISTS {quoted} CASCADE"))
    await conn.exec_driver_sql(_DROP_QUEUE_ROUTINES)


async def revision(conn: AsyncConnection) -> str | None:
    """The migration the database is at, or None before the first one."""
    if "alembic_version" not in await user_tables(conn):
        return None
    value = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    return None if value is None else str(value)
