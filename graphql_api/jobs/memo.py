"""A small memo of computed values for the request path (the developer profile).

The key must name the state of every input (see `queries.analysis_stamps`), so an entry is
never stale in what it was computed from; the age limit bounds what only the clock changes
(recency weights). Concurrent callers of a missing key share one computation, so a burst of
dashboard requests after a ranking analyses the portfolio once, not once per request.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    def __init__(self, size: int = 128, max_age: float = 300.0) -> None:
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[Hashable, tuple[float, asyncio.Task[V]]] = OrderedDict()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[V]]) -> V:
        """The value for `key`, computed by `compute()` when missing, too old or failed."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is None or now - entry[0] > self.max_age:
            entry = (now, asyncio.ensure_future(compute()))
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        task = entry[1]
        try:
            # shield: a caller that goes away does not cancel the others' computation.
            return await asyncio.shield(task)
        except BaseException:
            if task.done() and self._entries.get(key) is entry:
                del self._entries[key]  # a failure is not remembered
            raise
