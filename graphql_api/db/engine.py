"""The engine, its per-connection set-up, and the two kinds of session.

SQLite, done right (SQLAlchemy's documented pysqlite/aiosqlite transaction recipe): every
connection gets WAL, foreign keys, a busy timeout and synchronous=NORMAL; the driver's own
transaction handling is switched off and SQLAlchemy emits BEGIN itself, so a writing session can
start with BEGIN IMMEDIATE. A writer then takes the write lock up front and waits (busy_timeout)
for another writer instead of failing later with "database is locked" when a deferred
transaction tries to upgrade its read lock.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState

from graphql_api.db.types import loads

BUSY_TIMEOUT_MS = 30_000

# Called at the end of every write transaction of this context, just before it commits: the
# audit trail (schema/audit.py) sets it while a mutation runs, so that what the mutation
# changes and its audit entry are one commit.
before_commit: ContextVar[Callable[[AsyncSession], Awaitable[None]] | None] = ContextVar(
    "before_commit", default=None
)
BEGIN_OPTION = "sqlite_begin"  # DEFERRED (default) | IMMEDIATE | EXCLUSIVE


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Stop the driver from issuing its own BEGIN; the "begin" hook below does it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # busy_timeout first: switching a fresh file to WAL needs a lock another process may hold.
    for pragma in (
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


# Pooled connections of a SQLite file. A request holds one at a time (Database.serialised) and
# the requests SQLITE_READ_SESSIONS at once for reading, but writes and jobs take their own; each
# has a thread of its own (aiosqlite), and one past the pool is closed when given back, so the
# pool is not the bound: with the default 5, most requests of 16 concurrent ones opened a
# connection and a thread and closed them again.
SQLITE_POOL_SIZE = 20


def _on_sqlite_reset(dbapi_connection: Any, record: Any, state: PoolResetState) -> None:
    """A connection given back to the pool is rolled back only if it is still in a
    transaction: a session rolls its own back as it closes, and the pool's rollback after it
    was one more round trip to the connection's thread (aiosqlite) for every session."""
    if state.asyncio_safe and getattr(record.driver_connection, "in_transaction", True):
        dbapi_connection.rollback()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if make_url(url).get_backend_name() == "sqlite":
        kwargs.setdefault("pool_reset_on_return", None)  # _on_sqlite_reset instead
    # JSON columns decoded by orjson (db/types.py loads): a stored report is ~0.7 MB.
    kwargs.setdefault("json_deserializer", loads)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
        event.listen(engine.sync_engine, "reset", _on_sqlite_reset)
    return engine


# Read sessions that requests hold at once on a SQLite file, in one process; a request's turn
# beyond them waits for one to close. Each is a connection with a thread of its own, and the
# thread takes the GIL back for every row it fetches: 16 concurrent dashboard requests kept 16
# such threads and the event loop handing the GIL to one another (context switches per answer
# ~130 -> ~780, server CPU per answer 50 -> 70 ms, throughput at 16 connections 0.84x that at
# 1 under bench/dashboard_bench.py). Two keep the SQLite work of one request overlapping the
# Python work of another, and one slow query does not stop every other request's reads.
SQLITE_READ_SESSIONS = 2


def _is_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


def _pool_options(url: str) -> dict[str, Any]:
    """SQLITE_POOL_SIZE for a SQLite file; the defaults otherwise (an in-memory database has a
    single connection, PostgreSQL's server bounds its own)."""
    return {"pool_size": SQLITE_POOL_SIZE} if _is_sqlite_file(url) else {}


class Database:
    """Owns the engine and hands out short-lived sessions.

    One `AsyncSession` must never be used by two coroutines at once (graphql-core resolves
    sibling fields concurrently), so every root resolver and every DataLoader batch takes a
    session with `read()` for its turn (a request's view, `serialised`, gives the turns one at
    a time); writes go through `write()`.

    `read_sessions` bounds the read sessions the requests' views hold at once (none: no bound);
    writes and the sessions of the engine's own users (jobs, the CLI) are not counted.
    """

    def __init__(self, engine: AsyncEngine, read_sessions: int | None = None) -> None:
        self.engine = engine
        # Shared by every view (`serialised` copies the reference).
        self._readers = asyncio.Semaphore(read_sessions) if read_sessions else None
        self._reader = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        writer_engine = engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        self._writer = async_sessionmaker(writer_engine, expire_on_commit=False)
        self._gate: asyncio.Lock | None = None
        self._holder: asyncio.Task[Any] | None = None
        self._waiting = 0  # turns waiting for the gate
        self._shared: AsyncSession | None = None  # a read session handed to the next turn

    @classmethod
    def from_url(cls, url: str) -> Database:
        readers = SQLITE_READ_SESSIONS if _is_sqlite_file(url) else None
        return cls(create_engine(url, **_pool_options(url)), read_sessions=readers)

    def serialised(self) -> Database:
        """A view of the same engine that hands out one session at a time (one per request).

        A request's resolvers and DataLoader batches run concurrently; each taking its own
        pooled connection let one wide query hold the whole pool while other clients waited
        (issue 8). Through this view they take turns on one connection at a time, so no
        session is ever used by two coroutines at once.

        A read turn that ends while other turns wait hands its session to the next one
        instead of closing it (the loaders of one level of a query queue up together: one
        session, one BEGIN, one rollback for all of them, each a round trip to SQLite's
        thread); the last turn of such a run closes it, and a write turn closes it before it
        starts, so what a request writes is read back after it, never a snapshot older."""
        view = copy.copy(self)
        view._gate = asyncio.Lock()
        view._holder = None
        view._waiting = 0
        view._shared = None
        return view

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if self._gate is None:
            yield
            return
        if self._gate.locked() and self._holder is asyncio.current_task():
            # Waiting would never end: say where instead of hanging the request.
            raise RuntimeError("a session of this request is already open in this task")
        await self._take(self._gate)
        self._holder = asyncio.current_task()
        try:
            yield
        finally:
            self._holder = None
            self._gate.release()

    async def _take(self, gate: asyncio.Lock) -> None:
        """Wait for the gate, counted among the waiting; a waiter cancelled as the last one
        closes a session handed over to nobody."""
        self._waiting += 1
        try:
            await gate.acquire()
        except BaseException:
            self._waiting -= 1
            if not self._waiting and not gate.locked():
                await self._close_shared()
            raise
        self._waiting -= 1

    async def _close_shared(self) -> None:
        session, self._shared = self._shared, None
        if session is not None:
            await self._close(session)

    async def _open(self) -> AsyncSession:
        """A request's read session, once one of the `read_sessions` is free."""
        if self._readers is not None:
            await self._readers.acquire()
        return self._reader()

    async def _close(self, session: AsyncSession) -> None:
        try:
            await session.close()
        finally:
            if self._readers is not None:
                self._readers.release()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        if self._gate is None:
            async with self._reader() as session:
                yield session
            return
        async with self._turn():
            session, self._shared = self._shared or await self._open(), None
            try:
                yield session
            except BaseException:
                await self._close(session)
                raise
            if self._waiting:
                self._shared = session  # the next turn's
            else:
                await self._close(session)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on any error."""
        async with self._turn():
            await self._close_shared()
            async with self._writer() as session, session.begin():
                yield session
                if (hook := before_commit.get()) is not None:
                    await hook(session)

    async def dispose(self) -> None:
        await self.engine.dispose()
