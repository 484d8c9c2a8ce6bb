"""Ranking: the score of literal inputs, tie-breaks, weights validation, prefs applied."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mining.analyze.prefs import CustomRanking, RepresentationPrefs
from mining.analyze.ranking import RankInput, rank_projects, score
from mining.analyze.weights import DEFAULT_WEIGHTS, Factor, InvalidWeightsError, resolve_weights
from tests.analyze.analyze_factory import NOW, RANK_INPUT


def test_score_of_literal_inputs_with_default_weights() -> None:
    # 100 x (0.25 x 0.5 + 0.15 x 0 + 0.10 x 0 + 0.15 x 0.5 + 0.10 x 0.5 + 0.15 x 0.8 + 0.10 x 1)
    total, components = score(RANK_INPUT, DEFAULT_WEIGHTS, NOW)
    assert total == 47.0
    assert [(c.name, c.raw, c.normalised, c.contribution) for c in components] == [
        (Factor.CONTRIBUTION, 50.0, 0.5, 12.5),
        (Factor.SIZE, 0.0, 0.0, 0.0),
        (Factor.COMPLEXITY, 0.0, 0.0, 0.0),
        (Factor.RECENCY, 365.0, 0.5, 7.5),
        (Factor.DIVERSITY, 6.0, 0.5, 5.0),
        (Factor.HEALTH, 80.0, 0.8, 12.0),
        (Factor.COLLABORATION, 10.0, 1.0, 10.0),
    ]


def test_caller_weights_override_defaults_key_by_key() -> None:
    only_health = {f.value: 0.0 for f in Factor} | {"health": 2.0}
    total, _ = score(RANK_INPUT, resolve_weights(only_health), NOW)
    assert total == 80.0
    merged = resolve_weights({"size": 0})
    assert merged[Factor.SIZE] == 0.0
    assert merged[Factor.HEALTH] == DEFAULT_WEIGHTS[Factor.HEALTH]


def test_unknown_recency_and_solo_collaboration() -> None:
    solo = replace(RANK_INPUT, last_activity=None, authors=1)
    _, components = score(solo, DEFAULT_WEIGHTS, NOW)
    by_name = {c.name: c for c in components}
    assert (by_name[Factor.RECENCY].raw, by_name[Factor.RECENCY].normalised) == (None, 0.5)
    assert by_name[Factor.COLLABORATION].normalised == 0.0


def _names(items: list[RankInput], prefs: RepresentationPrefs | None = None) -> list[str]:
    ranked = rank_projects(items, DEFAULT_WEIGHTS, NOW, prefs or RepresentationPrefs())
    assert [r.position for r in ranked] == list(range(1, len(items) + 1))
    return [r.path for r in ranked]


def test_recency_and_name_then_path_order() -> None:
    old = replace(RANK_INPUT, path="old", name="old", last_activity=NOW - timedelta(days=400))
    new = replace(RANK_INPUT, path="new", name="new")
    tie_old_score, _ = score(old, DEFAULT_WEIGHTS, NOW)
    tie_new_score, _ = score(new, DEFAULT_WEIGHTS, NOW)
    assert tie_new_score > tie_old_score
    assert _names([old, new]) == ["new", "old"]

    b = replace(RANK_INPUT, path="x/b", name="b")
    a2 = replace(RANK_INPUT, path="z/a", name="a")
    a1 = replace(RANK_INPUT, path="y/a", name="a")
    assert _names([b, a2, a1]) == ["y/a", "z/a", "x/b"]  # equal scores: name, then path


def test_ties_break_on_last_commit_when_scores_are_equal() -> None:
    weights = resolve_weights({f.value: 0.0 for f in Factor} | {"health": 1})
    older = replace(RANK_INPUT, path="older", name="older", last_activity=NOW - timedelta(days=9))
    newer = replace(RANK_INPUT, path="newer", name="z-newer", last_activity=NOW - timedelta(days=1))
    unknown = replace(RANK_INPUT, path="unknown", name="a-unknown", last_activity=None)
    ranked = rank_projects([unknown, older, newer], weights, NOW, RepresentationPrefs())
    assert [r.path for r in ranked] == ["newer", "older", "unknown"]


def test_prefs_order_custom_rank_score_showcase_and_comparison() -> None:
    items = [
        replace(RANK_INPUT, path=p, name=p, health=h) for p, h in (("a", 10), ("b", 50), ("c", 90))
    ]
    assert _names(items) == ["c", "b", "a"]
    assert _names(items, RepresentationPrefs(project_order=("a",))) == ["a", "c", "b"]
    manual = RepresentationPrefs(custom_rankings={"b": CustomRanking(rank=1)})
    assert _names(items, manual) == ["b", "c", "a"]
    rescored = RepresentationPrefs(custom_rankings={"a": CustomRanking(score=99.0)})
    ranked = rank_projects(items, DEFAULT_WEIGHTS, NOW, rescored)
    assert (ranked[0].path, ranked[0].score) == ("a", 99.0)
    assert ranked[0].computed_score != 99.0

    prefs = RepresentationPrefs(
        showcase_projects=("c",), comparison_attributes=(Factor.HEALTH, Factor.SIZE)
    )
    ranked = rank_projects(items, DEFAULT_WEIGHTS, NOW, prefs)
    assert [(r.path, r.showcased) for r in ranked] == [("c", True), ("b", False), ("a", False)]
    assert [c.name for c in ranked[0].comparison] == [Factor.SIZE, Factor.HEALTH]
    assert len(ranked[0].components) == len(Factor)


@pytest.mark.parametrize(
    ("weights", "key", "fragment"),
    [
        ({"speed": 1.0}, "speed", "unknown ranking weight 'speed'"),
        ({"size": -0.5}, "size", "'size' must be finite and >= 0, got -0.5"),
        ({"size": math.nan}, "size", "got nan"),
        ({"health": math.inf}, "health", "got inf"),
        ({"health": "1"}, "health", "must be a number, got '1'"),
        ({"health": True}, "health", "must be a number, got True"),
        ({f.value: 0 for f in Factor}, None, "all zero"),
    ],
)
def test_bad_weights_are_rejected_with_a_message_naming_them(
    weights: dict[str, object], key: str | None, fragment: str
) -> None:
    with pytest.raises(InvalidWeightsError, match="ranking weight") as info:
        resolve_weights(weights)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert info.value.key == key
    assert isinstance(info.value, ValueError)


finite = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.dictionaries(st.sampled_from([f.value for f in Factor]), finite))
def test_valid_weights_give_scores_between_0_and_100(weights: dict[str, float]) -> None:
    try:
        resolved = resolve_weights(weights)
    except InvalidWeightsError:
        assert all(resolved_value == 0 for resolved_value in weights.values())
        assert set(weights) == {f.value for f in Factor}
        return
    total, components = score(RANK_INPUT, resolved, NOW)
    assert 0 <= total <= 100
    assert all(c.contribution >= 0 for c in components)


@given(st.sampled_from([f.value for f in Factor]), st.floats(max_value=-1e-9))
def test_negative_weights_are_always_rejected(key: str, value: float) -> None:
    with pytest.raises(InvalidWeightsError):
        resolve_weights({key: value})
