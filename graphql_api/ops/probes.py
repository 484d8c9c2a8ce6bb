"""GET /healthz (liveness), GET /readyz (readiness), GET /metrics.

/healthz says the process answers; an orchestrator restarts it when it does not. /readyz says
whether it can do its work: the database, the job queue and the upload store each answer
within `CHECK_SECONDS`, else 503 with the name of each one that failed (the reason is logged,
not sent: it may name hosts and paths). A load balancer sends requests only to ready ones.

The database is probed on a connection of its own, opened for the probe (no pool): a pooled
connection opened at start-up would still answer after the database became unreachable to
new ones.

/metrics is for operators. With METRICS_TOKEN set it needs `Authorization: Bearer <token>`;
without, it answers only clients on this machine (loopback), so a server bound to a public
address does not hand its metrics to anyone who asks.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import text
from sqlalchemy.pool import NullPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graphql_api.db import queries
from graphql_api.db.engine import Database, create_engine
from graphql_api.ops import metrics

__all__ = ["CHECK_SECONDS", "Check", "DatabaseProbe", "metrics_response", "readiness"]

log = logging.getLogger("graphql_api.ops")

CHECK_SECONDS = 3.0
Check = Callable[[], Awaitable[object]]  # raises (or times out) when not reachable


class DatabaseProbe:
    """`SELECT 1` on a fresh connection to the database at `url`."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool)

    async def __call__(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _outcome(name: str, check: Check, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await check()
    except Exception as exc:
        log.warning("readiness: %s is not reachable: %s: %s", name, type(exc).__name__, exc)
        return False
    return True


async def readiness(checks: Mapping[str, Check], seconds: float = CHECK_SECONDS) -> Response:
    """200 when every check passes, else 503; either way each check's outcome by name."""
    names = list(checks)
    passed = await asyncio.gather(*(_outcome(n, checks[n], seconds) for n in names))
    outcome = {n: "ok" if ok else "unavailable" for n, ok in zip(names, passed, strict=True)}
    ready = all(passed)
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": outcome,
        "failed": [n for n, ok in zip(names, passed, strict=True) if not ok],
    }
    return JSONResponse(body, status_code=200 if ready else 503)


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_allowed(request: Request, token: str) -> bool:
    if not token:
        return _is_loopback(request)
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def metrics_response(request: Request, db: Database, token: str) -> Response:
    if not metrics_allowed(request, token):
        reason = "a bearer token (METRICS_TOKEN)" if token else "a client on this machine"
        return JSONResponse(
            {
                "errors": [
                    {"message": f"/metrics needs {reason}", "extensions": {"code": "FORBIDDEN"}}
                ]
            },
            status_code=403,
        )
    async with db.read() as session:
        counts = await queries.job_counts(session)
    return Response(metrics.exposition(counts), media_type=metrics.CONTENT_TYPE_LATEST)
