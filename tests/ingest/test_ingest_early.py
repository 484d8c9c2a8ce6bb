"""The early extraction (graphql_api/ingest/early.py): an archive extracted from its bytes as
they arrive, then checked against its central directory, ends exactly as the extraction of the
stored file does (the same tree, modes and counts, or the same refusal, nothing left behind);
and an ordinary archive is really taken from the early folder, not extracted again."""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphql_api.ingest import early as early_module
from graphql_api.ingest.early import EarlyExtraction, EarlyExtractions
from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.extract import extract_zip
from graphql_api.ingest.limits import ArchiveLimits, MiB
from tests.ingest.ingest_zipcraft import (
    as_zip64,
    build_zip,
    duplicate_central_entry,
    info,
    overlapping_by_one_byte,
    patch_central_only,
    patch_entry,
    symlink,
)

C = IngestErrorCode
DEFLATED = zipfile.ZIP_DEFLATED
Outcome = tuple[object, ...]


def _fed(data: bytes, dest: Path, limits: ArchiveLimits, step: int) -> EarlyExtraction:
    guess = EarlyExtraction(dest, limits)
    for at in range(0, len(data), step):
        guess.feed(data[at : at + step])
    return guess


def outcome(
    tmp_path: Path, data: bytes, step: int | None, limits: ArchiveLimits | None = None
) -> Outcome:
    """How the archive ends: extracted from the stored file (step None), or with an early
    extraction fed chunks of `step` bytes; the tree (names, modes, bytes) or the refusal."""
    limits = limits or ArchiveLimits()
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    dest = work / "dest"
    dest.mkdir()
    archive = work / "upload.zip"
    archive.write_bytes(data)
    tree = _fed(data, dest, limits, step).finish() if step else None
    try:
        result = extract_zip(archive, dest, limits, early=tree)
    except IngestError as error:
        assert list(dest.iterdir()) == [], "something was left behind"
        return ("refused", error.code)
    listing = []
    for path in sorted(result.path.rglob("*")):
        mode = stat.S_IMODE(path.stat().st_mode)
        content = path.read_bytes() if path.is_file() else None
        listing.append((path.relative_to(result.path).as_posix(), mode, content))
    assert [p.name for p in dest.iterdir()] == [result.path.name], "a staging folder stayed"
    return (result.files, result.directories, result.total_bytes, listing)


def assert_same(tmp_path: Path, data: bytes, limits: ArchiveLimits | None = None) -> Outcome:
    expected = outcome(tmp_path, data, None, limits)
    for step in (1, 7, 4096, len(data) or 1):
        assert outcome(tmp_path, data, step, limits) == expected, step
    return expected


def _tree() -> bytes:
    return build_zip(
        [
            info("repo/", stat.S_IFDIR | 0o755),
            ("repo/.git/HEAD", b"ref: refs/heads/main\n"),
            (info("repo/run.sh", stat.S_IFREG | 0o755), b"#!/bin/sh\n"),
            ("repo/src/a.py", b"print(1)\n" * 300),
            ("repo/empty", b""),
            ("other/x.bin", os.urandom(3000)),
        ]
    )


CORPUS = {
    "stored tree": _tree(),
    "deflated": build_zip([("a/b.txt", b"text " * 5000), ("c", os.urandom(900))], DEFLATED),
    "zip64 end record": as_zip64(_tree()),
    "symlink": build_zip([("a", b"x"), symlink("link", "/etc/passwd")]),
    "unsafe name": build_zip([("../evil", b"x")]),
    "duplicate": build_zip([("a.txt", b"1"), ("a.txt", b"2")]),
    "file and directory": build_zip([("a", b"1"), ("a/b", b"2")]),
    "overlap": overlapping_by_one_byte(),
    "second central entry": duplicate_central_entry(build_zip([("aa", b"1")]), "aa", "bb"),
    "central size lies": patch_central_only(
        build_zip([("bomb", bytes(MiB))], DEFLATED),
        "bomb",
        file_size=1000,
        crc=zlib.crc32(bytes(1000)),
    ),
    "central crc lies": patch_central_only(build_zip([("a", b"hello")]), "a", crc=1),
    "both crcs lie": patch_entry(build_zip([("a", b"hello")]), "a", crc=1),
    "encrypted flag": patch_entry(build_zip([("a", b"hello")]), "a", flags=1),
    "data descriptor": patch_entry(build_zip([("a", b"hello")]), "a", flags=8),
    "truncated": build_zip([("a.txt", os.urandom(1000))])[:700],
    "empty": build_zip([]),
    "only directories": build_zip([info("a/", stat.S_IFDIR)]),
    "not a zip": b"PK\x03\x04" + b"\x00" * 40,
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_an_early_extraction_ends_as_the_stored_file_extraction(tmp_path: Path, name: str) -> None:
    assert_same(tmp_path, CORPUS[name])


def test_the_limits_hold_the_same(tmp_path: Path) -> None:
    data = build_zip([("a", b"x" * 3000), ("b", b"y" * 3000)])
    assert assert_same(tmp_path, data, ArchiveLimits(max_entry_size=2000)) == (
        "refused",
        C.ARCHIVE_TOO_LARGE,
    )
    ratio = ArchiveLimits(max_ratio=2.0, ratio_threshold=100)
    bomb = build_zip([("z", bytes(50_000))], DEFLATED)
    assert assert_same(tmp_path, bomb, ratio) == ("refused", C.ARCHIVE_TOO_LARGE)


def test_an_ordinary_archive_is_taken_from_the_early_folder(tmp_path: Path) -> None:
    data = CORPUS["deflated"]
    dest, archive = tmp_path / "dest", tmp_path / "upload.zip"
    archive.write_bytes(data)
    tree = _fed(data, dest, ArchiveLimits(), 1000).finish()
    assert tree is not None
    inode = (tree.staging / "a" / "b.txt").stat().st_ino
    result = extract_zip(archive, dest, early=tree)
    assert (result.path / "a" / "b.txt").stat().st_ino == inode
    assert (result.files, result.total_bytes) == (2, 5000 * 5 + 900)


def test_an_abandoned_guess_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    guess = _fed(_tree()[:500], dest, ArchiveLimits(), 100)
    guess.abandon()
    assert list(dest.iterdir()) == []
    assert _fed(_tree()[:500], dest, ArchiveLimits(), 100).finish() is None  # incomplete
    assert list(dest.iterdir()) == []


def test_past_the_queue_bound_the_guess_gives_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early_module, "MAX_QUEUED", 0)  # every chunk is over it
    assert _fed(_tree(), tmp_path / "dest", ArchiveLimits(), 64).finish() is None
    assert list((tmp_path / "dest").iterdir()) == []


def test_the_kept_guesses_are_bounded(tmp_path: Path) -> None:
    kept = EarlyExtractions(tmp_path / "dest")
    guesses = [kept.start() for _ in range(early_module.KEPT + 1)]
    dropped = [d for i, g in enumerate(guesses) for d in kept.keep(f"id{i}", g)]
    assert dropped == guesses[:1]
    for guess in dropped:
        guess.abandon()
    assert kept.take("id0") is None
    taken = kept.take("id1")
    assert taken is guesses[1]
    taken.abandon()
    kept.close()
    assert list((tmp_path / "dest").iterdir()) == []


_NAMES = st.lists(
    st.builds(
        "/".join,
        st.lists(st.sampled_from(["a", "b", "..", ".", "", "\u00e9", "e\u0301", "x\\y"]),
                 min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip
_MODES = st.sampled_from([0, stat.S_IFREG | 0o644, stat.S_IFREG | 0o755, stat.S_IFDIR | 0o755])


ANY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ANY
@given(names=_NAMES, modes=st.lists(_MODES, min_size=5, max_size=5), deflate=st.booleans())
def test_any_archive_ends_the_same(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], modes: list[int], deflate: bool
) -> None:
    items = [(info(n, m), n.encode() * 20) for n, m in zip(names, modes, strict=False)]
    data = build_zip(items, DEFLATED if deflate else zipfile.ZIP_STORED)
    assert_same(tmp_path_factory.mktemp("any"), data)
