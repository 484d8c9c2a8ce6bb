"""The audit trail: every mutation writes who (owner, token), what (the mutation, the object),
the outcome ("ok", the first userError's code, or the GraphQL error's code) and when; the
`auditLog` query pages through the caller's own entries. A mutation's entry is written in the
same transaction as the first change the mutation commits (`engine.before_commit`).

One place: `audit_every_mutation` puts the `Audited` field extension on every field of the
Mutation type, so a new mutation is audited without anyone remembering to. The other
state-changing uses of a token write their entries where they happen, through the same
`writes.add_audit`: POST /uploads (jobs/service.py, record_upload) and token create/revoke
(auth.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import FieldExtension

from graphql_api.db import engine, models, queries, writes
from graphql_api.schema import connection as conn
from graphql_api.schema.args import After, Before, PageFirst, PageLast
from graphql_api.schema.context import Info
from graphql_api.schema.errors import ApiError

log = logging.getLogger("graphql_api.audit")

# Arguments naming the object a mutation acts on, and payload fields naming what it made.
_ID_ARGUMENTS = ("id", "portfolio_id", "project_id")
_PAYLOAD_OBJECTS = ("portfolio", "job", "export", "project", "consent", "evidence", "resume_item")


@strawberry.type(name="AuditEntry", description="One state-changing operation of yours.")
class AuditEntryType:
    operation: str = strawberry.field(description="The mutation, `upload`, or `token.*`.")
    object_id: str | None = strawberry.field(description="The ID acted on or made, if any.")
    outcome: str = strawberry.field(description='"ok", or the error code it ended with.')
    token_id: int | None = strawberry.field(description="The token used (`token list`).")
    created_at: dt.datetime = strawberry.field(description="When it happened.")


def _object_id(kwargs: dict[str, Any], payload: Any) -> str | None:
    for name in _ID_ARGUMENTS:
        if kwargs.get(name):
            return str(kwargs[name])
    for name in _PAYLOAD_OBJECTS:
        found = getattr(payload, name, None)
        if found is not None and getattr(found, "id", None):
            return str(found.id)
    return None


def _outcome(payload: Any) -> str:
    errors = getattr(payload, "user_errors", None) or []
    return str(errors[0].code) if errors else "ok"


class Audited(FieldExtension):
    """Writes one audit entry per call of the mutation it is on, whatever its outcome."""

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        entry = _Entry(info, _object_id(kwargs, None))
        token = engine.before_commit.set(entry.write_in)
        try:
            payload = await next_(source, info, **kwargs)
        except ApiError as error:
            await entry.settle(entry.object_id, error.code)
            raise
        except Exception:
            await entry.settle(entry.object_id, "INTERNAL")
            raise
        finally:
            engine.before_commit.reset(token)
        await entry.settle(_object_id(kwargs, payload), _outcome(payload))
        return payload


class _Entry:
    """One mutation's entry. It goes into the first transaction the mutation itself commits,
    so no change is ever without its entry; a mutation that wrote nothing (refused, failed)
    gets it in a transaction of its own. What only the payload tells (the object made, the
    userError) is filled in afterwards."""

    def __init__(self, info: Info, object_id: str | None) -> None:
        self.context = info.context
        self.operation = info.field_name
        self.object_id = object_id
        self.task = asyncio.current_task()  # not a task the mutation started, e.g. a job
        self.written: tuple[int, str | None] | None = None  # (row id, its object id)

    async def write_in(self, session: AsyncSession) -> None:
        if self.written is None and asyncio.current_task() is self.task:
            row = await self._add(session, self.object_id, "ok")
            self.written = (row.id, self.object_id)

    async def settle(self, object_id: str | None, outcome: str) -> None:
        if self.written is not None and self.written[1] == object_id and outcome == "ok":
            return
        async with self.context.db.write() as session:
            if self.written is None:
                await self._add(session, object_id, outcome)
            else:
                await writes.amend_audit(session, self.written[0], object_id, outcome)

    async def _add(
        self, session: AsyncSession, object_id: str | None, outcome: str
    ) -> models.AuditEntry:
        context = self.context
        return await writes.add_audit(
            session, context.owner_id, context.token_id, self.operation, object_id, outcome
        )


def audit_every_mutation(mutation: type) -> None:
    """Put `Audited` on every field of `mutation` (idempotent)."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not any(isinstance(e, Audited) for e in field.extensions):
            field.extensions.append(Audited())


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Your audit entries, newest first.")
    async def audit_log(
        self,
        info: Info,
        first: PageFirst = None,
        after: After = None,
        last: PageLast = None,
        before: Before = None,
    ) -> conn.ConnectionType[AuditEntryType]:
        return await conn.newest_first(
            info.context,
            "audit",
            queries.audit_page,
            queries.newest_first_cursor,
            first=first,
            after=after,
            last=last,
            before=before,
            convert=lambda row: AuditEntryType(
                operation=row.operation,
                object_id=row.object_id,
                outcome=row.outcome,
                token_id=row.token_id,
                created_at=row.created_at,
            ),
        )
