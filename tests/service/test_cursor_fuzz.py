"""Crafted cursors, through the real API on both databases: every one is BAD_CURSOR (or a page,
when it happens to be well formed), never INTERNAL, and never echoed whole."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import GraphQLClient

PROJECTS = (
    "query($after: String, $pid: ID!) { portfolio(id: $pid) {"
    " projects(first: 1, after: $after, orderBy: %s) { totalCount } } }"
)
QUERIES = {
    "portfolios": "query($after: String) { portfolios(first: 1, after: $after) { totalCount } }",
    "skills:": "query($after: String) { skills(first: 1, after: $after) { totalCount } }",
    **{f"projects:{o.lower()}": PROJECTS % o for o in ("RANKING", "RECENT", "COMMITS", "NAME")},
    "Portfolio.uploads": (
        "query($after: String, $pid: ID!) { portfolio(id: $pid) {"
        " uploads(first: 1, after: $after) { totalCount } } }"
    ),
}
KINDS = sorted(QUERIES)


def encode(payload: Any) -> str:
    raw = json.dumps(payload, separators=(",", ":"), allow_nan=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_raw(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["2024-01-01T00:00:00", "2024-01-01T00:00:00+00:00", "\x00", "\ud800"])
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
typed = st.tuples(st.sampled_from(KINDS), st.lists(values, max_size=3)).map(
    lambda t: (t[0], encode([t[0], *t[1]]))
)
untyped = st.tuples(
    st.sampled_from(KINDS),
    st.binary(max_size=60).map(encode_raw) | st.text(max_size=60),
)
cursors = typed | untyped


async def test_crafted_cursors_are_bad_cursor(gql: GraphQLClient) -> None:
    created = await gql.data('mutation { createPortfolio(name: "p") { portfolio { id } } }')
    pid = created["createPortfolio"]["portfolio"]["id"]
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(cursors)
    # naive datetimes, NaN and infinity as strings, too many values, a non-scalar, a NUL
    @example(("portfolios", encode(["portfolios", "2024-01-01T00:00:00", "x"])))
    @example(("projects:recent", encode(["projects:recent", "2024-01-01T00:00:00", "x"])))
    @example(("projects:ranking", encode(["projects:ranking", "nan", "x"])))
    @example(("portfolios", encode_raw(b"[" * 5000 + b"]" * 5000)))  # past the recursion limit
    @example(("portfolios", encode(["portfolios", "x" * 700_000, "y"])))  # near the JSON body cap
    @example(("projects:commits", encode(["projects:commits", "1e999", "x"])))
    @example(("projects:name", encode(["projects:name", 1, 2, 3])))
    @example(("skills:", encode(["skills:", {"a": 1}])))
    @example(("skills:", encode(["skills:", 0])))  # a name compared with a number: PostgreSQL
    @example(("skills:", encode(["skills:", "a", "b"])))
    @example(("portfolios", encode(["portfolios", "\x00", "x"])))
    # a child list's offset: negative, past any list, not a whole number
    @example(("Portfolio.uploads", encode(["Portfolio.uploads", -1])))
    @example(("Portfolio.uploads", encode(["Portfolio.uploads", 2**62])))
    @example(("Portfolio.uploads", encode(["Portfolio.uploads", 1.5])))
    def check(listing_and_cursor: tuple[str, str]) -> None:
        listing, cursor = listing_and_cursor
        call = gql(QUERIES[listing], after=cursor, pid=pid)
        body = asyncio.run_coroutine_threadsafe(call, loop).result()
        assert len(json.dumps(body)) < 8_000, "the cursor was echoed whole"
        for error in body.get("errors", []):
            assert error["extensions"]["code"] == "BAD_CURSOR", (cursor[:200], error)

    await asyncio.to_thread(check)
