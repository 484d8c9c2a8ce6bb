"""Ranking: what a project report gives each factor, each factor's scale at its edges, and the
order prefs and contribution impose."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from mining.analyze import analyze_portfolio
from mining.analyze.prefs import CustomRanking, RepresentationPrefs
from mining.analyze.ranking import RankInput, normalise, rank_input, rank_projects, score
from mining.analyze.weights import DEFAULT_WEIGHTS, Factor
from mining.records import Identity, LanguageKind
from tests.analyze.analyze_factory import (
    NOW,
    RANK_INPUT,
    USER,
    author,
    history,
    report,
    share,
    user_stats,
)


def _input(**kwargs: object) -> RankInput:
    return rank_input(report(**kwargs), health=50.0, skills=3, last_activity=None)  # type: ignore[arg-type]


def test_rank_input_of_a_shared_repository() -> None:
    h = history(
        authors=[author(USER, 6, 60.0), author("b@x.com", 3, 30.0), author("c@x.com", 1, 10.0)],
        user=user_stats(commits=6, share=60.0),
    )
    shares = [
        share("Python", 3000, 60.0),
        share("Go", 1000, 20.0),
        share("Markdown", 1000, 20.0, LanguageKind.PROSE),
    ]
    item = rank_input(
        report("api", path="src/api", history=h, shares=shares, files=42),
        health=71.5,
        skills=4,
        last_activity=NOW,
    )
    assert item == RankInput(
        path="src/api",
        name="api",
        share_percent=60.0,
        code_bytes=4000,  # programming languages only
        files=42,
        last_activity=NOW,
        skills=4,
        health=71.5,
        authors=3,
        contributed=True,
    )


def test_size_falls_back_to_every_language_without_programming_code() -> None:
    prose = [share("Markdown", 700, 70.0, LanguageKind.PROSE), share("CSS", 300, 30.0)]
    assert _input(shares=[prose[0]]).code_bytes == 700
    assert _input(shares=prose).code_bytes == 300


def test_contribution_without_a_user_identity() -> None:
    plain = _input()
    assert (plain.share_percent, plain.authors, plain.contributed) == (100.0, 1, True)
    solo = _input(history=history())
    assert (solo.share_percent, solo.authors) == (100.0, 1)
    four = [author(f"a{i}@x.com", 1, 25.0) for i in range(4)]
    shared = _input(history=history(authors=four))
    assert (shared.share_percent, shared.authors, shared.contributed) == (25.0, 4, True)
    # Only bots committed: no person, and the share stays 100 rather than dividing by zero.
    bots = _input(history=history(authors=[]))
    assert (bots.share_percent, bots.authors) == (100.0, 0)


def test_an_identity_without_a_commit_did_not_contribute() -> None:
    none = _input(history=history(user=user_stats(commits=0, share=0.0)))
    assert (none.contributed, none.share_percent) == (False, 0.0)
    one = _input(history=history(user=user_stats(commits=1, share=10.0)))
    assert (one.contributed, one.share_percent) == (True, 10.0)


def test_a_repository_of_bot_commits_only_is_ranked() -> None:
    # Every commit a bot's: no person, so no collaboration (this raised a math domain error).
    r = report("bots", history=history(authors=[], bus_factor=0))
    ranked = analyze_portfolio([r], Identity.of(USER), now=NOW).projects[0].rank
    collaboration = {c.name: c for c in ranked.components}[Factor.COLLABORATION]
    assert (collaboration.raw, collaboration.normalised) == (0.0, 0.0)


def _norm(factor: Factor, **changes: object) -> tuple[float | None, float]:
    return normalise(factor, replace(RANK_INPUT, **changes), NOW)  # type: ignore[arg-type]


def test_contribution_and_diversity_saturate_at_one() -> None:
    assert _norm(Factor.CONTRIBUTION, share_percent=150.0) == (150.0, 1.0)
    assert _norm(Factor.CONTRIBUTION, share_percent=-5.0) == (-5.0, 0.0)
    assert _norm(Factor.DIVERSITY, skills=30) == (30.0, 1.0)
    assert _norm(Factor.DIVERSITY, skills=3) == (3.0, 0.25)


def test_recency_counts_days_to_the_hundredth() -> None:
    assert _norm(Factor.RECENCY, last_activity=NOW - timedelta(hours=12)) == (
        0.5,
        0.5 ** (0.5 / 365),
    )
    assert _norm(Factor.RECENCY, last_activity=NOW - timedelta(hours=36))[0] == 1.5
    assert _norm(Factor.RECENCY, last_activity=NOW - timedelta(hours=1))[0] == 0.04
    assert _norm(Factor.RECENCY, last_activity=NOW - timedelta(days=1000))[0] == 1000.0
    # A last commit dated after now is today, not in the future.
    assert _norm(Factor.RECENCY, last_activity=NOW + timedelta(days=2)) == (0.0, 1.0)


def test_collaboration_grows_with_log2_of_the_authors_up_to_ten() -> None:
    raw, two = _norm(Factor.COLLABORATION, authors=2)
    assert raw == 2.0
    assert round(two, 5) == 0.30103  # log2(2) / log2(10)
    assert _norm(Factor.COLLABORATION, authors=1) == (1.0, 0.0)
    assert _norm(Factor.COLLABORATION, authors=100) == (100.0, 1.0)


def test_components_are_rounded_for_display_and_the_score_to_a_hundredth() -> None:
    item = replace(RANK_INPUT, authors=2, last_activity=NOW - timedelta(hours=1))
    total, components = score(item, DEFAULT_WEIGHTS, NOW)
    by_name = {c.name: c for c in components}
    assert by_name[Factor.COLLABORATION].normalised == 0.301
    assert by_name[Factor.RECENCY].normalised == 0.9999
    assert by_name[Factor.RECENCY].contribution == 15.0  # 14.9988...
    assert total == round(total, 2)
    exact = 12.5 + 15 * 0.5 ** ((1 / 24) / 365) + 5.0 + 12.0 + 10 * (1 / 3.321928094887362)
    assert total == round(exact, 2) == 47.51


def test_a_factor_missing_from_the_weights_counts_for_nothing() -> None:
    total, components = score(RANK_INPUT, {Factor.HEALTH: 1.0}, NOW)
    assert total == 80.0
    assert {c.name: c.weight for c in components}[Factor.SIZE] == 0.0


def _ranked(items: list[RankInput], prefs: RepresentationPrefs) -> list[str]:
    return [r.path for r in rank_projects(items, DEFAULT_WEIGHTS, NOW, prefs)]


ITEMS = [
    replace(RANK_INPUT, path=f"src/{n}", name=n, health=h)
    for n, h in (("a", 10), ("b", 50), ("c", 90))
]


def test_project_order_is_followed_in_full() -> None:
    assert _ranked(ITEMS, RepresentationPrefs(project_order=("a", "b"))) == [
        "src/a",
        "src/b",
        "src/c",
    ]
    assert _ranked(ITEMS, RepresentationPrefs(project_order=("src/b", "a"))) == [
        "src/b",
        "src/a",
        "src/c",
    ]


def test_manual_ranks_are_followed_in_full() -> None:
    custom = {"a": CustomRanking(rank=1), "src/b": CustomRanking(rank=2)}
    assert _ranked(ITEMS, RepresentationPrefs(custom_rankings=custom)) == [
        "src/a",
        "src/b",
        "src/c",
    ]


def test_prefs_name_a_project_by_its_path_or_its_name() -> None:
    for key in ("src/a", "a"):
        prefs = RepresentationPrefs(
            showcase_projects=(key,), custom_rankings={key: CustomRanking(score=99.125)}
        )
        ranked = rank_projects(ITEMS, DEFAULT_WEIGHTS, NOW, prefs)
        assert [(r.path, r.showcased) for r in ranked] == [
            ("src/a", True),
            ("src/c", False),
            ("src/b", False),
        ]
        assert ranked[0].score == round(99.125, 2)


def test_projects_the_user_never_committed_to_come_last() -> None:
    strong = replace(ITEMS[2], contributed=False)
    ranked = rank_projects([strong, ITEMS[0]], DEFAULT_WEIGHTS, NOW, RepresentationPrefs())
    assert [(r.path, r.contributed) for r in ranked] == [("src/a", True), ("src/c", False)]
    assert ranked[1].score > ranked[0].score
