"""Every query is bounded before it runs: tokens, expanded fields, cost, depth, aliases; each
refusal has its code, and an accepted query reports its cost."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_introspection_query,
    parse,
)

from graphql_api.db.engine import Database
from graphql_api.schema import build_schema
from graphql_api.schema.cost import PageSizes, measure
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects

README_DASHBOARD = """{ portfolios(first: 5) { nodes { id name profile { firstActive lastActive
  seniority { level score } topSkills { name level proficiency } languagesByLines { name lines
  commits } }
  projects(first: 10, orderBy: RANKING) { totalCount nodes { projectName rankingScore healthScore
    rankingComponents { name contribution }
    skills { nodes { skill { name } proficiency level evidence } }
    evidence { nodes { type content } } resumeItems { nodes { content } }
    userStats { nodes { sharePercent role } } } } } } }"""

INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def cycle(levels: int, first: str = "") -> str:
    """Skill -> projects -> project -> skills -> skill -> ..., `levels` lists deep."""
    query = "name" if levels % 2 == 0 else "projectName"
    for level in reversed(range(levels)):  # built from the inside out
        field = "projects" if level % 2 == 0 else "skills"
        inner = "project" if field == "projects" else "skill"
        query = f"{field}{first} {{ nodes {{ {inner} {{ {query} }} }} }}"
    return f'{{ skill(name: "main-skill-0") {{ {query} }} }}'


def nodes(query: str, **variables: Any) -> int:
    schema = build_schema()._schema
    cost = measure(
        schema, parse(query), operation_name=None, variables=variables, pages=PageSizes(20, 100)
    )
    return cost.nodes


def test_the_node_count_follows_githubs_formula() -> None:
    # Connections: first, or 20 without it; plain lists with `first`: it, or 100 without it;
    # a list without a page argument: 20; multiplied down the nesting, summed.
    assert nodes("{ portfolios(first: 5) { nodes { id } } }") == 5
    assert nodes("{ portfolios { totalCount } }") == 20
    assert nodes("{ portfolios(first: 5) { nodes { projects(first: 10) { totalCount } } } }") == (
        5 + 5 * 10
    )
    assert nodes("query($n: Int) { portfolios(first: $n) { nodes { id } } }", n=7) == 7
    assert nodes("query($n: Int = 3) { portfolios(first: $n) { nodes { id } } }") == 3
    # A child connection counts its page (20 without `first`), like any connection.
    assert nodes('{ skill(name: "x") { projects { nodes { weight } } } }') == 20
    assert nodes('{ skill(name: "x") { projects(first: 2) { nodes { skill { name } } } } }') == 2
    profile = 5 * (100 + 100)  # topSkills, languagesByLines
    assert nodes(README_DASHBOARD) == 5 + profile + 5 * 10 + 5 * 10 * (20 + 20 + 20 + 20 + 20)
    # Fragments count where they are spread, with the multiplier of the spot.
    fragment = "fragment S on RepoStat { skills(first: 3) { nodes { weight } } }"
    spread = "{ portfolios(first: 2) { nodes { projects(first: 4) { nodes { ...S } } } } }"
    assert nodes(spread + fragment) == 2 + 2 * 4 + 2 * 4 * 3


def test_a_page_size_is_a_count_or_the_lists_default() -> None:
    # `last` counts like `first`; a negative size counts as none; a variable holding no
    # integer (a boolean, or none given) leaves the list's default.
    projects = "portfolios(first: 2) {{ nodes {{ projects({}) {{ totalCount }} }} }}"
    assert nodes("{ " + projects.format("last: 3") + " }") == 2 + 2 * 3
    assert nodes("{ portfolios(first: -3) { nodes { id } } }") == 0
    by_variable = "query($n: Int) { portfolios(first: $n) { nodes { id } } }"
    assert nodes(by_variable, n=True) == nodes(by_variable) == 20


def test_introspection_lists_count_as_the_longest_of_the_schema() -> None:
    schema = build_schema()._schema
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    most_fields = max(len(t.fields) for t in with_fields)
    most_values = max(len(t.values) for t in types if isinstance(t, GraphQLEnumType))
    most_args = max(len(d.args) for d in schema.directives)
    n = len(types)
    assert nodes("{ __schema { types { name } } }") == n
    assert nodes("{ __schema { types { fields { name } } } }") == n + n * most_fields
    assert nodes("{ __schema { types { enumValues { name } } } }") == n + n * most_values
    directives = len(schema.directives)
    args = max(most_args, *(len(f.args) for t in with_fields for f in t.fields.values()))
    assert nodes("{ __schema { directives { args { name } } } }") == directives * (1 + args)


async def test_the_dashboard_and_introspection_pass_and_report_their_cost(
    gql: GraphQLClient,
) -> None:
    dashboard = await gql(README_DASHBOARD)
    assert "errors" not in dashboard
    assert dashboard["extensions"] == {"cost": {"nodes": 6_055, "limit": 100_000}}
    introspection = await gql(INTROSPECTION)
    assert "errors" not in introspection
    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"
    assert introspection["extensions"]["cost"]["nodes"] < 100_000


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert len(codes) == 1, body["errors"]
    extensions: dict[str, Any] = body["errors"][0]["extensions"]
    return extensions


async def test_a_deep_cycle_is_refused_by_its_cost_or_its_depth(
    db: Database, gql: GraphQLClient
) -> None:
    await portfolio_with_projects(db, 2, skills_per_project=2)
    costly = refusal(await gql(cycle(12)))
    assert costly["code"] == "QUERY_TOO_COMPLEX"
    assert costly["limit"] == 100_000
    assert costly["cost"] > 20**12  # each child connection's default page: 20
    assert refusal(await gql(cycle(12, "(first: 1)"))) == {"code": "QUERY_TOO_DEEP", "limit": 10}
    # Within the limits the same cycle runs, every list cut to its page.
    body = await gql.data(cycle(3, "(first: 1)"))
    assert len(body["skill"]["projects"]["nodes"]) == 1
    assert len(body["skill"]["projects"]["nodes"][0]["project"]["skills"]["nodes"]) == 1


async def test_too_many_tokens_is_refused_while_parsing(gql: GraphQLClient) -> None:
    huge = "{" + " a" * 100_000 + " }"  # 200 kB: under the JSON body cap
    started = time.perf_counter()
    body = await gql(huge)
    elapsed = time.perf_counter() - started
    assert refusal(body) == {"code": "TOO_MANY_TOKENS", "limit": 2000}
    print(f"100k-token query refused in {elapsed * 1000:.0f} ms")  # bench/ keeps the goal


def fragments_spreading_twice(levels: int) -> str:
    """A document of `levels` fragments, each spreading the next twice: 2**levels fields."""
    body = "query { ...F0 }\n"
    body += "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(levels)
    )
    return body + f"fragment F{levels} on Query {{ __typename }}"


async def test_fragments_that_multiply_fields_are_refused_before_validation(
    gql: GraphQLClient,
) -> None:
    started = time.perf_counter()
    body = await gql(fragments_spreading_twice(60))
    assert time.perf_counter() - started < 30  # Strawberry's limiters alone: 2**60 steps
    assert refusal(body) == {"code": "TOO_MANY_FIELDS", "fields": 2**60, "limit": 2000}
    assert "errors" not in await gql(fragments_spreading_twice(5))


async def test_aliases_are_counted_through_fragments(gql: GraphQLClient) -> None:
    ten = " ".join(f"a{i}: __typename" for i in range(10))
    query = (
        f"fragment A on Query {{ {ten} }}\n"
        f"fragment B on Query {{ {' '.join(['...A'] * 10)} }}\n"
        f"query {{ {' '.join(['...B'] * 10)} }}"
    )
    assert refusal(await gql(query)) == {"code": "TOO_MANY_ALIASES", "aliases": 1000, "limit": 30}
    assert "errors" not in await gql(f"{{ {' '.join(f'a{i}: __typename' for i in range(30))} }}")


@pytest.mark.parametrize(
    ("field", "items"),
    [
        ("skills", "nodes"),
        ("userSkills", "nodes"),
        ("evidence", "nodes"),
        ("resumeItems", "nodes"),
        ("userStats", "nodes"),
        ("summaries", "nodes"),
        ("frameworks", None),
    ],
)
async def test_child_lists_take_first_up_to_the_page_cap(
    db: Database, gql: GraphQLClient, field: str, items: str | None
) -> None:
    await portfolio_with_projects(db, 1, skills_per_project=3, evidence_per_project=3)
    inner = f"{items} {{ __typename }}" if items else "__typename"
    query = f"query($n: Int) {{ portfolios(first: 1) {{ nodes {{ projects(first: 1) {{ nodes {{ {field}(first: $n) {{ {inner} }} }} }} }} }} }}"  # noqa: E501
    project = (await gql.data(query, n=1))["portfolios"]["nodes"][0]["projects"]["nodes"][0]
    assert len(project[field][items] if items else project[field]) <= 1
    body = await gql(query, n=101)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_PAGE_SIZE"]


async def test_a_shared_skill_lists_a_page_of_projects(db: Database, gql: GraphQLClient) -> None:
    await portfolio_with_projects(db, 5, skills_per_project=1)
    query = """query($after: String) { skill(name: "main-skill-0") {
      projects(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { project { projectName } } } } }"""
    names: list[str] = []
    after = None
    for _ in range(3):
        page = (await gql.data(query, after=after))["skill"]["projects"]
        assert page["totalCount"] == 5
        assert len(page["nodes"]) == (2 if len(names) < 4 else 1)
        names += [node["project"]["projectName"] for node in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        assert page["pageInfo"]["hasNextPage"] == (len(names) < 5)
    assert sorted(names) == [f"project-{i:03d}" for i in range(5)]
    everything = await gql.data('{ skill(name: "main-skill-0") { projects { nodes { weight } } } }')
    assert len(everything["skill"]["projects"]["nodes"]) == 5
