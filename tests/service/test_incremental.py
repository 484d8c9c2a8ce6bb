"""Uploads deduplicated by content, and jobs that mine only what is new or changed: through
HTTP, on real git repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from graphql_api.db import models, queries
from graphql_api.jobs.service import Services
from graphql_api.schema import ids
from tests.conftest import GraphQLClient
from tests.factories import owner_id
from tests.mining.repo_builder import Repo
from tests.service.flows import ADA, DAY, GRACE, T0, build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder

JOB = "query($id: ID!) { job(id: $id) { status total completed } }"
PROJECTS = """query($id: ID!) { portfolio(id: $id) { projects(first: 50, orderBy: NAME) {
  totalCount edges { node { projectName totalCommits } } } } }"""


def _services(app: Starlette) -> Services:
    services: Services = app.state.app_state.ready()
    return services


def _with_plain_folder(tmp_path: Path) -> Path:
    folder = build_portfolio(tmp_path / "src", tmp_path / "home")
    (folder / "notes").mkdir()
    (folder / "notes" / "script.py").write_text("print('hello')\n" * 5)
    return folder


async def _mined(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, archive: bytes, **kw: Any
) -> tuple[str, dict[str, Any]]:
    payload = await upload(client, archive, **kw)
    assert payload["userErrors"] == []
    await wait_for_job(_services(app), payload["job"]["id"])
    job = (await gql.data(JOB, id=payload["job"]["id"]))["job"]
    return payload["portfolio"]["id"], job


async def _projects(gql: GraphQLClient, pid: str) -> list[tuple[str, int]]:
    data = await gql.data(PROJECTS, id=pid)
    edges = data["portfolio"]["projects"]["edges"]
    return [(e["node"]["projectName"], e["node"]["totalCommits"]) for e in edges]


async def test_the_same_bytes_under_another_name_add_no_project(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    archive = zip_folder(_with_plain_folder(tmp_path))
    pid, first = await _mined(app, client, gql, archive, filename="portfolio.zip")
    before = await _projects(gql, pid)
    assert (first["status"], first["total"]) == ("SUCCEEDED", 4)  # three repositories, a folder
    assert [name for name, _ in before] == ["notes", "service", "tool", "web"]

    _, again = await _mined(app, client, gql, archive, portfolio_id=pid, filename="copy.zip")
    # Nothing new: the copy is not recorded, and nothing is mined (the plain folder included).
    assert (again["status"], again["total"], again["completed"]) == ("SUCCEEDED", 0, 0)
    assert await _projects(gql, pid) == before
    services = _services(app)
    async with services.db.read() as session:
        portfolio = await queries.by_uid(session, models.Portfolio, ids.decode(pid)[1],
                                         owner_id=await owner_id(session))  # fmt: skip
        assert portfolio is not None
        held = await queries.portfolio_uploads(session, portfolio.id, owner_id=portfolio.owner_id)
    assert [u.filename for u in held] == ["portfolio.zip"]
    assert len(list(services.settings.extracted_dir.iterdir())) == 1  # the copy's is removed


async def test_a_new_upload_mines_only_repositories_whose_head_changed(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    folder = _with_plain_folder(tmp_path)
    pid, first = await _mined(app, client, gql, zip_folder(folder), filename="one.zip")
    assert first["total"] == 4

    # The second ZIP: service and tool as they were, web one commit further, a new repository.
    web = Repo(folder / "web", tmp_path / "home")
    web.write("src/Detail.jsx", "export const Detail = () => null;\n" * 5)
    web.commit("Detail view", author=ADA, when=T0 + 6 * DAY)
    cli = Repo(folder / "cli", tmp_path / "home")
    cli.write("cli.py", "print(1)\n")
    cli.commit("CLI", author=ADA, when=T0 + 7 * DAY)
    _, second = await _mined(app, client, gql, zip_folder(folder), portfolio_id=pid,
                             filename="two.zip")  # fmt: skip
    # web and cli only: service and tool have the same HEAD as stored projects, and the
    # plain folder of one.zip is not mined again (two.zip's copy of it is new: another path).
    assert (second["status"], second["total"], second["completed"]) == ("SUCCEEDED", 3, 3)
    projects = dict(await _projects(gql, pid))
    assert projects["web"] == 4  # the new commit is in
    assert projects["cli"] == 1
    assert projects["service"] == 2

    remined = await gql.data(
        "mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }",
        id=pid,
    )
    job_id = remined["remine"]["job"]["id"]
    await wait_for_job(_services(app), job_id)
    full = (await gql.data(JOB, id=job_id))["job"]
    # remine mines everything again: both uploads' repositories (3 and 4) and folders.
    assert (full["status"], full["total"]) == ("SUCCEEDED", 9)


UPLOAD_AS = """mutation($files: [Upload!]!, $pid: ID, $emails: [String!]) {
  uploadPortfolio(files: $files, portfolioId: $pid, userEmails: $emails) {
    portfolio { id } job { id } userErrors { code } } }"""
USER_STATS = """query($id: ID!) { portfolio(id: $id) { projects(first: 50, orderBy: NAME) {
  edges { node { projectName userStats { nodes { userEmail totalCommits } } } } } } }"""


async def test_a_job_attributes_the_projects_it_does_not_mine_to_its_addresses(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    pid, _ = await _mined(app, client, gql, zip_folder(_with_plain_folder(tmp_path)))
    cli = Repo(tmp_path / "more" / "cli", tmp_path / "home")
    cli.write("cli.py", "print(1)\n")
    cli.commit("CLI", author=GRACE, when=T0 + 7 * DAY)
    operations = {
        "query": UPLOAD_AS,
        "variables": {"files": [None], "pid": pid, "emails": [GRACE[1]]},
    }
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": '{"0": ["variables.files.0"]}'},
        files={"0": ("more.zip", zip_folder(tmp_path / "more"), "application/zip")},
        headers={"Apollo-Require-Preflight": "true"},
    )
    job_id = response.json()["data"]["uploadPortfolio"]["job"]["id"]
    await wait_for_job(_services(app), job_id)
    job = (await gql.data(JOB, id=job_id))["job"]
    assert (job["status"], job["total"]) == ("SUCCEEDED", 1)  # cli alone is mined
    data = await gql.data(USER_STATS, id=pid)
    edges = data["portfolio"]["projects"]["edges"]
    stats = {
        node["projectName"]: [
            (u["userEmail"], u["totalCommits"]) for u in node["userStats"]["nodes"]
        ]
        for node in (e["node"] for e in edges)
    }
    # web was mined for Ada; now, not mined again, it shows Grace's two commits.
    assert stats["web"] == [(GRACE[1], 2)]
    assert stats["cli"] == [(GRACE[1], 1)]
    assert stats["service"] == []  # no commit of Grace's
