"""The SVG cards, fetched through HTTP and parsed with an XML parser: each figure against the
profile it is drawn from, the ETag against the portfolio's state, the owner check, and the
escaping of names that are markup."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree

import httpx
from sqlalchemy import event

from graphql_api.db.engine import Database
from graphql_api.present import cards
from graphql_api.schema import ids
from mining.analyze.catalogue import SkillCategory
from mining.analyze.proficiency import Level
from mining.analyze.profile import DeveloperProfile, LanguageTotal, ProfileSkill
from tests.conftest import GraphQLClient
from tests.factories import portfolio_with_projects
from tests.service.flows import PROFILE

SVG = "{http://www.w3.org/2000/svg}"


def card_path(global_id: str, card: str, theme: str = "light") -> str:
    return f"/portfolios/{ids.decode(global_id, 'Portfolio')[1]}/cards/{card}.svg?theme={theme}"


async def fetch_card(client: httpx.AsyncClient, path: str, **headers: str) -> httpx.Response:
    response = await client.get(path, headers=headers)
    assert response.status_code in (200, 304), response.text
    return response


def parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)  # an XML parser: raises on anything not well-formed
    assert root.tag == f"{SVG}svg"
    return root


def rows(root: ElementTree.Element, kind: str) -> list[tuple[list[str], str]]:
    """(texts, tooltip) of each row of a card."""
    return [
        ([t.text or "" for t in g.iter(f"{SVG}text")], g.findtext(f"{SVG}title") or "")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == kind
    ]


async def _profile(gql: GraphQLClient, pid: str) -> dict[str, Any]:
    profile: dict[str, Any] = (await gql.data(PROFILE, id=pid))["portfolio"]["profile"]
    profile["calendar"] = {day["date"]: day["commits"] for day in profile["calendar"]}
    for skill in profile["top_skills"]:  # the enum's name (EXPERT), shown as its value
        skill["level"] = skill["level"].capitalize()
    return profile


async def test_the_languages_card_shows_shares_of_the_users_changed_lines(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    response = await fetch_card(client, card_path(mined["id"], "languages"))
    assert response.headers["content-type"] == "image/svg+xml"
    root = parse(response.text)
    languages = (await _profile(gql, mined["id"]))["languages_by_lines"]
    base = sum(lang["lines"] for lang in languages)
    assert base > 0
    expected = [
        (
            [lang["name"], f"{100 * lang['lines'] / base:.1f} %"],
            f"{lang['name']}: {lang['lines']} of {base} changed lines "
            f"({100 * lang['lines'] / base:.1f} %), {lang['commits']} commits, "
            f"{lang['projects']} project{'s' if lang['projects'] != 1 else ''}",
        )
        for lang in languages
    ]
    assert rows(root, "language") == expected
    footer = [t.text for t in root.iter(f"{SVG}text")][-2:]
    assert footer == [
        "Share of the user's changed lines (added + deleted):",
        f"{base} lines in {len(languages)} languages.",
    ]


async def test_the_skills_card_shows_levels_and_the_proficiency_behind_them(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    root = parse((await fetch_card(client, card_path(mined["id"], "skills", "dark"))).text)
    top = (await _profile(gql, mined["id"]))["top_skills"]
    assert [texts for texts, _ in rows(root, "skill")] == [
        [s["name"], s["level"], f"{s['proficiency']:.2f}"] for s in top[: cards.TOP_SKILLS]
    ]
    footer = [t.text for t in root.iter(f"{SVG}text")][-2:]
    assert footer == [
        "Level from proficiency (0 to 1, on the right):",
        "Beginner < 0.25 ≤ Intermediate < 0.5 ≤ Advanced < 0.75 ≤ Expert",
    ]


async def test_the_activity_card_is_the_users_commits_per_day(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    root = parse((await fetch_card(client, card_path(mined["id"], "activity"))).text)
    calendar = (await _profile(gql, mined["id"]))["calendar"]
    cells = {  # the days (not the frame nor the legend)
        r.get("data-date"): int(r.get("data-count", ""))
        for r in root.iter(f"{SVG}rect")
        if r.get("data-date")
    }
    assert len(cells) > 52 * 7  # 53 weeks, the last one ending with the last commit
    assert {day: n for day, n in cells.items() if n} == calendar
    assert max(cells) == max(calendar)
    assert root.findtext(f"{SVG}title") == f"Activity: {sum(calendar.values())} commits on 6 days"


async def test_a_card_is_cached_per_portfolio_version_and_theme(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    path = card_path(mined["id"], "skills")
    first = await fetch_card(client, path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await fetch_card(client, path, **{"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    dark = await fetch_card(client, card_path(mined["id"], "skills", "dark"))
    assert dark.headers["etag"] != etag
    assert dark.text != first.text

    hide = """mutation($id: ID!, $prefs: RepresentationPrefsInput!) {
        setRepresentationPrefs(portfolioId: $id, prefs: $prefs) { userErrors { code } } }"""
    changed = await gql.data(hide, id=mined["id"], prefs={"hiddenSkills": ["Go"]})
    assert changed["setRepresentationPrefs"]["userErrors"] == []
    after = await fetch_card(client, path, **{"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    names = [texts[0] for texts, _ in rows(parse(after.text), "skill")]
    assert "Go" in [texts[0] for texts, _ in rows(parse(first.text), "skill")]
    assert "Go" not in names


async def test_cards_answer_bad_input_with_a_code(
    client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    theme = await client.get(card_path(mined["id"], "languages", "neon"))
    assert theme.status_code == 400
    assert theme.json()["errors"][0]["extensions"]["code"] == "INVALID_THEME"
    unknown = await client.get(card_path(mined["id"], "weather"))
    assert unknown.status_code == 404
    missing = await client.get("/portfolios/nope/cards/languages.svg")
    assert (missing.status_code, missing.json()["errors"][0]["extensions"]["code"]) == (
        404,
        "NOT_FOUND",
    )


HOSTILE = "<script>alert(1)</script> & <b>"


def test_names_that_are_markup_are_drawn_as_text() -> None:
    when = datetime(2024, 3, 1, tzinfo=UTC)
    profile = DeveloperProfile(
        languages_by_lines=(LanguageTotal(HOSTILE, 10, 1, 1),),
        languages_by_commits=(),
        frameworks=(),
        top_skills=(
            ProfileSkill(HOSTILE, SkillCategory.FRAMEWORKS, 0.5, Level.ADVANCED, 1, False),
        ),
        first_active=when,
        last_active=when,
        calendar={date(2024, 3, 1): 1},
    )
    for card in cards.Card:
        for theme in cards.Theme:
            svg = cards.render(card, theme, profile)
            root = parse(svg)
            assert {e.tag.removeprefix(SVG) for e in root.iter()} <= {
                "svg", "title", "desc", "rect", "text", "g"
            }  # fmt: skip
            assert "<script" not in svg
    skills = parse(cards.render(cards.Card.SKILLS, cards.Theme.LIGHT, profile))
    assert HOSTILE[:17] + "…" in [t.text for t in skills.iter(f"{SVG}text")]


CARDS = """query($id: ID!, $theme: CardTheme!) { portfolio(id: $id) {
    cards(theme: $theme) { kind theme url etag } } }"""


async def test_graphql_names_every_card_with_its_url_and_current_etag(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    for theme in ("LIGHT", "DARK"):
        listed = (await gql.data(CARDS, id=mined["id"], theme=theme))["portfolio"]["cards"]
        assert [(c["kind"], c["theme"]) for c in listed] == [
            ("LANGUAGES", theme),
            ("SKILLS", theme),
            ("ACTIVITY", theme),
        ]
        for card in listed:
            served = await fetch_card(client, card["url"])
            assert (served.status_code, served.headers["etag"]) == (200, card["etag"])
            assert f"theme={theme.lower()}" in card["url"]


async def test_the_cards_of_many_portfolios_cost_one_statement(
    db: Database, gql: GraphQLClient
) -> None:
    for n in range(3):
        await portfolio_with_projects(db, 2, name=f"p{n}")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await gql.data("{ portfolios(first: 10) { nodes { id } } }")
        base = len(statements)
        statements.clear()
        data = await gql.data("{ portfolios(first: 10) { nodes { id cards { etag } } } }")
        with_cards = len(statements)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert [len(p["cards"]) for p in data["portfolios"]["nodes"]] == [3, 3, 3]
    assert with_cards == base + 1  # the analysis stamps of all three portfolios, in one
