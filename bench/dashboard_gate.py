"""The dashboard query with one connection per request (the default) against the old way,
a connection per concurrent DataLoader batch: `python -m bench.dashboard_gate`."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from graphql_api.app import create_app
from graphql_api.db.engine import Database
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.factories import portfolio_with_projects
from tests.test_query_count import DASHBOARD

ROUNDS = 30


async def timings(app: object, portfolio_id: str) -> list[float]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    body = {"query": DASHBOARD, "variables": {"id": portfolio_id, "n": 50}}
    results = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = await http.post("/graphql", json=body)
            results.append(time.perf_counter() - started)
            assert "errors" not in response.json()
    return results


async def main() -> None:
    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp())))
    async with app.router.lifespan_context(app):
        db: Database = app.state.app_state.ready().db
        portfolio = await portfolio_with_projects(db, 50)
        pid = ids.encode("Portfolio", portfolio.id)
        serialised = Database.serialised
        for label in ("one connection per request", "one per batch (before)", "one per request"):
            Database.serialised = (  # type: ignore[method-assign]
                (lambda self: self) if "before" in label else serialised
            )
            runs = sorted(await timings(app, pid))
            print(
                f"{label:28} median {statistics.median(runs) * 1000:6.1f} ms  "
                f"p90 {runs[int(len(runs) * 0.9)] * 1000:6.1f} ms  ({ROUNDS} runs, 50 projects)"
            )
        Database.serialised = serialised  # type: ignore[method-assign]


if __name__ == "__main__":
    asyncio.run(main())
