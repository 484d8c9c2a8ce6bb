"""Fixtures for mining tests: an upload root, a repository factory and a runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mining.git.runner import GitRunner, HardenedGitRunner
from tests.mining.repo_builder import Factory


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    root = tmp_path / "upload"
    root.mkdir()
    return root


@pytest.fixture
def repos(upload: Path, tmp_path: Path) -> Factory:
    home = tmp_path / "home"
    home.mkdir()
    return Factory(upload, home)


@pytest.fixture
def runner(upload: Path) -> Iterator[GitRunner]:
    git = HardenedGitRunner(ceiling=upload, timeout=60)
    yield git
    git.close()
