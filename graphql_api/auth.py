"""API tokens: bearer tokens whose SHA-256 alone is stored (a leaked database leaks no token).

With `REQUIRE_AUTH=1` every request to the API (GraphQL over HTTP, uploads, exports) must
carry `Authorization: Bearer <token>` of a live token, or it is answered 401 UNAUTHENTICATED
before anything runs. A browser cannot set headers on a websocket, so a websocket may instead
send `{"authorization": "Bearer <token>"}` as its connection_init payload; without either, the
connection is refused (graphql_api/app.py, on_ws_connect). /healthz and the GraphiQL assets
stay open. Tokens are made with `artifact-miner create-token NAME`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.db import models, queries, writes
from graphql_api.db.engine import Database
from graphql_api.db.types import utcnow

log = logging.getLogger("graphql_api.auth")

OPEN_PATHS = ("/healthz", "/graphiql/")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(db: Database, owner_name: str, token_name: str = "") -> str:
    """A new token for the owner called `owner_name` (created if needed); shown only once."""
    token = "am_" + secrets.token_urlsafe(32)
    async with db.write() as session:
        owner = await queries.owner_by_name(session, owner_name)
        if owner is None:
            owner = models.Owner(name=owner_name)
            session.add(owner)
            await session.flush()
        session.add(
            models.ApiToken(owner_id=owner.id, name=token_name, token_hash=hash_token(token))
        )
    return token


LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request acts for: an owner, and the token that said so (None: the local owner)."""

    owner_id: int
    token_id: int | None = None


async def local_caller(db: Database) -> Caller:
    """The single local owner (created on first use)."""
    async with db.read() as session:
        owner = await queries.owner_by_name(session, models.LOCAL_OWNER)
    if owner is None:
        async with db.write() as session:
            owner = await writes.local_owner(session)
    return Caller(owner.id)


async def token_owner(db: Database, authorization: str | None) -> Caller | None:
    """The caller of a live bearer token, or None.

    A plain read: `last_used_at` is written only when it is older than LAST_USED_RESOLUTION,
    so requests do not queue for the write lock behind a mining job's writes."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    async with db.read() as session:
        row = await queries.live_token(session, hash_token(token.strip()))
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        async with db.write() as session:
            await writes.touch_token(session, row.id, now)
    return Caller(row.owner_id, row.id)


class RequireTokenMiddleware:
    """Refuses requests without a live bearer token (only installed when REQUIRE_AUTH=1)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Websockets are checked once their connection_init arrives (GraphQLApp.on_ws_connect).
        if scope["type"] != "http" or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        db: Database = scope["app"].state.app_state.ready().db
        if await token_owner(db, Headers(scope=scope).get("authorization")) is not None:
            await self.app(scope, receive, send)
            return
        log.info("request to %s without a valid token refused", scope["path"])
        body = {
            "errors": [
                {
                    "message": "a valid bearer token is required",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        }
        await JSONResponse(body, status_code=401)(scope, receive, send)
