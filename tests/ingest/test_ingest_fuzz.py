"""Property-based fuzzing of the ZIP path checks: whatever member names an archive holds, a file
lands inside the extraction target or the archive is refused with a typed IngestError.

Names are built from the pieces that make paths dangerous ("..", absolute roots, backslashes,
drive letters, control characters, NUL, odd Unicode) mixed with ordinary text, so the examples
reach the refusals and the accepted paths alike. Examples are bounded to keep CI fast.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.extract import ExtractionResult, _safe_parts, extract_zip
from graphql_api.ingest.limits import ArchiveLimits
from tests.ingest.ingest_zipcraft import build_zip, info

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
C = IngestErrorCode
LIMITS = ArchiveLimits(max_depth=8, max_path_length=200, max_entries=20)

_PIECES = st.sampled_from(
    [
        "..",
        ".",
        "",
        "...",
        "a",
        "src",
        ".git",
        "C:",
        "c:x",
        "\\",
        "..\\..",
        "~",
        "\x00",
        "\x01",
        "\x7f",
        "\u202e",  # right-to-left override
        "\u2024\u2024",  # one dot leader twice, looks like ".."
        "\uff0e\uff0e",  # fullwidth full stops
        "e\u0301",  # decomposed é (NFC differs)
        "\u00e9",
        "x" * 60,
    ]
)
_PLAIN = st.text("abcz019._-", min_size=1, max_size=8)
_SEGMENT = st.one_of(_PLAIN, _PLAIN, _PLAIN, _PIECES, st.text(max_size=6))
_ROOTS = ["", "", "", "", "", "", "/", "//", "\\", "C:/", "C:\\", "./", "../"]
_HOSTILE = st.builds(
    lambda root, segments, sep, trailing: root + sep.join(segments) + trailing,
    st.sampled_from(_ROOTS),
    st.lists(_SEGMENT, min_size=1, max_size=10),
    st.sampled_from(["/", "/", "/", "/", "\\"]),
    st.sampled_from(["", "", "/"]),
)
# Names that should pass ("." and empty components are dropped, not refused), so that about
# half the archives are extracted and the containment check has something to check.
_BENIGN = st.builds(
    lambda first, segments, trailing: "/".join([first, *segments]) + trailing,
    _PLAIN,
    st.lists(st.one_of(_PLAIN, _PLAIN, _PLAIN, st.sampled_from([".", "", "\u00e9", "..."])),
             max_size=4),
    st.sampled_from(["", "", "/"]),
)  # fmt: skip
_NAME = st.one_of(_BENIGN, _BENIGN, _BENIGN, _BENIGN, _HOSTILE)
_REGULAR = [0, 0, 0, stat.S_IFREG | 0o644, stat.S_IFREG | 0o644, stat.S_IFREG | 0o4755]
_MODES = st.sampled_from(
    [*_REGULAR, *_REGULAR, stat.S_IFDIR | 0o755, stat.S_IFLNK | 0o777, stat.S_IFIFO | 0o644]
)


def _inside(path: Path, root: Path) -> bool:
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(root)]) == str(
        os.path.realpath(root)
    )


def _everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def _extract(archive: Path, parent: Path) -> ExtractionResult | IngestError:
    """The extraction, or the typed refusal; any other exception fails the test."""
    try:
        return extract_zip(archive, parent, LIMITS, name="target")
    except IngestError as error:
        return error


def _member(name: str, mode: int) -> tuple[zipfile.ZipInfo, bytes]:
    # ZipInfo cuts a name at NUL, so such names reach the checker through orig_filename only
    # when patched into the bytes; the checker's own test below covers NUL directly.
    return info(name, mode), name.encode("utf-8", "surrogatepass")[:32]


@FUZZ
@given(st.lists(st.tuples(_NAME, _MODES), min_size=1, max_size=4))
def test_no_member_lands_outside_the_target(members: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        sandbox = Path(scratch)
        parent = sandbox / "store" / "extracted"
        archive = sandbox / "upload.zip"
        try:
            archive.write_bytes(build_zip(_member(n, m) for n, m in members))
        except (ValueError, UnicodeEncodeError):
            return  # zipfile itself cannot write this name (lone surrogates)
        result = _extract(archive, parent)
        if isinstance(result, IngestError):
            event(f"refused {result.code}")
            assert isinstance(result.code, IngestErrorCode)
            assert result.message
            # A refusal leaves nothing behind, not even the staging directory.
            assert _everything_under(parent) == []
        else:
            event("extracted")
            assert result.path == parent / "target"
            written = _everything_under(parent)
            assert all(_inside(path, result.path) for path in written)
            assert not any(path.is_symlink() for path in written)
            assert all(stat.S_IMODE(path.stat().st_mode) & 0o7000 == 0 for path in written)
        # Nothing was created beside the store: the sandbox holds only what the test made.
        assert sorted(p.name for p in sandbox.iterdir()) == ["store", "upload.zip"]
        assert sorted(p.name for p in (sandbox / "store").iterdir()) == ["extracted"]


@settings(max_examples=250, deadline=None)
@given(st.one_of(_NAME, _HOSTILE, st.text(max_size=40)))
def test_the_name_checker_accepts_only_names_that_stay_inside(name: str) -> None:
    """The checker alone, on names zipfile could never write (NUL, lone surrogates)."""
    root = Path("/srv/store/target")
    refused: IngestError | None = None
    try:
        parts = _safe_parts(name, LIMITS)
    except IngestError as error:
        refused = error
    if refused is not None:
        assert refused.code in {C.ARCHIVE_UNSAFE_PATH, C.ARCHIVE_TOO_DEEP}
        return
    assert parts
    assert all(part not in {"", ".", ".."} and "/" not in part for part in parts)
    assert all("\\" not in part and "\x00" not in part for part in parts)
    assert os.path.normpath(root.joinpath(*parts)).startswith(f"{root}/")


@FUZZ
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=299))
def test_damaged_archives_are_typed_errors(noise: bytes, at: int) -> None:
    """A valid archive with bytes overwritten anywhere is mined or refused with a code."""
    base = build_zip([("repo/a.txt", b"hello" * 20), ("repo/dir/b.txt", b"world")])
    damaged = base[:at] + noise + base[at + len(noise) :]
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "upload.zip"
        archive.write_bytes(damaged)
        parent = Path(scratch) / "extracted"
        result = _extract(archive, parent)
        if isinstance(result, IngestError):
            assert isinstance(result.code, IngestErrorCode)
            assert _everything_under(parent) == []
        else:
            assert all(_inside(p, result.path) for p in _everything_under(parent))
