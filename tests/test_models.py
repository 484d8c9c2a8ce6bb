"""Column policies: JSON validated before writing, UTC only, lazy loads refused."""

from __future__ import annotations

import json
import tracemalloc
from datetime import datetime

import jsonschema
import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import InvalidRequestError, StatementError
from sqlalchemy.orm import undefer

from graphql_api.db import json_schemas as js
from graphql_api.db import models
from graphql_api.db.engine import Database
from graphql_api.db.types import CheckedDict, ValidatedJSON, checked, checked_text
from tests.factories import owner_id, portfolio_with_projects


async def test_invalid_json_is_refused_and_nothing_is_written(db: Database) -> None:
    with pytest.raises(StatementError) as raised:
        async with db.write() as session:
            session.add(
                models.Portfolio(
                    name="bad", user_emails=["ok@example.com", 42], owner_id=await owner_id(session)
                )
            )
    assert isinstance(raised.value.orig, jsonschema.ValidationError)
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(models.Portfolio)) == 0


def test_json_checked_off_the_loop_is_checked_as_at_bind_time() -> None:
    good = {"authors": [{"name": "a", "email": "a@x", "commits": 1}], "bus_factor": 1}
    assert checked(good, js.COLLABORATION) == good
    with pytest.raises(jsonschema.ValidationError):
        checked({"authors": [{"name": "a"}]}, js.COLLABORATION)


async def test_json_checked_for_another_schema_is_checked_again(db: Database) -> None:
    emails = ValidatedJSON(js.EMAILS)
    with pytest.raises(jsonschema.ValidationError):  # checked as an object, bound as emails
        emails.process_bind_param(CheckedDict({"a": 1}, js.OBJECT), db.engine.dialect)


async def test_json_text_checked_off_the_loop_is_written_as_it_is(db: Database) -> None:
    """A report's text (checked_text) is bound as its maker encoded it, not decoded and
    encoded again; checked for another schema, it is decoded and checked for that one."""
    await portfolio_with_projects(db, 1, skills_per_project=0)
    text = '{"b":[1,2],"a":"\u00e9t\u00e9","n":null}'
    async with db.write() as session:
        project = (await session.scalars(select(models.RepoStat))).one()
        project.report = checked_text(text, js.OBJECT)  # type: ignore[assignment]
    async with db.read() as session:
        stored = await session.scalar(select(models.RepoStat.report))
        raw = (await session.execute(sql_text("SELECT report FROM repo_stats"))).scalar()
    assert stored == json.loads(text)
    if db.engine.dialect.name == "sqlite":
        assert raw == text
    with pytest.raises(TypeError, match="JSON object"):
        checked_text(" [1]", js.OBJECT)
    emails = ValidatedJSON(js.EMAILS)
    with pytest.raises(jsonschema.ValidationError):
        emails.process_bind_param(checked_text('{"a": 1}', js.OBJECT), db.engine.dialect)


def test_a_checked_text_is_checked_without_being_decoded() -> None:
    """Decoding a report's text to check it is an object built all of it in memory again (and
    held the GIL throughout): the check reads its first character."""
    text = json.dumps({"rows": [{"i": i} for i in range(100_000)]})  # 1.3 MB
    tracemalloc.start()
    try:
        checked = checked_text(text, js.OBJECT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert checked.text is text
    assert peak < len(text) // 100  # decoded, the rows took ~38 MB


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.write() as session:
            session.add(
                models.Artifact(name="a", path="/a", type="file", scanned_at=datetime(2024, 1, 1))
            )


async def test_datetimes_come_back_aware_utc(db: Database) -> None:
    await portfolio_with_projects(db, 1, skills_per_project=0)
    async with db.read() as session:
        project = (await session.scalars(select(models.RepoStat))).one()
    assert project.last_commit is not None
    assert project.last_commit.utcoffset() is not None
    assert project.last_commit.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


async def test_relationships_never_lazy_load(db: Database) -> None:
    await portfolio_with_projects(db, 1, skills_per_project=1)
    async with db.read() as session:
        project = (await session.scalars(select(models.RepoStat))).one()
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            _ = project.project_skills


async def test_unique_skill_per_project(db: Database) -> None:
    await portfolio_with_projects(db, 1, skills_per_project=1)
    async with db.read() as session:
        link = (await session.scalars(select(models.ProjectSkill))).one()
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with db.write() as session:
            session.add(models.ProjectSkill(repo_stat_id=link.repo_stat_id, skill_id=link.skill_id))


async def test_json_checked_off_the_loop_is_written_as_the_text_made_there(db: Database) -> None:
    authors = {"authors": [{"name": "a", "email": "a@x", "commits": 1}], "bus_factor": 1}
    value = checked(authors, js.COLLABORATION)
    assert json.loads(value.text) == authors
    value.text = json.dumps({**authors, "bus_factor": 2})  # the text is what binding writes
    await portfolio_with_projects(db, 1, skills_per_project=0)
    async with db.write() as session:
        project = (await session.scalars(select(models.RepoStat))).one()
        project.collaboration_metadata = value
    async with db.read() as session:
        stmt = select(models.RepoStat).options(undefer(models.RepoStat.collaboration_metadata))
        project = (await session.scalars(stmt)).one()
    assert project.collaboration_metadata == {**authors, "bus_factor": 2}
