"""Read-back of everything stored (answers, typed prefs, uploads, summaries, showcased), every
preference applied at once, and delete/restore ranking the others again, through HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from graphql_api.db.engine import Database
from graphql_api.schema import ids
from tests.children import whole
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects
from tests.service.curation_flows import mine_three, projects_of
from tests.service.flows import PROFILE


@pytest.fixture
async def mined(app: Starlette, client: httpx.AsyncClient, tmp_path: Path) -> dict[str, Any]:
    return await mine_three(app, client, tmp_path)


# --- read-back -------------------------------------------------------------------------------


async def test_everything_stored_reads_back(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    await gql.data(
        """mutation { answerQuestions(answers: [{key: "email", answer: "ada@example.com"}])
             { userErrors { code } } }"""
    )
    await gql.data(
        """mutation { answerQuestions(answers: [{key: "email", answer: " ada@work.example "}])
             { userErrors { code } } }"""
    )
    answers = await gql.data("{ answers { question { key } answer answeredAt } }")
    assert [(a["question"]["key"], a["answer"]) for a in answers["answers"]] == [
        ("email", "ada@work.example")
    ]
    prefs = {
        "showcaseProjects": ["tool"],
        "comparisonAttributes": ["SIZE", "RECENCY"],
        "chronologyOverrides": [{"project": "tool", "first": "2020-01-01"}],
        "customRankings": [{"project": "web", "rank": 1, "score": 50}],
    }
    await gql.data(
        "mutation($id: ID!, $p: RepresentationPrefsInput!) { setRepresentationPrefs("
        "portfolioId: $id, prefs: $p) { userErrors { code } } }",
        id=mined["id"],
        p=prefs,
    )
    await gql.data(
        "mutation($id: ID!) { generateResume(portfolioId: $id) { userErrors { code } } }",
        id=mined["id"],
    )
    data = await gql.data(
        """query($id: ID!) { portfolio(id: $id) {
          representationPrefs { showcaseProjects projectOrder hiddenSkills highlightSkills
            comparisonAttributes chronologyOverrides { project first last }
            customRankings { project rank score } updatedAt }
          uploads { totalCount pageInfo { hasNextPage } edges { cursor node {
            fileName size sha256 uploadedAt } } }
          projects(orderBy: NAME) { nodes { projectName showcased summary
            summaries { totalCount nodes { text provider userEmail generatedAt } } } } } }""",
        id=mined["id"],
    )
    portfolio = data["portfolio"]
    read = portfolio["representationPrefs"]
    assert read["updatedAt"] is not None
    assert {k: v for k, v in read.items() if k != "updatedAt"} == {
        "showcaseProjects": ["tool"],
        "projectOrder": [],
        "hiddenSkills": [],
        "highlightSkills": [],
        "comparisonAttributes": ["SIZE", "RECENCY"],
        "chronologyOverrides": [{"project": "tool", "first": "2020-01-01", "last": None}],
        "customRankings": [{"project": "web", "rank": 1, "score": 50.0}],
    }
    assert portfolio["uploads"]["totalCount"] == 1
    assert portfolio["uploads"]["pageInfo"] == {"hasNextPage": False}
    [edge] = portfolio["uploads"]["edges"]
    assert edge["cursor"]
    uploaded = edge["node"]
    assert uploaded["fileName"] == "portfolio.zip"
    assert uploaded["size"] == len(mined["zip"])
    assert uploaded["sha256"] == hashlib.sha256(mined["zip"]).hexdigest()
    projects = {p["projectName"]: whole(p) for p in portfolio["projects"]["nodes"]}
    assert {name: p["showcased"] for name, p in projects.items()} == {
        "service": False,
        "tool": True,
        "web": False,
    }
    tool = projects["tool"]
    assert tool["summary"]
    assert tool["summaries"][0]["text"] == tool["summary"]
    assert tool["summaries"][0]["userEmail"] == "ada@example.com"
    assert projects["service"]["summaries"] == []


async def test_a_portfolio_never_given_prefs_reads_empty_ones(
    gql: GraphQLClient, db: Database
) -> None:
    await portfolio_with_projects(db, 1)
    data = await gql.data(
        "{ portfolios { nodes { representationPrefs { showcaseProjects updatedAt } uploads "
        "{ totalCount nodes { fileName } } } } }"
    )
    assert data["portfolios"]["nodes"] == [
        {
            "representationPrefs": {"showcaseProjects": [], "updatedAt": None},
            "uploads": {"totalCount": 0, "nodes": []},
        }
    ]


# --- preferences at once, delete and restore re-rank -------------------------------------


PREFS = """mutation($id: ID!, $p: RepresentationPrefsInput!) {
  setRepresentationPrefs(portfolioId: $id, prefs: $p) { userErrors { code } } }"""


async def test_every_preference_applies_at_once(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    before = await projects_of(gql, mined["id"])
    assert "Python" in {s["skill"]["name"] for s in before["service"]["skills"]}
    prefs = {
        "projectOrder": ["web"],
        "customRankings": [{"project": "tool", "rank": 1}],
        "showcaseProjects": ["service", "tool"],
        "hiddenSkills": ["python"],
        "highlightSkills": ["Go"],
        "comparisonAttributes": ["HEALTH"],
        "chronologyOverrides": [{"project": "tool", "first": "2019-05-01", "last": "2019-06-01"}],
    }
    assert (await gql.data(PREFS, id=mined["id"], p=prefs))["setRepresentationPrefs"] == {
        "userErrors": []
    }
    now = await projects_of(gql, mined["id"])  # no rankProjects, no generateResume
    order = sorted(now, key=lambda name: now[name]["rankingPosition"])
    assert order[:2] == ["web", "tool"]  # project_order first, then the manual rank
    assert {n: p["showcased"] for n, p in now.items()} == {
        "service": True,
        "tool": True,
        "web": False,
    }
    assert now["web"]["resumeItems"] == []
    assert now["tool"]["resumeItems"]
    for project in now.values():
        names = {s["skill"]["name"] for s in project["skills"] + project["userSkills"]}
        assert "Python" not in names
        assert [c["name"] for c in project["rankingComponents"]] == ["health"]
    skills = await gql.data("{ skills(first: 100) { nodes { name } } }")
    assert "Python" not in {s["name"] for s in skills["skills"]["nodes"]}
    profile = (await gql.data(PROFILE, id=mined["id"]))["portfolio"]["profile"]
    assert profile["top_skills"][0]["name"] == "Go"
    assert profile["first_active"].startswith("2019-05-01")

    await gql.data(PREFS, id=mined["id"], p={})  # and back, at once
    back = await projects_of(gql, mined["id"])
    assert "Python" in {s["skill"]["name"] for s in back["service"]["skills"]}
    assert len(back["service"]["rankingComponents"]) == 7
    assert all(p["showcased"] for p in back.values())


async def test_deleting_and_restoring_a_project_ranks_the_others_at_once(
    gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    before = await projects_of(gql, mined["id"])
    first = min(before, key=lambda name: before[name]["rankingPosition"])
    deleted = await gql.data(
        "mutation($id: ID!) { deleteProject(id: $id) { project { rankingPosition } "
        "userErrors { code } } }",
        id=before[first]["id"],
    )
    assert deleted["deleteProject"] == {"project": {"rankingPosition": None}, "userErrors": []}
    after = await projects_of(gql, mined["id"])
    assert sorted(p["rankingPosition"] for p in after.values()) == [1, 2]
    restored = await gql.data(
        "mutation($id: ID!) { restoreProject(id: $id) { project { rankingPosition } } }",
        id=before[first]["id"],
    )
    assert restored["restoreProject"]["project"] == {"rankingPosition": 1}
    again = await projects_of(gql, mined["id"])
    assert {n: p["rankingPosition"] for n, p in again.items()} == {
        n: p["rankingPosition"] for n, p in before.items()
    }


CURATED_READ = """query($id: ID!) { portfolio(id: $id) {
  representationPrefs { hiddenSkills customRankings { project } } uploads { nodes { sha256 } }
  projects(first: 100) { nodes { role showcased summaries { nodes { text } } thumbnailUrl
    evidence { nodes { origin } } resumeItems { nodes { edited } } } } } }"""


async def _statements(db: Database, gql: GraphQLClient, n: int) -> int:
    portfolio = await portfolio_with_projects(db, n, name=f"p{n}")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        data = await gql.data(CURATED_READ, id=ids.encode("Portfolio", portfolio.id))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert len(data["portfolio"]["projects"]["nodes"]) == n
    return len(statements)


async def test_the_read_back_runs_a_constant_number_of_statements(
    db: Database, gql: GraphQLClient
) -> None:
    # portfolio, prefs, uploads, page (with its count), user stats (roles), summaries,
    # evidence, items
    assert await _statements(db, gql, 3) == await _statements(db, gql, 30) == 8


async def test_a_deleted_projects_own_skills_leave_the_skill_listing(
    gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    query = '{ skills(first: 100) { nodes { name } } go: skill(name: "Go") { name } }'
    toggle = "mutation($id: ID!) { %s(id: $id) { userErrors { code } } }"
    tool = mined["projects"]["tool"]["id"]  # the only project in Go
    assert (await gql.data(query))["go"] == {"name": "Go"}
    await gql.data(toggle % "deleteProject", id=tool)
    gone = await gql.data(query)
    assert gone["go"] is None
    assert "Go" not in {s["name"] for s in gone["skills"]["nodes"]}
    assert "Python" in {s["name"] for s in gone["skills"]["nodes"]}
    await gql.data(toggle % "restoreProject", id=tool)
    assert (await gql.data(query))["go"] == {"name": "Go"}
