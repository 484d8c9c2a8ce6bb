"""Column types that carry project-wide policy: UTC timestamps and validated JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import fastjsonschema
import jsonschema
import orjson
from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """The timezone policy, in one place: aware UTC datetimes in Python, always.

    PostgreSQL stores `timestamptz`; SQLite has no time zones and hands back naive values, which
    are UTC because only UTC is ever written. A naive datetime is refused on the way in, so
    local time can never slip into the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: only aware UTC datetimes are stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CheckedDict(dict[str, Any]):
    """A dict already checked against `schema` (by `checked`) and encoded where it was made: a
    ValidatedJSON column with that schema binds its JSON text as it is, neither checking nor
    encoding it again (a mined report is ~0.7 MB of JSON: encoded at bind time, on the event
    loop, it held /healthz 20-100 ms). Not to be changed once made: the text would not follow."""

    __slots__ = ("schema", "text")

    def __init__(self, value: dict[str, Any], schema: dict[str, Any]) -> None:
        super().__init__(value)
        self.schema = schema
        self.text = json.dumps(value)  # what the JSON type's bind step would write


class _Validator:
    """A schema's check: fastjsonschema's compiled code first (~15x sooner than jsonschema on a
    project's 865 authors), and jsonschema, the authority, for whatever that does not pass, so
    an invalid value raises jsonschema's own error and a value only the fast check refuses (it
    asserts formats; jsonschema does not) is still accepted."""

    __slots__ = ("_fast", "_full", "schema")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._full = jsonschema.Draft202012Validator(schema)
        self._fast = fastjsonschema.compile(schema)

    def validate(self, value: Any) -> None:
        try:
            self._fast(value)
        except fastjsonschema.JsonSchemaValueException:
            self._full.validate(value)


_VALIDATORS: dict[int, _Validator] = {}


def _validator(schema: dict[str, Any]) -> _Validator:
    found = _VALIDATORS.get(id(schema))
    if found is None or found.schema is not schema:
        found = _VALIDATORS[id(schema)] = _Validator(schema)
    return found


def checked(value: dict[str, Any], schema: dict[str, Any]) -> CheckedDict:
    """`value` checked against `schema` and encoded now, wherever the caller runs (a worker
    thread): a large value (a project's author list: ~40 ms to check for 800 authors; a mined
    report) then costs the event loop nothing when it is written. Raises
    `jsonschema.ValidationError` as binding would."""
    _validator(schema).validate(value)
    return CheckedDict(value, schema)


class CheckedText:
    """The JSON text of a value its maker encoded and checked against `schema` (`checked_text`):
    a ValidatedJSON column with that schema binds the text as it is, never decoding it (a mined
    report: decoding its ~0.7 MB held the GIL, so the event loop, 5-8 ms, and kept ~3 MB of
    objects until the job's transaction ended), unless the driver must be handed the value."""

    __slots__ = ("schema", "text")

    def __init__(self, text: str, schema: dict[str, Any]) -> None:
        self.text = text
        self.schema = schema


_OBJECT_TEXT = re.compile(r"\s*\{")


def checked_text(text: str, schema: dict[str, Any]) -> CheckedText:
    """`checked` of a value its caller encoded already (a mined report: mining.codec.dumps,
    orjson, well-formed by construction). A schema asking only for an object is told by the
    text's first character; any other is checked on the decoded value."""
    if schema == {"type": "object"}:
        if _OBJECT_TEXT.match(text) is None:
            raise TypeError(f"a JSON object was expected, not {text[:20]!r}")
    else:
        _validator(schema).validate(loads(text))
    return CheckedText(text, schema)


def loads(text: str | bytes) -> Any:
    """JSON text decoded: by orjson (a stored report, ~0.7 MB: ~3x sooner than json.loads),
    and by json for what orjson refuses but json reads (NaN, an integer past 64 bits), so
    what was stored reads back as before. The engine's JSON deserializer (engine.py)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class ValidatedJSON(TypeDecorator[Any]):
    """A JSON column whose value is checked against a JSON Schema before it is written.

    Validation happens at bind time, so every write path (ORM, Core, bulk) goes through it and a
    bad value raises `jsonschema.ValidationError` before anything reaches the database; a
    CheckedDict made by `checked` with this column's schema was checked already.
    """

    impl = JSON
    cache_ok = True

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__()
        self.schema = schema
        self._validator = _validator(schema)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, CheckedText):
            if value.schema is self.schema and _encodes_with_dumps(dialect):
                return value
            value = loads(value.text)  # checked for another schema, or a driver wants values
        if isinstance(value, CheckedDict) and value.schema is self.schema:
            return value
        if value is not None:
            self._validator.validate(value)
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """Check and encode, as JSON columns do; a CheckedDict or CheckedText of this column's
        schema is bound as its text, where the dialect would encode it with json.dumps and pass
        the text on (SQLite, asyncpg); elsewhere it is encoded as any dict."""
        process = super().bind_processor(dialect)
        if process is None or not _encodes_with_dumps(dialect):
            return process

        def bind(value: Any) -> Any:
            if isinstance(value, CheckedDict | CheckedText) and value.schema is self.schema:
                return value.text
            return process(value)

        return bind

    # Two instances with the same schema are the same type for SQL caching.
    @property
    def _static_cache_key(self) -> Any:
        return (self.__class__, repr(sorted(self.schema.items())))


def _encodes_with_dumps(dialect: Dialect) -> bool:
    """Whether JSON is encoded by json.dumps for this dialect (no serializer of the engine's
    own, and not by the driver itself, as psycopg 3 does: that one must be handed the dict)."""
    native = getattr(dialect, "supports_native_json_serialization", False)
    return getattr(dialect, "_json_serializer", None) is None and not native
