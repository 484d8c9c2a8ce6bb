"""schemathesis against the GraphQL endpoint: queries and mutations generated from
`schema.graphql`, sent to a real uvicorn on loopback, must never get a 500 or an INTERNAL error.

The server holds a mined portfolio, and about half the generated ID arguments are replaced by
IDs of real objects (of any type), so generated mutations and nested selections reach real
rows, not only NOT_FOUND. Examples per operation are bounded (EXAMPLES) so the whole module
stays well under a minute. The summary (operations, examples, failures) is written to the
terminal when the module ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from graphql_api.app import create_app
from graphql_api.cli import SCHEMA_FILE
from graphql_api.settings import Settings
from tests.service.flows import build_portfolio, upload
from tests.service.live import Subscription, free_port, zip_folder

EXAMPLES = 6


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


# Our custom scalars, which schemathesis cannot guess: JSON values of any shape, an Upload sent
# inline (not a multipart file: the server must refuse it with a code), ISO dates.
_LEAF = st.one_of(
    st.text(max_size=20).map(nodes.String),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    st.booleans().map(nodes.Boolean),
    st.just(graphql.NullValueNode()),
)
_KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
JSON_VALUES = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(nodes.List),
        st.dictionaries(_KEY, inner, max_size=4).map(
            lambda d: nodes.Object([_field(k, v) for k, v in d.items()])
        ),
    ),
    max_leaves=12,
)
schemathesis.graphql.scalar("JSON", JSON_VALUES)
schemathesis.graphql.scalar("Upload", st.text(max_size=10).map(nodes.String))
schemathesis.graphql.scalar("Date", st.dates().map(nodes.String))
schemathesis.graphql.scalar("DateTime", st.datetimes().map(nodes.String))

SCHEMA = schemathesis.graphql.from_path(SCHEMA_FILE)
SEEN: Counter[str] = Counter()
ON_REAL_OBJECTS = Counter[str]()
FAILURES: list[str] = []
KNOWN_IDS: list[str] = []  # filled by the `endpoint` fixture once the portfolio is mined
ID_ARGUMENTS = {"id", "jobId", "portfolioId"}


class _RealIds(graphql.Visitor):
    def __init__(self, real: str) -> None:
        super().__init__()
        self.real = real

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> graphql.ArgumentNode | None:
        if node.name.value in ID_ARGUMENTS and isinstance(node.value, graphql.StringValueNode):
            return graphql.ArgumentNode(name=node.name, value=nodes.String(self.real))
        return None


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    """Keep the generated document, or point its ID arguments at one real object."""
    if not KNOWN_IDS or not isinstance(body, graphql.DocumentNode):
        return st.just(body)
    return st.one_of(
        st.just(body), st.sampled_from(KNOWN_IDS).map(lambda i: graphql.visit(body, _RealIds(i)))
    )


class _Server(uvicorn.Server):
    """uvicorn that says when it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture(scope="module")
def endpoint(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A real uvicorn (lifespan and all) on a free loopback port, serving a fresh SQLite store."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("schemathesis")))
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.listening.wait(60), "uvicorn did not start"
    base = f"http://127.0.0.1:{port}"
    KNOWN_IDS[:] = asyncio.run(_mined_portfolio(base, tmp_path_factory.mktemp("repos")))
    yield f"{base}/graphql"
    server.should_exit = True
    thread.join(30)
    # Past output capturing, so the summary is in every CI log.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n" + _summary())


IDS = """query($id: ID!) { portfolio(id: $id) { id latestJob { id }
  projects(first: 10) { nodes { id skills(first: 5) { nodes { skill { id } } } } } } }"""


async def _mined_portfolio(base: str, root: Path) -> list[str]:
    """Upload and mine a portfolio of three repositories; the IDs of what it made."""
    archive = zip_folder(build_portfolio(root / "src", root / "home"))
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        payload = await upload(http, archive)
        assert payload["userErrors"] == [], payload
        job = "subscription($id: ID!) { jobUpdated(id: $id) { status } }"
        async with Subscription.open(base, job, {"id": payload["job"]["id"]}) as updates:
            while (update := await updates.next()) is not None:
                if update["jobUpdated"]["status"] in {"SUCCEEDED", "FAILED", "CANCELLED"}:
                    break
        body = (await http.post("/graphql", json={"query": IDS, "variables": {
            "id": payload["portfolio"]["id"]}})).json()  # fmt: skip
    assert "errors" not in body, body
    portfolio = body["data"]["portfolio"]
    projects = portfolio["projects"]["nodes"]
    skills = {link["skill"]["id"] for p in projects for link in p["skills"]["nodes"]}
    return [portfolio["id"], portfolio["latestJob"]["id"], *(p["id"] for p in projects), *skills]


def _summary() -> str:
    operations = len(SEEN)
    queries = sum(1 for label in SEEN if label.startswith("Query."))
    return (
        f"schemathesis summary: {operations} operations ({queries} queries, "
        f"{operations - queries} mutations), {sum(SEEN.values())} examples "
        f"({sum(ON_REAL_OBJECTS.values())} on real objects), "
        f"{len(FAILURES)} failures" + "".join(f"\n  {failure}" for failure in FAILURES)
    )


def _internal(body: Any) -> bool:
    errors = body.get("errors") if isinstance(body, dict) else None
    return any((e.get("extensions") or {}).get("code") == "INTERNAL" for e in errors or [])


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_operation_gets_a_500_or_internal(case: Any, endpoint: str) -> None:
    response = case.call(base_url=endpoint)
    SEEN[case.operation.label] += 1
    if any(known in json.dumps(case.body) for known in KNOWN_IDS):
        ON_REAL_OBJECTS[case.operation.label] += 1
    body = response.json() if response.content else None
    if response.status_code >= 500 or _internal(body) or "Unexpected error." in response.text:
        FAILURES.append(f"{case.operation.label} {response.status_code}: {json.dumps(case.body)}")
    assert response.status_code < 500, response.text
    assert not _internal(body), (case.body, body)
    assert "Unexpected error." not in response.text


def test_the_schema_file_is_what_schemathesis_reads() -> None:
    """Guard against a silently empty run: every root field of the schema is an operation."""
    document = graphql.build_schema(Path(SCHEMA_FILE).read_text())
    fields = {
        f"{kind}.{name}"
        for kind, root in (("Query", document.query_type), ("Mutation", document.mutation_type))
        if root is not None
        for name in root.fields
    }
    labels = {result.ok().label for result in SCHEMA.get_all_operations()}
    assert labels == fields
    assert len(labels) > 15
