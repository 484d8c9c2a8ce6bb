"""A project's and a skill's child lists are connections: pages by `first`/`after`, each
with its cursors, `pageInfo` and the whole list's `totalCount`, cut from one batch for every
parent (tests/test_query_count.py counts the statements)."""

from __future__ import annotations

from typing import Any

from graphql_api.db.engine import Database
from graphql_api.schema import ids
from graphql_api.schema.connection import encode_cursor
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects

PAGES = """query($id: ID!, $n: Int, $after: String) { portfolio(id: $id) {
  projects(first: 3, orderBy: NAME) { nodes { projectName
    skills(first: $n, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { skill { name } } } }
    evidence(first: $n) { totalCount nodes { content } } } } } }"""


async def _pages(gql: GraphQLClient, pid: str, n: int, after: str | None) -> list[dict[str, Any]]:
    data = await gql.data(PAGES, id=pid, n=n, after=after)
    nodes: list[dict[str, Any]] = data["portfolio"]["projects"]["nodes"]
    return nodes


async def test_a_projects_skills_page_forwards_to_the_end(db: Database, gql: GraphQLClient) -> None:
    portfolio = await portfolio_with_projects(db, 3, skills_per_project=5, evidence_per_project=4)
    pid = ids.encode("Portfolio", portfolio.id)
    whole = await _pages(gql, pid, 100, None)
    every = [[e["node"]["skill"]["name"] for e in p["skills"]["edges"]] for p in whole]
    assert [len(names) for names in every] == [5, 5, 5]
    seen: list[list[str]] = [[], [], []]
    after = None
    for page_number in range(3):  # pages of 2: 2, 2, 1
        projects = await _pages(gql, pid, 2, after)
        for k, project in enumerate(projects):
            skills = project["skills"]
            assert skills["totalCount"] == 5
            assert project["evidence"]["totalCount"] == 4
            info = skills["pageInfo"]
            assert info["hasNextPage"] == (page_number < 2)
            assert info["hasPreviousPage"] == (page_number > 0)
            assert info["startCursor"] == skills["edges"][0]["cursor"]
            assert info["endCursor"] == skills["edges"][-1]["cursor"]
            seen[k] += [e["node"]["skill"]["name"] for e in skills["edges"]]
        after = projects[0]["skills"]["pageInfo"]["endCursor"]
    assert seen == every
    past = await _pages(gql, pid, 2, encode_cursor("RepoStat.skills", [4]))
    assert past[0]["skills"]["edges"] == []
    assert past[0]["skills"]["pageInfo"]["hasNextPage"] is False


async def test_a_child_cursor_of_another_list_or_place_is_bad_cursor(
    db: Database, gql: GraphQLClient
) -> None:
    portfolio = await portfolio_with_projects(db, 1, skills_per_project=2)
    pid = ids.encode("Portfolio", portfolio.id)
    query = """query($id: ID!, $after: String) { portfolio(id: $id) { projects { nodes {
      skills(first: 1, after: $after) { totalCount } } } } }"""
    for cursor in (
        encode_cursor("RepoStat.evidence", [0]),  # another child list's
        encode_cursor("RepoStat.skills", [-1]),
        encode_cursor("RepoStat.skills", [0, 1]),
        encode_cursor("RepoStat.skills", ["0"]),
        encode_cursor("RepoStat.skills", [2**40]),
    ):
        body = await gql(query, id=pid, after=cursor)
        assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_CURSOR"}, cursor
    ok = await gql.data(query, id=pid, after=encode_cursor("RepoStat.skills", [0]))
    assert ok["portfolio"]["projects"]["nodes"] == [{"skills": {"totalCount": 2}}]


async def test_child_pages_default_to_twenty(db: Database, gql: GraphQLClient) -> None:
    portfolio = await portfolio_with_projects(db, 1, skills_per_project=0, evidence_per_project=25)
    pid = ids.encode("Portfolio", portfolio.id)
    data = await gql.data(
        """query($id: ID!) { portfolio(id: $id) { projects { nodes {
          evidence { totalCount pageInfo { hasNextPage } nodes { content } } } } } }""",
        id=pid,
    )
    evidence = data["portfolio"]["projects"]["nodes"][0]["evidence"]
    assert (evidence["totalCount"], len(evidence["nodes"])) == (25, 20)
    assert evidence["pageInfo"] == {"hasNextPage": True}
