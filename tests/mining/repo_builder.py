"""Builds real repositories with real git and pinned identities and dates.

Tests may call git directly to BUILD repositories; the code under test runs git only through
mining.git.runner.GitRunner.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ALICE = ("Alice Doe", "alice@example.com")
BOB = ("Bob", "bob@x.com")
JIMBOB = ("Jim Bob", "jimbob@x.com")


class Repo:
    """A work-tree repository whose commits have fixed authors and dates."""

    def __init__(self, path: Path, home: Path) -> None:
        self.path = path
        self.env = {
            "HOME": str(home),
            "PATH": os.environ["PATH"],
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "LC_ALL": "C",
            # For commands other than commit() that write objects (annotated tags, ...).
            "GIT_AUTHOR_NAME": "Fixture",
            "GIT_AUTHOR_EMAIL": "fixture@example.com",
            "GIT_AUTHOR_DATE": "@1600000000 +0000",
            "GIT_COMMITTER_NAME": "Fixture",
            "GIT_COMMITTER_EMAIL": "fixture@example.com",
            "GIT_COMMITTER_DATE": "@1600000000 +0000",
        }
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        done = subprocess.run(
            ["git", "-c", "protocol.file.allow=always", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode().strip()

    def write(self, rel: str, content: str | bytes) -> Repo:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        target.write_bytes(content)
        return self

    def commit(
        self, message: str, *, author: tuple[str, str] = ALICE, when: int = 1_700_000_000
    ) -> str:
        name, email = author
        stamp = f"@{when} +0000"
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": stamp,
        }
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "--no-verify", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")


class Factory:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home

    def repo(self, rel: str) -> Repo:
        return Repo(self.root / rel, self.home)
