"""The fold of parsed commits into History and UserStats, on literal commits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from mining.history import bus_factor, fold, per_week
from mining.parse import Commit, ModificationType, ModifiedFile
from mining.records import (
    ActivityKind,
    AuthorStats,
    Collaboration,
    History,
    Identity,
    LanguageActivity,
    UserStats,
)

DAY = 86400
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def change(path: str, added: int | None = 1, deleted: int | None = 0) -> ModifiedFile:
    return ModifiedFile(path, None, added, deleted, ModificationType.MODIFY)


def make(
    n: int,
    email: str,
    ts: int,
    *files: ModifiedFile,
    parents: int = 1,
    name: str = "",
    original: str = "",
) -> Commit:
    parent_shas = tuple(f"{p + 1000:040x}" for p in range(parents))
    author = name or email.split("@")[0]
    return Commit(f"{n:040x}", parent_shas, author, email, original or email, at(ts), at(ts), files)


# Newest first, as git log prints them.
COMMITS = [
    make(6, "alice@x.com", T0 + 9 * DAY, parents=2),  # a merge
    make(5, "ALICE@x.com", T0 + 8 * DAY, change("docs/guide.md", 10, 2), name="Alice"),
    make(4, "bob@x.com", T0 + 7 * DAY, change("tests/test_app.py", 5, 0)),
    make(3, "jimbob@x.com", T0 + 3 * DAY, change("node_modules/lib/index.js", 900, 0)),
    make(2, "alice@x.com", T0 + DAY, change("src/app.py", 20, 5), change("logo.png", None, None),
         name="Alice Old"),
    make(1, "carol@x.com", T0, change("README.md", 3, 0), change("app.py", 2, 0), parents=0),
]  # fmt: skip


def test_fold_everyone() -> None:
    # Each author's own work (`work`, `paths`) is tests/mining/test_mining_identities.py's.
    history = replace(fold(COMMITS, None, tags=2), work=(), paths=())
    assert history == History(
        total_commits=6,
        merges=1,
        first_commit=at(T0),
        last_commit=at(T0 + 9 * DAY),
        collaboration=Collaboration(
            authors=(
                AuthorStats("Alice", "alice@x.com", 2, 30, 7, at(T0 + DAY), at(T0 + 8 * DAY), 40.0),
                AuthorStats("bob", "bob@x.com", 1, 5, 0, at(T0 + 7 * DAY), at(T0 + 7 * DAY), 20.0),
                AuthorStats("carol", "carol@x.com", 1, 5, 0, at(T0), at(T0), 20.0),
                # node_modules/ is left out of everyone's lines, authors' too
                AuthorStats("jimbob", "jimbob@x.com", 1, 0, 0, at(T0 + 3 * DAY),
                            at(T0 + 3 * DAY), 20.0),
            ),
            bus_factor=2,
            is_collaborative=True,
        ),
        # docs/guide.md and README.md are documentation work, not a language of anyone's code
        languages={"Python": LanguageActivity(27, 5, 3, 3, at(T0), at(T0 + 7 * DAY))},
        activity={ActivityKind.CODE: 27, ActivityKind.TEST: 5, ActivityKind.DOCS: 15,
                  ActivityKind.DESIGN: 1},
        calendar={date(2023, 11, 14): 1, date(2023, 11, 15): 1, date(2023, 11, 17): 1,
                  date(2023, 11, 21): 1, date(2023, 11, 22): 1, date(2023, 11, 23): 1},
        tags=2,
        user=None,
        share_base=5,
    )  # fmt: skip


def test_fold_user_exact_email_match() -> None:
    user = fold(COMMITS, Identity.of("Bob@X.com")).user
    assert user == UserStats(
        emails=("bob@x.com",),
        commits=1,
        first_commit=at(T0 + 7 * DAY),
        last_commit=at(T0 + 7 * DAY),
        share_percent=20.0,
        commits_per_week=1.0,
        added=5,
        deleted=0,
        activity={ActivityKind.TEST: 5},
        languages={"Python": LanguageActivity(5, 0, 1, 1, at(T0 + 7 * DAY), at(T0 + 7 * DAY))},
        files_touched=1,
        modules_touched=1,
        calendar={date(2023, 11, 21): 1},
        role="Test Engineer",
        activity_first={ActivityKind.TEST: at(T0 + 7 * DAY)},
    )


def test_fold_user_by_recorded_email_and_alias() -> None:
    commits = [make(1, "new@x.com", T0, change("a.py", 4, 0), original="old@x.com"),
               make(2, "other@x.com", T0, change("b.py", 1, 0))]  # fmt: skip
    user = fold(commits, Identity.of("old@x.com")).user
    assert user is not None
    assert (user.emails, user.commits, user.role, user.modules_touched) == (
        ("new@x.com",), 1, "Lead Developer", 1
    )  # fmt: skip


def test_fold_user_without_commits() -> None:
    user = fold(COMMITS, Identity.of("nobody@x.com")).user
    assert user == UserStats((), 0, None, None, 0.0, 0.0, 0, 0, {}, {}, 0, 0, {},
                             "Not a Contributor")  # fmt: skip


def test_fold_nothing() -> None:
    history = fold([], Identity.of("a@x.com"))
    assert history.collaboration == Collaboration((), 0, False)
    assert history.total_commits == 0
    assert history.user is not None
    assert history.user.role == "Not a Contributor"


def test_sole_developer_and_root_commit() -> None:
    from mining.history import HistoryFold

    folder = HistoryFold(Identity.of("alice@x.com"))
    for commit in COMMITS[:2] + COMMITS[4:5]:
        folder.add(commit)
    folder.add(make(9, "alice@x.com", T0, parents=0))
    folder.add(make(8, "alice@x.com", T0 - DAY, parents=0))  # an older second root
    history = folder.history()
    assert folder.root_commit == f"{8:040x}"
    assert history.user is not None
    assert history.user.role == "Sole Developer"
    assert history.collaboration.is_collaborative is False
    assert history.user.modules_touched == 3  # docs, src, "."


@pytest.mark.parametrize(
    ("counts", "expected"),
    [((), 0), ((5,), 1), ((3, 3), 2), ((2, 1, 1), 2), ((1, 1, 1, 1), 3)],
)
def test_bus_factor(counts: tuple[int, ...], expected: int) -> None:
    authors = tuple(AuthorStats("", "", c, 0, 0, at(T0), at(T0), 0.0) for c in counts)
    assert bus_factor(authors) == expected


def test_per_week() -> None:
    from mining.history import _Span

    assert per_week(0, _Span()) == 0.0
    assert per_week(3, _Span(at(T0), at(T0 + DAY))) == 3.0
    assert per_week(10, _Span(at(T0), at(T0 + 28 * DAY))) == 2.5
