"""The SVG cards of a portfolio as GraphQL shows them: where to GET each, and its ETag now.

The cards themselves are served by GET /portfolios/{id}/cards/{card}.svg (present/card_route.py);
GraphQL names them, so a client builds no URL by hand and can tell from `etag` whether the copy
it holds is still the current one.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from graphql_api.present import card_route
from graphql_api.present.cards import Card, Theme, etag
from graphql_api.schema.context import Info
from graphql_api.schema.enums import described

described(
    Card,
    "CardKind",
    "An SVG card of a portfolio's developer profile.",
    {
        "LANGUAGES": "Top languages: each a share of the lines the user added + deleted.",
        "SKILLS": "Top skills: each level with the proficiency (0 to 1) it comes from.",
        "ACTIVITY": "A calendar heatmap of the user's commits per UTC day over 53 weeks.",
    },
)
described(
    Theme,
    "CardTheme",
    "The colours a card is drawn in.",
    {"LIGHT": "Dark text on white.", "DARK": "Light text on near-black."},
)


@strawberry.type(
    name="PortfolioCard",
    description="An SVG card of the portfolio's developer profile, served by the API.",
)
class PortfolioCardType:
    kind: Card = strawberry.field(description="Which card.")
    theme: Theme = strawberry.field(description="The colours it is drawn in.")
    url: str = strawberry.field(
        description="Where to GET it (image/svg+xml), with the caller's credentials."
    )
    etag: str = strawberry.field(
        description="Its ETag now: it changes whenever anything the profile is computed from "
        "does (projects, preferences, emails, weights)."
    )


async def portfolio_cards(
    info: Info, portfolio_id: str, updated_at: dt.datetime, theme: Theme
) -> list[PortfolioCardType]:
    """Every card of the portfolio (checked as the caller's by its resolver) in `theme`."""
    stamp = await info.context.loaders.analysis_stamp_by_portfolio.load(portfolio_id)
    version = (updated_at, stamp)  # as content.version computes it for the card route
    return [
        PortfolioCardType(
            kind=card,
            theme=theme,
            url=card_route.card_url(portfolio_id, card, theme),
            etag=etag(card, theme, version),
        )
        for card in Card
    ]
