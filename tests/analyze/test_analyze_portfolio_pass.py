"""The portfolio pass: what it hands each stage of one project (identity, prefs by path or
name, the user's own period, the history) and what it keeps of the project."""

from __future__ import annotations

from datetime import date

from mining.analyze import analyze_portfolio
from mining.analyze.prefs import ChronologyOverride, RepresentationPrefs
from mining.records import Identity, ProjectReport
from tests.analyze.analyze_factory import NOW, author, dt, history, report, user_stats

ALIAS = "old@example.com"
ME = "me@example.com"


def _shared() -> tuple[ProjectReport, ...]:
    user = user_stats(
        commits=6,
        share=60.0,
        first=dt(2023, 2, 1),
        last=dt(2023, 4, 1),
        emails=(ALIAS, ME),  # mining lists the canonical one first; here the alias is
        calendar={date(2023, 2, 1): 3, date(2023, 4, 1): 3},
    )
    h = history(
        total=10,
        first=dt(2022, 1, 1),
        last=dt(2023, 6, 1),
        authors=[author(ME, 6, 60.0), author("co@example.com", 4, 40.0)],
        bus_factor=2,
        calendar={date(2022, 1, 1): 4, date(2023, 2, 1): 3, date(2023, 4, 1): 3},
        user=user,
    )
    return (report("api", path="src/api", history=h),)


def test_the_users_skills_carry_the_email_the_identity_names() -> None:
    analysis = analyze_portfolio(_shared(), Identity.of(ME), now=NOW).projects[0]
    assert analysis.user_skills
    assert {s.user_email for s in analysis.user_skills} == {ME}


def test_the_project_keeps_its_name_path_chronology_and_history_health() -> None:
    analysis = analyze_portfolio(_shared(), Identity.of(ME), now=NOW).projects[0]
    assert (analysis.name, analysis.path) == ("api", "src/api")
    assert analysis.chronology[0].skill is None
    assert [m.month for m in analysis.chronology[0].months] == [date(2023, 2, 1), date(2023, 4, 1)]
    reasons = {c.name: c.reason for c in analysis.health.components}
    assert reasons["contributors"] == "2 author(s), bus factor 2"


def test_recency_is_the_users_last_commit_not_the_repositorys() -> None:
    analysis = analyze_portfolio(_shared(), Identity.of(ME), now=NOW).projects[0]
    assert analysis.rank.last_activity == dt(2023, 4, 1)


def test_a_chronology_override_is_found_by_path_or_by_name() -> None:
    for key in ("src/api", "api"):
        prefs = RepresentationPrefs(
            chronology_overrides={key: ChronologyOverride(last=date(2023, 12, 1))}
        )
        ranked = analyze_portfolio(_shared(), Identity.of(ME), now=NOW, prefs=prefs)
        assert ranked.projects[0].rank.last_activity == dt(2023, 12, 1)
