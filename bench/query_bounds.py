"""`python -m bench.query_bounds`: what the query bounds cost.

1. Refusing a 100k-token query (the parser stops at MAX_QUERY_TOKENS) against parsing and
   validating an accepted 2,000-token one (goal: the refusal is no dearer).
2. The dashboard query (50 projects) with one connection per request, the default, against
   the old way, a connection per concurrent DataLoader batch (goal: not slower).
"""

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


async def refusal_times() -> None:
    from graphql_api.schema import build_schema

    schema = build_schema()
    cases = {
        "100k tokens, refused": "{" + " a" * 100_000 + "}",
        "2,000 tokens, run": "{" + " __typename" * 1_990 + "}",
    }
    for label, query in cases.items():
        runs = []
        for n in range(ROUNDS):
            started = time.perf_counter()
            await schema.execute(query + " " * n)  # a new text each time: no parser cache
            runs.append(time.perf_counter() - started)
        print(f"{label:28} median {statistics.median(runs) * 1000:6.1f} ms")


async def main() -> None:
    await refusal_times()
    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp())))
    async with app.router.lifespan_context(app):
        db: Database = app.state.app_state.ready().db
        portfolio = await portfolio_with_projects(db, 50)
        pid = ids.encode("Portfolio", portfolio.id)
        serialised = Database.serialised
        for label in ("one connection per request", "one per batch (before)", "one per request"):
            # Interleaved, so a change in the machine's load shows in both.
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
