"""The reference repository of the pipeline tests: merges, renames, binary files, non-ASCII
paths and names, a .mailmap unifying two addresses, tags and three people."""

from __future__ import annotations

from tests.mining.repo_builder import Factory, Repo

ALICE_OLD = ("alice", "Alice@Old.example")
ALICE = ("Alice Doe", "alice@example.com")
ZOE = ("Zoë Ünal", "zoe@example.com")
BOB = ("Bob", "bob@x.com")
JIMBOB = ("Jim Bob", "jimbob@x.com")
T0 = 1_700_000_000
DAY = 86_400


def build(repos: Factory, rel: str = "proj") -> Repo:
    repo = repos.repo(rel)
    repo.write("README.md", "# Project\n")
    repo.write("pyproject.toml", '[project]\nname = "p"\ndependencies = ["flask>=3"]\n')
    repo.write("src/app.py", "import flask\n" * 10)
    repo.commit("init", author=ALICE_OLD, when=T0)
    repo.write("tests/test_app.py", "def test():\n    pass\n")
    repo.commit("tests", author=BOB, when=T0 + DAY)
    repo.git("mv", "src/app.py", "src/main.py")
    repo.write("src/main.py", "import flask\n" * 10 + "app = 1\n")
    repo.write("img/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.commit("rename", author=ALICE, when=T0 + 2 * DAY)
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("docs/naïve guide.md", "ünïcode\n" * 3)
    repo.commit("docs", author=ZOE, when=T0 + 3 * DAY)
    repo.git("checkout", "-q", "main")
    repo.write("src/util.py", "x = 1\n")
    repo.commit("util", author=JIMBOB, when=T0 + 4 * DAY)
    repo.write(".mailmap", "Alice Doe <alice@example.com> <alice@old.example>\n")
    repo.commit("mailmap", author=ALICE, when=T0 + 5 * DAY)
    stamp = f"@{T0 + 6 * DAY} +0000"
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "feature",
             env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})  # fmt: skip
    repo.git("tag", "v1")
    repo.git("tag", "-a", "v2", "-m", "release")
    return repo
