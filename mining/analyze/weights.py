"""Ranking factors and their weights, validated before any score is computed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum


class Factor(StrEnum):
    """The components of a project's ranking score (see ranking.py for each formula)."""

    CONTRIBUTION = "contribution"
    SIZE = "size"
    COMPLEXITY = "complexity"
    RECENCY = "recency"
    DIVERSITY = "diversity"
    HEALTH = "health"
    COLLABORATION = "collaboration"


# The user's own share matters most; size, recency and health next; the rest refine.
DEFAULT_WEIGHTS: Mapping[Factor, float] = {
    Factor.CONTRIBUTION: 0.25,
    Factor.SIZE: 0.15,
    Factor.COMPLEXITY: 0.10,
    Factor.RECENCY: 0.15,
    Factor.DIVERSITY: 0.10,
    Factor.HEALTH: 0.15,
    Factor.COLLABORATION: 0.10,
}


class InvalidWeightsError(ValueError):
    """Caller-supplied ranking weights were rejected; `key` and `value` name the offender
    (`key` is None when the weights are wrong as a whole, e.g. all zero)."""

    def __init__(self, message: str, *, key: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.key = key
        self.value = value


def resolve_weights(weights: Mapping[str, float] | None) -> dict[Factor, float]:
    """The defaults, overridden key by key by `weights`.

    A key not given keeps its default weight; to leave a factor out, give it 0. Raises
    InvalidWeightsError for an unknown key, a value that is not a finite non-negative number,
    or a result whose weights are all zero (nothing to rank by).
    """
    resolved = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        factor = _factor(key)
        resolved[factor] = _weight(key, value)
    if not any(resolved.values()):
        raise InvalidWeightsError("ranking weights are all zero: at least one must be positive")
    return resolved


def _factor(key: str) -> Factor:
    try:
        return Factor(key)
    except ValueError:
        known = ", ".join(f.value for f in Factor)
        raise InvalidWeightsError(
            f"unknown ranking weight {key!r}; known weights: {known}", key=key
        ) from None


def _weight(key: str, value: object) -> float:
    # bool is an int subclass; True as a weight is a mistake, not 1.0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidWeightsError(
            f"ranking weight {key!r} must be a number, got {value!r}", key=key, value=value
        )
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidWeightsError(
            f"ranking weight {key!r} must be finite and >= 0, got {value!r}", key=key, value=value
        )
    return number
