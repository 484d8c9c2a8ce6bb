"""Both upload stores behind the whole app: an upload through GraphQL is mined, and a worker
that lacks the extracted folder (it runs on another machine) reads the upload from the store
and extracts it again for the job."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.backup.check import check
from graphql_api.db import models
from graphql_api.settings import Settings
from tests.ingest.s3_server import CREDENTIALS, moto_server, new_bucket, objects, s3_client
from tests.service.flows import build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder
from tests.service.upload_helpers import post_upload, project_zip, upload_portfolio

REMINE = "mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(params=["local", "s3"])
async def store_app(
    request: pytest.FixtureRequest, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Starlette, str]]:
    bucket = ""
    if request.param == "s3":
        for name, value in CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        endpoint = request.getfixturevalue("endpoint")
        async with s3_client(endpoint) as client:
            bucket = await new_bucket(client)
        settings = dataclasses.replace(
            settings, upload_store="s3", s3_bucket=bucket, s3_endpoint_url=endpoint
        )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application, bucket


async def _uploads(app: Starlette) -> list[models.UploadedZip]:
    async with app.state.app_state.ready().db.read() as session:
        return list((await session.scalars(select(models.UploadedZip))).all())


async def test_an_upload_is_mined_and_mined_again_where_it_was_not_extracted(
    store_app: tuple[Starlette, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    app, bucket = store_app
    services = app.state.app_state.ready()
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        payload = await upload(http, archive)
        assert payload["userErrors"] == []
        assert (await wait_for_job(services, payload["job"]["id"])).status == "succeeded"
        (row,) = await _uploads(app)
        assert row.path == services.store.location(services.store.upload_id_of(row.path))
        if bucket:
            assert row.path.startswith(f"s3://{bucket}/uploads/")
            async with s3_client(request.getfixturevalue("endpoint")) as client:
                assert list((await objects(client, bucket)).values()) == [archive]
            assert list(services.settings.spool_dir.iterdir()) == []
        else:
            assert await anyio.Path(row.path).read_bytes() == archive

        # `artifact-miner check` finds nothing amiss: a bucket's uploads are not in DATA_DIR.
        assert (await check(services.settings)).problems == []

        # A worker elsewhere: the folder the API extracted into is not on its machine.
        shutil.rmtree(row.extraction_path)
        pid = payload["portfolio"]["id"]
        body = await http.post("/graphql", json={"query": REMINE, "variables": {"id": pid}})
        again = body.json()["data"]["remine"]
        assert again["userErrors"] == []
        assert (await wait_for_job(services, again["job"]["id"])).status == "succeeded"
        projects = await _projects(http, pid)
        ready = (await http.get("/readyz")).json()
    assert sorted(projects) == ["service", "tool", "web"]
    assert sorted(p.name for p in services.settings.extracted_dir.iterdir()) == []  # cleaned
    assert ready["checks"]["store"] == "ok"


async def _projects(http: httpx.AsyncClient, pid: str) -> list[str]:
    query = (
        "query($id: ID!) { portfolio(id: $id) { projects(first: 10) { nodes { projectName } } } }"
    )
    body: Any = await http.post("/graphql", json={"query": query, "variables": {"id": pid}})
    return [node["projectName"] for node in body.json()["data"]["portfolio"]["projects"]["nodes"]]


async def test_an_upload_sent_first_to_post_uploads_is_found_by_its_owner(
    store_app: tuple[Starlette, str],
) -> None:
    app, _ = store_app

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        sent = await post_upload(http, project_zip())
        assert sent.status_code == 201, sent.text
        used = await upload_portfolio(http, upload_ids=[sent.json()["uploadId"]])
        missing = await upload_portfolio(http, upload_ids=["0" * 32])
    payload = used.json()["data"]["uploadPortfolio"]
    assert payload["userErrors"] == []
    assert payload["job"]["status"] == "QUEUED"
    codes = [e["code"] for e in missing.json()["data"]["uploadPortfolio"]["userErrors"]]
    assert codes == ["UPLOAD_NOT_FOUND"]


async def test_an_unreachable_bucket_refuses_uploads_and_keeps_nothing(
    settings: Settings, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings = dataclasses.replace(
        settings, upload_store="s3", s3_bucket="never-created", s3_endpoint_url=endpoint
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):  # starts all the same: /readyz tells
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            ready = await http.get("/readyz")
            sent = await post_upload(http, project_zip())
            graphql = await upload_portfolio(http, [("a.zip", project_zip())])
        rows = await _uploads(app)
    assert (ready.status_code, ready.json()["failed"]) == (503, ["store"])
    assert sent.status_code == 503
    assert sent.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
    errors = graphql.json()["data"]["uploadPortfolio"]["userErrors"]
    assert [e["code"] for e in errors] == ["STORE_UNAVAILABLE"]
    assert rows == []
    assert list(settings.spool_dir.iterdir()) == []
