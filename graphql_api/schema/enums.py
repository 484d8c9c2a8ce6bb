"""The GraphQL enums: every closed set the API shows or takes is one of these.

Each is a Python `StrEnum` whose values are what the database (or the mining core) stores;
GraphQL shows the member names (`QUEUED`). `described` registers one with Strawberry and
gives every value its description; it refuses an enum whose values and descriptions differ,
so a value added without a description fails at import, naming the enum and the value.

To add a userError code: a member of `UserErrorCode` here, with its description below.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import TypeVar

import strawberry

from graphql_api.db import queries
from graphql_api.db.states import ExportStatus, JobStage, JobStatus
from graphql_api.jobs.events import EventKind
from graphql_api.llm.summary import ConsentLevel
from mining.analyze import Factor, ResumeCategory
from mining.analyze.catalogue import SkillCategory
from mining.analyze.proficiency import Level
from mining.analyze.profile import SeniorityLevel
from mining.records import ActivityKind, ProjectKind

__all__ = [
    "ActivityKind",
    "AnswerKind",
    "ConsentLevel",
    "EvidenceKind",
    "ExportFormat",
    "ExportKind",
    "Factor",
    "Level",
    "ProjectKind",
    "ResumeCategory",
    "SeniorityLevel",
    "SkillCategory",
    "UserErrorCode",
]

E = TypeVar("E", bound=type[Enum])


def described(cls: E, name: str, description: str, values: Mapping[str, str]) -> E:
    """Register `cls` as the GraphQL enum `name`, with a description for each member."""
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    names = {value.name for value in definition.values}
    if names != set(values):
        undescribed, unknown = sorted(names - set(values)), sorted(set(values) - names)
        raise ValueError(f"enum {name}: no description for {undescribed}; unknown {unknown}")
    for value in definition.values:
        value.description = values[value.name]
    return cls


described(
    JobStatus,
    "JobStatus",
    "Where a mining job is in its life; SUCCEEDED, PARTIAL, FAILED and CANCELLED are final.",
    {
        "QUEUED": "Waiting for a worker.",
        "RUNNING": "Being mined now.",
        "SUCCEEDED": "Every repository was mined.",
        "PARTIAL": "Some repositories were mined, others failed (see `repoErrors`).",
        "FAILED": "Nothing was mined (see `errorCode`).",
        "CANCELLED": "Stopped by `cancelJob`.",
    },
)

described(
    JobStage,
    "JobStage",
    "The step a mining job is at: QUEUED, DISCOVERING, MINING, RANKING, SAVING, then DONE, "
    "or FAILED or CANCELLED.",
    {
        "QUEUED": "Not started yet.",
        "DISCOVERING": "Finding the repositories and folders in the uploads.",
        "MINING": "Reading each repository's history and tree.",
        "RANKING": "Analysing and ranking the projects.",
        "SAVING": "Writing the results.",
        "DONE": "Finished; the results are written.",
        "FAILED": "Ended by an error.",
        "CANCELLED": "Ended by `cancelJob`.",
    },
)

described(
    ExportStatus,
    "ExportStatus",
    "Whether an export's file is ready.",
    {
        "PENDING": "Being written.",
        "COMPLETED": "Written: download it from `url`.",
        "FAILED": "Not written (see `error`).",
    },
)

described(
    Level,
    "SkillLevel",
    "How proficient the work shows the user to be, from the proficiency value (0..1).",
    {
        "BEGINNER": "Proficiency below 0.25.",
        "INTERMEDIATE": "Proficiency from 0.25 to below 0.50.",
        "ADVANCED": "Proficiency from 0.50 to below 0.75.",
        "EXPERT": "Proficiency 0.75 or more.",
    },
)


class EvidenceKind(StrEnum):
    """The mined evidence types (mining.analyze.EvidenceType) and the ones a user adds."""

    METRIC = "metric"
    TESTING = "testing"
    DOCUMENTATION = "documentation"
    CODE_QUALITY = "code_quality"
    EVALUATION = "evaluation"
    FEEDBACK = "feedback"
    AWARD = "award"
    CUSTOM = "custom"


described(
    EvidenceKind,
    "EvidenceKind",
    "What a piece of evidence about a project is: mined (the first five) or added by the user.",
    {
        "METRIC": "A figure from the history (commits, lines, period).",
        "TESTING": "Tests and test tooling found in the project.",
        "DOCUMENTATION": "Documentation found in the project.",
        "CODE_QUALITY": "Linters, formatters, type checkers, hygiene files or CI.",
        "EVALUATION": "A derived insight: the health and ranking explained.",
        "FEEDBACK": "Feedback the user received on the project.",
        "AWARD": "An award or recognition the project earned.",
        "CUSTOM": "Anything else the user wants shown.",
    },
)

described(
    SeniorityLevel,
    "SeniorityLevel",
    "A seniority estimate from the profile's points (0..9).",
    {
        "JUNIOR": "0 to 2 points.",
        "MID": "3 or 4 points.",
        "SENIOR": "5 or 6 points.",
        "STAFF": "7 to 9 points.",
    },
)

described(
    SkillCategory,
    "SkillCategory",
    "What kind of skill a skill is.",
    {
        "LANGUAGES": "A programming language.",
        "FRAMEWORKS": "A framework.",
        "LIBRARIES": "A library.",
        "DATABASES": "A database.",
        "TOOLS": "A development tool (linter, formatter, build tool, ...).",
        "CLOUD_DEVOPS": "Cloud, containers, CI/CD and operations.",
        "DATA": "Data science and data engineering.",
        "PRACTICES": "An engineering practice (testing, documentation, code review, ...).",
    },
)

described(
    ProjectKind,
    "ProjectKind",
    "What a project was mined from.",
    {
        "WORKTREE": "A git repository with a work tree.",
        "BARE": "A bare git repository.",
        "PLAIN": "A folder without git, analysed from its files.",
    },
)

described(
    ActivityKind,
    "ActivityKind",
    "The kind of work a file's lines are.",
    {
        "CODE": "Source code.",
        "TEST": "Tests.",
        "DOCS": "Documentation.",
        "CONFIG": "Configuration and build files.",
        "DESIGN": "Design assets (images, styles, ...).",
    },
)


class AnswerKind(StrEnum):
    TEXT = "text"
    EMAIL = "email"


described(
    AnswerKind,
    "AnswerKind",
    "What an answer to a question must be.",
    {"TEXT": "Any text.", "EMAIL": "One email address, or several separated by commas."},
)

described(
    ConsentLevel,
    "ConsentLevel",
    "What the user allows to be done with their data beyond mining it locally.",
    {
        "NONE": "Nothing beyond local mining; no summaries.",
        "LOCAL": "Local processing only; summaries from templates.",
        "LOCAL_LLM": "Summaries may be written by a language model on this machine.",
        "CLOUD": "Summaries may be written by a cloud language model.",
    },
)

described(
    queries.ProjectOrder,
    "ProjectOrder",
    "How a project listing is ordered.",
    {
        "RANKING": "Best ranked first (unranked last).",
        "RECENT": "Most recent last commit first.",
        "COMMITS": "Most commits first.",
        "NAME": "By project name, A to Z.",
    },
)

described(
    EventKind,
    "ProgressKind",
    "What a progress event reports.",
    {
        "STAGE": "The job moved to another stage or status.",
        "REPOSITORY": "One more repository is done; a provisional ranking comes with it.",
        "RANKING": "The final ranking, written to the database.",
        "SNAPSHOT": "The current state, sent first to a subscriber that joins.",
    },
)


class ExportKind(StrEnum):
    RESUME = "resume"
    PORTFOLIO = "portfolio"


described(
    ExportKind,
    "ExportKind",
    "What an export holds.",
    {
        "RESUME": "The resume: the projects with resume items, and their items.",
        "PORTFOLIO": "The whole portfolio: every project with its figures.",
    },
)


class ExportFormat(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


described(
    ExportFormat,
    "ExportFormat",
    "The file format of an export.",
    {
        "JSON": "JSON (application/json); a resume is a JSON Resume (jsonresume.org).",
        "MARKDOWN": "Markdown (text/markdown).",
        "HTML": "A self-contained, printable HTML page (text/html).",
    },
)


class UserErrorCode(StrEnum):
    # Ingest (graphql_api.ingest.errors, IngestErrorCode): the same names.
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    UPLOAD_STALLED = "UPLOAD_STALLED"
    UPLOAD_TIMEOUT = "UPLOAD_TIMEOUT"
    UPLOAD_TOO_SLOW = "UPLOAD_TOO_SLOW"
    HEAD_TIMEOUT = "HEAD_TIMEOUT"
    DISK_FULL = "DISK_FULL"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    EMPTY_UPLOAD = "EMPTY_UPLOAD"
    NOT_A_ZIP = "NOT_A_ZIP"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    CSRF_HEADER_REQUIRED = "CSRF_HEADER_REQUIRED"
    ARCHIVE_CORRUPT = "ARCHIVE_CORRUPT"
    ARCHIVE_UNSAFE_PATH = "ARCHIVE_UNSAFE_PATH"
    ARCHIVE_SYMLINK = "ARCHIVE_SYMLINK"
    ARCHIVE_DUPLICATE_ENTRY = "ARCHIVE_DUPLICATE_ENTRY"
    ARCHIVE_TOO_LARGE = "ARCHIVE_TOO_LARGE"
    TOO_MANY_ENTRIES = "TOO_MANY_ENTRIES"
    ARCHIVE_TOO_DEEP = "ARCHIVE_TOO_DEEP"
    ARCHIVE_ENCRYPTED = "ARCHIVE_ENCRYPTED"
    ARCHIVE_UNSUPPORTED = "ARCHIVE_UNSUPPORTED"
    # The API's own.
    NOT_FOUND = "NOT_FOUND"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_UPLOAD = "INVALID_UPLOAD"
    INVALID_WEIGHTS = "INVALID_WEIGHTS"
    INVALID_PREFS = "INVALID_PREFS"
    UNKNOWN_QUESTION = "UNKNOWN_QUESTION"
    ANSWER_REQUIRED = "ANSWER_REQUIRED"
    JOB_ALREADY_RUNNING = "JOB_ALREADY_RUNNING"
    JOB_FINISHED = "JOB_FINISHED"
    # Curation (mutations_curation.py; the image checks are graphql_api/ingest/images.py's).
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    IMAGE_UNSUPPORTED = "IMAGE_UNSUPPORTED"
    IMAGE_DIMENSIONS = "IMAGE_DIMENSIONS"
    IMAGE_CORRUPT = "IMAGE_CORRUPT"
    INVALID_ROLE = "INVALID_ROLE"
    INVALID_EVIDENCE = "INVALID_EVIDENCE"
    INVALID_RESUME_ITEM = "INVALID_RESUME_ITEM"
    # Identities (identities.py).
    REMINE_REQUIRED = "REMINE_REQUIRED"
    INTERNAL = "INTERNAL"


_INGEST = {
    "UPLOAD_TOO_LARGE": "The upload is over the server's size limit.",
    "UPLOAD_NOT_FOUND": "No stored upload has this id (or it is malformed).",
    "UPLOAD_STALLED": "The client stopped sending the upload.",
    "UPLOAD_TIMEOUT": "The request body was not whole within its deadline.",
    "UPLOAD_TOO_SLOW": "The request body arrived under the minimum rate.",
    "HEAD_TIMEOUT": "The request head was not whole within its deadline.",
    "DISK_FULL": "No space is left on the server to store or write it; try again later.",
    "STORE_UNAVAILABLE": "The upload store could not be reached; try again later.",
    "QUOTA_EXCEEDED": "Your stored uploads or active jobs would pass their quota.",
    "PAYLOAD_TOO_LARGE": "The request body is over the server's cap.",
    "EMPTY_UPLOAD": "Nothing was uploaded, or the archive holds no file.",
    "NOT_A_ZIP": "The file does not start with a ZIP signature.",
    "UNSUPPORTED_MEDIA_TYPE": "The upload route does not take this Content-Type.",
    "CSRF_HEADER_REQUIRED": "A simple cross-site request needs a preflight header.",
    "ARCHIVE_CORRUPT": "The ZIP is truncated, has a bad CRC or overlapping entries.",
    "ARCHIVE_UNSAFE_PATH": "An entry's path escapes the archive or names a device.",
    "ARCHIVE_SYMLINK": "An entry is a symbolic link.",
    "ARCHIVE_DUPLICATE_ENTRY": "Two entries land on the same path.",
    "ARCHIVE_TOO_LARGE": "An entry, the total or the compression ratio is over the limit.",
    "TOO_MANY_ENTRIES": "The archive has more entries than the limit.",
    "ARCHIVE_TOO_DEEP": "A path has too many components or is too long.",
    "ARCHIVE_ENCRYPTED": "An entry is encrypted.",
    "ARCHIVE_UNSUPPORTED": "An entry uses a compression method other than stored, deflate, "
    "bzip2 or lzma.",
}

described(
    UserErrorCode,
    "UserErrorCode",
    "Why a mutation refused its input or could not finish; stable, for clients to branch on.",
    {
        **_INGEST,
        "NOT_FOUND": "No such object of yours (a missing one and another owner's read the same).",
        "INVALID_EMAIL": "A value is not an email address.",
        "INVALID_UPLOAD": "`files` are not multipart file parts.",
        "INVALID_WEIGHTS": "A ranking weight is out of range (see `field`).",
        "INVALID_PREFS": "The representation preferences do not fit their schema.",
        "UNKNOWN_QUESTION": "No question has this key.",
        "ANSWER_REQUIRED": "The question needs a non-empty answer.",
        "JOB_ALREADY_RUNNING": "The portfolio already has a queued or running job.",
        "JOB_FINISHED": "The job has already ended.",
        "IMAGE_TOO_LARGE": "The image is over MAX_THUMBNAIL_BYTES.",
        "IMAGE_UNSUPPORTED": "The file is not a PNG, JPEG, GIF or WebP image (by its first bytes).",
        "IMAGE_DIMENSIONS": "The image is smaller than 16 or larger than 4096 pixels a side.",
        "IMAGE_CORRUPT": "The image does not decode (truncated or damaged).",
        "INVALID_ROLE": "The role is empty or too long (see `field`).",
        "INVALID_EVIDENCE": "The evidence is empty, too long, or dated outside 1970 to today.",
        "INVALID_RESUME_ITEM": "A resume item's title, content or position is out of range.",
        "REMINE_REQUIRED": "Projects mined before per-author work was kept: remine once.",
        "INTERNAL": "An unexpected server error (logged); not the client's to fix.",
    },
)


class EvidenceOrigin(StrEnum):
    MINED = "mined"
    USER = "user"


described(
    EvidenceOrigin,
    "EvidenceOrigin",
    "Who wrote a piece of evidence.",
    {
        "MINED": "Found by mining; mining again replaces it (unless you deleted it).",
        "USER": "Added by you (addEvidence); only you change it.",
    },
)

described(
    Factor,
    "RankingFactor",
    "A term of the ranking score (mining/analyze/ranking.py has each formula).",
    {
        "CONTRIBUTION": "The user's share of the commits.",
        "SIZE": "Bytes of programming code at HEAD.",
        "COMPLEXITY": "Files at HEAD.",
        "RECENCY": "Days since the last commit.",
        "DIVERSITY": "Distinct skills the user shows.",
        "HEALTH": "The project's health score.",
        "COLLABORATION": "How many authors there are.",
    },
)

described(
    ResumeCategory,
    "ResumeCategory",
    "Where a resume item goes.",
    {
        "PROJECTS": "Under projects: the user's own, or a minor part in a shared one.",
        "EXPERIENCE": "Under experience: a core part in a shared project.",
    },
)
