"""The read API through HTTP: nodes, connections, ordering, filters, errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import update

from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.schema import connection, ids
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects

PROJECT_NAMES = """
query($id: ID!, $first: Int, $after: String, $order: ProjectOrder!, $filter: ProjectFilter) {
  portfolio(id: $id) {
    projects(first: $first, after: $after, orderBy: $order, filter: $filter) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { projectName }
    }
  }
}
"""


async def _names(gql: GraphQLClient, pid: str, **variables: object) -> dict[str, object]:
    variables.setdefault("order", "RANKING")
    data = await gql.data(PROJECT_NAMES, id=ids.encode("Portfolio", pid), **variables)
    projects = data["portfolio"]["projects"]
    return {
        "total": projects["totalCount"],
        "names": [n["projectName"] for n in projects["nodes"]],
        "next": projects["pageInfo"]["hasNextPage"],
        "cursor": projects["pageInfo"]["endCursor"],
    }


async def test_keyset_pages_cover_every_project_once_in_each_order(
    db: Database, gql: GraphQLClient
) -> None:
    portfolio = await portfolio_with_projects(db, 7, skills_per_project=1)
    expected = {
        "RANKING": [f"project-{i:03d}" for i in range(6, -1, -1)],
        "RECENT": [f"project-{i:03d}" for i in range(6, -1, -1)],
        "COMMITS": [f"project-{i:03d}" for i in range(6, -1, -1)],
        "NAME": [f"project-{i:03d}" for i in range(7)],
    }
    for order, names in expected.items():
        seen: list[str] = []
        cursor = None
        while True:
            page = await _names(gql, portfolio.id, first=3, after=cursor, order=order)
            assert page["total"] == 7
            seen += page["names"]  # type: ignore[arg-type]
            cursor = page["cursor"]
            if not page["next"]:
                break
        assert seen == names, order


async def test_filters_and_soft_deleted_projects(db: Database, gql: GraphQLClient) -> None:
    portfolio = await portfolio_with_projects(db, 4, skills_per_project=2)
    async with db.write() as session:
        await session.execute(
            update(models.RepoStat)
            .where(models.RepoStat.project_name == "project-002")
            .values(deleted_at=datetime(2024, 6, 1, tzinfo=UTC))
        )
    by_go = await _names(gql, portfolio.id, filter={"language": "go"}, order="NAME")
    assert by_go["names"] == ["project-001", "project-003"]
    by_skill = await _names(gql, portfolio.id, filter={"skill": "main-skill-1"}, order="NAME")
    assert by_skill["names"] == ["project-000", "project-001", "project-003"]
    assert (await _names(gql, portfolio.id, filter={"framework": "main-skill-1"}))["names"] == []
    everything = await _names(gql, portfolio.id, filter={"includeDeleted": True}, order="NAME")
    assert everything["names"] == [f"project-{i:03d}" for i in range(4)]


async def test_node_resolves_every_exposed_type(db: Database, gql: GraphQLClient) -> None:
    await portfolio_with_projects(db, 1, skills_per_project=1, evidence_per_project=1)
    data = await gql.data(
        """{ portfolios(first: 1) { nodes { id projects { nodes { id
              skills { nodes { id skill { id } } } evidence { nodes { id } }
              resumeItems { nodes { id } } userStats { nodes { id } }
           } } } } }"""
    )
    project = data["portfolios"]["nodes"][0]["projects"]["nodes"][0]
    wanted = {
        data["portfolios"]["nodes"][0]["id"]: "Portfolio",
        project["id"]: "RepoStat",
        project["skills"]["nodes"][0]["id"]: "ProjectSkill",
        project["skills"]["nodes"][0]["skill"]["id"]: "Skill",
        project["evidence"]["nodes"][0]["id"]: "Evidence",
        project["resumeItems"]["nodes"][0]["id"]: "ResumeItem",
        project["userStats"]["nodes"][0]["id"]: "UserRepoStat",
    }
    for global_id, typename in wanted.items():
        node = await gql.data("query($id: ID!) { node(id: $id) { __typename id } }", id=global_id)
        assert node == {"node": {"__typename": typename, "id": global_id}}


async def test_ids_are_opaque_and_not_sequential(db: Database, gql: GraphQLClient) -> None:
    await portfolio_with_projects(db, 2, skills_per_project=1)
    data = await gql.data("{ portfolios { nodes { projects { nodes { id } } } } }")
    raw = [n["id"] for n in data["portfolios"]["nodes"][0]["projects"]["nodes"]]
    uids = [ids.decode(i)[1] for i in raw]
    assert all(len(uid) == 32 and not uid.isdigit() for uid in uids)


async def test_skill_by_name_lists_its_projects(db: Database, gql: GraphQLClient) -> None:
    await portfolio_with_projects(db, 2, skills_per_project=2)
    data = await gql.data(
        '{ skill(name: "MAIN-SKILL-0") { name category '
        "projects { nodes { project { projectName } } } } }"
    )
    assert data == {
        "skill": {
            "name": "main-skill-0",
            "category": "LANGUAGES",
            "projects": {
                "nodes": [
                    {"project": {"projectName": "project-000"}},
                    {"project": {"projectName": "project-001"}},
                ]
            },
        }
    }
    skills = await gql.data("{ skills(first: 1, category: TOOLS) { totalCount nodes { name } } }")
    assert skills == {"skills": {"totalCount": 1, "nodes": [{"name": "main-skill-1"}]}}


async def test_questions_consent_and_job(db: Database, gql: GraphQLClient) -> None:
    portfolio = await portfolio_with_projects(db, 0)
    async with db.write() as session:
        job = models.MiningJob(
            portfolio_id=portfolio.id,
            owner_id=portfolio.owner_id,
            status="partial",
            stage="done",
            completed=2,
            total=2,
            repo_errors=[{"path": "x", "code": "REPO_UNSAFE", "message": "symlinked .git"}],
        )
        consent = models.Consent(consent_level="local", llm_model=None, owner_id=portfolio.owner_id)
        session.add_all([job, consent])
    data = await gql.data(
        """query($id: ID!) {
             questions { key required }
             consent { consentLevel }
             job(id: $id) { status completed total repoErrors { path code } portfolio { name } }
           }""",
        id=ids.encode("MiningJob", job.uid),
    )
    assert data["questions"][0] == {"key": "email", "required": True}
    assert data["consent"] == {"consentLevel": "LOCAL"}
    assert data["job"] == {
        "status": "PARTIAL",
        "completed": 2,
        "total": 2,
        "repoErrors": [{"path": "x", "code": "REPO_UNSAFE"}],
        "portfolio": {"name": "main"},
    }


async def test_bad_arguments_get_stable_codes(gql: GraphQLClient) -> None:
    cases = {
        '{ node(id: "%%%") { id } }': "BAD_ID",
        '{ project(id: "UG9ydGZvbGlvOmFiYw") { id } }': "BAD_ID",  # a Portfolio ID
        "{ portfolios(first: 101) { totalCount } }": "BAD_PAGE_SIZE",
        '{ portfolios(after: "bm9wZQ") { totalCount } }': "BAD_CURSOR",
    }
    for query, code in cases.items():
        body = await gql(query)
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], query


async def test_validation_errors_are_not_masked(gql: GraphQLClient) -> None:
    body = await gql("{ portfolios { noSuchField } }")
    assert body["errors"][0]["message"] == (
        "Cannot query field 'noSuchField' on type 'PortfolioConnection'."
    )


async def test_unknown_node_is_null(gql: GraphQLClient) -> None:
    missing = ids.encode("RepoStat", "0" * 32)
    assert await gql.data("query($id: ID!) { node(id: $id) { id } }", id=missing) == {"node": None}


async def test_concurrent_sibling_resolvers_do_not_share_a_session(
    db: Database, gql: GraphQLClient
) -> None:
    """Aliased root fields resolve concurrently; each opens its own session."""
    await portfolio_with_projects(db, 3, skills_per_project=2)
    fields = " ".join(
        f"p{i}: portfolios(first: 1) {{ nodes {{ projects(first: 5) {{ nodes {{ skills {{ nodes {{ skill {{ name }} }} }} }} }} }} }}"  # noqa: E501
        for i in range(10)
    )
    results = await asyncio.gather(*(gql(f"{{ {fields} }}") for _ in range(3)))
    for body in results:
        assert "errors" not in body
        assert len(body["data"]) == 10


async def test_portfolios_newest_first_in_keyset_pages(db: Database, gql: GraphQLClient) -> None:
    for n in range(5):
        await portfolio_with_projects(db, 0, name=f"p{n}")
    names: list[str] = []
    cursor = None
    while True:
        data = await gql.data(
            "query($after: String) { portfolios(first: 2, after: $after) { totalCount "
            "pageInfo { hasNextPage endCursor } nodes { name } } }",
            after=cursor,
        )
        page = data["portfolios"]
        assert page["totalCount"] == 5
        names += [node["name"] for node in page["nodes"]]
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert names == ["p4", "p3", "p2", "p1", "p0"]


async def test_name_order_pages_through_non_ascii_names(db: Database, gql: GraphQLClient) -> None:
    portfolio = await portfolio_with_projects(db, 0)
    names = ["alpha", "Éclair", "Émile", "Ölfass", "zeta"]
    async with db.write() as session:
        for i, name in enumerate(names):
            session.add(
                models.RepoStat(
                    portfolio_id=portfolio.id,
                    owner_id=portfolio.owner_id,
                    project_key=f"k{i}",
                    project_name=name,
                    project_path=name,
                )
            )
    seen: list[str] = []
    cursor = None
    while True:
        page = await _names(gql, portfolio.id, first=1, after=cursor, order="NAME")
        seen += page["names"]  # type: ignore[arg-type]
        cursor = page["cursor"]
        if not page["next"]:
            break
    assert sorted(seen) == sorted(names)
    assert len(seen) == 5


async def test_a_cursor_with_values_of_the_wrong_shape_is_bad_cursor(
    db: Database, gql: GraphQLClient
) -> None:
    portfolio = await portfolio_with_projects(db, 1, skills_per_project=0)
    pid = ids.encode("Portfolio", portfolio.id)
    for order, values in (("RECENT", ["not a date", "x"]), ("RANKING", [1])):
        cursor = connection.encode_cursor(f"projects:{order}", values)
        body = await gql(PROJECT_NAMES, id=pid, after=cursor, order=order)
        assert body["errors"][0]["extensions"]["code"] == "BAD_CURSOR", body
    portfolios = await gql(
        "query($a: String) { portfolios(after: $a) { totalCount } }",
        a=connection.encode_cursor("portfolios", ["yesterday"]),
    )
    assert portfolios["errors"][0]["extensions"]["code"] == "BAD_CURSOR"
