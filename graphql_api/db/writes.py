"""Write operations used by mutations and jobs. Each takes the (write) session it runs in;
the caller's `Database.write()` block is the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api.db.models import (
    ApiToken,
    AuditEntry,
    Base,
    Consent,
    MiningJob,
    Owner,
    Portfolio,
    Question,
    RepoStat,
    RepresentationPrefs,
    Skill,
    UploadedZip,
    UserAnswer,
)
from graphql_api.db.types import utcnow


async def questions_by_key(session: AsyncSession, keys: Sequence[str]) -> dict[str, Question]:
    rows = await session.scalars(select(Question).where(Question.key.in_(keys)))
    return {row.key: row for row in rows}


async def save_answers(
    session: AsyncSession, answers: Sequence[tuple[Question, str]], *, owner_id: int
) -> list[UserAnswer]:
    rows = [
        UserAnswer(question_id=q.id, answer_text=text, owner_id=owner_id) for q, text in answers
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def add_consent(
    session: AsyncSession, level: str, llm_model: str | None, *, owner_id: int
) -> Consent:
    row = Consent(consent_level=level, llm_model=llm_model, owner_id=owner_id)
    session.add(row)
    await session.flush()
    return row


async def put_prefs(
    session: AsyncSession, portfolio_id: str, prefs: dict[str, Any], *, owner_id: int
) -> None:
    row = await session.get(RepresentationPrefs, portfolio_id)
    if row is None:
        session.add(
            RepresentationPrefs(portfolio_id=portfolio_id, prefs_json=prefs, owner_id=owner_id)
        )
    else:
        row.prefs_json = prefs
        row.updated_at = utcnow()


async def mark_deleted(session: AsyncSession, project: RepoStat, deleted: bool) -> RepoStat:
    project.deleted_at = utcnow() if deleted else None
    session.add(project)
    await session.flush()
    return project


# --- mining results ------------------------------------------------------------------------


async def skills_by_name(
    session: AsyncSession, wanted: Sequence[tuple[str, str]]
) -> dict[str, Skill]:
    """The catalogue rows for (name, category) pairs, created when missing.

    Several processes may add the same name at once (mining workers of QUEUE=postgres, or
    servers of WORKERS > 1): a missing name is inserted with ON CONFLICT DO NOTHING, which on
    PostgreSQL waits for a concurrent insert of it to commit; then every row is read."""
    names = sorted({name for name, _ in wanted})
    query = select(Skill).where(Skill.name.in_(names))
    found = {s.name: s for s in await session.scalars(query)}
    missing = {name: category for name, category in reversed(wanted) if name not in found}
    if missing:
        dialect = (await session.connection()).dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await session.execute(
            insert(Skill).on_conflict_do_nothing(index_elements=[Skill.name]),
            [{"name": name, "category": category} for name, category in missing.items()],
        )
        found = {s.name: s for s in await session.scalars(query)}
    return found


async def upsert_projects(
    session: AsyncSession, portfolio_id: str, values: Mapping[str, dict[str, Any]]
) -> dict[str, RepoStat]:
    """The projects of `portfolio_id` known by each key of `values` (a root commit, or a path),
    each updated in place with its values, or created: one read and one flush for them all.
    A soft-deleted project stays deleted."""
    if not values:
        return {}
    stmt = select(RepoStat).where(
        RepoStat.portfolio_id == portfolio_id, RepoStat.project_key.in_(list(values))
    )
    projects = {p.project_key: p for p in await session.scalars(stmt)}
    new = [key for key in values if key not in projects]  # created in the order given
    if new:
        owner_id = await session.scalar(
            select(Portfolio.owner_id).where(Portfolio.id == portfolio_id)
        )
        for key in new:
            projects[key] = RepoStat(portfolio_id=portfolio_id, project_key=key, owner_id=owner_id)
            session.add(projects[key])
    for key, columns in values.items():
        for name, value in columns.items():
            setattr(projects[key], name, value)
    await session.flush()
    return projects


async def replace_children(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[tuple[RepoStat, Sequence[dict[str, Any]]]],
    *,
    nulls: bool = False,
) -> None:
    """Replace every row of a per-project table (skills, evidence, user stats, ...) of each
    project by its rows, for all the projects at once: one DELETE, one INSERT (see
    insert_rows for `nulls`)."""
    if not rows:
        return
    ids = [project.id for project, _ in rows]
    await session.execute(delete(model).where(model.repo_stat_id.in_(ids)))  # type: ignore[attr-defined]
    children = [{"repo_stat_id": p.id, **row} for p, of_project in rows for row in of_project]
    await insert_rows(session, model, children, nulls=nulls)


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]], *, nulls: bool = False
) -> None:
    """Insert `rows` (column values; the columns' defaults fill the rest, row by row) as one
    executemany, reading nothing back: added as objects, each row whose key the ORM must
    learn was its own INSERT on SQLite (~140 round trips to the database's thread for a
    flask + requests portfolio, ~50 ms of the job's final transaction).

    A None is left to the column's default, so rows with None in different columns are
    INSERTs of their own, one per run of rows alike; with `nulls` (a model whose columns have
    no defaults) a None is written as NULL and all the rows are one INSERT."""
    if rows:
        statement = insert(model).execution_options(render_nulls=True) if nulls else insert(model)
        await session.execute(statement, list(rows))


async def save_ranking(
    session: AsyncSession, portfolio_id: str, ranking: dict[str, dict[str, Any]]
) -> None:
    """Write each project's score, components and showcase flag (keyed by project key);
    projects left out of the ranking (soft-deleted ones) lose their score."""
    now = utcnow()
    projects = await session.scalars(select(RepoStat).where(RepoStat.portfolio_id == portfolio_id))
    for project in projects:
        entry = ranking.get(project.project_key)
        project.ranking_score = None if entry is None else entry["score"]
        project.ranking_position = None if entry is None else entry["position"]
        project.ranking_components = [] if entry is None else entry["components"]
        project.showcased = False if entry is None else entry["showcased"]
        project.ranked_at = now
    await session.flush()


async def lock_job(session: AsyncSession, job_id: int) -> MiningJob:
    """The job as it is now, locked until the transaction ends (SQLite's BEGIN IMMEDIATE
    already serialises writers; PostgreSQL needs FOR UPDATE)."""
    stmt = select(MiningJob).where(MiningJob.id == job_id)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one()


async def update_job(session: AsyncSession, job_id: int, **values: Any) -> MiningJob:
    """Set the named columns of the job as it is now in the database, never writing back a
    stale copy's other columns (a status another task set meanwhile, cancel_requested)."""
    job = await lock_job(session, job_id)
    for name, value in values.items():
        setattr(job, name, value)
    job.updated_at = utcnow()
    await session.flush()
    return job


async def projects_of(
    session: AsyncSession, portfolio_id: str, keys: Sequence[str]
) -> list[RepoStat]:
    stmt = select(RepoStat).where(
        RepoStat.portfolio_id == portfolio_id, RepoStat.project_key.in_(keys)
    )
    return list((await session.scalars(stmt)).all())


async def owner_named(session: AsyncSession, name: str) -> Owner:
    """The owner called `name`, created when missing (LOCAL_OWNER is the one a server
    without REQUIRE_AUTH acts for)."""
    owner = (await session.scalars(select(Owner).where(Owner.name == name))).one_or_none()
    if owner is None:
        owner = Owner(name=name)
        session.add(owner)
        await session.flush()
    return owner


async def revoke_token(session: AsyncSession, token_id: int) -> ApiToken | None:
    """Mark a live token revoked; None when there is no such token or it was revoked."""
    stmt = select(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    row = (await session.scalars(stmt)).one_or_none()
    if row is not None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


async def add_audit(
    session: AsyncSession,
    owner_id: int,
    token_id: int | None,
    operation: str,
    object_id: str | None,
    outcome: str,
) -> AuditEntry:
    """One audit entry (graphql_api/audit.py says which operations write one)."""
    entry = AuditEntry(
        owner_id=owner_id,
        token_id=token_id,
        operation=operation[:100],
        object_id=None if object_id is None else object_id[:200],
        outcome=outcome[:60],
    )
    session.add(entry)
    await session.flush()
    return entry


async def amend_audit(
    session: AsyncSession, entry_id: int, object_id: str | None, outcome: str
) -> None:
    """Complete an entry written before its mutation knew what it made or how it ended."""
    values = {"object_id": None if object_id is None else object_id[:200], "outcome": outcome[:60]}
    await session.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(**values))


async def touch_token(session: AsyncSession, token_id: int, when: datetime) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))


async def lock_owner(session: AsyncSession, owner_id: int) -> None:
    """Hold the owner's row until the transaction ends, so that quota checks of one owner run
    one at a time (SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs FOR
    UPDATE)."""
    if session.get_bind().dialect.name != "sqlite":
        await session.execute(select(Owner.id).where(Owner.id == owner_id).with_for_update())


async def mark_mined(session: AsyncSession, upload_ids: Sequence[int], *, owner_id: int) -> None:
    """Uploads a job's results now include (those marked before keep their first date)."""
    if not upload_ids:
        return
    await session.execute(
        update(UploadedZip)
        .where(
            UploadedZip.id.in_(upload_ids),
            UploadedZip.owner_id == owner_id,
            UploadedZip.mined_at.is_(None),
        )
        .values(mined_at=utcnow())
    )
