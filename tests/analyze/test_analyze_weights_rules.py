"""Ranking weights: what a caller's weights resolve to, and what a rejection tells them (the
message shown through the API, and the key and value it names)."""

from __future__ import annotations

import pytest

from mining.analyze.weights import DEFAULT_WEIGHTS, Factor, InvalidWeightsError, resolve_weights


def test_no_weights_or_empty_weights_are_the_defaults() -> None:
    assert resolve_weights(None) == dict(DEFAULT_WEIGHTS)
    assert resolve_weights({}) == dict(DEFAULT_WEIGHTS)
    # The defaults add up to 1: each factor's share of the score is its weight.
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_every_given_key_overrides_its_default_and_only_its_own() -> None:
    resolved = resolve_weights({"size": 2, "health": 0.5, "recency": 0})
    assert resolved == dict(DEFAULT_WEIGHTS) | {
        Factor.SIZE: 2.0,
        Factor.HEALTH: 0.5,
        Factor.RECENCY: 0.0,
    }
    # An integer weight is taken as the float it stands for.
    assert type(resolved[Factor.SIZE]) is float


def test_one_positive_weight_among_zeros_is_enough_to_rank_by() -> None:
    zeros = {f.value: 0.0 for f in Factor}
    resolved = resolve_weights(zeros | {"collaboration": 1e-9})
    assert resolved[Factor.COLLABORATION] == 1e-9
    assert sum(resolved.values()) == 1e-9


def test_an_unknown_key_is_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights({"size": 1.0, "speed": 1.0})
    assert str(info.value) == (
        "unknown ranking weight 'speed'; known weights: "
        "contribution, size, complexity, recency, diversity, health, collaboration"
    )
    assert (info.value.key, info.value.value) == ("speed", None)
    # Raised from None: the ValueError of the enum lookup is not chained to it.
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_a_key_is_matched_exactly() -> None:
    with pytest.raises(InvalidWeightsError, match="unknown ranking weight 'Size'"):
        resolve_weights({"Size": 1.0})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "ranking weight 'health' must be a number, got '1'"),
        (None, "ranking weight 'health' must be a number, got None"),
        (False, "ranking weight 'health' must be a number, got False"),
        (-1, "ranking weight 'health' must be finite and >= 0, got -1"),
        (-0.5, "ranking weight 'health' must be finite and >= 0, got -0.5"),
        (float("inf"), "ranking weight 'health' must be finite and >= 0, got inf"),
        (float("-inf"), "ranking weight 'health' must be finite and >= 0, got -inf"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key_and_value(value: object, message: str) -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights({"health": value})  # type: ignore[dict-item]
    assert str(info.value) == message
    assert info.value.key == "health"
    assert info.value.value is value


def test_all_zero_weights_are_refused_as_a_whole() -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights({f.value: 0 for f in Factor})
    assert str(info.value) == "ranking weights are all zero: at least one must be positive"
    assert (info.value.key, info.value.value) == (None, None)


def test_the_error_keeps_what_it_was_given() -> None:
    error = InvalidWeightsError("bad", key="size", value=3)
    assert (str(error), error.key, error.value) == ("bad", "size", 3)
    assert (InvalidWeightsError("whole").key, InvalidWeightsError("whole").value) == (None, None)
