"""What subscribers receive while a job runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from graphql_api.jobs.bus import EventBus


class JobState(Protocol):
    """What an event copies from a job (a MiningJob row)."""

    uid: str
    portfolio_id: str
    status: str
    stage: str
    completed: int
    total: int


class EventKind(StrEnum):
    STAGE = "STAGE"  # the job moved to another stage (or status)
    REPOSITORY = "REPOSITORY"  # one more repository is done; a provisional ranking comes with it
    RANKING = "RANKING"  # the final ranking, written to the database
    SNAPSHOT = "SNAPSHOT"  # the current state, sent first to a subscriber that joins


@dataclass(frozen=True, slots=True)
class RankEntry:
    project_uid: str | None
    name: str
    path: str
    score: float
    position: int


@dataclass(frozen=True, slots=True)
class JobEvent:
    kind: EventKind
    job_uid: str
    portfolio_id: str
    status: str
    stage: str
    completed: int
    total: int
    repository: str | None = None  # the repository just finished (path)
    repository_error: str | None = None  # its error code, when it failed
    ranking: tuple[RankEntry, ...] = ()
    final: bool = False  # the job has reached a final status; nothing more will come
    # The ranking was cut to fit a message between processes (the final one is in the
    # database: subscriptions read it from there).
    truncated: bool = False

    @classmethod
    def of(cls, job: JobState, kind: EventKind, **extra: Any) -> JobEvent:
        """An event carrying the job's current state."""
        return cls(
            kind=kind,
            job_uid=job.uid,
            portfolio_id=job.portfolio_id,
            status=job.status,
            stage=job.stage,
            completed=job.completed,
            total=job.total,
            **extra,
        )

    def to_json(self) -> dict[str, Any]:
        data = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "ranking"}
        data["ranking"] = [
            [e.project_uid, e.name, e.path, e.score, e.position] for e in self.ranking
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobEvent:
        ranking = tuple(RankEntry(*entry) for entry in data.pop("ranking", ()))
        return cls(**{**data, "kind": EventKind(data["kind"]), "ranking": ranking})

    @property
    def topics(self) -> tuple[str, str]:
        return job_topic(self.job_uid), portfolio_topic(self.portfolio_id)


def publish(bus: EventBus, event: JobEvent) -> None:
    """To the job's subscribers and to its portfolio's."""
    for topic in event.topics:
        bus.publish(topic, event)


def job_topic(job_uid: str) -> str:
    return f"job:{job_uid}"


def portfolio_topic(portfolio_id: str) -> str:
    return f"portfolio:{portfolio_id}"
