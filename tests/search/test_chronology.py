"""Skill chronology and timeline through HTTP, from real repositories mined by the real job:
the user's own commits date everything (a co-author's and a bot's commits never do), and a
range of months narrows every figure."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.db.engine import Database
from graphql_api.schema import ids
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects
from tests.mining.repo_builder import Repo
from tests.service.flows import ADA, GRACE, upload, wait_for_job
from tests.service.live import zip_folder

BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")

CHRONOLOGY = """query($id: ID!, $from: Date, $to: Date) {
  skillChronology(portfolioId: $id, from: $from, to: $to) {
    skill { name } firstUsed lastUsed projectCount activeMonths { month commits }
  }
}"""
TIMELINE = """query($id: ID!, $from: Date, $to: Date) {
  timeline(portfolioId: $id, from: $from, to: $to) {
    months { month commits projectCount skills { name } }
    projects { project { projectName } firstActive lastActive commits activeMonths }
  }
}"""


def at(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, 12, tzinfo=UTC).timestamp())


def build(root: Path, home: Path) -> Path:
    """shop: Ada's Python in January and March 2024, Grace's Go in February, Ada's docs in
    May. tool: Ada's own Go in November and December 2023, a bot's change in June 2024."""
    shop = Repo(root / "upload" / "shop", home)
    shop.write("app/main.py", "def main():\n    return 1\n" * 20)
    shop.commit("Start", author=ADA, when=at(2024, 1, 10))
    shop.write("server/main.go", "package main\n\nfunc main() {}\n" * 10)
    shop.commit("Go server", author=GRACE, when=at(2024, 2, 14))
    shop.write("app/more.py", "VALUE = 2\n" * 30)
    shop.commit("More", author=ADA, when=at(2024, 3, 5))
    shop.write("docs/guide.md", "# Guide\n\nHow to run it.\n")
    shop.commit("Guide", author=ADA, when=at(2024, 5, 20))

    tool = Repo(root / "upload" / "tool", home)
    tool.write("main.go", "package main\n\nfunc main() {}\n" * 10)
    tool.write("go.mod", "module example.com/tool\n\ngo 1.22\n")
    tool.commit("Tool", author=ADA, when=at(2023, 11, 2))
    tool.write("util.go", "package main\n\nfunc util() {}\n" * 10)
    tool.commit("Util", author=ADA, when=at(2023, 12, 20))
    tool.write("main.go", "package main\n\nfunc main() { util() }\n" * 10)
    tool.commit("Bump", author=BOT, when=at(2024, 6, 1))
    return root / "upload"


@pytest.fixture
async def mined(app: Starlette, client: httpx.AsyncClient, tmp_path: Path) -> str:
    payload = await upload(client, zip_folder(build(tmp_path / "src", tmp_path / "home")))
    assert payload["userErrors"] == []
    job = await wait_for_job(app.state.app_state.ready(), payload["job"]["id"])
    assert job.status == "succeeded"
    pid: str = payload["portfolio"]["id"]
    return pid


def by_name(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["skill"]["name"]: entry for entry in entries}


async def test_each_skill_is_dated_by_the_users_own_commits(gql: GraphQLClient, mined: str) -> None:
    found = (await gql.data(CHRONOLOGY, id=mined))["skillChronology"]
    skills = by_name(found)
    assert skills["Python"] == {
        "skill": {"name": "Python"},
        "firstUsed": "2024-01-10",
        "lastUsed": "2024-03-05",
        "projectCount": 1,
        # February is Grace's (Go), not Ada's: no active month.
        "activeMonths": [
            {"month": "2024-01-01", "commits": 1},
            {"month": "2024-03-01", "commits": 1},
        ],
    }
    # Ada's Go is the tool's: Grace's Go server and the bot's June commit count for nothing.
    assert skills["Go"] == {
        "skill": {"name": "Go"},
        "firstUsed": "2023-11-02",
        "lastUsed": "2023-12-20",
        "projectCount": 1,
        "activeMonths": [
            {"month": "2023-11-01", "commits": 1},
            {"month": "2023-12-01", "commits": 1},
        ],
    }
    firsts = [entry["firstUsed"] for entry in found]
    assert firsts == sorted(firsts)


async def test_a_range_of_months_narrows_the_chronology(gql: GraphQLClient, mined: str) -> None:
    found = by_name(
        (await gql.data(CHRONOLOGY, id=mined, **{"from": "2024-02-15", "to": "2024-12-31"}))[
            "skillChronology"
        ]
    )
    assert "Go" not in found  # used in 2023 only
    assert found["Python"]["firstUsed"] == "2024-03-05"
    assert found["Python"]["activeMonths"] == [{"month": "2024-03-01", "commits": 1}]
    until = by_name((await gql.data(CHRONOLOGY, id=mined, to="2023-11-30"))["skillChronology"])
    assert until["Go"]["lastUsed"] == "2023-11-02"
    assert "Python" not in until


async def test_the_timeline_shows_the_users_months_and_projects(
    gql: GraphQLClient, mined: str
) -> None:
    timeline = (await gql.data(TIMELINE, id=mined))["timeline"]
    months = [(m["month"], m["commits"], m["projectCount"]) for m in timeline["months"]]
    assert months == [
        ("2023-11-01", 1, 1),
        ("2023-12-01", 1, 1),
        ("2024-01-01", 1, 1),
        ("2024-03-01", 1, 1),
        ("2024-05-01", 1, 1),
    ]
    in_use = {m["month"]: {s["name"] for s in m["skills"]} for m in timeline["months"]}
    assert "Python" in in_use["2024-01-01"]
    assert "Go" not in in_use["2024-01-01"]
    assert "Go" in in_use["2023-11-01"]
    assert timeline["projects"] == [
        {
            "project": {"projectName": "tool"},
            "firstActive": "2023-11-02",
            "lastActive": "2023-12-20",
            "commits": 2,
            "activeMonths": 2,
        },
        {
            "project": {"projectName": "shop"},
            "firstActive": "2024-01-10",
            "lastActive": "2024-05-20",
            "commits": 3,
            "activeMonths": 3,
        },
    ]
    spring = await gql.data(TIMELINE, id=mined, **{"from": "2024-03-01", "to": "2024-04-30"})
    assert [m["month"] for m in spring["timeline"]["months"]] == ["2024-03-01"]
    assert spring["timeline"]["projects"] == [
        {
            "project": {"projectName": "shop"},
            "firstActive": "2024-03-05",
            "lastActive": "2024-03-05",
            "commits": 1,
            "activeMonths": 1,
        }
    ]


async def test_a_deleted_project_leaves_the_chronology(gql: GraphQLClient, mined: str) -> None:
    timeline = (await gql.data(TIMELINE + "", id=mined))["timeline"]
    assert len(timeline["projects"]) == 2
    projects = await gql.data(
        "query($id: ID!) { portfolio(id: $id) { projects { nodes { id projectName } } } }",
        id=mined,
    )
    tool = next(
        p["id"] for p in projects["portfolio"]["projects"]["nodes"] if p["projectName"] == "tool"
    )
    await gql.data("mutation($id: ID!) { deleteProject(id: $id) { project { id } } }", id=tool)
    assert "Go" not in by_name((await gql.data(CHRONOLOGY, id=mined))["skillChronology"])
    names = [
        p["project"]["projectName"]
        for p in (await gql.data(TIMELINE, id=mined))["timeline"]["projects"]
    ]
    assert names == ["shop"]


async def test_another_owners_portfolio_and_bad_ranges_are_typed_errors(
    gql: GraphQLClient, db: Database
) -> None:
    theirs = await portfolio_with_projects(db, 1, owner="bob")
    missing = ids.encode("Portfolio", "0" * 32)
    for query in (CHRONOLOGY, TIMELINE):
        answers = [
            await gql(query, id=ids.encode("Portfolio", theirs.id)),
            await gql(query, id=missing),
        ]
        assert answers[0] == answers[1]
        assert [e["extensions"]["code"] for e in answers[0]["errors"]] == ["NOT_FOUND"]
        backwards = await gql(query, id=missing, **{"from": "2024-05-01", "to": "2024-01-01"})
        assert [e["extensions"]["code"] for e in backwards["errors"]] == ["BAD_DATE_RANGE"]


async def test_a_hidden_skill_leaves_the_chronology_at_once(gql: GraphQLClient, mined: str) -> None:
    hide = """mutation($id: ID!, $prefs: RepresentationPrefsInput!) {
      setRepresentationPrefs(portfolioId: $id, prefs: $prefs) { userErrors { code } } }"""
    done = await gql.data(hide, id=mined, prefs={"hiddenSkills": ["python"]})
    assert done["setRepresentationPrefs"]["userErrors"] == []
    skills = by_name((await gql.data(CHRONOLOGY, id=mined))["skillChronology"])
    assert "Python" not in skills
    assert "Go" in skills
    months = (await gql.data(TIMELINE, id=mined))["timeline"]["months"]
    assert all(s["name"] != "Python" for m in months for s in m["skills"])
    assert [m["month"] for m in months][2] == "2024-01-01"  # the month itself stays


async def test_other_identities_date_the_chronology_from_their_commits(
    gql: GraphQLClient, mined: str
) -> None:
    """setIdentities re-derives without git: Grace's commits are now the user's."""
    done = await gql.data(
        """mutation($id: ID!) { setIdentities(portfolioId: $id, emails: ["grace@example.com"]) {
             userErrors { code } } }""",
        id=mined,
    )
    assert done["setIdentities"]["userErrors"] == []
    skills = by_name((await gql.data(CHRONOLOGY, id=mined))["skillChronology"])
    assert "Python" not in skills  # Ada's
    assert skills["Go"]["firstUsed"] == skills["Go"]["lastUsed"] == "2024-02-14"
    assert skills["Go"]["activeMonths"] == [{"month": "2024-02-01", "commits": 1}]
    timeline = (await gql.data(TIMELINE, id=mined))["timeline"]
    assert [m["month"] for m in timeline["months"]] == ["2024-02-01"]
    assert [p["project"]["projectName"] for p in timeline["projects"]] == ["shop"]
