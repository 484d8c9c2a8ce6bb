"""A megabyte ID, through the real API: refused with a stable code, quoted in 64 characters at
most, and never written whole to the log."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.conftest import GraphQLClient
from tests.service.upload_helpers import upload_portfolio

HUGE = "A" * 1_000_000

QUERIES = [
    ("query($id: ID!) { node(id: $id) { id } }", "node"),
    ("query($id: ID!) { portfolio(id: $id) { id } }", "portfolio"),
    ("mutation($id: ID!) { cancelJob(id: $id) { userErrors { code } } }", "cancelJob"),
    ("mutation($id: ID!) { deleteProject(id: $id) { userErrors { code } } }", "deleteProject"),
]


@pytest.mark.parametrize("query", [q for q, _ in QUERIES], ids=[f for _, f in QUERIES])
async def test_a_megabyte_id_is_bad_id_and_not_echoed(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body = await gql(query, id=HUGE)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_ID"
    assert error["message"].startswith(f"'{'A' * 64}'... (1000000 characters) is not a valid ID")
    assert len(error["message"]) < 200
    assert max((len(r.getMessage()) for r in caplog.records), default=0) < 2_000


async def test_a_megabyte_upload_id_is_upload_not_found_and_not_echoed(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await upload_portfolio(client, upload_ids=[HUGE])
    [error] = response.json()["data"]["uploadPortfolio"]["userErrors"]
    assert error["code"] == "UPLOAD_NOT_FOUND"
    assert error["message"] == "no such upload"  # as for another owner's: never echoed
    assert max((len(r.getMessage()) for r in caplog.records), default=0) < 2_000


async def test_a_long_portfolio_name_with_bidi_controls_is_capped_and_stripped(
    gql: GraphQLClient,
) -> None:
    name = "\u202eevil\u2066" + "n" * 100_000  # on PostgreSQL, over varchar(200) was INTERNAL
    created = await gql.data(
        "mutation($n: String!) { createPortfolio(name: $n) { portfolio { name } } }", n=name
    )
    assert created["createPortfolio"]["portfolio"]["name"] == "evil" + "n" * 195 + "\u2026"
