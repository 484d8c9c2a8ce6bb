"""SQLite set-up: pragmas on every connection, and writers that wait instead of failing."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from sqlalchemy import func, select, text

from graphql_api.db.engine import BUSY_TIMEOUT_MS, SQLITE_READ_SESSIONS, Database
from graphql_api.db.models import Artifact


async def test_every_connection_gets_the_pragmas(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "a.db")
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    try:
        async with db.read() as session:
            values = [
                (await session.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            ]
    finally:
        await db.dispose()
    assert values == ["wal", 1, BUSY_TIMEOUT_MS, 1]  # synchronous 1 == NORMAL


async def test_concurrent_read_modify_write_transactions_all_commit(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """Each writer reads, yields to the others, then writes. With deferred transactions the
    second writer's lock upgrade fails with "database is locked"; BEGIN IMMEDIATE makes the
    writers queue instead."""
    shutil.copy(sqlite_template, tmp_path / "b.db")
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")

    async def writer(i: int) -> None:
        async with db.write() as session:
            await session.scalar(select(func.count()).select_from(Artifact))
            await asyncio.sleep(0)  # let another writer start its transaction
            session.add(Artifact(name=f"a{i}", path=f"/a/{i}", type="file"))

    try:
        await asyncio.gather(*(writer(i) for i in range(8)))
        async with db.read() as session:
            count = await session.scalar(select(func.count()).select_from(Artifact))
    finally:
        await db.dispose()
    assert count == 8


async def test_a_connection_given_back_in_a_transaction_is_rolled_back(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """The pool rolls back only connections still in a transaction (a session ends its own):
    one given back holding the write lock must not keep it, nor pass it to the next user."""
    shutil.copy(sqlite_template, tmp_path / "c.db")
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        async with db.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.execute("BEGIN IMMEDIATE")
            insert = "INSERT INTO artifacts (name, path, type, scanned_at) VALUES (?, ?, ?, ?)"
            await driver.execute(insert, ("x", "/x", "file", "2020-01-01 00:00:00"))
            assert driver.in_transaction
        async with db.write() as session:  # the lock is free: this does not wait for it
            session.add(Artifact(name="y", path="/y", type="file"))
        async with db.read() as session:
            names = (await session.scalars(select(Artifact.name))).all()
    finally:
        await db.dispose()
    assert names == ["y"]


async def test_requests_hold_at_most_the_read_sessions_at_once(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """Requests' read turns past SQLITE_READ_SESSIONS wait for a session to close instead of
    each taking a connection and its thread; each still reads, and none keeps a connection."""
    shutil.copy(sqlite_template, tmp_path / "d.db")
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    open_now: list[int] = [0]
    most: list[int] = []
    counts: list[int | None] = []

    async def request() -> None:
        async with db.serialised().read() as session:
            open_now[0] += 1
            most.append(open_now[0])
            counts.append(await session.scalar(select(func.count()).select_from(Artifact)))
            open_now[0] -= 1

    try:
        await asyncio.gather(*(request() for _ in range(8)))
        checked_out = db.engine.pool.checkedout()  # type: ignore[attr-defined]
    finally:
        await db.dispose()
    assert max(most) == SQLITE_READ_SESSIONS
    assert counts == [0] * 8
    assert checked_out == 0


async def test_a_write_does_not_wait_for_the_read_sessions(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """Writes are not counted among the read sessions: one goes through while requests hold
    every read session, and a read after it sees it."""
    shutil.copy(sqlite_template, tmp_path / "e.db")
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    release, held = asyncio.Event(), asyncio.Event()
    holding: list[int] = []

    async def reader() -> None:
        async with db.serialised().read() as session:
            await session.scalar(select(func.count()).select_from(Artifact))
            holding.append(1)
            if len(holding) == SQLITE_READ_SESSIONS:
                held.set()
            await release.wait()

    try:
        readers = [asyncio.create_task(reader()) for _ in range(SQLITE_READ_SESSIONS)]
        await held.wait()
        async with db.serialised().write() as session:
            session.add(Artifact(name="w", path="/w", type="file"))
        release.set()
        await asyncio.gather(*readers)
        async with db.serialised().read() as session:
            names = (await session.scalars(select(Artifact.name))).all()
    finally:
        await db.dispose()
    assert names == ["w"]
