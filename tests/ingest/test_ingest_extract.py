from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.extract import extract_zip
from graphql_api.ingest.limits import ArchiveLimits, MiB
from graphql_api.leftovers import sweep
from tests.ingest.ingest_zipcraft import (
    as_zip64,
    build_zip,
    duplicate_central_entry,
    info,
    overlapping_by_one_byte,
    patch_central_only,
    patch_entry,
    symlink,
    write,
)

C = IngestErrorCode
DEFLATED = zipfile.ZIP_DEFLATED


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    path = tmp_path / "extracted"
    path.mkdir()
    return path


def assert_rejected(
    tmp_path: Path,
    dest: Path,
    data: bytes,
    code: IngestErrorCode,
    limits: ArchiveLimits | None = None,
) -> IngestError:
    with pytest.raises(IngestError) as caught:
        extract_zip(write(tmp_path, data), dest, limits)
    assert caught.value.code == code, caught.value
    assert list(dest.iterdir()) == [], "a partial extraction was left behind"
    return caught.value


# -- success -------------------------------------------------------------------------------


def test_extracts_tree_with_git_dir_and_inner_zip_kept_as_file(tmp_path: Path, dest: Path) -> None:
    inner = build_zip([("deep.txt", b"not extracted")])
    data = build_zip(
        [
            (".git/HEAD", b"ref: refs/heads/main\n"),
            (".git/objects/ab/cdef0123", zlib.compress(b"blob 0\0")),
            info(".git/refs/heads/", stat.S_IFDIR | 0o755),
            ("src/main.py", b"print('hi')\n" * 100),
            (info("run.sh", stat.S_IFREG | 0o4755), b"#!/bin/sh\n"),
            ("vendor/inner.zip", inner),
            info("empty/", stat.S_IFDIR | 0o700),
        ],
        method=DEFLATED,
    )

    result = extract_zip(write(tmp_path, data), dest)

    root = result.path
    assert root.parent == dest
    assert [p.name for p in dest.iterdir()] == [root.name]  # no staging directory left over
    assert (root / ".git/HEAD").read_bytes() == b"ref: refs/heads/main\n"
    assert (root / ".git/refs/heads").is_dir()
    assert (root / "vendor/inner.zip").read_bytes() == inner
    assert not (root / "vendor/deep.txt").exists()
    assert (root / "empty").is_dir()
    assert result.files == 5
    # .git, .git/objects, .git/objects/ab, .git/refs, .git/refs/heads, src, vendor, empty
    assert result.directories == 8
    assert result.total_bytes == sum(
        (root / p).stat().st_size
        for p in [".git/HEAD", ".git/objects/ab/cdef0123", "src/main.py", "run.sh"]
    ) + len(inner)


def test_modes_are_sanitised(tmp_path: Path, dest: Path) -> None:
    data = build_zip(
        [
            (info("setuid", stat.S_IFREG | 0o4777), b"x"),
            (info("private", stat.S_IFREG | 0o600), b"x"),
            (info("others-run", stat.S_IFREG | 0o601), b"x"),
            (info("world-writable", stat.S_IFREG | 0o666), b"x"),
            info("dir/", stat.S_IFDIR | 0o1777),
            ("dir/plain.txt", b"x"),
        ]
    )
    root = extract_zip(write(tmp_path, data), dest).path

    def mode(name: str) -> int:
        return stat.S_IMODE(os.stat(root / name).st_mode)

    names = ("setuid", "private", "others-run", "world-writable", "dir", "dir/plain.txt")
    assert [mode(name) for name in names] == [0o755, 0o644, 0o755, 0o644, 0o755, 0o644]
    assert mode(".") == 0o755


def test_named_target_and_existing_target(tmp_path: Path, dest: Path) -> None:
    path = write(tmp_path, build_zip([("a.txt", b"a")]))
    assert extract_zip(path, dest, name="project").path == dest / "project"
    with pytest.raises(FileExistsError, match=r"^extraction target '.*/project' already exists$"):
        extract_zip(path, dest, name="project")
    for bad in ("../escape", ".", "..", "a\0b"):
        with pytest.raises(ValueError, match="single path component"):
            extract_zip(path, dest, name=bad)


def test_case_only_differences_are_allowed_by_default(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("Makefile", b"a"), ("makefile", b"b")])
    assert extract_zip(write(tmp_path, data), dest).files == 2


def test_an_archive_of_exactly_the_limits_extracts_whole(tmp_path: Path, dest: Path) -> None:
    # Past the ratio threshold (so the ratio is counted as it streams) and exactly the total.
    payload = os.urandom(MiB + 1)
    data = build_zip([("data.bin", payload)])
    limits = ArchiveLimits(max_total_uncompressed=len(payload), max_entry_size=len(payload))
    result = extract_zip(write(tmp_path, data), dest, limits)
    assert (result.path / "data.bin").read_bytes() == payload
    assert result.total_bytes == len(payload)


# A process killed while it writes an entry: the kernel's SIGXFSZ on passing RLIMIT_FSIZE.
_KILLED_MIDWAY = """
import resource, signal, sys
from pathlib import Path
from graphql_api.ingest.extract import extract_zip
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it; the default kills
extract_zip(Path(sys.argv[1]), Path(sys.argv[2]), name="project")
"""


def test_an_extraction_killed_midway_leaves_a_staging_folder_the_sweep_removes(
    tmp_path: Path, dest: Path
) -> None:
    archive = write(tmp_path, build_zip([("a.txt", b"a"), ("big.bin", os.urandom(256 * 1024))]))
    argv = [sys.executable, "-c", _KILLED_MIDWAY, str(archive), str(dest)]
    killed = subprocess.run(argv, cwd=Path(__file__).parents[2], capture_output=True)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr.decode()
    # Staged next to the target (one file system, so the final rename is atomic), hidden.
    (staging,) = dest.iterdir()
    assert staging.name.startswith(".extract-")
    assert (staging / "a.txt").read_bytes() == b"a"
    assert sweep([(dest, ".extract-*")]) == 1  # as the server's start-up sweep takes it
    assert list(dest.iterdir()) == []
    assert extract_zip(archive, dest, name="project").files == 2


def test_every_count_and_length_limit_is_inclusive(tmp_path: Path, dest: Path) -> None:
    deep = "/".join(["d"] * 4)  # 4 levels, 7 bytes
    data = build_zip([(deep, b"x"), ("x" * 255, b"x"), ("c", b"x")])
    limits = ArchiveLimits(max_entries=3, max_depth=4, max_path_length=255)
    assert extract_zip(write(tmp_path, data), dest, limits).files == 3


def test_an_entry_of_exactly_the_ratio_threshold_is_exempt(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("blank.txt", bytes(64 * 1024))], method=DEFLATED)
    limits = ArchiveLimits(ratio_threshold=64 * 1024)
    assert extract_zip(write(tmp_path, data), dest, limits).total_bytes == 64 * 1024


def test_a_directory_by_its_mode_alone_is_a_directory(tmp_path: Path, dest: Path) -> None:
    data = build_zip([info("empty", stat.S_IFDIR | 0o755), ("f", b"x")])
    result = extract_zip(write(tmp_path, data), dest)
    assert (result.path / "empty").is_dir()
    assert (result.files, result.directories) == (1, 1)


def test_zip64_archives_extract(tmp_path: Path, dest: Path) -> None:
    # What zippers write past 65,535 entries or 4 GiB: the directory found through ZIP64.
    data = as_zip64(build_zip([("a.txt", b"a" * 100), ("dir/b.txt", b"b")]))
    root = extract_zip(write(tmp_path, data), dest).path
    assert (root / "dir/b.txt").read_bytes() == b"b"


def test_entry_comments_and_extra_fields_are_walked_over(tmp_path: Path, dest: Path) -> None:
    # Info-ZIP writes an extended timestamp ("UT") on every entry; some tools add comments.
    items: list[tuple[zipfile.ZipInfo, bytes]] = []
    for name in ("a.txt", "b.txt", "c.txt"):
        entry = info(name, stat.S_IFREG | 0o644)
        entry.extra = b"UT\x05\x00\x03" + bytes(4)
        entry.comment = b"a comment, longer than the extra field"
        items.append((entry, name.encode()))
    root = extract_zip(write(tmp_path, build_zip(items)), dest).path
    assert sorted(p.name for p in root.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_tiny_entries_are_exempt_from_the_ratio(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("blank.txt", b"\n" * (512 * 1024))], method=DEFLATED)
    assert extract_zip(write(tmp_path, data), dest).total_bytes == 512 * 1024


# -- inspection refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", "contains a '..' component"),
        ("a/../../evil.txt", "contains a '..' component"),
        ("/etc/passwd", "is an absolute path"),
        ("a\\b.txt", "contains a backslash"),
        ("..\\evil.txt", "contains a backslash"),
        ("C:/windows/evil.txt", "starts with a drive letter"),
        ("c:evil.txt", "starts with a drive letter"),
        ("a\x01b.txt", "contains a control character"),
        ("tab\there.txt", "contains a control character"),
        ("del\x7f.txt", "contains a control character"),
        (".", "has an empty name"),
        ("./", "has an empty name"),
    ],
)
def test_unsafe_paths(tmp_path: Path, dest: Path, name: str, reason: str) -> None:
    data = build_zip([("fine.txt", b"ok"), (name, b"evil")])
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_UNSAFE_PATH)
    assert error.message == f"entry {name!r} {reason}"  # the user is told what to fix


def test_nul_in_name_is_unsafe(tmp_path: Path, dest: Path) -> None:
    # zipfile truncates names at NUL when reading; the check must see the original name.
    data = build_zip([("evil.txt_.sh", b"x")]).replace(b"evil.txt_.sh", b"evil.txt\0.sh")
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_UNSAFE_PATH)


@pytest.mark.parametrize("kind", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_special_files_are_unsafe(tmp_path: Path, dest: Path, kind: int) -> None:
    data = build_zip([(info("dev", kind | 0o644), b"")])
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_UNSAFE_PATH)


def test_symlink(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("a.txt", b"a"), symlink("link", "/etc/passwd")])
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_SYMLINK)
    assert "'link'" in error.message


def test_encrypted(tmp_path: Path, dest: Path) -> None:
    data = patch_entry(build_zip([("secret.txt", b"x" * 20)]), "secret.txt", flags=0x1)
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_ENCRYPTED)


def test_unsupported_method(tmp_path: Path, dest: Path) -> None:
    data = patch_entry(build_zip([("big.bin", b"x" * 20)]), "big.bin", method=9)  # deflate64
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_UNSUPPORTED)
    assert error.message == (
        "entry 'big.bin' uses compression method 9; only stored, deflate, bzip2 and lzma are "
        "supported"
    )


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("a.txt", "a.txt", "entry 'a.txt' duplicates entry 'a.txt'"),
        ("dir/a.txt", "dir/./a.txt", "entry 'dir/./a.txt' duplicates entry 'dir/a.txt'"),
        ("dir/a.txt", "dir//a.txt", "entry 'dir//a.txt' duplicates entry 'dir/a.txt'"),
        ("caf\u00e9.txt", "cafe\u0301.txt", None),  # NFC vs NFD
        ("a", "a/b.txt", "entry 'a' is a file but 'a/b.txt' uses it as a directory"),
        ("a/b.txt", "a", "entry 'a' is a file but 'a/b.txt' uses it as a directory"),
        ("a", "a/", "entry 'a' is a file but 'a/' uses it as a directory"),  # a directory entry
    ],
)
def test_duplicates(
    tmp_path: Path, dest: Path, first: str, second: str, message: str | None
) -> None:
    data = build_zip([(first, b"1"), (second, b"2")])
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_DUPLICATE_ENTRY)
    assert message is None or error.message == message


def test_repeated_directory_entry_is_harmless(tmp_path: Path, dest: Path) -> None:
    data = build_zip([info("d/", stat.S_IFDIR), info("d/", stat.S_IFDIR), ("d/f", b"x")])
    assert extract_zip(write(tmp_path, data), dest).files == 1


def test_case_collisions_when_asked(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("README.md", b"a"), ("readme.md", b"b")])
    limits = ArchiveLimits(reject_case_collisions=True)
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_DUPLICATE_ENTRY, limits)


def test_too_many_entries(tmp_path: Path, dest: Path) -> None:
    data = build_zip([(f"f{i}", b"") for i in range(4)])
    error = assert_rejected(tmp_path, dest, data, C.TOO_MANY_ENTRIES, ArchiveLimits(max_entries=3))
    assert "4 entries" in error.message


def test_too_deep(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("/".join(["d"] * 33), b"x")])
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_TOO_DEEP)


def test_path_too_long(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("a/" + "b" * 60, b"x")])
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_TOO_DEEP, ArchiveLimits(max_path_length=50))


def test_component_over_name_max(tmp_path: Path, dest: Path) -> None:
    assert_rejected(tmp_path, dest, build_zip([("x" * 256, b"x")]), C.ARCHIVE_TOO_DEEP)


def test_entry_too_large(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("big.bin", os.urandom(200))])
    limits = ArchiveLimits(max_entry_size=100)
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_TOO_LARGE, limits)
    assert "'big.bin'" in error.message


def test_total_too_large(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("a", os.urandom(100)), ("b", os.urandom(100))])
    limits = ArchiveLimits(max_total_uncompressed=150)
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_TOO_LARGE, limits)


def test_entry_ratio_bomb(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("zeros", bytes(4 * MiB))], method=DEFLATED)
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_TOO_LARGE)
    assert "ratio" in error.message


def test_archive_ratio_bomb_of_small_entries(tmp_path: Path, dest: Path) -> None:
    # Each entry stays under the per-entry threshold; together they are a bomb.
    data = build_zip([(f"z{i}", bytes(900 * 1024)) for i in range(4)], method=DEFLATED)
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_TOO_LARGE)
    assert "archive expands" in error.message


def test_entries_overlapping_by_one_byte(tmp_path: Path, dest: Path) -> None:
    # Each entry reads back whole with a good CRC; only the extents show the overlap.
    error = assert_rejected(tmp_path, dest, overlapping_by_one_byte(), C.ARCHIVE_CORRUPT)
    assert error.message == "entry 'a' overlaps the next entry"


def test_an_entry_claiming_to_expand_from_one_byte_is_a_ratio_bomb(
    tmp_path: Path, dest: Path
) -> None:
    data = patch_central_only(build_zip([("e", b"x")]), "e", file_size=300)
    error = assert_rejected(
        tmp_path, dest, data, C.ARCHIVE_TOO_LARGE, ArchiveLimits(ratio_threshold=100)
    )
    assert "over the ratio limit 200" in error.message


def test_overlapping_entries(tmp_path: Path, dest: Path) -> None:
    data = duplicate_central_entry(build_zip([("a.txt", b"a" * 100)]), "a.txt", "b.txt")
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_CORRUPT)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", b"PK\x03\x04" + bytes(100)],
    ids=["empty-file", "text", "bare-signature"],
)
def test_not_a_zip(tmp_path: Path, dest: Path, data: bytes) -> None:
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_CORRUPT)


def _central_size(data: bytes, size: int) -> bytes:
    """`data` with its end record claiming a central directory of `size` bytes."""
    at = data.rindex(b"PK\x05\x06") + 12
    return data[:at] + size.to_bytes(4, "little") + data[at + 4 :]


_ONE = build_zip([("a.txt", b"a" * 100)])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a zip at all", "no end of central directory record"),
        (_central_size(_ONE, len(_ONE)), "bad offset for the central directory"),
        (_central_size(_ONE, 10), "truncated central directory"),
        (_ONE.replace(b"PK\x01\x02", b"PK\x01\x00"), "bad magic number in the central directory"),
    ],
    ids=["no-end-record", "directory-before-the-file", "truncated", "bad-magic"],
)
def test_an_unreadable_directory_says_why(
    tmp_path: Path, dest: Path, data: bytes, reason: str
) -> None:
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_CORRUPT)
    assert error.message == f"not a readable ZIP archive: {reason}"


def test_local_name_that_is_not_the_utf8_it_claims(tmp_path: Path, dest: Path) -> None:
    """zipfile decodes the local header's name as UTF-8 when the entry says so (found by
    hypothesis in test_ingest_fuzz.py): invalid bytes there are a corrupt archive."""
    data = bytearray(build_zip([("\u00e9.txt", b"hello")]))
    at = data.index("\u00e9".encode())  # the first copy of the name: the local header's
    data[at : at + 2] = b"\xff\xfe"
    assert_rejected(tmp_path, dest, bytes(data), C.ARCHIVE_CORRUPT)


def test_truncated(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("a.txt", os.urandom(1000))])
    assert_rejected(tmp_path, dest, data[:700], C.ARCHIVE_CORRUPT)


def test_empty_archive(tmp_path: Path, dest: Path) -> None:
    error = assert_rejected(tmp_path, dest, build_zip([]), C.EMPTY_UPLOAD)
    assert error.message == "archive has no entries"


def test_only_directories(tmp_path: Path, dest: Path) -> None:
    data = build_zip([info("a/", stat.S_IFDIR), info("a/b/", stat.S_IFDIR)])
    error = assert_rejected(tmp_path, dest, data, C.EMPTY_UPLOAD)
    assert error.message == "archive holds directories but no files"


# -- failures while streaming ----------------------------------------------------------------


def test_bad_crc_after_a_written_entry_leaves_nothing(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("good.txt", b"fine" * 1000), ("bad.txt", b"hello world")])
    data = data.replace(b"hello world", b"hello WORLD")
    error = assert_rejected(tmp_path, dest, data, C.ARCHIVE_CORRUPT)
    assert "'bad.txt'" in error.message


def test_corrupt_deflate_stream(tmp_path: Path, dest: Path) -> None:
    data = bytearray(build_zip([("a.txt", os.urandom(5000))], method=DEFLATED))
    data[100:110] = b"\xff" * 10
    assert_rejected(tmp_path, dest, bytes(data), C.ARCHIVE_CORRUPT)


def test_understated_size_bomb_never_writes_past_the_declared_size(
    tmp_path: Path, dest: Path
) -> None:
    # 8 MiB of zeros deflate to ~8 KiB; the central directory claims 1000 bytes, so the declared
    # ratio looks harmless.  The real stream is cut at 1000 bytes and then fails its CRC.
    data = build_zip([("bomb", bytes(8 * MiB))], method=DEFLATED)
    data = patch_central_only(data, "bomb", file_size=1000)
    assert_rejected(tmp_path, dest, data, C.ARCHIVE_CORRUPT)


def test_understated_size_with_matching_crc_is_cut_at_the_declared_size(
    tmp_path: Path, dest: Path
) -> None:
    data = build_zip([("bomb", bytes(8 * MiB))], method=DEFLATED)
    data = patch_central_only(data, "bomb", file_size=1000, crc=zlib.crc32(bytes(1000)))
    result = extract_zip(write(tmp_path, data), dest)
    assert (result.path / "bomb").stat().st_size == result.total_bytes == 1000


def test_bzip2_and_lzma_are_supported(tmp_path: Path, dest: Path) -> None:
    data = build_zip([("a.txt", b"abc" * 1000)], method=zipfile.ZIP_BZIP2)
    assert extract_zip(write(tmp_path, data, "b.zip"), dest).total_bytes == 3000
    data = build_zip([("a.txt", b"abc" * 1000)], method=zipfile.ZIP_LZMA)
    assert extract_zip(write(tmp_path, data, "l.zip"), dest).total_bytes == 3000


def test_missing_dest_parent_is_created(tmp_path: Path) -> None:
    path = write(tmp_path, build_zip([("a.txt", b"a")]))
    result = extract_zip(path, tmp_path / "new" / "parent")
    assert (result.path / "a.txt").read_bytes() == b"a"
