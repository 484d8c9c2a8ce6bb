"""The mutations around a mined portfolio: ranking, resume, exports, preferences, consent,
answers, soft delete; and the developer profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from graphql_api.db.engine import Database
from graphql_api.jobs.service import Services
from graphql_api.schema import ids
from tests.children import whole
from tests.conftest import GraphQLClient
from tests.service.flows import PROFILE, build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder


@pytest.fixture
async def mined(app: Starlette, client: httpx.AsyncClient, tmp_path: Path) -> dict[str, Any]:
    """A portfolio of three mined repositories; returns its id and the services."""
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    payload = await upload(client, archive)
    assert payload["userErrors"] == []
    services: Services = app.state.app_state.ready()
    job = await wait_for_job(services, payload["job"]["id"])
    assert job.status == "succeeded"
    return {"id": payload["portfolio"]["id"], "services": services}


RANKED = """query($id: ID!) { portfolio(id: $id) { projects { nodes {
  projectName rankingScore rankingComponents { name weight contribution } } } } }"""


async def test_rank_projects_with_weights_changes_and_explains_the_order(
    gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    only_size = dict.fromkeys(
        ("contribution", "complexity", "recency", "diversity", "health", "collaboration"), 0
    ) | {"size": 1}
    data = await gql.data(
        """mutation($id: ID!, $w: RankingWeights) { rankProjects(portfolioId: $id, weights: $w) {
             projects { projectName rankingScore } userErrors { code } } }""",
        id=mined["id"],
        w=only_size,
    )
    ranked = data["rankProjects"]
    assert ranked["userErrors"] == []
    scores = [p["rankingScore"] for p in ranked["projects"]]
    assert scores == sorted(scores, reverse=True)
    listing = await gql.data(RANKED, id=mined["id"])
    projects = listing["portfolio"]["projects"]["nodes"]
    assert [p["projectName"] for p in projects] == [p["projectName"] for p in ranked["projects"]]
    for project in projects:  # every score is the sum of its explained parts
        parts = project["rankingComponents"]
        assert {c["name"] for c in parts if c["weight"]} == {"size"}
        assert sum(c["contribution"] for c in parts) == pytest.approx(
            project["rankingScore"], abs=0.1
        )


async def test_bad_weights_are_user_errors(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    zero = dict.fromkeys(
        ("contribution", "size", "complexity", "recency", "diversity", "health", "collaboration"), 0
    )
    for weights, field in (({"size": -1}, ["weights", "size"]), (zero, ["weights"])):
        data = await gql.data(
            """mutation($id: ID!, $w: RankingWeights) { rankProjects(portfolioId: $id, weights: $w)
                 { projects { id } userErrors { code field } } }""",
            id=mined["id"],
            w=weights,
        )
        assert data["rankProjects"] == {
            "projects": [],
            "userErrors": [{"code": "INVALID_WEIGHTS", "field": field}],
        }


RESUME = """query($id: ID!) { portfolio(id: $id) { projects { nodes {
  projectName resumeItems { totalCount nodes { title content category } } } } } }"""


async def test_generate_resume_is_idempotent(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    before = await gql.data(RESUME, id=mined["id"])
    mutation = """mutation($id: ID!) { generateResume(portfolioId: $id) {
                    projects { projectName } userErrors { code } } }"""
    first = await gql.data(mutation, id=mined["id"])
    after_first = await gql.data(RESUME, id=mined["id"])
    await gql.data(mutation, id=mined["id"])
    after_second = await gql.data(RESUME, id=mined["id"])
    assert first["generateResume"]["userErrors"] == []
    assert after_first == after_second == before
    bullets = [whole(p)["resumeItems"] for p in after_first["portfolio"]["projects"]["nodes"]]
    assert all(2 <= len(items) <= 4 for items in bullets)


async def test_exports_are_tracked_and_downloadable(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    mutation = """mutation($id: ID!, $kind: ExportKind!, $format: ExportFormat!) {
        createExport(portfolioId: $id, kind: $kind, format: $format) {
          export { status format url } userErrors { code field } } }"""
    markdown = await gql.data(mutation, id=mined["id"], kind="RESUME", format="MARKDOWN")
    export = markdown["createExport"]["export"]
    assert (export["status"], export["format"]) == ("COMPLETED", "MARKDOWN")
    download = await client.get(export["url"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    assert download.text.startswith("# ")
    assert "## service" in download.text

    as_json = await gql.data(mutation, id=mined["id"], kind="PORTFOLIO", format="JSON")
    document = (await client.get(as_json["createExport"]["export"]["url"])).json()
    assert sorted(p["name"] for p in document["projects"]) == ["service", "tool", "web"]

    bad = await gql(mutation, id=mined["id"], kind="cv", format="pdf")
    assert bad["data"] is None
    assert [e["message"] for e in bad["errors"]] == [
        "Variable '$kind' has invalid value: Value 'cv' does not exist in 'ExportKind' enum.",
        "Variable '$format' has invalid value: Value 'pdf' does not exist in 'ExportFormat' enum.",
    ]
    assert (await client.get("/exports/nope")).status_code == 404


async def test_soft_delete_hides_a_project_from_listing_and_ranking(
    gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    listing = await gql.data(
        "query($id: ID!) { portfolio(id: $id) { "
        "projects(orderBy: NAME) { nodes { id projectName } } } }",
        id=mined["id"],
    )
    tool = next(p for p in listing["portfolio"]["projects"]["nodes"] if p["projectName"] == "tool")
    deleted = await gql.data(
        "mutation($id: ID!) { deleteProject(id: $id) { "
        "project { deletedAt } userErrors { code } } }",
        id=tool["id"],
    )
    assert deleted["deleteProject"]["project"]["deletedAt"] is not None
    await gql.data(
        "mutation($id: ID!) { rankProjects(portfolioId: $id) { userErrors { code } } }",
        id=mined["id"],
    )
    ranked = await gql.data(RANKED, id=mined["id"])
    assert {p["projectName"] for p in ranked["portfolio"]["projects"]["nodes"]} == {
        "service",
        "web",
    }
    project = await gql.data(
        "query($id: ID!) { project(id: $id) { deletedAt rankingScore } }", id=tool["id"]
    )
    assert project["project"]["rankingScore"] is None
    restored = await gql.data(
        "mutation($id: ID!) { restoreProject(id: $id) { project { deletedAt } } }", id=tool["id"]
    )
    assert restored["restoreProject"]["project"] == {"deletedAt": None}


async def test_representation_prefs_are_validated_then_applied(
    gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    mutation = """mutation($id: ID!, $prefs: RepresentationPrefsInput!) {
        setRepresentationPrefs(portfolioId: $id, prefs: $prefs) {
          prefs { projectOrder hiddenSkills customRankings { project rank score } }
          userErrors { code field } } }"""
    bad = await gql.data(mutation, id=mined["id"], prefs={"hiddenSkills": ["Go", "Go"]})
    assert bad["setRepresentationPrefs"]["userErrors"] == [
        {"code": "INVALID_PREFS", "field": ["hidden_skills"]}
    ]
    twice = [{"project": "tool", "rank": 1}, {"project": "tool", "score": 5}]
    bad = await gql.data(mutation, id=mined["id"], prefs={"customRankings": twice})
    assert bad["setRepresentationPrefs"]["userErrors"] == [
        {"code": "INVALID_PREFS", "field": ["custom_rankings", "tool"]}
    ]
    elsewhere = await gql.data(mutation, id=ids.encode("Portfolio", "0" * 32), prefs={})
    assert elsewhere["setRepresentationPrefs"]["userErrors"] == [
        {"code": "NOT_FOUND", "field": ["portfolioId"]}
    ]
    prefs = {"projectOrder": ["tool", "web", "service"], "hiddenSkills": ["Go"]}
    good = await gql.data(mutation, id=mined["id"], prefs=prefs)
    assert good["setRepresentationPrefs"] == {
        "prefs": {**prefs, "customRankings": []},
        "userErrors": [],
    }
    ranked = await gql.data(
        "mutation($id: ID!) { rankProjects(portfolioId: $id) { projects { projectName } } }",
        id=mined["id"],
    )
    assert [p["projectName"] for p in ranked["rankProjects"]["projects"]] == [
        "tool",
        "web",
        "service",
    ]
    profile = await gql.data(PROFILE, id=mined["id"])
    top = {s["name"] for s in profile["portfolio"]["profile"]["top_skills"]}
    assert "Go" not in top
    assert "Python" in top


async def test_profile_sums_the_users_own_work(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    data = await gql.data(PROFILE, id=mined["id"])
    profile = data["portfolio"]["profile"]
    assert {lang["name"] for lang in profile["languages_by_commits"]} >= {"Python", "Go"}
    assert sum(day["commits"] for day in profile["calendar"]) == 4  # Ada's: 2 + 1 + 1
    assert profile["first_active"].startswith("2023-11-14")


async def test_answers_and_consent(gql: GraphQLClient) -> None:
    answer = """mutation($a: [AnswerInput!]!) { answerQuestions(answers: $a) {
                  questions { key } userErrors { code field } } }"""
    ok = await gql.data(answer, a=[{"key": "email", "answer": "ada@example.com"}])
    assert ok["answerQuestions"] == {"questions": [{"key": "email"}], "userErrors": []}
    bad = await gql.data(
        answer,
        a=[{"key": "email", "answer": "nope"}, {"key": "no_such", "answer": "x"}],
    )
    assert bad["answerQuestions"]["userErrors"] == [
        {"code": "INVALID_EMAIL", "field": ["0"]},
        {"code": "UNKNOWN_QUESTION", "field": ["1"]},
    ]
    consent = """mutation($l: ConsentLevel!) { setConsent(level: $l) {
                   consent { consentLevel } userErrors { code } } }"""
    assert (await gql.data(consent, l="LOCAL_LLM"))["setConsent"] == {
        "consent": {"consentLevel": "LOCAL_LLM"},
        "userErrors": [],
    }
    refused = await gql(consent, l="everything")
    assert refused["data"] is None
    assert [e["message"] for e in refused["errors"]] == [
        "Variable '$l' has invalid value: Value 'everything' does not exist in 'ConsentLevel' enum."
    ]
    assert (await gql.data("{ consent { consentLevel } }")) == {
        "consent": {"consentLevel": "LOCAL_LLM"}
    }


async def test_remine_updates_in_place_and_refuses_unknown_portfolios(
    app: Starlette, gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    remine = "mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }"
    again = await gql.data(remine, id=mined["id"])
    assert again["remine"]["userErrors"] == []
    job = await wait_for_job(mined["services"], again["remine"]["job"]["id"])
    assert (job.status, job.completed) == ("succeeded", 3)
    listing = await gql.data(RANKED, id=mined["id"])
    assert len(listing["portfolio"]["projects"]["nodes"]) == 3
    unknown = await gql.data(remine, id=ids.encode("Portfolio", "0" * 32))
    assert unknown["remine"] == {"job": None, "userErrors": [{"code": "NOT_FOUND"}]}


async def test_profile_is_analysed_once_per_state_of_its_inputs(
    db: Database, gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    async def profile() -> dict[str, Any]:
        statements.clear()
        event.listen(db.engine.sync_engine, "before_cursor_execute", record)
        try:
            data = await gql.data(PROFILE, id=mined["id"])
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        result: dict[str, Any] = data["portfolio"]["profile"]
        return result

    first = await profile()
    assert any("repo_stats.report" in s for s in statements)  # analysed: reports were read
    assert await profile() == first
    assert len(statements) == 2  # the portfolio and the stamp of its inputs, no report
    assert "Python" in {s["name"] for s in first["top_skills"]}

    # New preferences show at once, without a new ranking...
    prefs = "mutation($id: ID!, $p: RepresentationPrefsInput!) { setRepresentationPrefs(portfolioId: $id, prefs: $p) { userErrors { code } } }"  # noqa: E501
    await gql.data(prefs, id=mined["id"], p={"hiddenSkills": ["Python"]})
    assert "Python" not in {s["name"] for s in (await profile())["top_skills"]}
    # ...and so does a deleted project.
    await gql.data(prefs, id=mined["id"], p={})
    listing = await gql.data(
        "query($id: ID!) { portfolio(id: $id) { projects { nodes { id projectName } } } }",
        id=mined["id"],
    )
    tool = next(p for p in listing["portfolio"]["projects"]["nodes"] if p["projectName"] == "tool")
    assert "Go" in {lang["name"] for lang in (await profile())["languages_by_lines"]}
    await gql.data(
        "mutation($id: ID!) { deleteProject(id: $id) { userErrors { code } } }", id=tool["id"]
    )
    assert "Go" not in {lang["name"] for lang in (await profile())["languages_by_lines"]}
