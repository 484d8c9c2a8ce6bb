"""Who a request acts for: a bearer token's owner, or the single local owner.

Tokens are random strings of which only the SHA-256 is stored (a leaked database leaks no
token). A request with `Authorization: Bearer <token>` acts for the token's owner if the token
is live (not revoked, not expired); with a bad token it is answered 401 whatever the settings.
A request without one acts for the owner called "local" (created on first use) — unless
`REQUIRE_AUTH=1`, when it is answered 401. Every 401 carries `WWW-Authenticate: Bearer`.

`CallerMiddleware` decides for HTTP and leaves the answer in `request.state.caller`. A browser
cannot set headers on a websocket, so a websocket may send `{"authorization": "Bearer …"}` as
its connection_init payload instead (graphql_api/app.py, on_ws_connect). /healthz and the
GraphiQL assets stay open. The CLI manages tokens: `artifact-miner token create|list|revoke`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.db import models, queries, writes
from graphql_api.db.engine import Database
from graphql_api.db.types import utcnow

log = logging.getLogger("graphql_api.auth")

OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/graphiql/")  # /metrics: its own guard
LAST_USED_RESOLUTION = timedelta(minutes=5)
NOBODY = 0  # no owner has this id: a websocket before its connection_init sees nothing


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request acts for: an owner, and the token that said so (None: the local owner)."""

    owner_id: int
    token_id: int | None = None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    owner: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    db: Database, owner_name: str, token_name: str = "", *, expires_in: timedelta | None = None
) -> tuple[str, int]:
    """A new token for the owner called `owner_name` (created if needed), and its id; the
    token is shown only this once."""
    token = "am_" + secrets.token_urlsafe(32)
    async with db.write() as session:
        owner = await writes.owner_named(session, owner_name)
        row = models.ApiToken(
            owner_id=owner.id,
            name=token_name,
            token_hash=hash_token(token),
            expires_at=None if expires_in is None else utcnow() + expires_in,
        )
        session.add(row)
        await session.flush()
        await writes.add_audit(session, owner.id, row.id, "token.create", str(row.id), "ok")
    return token, row.id


async def list_tokens(db: Database, owner_name: str | None = None) -> list[TokenInfo]:
    async with db.read() as session:
        rows = await queries.tokens(session, owner_name)
    return [
        TokenInfo(t.id, owner, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at)
        for t, owner in rows
    ]


async def revoke_token(db: Database, token_id: int) -> bool:
    """Revoke a token for good; False when there is no such token or it was revoked."""
    async with db.write() as session:
        row = await writes.revoke_token(session, token_id)
        if row is not None:
            await writes.add_audit(session, row.owner_id, row.id, "token.revoke", str(row.id), "ok")
    return row is not None


async def local_caller(db: Database) -> Caller:
    """The single local owner (created on first use)."""
    async with db.read() as session:
        owner = await queries.owner_by_name(session, models.LOCAL_OWNER)
    if owner is None:
        async with db.write() as session:
            owner = await writes.owner_named(session, models.LOCAL_OWNER)
    return Caller(owner.id)


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer` value; None when there is no such header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


async def token_owner(db: Database, authorization: str | None) -> Caller | None:
    """The caller of a live bearer token, or None (no token, unknown, revoked or expired).

    The row is found by its hash (an index lookup), and the hashes are then compared in
    constant time, so the comparison itself tells a timing attacker nothing. `last_used_at`
    is written only when older than LAST_USED_RESOLUTION, so requests do not queue for the
    write lock behind a mining job's writes."""
    token = bearer(authorization)
    if not token:
        return None
    wanted = hash_token(token)
    async with db.read() as session:
        row = await queries.token_by_hash(session, wanted)
    now = utcnow()
    if (
        row is None
        or not hmac.compare_digest(row.token_hash, wanted)
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        async with db.write() as session:
            await writes.touch_token(session, row.id, now)
    return Caller(row.owner_id, row.id)


async def resolve_caller(
    db: Database, authorization: str | None, *, require_auth: bool, local: Caller | None
) -> Caller | None:
    """Who a request with this Authorization header acts for; None means refuse it (401)."""
    if bearer(authorization) is not None:
        return await token_owner(db, authorization)
    if require_auth:
        return None
    return local or await local_caller(db)


def unauthenticated_body(message: str = "a valid bearer token is required") -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}


class CallerMiddleware:
    """Puts the caller in `request.state.caller`, or answers 401 with `WWW-Authenticate`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Websockets are checked once their connection_init arrives (GraphQLApp.on_ws_connect).
        if scope["type"] != "http" or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.app_state
        caller = await resolve_caller(
            state.ready().db,
            Headers(scope=scope).get("authorization"),
            require_auth=state.settings.require_auth,
            local=state.local,
        )
        if caller is not None:
            scope.setdefault("state", {})["caller"] = caller
            await self.app(scope, receive, send)
            return
        log.info("request to %s without a valid token refused", scope["path"])
        response = JSONResponse(
            unauthenticated_body(),
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="artifact-miner"'},
        )
        await response(scope, receive, send)
