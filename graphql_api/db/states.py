"""The states of a mining job and of an export: the one place their values are written.

The values are what the database stores (lower case); the GraphQL enums of the same names
(graphql_api.schema.enums) show the member names (QUEUED, ...). A `StrEnum` member equals
its value, so rows read back compare equal to the members.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Life of a job: QUEUED -> RUNNING -> SUCCEEDED | PARTIAL | FAILED | CANCELLED."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobStage(StrEnum):
    """Where a job is: QUEUED, then DISCOVERING -> MINING -> RANKING -> SAVING -> DONE, or it
    ends at FAILED or CANCELLED."""

    QUEUED = "queued"
    DISCOVERING = "discovering"
    MINING = "mining"
    RANKING = "ranking"
    SAVING = "saving"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
TERMINAL = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED, JobStatus.CANCELLED}
)


class ExportStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
