"""Evidence, row by row: the findings a shared repository, a plain folder and a repository
the user never committed to each show (their text, type, source and date)."""

from __future__ import annotations

from dataclasses import replace

from mining.analyze import analyze_portfolio
from mining.analyze.evidence import Evidence
from mining.analyze.prefs import CustomRanking, RepresentationPrefs
from mining.records import ActivityKind, AuthorStats, History, Identity, LeftOut, ProjectReport
from tests.analyze.analyze_factory import NOW, USER, author, dt, history, report, share, user_stats

HEAD = "2023-06-01"  # the factory's last commit
TODAY = "2024-01-01"  # NOW


def _bots(count: int) -> tuple[AuthorStats, ...]:
    return tuple(
        AuthorStats(f"bot{i}[bot]", f"b{i}@bots", 1000 + i, 0, 0, dt(2023, 1), dt(2023, 6), 0, True)
        for i in range(count)
    )


def _with_bots(h: History, count: int) -> History:
    return replace(h, collaboration=replace(h.collaboration, bots=_bots(count)))


def _rows(
    r: ProjectReport, prefs: RepresentationPrefs | None = None
) -> list[tuple[str, str, str, str]]:
    evidence: tuple[Evidence, ...] = (
        analyze_portfolio([r], Identity.of(USER), now=NOW, prefs=prefs).projects[0].evidence
    )
    return [(e.type.value, e.content, e.source.value, e.date.isoformat()) for e in evidence]


def _shared() -> ProjectReport:
    user = user_stats(
        commits=30, share=75.0, activity={ActivityKind.CODE: 900, ActivityKind.TEST: 1234}
    )
    h = history(
        total=40,
        authors=[author(USER, 30, 75.0), author("b@x.com", 10, 25.0)],
        bus_factor=2,
        user=user,
    )
    r = report(
        "api",
        history=_with_bots(h, 6),
        shares=[share("Python", 5000, 100.0)],
        counts={ActivityKind.TEST: 3},  # tests but no code: no test-to-code ratio
        notable=("CONTRIBUTING.md", "Dockerfile", "LICENSE"),
    )
    vendored = LeftOut("vendored", 12, 34567, ("vendor/", "third_party/"))
    return replace(r, tree=replace(r.tree, left_out=(vendored,)))


def test_a_shared_repository_shows_its_findings_as_of_its_last_commit() -> None:
    rows = [row for row in _rows(_shared()) if row[2] not in ("health", "ranking")]
    assert rows == [
        ("metric", "40 commits from 2023-01-01 to 2023-06-01", "git_history", HEAD),
        (
            "metric",
            "2 contributor(s), bus factor 2; 40 non-merge commits by people (the base of every "
            "share)",
            "git_history",
            HEAD,
        ),
        (
            "metric",
            "bot commits, left out of shares and the bus factor: bot0[bot] (1,000), "
            "bot1[bot] (1,001), bot2[bot] (1,002), bot3[bot] (1,003), bot4[bot] (1,004) "
            "and 1 more",
            "git_history",
            HEAD,
        ),
        (
            "metric",
            "30 of 40 non-merge commits by people are the user's (75.0%), 2023-01-01 to 2023-06-01",
            "git_history",
            HEAD,
        ),
        ("metric", "commit frequency: 1.50 commits per week by the user", "git_history", HEAD),
        (
            "metric",
            "the user added 1,000 and deleted 100 lines in 12 files across 3 modules",
            "git_history",
            HEAD,
        ),
        ("testing", "3 test files at HEAD", "file_tree", HEAD),
        ("testing", "1,234 lines of tests changed by the user", "git_history", HEAD),
        ("documentation", "contributing guide present (CONTRIBUTING.md)", "file_tree", HEAD),
        ("documentation", "licence present (LICENSE)", "file_tree", HEAD),
        # Not a code-quality tool: an evaluation, labelled by its kind.
        ("evaluation", "Container: Docker (Dockerfile)", "file_tree", HEAD),
        ("evaluation", "primary language: Python", "languages", HEAD),
        (
            "evaluation",
            "left out of the language shares: 12 vendored file(s), 34,567 bytes, mostly in "
            "vendor/, third_party/",
            "languages",
            HEAD,
        ),
        ("evaluation", "the user's role: Lead Developer", "git_history", HEAD),
        (
            "evaluation",
            "collaborative project (more than one author committed)",
            "git_history",
            HEAD,
        ),
    ]


def test_five_bots_are_all_named_and_no_more_is_said() -> None:
    r = report("api", history=_with_bots(history(), 5))
    bots = [content for _, content, _, _ in _rows(r) if content.startswith("bot commits")]
    assert bots == [
        "bot commits, left out of shares and the bus factor: bot0[bot] (1,000), "
        "bot1[bot] (1,001), bot2[bot] (1,002), bot3[bot] (1,003), bot4[bot] (1,004)"
    ]
    assert not any(
        content.startswith("bot commits")
        for _, content, _, _ in _rows(report("api", history=history()))
    )


def test_a_manual_score_is_shown_next_to_the_computed_one() -> None:
    def head(prefs: RepresentationPrefs | None = None) -> str:
        return next(c for _, c, source, _ in _rows(_shared(), prefs) if source == "ranking")

    computed = head()
    assert computed.startswith("ranking score ")
    assert computed.endswith("/100 = sum of weighted components")
    prefs = RepresentationPrefs(custom_rankings={"api": CustomRanking(score=12.5)})
    assert head(prefs) == computed + "; manually set to 12.50"


def test_a_plain_folder_is_dated_today_and_its_recency_is_unknown() -> None:
    rows = _rows(report("notes", files=7, counts={ActivityKind.TEST: 2}))
    assert rows[:2] == [
        ("testing", "2 test files at HEAD", "file_tree", TODAY),
        ("evaluation", "7 files; not a git repository, so no history", "file_tree", TODAY),
    ]
    assert (
        "evaluation",
        "ranking recency: raw unknown, normalised 0.5000 x weight 0.15 -> 7.50 points",
        "ranking",
        TODAY,
    ) in rows
    assert (
        "evaluation",
        "ranking complexity: raw 7, normalised 0.3010 x weight 0.1 -> 3.01 points",
        "ranking",
        TODAY,
    ) in rows


def test_a_repository_without_the_users_commits_says_so() -> None:
    # And without a first commit date, no "commits from ... to ..." row either.
    h = replace(history(user=user_stats(commits=0, share=0.0)), first_commit=None)
    rows = [row for row in _rows(report("other", history=h)) if row[2] == "git_history"]
    assert rows == [
        (
            "metric",
            "1 contributor(s), bus factor 1; 10 non-merge commits by people (the base of every "
            "share)",
            "git_history",
            HEAD,
        ),
        (
            "metric",
            "no commit by the user: the project is listed for its project facts only",
            "git_history",
            HEAD,
        ),
    ]
