"""The fold of parsed commits into History and UserStats, on literal commits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from mining.errors import MiningError
from mining.history import fold as history_module
from mining.history.fold import HistoryFold, PathCache, _Span, bus_factor, fold, per_week, percent
from mining.parse import Commit, ModificationType, ModifiedFile
from mining.records import (
    ActivityKind,
    AuthorStats,
    Collaboration,
    FileTouch,
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
    return Commit(f"{n:040x}", parent_shas, author, email, original or email, at(ts), files)


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
    assert history.tags == 0
    assert history.user == UserStats((), 0, None, None, 0.0, 0.0, 0, 0, {}, {}, 0, 0, {},
                                     "Not a Contributor")  # fmt: skip


def test_sole_developer_and_root_commit() -> None:
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
    assert per_week(0, _Span()) == 0.0
    assert per_week(3, _Span(at(T0), at(T0 + DAY))) == 3.0
    assert per_week(10, _Span(at(T0), at(T0 + 28 * DAY))) == 2.5
    assert per_week(1, _Span(at(T0), at(T0 + 21 * DAY))) == 0.33


def test_percent_rounds_to_two_places_and_is_zero_of_nothing() -> None:
    assert (percent(1, 3), percent(2, 3), percent(3, 3)) == (33.33, 66.67, 100.0)
    assert percent(0, 0) == 0.0


BOT = "49699333+dependabot[bot]@users.noreply.github.com"
# Newest first. Two merges on one day, a bot, manifests touched by the user (twice), by others
# and by the bot, a vendored file before the user's code in one commit, and an older commit
# (in log order) whose author date is the user's latest: git log orders by commit date.
TEAM = [
    make(10, "bob@x.com", T0 + 10 * DAY, parents=2),
    make(9, "bob@x.com", T0 + 10 * DAY, parents=2),
    make(8, BOT, T0 + 9 * DAY, change("package.json", 1, 1), name="dependabot[bot]"),
    make(7, "alice@x.com", T0 + 8 * DAY, change("node_modules/x/index.js", 50, 0),
         change("src/app.py", 4, 2), change("pyproject.toml", 2, 1)),
    make(6, "alice@x.com", T0 + 8 * DAY, change("src/app.py", 1, 1)),
    make(5, "bob@x.com", T0 + 2 * DAY, change("pyproject.toml", 5, 0)),
    make(4, "alice@x.com", T0 + 12 * DAY, change("src/util.py", 3, 0),
         change("pyproject.toml", 1, 0)),
    make(1, "carol@x.com", T0, change("README.md", 1, 0), parents=0),
]  # fmt: skip


def test_fold_bots_touches_and_the_user() -> None:
    history = fold(TEAM, Identity.of("alice@x.com"), tags=1)
    day8, day12 = at(T0 + 8 * DAY), at(T0 + 12 * DAY)
    bot = AuthorStats("dependabot[bot]", BOT, 1, 1, 1, at(T0 + 9 * DAY), at(T0 + 9 * DAY), 0.0,
                      bot=True)  # fmt: skip
    assert history.collaboration == Collaboration(
        authors=(
            AuthorStats("alice", "alice@x.com", 3, 11, 4, day8, day12, 60.0),
            AuthorStats("bob", "bob@x.com", 1, 5, 0, at(T0 + 2 * DAY), at(T0 + 2 * DAY), 20.0),
            AuthorStats("carol", "carol@x.com", 1, 1, 0, at(T0), at(T0), 20.0),
        ),
        bus_factor=1,
        is_collaborative=True,
        bots=(bot,),
    )
    assert (history.total_commits, history.merges, history.share_base) == (8, 2, 5)
    assert history.calendar[date(2023, 11, 24)] == 2  # the two merges
    assert history.activity == {ActivityKind.CODE: 11, ActivityKind.CONFIG: 11,
                                ActivityKind.DOCS: 1}  # fmt: skip
    assert history.touches == {
        "package.json": FileTouch(at(T0 + 9 * DAY), at(T0 + 9 * DAY)),
        "pyproject.toml": FileTouch(at(T0 + 2 * DAY), day12, 2, day8, day12),
    }
    user = history.user
    assert user is not None
    assert (user.commits, user.added, user.deleted, user.files_touched) == (3, 11, 4, 3)
    assert user.calendar == {date(2023, 11, 22): 2, date(2023, 11, 26): 1}
    # The first CODE commit is the one of the earliest author date, not the last one read.
    assert user.activity_first == {ActivityKind.CODE: day8, ActivityKind.CONFIG: day8}
    assert user.activity == {ActivityKind.CODE: 11, ActivityKind.CONFIG: 4}


def test_a_user_who_touched_no_manifest_sees_everyones_touches_and_none_of_theirs() -> None:
    history = fold(TEAM, Identity.of("carol@x.com"))
    assert history.user is not None
    assert history.user.commits == 1
    assert history.touches == {
        "package.json": FileTouch(at(T0 + 9 * DAY), at(T0 + 9 * DAY)),
        "pyproject.toml": FileTouch(at(T0 + 2 * DAY), at(T0 + 12 * DAY)),
    }


def test_two_authors_are_collaborative_and_tag_dates_are_kept() -> None:
    folder = HistoryFold(None)
    for commit in COMMITS[3:5]:
        folder.add(commit)
    history = folder.history(tag_dates=(at(T0),))
    assert history.collaboration.is_collaborative is True
    assert (history.tags, history.tag_dates) == (0, (at(T0),))


def test_an_identity_without_emails_is_no_user_and_a_history_without_root() -> None:
    folder = HistoryFold(Identity.of(" "))
    folder.add(COMMITS[1])
    assert folder.identity is None
    assert folder.root_commit is None
    assert folder.history().user is None


@pytest.mark.parametrize("split", range(len(TEAM) + 1))
def test_slices_folded_apart_and_absorbed_equal_one_pass(split: int) -> None:
    identity = Identity.of("alice@x.com")
    whole = fold(TEAM, identity, tags=1)
    paths, declaring = PathCache(), list[str]()
    newer = HistoryFold(identity, paths, declaring.extend)
    older = HistoryFold(identity, paths, declaring.extend)
    for commit in TEAM[:split]:
        newer.add(commit)
    for commit in TEAM[split:]:
        older.add(commit)
    newer.absorb(older)
    assert newer.history(tags=1) == whole
    assert newer.root_commit == f"{1:040x}"
    # The non-merge commits changing package.json or pyproject.toml, each once.
    assert sorted(declaring) == [f"{n:040x}" for n in (4, 5, 7, 8)]


def test_three_slices_keep_the_newest_name_and_the_oldest_root() -> None:
    commits = [make(3, "a@x.com", T0 + 2 * DAY, change("a.py", 1, 2), name="New"),
               make(2, "a@x.com", T0 + DAY, change("a.py", 3, 4), name="Mid", parents=0),
               make(1, "a@x.com", T0, change("b.py", 5, 6), name="Old", parents=0)]  # fmt: skip
    folds = [HistoryFold(Identity.of("a@x.com")) for _ in commits]
    for folder, commit in zip(folds, commits, strict=True):
        folder.add(commit)
    folds[1].absorb(folds[2])
    folds[0].absorb(folds[1])
    assert folds[0].history() == fold(commits, Identity.of("a@x.com"))
    assert folds[0].root_commit == f"{1:040x}"
    (author,) = folds[0].history().collaboration.authors
    assert (author.name, author.commits, author.added, author.deleted) == ("New", 3, 9, 12)


def test_a_kind_of_work_met_only_in_the_older_slice_keeps_its_first_date() -> None:
    commits = [make(2, "a@x.com", T0 + DAY, change("docs/guide.md", 1, 0)),
               make(1, "a@x.com", T0, change("src/app.py", 1, 0), parents=0)]  # fmt: skip
    identity = Identity.of("a@x.com")
    newer, older = HistoryFold(identity), HistoryFold(identity)
    newer.add(commits[0])
    older.add(commits[1])
    newer.absorb(older)
    history = newer.history()
    assert history == fold(commits, identity)
    assert history.user is not None
    assert history.user.activity_first == {
        ActivityKind.CODE: at(T0),
        ActivityKind.DOCS: at(T0 + DAY),
    }


def _lines(langs: dict[str, LanguageActivity]) -> dict[str, tuple[int, int, int]]:
    return {name: (lang.added, lang.deleted, lang.files) for name, lang in langs.items()}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # C alone: the headers are C.
        ((("a.c", 10, 0), ("a.h", 5, 0)), {"C": (15, 0, 2)}),
        # C++ alone: the headers (.h and .H) are C++, and no C is left.
        ((("b.cpp", 1, 0), ("b.h", 5, 0), ("c.H", 2, 0)), {"C++": (8, 0, 3)}),
        # More lines of C++ than of C (deleted ones count): the headers go with C++.
        ((("a.c", 3, 4), ("x.cpp", 2, 8), ("x.h", 5, 0)), {"C": (3, 4, 1), "C++": (7, 8, 2)}),
        # More lines of C: the headers are C.
        ((("a.c", 3, 4), ("x.cpp", 6, 0), ("x.h", 5, 0)), {"C": (8, 4, 2), "C++": (6, 0, 1)}),
        # As many: still C.
        ((("a.c", 10, 0), ("x.cpp", 10, 0), ("x.h", 1, 0)), {"C": (11, 0, 2), "C++": (10, 0, 1)}),
        # A header alone is C.
        ((("only.h", 4, 0),), {"C": (4, 0, 1)}),
    ],
)
def test_c_headers_follow_the_larger_of_c_and_cpp(
    files: tuple[tuple[str, int, int], ...], expected: dict[str, tuple[int, int, int]]
) -> None:
    commits = [make(1, "a@x.com", T0, *(change(p, a, d) for p, a, d in files))]
    history = fold(commits, Identity.of("a@x.com"))
    assert history.user is not None
    assert _lines(history.languages) == _lines(history.user.languages) == expected
    (language,) = {lang.commits for lang in history.languages.values()}
    assert language == 1  # the one commit, once per language


def test_too_many_distinct_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "MAX_PATHS", 3)
    paths = PathCache()
    for path in ("a.py", "b.py", "c.py", "a.py"):
        paths.info(path)
    with pytest.raises(MiningError, match=r"^more than 3 distinct paths in the history$") as err:
        paths.info("d.py")
    assert err.value.code == "TOO_LARGE"
