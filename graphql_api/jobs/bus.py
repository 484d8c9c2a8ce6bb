"""The event bus: how job progress reaches subscribers.

`EventBus` is the interface; `InProcessBus` is the default, for one process. A deployment with
several workers puts the same interface over Redis pub/sub or PostgreSQL LISTEN/NOTIFY. Events
are advisory: the job row always holds the latest state, so a subscriber that joins late (or
drops an event) catches up from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol


class EventBus(Protocol):
    def publish(self, topic: str, event: Any) -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Any]]:
        """Events published on `topic` from the moment the context is entered."""
        ...


class Resync:
    """Sent to every subscriber of a process whose bus lost its connection and got it back:
    events may have been missed meanwhile, so read the current state again."""

    def __repr__(self) -> str:
        return "RESYNC"


RESYNC = Resync()


class InProcessBus:
    """Fan-out to per-subscriber queues. A slow subscriber loses its oldest events rather
    than holding the publisher back (the job row has the truth)."""

    def __init__(self, queue_size: int = 256) -> None:
        self._queues: dict[str, set[asyncio.Queue[Any]]] = defaultdict(set)
        self._queue_size = queue_size
        self._changed = asyncio.Condition()

    def publish(self, topic: str, event: Any) -> None:
        for queue in tuple(self._queues.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def broadcast(self, event: Any) -> None:
        """To every subscriber of every topic."""
        for topic in tuple(self._queues):
            self.publish(topic, event)

    def subscribers(self, topic: str) -> int:
        return len(self._queues.get(topic, ()))

    async def until_subscribers(self, topic: str, count: int) -> None:
        """Return once `topic` has exactly `count` subscribers (for shutdown and tests)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.subscribers(topic) == count)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Any]]:
        queue: asyncio.Queue[Any] = asyncio.Queue(self._queue_size)
        self._queues[topic].add(queue)
        await self._notify()

        async def events() -> AsyncIterator[Any]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]
            await asyncio.shield(self._notify())
