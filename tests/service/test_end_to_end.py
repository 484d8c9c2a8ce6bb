"""As a script-style client runs it: upload a ZIP of three repositories over real HTTP,
watch the ranking form over a real websocket, then read the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from graphql_api.jobs.runner import label, qualified
from mining.records import ProjectFailure
from tests.children import whole
from tests.mining.repo_builder import Repo
from tests.service.flows import ADA, DAY, T0, build_portfolio
from tests.service.flows import upload as _upload
from tests.service.live import Subscription, serving, zip_folder

PROGRESS = """
subscription($id: ID!) {
  rankingProgress(portfolioId: $id) {
    kind status stage completed total repository repositoryError final
    ranking { name score position project { projectName } }
  }
}
"""

JOB = "subscription($id: ID!) { jobUpdated(id: $id) { status completed total } }"

DASHBOARD = """
query($id: ID!) {
  portfolio(id: $id) {
    userEmails
    latestJob { status completed total repoErrors { code } }
    projects(first: 10) {
      totalCount
      nodes {
        projectName totalCommits isCollaborative primaryLanguage rankingScore healthScore
        collaboration { authors { email commits } busFactor }
        skills(first: 100) { totalCount nodes { skill { name category } proficiency level } }
        userSkills(first: 100) { totalCount nodes { userEmail skill { name } } }
        evidence(first: 100) { totalCount nodes { type content } }
        resumeItems { totalCount nodes { title content category } }
        userStats { totalCount nodes { userEmail totalCommits sharePercent role } }
      }
    }
  }
}
"""


async def _gql(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def test_upload_watch_ranking_then_dashboard(app: Starlette, tmp_path: Path) -> None:
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        created = await _gql(
            http,
            """mutation { createPortfolio(name: "Ada", userEmails: ["ada@example.com"]) {
                 portfolio { id } userErrors { code } } }""",
        )
        pid = created["createPortfolio"]["portfolio"]["id"]
        async with Subscription.open(base, PROGRESS, {"id": pid}) as subscription:
            upload = await _upload(http, archive, pid)
            assert upload["userErrors"] == []
            assert upload["job"]["status"] == "QUEUED"
            events = []
            while (event := await subscription.next()) is not None:
                events.append(event["rankingProgress"])
        dashboard = await _gql(http, DASHBOARD, id=pid)

    kinds = [e["kind"] for e in events]
    assert kinds[0] == "STAGE"
    assert kinds.count("REPOSITORY") == 3
    assert kinds[-1] == "RANKING"
    per_repo = [e for e in events if e["kind"] == "REPOSITORY"]
    assert [e["completed"] for e in per_repo] == [1, 2, 3]
    assert {e["total"] for e in per_repo} == {3}
    assert sorted(e["repository"] for e in per_repo) == [  # paths start with the upload's name
        "portfolio/service",
        "portfolio/tool",
        "portfolio/web",
    ]
    assert [len(e["ranking"]) for e in per_repo] == [1, 2, 3]  # provisional, growing
    final = events[-1]
    assert final["final"] is True
    assert final["status"] == "SUCCEEDED"
    assert sorted(r["name"] for r in final["ranking"]) == ["service", "tool", "web"]
    assert [r["position"] for r in final["ranking"]] == [1, 2, 3]
    assert [r["project"]["projectName"] for r in final["ranking"]] == [
        r["name"] for r in final["ranking"]
    ]

    portfolio = dashboard["portfolio"]
    assert portfolio["latestJob"] == {
        "status": "SUCCEEDED",
        "completed": 3,
        "total": 3,
        "repoErrors": [],
    }
    projects = {p["projectName"]: whole(p) for p in portfolio["projects"]["nodes"]}
    assert portfolio["projects"]["totalCount"] == 3
    ranked = [p["projectName"] for p in portfolio["projects"]["nodes"]]
    assert ranked == [r["name"] for r in final["ranking"]]

    web = projects["web"]
    assert web["totalCommits"] == 3
    assert web["isCollaborative"] is True
    assert web["collaboration"]["authors"] == [
        {"email": "grace@example.com", "commits": 2},
        {"email": "ada@example.com", "commits": 1},
    ]
    assert web["userStats"][0]["userEmail"] == "ada@example.com"
    assert web["userStats"][0]["totalCommits"] == 1
    assert round(web["userStats"][0]["sharePercent"], 1) == 33.3
    assert "React" in {s["skill"]["name"] for s in web["skills"]}
    assert {s["userEmail"] for s in web["userSkills"]} == {"ada@example.com"}

    service = projects["service"]
    assert service["totalCommits"] == 2
    assert service["isCollaborative"] is False
    assert service["primaryLanguage"] == "Python"
    assert {"Python", "Flask"} <= {s["skill"]["name"] for s in service["skills"]}
    assert service["userStats"][0]["sharePercent"] == 100.0
    assert any("2 commits" in e["content"] for e in service["evidence"])
    assert 2 <= len(service["resumeItems"]) <= 4
    assert all(p["rankingScore"] is not None for p in projects.values())
    assert all(p["healthScore"] is not None for p in projects.values())
    assert projects["tool"]["primaryLanguage"] == "Go"


async def test_same_repository_again_updates_in_place(app: Starlette, tmp_path: Path) -> None:
    home = tmp_path / "home"
    repo = Repo(tmp_path / "v1" / "service", home)
    repo.write("main.py", "print(1)\n")
    repo.commit("one", author=ADA, when=T0)
    first = zip_folder(tmp_path / "v1")
    repo.write("more.py", "print(2)\n")
    repo.commit("two", author=ADA, when=T0 + DAY)
    second = zip_folder(tmp_path / "v1")

    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        pid = (
            await _gql(
                http,
                'mutation { createPortfolio(userEmails: ["ada@example.com"]) '
                "{ portfolio { id } } }",
            )
        )["createPortfolio"]["portfolio"]["id"]
        for archive in (first, second):
            upload = await _upload(http, archive, pid)
            assert upload["userErrors"] == []
            statuses = []
            async with Subscription.open(base, JOB, {"id": upload["job"]["id"]}) as subscription:
                while (event := await subscription.next()) is not None:
                    statuses.append(event["jobUpdated"]["status"])
            assert statuses[-1] == "SUCCEEDED"
        data = await _gql(
            http,
            "query($id: ID!) { portfolio(id: $id) { "
            "projects { totalCount nodes { totalCommits } } } }",
            id=pid,
        )
    assert data["portfolio"]["projects"] == {"totalCount": 1, "nodes": [{"totalCommits": 2}]}


async def test_projects_of_different_uploads_never_merge_by_path(
    app: Starlette, tmp_path: Path
) -> None:
    """Two ZIPs, each with a repository `app/` and a plain folder `shop/` at the same paths."""
    for n, (language, source) in enumerate((("py", "print(1)\n"), ("go", "package main\n"))):
        repo = Repo(tmp_path / f"zip{n}" / "app", tmp_path / "home")
        repo.write(f"main.{language}", source * 20)
        repo.commit("one", author=ADA, when=T0 + n)
        (tmp_path / f"zip{n}" / "shop").mkdir()
        (tmp_path / f"zip{n}" / "shop" / f"app.{language}").write_text(source * 10)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
        pid = None
        for n in range(2):
            archive = zip_folder(tmp_path / f"zip{n}")
            payload = await _upload(http, archive, pid, filename=f"upload{n}.zip")
            assert payload["userErrors"] == []
            pid = payload["portfolio"]["id"]
            statuses = []
            async with Subscription.open(base, JOB, {"id": payload["job"]["id"]}) as sub:
                while (event := await sub.next()) is not None:
                    statuses.append(event["jobUpdated"]["status"])
            assert statuses[-1] == "SUCCEEDED"
        data = await _gql(
            http,
            "query($id: ID!) { portfolio(id: $id) { projects(orderBy: NAME) { nodes { "
            "projectName projectPath primaryLanguage rankingPosition } } } }",
            id=pid,
        )
    nodes = data["portfolio"]["projects"]["nodes"]
    assert sorted((n["projectPath"], n["primaryLanguage"]) for n in nodes) == [
        ("upload0/app", "Python"),
        ("upload0/shop", "Python"),
        ("upload1/app", "Go"),
        ("upload1/shop", "Go"),
    ]
    assert sorted(n["rankingPosition"] for n in nodes) == [1, 2, 3, 4]


def test_upload_labels_qualify_paths() -> None:
    report = ProjectFailure(name="abc123", path=".", code="X", message="m")
    assert label("My Portfolio (2).zip") == "My-Portfolio-2"
    assert label("...zip") == "upload"
    assert qualified(report, "mine") == ProjectFailure("mine", "mine", "X", "m")
    assert qualified(ProjectFailure("web", "web", "X", "m"), "mine").path == "mine/web"
