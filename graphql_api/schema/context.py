"""The typed request context.

Loaders are built per request. A websocket's context lives as long as the connection, so
subscription resolvers build fresh loaders for each event with `fresh_loaders()` instead of
reusing a cache that would serve stale rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from graphql_api.db.engine import Database
from graphql_api.schema.loaders import Loaders
from graphql_api.settings import Settings


@dataclass
class Context:
    db: Database
    settings: Settings
    loaders: Loaders
    owner_id: int  # whose data this request sees and changes (graphql_api/auth.py)
    token_id: int | None = None  # the bearer token it came with, if any
    request: Any = None  # the Starlette Request or WebSocket
    services: Any = None  # the job service and event bus, once the app has them
    connection_params: Any = None  # a websocket's connection_init payload (Strawberry sets it)

    def fresh_loaders(self) -> Loaders:
        return Loaders.create(self.db, self.owner_id)


Info = strawberry.Info[Context, None]
