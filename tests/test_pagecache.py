"""Files read for the last time in a while leave the page cache (graphql_api/pagecache.py)."""

from __future__ import annotations

import os
from pathlib import Path

from graphql_api.pagecache import LARGE, evict, evict_tree
from tests.pagecache import resident_bytes


def written(path: Path, size: int = 1 << 20) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    assert resident_bytes(path) >= size // 2  # just written: cached
    return path


def test_the_large_files_of_a_tree_leave_the_page_cache_and_read_as_before(tmp_path: Path) -> None:
    files = [written(tmp_path / "tree" / name) for name in ("a", "b/c", "b/d/e.pack")]
    before = [f.read_bytes() for f in files]
    small = written(tmp_path / "tree/b/HEAD", LARGE - 1)  # left: its write-back costs more
    outside = written(tmp_path / "outside")
    (tmp_path / "tree/link").symlink_to(outside)  # not followed
    (tmp_path / "tree/b/dir-link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    written(tmp_path / "elsewhere/f")
    os.mkfifo(tmp_path / "tree/fifo")  # not opened: it would wait for a writer
    evict_tree(tmp_path / "tree")
    assert [resident_bytes(f) for f in files] == [0, 0, 0]
    assert resident_bytes(small) > 0
    assert resident_bytes(outside) > 0
    assert resident_bytes(tmp_path / "elsewhere/f") > 0
    assert [f.read_bytes() for f in files] == before


def test_a_file_gone_is_no_error(tmp_path: Path) -> None:
    evict(tmp_path / "missing")
    evict_tree(tmp_path / "missing")
