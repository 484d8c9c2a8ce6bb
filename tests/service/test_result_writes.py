"""A job's results are written in as many SQL statements for three projects as for one."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.jobs import persist
from mining.analyze import analyze_portfolio
from mining.pipeline import mine_tree
from mining.records import Identity, ProjectReport
from tests.factories import portfolio_with_projects
from tests.service.flows import ADA, build_portfolio


async def _write(db: Database, reports: list[ProjectReport], name: str) -> tuple[int, str]:
    """Write `reports` as a job's results into a new portfolio: the statements it took."""
    portfolio = await portfolio_with_projects(db, 0, name=name)
    analysis = analyze_portfolio(reports, Identity.of(ADA[1]), now=datetime.now(UTC))
    by_path = {p.path: p for p in analysis.projects}
    fresh = [
        persist.Fresh(r, by_path[r.path], persist.project_values(r, by_path[r.path]))
        for r in reports
    ]
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.write() as session:
            await persist.write_results(session, portfolio.id, fresh, reports, analysis)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    return len(statements), portfolio.id


async def _rows(db: Database, portfolio_id: str, model: Any) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model).join(models.RepoStat)
        return int(await session.scalar(query.where(models.RepoStat.portfolio_id == portfolio_id)))


CHILDREN = (
    models.ProjectSkill,
    models.UserProjectSkill,
    models.ProjectEvidence,
    models.UserRepoStat,
    models.ActivityMonth,
    models.ResumeItem,
)


async def test_results_of_three_projects_take_the_statements_of_one(
    db: Database, tmp_path: Path
) -> None:
    """Each table is written once for all the projects (a DELETE, an INSERT), not once per
    project: a portfolio of twenty repositories takes no more round trips than one of two;
    and the rows written for the three at once are those written for each alone."""
    upload = build_portfolio(tmp_path / "src", tmp_path / "home")
    async with contextlib.aclosing(mine_tree(upload, Identity.of(ADA[1]))) as mined:
        found = [r async for r in mined if isinstance(r, ProjectReport)]
    reports = sorted(found, key=lambda r: r.path)
    assert len(reports) == 3
    await _write(db, reports, "first")  # the skills catalogue filled: each write below reads it
    alone = [await _write(db, [report], report.path) for report in reports]
    three, together = await _write(db, reports, "three")
    # As many as the most any one takes (a table gets its INSERT when it has rows).
    assert three == max(statements for statements, _ in alone)
    for model in CHILDREN:
        each = [await _rows(db, portfolio_id, model) for _, portfolio_id in alone]
        assert await _rows(db, together, model) == sum(each), model.__name__
    async with db.read() as session:
        ranked = await session.scalars(
            select(models.RepoStat.ranking_position).where(models.RepoStat.portfolio_id == together)
        )
        assert sorted(ranked) == [1, 2, 3]
