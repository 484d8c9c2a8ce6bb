"""JSON Schemas (draft 2020-12) for every JSON column; checked before a value is written."""

from __future__ import annotations

import numbers
from collections.abc import Callable
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


# --- a fast yes/no for these schemas ---------------------------------------------------------
#
# jsonschema walks a value through its generic machinery (~40 ms for a project's 865 authors,
# each time a job writes them). `fast_check` compiles a schema written with the keywords above
# into closures that answer only "valid?", with jsonschema's meaning of each keyword (draft
# 2020-12, formats not asserted); the column types (db/types.py) ask it first and let
# jsonschema check, and raise its error, whatever it does not pass. A schema using any other
# keyword has no fast check. tests/test_json_schemas.py holds both to the same answers.

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"format", "title", "description", "$comment"})


class _Unsupported(Exception):
    """A keyword or form of one that fast_check does not compile."""


def fast_check(schema: dict[str, Any]) -> Check | None:
    """Whether a value is valid against `schema`, as jsonschema answers; None when the schema
    uses a keyword this does not compile."""
    try:
        return _compile(schema)
    except _Unsupported:
        return None


def _compile(schema: Any) -> Check:
    if not isinstance(schema, dict):
        raise _Unsupported(schema)
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword not in _KEYWORDS:
            raise _Unsupported(keyword)
        checks.append(_KEYWORDS[keyword](value, schema))
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def _type(names: Any, schema: dict[str, Any]) -> Check:
    wanted = [names] if isinstance(names, str) else names
    if not isinstance(wanted, list) or not all(name in _TYPES for name in wanted):
        raise _Unsupported(names)
    checks = [_TYPES[name] for name in wanted]
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _items(items: Any, schema: dict[str, Any]) -> Check:
    if "prefixItems" in schema:
        raise _Unsupported("prefixItems")
    each = _compile(items)
    return lambda value: not isinstance(value, list) or all(each(item) for item in value)


def _properties(properties: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(properties, dict):
        raise _Unsupported(properties)
    each = {name: _compile(sub) for name, sub in properties.items()}

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(sub(value[name]) for name, sub in each.items() if name in value)

    return check


def _additional(additional: Any, schema: dict[str, Any]) -> Check:
    if "patternProperties" in schema:
        raise _Unsupported("patternProperties")
    named = frozenset(schema.get("properties", ()))
    each = _compile(additional)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(each(item) for key, item in value.items() if key not in named)

    return check


def _property_names(names: Any, schema: dict[str, Any]) -> Check:
    each = _compile(names)
    return lambda value: not isinstance(value, dict) or all(each(key) for key in value)


def _required(required: Any, schema: dict[str, Any]) -> Check:
    names = list(required)
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _enum(members: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise _Unsupported(members)  # jsonschema's equality of other kinds is not Python's
    allowed = frozenset(members)
    return lambda value: isinstance(value, str) and value in allowed


def _bound(bound: Any, within: Callable[[Any, Any], bool]) -> Check:
    if not _is_number(bound):
        raise _Unsupported(bound)
    return lambda value: not _is_number(value) or within(value, bound)


def _minimum(bound: Any, schema: dict[str, Any]) -> Check:
    return _bound(bound, lambda value, low: not value < low)


def _maximum(bound: Any, schema: dict[str, Any]) -> Check:
    return _bound(bound, lambda value, high: not value > high)


def _min_length(length: Any, schema: dict[str, Any]) -> Check:
    if not _is_integer(length):
        raise _Unsupported(length)
    return lambda value: not isinstance(value, str) or len(value) >= length


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check]] = {
    "type": _type,
    "items": _items,
    "properties": _properties,
    "additionalProperties": _additional,
    "propertyNames": _property_names,
    "required": _required,
    "enum": _enum,
    "minimum": _minimum,
    "maximum": _maximum,
    "minLength": _min_length,
}
