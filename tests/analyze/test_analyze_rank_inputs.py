"""Ranking: what a project report gives each factor, each factor's scale at its edges, and the
order prefs and contribution impose."""

from __future__ import annotations

from mining.analyze import analyze_portfolio
from mining.analyze.weights import Factor
from mining.records import Identity
from tests.analyze.analyze_factory import NOW, USER, history, report


def test_a_repository_of_bot_commits_only_is_ranked() -> None:
    # Every commit a bot's: no person, so no collaboration (this raised a math domain error).
    r = report("bots", history=history(authors=[], bus_factor=0))
    ranked = analyze_portfolio([r], Identity.of(USER), now=NOW).projects[0].rank
    collaboration = {c.name: c for c in ranked.components}[Factor.COLLABORATION]
    assert (collaboration.raw, collaboration.normalised) == (0.0, 0.0)
