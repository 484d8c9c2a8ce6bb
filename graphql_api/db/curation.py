"""Reads and writes of what the user curates by hand: thumbnails, roles, their own evidence and
resume items, and the generated rows they dismissed; plus the read-back of stored inputs
(answers, preferences, uploads).

Every read takes the owner and filters by it in SQL (`queries.owned_by`), as in queries.py.

Generated rows and the user's own live side by side:
- Evidence: `origin` "mined" rows are replaced by each mining of the project (minus the
  dismissed ones); "user" rows are the user's and only the user adds or deletes them.
- Resume items: generated ones carry `generated_key` (their generated title) and are updated
  in place by a regeneration, keeping their uid; an item the user edited (`edited`) or added
  is never touched by a regeneration.
- Deleting a generated row (mined evidence, a generated resume item) deletes it and records
  its key in dismissed_items, so no later mining or regeneration brings it back; a mined
  sentence that changes (new figures after more commits) is new evidence and shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from graphql_api.db.models import (
    DismissedItem,
    ProjectEvidence,
    ProjectThumbnail,
    Question,
    RepoStat,
    RepresentationPrefs,
    ResumeItem,
    UploadedZip,
    UserAnswer,
)
from graphql_api.db.queries import owned_by
from graphql_api.db.writes import insert_rows

MINED, USER = "mined", "user"
EVIDENCE, RESUME_ITEM = "evidence", "resume_item"


def evidence_key(type_: str, content: str) -> str:
    return hashlib.sha256(f"{type_}\x00{content}".encode()).hexdigest()


def resume_key(generated_key: str) -> str:
    return hashlib.sha256(generated_key.encode()).hexdigest()


async def _dismissed(
    session: AsyncSession, project_ids: Sequence[int], kind: str
) -> dict[int, set[str]]:
    """The keys of the rows of `kind` the user dismissed, of each project (one query)."""
    stmt = select(DismissedItem.repo_stat_id, DismissedItem.key).where(
        DismissedItem.repo_stat_id.in_(project_ids), DismissedItem.kind == kind
    )
    found: dict[int, set[str]] = {project_id: set() for project_id in project_ids}
    for project_id, key in await session.execute(stmt):
        found[project_id].add(key)
    return found


async def _dismiss(session: AsyncSession, project_id: int, kind: str, key: str) -> None:
    if key not in (await _dismissed(session, [project_id], kind))[project_id]:
        session.add(DismissedItem(repo_stat_id=project_id, kind=kind, key=key))


# --- evidence --------------------------------------------------------------------------------


async def replace_mined_evidence(
    session: AsyncSession, rows: Sequence[tuple[RepoStat, Sequence[dict[str, Any]]]]
) -> None:
    """Each project's mined evidence replaced by its rows (type, content, source, date),
    leaving the user's own evidence and the rows the user dismissed out: for all the
    projects at once."""
    if not rows:
        return
    ids = [project.id for project, _ in rows]
    dismissed = await _dismissed(session, ids, EVIDENCE)
    await session.execute(
        delete(ProjectEvidence).where(
            ProjectEvidence.repo_stat_id.in_(ids), ProjectEvidence.origin == MINED
        )
    )
    kept = [
        {"repo_stat_id": project.id, "origin": MINED, **row}
        for project, evidence in rows
        for row in evidence
        if evidence_key(row["type"], row["content"]) not in dismissed[project.id]
    ]
    await insert_rows(session, ProjectEvidence, kept)


async def add_evidence(
    session: AsyncSession, project: RepoStat, type_: str, content: str, when: date | None
) -> ProjectEvidence:
    row = ProjectEvidence(
        repo_stat_id=project.id, type=type_, content=content, source=USER, date=when, origin=USER
    )
    session.add(row)
    await session.flush()
    return row


async def delete_evidence(session: AsyncSession, row: ProjectEvidence) -> None:
    """Delete it; mined evidence is also dismissed (mining again leaves it out)."""
    if row.origin == MINED:
        await _dismiss(session, row.repo_stat_id, EVIDENCE, evidence_key(row.type, row.content))
    await session.delete(row)
    await session.flush()


# --- resume items ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Generated:
    """One generated bullet, in the order generation gave them."""

    title: str
    content: str
    category: str


async def merge_resume_items(
    session: AsyncSession, generated: Sequence[tuple[RepoStat, Sequence[Generated]]]
) -> None:
    """Write a regeneration of each project's items: each generated bullet updates its
    unedited row in place (same uid) or is inserted; unedited rows no longer generated go;
    edited and added rows stay; dismissed bullets stay out. For all the projects at once."""
    if not generated:
        return
    ids = [project.id for project, _ in generated]
    stmt = select(ResumeItem).where(ResumeItem.repo_stat_id.in_(ids))
    rows: dict[int, list[ResumeItem]] = {project_id: [] for project_id in ids}
    for row in await session.scalars(stmt):
        rows[row.repo_stat_id].append(row)
    dismissed = await _dismissed(session, ids, RESUME_ITEM)
    for project, items in generated:
        await _merge_generated(session, project, items, rows[project.id], dismissed[project.id])
    await session.flush()


async def _merge_generated(
    session: AsyncSession,
    project: RepoStat,
    generated: Sequence[Generated],
    rows: list[ResumeItem],
    dismissed: set[str],
) -> None:
    """One project's regeneration (merge_resume_items), its rows and dismissed keys read."""
    by_key = {row.generated_key: row for row in rows if row.generated_key is not None}
    wanted = set()
    for position, item in enumerate(generated):
        if resume_key(item.title) not in dismissed:
            wanted.add(item.title)
            _write_generated(session, project, by_key.get(item.title), item, position)
    for row in rows:
        if row.generated_key is not None and not row.edited and row.generated_key not in wanted:
            await session.delete(row)


def _write_generated(
    session: AsyncSession,
    project: RepoStat,
    row: ResumeItem | None,
    item: Generated,
    position: int,
) -> None:
    """One generated bullet into its row, a new one when it has none; a row the user edited
    keeps what they wrote."""
    if row is None:
        row = ResumeItem(repo_stat_id=project.id, generated_key=item.title)
        session.add(row)
    elif row.edited:
        return
    row.title, row.content, row.category, row.position = (
        item.title,
        item.content,
        item.category,
        position,
    )


async def add_resume_item(
    session: AsyncSession,
    project: RepoStat,
    *,
    title: str,
    content: str,
    category: str,
    position: int | None,
) -> ResumeItem:
    """The user's own item; without a position, after the project's other items."""
    if position is None:
        last = await session.scalar(
            select(func.max(ResumeItem.position)).where(ResumeItem.repo_stat_id == project.id)
        )
        position = 0 if last is None else last + 1
    row = ResumeItem(
        repo_stat_id=project.id,
        title=title,
        content=content,
        category=category,
        position=position,
        edited=True,
    )
    session.add(row)
    await session.flush()
    return row


async def update_resume_item(session: AsyncSession, row: ResumeItem, **values: Any) -> ResumeItem:
    """Set the given columns; the item is the user's from now on (`edited`)."""
    for name, value in values.items():
        setattr(row, name, value)
    row.edited = True
    await session.flush()
    return row


async def delete_resume_item(session: AsyncSession, row: ResumeItem) -> None:
    """Delete it; a generated item is also dismissed (regenerating leaves it out)."""
    if row.generated_key is not None:
        await _dismiss(session, row.repo_stat_id, RESUME_ITEM, resume_key(row.generated_key))
    await session.delete(row)
    await session.flush()


# --- thumbnails ------------------------------------------------------------------------------


async def put_thumbnail(
    session: AsyncSession,
    project: RepoStat,
    *,
    data: bytes,
    media_type: str,
    width: int,
    height: int,
    sha256: str,
) -> ProjectThumbnail:
    """The project's picture replaced (a new uid, so its URL changes with it)."""
    await clear_thumbnail(session, project)
    row = ProjectThumbnail(
        repo_stat_id=project.id,
        owner_id=project.owner_id,
        data=data,
        media_type=media_type,
        width=width,
        height=height,
        sha256=sha256,
    )
    session.add(row)
    await session.flush()
    project.thumbnail_url = f"/thumbnails/{row.uid}"
    await session.flush()
    return row


async def clear_thumbnail(session: AsyncSession, project: RepoStat) -> None:
    await session.execute(
        delete(ProjectThumbnail).where(ProjectThumbnail.repo_stat_id == project.id)
    )
    project.thumbnail_url = None
    await session.flush()


async def thumbnail(session: AsyncSession, uid: str, *, owner_id: int) -> ProjectThumbnail | None:
    """The owner's thumbnail with its bytes; another owner's reads as missing."""
    stmt = (
        select(ProjectThumbnail)
        .options(undefer(ProjectThumbnail.data))
        .where(ProjectThumbnail.uid == uid, owned_by(ProjectThumbnail, owner_id))
    )
    return (await session.scalars(stmt)).one_or_none()


# --- read-back -------------------------------------------------------------------------------


async def latest_answers(
    session: AsyncSession, *, owner_id: int
) -> list[tuple[UserAnswer, Question]]:
    """The owner's newest answer to each question, in the questions' order."""
    newest = (
        select(func.max(UserAnswer.id))
        .where(owned_by(UserAnswer, owner_id))
        .group_by(UserAnswer.question_id)
    )
    stmt = (
        select(UserAnswer, Question)
        .join(Question, Question.id == UserAnswer.question_id)
        .where(UserAnswer.id.in_(newest), owned_by(UserAnswer, owner_id))
        .order_by(Question.order, Question.id)
    )
    return [(answer, question) for answer, question in (await session.execute(stmt)).all()]


async def prefs_by_portfolio(
    session: AsyncSession, portfolio_ids: Sequence[str], *, owner_id: int
) -> list[RepresentationPrefs]:
    stmt = select(RepresentationPrefs).where(
        RepresentationPrefs.portfolio_id.in_(portfolio_ids),
        owned_by(RepresentationPrefs, owner_id),
    )
    return list((await session.scalars(stmt)).all())


async def uploads_by_portfolio(
    session: AsyncSession, portfolio_ids: Sequence[str], *, owner_id: int
) -> list[UploadedZip]:
    """The ZIPs of many of the owner's portfolios, oldest first."""
    stmt = (
        select(UploadedZip)
        .where(UploadedZip.portfolio_id.in_(portfolio_ids), owned_by(UploadedZip, owner_id))
        .order_by(UploadedZip.uploaded_at, UploadedZip.id)
    )
    return list((await session.scalars(stmt)).all())
