"""Ranking weights: the defaults, what a caller may give, and every refusal's message and key."""

from __future__ import annotations

import math

import pytest

from mining.analyze.weights import DEFAULT_WEIGHTS, Factor, InvalidWeightsError, resolve_weights


def test_no_weights_are_the_defaults_which_sum_to_one() -> None:
    assert resolve_weights(None) == dict(DEFAULT_WEIGHTS)
    assert resolve_weights({}) == dict(DEFAULT_WEIGHTS)
    assert math.isclose(sum(DEFAULT_WEIGHTS.values()), 1.0)
    assert list(DEFAULT_WEIGHTS) == list(Factor)


def test_integers_and_zero_are_weights() -> None:
    resolved = resolve_weights({"size": 2, "health": 0})
    assert resolved[Factor.SIZE] == 2.0
    assert isinstance(resolved[Factor.SIZE], float)
    assert resolved[Factor.HEALTH] == 0.0


def test_an_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights({"speed": 1.0})
    assert str(info.value) == (
        "unknown ranking weight 'speed'; known weights: contribution, size, complexity, "
        "recency, diversity, health, collaboration"
    )
    assert (info.value.key, info.value.value) == ("speed", None)
    assert info.value.__cause__ is None  # `from None`: the enum's ValueError is not shown
    assert info.value.__suppress_context__


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "ranking weight 'size' must be a number, got '1'"),
        (None, "ranking weight 'size' must be a number, got None"),
        (False, "ranking weight 'size' must be a number, got False"),
        (-1, "ranking weight 'size' must be finite and >= 0, got -1"),
        (math.inf, "ranking weight 'size' must be finite and >= 0, got inf"),
    ],
)
def test_a_bad_value_is_named_with_its_key(value: object, message: str) -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights({"size": value})  # type: ignore[dict-item]
    assert str(info.value) == message
    assert info.value.key == "size"
    assert info.value.value == value


def test_all_zero_is_refused_as_a_whole() -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights(dict.fromkeys((f.value for f in Factor), 0))
    assert str(info.value) == "ranking weights are all zero: at least one must be positive"
    assert (info.value.key, info.value.value) == (None, None)
