"""Expected errors live in the schema: every mutation payload carries `userErrors`."""

from __future__ import annotations

import re

import strawberry

from graphql_api.ingest.errors import clip, shown

EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


@strawberry.type(description="A problem with the input that the client can fix.")
class UserError:
    code: str = strawberry.field(description="Stable, machine-readable, e.g. ARCHIVE_CORRUPT.")
    message: str
    field: list[str] | None = None


def user_error(code: str, message: str, *field: str) -> UserError:
    return UserError(code=code, message=clip(message), field=list(field) or None)


def email_errors(emails: list[str] | None, field: str = "userEmails") -> list[UserError]:
    return [
        user_error("INVALID_EMAIL", f"{shown(email)} is not an email address", field, str(i))
        for i, email in enumerate(emails or [])
        if not EMAIL.match(email.strip())
    ]


def not_found(what: str, *field: str) -> UserError:
    """NOT_FOUND without the ID: a missing object and another owner's must read the same."""
    return user_error("NOT_FOUND", f"no such {what}", *field)
