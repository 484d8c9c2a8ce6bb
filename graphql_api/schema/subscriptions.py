"""Subscriptions: live mining and ranking progress (graphql-transport-ws, and graphql-ws).

Each stream first sends the current state from the database (a late subscriber catches up),
then every event of the job until it ends. The websocket's context lives for the whole
connection, so loaders are created per event. When the client goes away, Strawberry cancels
the generator and the bus subscription is removed with it: no task is left behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator

import strawberry

from graphql_api.db import models, queries
from graphql_api.db.states import TERMINAL, JobStage, JobStatus
from graphql_api.jobs.bus import Resync
from graphql_api.jobs.events import EventKind, JobEvent, RankEntry, job_topic, portfolio_topic
from graphql_api.schema import ids
from graphql_api.schema.args import First, Id, PortfolioId
from graphql_api.schema.context import Info
from graphql_api.schema.errors import ApiError
from graphql_api.schema.loaders import Loaders
from graphql_api.schema.portfolio import MiningJobType
from graphql_api.schema.types import FIRST_OF_LIST, RepoStatType, list_size


@strawberry.type(name="RankingEntry", description="A project's place in a ranking.")
class RankingEntryType:
    name: str = strawberry.field(description="The project's name.")
    path: str = strawberry.field(description="The project's path in the uploads.")
    score: float = strawberry.field(description="Its ranking score, 0..1.")
    position: int = strawberry.field(description="Its place, from 1.")
    _uid: strawberry.Private[str | None]
    _loaders: strawberry.Private[Loaders]

    @strawberry.field(description="The project; null until it is saved (provisional rankings).")
    async def project(self) -> RepoStatType | None:
        if self._uid is None:
            return None
        row = await self._loaders.project_by_uid.load(self._uid)
        return None if row is None else RepoStatType.from_model(row)


@strawberry.type(name="RankingProgress", description="One progress event of a mining job.")
class RankingProgressType:
    kind: EventKind = strawberry.field(description="What the event reports.")
    job_id: strawberry.ID = strawberry.field(description="The job's ID.")
    status: JobStatus = strawberry.field(description="The job's status.")
    stage: JobStage = strawberry.field(description="The job's stage.")
    completed: int = strawberry.field(description="Repositories done so far.")
    total: int = strawberry.field(description="Repositories to mine in all.")
    repository: str | None = strawberry.field(
        description="The repository just finished (REPOSITORY events)."
    )
    repository_error: str | None = strawberry.field(
        description="Its error code, when it was not mined."
    )
    final: bool = strawberry.field(description="The job has ended: nothing more will come.")
    _ranking: strawberry.Private[list[RankingEntryType]]

    @strawberry.field(description="Best first. " + FIRST_OF_LIST)
    def ranking(self, info: Info, first: First = None) -> list[RankingEntryType]:
        return self._ranking[: list_size(info, first)]

    @classmethod
    def from_event(cls, event: JobEvent, loaders: Loaders) -> RankingProgressType:
        return cls(
            kind=event.kind,
            job_id=strawberry.ID(ids.encode("MiningJob", event.job_uid)),
            status=JobStatus(event.status),
            stage=JobStage(event.stage),
            completed=event.completed,
            total=event.total,
            repository=event.repository,
            repository_error=event.repository_error,
            _ranking=[_entry(entry, loaders) for entry in event.ranking],
            final=event.final,
        )


def _entry(entry: RankEntry, loaders: Loaders) -> RankingEntryType:
    return RankingEntryType(
        name=entry.name,
        path=entry.path,
        score=entry.score,
        position=entry.position,
        _uid=entry.project_uid,
        _loaders=loaders,
    )


def _snapshot(job: models.MiningJob, projects: list[models.RepoStat]) -> JobEvent:
    return JobEvent.of(
        job,
        EventKind.SNAPSHOT,
        repository=job.current,
        ranking=tuple(
            RankEntry(p.uid, p.project_name, p.project_path, p.ranking_score, p.ranking_position)
            for p in projects
            if p.ranking_score is not None and p.ranking_position is not None
        ),
        final=job.status in TERMINAL,
    )


@strawberry.type(
    description="Live progress, over a websocket (graphql-transport-ws or graphql-ws)."
)
class Subscription:
    @strawberry.subscription(
        description="Progress of the portfolio's mining job: stages, each repository as it is "
        "done with a provisional ranking, and the final ranking. Starts with the current state."
    )
    async def ranking_progress(
        self, info: Info, portfolio_id: PortfolioId
    ) -> AsyncGenerator[RankingProgressType, None]:
        _, pid = ids.decode(portfolio_id, "Portfolio")
        owner_id = info.context.owner_id
        bus = info.context.services.bus
        async with bus.subscribe(portfolio_topic(pid)) as events:
            async with info.context.db.read() as session:
                # The caller's portfolio or nothing: another owner's reads as missing.
                if await queries.by_uid(session, models.Portfolio, pid, owner_id=owner_id) is None:
                    raise ApiError("no such portfolio", code="NOT_FOUND")
                jobs = await queries.latest_jobs_by_portfolio(session, [pid], owner_id=owner_id)
                projects = await queries.ranked_projects(session, pid, owner_id=owner_id)
            # The current state first; with no job yet, wait for the first upload's events.
            if jobs:
                snapshot = _snapshot(jobs[0], projects)
                yield RankingProgressType.from_event(snapshot, info.context.fresh_loaders())
                if snapshot.final:
                    return
            async for message in events:
                event = await _current(info, pid, message)
                if event is None:
                    continue
                yield RankingProgressType.from_event(event, info.context.fresh_loaders())
                if event.final:
                    return

    @strawberry.subscription(description="The job each time it changes, until it ends.")
    async def job_updated(self, info: Info, id: Id) -> AsyncGenerator[MiningJobType, None]:
        _, uid = ids.decode(id, "MiningJob")
        async with info.context.services.bus.subscribe(job_topic(uid)) as events:
            job = await _job(info, uid)
            yield MiningJobType.from_model(job)
            if job.status in TERMINAL:
                return
            async for event in events:
                job = await _job(info, uid)  # a fresh read per event: no connection-long cache
                yield MiningJobType.from_model(job)
                if job.status in TERMINAL or (isinstance(event, JobEvent) and event.final):
                    return


async def _current(info: Info, pid: str, message: JobEvent | Resync) -> JobEvent | None:
    """The event to send for a bus message: the event itself; after a RESYNC (the bus lost
    its connection; events may be missing) or for a final ranking cut to fit between
    processes, the state read from the database."""
    if isinstance(message, JobEvent) and not (message.truncated and message.final):
        return message
    owner_id = info.context.owner_id
    async with info.context.db.read() as session:
        jobs = await queries.latest_jobs_by_portfolio(session, [pid], owner_id=owner_id)
        projects = await queries.ranked_projects(session, pid, owner_id=owner_id)
    if not jobs:
        return None
    snapshot = _snapshot(jobs[0], projects)
    if isinstance(message, JobEvent):  # the final event, with the whole ranking
        return dataclasses.replace(message, ranking=snapshot.ranking, truncated=False)
    return snapshot


async def _job(info: Info, uid: str) -> models.MiningJob:
    async with info.context.db.read() as session:
        job = await queries.by_uid(session, models.MiningJob, uid, owner_id=info.context.owner_id)
    if job is None:
        raise ApiError("no such job", code="NOT_FOUND")
    return job
