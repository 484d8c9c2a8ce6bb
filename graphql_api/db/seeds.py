"""Rows every database has after migration: the configuration questions of the legacy data model.

Applied by the initial migration and again (idempotently, by key) on every start-up, so a
question added here reaches existing databases without a data migration.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, Connection, Integer, String, column, insert, select, table

from graphql_api.db.types import UTCDateTime, utcnow

QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "key": "email",
        "question_text": "Which email address(es) do you commit with?",
        "order": 1,
        "required": True,
        "answer_type": "email",
    },
    {
        "key": "end_goal",
        "question_text": "What is this portfolio for (job search, promotion, personal record)?",
        "order": 2,
        "required": False,
        "answer_type": "text",
    },
    {
        "key": "target_role",
        "question_text": "Which role are you aiming for?",
        "order": 3,
        "required": False,
        "answer_type": "text",
    },
    {
        "key": "highlight_skills",
        "question_text": "Which skills should be highlighted first?",
        "order": 4,
        "required": False,
        "answer_type": "text",
    },
)


def insert_missing_questions(connection: Connection) -> int:
    """Insert the questions whose key is not there yet; returns how many were added."""
    questions = table(
        "questions",
        column("uid", String),
        column("key", String),
        column("question_text", String),
        column("order", Integer),
        column("is_active", Boolean),
        column("required", Boolean),
        column("answer_type", String),
        column("created_at", UTCDateTime),
    )
    present = set(connection.execute(select(questions.c.key)).scalars())
    missing = [
        {"uid": uuid.uuid4().hex, "is_active": True, "created_at": utcnow(), **question}
        for question in QUESTIONS
        if question["key"] not in present
    ]
    if missing:
        connection.execute(insert(questions), missing)
    return len(missing)
