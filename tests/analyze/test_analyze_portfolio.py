"""The entry point, the prefs document and its schema, JSON and text output."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from mining.analyze import (
    REPRESENTATION_PREFS_SCHEMA,
    Factor,
    InvalidWeightsError,
    RepresentationPrefs,
    analyze_portfolio,
    render_text,
    to_jsonable,
)
from mining.analyze.prefs import ChronologyOverride, CustomRanking
from mining.records import ActivityKind, Identity, ProjectReport
from tests.analyze.analyze_factory import (
    NOW,
    USER,
    author,
    detection,
    dt,
    history,
    report,
    share,
    user_stats,
)

PREFS = {
    "showcase_projects": ["api"],
    "project_order": ["site"],
    "highlight_skills": ["Flask"],
    "hidden_skills": ["Docker"],
    "chronology_overrides": {"api": {"first": "2020-01-01", "last": "2023-12-01"}},
    "comparison_attributes": ["health", "contribution"],
    "custom_rankings": {"tool": {"rank": 1}, "site": {"score": 12.5}},
}


def _reports() -> list[ProjectReport]:
    shared = history(
        authors=[author(USER, 6, 60.0), author("bob@example.com", 4, 40.0)],
        bus_factor=2,
        user=user_stats(commits=6, share=60.0),
    )
    return [
        report(
            "api",
            history=shared,
            shares=[share("Python", 50_000, 100.0)],
            frameworks=[
                detection("Flask", "framework"),
                detection("Docker", "container", "any", "Dockerfile"),
            ],
            counts={ActivityKind.CODE: 4, ActivityKind.TEST: 2},
        ),
        report("site", shares=[share("JavaScript", 4_000, 100.0)]),
        report("tool", history=history(last=dt(2023, 12, 1), user=user_stats())),
    ]


def test_the_schema_is_valid_and_accepts_a_full_document() -> None:
    jsonschema.Draft202012Validator.check_schema(REPRESENTATION_PREFS_SCHEMA)
    jsonschema.Draft202012Validator(REPRESENTATION_PREFS_SCHEMA).validate(PREFS)


@pytest.mark.parametrize(
    "bad",
    [
        {"colour": "blue"},
        {"hidden_skills": "Docker"},
        {"comparison_attributes": ["speed"]},
        {"custom_rankings": {"api": {"rank": 0}}},
        {"custom_rankings": {"api": {}}},
        {"chronology_overrides": {"api": {"first": "last year"}}},
    ],
)
def test_the_schema_rejects_bad_documents(bad: dict[str, object]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(REPRESENTATION_PREFS_SCHEMA).validate(bad)


def test_from_json() -> None:
    prefs = RepresentationPrefs.from_json(PREFS)
    assert prefs.chronology("api", "api") == ChronologyOverride(date(2020, 1, 1), date(2023, 12, 1))
    assert prefs.custom("site", "site") == CustomRanking(score=12.5)
    assert prefs.comparison_attributes == (Factor.HEALTH, Factor.CONTRIBUTION)
    assert RepresentationPrefs.from_json({}) == RepresentationPrefs()


def test_every_pref_is_applied() -> None:
    prefs = RepresentationPrefs.from_json(PREFS)
    analysis = analyze_portfolio(_reports(), Identity.of(USER), now=NOW, prefs=prefs)
    by_path = {p.path: p for p in analysis.projects}
    # order: project_order first, then manual ranks, then by score
    assert analysis.ranking == ("site", "tool", "api")
    assert by_path["site"].rank.score == 12.5
    # showcase: only api gets resume items, and is marked
    assert [p.path for p in analysis.projects if p.resume_items] == ["api"]
    assert [p.path for p in analysis.projects if p.rank.showcased] == ["api"]
    # hidden skills vanish everywhere; highlighted come first
    api = by_path["api"]
    assert "Docker" not in [s.name for s in api.skills] + [s.name for s in api.user_skills]
    assert "Docker" not in [s.name for s in analysis.profile.top_skills]
    assert "Docker" not in [f.name for f in analysis.profile.frameworks]
    assert not any("Docker" in i.content for i in api.resume_items)
    assert analysis.profile.top_skills[0].name == "Flask"
    # chronology: recency and the active period use the override
    recency = next(c for c in api.rank.components if c.name is Factor.RECENCY)
    assert recency.raw == 31.0
    assert analysis.profile.first_active == dt(2020, 1, 1)
    # comparison attributes
    assert [c.name for c in api.rank.comparison] == [Factor.CONTRIBUTION, Factor.HEALTH]


def test_bad_weights_raise_before_any_work() -> None:
    with pytest.raises(InvalidWeightsError, match="'depth'"):
        analyze_portfolio(_reports(), Identity.of(USER), now=NOW, weights={"depth": 1})


def test_weights_used_are_reported() -> None:
    analysis = analyze_portfolio(_reports(), Identity.of(USER), now=NOW, weights={"size": 0})
    assert analysis.weights["size"] == 0.0
    assert analysis.weights["contribution"] == 0.25


def test_to_jsonable_is_plain_json() -> None:
    analysis = analyze_portfolio(_reports(), Identity.of(USER), now=NOW)
    data = to_jsonable(analysis)
    assert json.loads(json.dumps(data)) == data
    api = next(p for p in data["projects"] if p["path"] == "api")
    assert api["kind"] == "worktree"
    assert api["health"]["components"][0]["name"] == "documentation"
    assert api["rank"]["components"][0] == {
        "name": "contribution",
        "raw": 60.0,
        "normalised": 0.6,
        "weight": 0.25,
        "contribution": 15.0,
    }
    assert set(api) >= {"skills", "user_skills", "evidence", "resume_items", "summary"}
    assert data["profile"]["calendar"] == {"2023-01-02": 16}
    assert data["generated_at"] == "2024-01-01T00:00:00+00:00"
    assert to_jsonable(analysis.projects[0])["path"] == analysis.projects[0].path


def test_render_text_shows_every_section() -> None:
    text = render_text(analyze_portfolio(_reports(), Identity.of(USER), now=NOW))
    for fragment in (
        "Ranking\n  1. ",
        "== 1. ",
        "Skills:\n  Python (languages) weight 1.00, proficiency ",
        "Skills of me@example.com:",
        "Evidence:\n  [metric] 10 commits from 2023-01-01 to 2023-06-01",
        "Health: ",
        "  documentation ",
        "Ranking: #",
        "  contribution   raw ",
        "Resume:\n  - (experience) api: Lead Developer: ",
        "== Developer profile",
        "Seniority: ",
    ):
        assert fragment in text


def test_an_empty_portfolio() -> None:
    analysis = analyze_portfolio([], Identity.of(USER), now=NOW)
    assert analysis.projects == ()
    assert analysis.profile.first_active is None
    assert "== Developer profile" in render_text(analysis)
