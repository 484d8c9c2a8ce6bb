"""suggestedIdentities and setIdentities through HTTP, on real git repositories: the
suggestions, and a portfolio re-derived for new addresses (with its repositories gone from
disk, so no git can run) exactly as mining it with those addresses makes it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import undefer
from starlette.applications import Starlette

from graphql_api.db import models
from graphql_api.db.states import JobStage
from graphql_api.jobs.events import job_topic
from graphql_api.jobs.service import Services
from graphql_api.schema import ids
from tests.children import whole
from tests.conftest import GraphQLClient
from tests.mining.repo_builder import Repo
from tests.service.flows import ADA, DAY, GRACE, T0, build_portfolio, wait_for_job
from tests.service.live import zip_folder

ADA_OLD = ("Ada Lovelace", "ada@old.example")  # .mailmap: ada@example.com
ADA_UNI = ("Ada Lovelace", "lovelace@uni.example")  # the same name
ADA_WORK = ("A. L.", "ada@work.example")  # the same local part

SUGGESTED = """query($id: ID!) { suggestedIdentities(portfolioId: $id) {
  email name commits projects reasons matched } }"""
SET = """mutation($id: ID!, $emails: [String!]!) { setIdentities(portfolioId: $id, emails: $emails)
  { portfolio { id userEmails } userErrors { code message field } } }"""
VIEW = """query($id: ID!) { portfolio(id: $id) { projects(first: 20, orderBy: NAME) { edges { node {
  projectName rankingPosition
  userStats {
    totalCount nodes { userEmail totalCommits sharePercent linesAdded linesDeleted role } }
  userSkills(first: 100) { totalCount nodes { skill { name } level } }
  resumeItems { totalCount nodes { title content category } } } } } } }"""
UPLOAD_AS = """mutation($files: [Upload!]!, $emails: [String!]) {
  uploadPortfolio(files: $files, userEmails: $emails) { portfolio { id } job { id } } }"""


def _services(app: Starlette) -> Services:
    services: Services = app.state.app_state.ready()
    return services


def _folder(tmp_path: Path) -> Path:
    """build_portfolio's three repositories, and Ada under three more addresses."""
    folder = build_portfolio(tmp_path / "src", tmp_path / "home")
    service = Repo(folder / "service", tmp_path / "home")
    service.write(".mailmap", "Ada Lovelace <ada@example.com> <ada@old.example>\n")
    service.write("app/old.py", "OLD = 1\n" * 4)
    service.commit("From the old laptop", author=ADA_OLD, when=T0 + 2 * DAY)
    tool = Repo(folder / "tool", tmp_path / "home")
    tool.write("cmd/uni.go", "package cmd\n" * 3)
    tool.commit("From the university", author=ADA_UNI, when=T0 + 3 * DAY)
    tool.write("cmd/work.go", "package cmd\n" * 2)
    tool.commit("From work", author=ADA_WORK, when=T0 + 4 * DAY)
    return folder


async def _upload_as(
    app: Starlette, http: httpx.AsyncClient, archive: bytes, emails: list[str]
) -> str:
    operations = {"query": UPLOAD_AS, "variables": {"files": [None], "emails": emails}}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": '{"0": ["variables.files.0"]}'},
        files={"0": ("portfolio.zip", archive, "application/zip")},
        headers={"Apollo-Require-Preflight": "true"},
    )
    payload = response.json()["data"]["uploadPortfolio"]
    await wait_for_job(_services(app), payload["job"]["id"])
    return str(payload["portfolio"]["id"])


def _remove_repositories(services: Services) -> None:
    """Every extracted folder and stored ZIP gone: what follows cannot read a repository."""
    shutil.rmtree(services.settings.extracted_dir)
    for path in services.settings.data_dir.rglob("*.zip"):
        path.unlink()


async def test_suggested_identities(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    pid = await _upload_as(app, client, zip_folder(_folder(tmp_path)), [ADA[1]])
    found = (await gql.data(SUGGESTED, id=pid))["suggestedIdentities"]
    assert found == [
        {"email": "ada@old.example", "name": "Ada Lovelace", "commits": 1, "projects": 1,
         "reasons": ["MAILMAP_ALIAS", "SAME_LOCAL_PART", "SAME_NAME"], "matched": True},
        # git drops the trailing dot of a name
        {"email": "ada@work.example", "name": "A. L", "commits": 1, "projects": 1,
         "reasons": ["SAME_LOCAL_PART"], "matched": False},
        {"email": "lovelace@uni.example", "name": "Ada Lovelace", "commits": 1, "projects": 1,
         "reasons": ["SAME_NAME"], "matched": False},
    ]  # fmt: skip


async def test_suggestions_without_addresses(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    pid = await _upload_as(app, client, zip_folder(_folder(tmp_path)), [])
    found = (await gql.data(SUGGESTED, id=pid))["suggestedIdentities"]
    assert [(s["email"], s["reasons"]) for s in found] == [
        ("ada@example.com", ["IN_SEVERAL_PROJECTS", "SOLE_AUTHOR"]),  # all three; service alone
        ("ada@old.example", ["SOLE_AUTHOR"]),  # service's one person, after .mailmap
    ]  # Grace committed to web only, with Ada


async def test_set_identities_is_mining_with_those_addresses(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    archive = zip_folder(_folder(tmp_path))
    as_ada = await _upload_as(app, client, archive, [ADA[1]])
    as_grace_and_uni = await _upload_as(app, client, archive, [GRACE[1], ADA_UNI[1]])
    services = _services(app)
    _remove_repositories(services)

    result = await gql.data(SET, id=as_ada, emails=[" Grace@Example.com", ADA_UNI[1]])
    assert result["setIdentities"] == {
        "portfolio": {"id": as_ada, "userEmails": ["grace@example.com", ADA_UNI[1]]},
        "userErrors": [],
    }
    rederived = await gql.data(VIEW, id=as_ada)
    mined = await gql.data(VIEW, id=as_grace_and_uni)
    assert rederived == mined
    web = {
        e["node"]["projectName"]: whole(e["node"])
        for e in rederived["portfolio"]["projects"]["edges"]
    }
    assert [s["totalCommits"] for s in web["web"]["userStats"]] == [2]  # Grace's, not Ada's
    assert [s["totalCommits"] for s in web["tool"]["userStats"]] == [1]  # the university one
    audit = await gql.data("{ auditLog(first: 5) { nodes { operation objectId outcome } } }")
    assert audit["auditLog"]["nodes"][0] == {
        "operation": "setIdentities", "objectId": as_ada, "outcome": "ok"
    }  # fmt: skip


async def test_set_identities_refusals(
    app: Starlette, client: httpx.AsyncClient, gql: GraphQLClient, tmp_path: Path
) -> None:
    services = _services(app)
    pid = await _upload_as(app, client, zip_folder(_folder(tmp_path)), [ADA[1]])
    bad = await gql.data(SET, id=pid, emails=["ada@example.com", "not an address"])
    assert bad["setIdentities"]["userErrors"] == [
        {"code": "INVALID_EMAIL", "message": "'not an address' is not an email address",
         "field": ["emails", "1"]}
    ]  # fmt: skip
    missing = ids.encode("Portfolio", "0" * 32)
    gone = await gql.data(SET, id=missing, emails=[])
    assert [e["code"] for e in gone["setIdentities"]["userErrors"]] == ["NOT_FOUND"]
    unknown = await gql(SUGGESTED, id=missing)
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    async with services.runner._write_lock:  # a remine mines, then waits to write
        remine = await gql.data(
            "mutation($id: ID!) { remine(portfolioId: $id) { job { id } } }", id=pid
        )
        job_id = remine["remine"]["job"]["id"]
        async with services.bus.subscribe(job_topic(ids.decode(job_id)[1])) as events:
            async for event in events:
                if event.stage == JobStage.MINING:
                    break
        busy = await gql.data(SET, id=pid, emails=[GRACE[1]])
    assert [e["code"] for e in busy["setIdentities"]["userErrors"]] == ["JOB_ALREADY_RUNNING"]
    await wait_for_job(services, job_id)

    # A report stored before the per-author work was kept: a remine, not a guess.
    async with services.db.write() as session:
        stmt = select(models.RepoStat).options(undefer(models.RepoStat.report)).limit(1)
        row = (await session.scalars(stmt)).one()
        report: dict[str, Any] = dict(row.report or {})
        report["history"] = {**report["history"], "work": []}
        row.report = report
    old = await gql.data(SET, id=pid, emails=[GRACE[1]])
    [error] = old["setIdentities"]["userErrors"]
    assert error["code"] == "REMINE_REQUIRED"
    view = await gql.data("query($id: ID!) { portfolio(id: $id) { userEmails } }", id=pid)
    assert view["portfolio"]["userEmails"] == [ADA[1]]  # nothing changed
