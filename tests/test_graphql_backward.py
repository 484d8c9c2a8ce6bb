"""Backward pagination: `last`/`before` on every connection walks the same listing from its
end, page by page, each page in the listing's order (Relay cursor connections)."""

from __future__ import annotations

from typing import Any

from graphql_api.db.engine import Database
from graphql_api.schema import ids
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects

PROJECTS = """query($id: ID!, $last: Int, $before: String, $order: ProjectOrder!) {
  portfolio(id: $id) { projects(last: $last, before: $before, orderBy: $order) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor } nodes { projectName } } } }"""
PORTFOLIOS = """query($last: Int, $before: String) { portfolios(last: $last, before: $before) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor } nodes { name } } }"""
SKILLS = """query($last: Int, $before: String) { skills(last: $last, before: $before) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor } nodes { name } } }"""


async def _backwards(gql: GraphQLClient, query: str, path: str, **variables: Any) -> list[Any]:
    """Every page from the end to the start: (names, hasNextPage, hasPreviousPage)."""
    pages, cursor = [], None
    while True:
        page = (await gql.data(query, last=3, before=cursor, **variables))[path]
        page = page["projects"] if path == "portfolio" else page
        names = [next(iter(node.values())) for node in page["nodes"]]
        info = page["pageInfo"]
        pages.append((names, info["hasNextPage"], info["hasPreviousPage"]))
        cursor = info["startCursor"]
        if not info["hasPreviousPage"]:
            return pages


async def test_projects_page_backwards_in_each_order(db: Database, gql: GraphQLClient) -> None:
    portfolio = await portfolio_with_projects(db, 7, skills_per_project=1)
    pid = ids.encode("Portfolio", portfolio.id)
    names = [f"project-{i:03d}" for i in range(7)]
    for order, listing in (("NAME", names), ("RANKING", names[::-1]), ("RECENT", names[::-1])):
        pages = await _backwards(gql, PROJECTS, "portfolio", id=pid, order=order)
        assert pages == [
            (listing[4:], False, True),
            (listing[1:4], True, True),
            (listing[:1], True, False),
        ], order


async def test_portfolios_and_skills_page_backwards(db: Database, gql: GraphQLClient) -> None:
    for n in range(4):
        await portfolio_with_projects(db, 1, skills_per_project=2, name=f"p{n}")
    assert await _backwards(gql, PORTFOLIOS, "portfolios") == [
        (["p2", "p1", "p0"], False, True),
        (["p3"], True, False),
    ]
    forward = await gql.data("{ skills(first: 100) { nodes { name } } }")
    listing = [node["name"] for node in forward["skills"]["nodes"]]
    assert len(listing) >= 2
    pages = await _backwards(gql, SKILLS, "skills")
    assert [name for names, *_ in reversed(pages) for name in names] == listing
    assert pages[0][1:] == (False, len(listing) > 3)


async def test_first_and_last_together_are_refused(db: Database, gql: GraphQLClient) -> None:
    both = await gql("{ portfolios(first: 2, last: 2) { totalCount } }")
    assert [e["extensions"]["code"] for e in both["errors"]] == ["BAD_PAGE_SIZE"]
