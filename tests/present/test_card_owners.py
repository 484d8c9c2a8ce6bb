"""A card of another owner's portfolio answers exactly as one of no portfolio at all."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.auth import create_token
from graphql_api.db.engine import Database
from graphql_api.present import cards
from graphql_api.settings import Settings
from tests.factories import portfolio_with_projects


@pytest.fixture
async def locked(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(dataclasses.replace(settings, require_auth=True))
    async with app.router.lifespan_context(app):
        yield app


@pytest.mark.parametrize("card", list(cards.Card))
async def test_another_owners_card_is_as_missing_as_none(locked: Starlette, card: str) -> None:
    db: Database = locked.state.app_state.ready().db
    ada, _ = await create_token(db, "ada")
    bob, _ = await create_token(db, "bob")
    portfolio = await portfolio_with_projects(db, 2, owner="ada")
    path = f"/portfolios/{portfolio.id}/cards/{card}.svg"
    transport = httpx.ASGITransport(app=locked)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        hers = await http.get(path, headers={"Authorization": f"Bearer {ada}"})
        theirs = await http.get(path, headers={"Authorization": f"Bearer {bob}"})
        nothing = await http.get(
            path.replace(portfolio.id, "0" * 32), headers={"Authorization": f"Bearer {bob}"}
        )
        anonymous = await http.get(path)
    assert hers.status_code == 200
    assert hers.headers["content-type"] == "image/svg+xml"
    assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
    assert theirs.status_code == 404
    assert "etag" not in theirs.headers
    assert anonymous.status_code == 401
