"""Curation through HTTP: thumbnails, roles, evidence and resume items changed by hand, kept
across mining and regeneration; another owner's objects look missing."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.auth import create_token
from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects
from tests.service.curation_flows import ERRORS, mine_three, projects_of, remine

THUMBNAIL = f"""mutation($id: ID!, $image: Upload) {{ setProjectThumbnail(projectId: $id,
  image: $image) {{ project {{ id thumbnailUrl }} {ERRORS} }} }}"""


@pytest.fixture
async def mined(app: Starlette, client: httpx.AsyncClient, tmp_path: Path) -> dict[str, Any]:
    return await mine_three(app, client, tmp_path)


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "teal").save(out, format="PNG")
    return out.getvalue()


async def send_image(
    http: httpx.AsyncClient, project_id: str, data: bytes, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """setProjectThumbnail through the GraphQL multipart request spec."""
    operations = {"query": THUMBNAIL, "variables": {"id": project_id, "image": None}}
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.image"]}),
        },
        files={"0": ("picture.png", data, "image/png")},
        headers={"Apollo-Require-Preflight": "true", **(headers or {})},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["setProjectThumbnail"]
    return payload


async def thumbnails(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(models.ProjectThumbnail.id))) or 0)


# --- thumbnails ----------------------------------------------------------------------------


async def test_a_thumbnail_is_checked_re_encoded_and_served_from_our_route(
    gql: GraphQLClient, client: httpx.AsyncClient, db: Database
) -> None:
    portfolio = await portfolio_with_projects(db, 1)
    project = (await gql.data("{ portfolios { nodes { projects { nodes { id } } } } }"))[
        "portfolios"
    ]["nodes"][0]["projects"]["nodes"][0]["id"]
    assert portfolio.id
    original = png(1200, 600)
    payload = await send_image(client, project, original)
    assert payload["userErrors"] == []
    url = payload["project"]["thumbnailUrl"]
    assert url.startswith("/thumbnails/")
    served = await client.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content != original  # redrawn, never the uploaded bytes
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size) == ("PNG", (512, 256))
    read = await gql.data("query($id: ID!) { project(id: $id) { thumbnailUrl } }", id=project)
    assert read["project"]["thumbnailUrl"] == url

    second = await send_image(client, project, png(64, 64))
    assert second["project"]["thumbnailUrl"] not in (None, url)
    assert (await client.get(url)).status_code == 404  # the old picture is gone
    cleared = await gql.data(THUMBNAIL, id=project, image=None)
    assert cleared["setProjectThumbnail"] == {
        "project": {"id": project, "thumbnailUrl": None},
        "userErrors": [],
    }
    assert await thumbnails(db) == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a but not really a picture", "IMAGE_CORRUPT"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "IMAGE_UNSUPPORTED"),
        (png(300, 300)[:120], "IMAGE_CORRUPT"),  # truncated
        (png(8, 8), "IMAGE_DIMENSIONS"),
        (png(5000, 20), "IMAGE_DIMENSIONS"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000, "IMAGE_TOO_LARGE"),
    ],
)
async def test_a_bad_image_is_refused_and_nothing_is_stored(
    settings: Settings, tmp_path: Path, data: bytes, code: str
) -> None:
    app = create_app(dataclasses.replace(settings, max_thumbnail_bytes=2048))
    async with app.router.lifespan_context(app):
        db: Database = app.state.app_state.ready().db
        await portfolio_with_projects(db, 1)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            gql = GraphQLClient(http)
            project = (await gql.data("{ portfolios { nodes { projects { nodes { id } } } } }"))[
                "portfolios"
            ]["nodes"][0]["projects"]["nodes"][0]["id"]
            payload = await send_image(http, project, data)
            assert payload == {"project": None, "userErrors": [{"code": code, "field": ["image"]}]}
            read = await gql.data(
                "query($id: ID!) { project(id: $id) { thumbnailUrl } }", id=project
            )
            assert read["project"]["thumbnailUrl"] is None
            audit = await gql.data("{ auditLog(first: 1) { nodes { operation outcome } } }")
            assert audit["auditLog"]["nodes"] == [
                {"operation": "setProjectThumbnail", "outcome": code}
            ]
        assert await thumbnails(db) == 0


async def test_a_missing_project_and_a_json_image_are_user_errors(
    gql: GraphQLClient, client: httpx.AsyncClient, db: Database
) -> None:
    nowhere = ids.encode("RepoStat", "0" * 32)
    assert await send_image(client, nowhere, png(32, 32)) == {
        "project": None,
        "userErrors": [{"code": "NOT_FOUND", "field": ["projectId"]}],
    }
    await portfolio_with_projects(db, 1)
    project = (await gql.data("{ portfolios { nodes { projects { nodes { id } } } } }"))[
        "portfolios"
    ]["nodes"][0]["projects"]["nodes"][0]["id"]
    as_json = await gql.data(THUMBNAIL, id=project, image="iVBORw0KGgo=")
    assert as_json["setProjectThumbnail"] == {
        "project": None,
        "userErrors": [{"code": "INVALID_UPLOAD", "field": ["image"]}],
    }


# --- another owner's objects look missing --------------------------------------------------


@pytest.fixture
async def two_owners(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    app = create_app(dataclasses.replace(settings, require_auth=True))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http, app.state.app_state.ready().db


async def test_another_owners_project_evidence_and_items_look_missing(
    two_owners: tuple[httpx.AsyncClient, Database],
) -> None:
    http, db = two_owners
    ada, _ = await create_token(db, "ada")
    bob, _ = await create_token(db, "bob")
    await portfolio_with_projects(db, 1, owner="ada", evidence_per_project=1, resume_per_project=1)

    async def ask(token: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    found = await ask(
        ada,
        "{ portfolios { nodes { projects { nodes { id evidence { nodes { id } } "
        "resumeItems { nodes { id } } } } } } }",
    )
    project = found["portfolios"]["nodes"][0]["projects"]["nodes"][0]
    picture = await send_image(http, project["id"], png(40, 40), {"Authorization": f"Bearer {ada}"})
    url = picture["project"]["thumbnailUrl"]
    bearer = {"Authorization": f"Bearer {bob}"}
    assert (await http.get(url, headers=bearer)).status_code == 404
    assert (await http.get(url, headers={"Authorization": f"Bearer {ada}"})).status_code == 200
    elsewhere = ids.encode("RepoStat", "f" * 32)
    for target in (project["id"], elsewhere):  # Ada's and nobody's: the same answer
        refused = await send_image(http, target, png(40, 40), bearer)
        assert refused["userErrors"] == [{"code": "NOT_FOUND", "field": ["projectId"]}]
    calls = [
        (
            f'mutation($id: ID!) {{ setProjectRole(projectId: $id, role: "Lead") {{ {ERRORS} }} }}',
            project["id"],
            "setProjectRole",
            ["projectId"],
        ),
        (
            f'mutation($id: ID!) {{ addEvidence(projectId: $id, type: AWARD, content: "x") '
            f"{{ {ERRORS} }} }}",
            project["id"],
            "addEvidence",
            ["projectId"],
        ),
        (
            f"mutation($id: ID!) {{ deleteEvidence(id: $id) {{ {ERRORS} }} }}",
            project["evidence"]["nodes"][0]["id"],
            "deleteEvidence",
            ["id"],
        ),
        (
            f'mutation($id: ID!) {{ addResumeItem(projectId: $id, title: "t", content: "c") '
            f"{{ {ERRORS} }} }}",
            project["id"],
            "addResumeItem",
            ["projectId"],
        ),
        (
            f'mutation($id: ID!) {{ updateResumeItem(id: $id, content: "c") {{ {ERRORS} }} }}',
            project["resumeItems"]["nodes"][0]["id"],
            "updateResumeItem",
            ["id"],
        ),
        (
            f"mutation($id: ID!) {{ deleteResumeItem(id: $id) {{ {ERRORS} }} }}",
            project["resumeItems"]["nodes"][0]["id"],
            "deleteResumeItem",
            ["id"],
        ),
    ]
    for query, target, name, field in calls:
        answer = await ask(bob, query, id=target)
        assert answer[name]["userErrors"] == [{"code": "NOT_FOUND", "field": field}], name
    unchanged = await ask(
        ada,
        "{ portfolios { nodes { projects { nodes { id evidence { nodes { id } } "
        "resumeItems { nodes { id } } } } } } }",
    )
    assert unchanged == found
    audit = await ask(bob, "{ auditLog(first: 20) { nodes { operation outcome } } }")
    outcomes = {e["operation"]: e["outcome"] for e in audit["auditLog"]["nodes"]}
    assert outcomes["deleteEvidence"] == outcomes["setProjectRole"] == "NOT_FOUND"


# --- role, evidence, resume items ------------------------------------------------------------


async def test_set_project_role_overrides_the_mined_role_until_reset(
    gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    service = mined["projects"]["service"]
    mined_role = service["role"]
    assert mined_role
    assert service["roleOverridden"] is False
    mutation = f"""mutation($id: ID!, $role: String) {{ setProjectRole(projectId: $id,
      role: $role) {{ project {{ role roleOverridden }} {ERRORS} }} }}"""
    set_ = await gql.data(mutation, id=service["id"], role="  Maintainer\u202e ")
    assert set_["setProjectRole"] == {
        "project": {"role": "Maintainer", "roleOverridden": True},
        "userErrors": [],
    }
    for bad in ("   ", "x" * 101):
        refused = await gql.data(mutation, id=service["id"], role=bad)
        assert refused["setProjectRole"] == {
            "project": None,
            "userErrors": [{"code": "INVALID_ROLE", "field": ["role"]}],
        }
    assert (await projects_of(gql, mined["id"]))["service"]["role"] == "Maintainer"
    reset = await gql.data(mutation, id=service["id"], role=None)
    assert reset["setProjectRole"]["project"] == {"role": mined_role, "roleOverridden": False}


async def test_evidence_added_and_deleted_by_hand_survives_mining_again(
    app: Starlette, gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    service = mined["projects"]["service"]
    add = f"""mutation($id: ID!, $type: EvidenceKind!, $content: String!, $date: Date) {{
      addEvidence(projectId: $id, type: $type, content: $content, date: $date) {{
        evidence {{ id type content source date origin }} {ERRORS} }} }}"""
    added = await gql.data(
        add, id=service["id"], type="FEEDBACK", content="Praised by the team", date="2024-03-01"
    )
    evidence = added["addEvidence"]["evidence"]
    assert added["addEvidence"]["userErrors"] == []
    assert {k: v for k, v in evidence.items() if k != "id"} == {
        "type": "FEEDBACK",
        "content": "Praised by the team",
        "source": "user",
        "date": "2024-03-01",
        "origin": "USER",
    }
    award = await gql.data(add, id=service["id"], type="AWARD", content="Best tool", date=None)
    for content, date, field in (("", None, "content"), ("ok", "2999-01-01", "date")):
        refused = await gql.data(add, id=service["id"], type="CUSTOM", content=content, date=date)
        assert refused["addEvidence"] == {
            "evidence": None,
            "userErrors": [{"code": "INVALID_EVIDENCE", "field": [field]}],
        }
    mined_one = next(e for e in service["evidence"] if e["origin"] == "MINED")
    delete = f"mutation($id: ID!) {{ deleteEvidence(id: $id) {{ deletedId {ERRORS} }} }}"
    for target in (mined_one["id"], award["addEvidence"]["evidence"]["id"]):
        gone = await gql.data(delete, id=target)
        assert gone["deleteEvidence"] == {"deletedId": target, "userErrors": []}
    again = await gql.data(delete, id=mined_one["id"])
    assert again["deleteEvidence"]["userErrors"] == [{"code": "NOT_FOUND", "field": ["id"]}]

    await remine(gql, app, mined["id"])
    after = (await projects_of(gql, mined["id"]))["service"]["evidence"]
    contents = [e["content"] for e in after]
    assert "Praised by the team" in contents  # the user's own evidence stays
    assert "Best tool" not in contents  # deleted: gone
    assert mined_one["content"] not in contents  # deleted mined evidence stays out
    others = {e["content"] for e in service["evidence"]} - {mined_one["content"]}
    assert others <= set(contents)  # the rest is mined again


RESUME_MUTATIONS = f"""
mutation Update($id: ID!, $content: String, $position: Int) {{
  updateResumeItem(id: $id, content: $content, position: $position) {{
    resumeItem {{ id title content edited position }} {ERRORS} }} }}
mutation Add($project: ID!, $title: String!, $content: String!) {{
  addResumeItem(projectId: $project, title: $title, content: $content, category: EXPERIENCE) {{
    resumeItem {{ id title content category edited }} {ERRORS} }} }}
mutation Delete($id: ID!) {{ deleteResumeItem(id: $id) {{ deletedId {ERRORS} }} }}
mutation Regenerate($portfolio: ID!) {{ generateResume(portfolioId: $portfolio) {{ {ERRORS} }} }}
"""


async def resume_call(gql: GraphQLClient, operation: str, **variables: Any) -> dict[str, Any]:
    response = await gql.http.post(
        "/graphql",
        json={"query": RESUME_MUTATIONS, "operationName": operation, "variables": variables},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = next(iter(body["data"].values()))
    return data


async def test_regenerating_the_resume_keeps_edited_and_added_items_and_stable_ids(
    app: Starlette, gql: GraphQLClient, mined: dict[str, Any]
) -> None:
    service = mined["projects"]["service"]
    items = service["resumeItems"]
    assert len(items) >= 3
    assert not any(i["edited"] for i in items)
    edited, dropped, kept = items[0], items[1], items[2:]
    updated = await resume_call(gql, "Update", id=edited["id"], content="I led it.", position=7)
    assert updated["resumeItem"] == {
        "id": edited["id"],
        "title": edited["title"],
        "content": "I led it.",
        "edited": True,
        "position": 7,
    }
    added = await resume_call(
        gql, "Add", project=service["id"], title="Talk", content="Presented it at PyCon."
    )
    assert added["userErrors"] == []
    assert added["resumeItem"]["edited"] is True
    assert added["resumeItem"]["category"] == "EXPERIENCE"
    deleted = await resume_call(gql, "Delete", id=dropped["id"])
    assert deleted == {"deletedId": dropped["id"], "userErrors": []}

    for _ in range(2):  # twice: the result is stable
        assert (await resume_call(gql, "Regenerate", portfolio=mined["id"])) == {"userErrors": []}
        after = {
            i["id"]: i for i in (await projects_of(gql, mined["id"]))["service"]["resumeItems"]
        }
        assert after[edited["id"]]["content"] == "I led it."
        assert after[added["resumeItem"]["id"]]["content"] == "Presented it at PyCon."
        assert dropped["id"] not in after
        assert dropped["title"] not in {i["title"] for i in after.values()}
        for item in kept:  # generated items keep their ids and text
            assert after[item["id"]] == item
        assert len(after) == len(items) + 1 - 1
    await remine(gql, app, mined["id"])
    after_mining = (await projects_of(gql, mined["id"]))["service"]["resumeItems"]
    assert {i["id"] for i in after_mining} == set(after)


async def test_resume_item_input_is_validated(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    item = mined["projects"]["service"]["resumeItems"][0]
    for variables, field in (
        ({"content": " \u200e "}, "content"),
        ({"content": "x" * 4001}, "content"),
        ({"position": -1}, "position"),
    ):
        refused = await resume_call(gql, "Update", id=item["id"], **variables)
        assert refused == {
            "resumeItem": None,
            "userErrors": [{"code": "INVALID_RESUME_ITEM", "field": [field]}],
        }
    refused = await resume_call(
        gql, "Add", project=mined["projects"]["service"]["id"], title="", content="c"
    )
    assert refused["userErrors"] == [{"code": "INVALID_RESUME_ITEM", "field": ["title"]}]
    unchanged = (await projects_of(gql, mined["id"]))["service"]["resumeItems"]
    assert unchanged == mined["projects"]["service"]["resumeItems"]
