"""The portfolio and resume documents as one self-contained, printable HTML page each (the
portfolio's page inlines its SVG cards).

Jinja2 with autoescaping on renders the templates beside this module: every value is escaped,
so a project named `<script>` is text. The page loads nothing (its Content-Security-Policy
says so too): its one style sheet is inline, with a print style for A4.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
import markupsafe


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("graphql_api.present", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def resume_html(resume: dict[str, Any]) -> str:
    """A JSON Resume document (documents.json_resume) as HTML."""
    return _environment().get_template("resume.html.j2").render(**resume)


def portfolio_html(document: dict[str, Any], pictures: list[str]) -> str:
    """The portfolio document (documents.portfolio_document) as HTML, with `pictures` (SVG
    cards, already escaped by the element tree that wrote them) inlined as they are."""
    template = _environment().get_template("portfolio.html.j2")
    return template.render(**document, pictures=[markupsafe.Markup(svg) for svg in pictures])
