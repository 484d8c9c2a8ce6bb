"""Which authors are the user: `suggestedIdentities` lists addresses in a portfolio's mined
histories likely to be theirs; `setIdentities` makes a set of addresses the user's and
re-derives their stats, skills, evidence, ranking and resume items from the stored reports,
without running git (graphql_api/jobs/identities.py). Another owner's portfolio reads as
missing, as everywhere."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from graphql_api.jobs.identities import IdentityReason, Suggestion
from graphql_api.jobs.service import JobStateError
from graphql_api.schema import ids
from graphql_api.schema.context import Info
from graphql_api.schema.enums import described
from graphql_api.schema.errors import ApiError
from graphql_api.schema.payloads import UserErrorType, email_errors, not_found, user_error
from graphql_api.schema.portfolio import PortfolioType

MAX_EMAILS = 50

described(
    IdentityReason,
    "IdentityReason",
    "Why an address in the mined histories may be the user's.",
    {
        "MAILMAP_ALIAS": ".mailmap maps it and one of the portfolio's addresses to one person.",
        "SAME_LOCAL_PART": "Its part before the @ is that of one of the portfolio's addresses.",
        "SAME_NAME": "Its author's name is that of an author the portfolio's addresses match.",
        "IN_SEVERAL_PROJECTS": "The portfolio has no addresses yet; it committed to more than "
        "one of its repositories.",
        "SOLE_AUTHOR": "The portfolio has no addresses yet; it is the only person committing "
        "to one of its repositories.",
    },
)


@strawberry.type(
    name="SuggestedIdentity",
    description="An address in the portfolio's mined histories that may be the user's (bots "
    "are never suggested).",
)
class SuggestedIdentityType:
    email: str = strawberry.field(description="The address, lower-cased: give it to setIdentities.")
    name: str = strawberry.field(description="The name its author is shown with.")
    commits: int = strawberry.field(
        description="Non-merge commits whose address after .mailmap, or as recorded, is this "
        "one: what setIdentities would credit for it."
    )
    projects: int = strawberry.field(description="Repositories holding such commits.")
    reasons: list[IdentityReason] = strawberry.field(description="Why it is suggested.")
    matched: bool = strawberry.field(
        description="The portfolio's addresses already count these commits as the user's "
        "(through .mailmap)."
    )

    @classmethod
    def from_suggestion(cls, s: Suggestion) -> Self:
        return cls(
            email=s.email,
            name=s.name,
            commits=s.commits,
            projects=s.projects,
            reasons=list(s.reasons),
            matched=s.matched,
        )


@strawberry.type(name="SetIdentitiesPayload", description="The portfolio with its new addresses.")
class SetIdentitiesPayloadType:
    portfolio: PortfolioType | None = strawberry.field(description="Null when refused.")
    user_errors: list[UserErrorType] = strawberry.field(description="Why it was refused.")


PortfolioArg = Annotated[strawberry.ID, strawberry.argument(description="The portfolio.")]


@strawberry.type
class IdentitiesQuery:
    @strawberry.field(
        description="Addresses in the portfolio's mined histories likely to be the user's, "
        "most reasons first, then most commits; the portfolio's own addresses are left out."
    )
    async def suggested_identities(
        self, info: Info, portfolio_id: PortfolioArg
    ) -> list[SuggestedIdentityType]:
        _, pid = ids.decode(portfolio_id, "Portfolio")
        try:
            found = await info.context.services.suggested_identities(pid, info.context.owner_id)
        except JobStateError as error:
            raise ApiError(str(error), code=error.code) from error
        return [SuggestedIdentityType.from_suggestion(s) for s in found]


@strawberry.type
class IdentitiesMutations:
    @strawberry.mutation(
        description="Make these addresses the user's (and what .mailmap maps them to): their "
        "stats, skills, evidence, ranking and resume items are derived again at once from "
        "what was mined, without mining again. Resume items you edited or added stay. An "
        "empty list takes every commit as the user's."
    )
    async def set_identities(
        self,
        info: Info,
        portfolio_id: PortfolioArg,
        emails: Annotated[
            list[str], strawberry.argument(description=f"At most {MAX_EMAILS} addresses.")
        ],
    ) -> SetIdentitiesPayloadType:
        errors = email_errors(emails, "emails")
        if len(emails) > MAX_EMAILS:
            errors.append(
                user_error("INVALID_EMAIL", f"{len(emails)} addresses; at most {MAX_EMAILS}")
            )
        if errors:
            return SetIdentitiesPayloadType(portfolio=None, user_errors=errors)
        _, pid = ids.decode(portfolio_id, "Portfolio")
        try:
            row = await info.context.services.set_identities(pid, info.context.owner_id, emails)
        except JobStateError as error:
            refused = (
                not_found("portfolio", "portfolioId")
                if error.code == "NOT_FOUND"
                else user_error(error.code, str(error))
            )
            return SetIdentitiesPayloadType(portfolio=None, user_errors=[refused])
        return SetIdentitiesPayloadType(portfolio=PortfolioType.from_model(row), user_errors=[])
