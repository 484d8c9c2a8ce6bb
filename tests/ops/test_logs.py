"""Log records carry the request and job ids of the context they were written in."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from graphql_api.ops import logs


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("tests.ops.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)


def _parsed(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_ids_follow_tasks_and_threads(lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = lines

    async def job(uid: str) -> None:
        logs.JOB_ID.set(uid)
        logger.info("in the task")
        await asyncio.to_thread(logger.info, "in a worker thread")

    token = logs.REQUEST_ID.set("req-0001")
    try:
        await asyncio.gather(job("job-a"), job("job-b"))
        logger.info("after")
    finally:
        logs.REQUEST_ID.reset(token)
    logger.info("outside")
    seen = [(line["message"], line["request_id"], line["job_id"]) for line in _parsed(out)]
    assert sorted(seen[:4]) == sorted(
        [
            ("in the task", "req-0001", "job-a"),
            ("in the task", "req-0001", "job-b"),
            ("in a worker thread", "req-0001", "job-a"),
            ("in a worker thread", "req-0001", "job-b"),
        ]
    )
    assert seen[4:] == [("after", "req-0001", None), ("outside", None, None)]


def test_exceptions_are_one_json_line(lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = lines
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logger.exception("it failed")
    (line,) = _parsed(out)
    assert line["level"] == "error"
    assert "ValueError: bad\nvalue" in str(line["exception"])


def test_text_lines_show_the_ids() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = logs.JOB_ID.set("j1")
    try:
        logs.ContextFilter().filter(record)
    finally:
        logs.JOB_ID.reset(token)
    assert logging.Formatter(logs.TEXT_FORMAT).format(record) == "INFO x [job=j1]: hello"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of text, json, not 'xml'"):
        logs.configure("xml")
