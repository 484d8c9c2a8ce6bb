"""GET /portfolios/{id}/cards/{card}.svg?theme=light|dark: a card of the caller's portfolio.

Owner-checked like every read (another owner's portfolio answers as a missing one). Cached per
portfolio version: the ETag names the state of everything the profile is computed from
(`content.version`), so a client revalidates (`no-cache`) and a request whose If-None-Match
still matches is answered 304 without analysing or drawing anything.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graphql_api.auth import Caller
from graphql_api.db import models, queries
from graphql_api.jobs.service import Services
from graphql_api.present import cards, content

PATH = "/portfolios/{portfolio_id:str}/cards/{card:str}.svg"
HEADERS = {
    # Private: the card is the owner's. no-cache: use it again only once it is revalidated.
    "Cache-Control": "private, no-cache",
    "Vary": "Authorization",
    "X-Content-Type-Options": "nosniff",
    # Opened on its own the SVG runs nothing and loads nothing.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


def card_url(portfolio_id: str, card: cards.Card, theme: cards.Theme) -> str:
    return f"/portfolios/{portfolio_id}/cards/{card.value}.svg?theme={theme.value}"


def _error(status: int, code: str, message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags


async def serve_card(request: Request) -> Response:
    services: Services = request.app.state.app_state.ready()
    caller: Caller = request.state.caller
    try:
        card = cards.Card(request.path_params["card"])
    except ValueError:
        return _error(404, "NOT_FOUND", "no such card (languages, skills or activity)")
    theme_name = request.query_params.get("theme", cards.Theme.LIGHT.value)
    try:
        theme = cards.Theme(theme_name)
    except ValueError:
        allowed = ", ".join(t.value for t in cards.Theme)
        return _error(400, "INVALID_THEME", f"theme {theme_name[:40]!r} is not one of {allowed}")
    mine = {"owner_id": caller.owner_id}
    async with services.db.read() as session:
        uid = request.path_params["portfolio_id"][:64]
        portfolio = await queries.by_uid(session, models.Portfolio, uid, **mine)
        if portfolio is None:
            return _error(404, "NOT_FOUND", "no such portfolio")
        version = await content.version(session, portfolio, **mine)
    etag = cards.etag(card, theme, version)
    headers = {**HEADERS, "ETag": etag}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    profile = await content.profile_of(services, portfolio, version, **mine)
    return Response(cards.render(card, theme, profile), media_type="image/svg+xml", headers=headers)
