"""Evidence rows: types, sources, dates, and no duplicates."""

from __future__ import annotations

from datetime import date

from mining.analyze import analyze_portfolio
from mining.analyze.evidence import Evidence, EvidenceSource, EvidenceType, dedupe
from mining.records import ActivityKind, Identity
from tests.analyze.analyze_factory import NOW, USER, detection, history, report, user_stats

WORKFLOWS = (".github/workflows/ci.yml", ".github/workflows/lint.yml", ".github/workflows/rel.yml")


def _evidence() -> tuple[Evidence, ...]:
    h = history(total=40, merges=3, tags=2, user=user_stats(commits=40))
    r = report(
        "api",
        history=h,
        counts={ActivityKind.CODE: 10, ActivityKind.TEST: 5},
        notable=("README.md", "CHANGELOG.md", "docs/", "ruff.toml", *WORKFLOWS),
        frameworks=[
            detection("GitHub Actions", "ci", "any", WORKFLOWS[0]),
            detection("Ruff", "linter"),
            detection("pytest", "testing"),
            detection("pytest", "testing", source="requirements-dev.txt"),
        ],
    )
    return analyze_portfolio([r], Identity.of(USER), now=NOW).projects[0].evidence


def _rows(kind: EvidenceType) -> list[tuple[str, EvidenceSource, date]]:
    return [(e.content, e.source, e.date) for e in _evidence() if e.type is kind]


def test_metric_rows_carry_the_last_commit_date() -> None:
    last = date(2023, 6, 1)
    assert _rows(EvidenceType.METRIC)[:4] == [
        ("40 commits from 2023-01-01 to 2023-06-01", EvidenceSource.GIT_HISTORY, last),
        (
            "1 contributor(s), bus factor 1; 37 non-merge commits by people (the base of every "
            "share)",
            EvidenceSource.GIT_HISTORY,
            last,
        ),
        ("3 merge commits", EvidenceSource.GIT_HISTORY, last),
        ("2 tags reachable from HEAD (releases of the project)", EvidenceSource.GIT_HISTORY, last),
    ]
    assert (
        "commit frequency: 1.50 commits per week by the user",
        EvidenceSource.GIT_HISTORY,
        last,
    ) in _rows(EvidenceType.METRIC)


def test_testing_documentation_and_quality_rows() -> None:
    testing = [content for content, _, _ in _rows(EvidenceType.TESTING)]
    assert testing == [
        "5 test files at HEAD",
        "test-to-code ratio 0.50 (5 test files / 10 code files)",
        "testing framework: pytest (pyproject.toml, requirements-dev.txt)",
    ]
    docs = [content for content, _, _ in _rows(EvidenceType.DOCUMENTATION)]
    assert docs == [
        "README present (README.md)",
        "docs folder present (docs/)",
        "changelog present (CHANGELOG.md)",
    ]
    quality = [(c, s) for c, s, _ in _rows(EvidenceType.CODE_QUALITY)]
    assert quality == [
        ("CI: GitHub Actions (" + ", ".join(WORKFLOWS) + ")", EvidenceSource.FILE_TREE),
        ("Linter: Ruff (pyproject.toml, ruff.toml)", EvidenceSource.MANIFESTS),
    ]


def test_one_ci_tool_is_listed_once_however_many_workflow_files() -> None:
    # The health explanation names the CI it scored; the finding itself is one row.
    found = [e for e in _evidence() if e.source is not EvidenceSource.HEALTH]
    mentions = [e for e in found if "GitHub Actions" in e.content]
    assert len(mentions) == 1
    assert all(mentions[0].content.count(path) == 1 for path in WORKFLOWS)


def test_health_and_ranking_are_explained_as_of_now() -> None:
    rows = _rows(EvidenceType.EVALUATION)
    health = [r for r in rows if r[1] is EvidenceSource.HEALTH]
    ranking = [r for r in rows if r[1] is EvidenceSource.RANKING]
    assert len(health) == 11  # the total and ten components
    assert len(ranking) == 8  # the total and seven components
    assert {r[2] for r in health + ranking} == {NOW.date()}
    assert health[1][0].startswith("health documentation: 13/15 - has README (README.md)")


def test_no_row_appears_twice() -> None:
    evidence = _evidence()
    assert len({(e.type, e.content) for e in evidence}) == len(evidence)


def test_dedupe_keeps_the_first_occurrence() -> None:
    a = Evidence(EvidenceType.METRIC, "x", EvidenceSource.GIT_HISTORY, date(2023, 1, 1))
    b = Evidence(EvidenceType.METRIC, "x", EvidenceSource.FILE_TREE, date(2024, 1, 1))
    c = Evidence(EvidenceType.TESTING, "x", EvidenceSource.FILE_TREE, date(2024, 1, 1))
    assert dedupe([a, b, c, a]) == (a, c)
