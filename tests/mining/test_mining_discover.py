"""Discovery of repositories and plain projects in an extracted upload."""

from __future__ import annotations

from pathlib import Path

from mining.git.discover import DiscoveredProject, discover
from mining.records import ProjectKind
from tests.mining.repo_builder import Factory


def found(root: Path) -> list[tuple[str, str, ProjectKind]]:
    return [(p.name, p.path, p.kind) for p in discover(root)]


def touch(path: Path, content: str = "x = 1\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


def test_portfolio(repos: Factory, upload: Path) -> None:
    app = repos.repo("app").write("main.py", "print(1)\n")
    app.commit("one")
    repos.repo("app/tools/nested").write("n.py", "1\n").commit("nested")
    repos.repo("app/libs/sub").write("s.py", "1\n").commit("a submodule in .gitmodules")
    touch(upload / "app/.gitmodules", '[submodule "sub"]\n\tpath = libs/sub\n\turl = x\n')
    touch(upload / "app/ext/gitlinked/.git", "gitdir: ../../.git/modules/x\n")
    repos.repo("src-of-bare").write("b.py", "1\n").commit("b")
    repos.repo("src-of-bare").git("clone", "-q", "--bare", ".", str(upload / "mirror.git"))
    touch(upload / "web/package.json", "{}")
    touch(upload / "web/src/index.js", "1")
    touch(upload / "web/node_modules/dep/package.json", "{}")
    touch(upload / "scripts/a/x.py")
    touch(upload / "scripts/b/y.py")
    touch(upload / "notes/readme.txt", "hello")
    (upload / "linked").symlink_to(upload / "web")
    assert found(upload) == [
        ("app", "app", ProjectKind.WORKTREE),
        ("nested", "app/tools/nested", ProjectKind.WORKTREE),
        ("mirror", "mirror.git", ProjectKind.BARE),  # a bare clone's name loses its .git
        ("scripts", "scripts", ProjectKind.PLAIN),
        ("src-of-bare", "src-of-bare", ProjectKind.WORKTREE),
        ("web", "web", ProjectKind.PLAIN),
    ]
    assert discover(upload)[0] == DiscoveredProject(
        "app", "app", upload.resolve() / "app", ProjectKind.WORKTREE
    )


def test_root_is_the_project(upload: Path) -> None:
    touch(upload / "a.py")
    touch(upload / "lib/b.py")
    assert found(upload) == [(upload.name, ".", ProjectKind.PLAIN)]


def test_wrapper_folder_passes_the_claim_down(upload: Path) -> None:
    touch(upload / "wrapper/proj/README.md", "# hi")
    touch(upload / "wrapper/proj/src/a.go", "package main")
    assert found(upload) == [("proj", "wrapper/proj", ProjectKind.PLAIN)]


def test_nothing_to_mine(upload: Path) -> None:
    touch(upload / "photos/cat.jpg", "jpg")
    assert found(upload) == []


def test_dot_git_symlink_is_still_reported(repos: Factory, upload: Path) -> None:
    repo = repos.repo("real")
    (upload / "evil").mkdir()
    (upload / "evil/.git").symlink_to(repo.path / ".git")
    assert found(upload) == [
        ("evil", "evil", ProjectKind.WORKTREE),
        ("real", "real", ProjectKind.WORKTREE),
    ]
