"""Scratch directories (mining/git/scratch.py) and the records made before `mine`'s first git
(mining/slotted.py): what tempfile.mkdtemp and frozen dataclasses gave them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mining.git.discover import DiscoveredProject
from mining.git.sanitize import CleanRepo
from mining.git.scratch import private_dir
from mining.kinds import ProjectKind


def test_a_scratch_is_new_private_and_named_by_chance(tmp_path: Path) -> None:
    made = [private_dir("am-x-", tmp_path) for _ in range(50)]
    assert len(set(made)) == 50
    for path in made:
        assert path.parent == tmp_path
        assert path.name.startswith("am-x-")
        assert len(path.name) == len("am-x-") + 12  # 48 random bits
        assert stat.S_IMODE(path.stat().st_mode) == 0o700 & ~_umask()
        assert not any(path.iterdir())


def test_a_relative_parent_gives_an_absolute_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path)
    made = private_dir("am-x-", Path("here"))
    assert made.is_absolute()
    assert made.parent == tmp_path / "here"


def test_without_a_parent_it_goes_where_tmpdir_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert private_dir("am-x-").parent == tmp_path


def test_an_unusable_tmpdir_falls_back_to_the_next_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.setenv("TEMP", str(tmp_path))
    assert private_dir("am-x-").parent == tmp_path


def test_a_missing_parent_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        private_dir("am-x-", tmp_path / "missing")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_discovered_project_is_a_key_by_its_fields(tmp_path: Path) -> None:
    one = DiscoveredProject("p", "a/p", tmp_path / "a/p", ProjectKind.WORKTREE)
    same = DiscoveredProject("p", "a/p", tmp_path / "a/p", ProjectKind.WORKTREE)
    other = DiscoveredProject("p", "a/p", tmp_path / "a/p", ProjectKind.BARE)
    assert one == same
    assert hash(one) == hash(same)
    assert one != other
    assert {one: 1, same: 2, other: 3} == {one: 2, other: 3}
    assert repr(one) == (
        f"DiscoveredProject(abs_path={tmp_path / 'a/p'!r}, kind={ProjectKind.WORKTREE!r},"
        " name='p', path='a/p')"
    )
    with pytest.raises(AttributeError):
        one.extra = 1  # type: ignore[attr-defined]  # slots: no field but its own


def test_records_of_different_kinds_are_never_equal(tmp_path: Path) -> None:
    repo = CleanRepo(tmp_path, None, 0, False)
    assert repo == CleanRepo(tmp_path, None, 0, False)
    assert repo != CleanRepo(tmp_path, "0" * 40, 0, False)
    assert repo != (tmp_path, None, 0, False)
