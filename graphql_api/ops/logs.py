"""Log lines with the request and the job they belong to, as text or as JSON (LOG_FORMAT).

The ids live in context variables: `RequestIdMiddleware` sets `REQUEST_ID` for everything a
request runs (resolvers, the services they call, uvicorn's access line, which is written from
inside the request's task), and the job runner sets `JOB_ID` in each job's task. asyncio copies
the context into every task it creates and anyio into every worker thread, so the ids follow
the work without being passed down. A handler-level filter copies them onto every record, so
records of every logger (ours, uvicorn's, SQLAlchemy's) carry them.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = ["JOB_ID", "REQUEST_ID", "JsonFormatter", "configure"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
JOB_ID: ContextVar[str | None] = ContextVar("job_id", default=None)

FORMATS = ("text", "json")
TEXT_FORMAT = "%(levelname)s %(name)s%(ids)s: %(message)s"


class ContextFilter(logging.Filter):
    """Puts the current request id and job id on every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id, job_id = REQUEST_ID.get(), JOB_ID.get()
        ids = [f"{k}={v}" for k, v in (("request", request_id), ("job", job_id)) if v]
        record.__dict__.update(
            request_id=request_id, job_id=job_id, ids=f" [{' '.join(ids)}]" if ids else ""
        )
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, job_id (null when
    the line belongs to no request or job), the process id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "job_id": getattr(record, "job_id", None),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """The root logger's one handler (stderr) in `log_format`; called again, it replaces it."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
