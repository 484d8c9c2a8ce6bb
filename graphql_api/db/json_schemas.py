"""JSON Schemas (draft 2020-12) for every JSON column; checked before a value is written."""

from __future__ import annotations

from typing import Any

_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_NUMBERS_BY_NAME: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "number", "minimum": 0},
}

LANGUAGES = _STRINGS
LANGUAGE_PERCENTAGES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
}
FRAMEWORKS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name", "category"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "category": {"type": "string"},
            "ecosystem": {"type": "string"},
            "source": {"type": "string"},
        },
    },
}
COLLABORATION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "authors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "email", "commits"],
                "properties": {
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                    "commits": {"type": "integer", "minimum": 0},
                    "share": {"type": "number", "minimum": 0, "maximum": 100},
                },
            },
        },
        "bus_factor": {"type": "integer", "minimum": 0},
        "is_collaborative": {"type": "boolean"},
    },
}
ACTIVITY_BREAKDOWN: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"enum": ["code", "test", "docs", "config", "design"]},
    "additionalProperties": {"type": "number", "minimum": 0},
}
COUNTS = _NUMBERS_BY_NAME
EVIDENCE_SENTENCES = _STRINGS
SCORE_COMPONENTS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}},
    },
}
JOB_ERRORS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "path": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}
EMAILS: dict[str, Any] = {"type": "array", "items": {"type": "string", "format": "email"}}
# Representation preferences: the full schema lives with the domain (mining.analyze.prefs);
# the column accepts any object and the service validates against the domain schema first.
OBJECT: dict[str, Any] = {"type": "object"}
