"""Expected errors live in the schema: every mutation payload carries `userErrors`."""

from __future__ import annotations

import re
from typing import Annotated, Any

import strawberry

from graphql_api.ingest.errors import clip, shown
from graphql_api.schema.enums import UserErrorCode

EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")

UserEmails = Annotated[
    list[str] | None,
    strawberry.argument(description="The emails that are the user's (their commits' authors)."),
]


@strawberry.type(name="UserError", description="A problem with the input that the client can fix.")
class UserErrorType:
    code: UserErrorCode = strawberry.field(description="Stable, machine-readable: branch on it.")
    message: str = strawberry.field(description="What is wrong, for people.")
    field: list[str] | None = strawberry.field(
        default=None, description='The path to the input at fault, e.g. ["weights", "size"].'
    )


def user_errors_field() -> Any:
    """Every payload's `userErrors`: `user_errors: list[UserErrorType] = user_errors_field()`."""
    return strawberry.field(description="Why it was refused; empty when it was done.")


def user_error(code: UserErrorCode | str, message: str, *field: str) -> UserErrorType:
    """A userError; `code` must be a UserErrorCode (a str is checked against it)."""
    return UserErrorType(code=UserErrorCode(code), message=clip(message), field=list(field) or None)


def email_errors(emails: list[str] | None, field: str = "userEmails") -> list[UserErrorType]:
    return [
        user_error("INVALID_EMAIL", f"{shown(email)} is not an email address", field, str(i))
        for i, email in enumerate(emails or [])
        if not EMAIL.match(email.strip())
    ]


def not_found(what: str, *field: str) -> UserErrorType:
    """NOT_FOUND without the ID: a missing object and another owner's must read the same."""
    return user_error("NOT_FOUND", f"no such {what}", *field)
