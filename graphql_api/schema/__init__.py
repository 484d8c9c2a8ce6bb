"""The GraphQL schema: types, queries, mutations, subscriptions, context and DataLoaders."""

from __future__ import annotations

import strawberry
from graphql import build_schema as parse_sdl
from graphql import lexicographic_sort_schema, print_schema
from strawberry.extensions import ParserCache, ValidationCache

from graphql_api.schema.errors import MaskUnexpectedErrors
from graphql_api.schema.mutations_config import ConfigMutations
from graphql_api.schema.mutations_jobs import JobMutations
from graphql_api.schema.query import Query
from graphql_api.schema.subscriptions import Subscription
from graphql_api.schema.types import (
    EvidenceTypeNode,
    ProjectSkillType,
    ResumeItemType,
    UserProjectSkillType,
    UserRepoStatType,
)


@strawberry.type
class Mutation(JobMutations, ConfigMutations):
    pass


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Types reachable only through `node` must still be in the schema.
        types=[
            EvidenceTypeNode,
            ProjectSkillType,
            ResumeItemType,
            UserProjectSkillType,
            UserRepoStatType,
        ],
        # Factories: a fresh extension per request; the two caches live at module level in
        # Strawberry, keyed by size, so they are still shared across requests.
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            MaskUnexpectedErrors,
        ],
    )


def sdl(schema: strawberry.Schema) -> str:
    """The schema as SDL, sorted so that reordering code never shows up as a diff."""
    # Sorted from the printed SDL: Strawberry's enum types do not survive being copied by
    # graphql-core's sorter, the plain types parsed back from SDL do.
    return print_schema(lexicographic_sort_schema(parse_sdl(str(schema)))) + "\n"
