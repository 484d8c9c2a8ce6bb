"""Ranking weights: the edges test_analyze_weights_errors.py leaves open (several keys at
once, an exact key, a fraction below zero, minus infinity, the value kept as given)."""

from __future__ import annotations

import pytest

from mining.analyze.weights import DEFAULT_WEIGHTS, Factor, InvalidWeightsError, resolve_weights


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


def test_a_key_is_matched_exactly() -> None:
    with pytest.raises(InvalidWeightsError, match="unknown ranking weight 'Size'"):
        resolve_weights({"Size": 1.0})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-0.5, "ranking weight 'health' must be finite and >= 0, got -0.5"),
        (float("-inf"), "ranking weight 'health' must be finite and >= 0, got -inf"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key_and_value(value: object, message: str) -> None:
    with pytest.raises(InvalidWeightsError) as info:
        resolve_weights({"health": value})  # type: ignore[dict-item]
    assert str(info.value) == message
    assert info.value.key == "health"
    assert info.value.value is value


def test_the_error_keeps_what_it_was_given() -> None:
    error = InvalidWeightsError("bad", key="size", value=3)
    assert (str(error), error.key, error.value) == ("bad", "size", 3)
    assert (InvalidWeightsError("whole").key, InvalidWeightsError("whole").value) == (None, None)
