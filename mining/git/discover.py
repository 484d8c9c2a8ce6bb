"""Finds the projects in an extracted upload: git repositories and plain project folders.

Blocking (it walks the file system): run `discover` in a worker thread. Symbolic links are never
followed (os.scandir with follow_symlinks=False), and `.git` directories are never entered.

* A directory holding `.git` (a directory, or anything else: sanitize.py rejects it later) is a
  work-tree repository; one holding a `HEAD` file beside `objects/`, `refs/`, `packed-refs` or
  a `config` is a bare repository (`is_bare_repository`).
* Inside a repository's work tree only nested repositories are looked for. A submodule is not a
  project of its own: a path listed in the parent's `.gitmodules`, or a directory whose `.git` is
  a file (a gitlink), is skipped with everything below it.
* Outside repositories, a directory with a manifest (frameworks.is_manifest) is a plain project.
  Source files that no project claims make the smallest directory holding them all a plain
  project; a directory holding nothing but one such directory passes the claim down (a ZIP's
  wrapper folder is not the project).
* Build, dependency and cache directories (node_modules, vendor, .venv, ...) are not entered.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from mining.kinds import LanguageKind, ProjectKind
from mining.slotted import Slotted
from mining.text import MAX_NAME, MAX_PROJECT_PATH, cap

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it as True)
if TYPE_CHECKING:
    from typing import Final

SKIP_DIRS = frozenset(
    [
        ".git",
        "node_modules",
        "vendor",
        "bower_components",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "dist",
        "build",
        "target",
        ".idea",
        ".vscode",
        ".next",
        ".gradle",
        "site-packages",
        "Pods",
        ".cache",
        "__MACOSX",
    ]
)
MAX_DEPTH = 40
_GITMODULES_PATH = re.compile(r"^\s*path\s*=\s*(.+?)\s*$", re.MULTILINE)


class DiscoveredProject(Slotted):
    """A project `discover` found: a key of dicts and sets (equal and hashed by its fields)."""

    __slots__ = ("abs_path", "kind", "name", "path")

    def __init__(self, name: str, path: str, abs_path: Path, kind: ProjectKind) -> None:
        self.name: Final = name
        self.path: Final = path  # relative to the upload root, POSIX separators, "." for the root
        self.abs_path: Final = abs_path
        self.kind: Final = kind


def discover(root: Path) -> tuple[DiscoveredProject, ...]:
    """All projects under `root`, sorted by path."""
    walker = _Walker(root.resolve())
    candidate = walker.free(walker.root, 0)
    if candidate is not None:
        walker.emit(candidate, ProjectKind.PLAIN)
    return tuple(sorted(walker.found, key=lambda p: p.path))


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:  # unreadable: nothing to find there
        return []


def _subdirs(entries: list[os.DirEntry[str]]) -> list[Path]:
    return [
        Path(e.path) for e in entries if e.is_dir(follow_symlinks=False) and e.name not in SKIP_DIRS
    ]


def _repo_kind(entries: list[os.DirEntry[str]]) -> ProjectKind | None:
    names = {e.name: e for e in entries}
    if ".git" in names:
        return ProjectKind.WORKTREE
    return ProjectKind.BARE if is_bare_repository(names) else None


def is_bare_repository(names: dict[str, os.DirEntry[str]]) -> bool:
    """A file `HEAD` beside `objects/`, `refs/` or `packed-refs`, or a `HEAD` that reads as a
    ref beside `config`. Any one of them: ZIP tools drop empty directories, and an empty or
    packed bare repository zipped that way has no `objects/` or no `refs/` left (sanitize.py
    repairs the copy, and a broken one fails there, reported, rather than skipped here)."""
    head = names.get("HEAD")
    if head is None or not head.is_file(follow_symlinks=False):
        return False
    dirs = [names[n] for n in ("objects", "refs") if n in names]
    if any(d.is_dir(follow_symlinks=False) for d in dirs) or "packed-refs" in names:
        return True
    return "config" in names and _reads_as_ref(Path(head.path))


def _reads_as_ref(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            text = stream.read(256)
    except OSError:
        return False
    return bool(re.fullmatch(rb"(ref: refs/\S+|[0-9a-f]{40})\s*", text))


def _unclaimed(directory: Path, files: list[str], candidates: list[Path]) -> Path | None:
    """What a folder with no project at or below it offers its parent: itself when it holds
    source files or several candidate folders, its one candidate when it holds no file."""
    if any(_is_source(name) for name in files) or len(candidates) > 1:
        return directory
    if len(candidates) == 1:
        return candidates[0] if not files else directory
    return None


def _names_a_manifest(files: list[str]) -> bool:
    # The rules' tables are imported here, when first needed: an upload that is one
    # repository, or a folder holding nothing but one (a ZIP's), never needs them, and `mine`
    # starts git sooner without them (bench/; they import dataclasses, logging, typing...).
    if not files:
        return False
    from mining.tree import frameworks

    return any(frameworks.is_manifest(name) for name in files)


def _is_source(name: str) -> bool:
    from mining.tree import languages  # see _Walker.free

    lang = languages.language_of(name)
    if lang is None or lang.kind is not LanguageKind.PROGRAMMING:
        return False
    return not languages.is_excluded(name)


def submodule_paths(repo: Path) -> frozenset[str]:
    """The `path = ...` values of a work tree's `.gitmodules` (gitmodules(5))."""
    gitmodules = repo / ".gitmodules"
    if gitmodules.is_symlink() or not gitmodules.is_file():
        return frozenset()
    with gitmodules.open("rb") as stream:  # at most 1 MiB read, however large the file
        text = stream.read(1 << 20).decode("utf-8", "replace")
    return frozenset(str(PurePosixPath(p.strip('"'))) for p in _GITMODULES_PATH.findall(text))


def upload_root(project: DiscoveredProject) -> Path:
    """The upload root `project` was discovered under (`discover`'s `root`, resolved)."""
    depth = len(PurePosixPath(project.path).parts) if project.path != "." else 0
    return project.abs_path.parents[depth - 1] if depth else project.abs_path


def project_name(directory: str) -> str:
    """A project's name: its directory's, without the `.git` that bare clones carry
    (`git clone --bare` makes `axum.git`; the project is axum)."""
    stem = directory.removesuffix(".git")
    return stem if stem and stem.strip(".") else directory


class _Walker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.found: list[DiscoveredProject] = []

    def emit(self, directory: Path, kind: ProjectKind) -> None:
        # Name and path are shown (abs_path is the one used for I/O): no bidi override in them.
        rel = cap(directory.relative_to(self.root).as_posix(), MAX_PROJECT_PATH)
        name = cap(project_name(directory.name), MAX_NAME) or "project"
        self.found.append(DiscoveredProject(name, rel, directory, kind))

    def free(self, directory: Path, depth: int) -> Path | None:
        """Walk outside any project; return an unclaimed directory of source files, if any."""
        entries = _entries(directory)
        kind = _repo_kind(entries)
        files = [e.name for e in entries if e.is_file(follow_symlinks=False)]
        if kind is not None or _names_a_manifest(files):
            self.emit(directory, kind or ProjectKind.PLAIN)
            if kind is not ProjectKind.BARE:
                self.inside(directory, directory, depth)
            return None
        before = len(self.found)
        candidates = self._free_below(entries, depth)
        if len(self.found) > before:  # projects below: each unclaimed folder is its own
            for candidate in candidates:
                self.emit(candidate, ProjectKind.PLAIN)
            return None
        return _unclaimed(directory, files, candidates)

    def _free_below(self, entries: list[os.DirEntry[str]], depth: int) -> list[Path]:
        """The unclaimed directories of source files below, walking each subdirectory."""
        if depth >= MAX_DEPTH:
            return []
        found = (self.free(sub, depth + 1) for sub in _subdirs(entries))
        return [candidate for candidate in found if candidate is not None]

    def inside(
        self, top: Path, directory: Path, depth: int, submodules: frozenset[str] | None = None
    ) -> None:
        """Walk a project's tree looking only for nested repositories (not submodules)."""
        if submodules is None:  # read once per repository, not once per directory
            submodules = submodule_paths(top) if (top / ".git").exists() else frozenset()
        if depth >= MAX_DEPTH:
            return
        for sub in _subdirs(_entries(directory)):
            if sub.relative_to(top).as_posix() not in submodules:
                self._nested(top, sub, depth, submodules)

    def _nested(self, top: Path, sub: Path, depth: int, submodules: frozenset[str]) -> None:
        """`sub` of the project `top`: a nested repository (emitted, and walked if a work
        tree), a submodule checkout (skipped), or a folder walked further."""
        entries = _entries(sub)
        dot_git = next((e for e in entries if e.name == ".git"), None)
        if dot_git is not None and dot_git.is_file(follow_symlinks=False):
            return  # a gitlink: a submodule checkout
        kind = _repo_kind(entries)
        if kind is None:
            self.inside(top, sub, depth + 1, submodules)
            return
        self.emit(sub, kind)
        if kind is ProjectKind.WORKTREE:
            self.inside(sub, sub, depth + 1)
