"""Parsers of git output, fed literal bytes split at every possible position."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mining.parse import (
    BatchObject,
    BatchParser,
    Commit,
    LogParser,
    LsTreeParser,
    ModificationType,
    ModifiedFile,
    TreeEntry,
)
from mining.parse.refs import (
    is_valid_refname,
    parse_packed_refs,
    parse_ref_value,
    parse_shallow,
    parse_tag_targets,
)

A = "a" * 40
B = "b" * 40
C = "c" * 40
T0 = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # 1700000000


def header(sha: str, parents: str, name: bytes = b"Al", email: bytes = b"al@x") -> bytes:
    return b"\x1e%s\0%s\0%s\0%s\0%s\x001700000000\x001700000001\0" % (
        sha.encode(), parents.encode(), name, email, email
    )  # fmt: skip


def commit(sha: str, parents: tuple[str, ...], *files: ModifiedFile, name: str = "Al") -> Commit:
    return Commit(sha, parents, name, "al@x", "al@x", T0,
                  datetime(2023, 11, 14, 22, 13, 21, tzinfo=UTC), files)  # fmt: skip


def modify(path: str, added: int | None, deleted: int | None) -> ModifiedFile:
    return ModifiedFile(path, None, added, deleted, ModificationType.MODIFY)


LOG = (
    header(A, B)
    + b"\n3\t1\tsrc/app.py\0-\t-\timg/logo.png\0"
    + b"2\t0\t\0old/na\xc3\xafve.py\0new/na\xc3\xafve.py\0"
    + header(B, f"{C} {A}")  # a merge: no numstat
    + header(C, "", name="Zoë".encode())
    + b"\n1\t0\tbad\xffname.txt\0"
)
EXPECTED = [
    commit(A, (B,), modify("src/app.py", 3, 1), modify("img/logo.png", None, None),
           ModifiedFile("new/naïve.py", "old/naïve.py", 2, 0, ModificationType.RENAME)),
    commit(B, (C, A)),
    commit(C, (), modify("bad\ufffdname.txt", 1, 0), name="Zoë"),
]  # fmt: skip


def run_log(chunks: list[bytes]) -> list[Commit]:
    parser = LogParser()
    out = [c for chunk in chunks for c in parser.feed(chunk)]
    return out + parser.flush()


@pytest.mark.parametrize("split", range(len(LOG) + 1))
def test_log_parser_any_split(split: int) -> None:
    assert run_log([LOG[:split], LOG[split:]]) == EXPECTED


def test_log_parser_byte_by_byte() -> None:
    assert run_log([LOG[i : i + 1] for i in range(len(LOG))]) == EXPECTED


def test_log_parser_merge_flag_and_empty_input() -> None:
    assert [c.merge for c in EXPECTED] == [False, True, False]
    assert run_log([]) == []


def test_log_parser_last_token_without_nul() -> None:
    assert run_log([LOG[:-1]]) == EXPECTED


def test_log_parser_rejects_output_not_starting_with_a_commit() -> None:
    with pytest.raises(ValueError, match="expected a commit"):
        LogParser().feed(b"garbage\0")


def test_ls_tree_parser() -> None:
    data = (
        b"100644 blob " + A.encode() + b"     120\tsrc/caf\xc3\xa9.py\0"
        b"120000 blob " + B.encode() + b"       9\tlink\0"
        b"160000 commit " + C.encode() + b"       -\tsub\0"
        b"100644 blob " + C.encode() + b"     BAD\tunreadable"
    )
    parser = LsTreeParser()
    entries = parser.feed(data[:30]) + parser.feed(data[30:]) + parser.flush()
    assert entries == [
        TreeEntry("100644", "blob", A, 120, "src/café.py"),
        TreeEntry("120000", "blob", B, 9, "link"),
        TreeEntry("160000", "commit", C, None, "sub"),
        TreeEntry("100644", "blob", C, None, "unreadable"),
    ]
    assert [e.is_file for e in entries] == [True, False, False, True]
    assert parser.flush() == []


BATCH = A.encode() + b" blob 5\nhello\n" + b"nope missing\n" + B.encode() + b" blob 0\n\n"


@pytest.mark.parametrize("split", range(len(BATCH) + 1))
def test_batch_parser_any_split(split: int) -> None:
    parser = BatchParser()
    objects = parser.feed(BATCH[:split]) + parser.feed(BATCH[split:]) + parser.flush()
    assert objects == [
        BatchObject(A, "blob", b"hello"),
        BatchObject("nope", None, None),
        BatchObject(B, "blob", b""),
    ]


def test_batch_parser_truncated_output() -> None:
    parser = BatchParser()
    parser.feed(A.encode() + b" blob 5\nhel")
    with pytest.raises(ValueError, match="ended inside an object"):
        parser.flush()


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("refs/heads/main", True),
        ("refs/tags/v1.0", True),
        ("refs/remotes/origin/feature/x", True),
        ("HEAD", False),
        ("heads/main", False),
        ("refs/heads/", False),
        ("refs/heads/a.", False),
        ("refs/heads/a..b", False),
        ("refs/heads/.hidden", False),
        ("refs/heads/x.lock", False),
        ("refs/heads/a@{1}", False),
        ("refs/heads/a b", False),
        ("refs/heads/a~1", False),
        ("refs/heads/a\\b", False),
        ("refs//x", False),
        ("@", False),
    ],
)
def test_refname_rules(name: str, valid: bool) -> None:
    assert is_valid_refname(name) is valid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (A.encode() + b"\n", ("sha", A)),
        (b"ref: refs/heads/main\n", ("symref", "refs/heads/main")),
    ],
)
def test_ref_values(raw: bytes, expected: tuple[str, str]) -> None:
    assert parse_ref_value(raw) == expected


@pytest.mark.parametrize(
    "raw", [b"ref: ../../etc/passwd\n", b"deadbeef\n", b"", A.upper().encode()]
)
def test_bad_ref_values(raw: bytes) -> None:
    with pytest.raises(ValueError, match="not a ref value"):
        parse_ref_value(raw)


def test_packed_refs() -> None:
    raw = (
        b"# pack-refs with: peeled fully-peeled sorted \n\n"
        + A.encode() + b" refs/heads/main\n"
        + B.encode() + b" refs/tags/v1\n^" + C.encode() + b"\n"
    )  # fmt: skip
    assert parse_packed_refs(raw) == {"refs/heads/main": A, "refs/tags/v1": B}


@pytest.mark.parametrize(
    "line", [b"xyz refs/heads/main", A.encode() + b" refs/heads/../x", b"^nothex"]
)
def test_bad_packed_refs(line: bytes) -> None:
    with pytest.raises(ValueError, match="bad packed-refs line"):
        parse_packed_refs(line + b"\n")


def test_shallow() -> None:
    assert parse_shallow(A.encode() + b"\n\n" + B.encode() + b"\n") == (A, B)
    assert parse_shallow(b"") == ()
    with pytest.raises(ValueError, match="bad shallow line"):
        parse_shallow(b"--upload-pack=evil\n")


def test_tag_targets_peel_annotated_tags_once() -> None:
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    raw = (
        f"commit\x00{a}\x00\x00\x00100\n"  # lightweight
        f"tag\x00{b}\x00commit\x00{a}\x00200\n"  # annotated, of a commit
        f"tag\x00{c}\x00tag\x00{b}\x00300\n"  # a tag of a tag: peeled once only
        f"tree\x00{c}\x00\x00\x00\n"
    ).encode()
    assert parse_tag_targets(raw) == [
        ("commit", a, b"100"), ("commit", a, b"200"), ("tag", b, b"300"), ("tree", c, b"")
    ]  # fmt: skip
