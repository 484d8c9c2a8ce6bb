"""The JSON columns' check (db/types.py: fastjsonschema first, jsonschema for what that
refuses) accepts exactly what jsonschema accepts, for every column's schema and for values shaped
like each (boundaries, wrong kinds, missing and extra keys), and refuses with jsonschema's error."""

from __future__ import annotations

import math
from typing import Any

import fastjsonschema
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphql_api.db import json_schemas as js
from graphql_api.db.types import checked

SCHEMAS = {
    name: value
    for name, value in vars(js).items()
    if name.isupper() and not name.startswith("_") and isinstance(value, dict)
}

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([-1, 0, 1, 99, 100, 101, 2**70, -0.5, 0.0, 0.5, 1.0, 3.5, 100.0, 100.5]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(),
    st.floats(),
    st.sampled_from(["", "a", "code", "test", "docs", "config", "design", "name", "x@y.z"]),
    st.text(max_size=5),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


def shaped(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values near `schema`: its properties' names with values near theirs, lists of values
    near its items, maps of values near its additional properties, and any JSON."""
    options = [_JSON]
    if "properties" in schema:
        names = list(schema["properties"])
        keys = st.sampled_from([*names, "extra"])
        options.append(
            st.dictionaries(keys, st.deferred(lambda: _JSON), max_size=4).flatmap(
                lambda d: st.fixed_dictionaries(
                    {k: shaped(schema["properties"][k]) if k in names else _JSON for k in d}
                )
            )
        )
    if isinstance(schema.get("items"), dict):
        options.append(st.lists(shaped(schema["items"]), max_size=4))
    if isinstance(schema.get("additionalProperties"), dict):
        keys = st.sampled_from(["code", "test", "docs", "other", "", "x"]) | st.text(max_size=3)
        options.append(st.dictionaries(keys, shaped(schema["additionalProperties"]), max_size=4))
    return st.one_of(options)


def _accepted(value: Any, schema: dict[str, Any]) -> bool:
    try:
        checked({"v": value}, {"type": "object", "properties": {"v": schema}})
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@given(data=st.data())
def test_the_columns_check_answers_as_jsonschema(name: str, data: st.DataObject) -> None:
    schema = SCHEMAS[name]
    value = data.draw(shaped(schema))
    assert _accepted(value, schema) == jsonschema.Draft202012Validator(schema).is_valid(value)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@given(data=st.data())
def test_what_fastjsonschema_passes_jsonschema_passes(name: str, data: st.DataObject) -> None:
    schema = SCHEMAS[name]
    value = data.draw(shaped(schema))
    try:
        fastjsonschema.compile(schema)(value)
    except fastjsonschema.JsonSchemaValueException:
        return
    assert jsonschema.Draft202012Validator(schema).is_valid(value)


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        (
            js.COLLABORATION,
            {"authors": [{"name": "a", "email": "", "commits": 0}]},
            {"authors": [{"name": "a", "email": "", "commits": -1}]},
        ),
        (
            js.COLLABORATION,
            {"authors": [{"name": "a", "email": "", "commits": 2.0, "share": 100}]},
            {"authors": [{"name": "a", "email": "", "commits": 1, "share": 100.5}]},
        ),
        (js.COLLABORATION, {"bus_factor": 0}, {"bus_factor": True}),
        (js.ACTIVITY_BREAKDOWN, {"code": 1, "docs": 0.5}, {"code": 1, "other": 0}),
        (js.FRAMEWORKS, [{"name": "x", "category": ""}], [{"name": "", "category": "c"}]),
        (js.JOB_ERRORS, [{"code": "C", "message": "m", "path": "p"}], [{"code": "C"}]),
        (js.LANGUAGE_PERCENTAGES, {"Python": 100}, {"Python": -0.1}),
        (js.EMAILS, ["not an address: formats are not asserted"], [None]),
    ],
)
def test_the_check_passes_the_valid_and_not_the_invalid(
    schema: dict[str, Any], valid: Any, invalid: Any
) -> None:
    assert _accepted(valid, schema)
    assert not _accepted(invalid, schema)


def test_what_the_check_refuses_raises_jsonschemas_error() -> None:
    bad = {"authors": [{"name": "a", "email": "", "commits": -1}]}
    with pytest.raises(jsonschema.ValidationError) as raised:
        checked(bad, js.COLLABORATION)
    assert raised.value.message == "-1 is less than the minimum of 0"
    assert list(raised.value.absolute_path) == ["authors", 0, "commits"]
