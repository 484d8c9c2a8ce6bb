"""Every query is bounded before it runs: tokens, fragment-expanded fields, cost, depth and
aliases, each refusal a GraphQL error with a stable `extensions.code`:

| code               | refused when                                   | extensions              |
|--------------------|------------------------------------------------|-------------------------|
| TOO_MANY_TOKENS    | the document has more than `max_query_tokens`  | limit                   |
| TOO_MANY_FIELDS    | fields with fragments expanded > max           | fields, limit           |
| QUERY_TOO_COMPLEX  | GitHub's node count (cost.py) > max            | cost, limit             |
| QUERY_TOO_DEEP     | nesting > `max_query_depth`                    | limit                   |
| TOO_MANY_ALIASES   | aliases > `max_query_aliases`                  | aliases, limit          |

The order is the order of the work: the parser stops at the token limit (graphql-core counts
tokens as it lexes, so a 100k-token document costs no more than a 2,000-token one), then the
fields and cost are measured in one linear walk, and only then do the validation rules —
Strawberry's depth and alias limiters among them — walk the document. An accepted operation
reports its cost in the response: `extensions.cost = {nodes, limit}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from graphql_api.schema.cost import Cost, PageSizes, measure
from graphql_api.settings import Settings

_TOKENS = re.compile(r"^Syntax Error: Document contains more than (\d+) tokens")
_DEPTH = re.compile(r"exceeds maximum operation depth of (\d+)$")
_ALIASES = re.compile(r"^(\d+) aliases found\. Allowed: (\d+)$")


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_fields: int
    max_cost: int
    pages: PageSizes

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        from graphql_api.schema.connection import DEFAULT_PAGE_SIZE

        return cls(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_query_aliases,
            max_tokens=settings.max_query_tokens,
            max_fields=settings.max_query_fields,
            max_cost=settings.max_query_cost,
            pages=PageSizes(DEFAULT_PAGE_SIZE, settings.max_page_size),
        )


def limit_extensions(limits: QueryLimits) -> list[Callable[[], SchemaExtension]]:
    """Factories of the extensions that bound a query, in the order they must run."""
    # The rule classes are made once: the validation cache is keyed by them.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    return [
        lambda: QueryBudget(limits),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: AddValidationRules(rules),
    ]


class QueryBudget(SchemaExtension):
    """Measures fields and cost before validation, refuses what is over the limits, reports
    the cost, and gives the refusals of the other limiters their codes."""

    def __init__(self, limits: QueryLimits) -> None:
        self.limits = limits
        self.cost: Cost | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            self.cost = measure(
                context.schema._schema,
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
                pages=self.limits.pages,
            )
            self._check(self.cost)
        yield

    def _check(self, cost: Cost) -> None:
        # Raised before the validation cache runs the rules; Strawberry answers it as the
        # operation's only error.
        if cost.fields > self.limits.max_fields:
            raise GraphQLError(
                f"the query selects {cost.fields} fields once its fragments are expanded; "
                f"at most {self.limits.max_fields} are allowed",
                extensions={
                    "code": "TOO_MANY_FIELDS",
                    "fields": cost.fields,
                    "limit": self.limits.max_fields,
                },
            )
        if cost.nodes > self.limits.max_cost:
            raise GraphQLError(
                f"the query could return {cost.nodes} nodes; at most {self.limits.max_cost} "
                "are allowed: ask for smaller pages (first) or fewer nested lists",
                extensions={
                    "code": "QUERY_TOO_COMPLEX",
                    "cost": cost.nodes,
                    "limit": self.limits.max_cost,
                },
            )

    def get_results(self) -> dict[str, object]:
        if self.cost is None:
            return {}
        return {"cost": {"nodes": self.cost.nodes, "limit": self.limits.max_cost}}


LIMIT_CODES = frozenset(
    {
        "TOO_MANY_TOKENS",
        "TOO_MANY_FIELDS",
        "QUERY_TOO_COMPLEX",
        "QUERY_TOO_DEEP",
        "TOO_MANY_ALIASES",
    }
)


def add_limit_code(error: GraphQLError, limits: QueryLimits) -> str | None:
    """Strawberry's limiters report plain messages: give them stable codes (the schema's
    `process_errors` calls this for every error). Returns the limit code, if any."""
    if error.extensions and "code" in error.extensions:
        code = str(error.extensions["code"])
        return code if code in LIMIT_CODES else None
    message = error.message
    if _TOKENS.match(message):
        error.extensions = {"code": "TOO_MANY_TOKENS", "limit": limits.max_tokens}
    elif _DEPTH.search(message):
        error.extensions = {"code": "QUERY_TOO_DEEP", "limit": limits.max_depth}
    elif found := _ALIASES.match(message):
        error.extensions = {
            "code": "TOO_MANY_ALIASES",
            "aliases": int(found[1]),
            "limit": limits.max_aliases,
        }
    else:
        return None
    return str(error.extensions["code"])
