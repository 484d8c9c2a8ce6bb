"""Expected errors live in the schema: every mutation payload carries `userErrors`."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A problem with the input that the client can fix.")
class UserError:
    code: str = strawberry.field(description="Stable, machine-readable, e.g. ARCHIVE_CORRUPT.")
    message: str
    field: list[str] | None = None


def user_error(code: str, message: str, *field: str) -> UserError:
    return UserError(code=code, message=message, field=list(field) or None)
