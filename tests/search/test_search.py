"""`search` through HTTP: ranked hits of each kind with highlights, owner-filtered, paginated,
safe against query syntax, and in step with the tables (FTS5 triggers; PostgreSQL indexes)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.auth import create_token
from graphql_api.db.engine import Database
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects
from tests.search.test_chronology import build
from tests.service.flows import upload, wait_for_job
from tests.service.live import zip_folder

SEARCH = """query($q: String!, $first: Int, $after: String, $kinds: [SearchKind!], $pid: ID) {
  search(query: $q, first: $first, after: $after, kinds: $kinds, portfolioId: $pid) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node {
      kind score highlight { text matched }
      ... on ProjectHit { project { projectName } }
      ... on SkillHit { skill { name } }
      ... on EvidenceHit { evidence { content } project { projectName } }
      ... on ResumeItemHit { resumeItem { id title content } project { projectName } }
    } }
  }
}"""


@dataclasses.dataclass
class Owners:
    http: httpx.AsyncClient
    tokens: dict[str, str]
    portfolios: dict[str, str]

    async def ask(self, who: str, query: str = SEARCH, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def search(self, who: str, q: str, **variables: Any) -> dict[str, Any]:
        body = await self.ask(who, q=q, **variables)
        assert "errors" not in body, body["errors"]
        found: dict[str, Any] = body["data"]["search"]
        return found


@pytest.fixture
async def owners(settings: Settings) -> AsyncIterator[Owners]:
    """Ada and Bob, each with a portfolio of factory rows (3 and 2 projects: 5 evidence
    entries and 3 resume items "Did thing N" per project, skills named after the portfolio)."""
    app = create_app(dataclasses.replace(settings, require_auth=True))
    async with app.router.lifespan_context(app):
        db: Database = app.state.app_state.ready().db
        tokens = {who: (await create_token(db, who))[0] for who in ("ada", "bob")}
        ada = await portfolio_with_projects(db, 3, owner="ada", name="ada")
        bob = await portfolio_with_projects(db, 2, owner="bob", name="bob")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield Owners(
                http,
                tokens,
                {"ada": ids.encode("Portfolio", ada.id), "bob": ids.encode("Portfolio", bob.id)},
            )


def nodes(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in found["edges"]]


def matched(node: dict[str, Any]) -> list[str]:
    return [piece["text"].lower() for piece in node["highlight"] if piece["matched"]]


async def test_hits_of_each_kind_come_ranked_with_highlights(owners: Owners) -> None:
    resume = await owners.search("ada", "thing")
    assert resume["totalCount"] == 9  # Ada's 3 projects x 3 items; none of Bob's 6
    hits = nodes(resume)
    assert {hit["kind"] for hit in hits} == {"RESUME_ITEM"}
    assert all(matched(hit) == ["thing"] for hit in hits)
    for hit in hits:  # a passage of the item's own text (its title and content, as stored)
        item = hit["resumeItem"]
        assert "".join(p["text"] for p in hit["highlight"]) in f"{item['title']} {item['content']}"
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)

    skills = await owners.search("ada", "skill")
    assert sorted(hit["skill"]["name"] for hit in nodes(skills)) == [
        f"ada-skill-{k}" for k in range(8)
    ]

    evidence = await owners.search("ada", "evidence", kinds=["EVIDENCE", "PROJECT"])
    assert evidence["totalCount"] == 15
    assert {hit["project"]["projectName"] for hit in nodes(evidence)} == {
        "project-000",
        "project-001",
        "project-002",
    }
    projects = await owners.search("ada", "go")
    assert {hit["kind"] for hit in nodes(projects)} == {"PROJECT"}
    assert [hit["project"]["projectName"] for hit in nodes(projects)] == ["project-001"]


async def test_every_word_is_required(owners: Owners) -> None:
    assert (await owners.search("ada", "evidence go"))["totalCount"] == 0  # no row has both
    assert (await owners.search("ada", "did thing"))["totalCount"] == 9
    assert (await owners.search("ada", '"evidence 0"'))["totalCount"] == 3  # one per project
    assert (await owners.search("ada", '"0 evidence"'))["totalCount"] == 0  # not as written


async def test_each_owner_finds_only_their_own(owners: Owners) -> None:
    mine = await owners.search("bob", "thing")
    assert mine["totalCount"] == 6
    assert await owners.search("ada", "bob") == await owners.search("ada", "nothing-of-this")
    assert (await owners.search("bob", "ada"))["totalCount"] == 0
    assert (await owners.search("bob", "skill"))["totalCount"] == 8
    # A portfolio of someone else's narrows to nothing, like a missing one.
    theirs = await owners.search("ada", "thing", pid=owners.portfolios["bob"])
    missing = await owners.search("ada", "thing", pid=ids.encode("Portfolio", "0" * 32))
    assert theirs == missing
    assert theirs["totalCount"] == 0
    own = await owners.search("ada", "thing", pid=owners.portfolios["ada"])
    assert own["totalCount"] == 9


async def test_pages_follow_the_ranked_order_without_gaps_or_repeats(owners: Owners) -> None:
    whole = nodes(await owners.search("ada", "evidence", first=50))
    assert len(whole) == 15
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = await owners.search("ada", "evidence", first=4, after=after)
        assert page["totalCount"] == 15
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += nodes(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == whole
    past = await owners.search(
        "ada", "evidence", first=4, after=whole and page["edges"][-1]["cursor"]
    )
    assert past["edges"] == []
    assert past["totalCount"] == 15


@pytest.mark.parametrize(
    "query",
    [
        '"thing',
        'thing"',
        '"thing"',
        "thing)",
        "(thing",
        "thing*",
        "NEAR(thing",
        "content:thing",
        "thing -",
        "^thing",
        "thing +",
        "thing OR",
        "thing AND NOT",
        "thing'; DROP TABLE skills; --",
        "thing & | ! <->",
        "thing \\",
    ],
)
async def test_query_syntax_is_searched_as_text_never_run(owners: Owners, query: str) -> None:
    """Quotes, operators and column filters of FTS5 and tsquery are never interpreted: the
    query finds what its words find (the word "thing" and words no row has)."""
    found = await owners.search("ada", query)
    plain = await owners.search("ada", "thing")
    extra = [
        w
        for w in query.replace('"', " ").split()
        if w.strip("()*^:-+\\'&|!<>;") not in ("thing", "")
    ]
    if extra:
        # Any other word is required too; stop words (or, and, not) are ignored by PostgreSQL.
        assert found["totalCount"] in (0, plain["totalCount"])
    else:
        assert found == plain
    assert (await owners.search("ada", "skill"))["totalCount"] == 8  # nothing was dropped


@pytest.mark.parametrize("query", ["", "   ", '""', '"', "x" * 201])
async def test_a_query_without_words_or_too_long_is_a_typed_error(
    owners: Owners, query: str
) -> None:
    body = await owners.ask("ada", q=query)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_SEARCH_QUERY"]


async def test_bad_cursors_and_page_sizes_are_typed_errors(owners: Owners) -> None:
    for variables, code in (
        ({"after": "nonsense"}, "BAD_CURSOR"),
        ({"first": -1}, "BAD_PAGE_SIZE"),
        ({"pid": "nonsense"}, "BAD_ID"),
    ):
        body = await owners.ask("ada", q="thing", **variables)
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]


# --- mined portfolios: the index follows every write ---------------------------------------


async def fts5_integrity(db: Database) -> None:
    """FTS5's own check that each index matches its external content (raises if not)."""
    async with db.write() as session:
        if session.get_bind().dialect.name != "sqlite":
            return
        for table in ("fts_projects", "fts_skills", "fts_evidence", "fts_resume"):
            await session.execute(
                text(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            )


async def test_mined_rows_are_found_and_the_index_follows_remines_and_deletes(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    payload = await upload(client, zip_folder(build(tmp_path / "src", tmp_path / "home")))
    services = app.state.app_state.ready()
    assert (await wait_for_job(services, payload["job"]["id"])).status == "succeeded"
    pid = payload["portfolio"]["id"]
    await fts5_integrity(db)

    async def search(q: str, **variables: Any) -> dict[str, Any]:
        found: dict[str, Any] = (await gql.data(SEARCH, q=q, first=50, **variables))["search"]
        return found

    python = await search("python")
    kinds = {hit["kind"] for hit in nodes(python)}
    assert {"SKILL", "PROJECT"} <= kinds
    skill = next(hit for hit in nodes(python) if hit["kind"] == "SKILL")
    assert skill["skill"]["name"] == "Python"
    assert matched(skill) == ["python"]
    shop = await search("shop", kinds=["PROJECT"])
    assert [hit["project"]["projectName"] for hit in nodes(shop)] == ["shop"]

    remined = await gql.data(
        "mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }", id=pid
    )
    assert (await wait_for_job(services, remined["remine"]["job"]["id"])).status == "succeeded"
    await fts5_integrity(db)
    again = await search("python")
    assert again["totalCount"] == python["totalCount"]  # children replaced, not doubled

    projects = await gql.data(
        "query($id: ID!) { portfolio(id: $id) { projects { nodes { id projectName } } } }", id=pid
    )
    shop_id = next(
        p["id"] for p in projects["portfolio"]["projects"]["nodes"] if p["projectName"] == "shop"
    )
    await gql.data("mutation($id: ID!) { deleteProject(id: $id) { project { id } } }", id=shop_id)
    assert (await search("shop", kinds=["PROJECT"]))["totalCount"] == 0
    await gql.data("mutation($id: ID!) { restoreProject(id: $id) { project { id } } }", id=shop_id)
    assert (await search("shop", kinds=["PROJECT"]))["totalCount"] == 1
    await fts5_integrity(db)


async def _statements(db: Database, gql: GraphQLClient, query: str) -> list[str]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SET")):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        found = await gql.data(SEARCH, q=query, first=50)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert found["search"]["totalCount"] > 0
    return statements


async def test_a_page_of_hits_costs_the_same_statements_however_many(
    db: Database, gql: GraphQLClient
) -> None:
    """The search, then one query per kind of row shown and one for the projects of evidence
    and resume items: never one per hit."""
    await portfolio_with_projects(db, 1, name="few")
    few = await _statements(db, gql, "0")
    await portfolio_with_projects(db, 8, name="many")
    many = await _statements(db, gql, "0")
    assert len(many) == len(few)
    assert len(many) <= 8
