"""Exports: a portfolio or its resume as JSON, Markdown or HTML, tracked in the exports table
and downloaded from GET /exports/{id}. The file is written to a temporary name and renamed, so a
download never sees half a file; a failure leaves the row `failed` with the reason.

What each (kind, format) is:
- portfolio, json: our portfolio document (graphql_api/present/documents.py);
- resume, json: a JSON Resume (jsonresume.org schema);
- markdown and html: the same document of the kind, as CommonMark or a self-contained,
  printable page.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from graphql_api.db import models, queries
from graphql_api.db.states import ExportStatus
from graphql_api.db.types import utcnow
from graphql_api.ingest.errors import is_disk_full
from graphql_api.jobs.service import Services
from graphql_api.leftovers import hold
from graphql_api.present import cards, content, documents, html, markdown

log = logging.getLogger("graphql_api.exports")

KINDS = ("resume", "portfolio")
FORMATS = {
    "json": ("json", "application/json"),
    "markdown": ("md", "text/markdown; charset=utf-8"),
    "html": ("html", "text/html; charset=utf-8"),
}


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _resume_json(view: content.PortfolioView) -> str:
    return _json(documents.json_resume(view))


def _portfolio_json(view: content.PortfolioView) -> str:
    return _json(documents.portfolio_document(view))


def _resume_markdown(view: content.PortfolioView) -> str:
    return markdown.resume_markdown(documents.json_resume(view))


def _portfolio_markdown(view: content.PortfolioView) -> str:
    return markdown.portfolio_markdown(documents.portfolio_document(view))


def _resume_html(view: content.PortfolioView) -> str:
    return html.resume_html(documents.json_resume(view))


def _portfolio_html(view: content.PortfolioView) -> str:
    """The portfolio page, with the profile's cards inlined (it loads nothing)."""
    return html.portfolio_html(documents.portfolio_document(view), cards.render_all(view.profile))


_RENDERERS: dict[tuple[str, str], Callable[[content.PortfolioView], str]] = {
    ("resume", "json"): _resume_json,
    ("portfolio", "json"): _portfolio_json,
    ("resume", "markdown"): _resume_markdown,
    ("portfolio", "markdown"): _portfolio_markdown,
    ("resume", "html"): _resume_html,
    ("portfolio", "html"): _portfolio_html,
}


def render(view: content.PortfolioView, kind: str, fmt: str) -> str:
    """The text of one export of the portfolio (CPU only: run it off the event loop)."""
    return _RENDERERS[kind, fmt](view)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    try:
        with partial.open("w", encoding="utf-8") as file:
            hold(file.fileno())  # a start-up sweep removes it only once we are gone
            file.write(text)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)  # a full disk must not keep what it half wrote
        raise


# What a failed export says (its `error`), by the code its creator is told; no server path.
FAILURES = {
    "DISK_FULL": "no space left on the server to write the export",
    "INTERNAL": "an unexpected error stopped the export (see the server log)",
}


def failure_code(row: models.Export) -> str | None:
    """The code of a failed export (DISK_FULL or INTERNAL); None unless it failed."""
    if row.status != ExportStatus.FAILED:
        return None
    return next((code for code, text in FAILURES.items() if text == row.error), "INTERNAL")


async def create_export(
    services: Services, portfolio_id: str, owner_id: int, kind: str, fmt: str
) -> models.Export:
    """Write the export of the owner's portfolio (checked by the caller) and record it."""
    db = services.db
    async with db.write() as session:
        row = models.Export(
            portfolio_id=portfolio_id, owner_id=owner_id, export_type=kind, format=fmt
        )
        session.add(row)
    extension, _ = FORMATS[fmt]
    path = services.settings.exports_dir / f"{row.uid}.{extension}"
    try:
        view = await content.gather(services, portfolio_id, owner_id=owner_id)
        if view is None:  # deleted since the caller checked it
            raise LookupError("the portfolio is gone")
        text = await anyio.to_thread.run_sync(render, view, kind, fmt)
        await anyio.to_thread.run_sync(_write_atomically, path, text)
    except Exception as exc:
        log.exception("export %s failed", row.uid)
        code = "DISK_FULL" if is_disk_full(exc) else "INTERNAL"
        values: dict[str, Any] = {"status": ExportStatus.FAILED, "error": FAILURES[code]}
    else:
        values = {"status": ExportStatus.COMPLETED, "path": str(path), "completed_at": utcnow()}
    async with db.write() as session:
        row = await session.merge(row)
        for name, value in values.items():
            setattr(row, name, value)
    return row


async def export_file(services: Services, uid: str, owner_id: int) -> tuple[Path, str] | None:
    """The file of the owner's completed export, or None (missing, another's, unfinished)."""
    async with services.db.read() as session:
        row = await queries.by_uid(session, models.Export, uid, owner_id=owner_id)
    if row is None or row.status != ExportStatus.COMPLETED or row.path is None:
        return None
    return Path(row.path), FORMATS[row.format][1]
