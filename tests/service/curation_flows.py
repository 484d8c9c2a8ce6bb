"""What the curation tests share: a mined portfolio of three projects, read back whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from graphql_api.jobs.service import Services
from tests.children import whole
from tests.conftest import GraphQLClient
from tests.service.flows import build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder

ERRORS = "userErrors { code field }"
PROJECTS = """query($id: ID!) { portfolio(id: $id) { projects(orderBy: NAME) { nodes {
  id projectName rankingPosition showcased role roleOverridden
  rankingComponents { name }
  skills(first: 100) { totalCount nodes { skill { name } } }
  userSkills(first: 100) { totalCount nodes { skill { name } } }
  evidence(first: 100) { totalCount nodes { id type content origin } }
  resumeItems(first: 100) { totalCount nodes { id title content edited } } } } } }"""


async def mine_three(app: Starlette, client: httpx.AsyncClient, tmp_path: Path) -> dict[str, Any]:
    """Three mined repositories (service, tool, web): their portfolio's id, projects by name
    and the uploaded ZIP."""
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    payload = await upload(client, archive)
    services: Services = app.state.app_state.ready()
    assert (await wait_for_job(services, payload["job"]["id"])).status == "succeeded"
    projects = await projects_of(GraphQLClient(client), payload["portfolio"]["id"])
    return {"id": payload["portfolio"]["id"], "projects": projects, "zip": archive}


async def projects_of(gql: GraphQLClient, portfolio_id: str) -> dict[str, dict[str, Any]]:
    listing = await gql.data(PROJECTS, id=portfolio_id)
    return {p["projectName"]: whole(p) for p in listing["portfolio"]["projects"]["nodes"]}


async def remine(gql: GraphQLClient, app: Starlette, portfolio_id: str) -> None:
    again = await gql.data(
        "mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }",
        id=portfolio_id,
    )
    services: Services = app.state.app_state.ready()
    job = await wait_for_job(services, again["remine"]["job"]["id"])
    assert job.status == "succeeded"
