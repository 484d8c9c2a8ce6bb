"""Uploads as a client sends them over HTTP, and what a refused upload may leave behind."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import func, select

from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.settings import Settings
from tests.ingest.ingest_zipcraft import build_zip

PREFLIGHT = {"Apollo-Require-Preflight": "1"}

UPLOAD_PORTFOLIO = """
mutation($files: [Upload!], $uploadIds: [String!], $pid: ID, $name: String, $emails: [String!]) {
  uploadPortfolio(
    files: $files, uploadIds: $uploadIds, portfolioId: $pid, name: $name, userEmails: $emails
  ) {
    portfolio { id name userEmails }
    job { id status }
    userErrors { code message field }
  }
}
"""

TABLES = (models.Portfolio, models.UploadedZip, models.MiningJob)


def project_zip() -> bytes:
    """A ZIP of one plain folder (no git) with a Python file: a valid upload."""
    return build_zip([("project/main.py", b"def main():\n    return 1\n")])


def upload_variables(
    upload_ids: Sequence[str] | None = None,
    portfolio_id: str | None = None,
    name: str | None = None,
    user_emails: Sequence[str] | None = None,
) -> dict[str, Any]:
    return {
        "uploadIds": list(upload_ids) if upload_ids is not None else None,
        "pid": portfolio_id,
        "name": name,
        "emails": list(user_emails) if user_emails is not None else None,
    }


async def upload_portfolio(
    http: httpx.AsyncClient,
    files: Sequence[tuple[str, bytes]] = (),
    *,
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> httpx.Response:
    """uploadPortfolio as a GraphQL multipart request when there are files, else as JSON."""
    values = {"files": None, **upload_variables(**variables)}
    if not files:
        return await http.post(
            "/graphql", json={"query": UPLOAD_PORTFOLIO, "variables": values}, headers=headers
        )
    values["files"] = [None] * len(files)
    operations = {"query": UPLOAD_PORTFOLIO, "variables": values}
    mapping = {str(i): [f"variables.files.{i}"] for i in range(len(files))}
    parts = {str(i): (name, data, "application/zip") for i, (name, data) in enumerate(files)}
    return await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files=parts,
        headers=PREFLIGHT if headers is None else headers,
    )


async def post_upload(
    http: httpx.AsyncClient,
    body: bytes,
    filename: str = "portfolio.zip",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST /uploads: the ZIP as the raw request body."""
    sent = {"Content-Type": "application/zip", "X-Filename": filename}
    sent.update(PREFLIGHT if headers is None else headers)
    return await http.post("/uploads", content=body, headers=sent)


def leftovers(settings: Settings) -> list[str]:
    """Every file and folder (hidden ones too) under the uploads and extraction folders."""
    found = []
    for root in (settings.uploads_dir, settings.extracted_dir):
        for folder, dirs, files in os.walk(root):
            for entry in (*dirs, *files):
                found.append(os.path.relpath(os.path.join(folder, entry), settings.data_dir))
    return sorted(found)


async def row_counts(db: Database) -> dict[str, int]:
    """Rows in the tables an upload writes: portfolios, uploaded_zips, mining_jobs."""
    counts = {}
    async with db.read() as session:
        for model in TABLES:
            count = await session.scalar(select(func.count()).select_from(model))
            counts[model.__tablename__] = int(count or 0)
    return counts


NO_ROWS = {"portfolios": 0, "uploaded_zips": 0, "mining_jobs": 0}
