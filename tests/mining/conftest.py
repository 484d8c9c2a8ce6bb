"""Fixtures for mining tests: an upload root, a repository factory and a runner."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
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


@pytest.fixture
def cyclic_garbage() -> Iterator[Callable[[], list[object]]]:
    """With the collector off from here on, a function that collects and returns what only
    reference cycles kept alive since (what a GC pass would have had to find: it stops every
    thread, the event loop's too, for as long as it looks)."""
    gc.collect()
    gc.disable()
    flags = gc.get_debug()

    def collect() -> list[object]:
        gc.set_debug(gc.DEBUG_SAVEALL)  # found objects go to gc.garbage instead of being freed
        try:
            gc.collect()
            found = list(gc.garbage)
        finally:
            gc.garbage.clear()
            gc.set_debug(flags)
        return found

    try:
        yield collect
    finally:
        gc.enable()
