"""Frozen records to JSON and back, driven by their type hints.

The service stores each mined `ProjectReport` so that ranking, resume items and the profile
can be recomputed (new weights, new preferences) without running git again. Supported field
types: dataclasses, enums, datetime, date, str/int/float/bool, `X | None`, `tuple[X, ...]`,
`frozenset[X]` and `Mapping[K, V]` whose keys are str, enums or dates.

`dump` is the reference: plain JSON types. `dumps` is the same as JSON text, from the records
themselves (orjson knows dataclasses, enums, dates and datetimes, and is handed `dump` for
anything else, sets among them): ~10x sooner than `json.dumps(dump(value))`, and what it prints
parses to exactly what `dump` gives.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


_PLAIN = frozenset({str, int, float, bool, type(None)})


def dump(value: Any) -> Any:
    """A JSON-able copy of `value` (dicts, lists, strings, numbers, booleans, None)."""
    kind = type(value)
    if kind in _PLAIN:  # most values of a report: answered without a look at the type
        return value
    dumper = _DUMPERS.get(kind)
    if dumper is None:
        dumper = _DUMPERS[kind] = _dumper(kind)
    return dumper(value)


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """`value` as JSON text in UTF-8 (two-space indented when `indent`): what it prints parses
    to exactly `dump(value)`. Mapping keys that are enums or dates print as `dump` makes them
    (OPT_NON_STR_KEYS); a datetime prints as its isoformat(), a float as its shortest
    round-trip digits (1e+16, as repr). What orjson refuses (a lone surrogate in a string, an
    int past 64 bits) is left to json: `dump`, then json.dumps, ASCII-escaped."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, default=dump, option=option)
    except orjson.JSONEncodeError:
        return json.dumps(dump(value), indent=2 if indent else None).encode("ascii")


# How values of exactly each type are dumped, found once per type (a report has ~10^4 values of
# a few dozen types).
_DUMPERS: dict[type, Callable[[Any], Any]] = {}


def _dumper(kind: type) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))
        return lambda value: {name: dump(getattr(value, name)) for name in names}
    if issubclass(kind, enum.Enum):
        return _enum_value
    if issubclass(kind, datetime | date):
        return _iso
    if issubclass(kind, Mapping):
        return _mapping
    if issubclass(kind, frozenset | set):
        return _set
    if issubclass(kind, tuple | list):
        return _sequence
    return _same


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _iso(value: date) -> str:
    return value.isoformat()


def _mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    return {_key(k): dump(v) for k, v in value.items()}


def _set(value: frozenset[Any] | set[Any]) -> list[Any]:
    return sorted(dump(v) for v in value)


def _sequence(value: tuple[Any, ...] | list[Any]) -> list[Any]:
    return [dump(v) for v in value]


def _same(value: Any) -> Any:
    return value


def _key(key: Any) -> str:
    dumped = dump(key)
    if not isinstance(dumped, str):
        raise TypeError(f"mapping key {key!r} is not a string, an enum or a date")
    return dumped


def load(cls: type[T], data: Any) -> T:
    """Rebuild a `cls` from what `dump` made of one."""
    hint: Any = cls  # a type is hashable: _loader is cached by hint
    result: T = _loader(hint)(data)
    return result


# How to rebuild each type hint's values, made once per hint (a stored report has ~10^5
# values of a few dozen hints; finding each one's way anew took ~100 ms for flask's).
Loader = Callable[[Any], Any]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _loader(hint: Any) -> Loader:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _optional(typing.get_args(hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _record(hint)
    container = _CONTAINERS.get(origin)
    if container is not None:
        return container(typing.get_args(hint))
    return _scalar(hint)


def _optional(args: tuple[Any, ...]) -> Loader:
    inner = [a for a in args if a is not type(None)]

    def load_optional(data: Any) -> Any:
        if data is None:
            return None
        (one,) = inner  # X | None only
        return _loader(one)(data)

    return load_optional


def _record(hint: type) -> Loader:
    # The fields' loaders are found on first use: a record may name its own type.
    fields: list[tuple[str, Loader]] = []

    def load_record(data: Any) -> Any:
        if not fields:
            hints = _hints(hint)
            fields.extend(
                (f.name, _loader(hints[f.name])) for f in dataclasses.fields(hint) if f.init
            )
        # A field missing from older stored data takes its default (fields added later have one).
        return hint(**{name: load(data[name]) for name, load in fields if name in data})

    return load_record


def _tuple(args: tuple[Any, ...]) -> Loader:
    item = _loader(args[0])
    if item is _same:
        return tuple
    return lambda data: tuple(map(item, data))


def _frozenset(args: tuple[Any, ...]) -> Loader:
    item = _loader(args[0])
    return lambda data: frozenset(map(item, data))


def _load_mapping(args: tuple[Any, ...]) -> Loader:
    key, value = _loader(args[0]), _loader(args[1])
    if key is _same and value is _same:
        return dict
    return lambda data: {key(k): value(v) for k, v in data.items()}


# Containers by their type's origin: how to rebuild one from its JSON list or object.
_CONTAINERS: dict[Any, Callable[[tuple[Any, ...]], Loader]] = {
    tuple: _tuple,
    frozenset: _frozenset,
    Mapping: _load_mapping,
    dict: _load_mapping,
    typing.Mapping: _load_mapping,
}


def _scalar(hint: Any) -> Loader:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if hint is float:
        return float
    if hint in (str, int, bool, Any):
        return _same

    def refuse(data: Any) -> Any:
        raise TypeError(f"cannot load a {hint!r}")

    return refuse
