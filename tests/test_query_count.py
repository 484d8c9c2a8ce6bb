"""The dashboard query runs a constant number of SQL statements, however many projects."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from graphql_api.db.engine import Database
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects

DASHBOARD = """
query Dashboard($id: ID!, $n: Int!) {
  portfolio(id: $id) {
    name
    projects(first: $n) {
      totalCount
      edges { node {
        projectName totalCommits rankingScore
        skills(first: 3) {
          totalCount pageInfo { hasNextPage } nodes { proficiency skill { name category } }
        }
        evidence { totalCount nodes { type content } }
        resumeItems { nodes { title content } }
        userStats { nodes { userEmail totalCommits sharePercent } }
      } }
    }
  }
}
"""


async def _count_statements(db: Database, gql: GraphQLClient, n: int) -> tuple[int, Any]:
    portfolio = await portfolio_with_projects(db, n, name=f"p{n}")
    from graphql_api.schema import ids

    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        data = await gql.data(DASHBOARD, id=ids.encode("Portfolio", portfolio.id), n=n)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    return len(statements), data


@pytest.mark.parametrize("n", [5, 50])
async def test_dashboard_statement_count_is_constant(
    db: Database, gql: GraphQLClient, n: int, record_property: Any
) -> None:
    count, data = await _count_statements(db, gql, n)
    record_property("statements", count)
    print(f"dashboard query, N={n}: {count} SQL statements")
    projects = data["portfolio"]["projects"]
    assert projects["totalCount"] == n
    assert len(projects["edges"]) == n
    first = projects["edges"][0]["node"]
    assert first["projectName"] == f"project-{n - 1:03d}"  # ranked: highest score first
    assert len(first["skills"]["nodes"]) == 3  # a page of each project's 8, cut from one batch
    assert first["skills"]["totalCount"] == 8
    assert first["skills"]["pageInfo"] == {"hasNextPage": True}
    assert len(first["evidence"]["nodes"]) == first["evidence"]["totalCount"] == 5
    assert len(first["resumeItems"]["nodes"]) == 3
    assert first["userStats"]["nodes"] == [
        {"userEmail": "ada@example.com", "totalCommits": (n - 1) * 10, "sharePercent": 100.0}
    ]
    # portfolio, page (its total counted in the same statement), skills (their skill rows
    # joined in), evidence, resume items, user stats (each child page's rows and totals of
    # every project in one statement)
    assert count == 6
