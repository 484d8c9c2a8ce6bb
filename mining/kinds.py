"""The kinds mining sorts things into (re-exported by mining/records.py, where they belong).

A module of their own, with nothing but `enum` to import: discovery needs ProjectKind before
`mine` starts its first git, and the records (twenty dataclasses, ~20 ms to import) are not needed
until the history is read."""

from __future__ import annotations

from enum import StrEnum


class ProjectKind(StrEnum):
    WORKTREE = "worktree"  # a repository with a work tree (a .git directory)
    BARE = "bare"  # a bare repository
    PLAIN = "plain"  # a folder without git: analysed from the file system


class ActivityKind(StrEnum):
    CODE = "code"
    TEST = "test"
    DOCS = "docs"
    CONFIG = "config"
    DESIGN = "design"


class LanguageKind(StrEnum):
    PROGRAMMING = "programming"
    MARKUP = "markup"
    DATA = "data"
    PROSE = "prose"
