"""The GraphQL schema: types, queries, mutations, subscriptions, context and DataLoaders."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError, lexicographic_sort_schema, print_schema
from graphql import build_schema as parse_sdl
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from graphql_api.ratelimit import MutationRateLimit
from graphql_api.schema.audit import AuditQuery, audit_every_mutation
from graphql_api.schema.chronology import ChronologyQuery
from graphql_api.schema.errors import MaskUnexpectedErrors
from graphql_api.schema.identities import IdentitiesMutations, IdentitiesQuery
from graphql_api.schema.limits import QueryLimits, add_limit_code, limit_extensions
from graphql_api.schema.mutations_config import ConfigMutations
from graphql_api.schema.mutations_curation import CurationMutations
from graphql_api.schema.mutations_jobs import JobMutations
from graphql_api.schema.query import Query
from graphql_api.schema.search import HIT_TYPES, SearchQuery
from graphql_api.schema.subscriptions import Subscription
from graphql_api.schema.types import (
    EvidenceType,
    ProjectSkillType,
    ResumeItemType,
    UserProjectSkillType,
    UserRepoStatType,
)
from graphql_api.settings import Settings

log = logging.getLogger("graphql_api.limits")


@strawberry.type(description="Every change: each is audited and answers with `userErrors`.")
class Mutation(JobMutations, ConfigMutations, CurationMutations, IdentitiesMutations):
    pass


@strawberry.type(name="Query", description="Reads: only ever your own objects.")
class RootQuery(Query, AuditQuery, SearchQuery, ChronologyQuery, IdentitiesQuery):
    pass


audit_every_mutation(Mutation)


class BoundedSchema(strawberry.Schema):
    """A schema whose refusals by the query limits carry their codes (see limits.py)."""

    limits: QueryLimits

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        others = []
        for error in errors:
            code = add_limit_code(error, self.limits)
            if code is None:
                others.append(error)
            else:  # the client's to fix: one line, not Strawberry's excerpt of the query
                log.info("query refused: %s %s", code, error.extensions)
        super().process_errors(others, execution_context)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema, with the query limits of `settings` (README, "Limits")."""
    limits = QueryLimits.from_settings(settings or Settings())
    schema = BoundedSchema(
        query=RootQuery,
        mutation=Mutation,
        subscription=Subscription,
        # Types reachable only through `node` must still be in the schema.
        types=[
            EvidenceType,
            ProjectSkillType,
            ResumeItemType,
            UserProjectSkillType,
            UserRepoStatType,
            *HIT_TYPES,
        ],
        # Factories: a fresh extension per request; the two caches live at module level in
        # Strawberry, keyed by size, so they are still shared across requests.
        extensions=[
            # First: they set the parser's token limit and refuse what is over the field and
            # cost limits before the validation rules (run by ValidationCache) walk it.
            *limit_extensions(limits),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            MaskUnexpectedErrors,
            MutationRateLimit,
        ],
    )
    schema.limits = limits
    return schema


def sdl(schema: strawberry.Schema) -> str:
    """The schema as SDL, sorted so that reordering code never shows up as a diff."""
    # Sorted from the printed SDL: Strawberry's enum types do not survive being copied by
    # graphql-core's sorter, the plain types parsed back from SDL do.
    return print_schema(lexicographic_sort_schema(parse_sdl(str(schema)))) + "\n"
