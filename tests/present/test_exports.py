"""Every export, downloaded through HTTP and parsed: the JSON Resume against its published
schema, the portfolio JSON against the profile it states, the Markdown by a CommonMark parser,
the HTML by an HTML5 parser; each distinct, none letting a project named with markup through."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import html5lib
import httpx
import jsonschema
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.conftest import GraphQLClient
from tests.present.conftest import HOSTILE
from tests.service.flows import PROFILE

SCHEMA = json.loads((Path(__file__).parent / "jsonresume" / "schema.json").read_text())
EXPORT = """mutation($id: ID!, $kind: ExportKind!, $format: ExportFormat!) {
    createExport(portfolioId: $id, kind: $kind, format: $format) {
      export { status format url } userErrors { code field } } }"""
RANKED = "query($id: ID!) { portfolio(id: $id) { projects { nodes { projectName } } } }"


async def download(
    gql: GraphQLClient, client: httpx.AsyncClient, pid: str, kind: str, fmt: str
) -> httpx.Response:
    created = await gql.data(EXPORT, id=pid, kind=kind.upper(), format=fmt.upper())
    assert created["createExport"]["userErrors"] == []
    response = await client.get(created["createExport"]["export"]["url"])
    assert response.status_code == 200
    return response


async def _profile(gql: GraphQLClient, pid: str) -> dict[str, Any]:
    profile: dict[str, Any] = (await gql.data(PROFILE, id=pid))["portfolio"]["profile"]
    profile["calendar"] = {day["date"]: day["commits"] for day in profile["calendar"]}
    for skill in profile["top_skills"]:  # the enum's name (EXPERT), shown as its value
        skill["level"] = skill["level"].capitalize()
    return profile


def _closed(schema: Any) -> Any:
    """The schema with no property it does not name allowed anywhere: our export may use
    only the fields JSON Resume defines (the published schema lets any others through)."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in schema:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


async def test_the_json_resume_is_valid_against_the_published_schema(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    response = await download(gql, client, mined["id"], "resume", "json")
    assert response.headers["content-type"] == "application/json"
    resume = response.json()
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    jsonschema.Draft7Validator(SCHEMA, format_checker=checker).validate(resume)
    jsonschema.Draft7Validator(_closed(copy.deepcopy(SCHEMA)), format_checker=checker).validate(
        resume
    )

    assert resume["basics"]["name"] == "Ada Lovelace"  # the name on her commits
    assert resume["basics"]["email"] == "ada@example.com"
    assert resume["basics"]["summary"].startswith("6 commits on 6 days")  # 2 + 1 + 1 + 2
    # The shared repository where her part is core is work; her own repositories projects.
    assert [w["name"] for w in resume["work"]] == ["web"]
    assert resume["work"][0]["position"] == "Core Contributor"
    assert {p["name"] for p in resume["projects"]} == {"service", "tool", HOSTILE}
    service = next(p for p in resume["projects"] if p["name"] == "service")
    assert service["startDate"] == "2023-11-14"
    assert service["keywords"] == ["Python", "Flask", "Testing"]
    assert len(service["highlights"]) >= 2

    profile = await _profile(gql, mined["id"])
    assert [(s["name"], s["level"]) for s in resume["skills"]] == [
        (s["name"], s["level"]) for s in profile["top_skills"]
    ]
    python = next(s for s in resume["skills"] if s["name"] == "Python")
    assert python["keywords"] == ["languages", "service", HOSTILE]


async def test_the_portfolio_json_states_the_base_of_every_share(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    document = (await download(gql, client, mined["id"], "portfolio", "json")).json()
    profile = await _profile(gql, mined["id"])
    lines = {lang["name"]: lang["lines"] for lang in profile["languages_by_lines"]}
    base = sum(lines.values())
    assert [(lang["name"], lang["lines"]) for lang in document["profile"]["languages"]] == list(
        lines.items()
    )
    for lang in document["profile"]["languages"]:
        assert lang["sharePercent"] == round(100 * lines[lang["name"]] / base, 1)
    assert "lines added + deleted by the user" in document["profile"]["languageShareBase"]

    ranked = (await gql.data(RANKED, id=mined["id"]))["portfolio"]["projects"]["nodes"]
    assert [p["name"] for p in document["projects"]] == [p["projectName"] for p in ranked]
    web = next(p for p in document["projects"] if p["name"] == "web")
    assert web["collaborative"] is True
    assert web["user"]["commits"] == 1  # of the repository's 3
    assert web["totalCommits"] == 3
    assert document["portfolio"]["person"] == "Ada Lovelace"


def _text(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type == "text")


def _markdown(text: str) -> tuple[list[Token], dict[str, list[str]]]:
    tokens = MarkdownIt("commonmark").parse(text)
    headings: dict[str, list[str]] = {}
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open":
            headings.setdefault(opening.tag, []).append(_text(inline))
    return tokens, headings


def _inline_types(tokens: list[Token]) -> set[str]:
    found = {t.type for t in tokens}
    for token in tokens:
        found |= {child.type for child in token.children or []}
    return found


async def test_the_markdown_exports_parse_to_their_sections(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    resume = await download(gql, client, mined["id"], "resume", "markdown")
    assert resume.headers["content-type"] == "text/markdown; charset=utf-8"
    tokens, headings = _markdown(resume.text)
    assert headings["h1"] == ["Ada Lovelace"]
    assert headings["h2"] == ["Skills", "Experience", "Projects"]
    assert headings["h3"] == ["web", "service", "tool", HOSTILE]
    items = [_text(t) for t in tokens if t.type == "inline"]
    assert f"Python: Beginner (languages, service, {HOSTILE})" in items
    # The project named with markup is text: no HTML, link, image or emphasis came of it.
    assert _inline_types(tokens).isdisjoint({"html_inline", "html_block", "link_open", "image"})

    portfolio = await download(gql, client, mined["id"], "portfolio", "markdown")
    tokens, headings = _markdown(portfolio.text)
    assert headings["h2"] == ["Profile", "Projects"]
    ranked = (await gql.data(RANKED, id=mined["id"]))["portfolio"]["projects"]["nodes"]
    assert headings["h3"] == [f"{n}. {p['projectName']}" for n, p in enumerate(ranked, start=1)]
    assert _inline_types(tokens).isdisjoint({"html_inline", "html_block", "link_open", "image"})
    bullets = [_text(t) for t in tokens if t.type == "inline"]
    assert any(
        b.startswith("Languages (share of the user's changed lines): Python") for b in bullets
    )


SVG = "{http://www.w3.org/2000/svg}"
EXTERNAL = ("script", "link", "img", "iframe", "object", "embed", "video", "audio", "source")


def _parse_html(text: str) -> Any:
    """The page as an element tree; html5lib in strict mode raises on any parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def _assert_self_contained(page: Any) -> None:
    assert [e.tag for e in page.iter() if e.tag in EXTERNAL] == []
    assert [e.tag for e in page.iter() if "src" in e.attrib] == []
    assert [e.get("href") for e in page.iter() if not e.get("href", "#").startswith("#")] == []
    style = "".join(e.text or "" for e in page.iter("style"))
    assert "url(" not in style
    assert "@import" not in style
    assert "@media print" in style
    policy = [e.get("content") for e in page.iter("meta") if e.get("http-equiv")]
    assert policy == ["default-src 'none'; style-src 'unsafe-inline'"]


@pytest.mark.parametrize("kind", ["resume", "portfolio"])
async def test_the_html_exports_are_self_contained_printable_pages(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any], kind: str
) -> None:
    response = await download(gql, client, mined["id"], kind, "html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        response.headers["content-security-policy"]
        == "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    page = _parse_html(response.text)
    _assert_self_contained(page)
    titles = ["".join(h.itertext()) for h in page.iter("h3")]
    # The hostile name is one heading's text, not an element: no handler anywhere.
    assert [e.tag for e in page.iter() for name in e.attrib if name.startswith("on")] == []
    assert any(t.endswith(HOSTILE) for t in titles)
    pictures = [e.findtext(f"{SVG}title") for e in page.iter(f"{SVG}svg")]
    element_ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(element_ids) == len(set(element_ids))
    if kind == "resume":
        assert "".join(page.find(".//h1").itertext()) == "Ada Lovelace"
        assert [s.get("id") for s in page.iter("section")] == ["skills", "experience", "projects"]
        assert pictures == []
    else:
        # The cards, inlined: the page still loads nothing.
        assert pictures == ["Top languages", "Top skills", "Activity: 6 commits on 6 days"]
        rows = page.findall(".//table[@id='languages']/tbody/tr")[1:]  # after the header row
        assert ["".join(row.find("td").itertext()) for row in rows] == [
            "Python",
            "Go",
            "JavaScript",
        ]


async def test_every_export_is_its_own_document(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    bodies = {
        (kind, fmt): (await download(gql, client, mined["id"], kind, fmt)).content
        for kind in ("resume", "portfolio")
        for fmt in ("json", "markdown", "html")
    }
    assert len(set(bodies.values())) == 6


async def test_a_bad_kind_or_format_is_refused(gql: GraphQLClient, mined: dict[str, Any]) -> None:
    bad = await gql(EXPORT, id=mined["id"], kind="cv", format="pdf")
    assert bad["data"] is None
    assert [e["message"] for e in bad["errors"]] == [
        "Variable '$kind' has invalid value: Value 'cv' does not exist in 'ExportKind' enum.",
        "Variable '$format' has invalid value: Value 'pdf' does not exist in 'ExportFormat' enum.",
    ]


CURATE = """mutation($service: ID!, $web: ID!) {
  award: addEvidence(projectId: $service, type: AWARD, content: "Best <tool> of 2024",
                     date: "2024-05-01") { userErrors { code } }
  feedback: addEvidence(projectId: $web, type: FEEDBACK, content: "Her reviews were *great*")
    { userErrors { code } }
  role: setProjectRole(projectId: $web, role: "Tech lead") { userErrors { code } }
}"""
PROJECT_IDS = "query($id: ID!) { portfolio(id: $id) { projects { nodes { id projectName } } } }"


async def test_the_exports_show_what_the_user_curated(
    gql: GraphQLClient, client: httpx.AsyncClient, mined: dict[str, Any]
) -> None:
    listed = (await gql.data(PROJECT_IDS, id=mined["id"]))["portfolio"]["projects"]["nodes"]
    project = {p["projectName"]: p["id"] for p in listed}
    done = await gql.data(CURATE, service=project["service"], web=project["web"])
    assert all(payload["userErrors"] == [] for payload in done.values())

    resume = (await download(gql, client, mined["id"], "resume", "json")).json()
    jsonschema.Draft7Validator(_closed(copy.deepcopy(SCHEMA))).validate(resume)
    assert resume["work"][0]["position"] == "Tech lead"  # the user's word over the mined role
    assert resume["awards"] == [
        {"title": "Best <tool> of 2024", "date": "2024-05-01", "summary": "For service"}
    ]
    assert resume["references"] == [
        {"name": "Feedback on web", "reference": "Her reviews were *great*"}
    ]

    tokens, headings = _markdown(
        (await download(gql, client, mined["id"], "resume", "markdown")).text
    )
    assert headings["h2"] == ["Skills", "Experience", "Projects", "Awards", "References"]
    texts = [_text(t) for t in tokens if t.type == "inline"]
    assert "Best <tool> of 2024 (2024-05-01): For service" in texts
    assert "Feedback on web: Her reviews were *great*" in texts  # no emphasis made of it

    page = _parse_html((await download(gql, client, mined["id"], "resume", "html")).text)
    assert [s.get("id") for s in page.iter("section")][-2:] == ["awards", "references"]
    assert "".join(page.find(".//section[@id='awards']/ul/li").itertext()) == (
        "Best <tool> of 2024 (2024-05-01): For service"
    )

    document = (await download(gql, client, mined["id"], "portfolio", "json")).json()
    service = next(p for p in document["projects"] if p["name"] == "service")
    award = next(e for e in service["evidence"] if e["origin"] == "user")
    assert (award["type"], award["content"], award["date"]) == (
        "award",
        "Best <tool> of 2024",
        "2024-05-01",
    )
    assert {e["origin"] for e in service["evidence"]} == {"mined", "user"}
