"""The event bus across processes (QUEUE=postgres): PostgreSQL LISTEN/NOTIFY.

Every process keeps one connection of its own that LISTENs on one channel and sends what its
jobs publish with `pg_notify`; what arrives (its own events too) goes to this process's
subscribers through an `InProcessBus`. A payload is one event, small: NOTIFY takes under
8000 bytes, so a long provisional ranking is cut to its best entries (`truncated`; the final
ranking is read from the database by the subscription). Events are advisory, as in one
process: the job row holds the truth. When the connection is lost the bus reconnects (every
`reconnect_delay` seconds) and then sends every subscriber a `RESYNC`, on which the
subscription reads the current state from the database again; what this process published
meanwhile is kept (up to `backlog` events) and sent once connected again.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy import make_url

from graphql_api.jobs.bus import RESYNC, InProcessBus
from graphql_api.jobs.events import JobEvent

log = logging.getLogger("graphql_api.jobs.bus")

CHANNEL = "artifact_miner_events"
MAX_PAYLOAD = 7900  # bytes; PostgreSQL refuses a NOTIFY payload of 8000 or more
KEEPALIVE_SECONDS = 5.0  # an idle connection is checked this often (a lost one is noticed)


def libpq_url(sqlalchemy_url: str) -> str:
    """`postgresql+asyncpg://…` as the plain `postgresql://…` that asyncpg and libpq take."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


def encode(topics: list[str], event: JobEvent) -> str:
    """The NOTIFY payload: the topics and the event, its ranking cut to fit."""
    data = event.to_json()
    text = json.dumps({"topics": topics, "event": data}, separators=(",", ":"))
    keep = len(data["ranking"])
    while len(text.encode()) > MAX_PAYLOAD and keep > 0:
        keep //= 2
        data["ranking"], data["truncated"] = data["ranking"][:keep], True
        text = json.dumps({"topics": topics, "event": data}, separators=(",", ":"))
    return text


def _set(event: asyncio.Event, *_: object) -> None:
    event.set()


def decode(payload: str) -> tuple[list[str], JobEvent]:
    message = json.loads(payload)
    return list(message["topics"]), JobEvent.from_json(message["event"])


class PostgresBus:
    def __init__(
        self,
        database_url: str,
        *,
        queue_size: int = 256,
        backlog: int = 10_000,
        reconnect_delay: float = 0.5,
    ) -> None:
        self._dsn = libpq_url(database_url)
        self._local = InProcessBus(queue_size)
        self._outbox: collections.deque[tuple[JobEvent, list[str]]] = collections.deque(
            maxlen=backlog
        )
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()  # set whenever the outbox has been emptied
        self._connected = asyncio.Event()
        self._reconnect_delay = reconnect_delay
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self.reconnects = 0  # how often the connection was made again (tests, metrics)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and LISTEN; return once listening, so no event published after is missed
        (TimeoutError when the database cannot be reached within 30 s)."""
        self._task = asyncio.create_task(self._run(), name="event bus")
        async with asyncio.timeout(30):
            await self._connected.wait()

    async def stop(self) -> None:
        """Send what is left (briefly), then close."""
        if self._task is None:
            return
        if self._outbox and self._connected.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._drained.wait()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def drop_connection(self) -> None:
        """Close the connection as a network failure would (for tests): the bus reconnects."""
        if self._connection is not None:
            self._connection.terminate()

    @property
    def server_pid(self) -> int | None:
        """The PostgreSQL backend of the bus's connection (for operators and tests)."""
        return None if self._connection is None else int(self._connection.get_server_pid())

    # --- the EventBus interface --------------------------------------------------------------

    def publish(self, topic: str, event: Any) -> None:
        # publish() is called once per topic with the same event: one NOTIFY carries them all.
        if self._outbox and self._outbox[-1][0] is event:
            self._outbox[-1][1].append(topic)
        else:
            self._outbox.append((event, [topic]))
        self._drained.clear()
        self._wake.set()

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Any]]:
        return self._local.subscribe(topic)

    def subscribers(self, topic: str) -> int:
        return self._local.subscribers(topic)

    # --- the connection ----------------------------------------------------------------------

    def _received(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            topics, event = decode(str(payload))
        except (ValueError, KeyError, TypeError):
            log.warning("an event that could not be read was dropped")
            return
        for topic in topics:
            self._local.publish(topic, event)

    async def _run(self) -> None:
        first = True
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self._dsn)
                lost = await self._listen(connection, again=not first)
                first = False
                await self._until_lost(connection, lost)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("event bus connection lost (%s); reconnecting", type(exc).__name__)
            finally:
                self._connected.clear()
                self._connection = None
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(self._reconnect_delay)

    async def _listen(self, connection: asyncpg.Connection, *, again: bool) -> asyncio.Event:
        """Receive the channel's events on `connection`; the event returned is set when the
        connection is lost. Connected `again`, subscribers are told to read the state again
        (what was sent meanwhile is not received)."""
        lost = asyncio.Event()
        connection.add_termination_listener(functools.partial(_set, lost))
        await connection.add_listener(CHANNEL, self._received)
        self._connection = connection
        self._connected.set()
        if again:
            self.reconnects += 1
            log.info("event bus connected again; subscribers read the state again")
            self._local.broadcast(RESYNC)
        return lost

    async def _until_lost(self, connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Send the outbox on `connection` until it is lost; a failed send raises."""
        sender = asyncio.create_task(self._send(connection))
        waiter = asyncio.create_task(lost.wait())
        try:
            await asyncio.wait([sender, waiter], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, waiter):
                task.cancel()
            await asyncio.gather(sender, waiter, return_exceptions=True)
        if sender.done() and not sender.cancelled() and (error := sender.exception()):
            raise error

    async def _send(self, connection: asyncpg.Connection) -> None:
        while True:
            if not self._outbox:
                self._wake.clear()
                try:
                    async with asyncio.timeout(KEEPALIVE_SECONDS):
                        await self._wake.wait()
                except TimeoutError:
                    await connection.execute("SELECT 1")  # raises when the connection is gone
                    continue
            event, topics = self._outbox[0]
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, encode(topics, event))
            if self._outbox and self._outbox[0][0] is event:
                self._outbox.popleft()  # sent: only now, so a lost connection loses nothing
            if not self._outbox:
                self._drained.set()
