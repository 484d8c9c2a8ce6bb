"""The application factory. No module-level engine: the lifespan owns every resource."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from graphql_api import graphiql
from graphql_api.db import migrate
from graphql_api.db.engine import Database
from graphql_api.schema import build_schema
from graphql_api.schema.context import Context
from graphql_api.schema.loaders import Loaders
from graphql_api.settings import Settings

log = logging.getLogger("graphql_api")


@dataclass
class AppState:
    """What the lifespan creates and the request handlers use."""

    settings: Settings
    db: Database | None = None

    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the application's lifespan has not started")
        return self.db


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, state: AppState) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        )
        self.state = state

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        db = self.state.database()
        return Context(
            db=db, settings=self.state.settings, loaders=Loaders.create(db), request=request
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql.PAGE)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "graphiqlAssets": graphiql.assets_present()})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    state = AppState(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database.from_url(settings.sqlalchemy_url)
        try:
            await migrate.upgrade(db.engine)
            state.db = db
            yield
        finally:
            state.db = None
            await db.dispose()

    graphql = GraphQLApp(state)
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Mount("/graphiql", graphiql.assets_app(), name="graphiql"),
        ],
        lifespan=lifespan,
    )
    app.state.app_state = state
    return app
