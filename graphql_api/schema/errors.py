"""Errors a client is meant to see, with stable codes, and the masking of everything else.

Expected failures of a mutation are `userErrors` in its payload (see the payload types).
Failures of a query argument (a malformed ID or cursor, a page too large) are GraphQL errors
raised as `ApiError`, which carry `extensions.code`. Every other exception is unexpected: it
is logged in full and the client sees "Unexpected error." — but validation and syntax errors,
which Strawberry's stock MaskErrors would also hide, pass through, because they are the
client's to fix.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError

from graphql_api.ingest.errors import clip

log = logging.getLogger("graphql_api.errors")


class ApiError(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(clip(message))
        self.code = code
        self.extensions = {"code": code}


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    # An unknown operationName is the client's to fix: Strawberry answers it with the name
    # (and closes a graphql-transport-ws socket with 4400) unless it is masked here.
    if original is None or isinstance(
        original, ApiError | GraphQLError | CannotGetOperationTypeError
    ):
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            self.error_message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL"},
        )
