"""Parsers of git output, fed literal bytes split at every possible position."""

from __future__ import annotations

from collections.abc import Callable
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
from mining.parse.mailmap import mailmap_addresses, parse_check_mailmap
from mining.parse.refs import (
    is_valid_refname,
    parse_packed_refs,
    parse_ref_value,
    parse_shallow,
    parse_tag_dates,
    parse_tag_targets,
)
from mining.text import MAX_EMAIL, MAX_NAME, MAX_PATH

A = "a" * 40
B = "b" * 40
C = "c" * 40
T0 = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # 1700000000


def header(sha: str, parents: str, name: bytes = b"Al", email: bytes = b"al@x") -> bytes:
    return b"\x1e%s\0%s\0%s\0%s\0%s\x001700000000\0" % (
        sha.encode(), parents.encode(), name, email, email
    )  # fmt: skip


def commit(sha: str, parents: tuple[str, ...], *files: ModifiedFile, name: str = "Al") -> Commit:
    return Commit(sha, parents, name, "al@x", "al@x", T0, files)


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
        ("refs/stash", True),  # one slash is enough
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


def test_log_parser_can_be_flushed_twice_and_read_a_second_stream() -> None:
    parser = LogParser()
    first = parser.feed(LOG[:-1]) + parser.flush()
    assert parser.flush() == []
    assert first == EXPECTED
    assert parser.feed(LOG) + parser.flush() == EXPECTED


def test_log_parser_paths_may_hold_tabs() -> None:
    # A tab ends the counts only; in the path it is a control character, dropped (mining/text).
    log = header(A, "") + b"\n1\t2\ta\tb.py\0" + b"-\t-\tc\td.png\0"
    assert run_log([log]) == [commit(A, (), modify("ab.py", 1, 2), modify("cd.png", None, None))]


def test_log_parser_caps_names_emails_and_paths() -> None:
    long_name, long_email = b"n" * (MAX_NAME + 9), b"e" * (MAX_EMAIL + 9)
    path = "\U0001f600".encode() * (MAX_PATH + 9)  # four bytes a character
    log = header(A, "", long_name, long_email) + b"\n1\t0\t" + path + b"\0"
    (parsed,) = run_log([log])
    assert parsed.author_name == "n" * (MAX_NAME - 1) + "\u2026"
    assert parsed.author_email == parsed.original_email == "e" * (MAX_EMAIL - 1) + "\u2026"
    assert parsed.modified_files[0].new_path == "\U0001f600" * (MAX_PATH - 1) + "\u2026"


def test_log_parser_decodes_no_more_of_a_path_than_the_cap_could_keep() -> None:
    # 4 * MAX_PATH + 4 bytes are read at most: what follows is never decoded, even when the
    # control characters before it are dropped and leave room.
    path = b"\x01" * (4 * MAX_PATH + 4) + b"tail"
    (parsed,) = run_log([header(A, "") + b"\n1\t0\t" + path + b"\0"])
    assert parsed.modified_files[0].new_path == ""


def test_log_parser_timestamp_out_of_range() -> None:
    log = b"\x1e%s\0\0Al\0al@x\0al@x\0%s\0" % (A.encode(), b"9" * 60)
    with pytest.raises(ValueError, match=r"^git log output: timestamp b'9{40}' is out of range$"):
        run_log([log])


def _feed_log(raw: bytes) -> object:
    return LogParser().feed(raw + b"\0")


@pytest.mark.parametrize(
    ("parse", "message", "quoted"),
    [
        (_feed_log, "git log output: expected a commit, got ", 40),
        (parse_ref_value, "not a ref value: ", 80),
        (parse_shallow, "bad shallow line: ", 80),
        (parse_packed_refs, "bad packed-refs line: ", 120),
    ],
)
def test_errors_quote_a_bounded_prefix_of_the_input(
    parse: Callable[[bytes], object], message: str, quoted: int
) -> None:
    raw = b"x" * 500
    with pytest.raises(ValueError, match="x") as caught:
        parse(raw)
    assert str(caught.value) == message + repr(raw[:quoted])


def test_ls_tree_paths_may_hold_tabs_and_invalid_utf8() -> None:
    parser = LsTreeParser()
    data = b"100644 blob " + A.encode() + b"      7\ta\tb\xff.txt\0"
    assert parser.feed(data) == [TreeEntry("100644", "blob", A, 7, "ab\ufffd.txt")]


def test_ls_tree_caps_paths_and_bounds_their_decoding() -> None:
    meta = b"100644 blob " + A.encode() + b" 1\t"
    long = "\U0001f600".encode() * (MAX_PATH + 9)
    hidden = b"\x01" * (4 * MAX_PATH + 4) + b"tail"
    entries = LsTreeParser().feed(meta + long + b"\0" + meta + hidden + b"\0")
    assert [e.path for e in entries] == ["\U0001f600" * (MAX_PATH - 1) + "\u2026", ""]


def test_batch_parser_missing_names_with_spaces_and_invalid_utf8() -> None:
    parser = BatchParser()
    objects = parser.feed(b"HEAD:my file.txt missing\nHEAD:a b c ambiguous\nx\xff missing\n")
    assert objects == [
        BatchObject("HEAD:my file.txt", None, None),
        BatchObject("HEAD:a b c", None, None),
        BatchObject("x\ufffd", None, None),
    ]
    assert parser.flush() == []


@pytest.mark.parametrize("line", [b"\n", b"a  blob 1\n", b"a blob 1 2\n"])
def test_batch_parser_rejects_lines_of_another_shape(line: bytes) -> None:
    with pytest.raises(ValueError, match="unexpected line"):
        BatchParser().feed(line)


def test_batch_parser_quotes_a_bounded_prefix_of_a_bad_line() -> None:
    with pytest.raises(ValueError, match="unexpected line") as caught:
        BatchParser().feed(b"x " * 300 + b"\n")
    assert str(caught.value) == "git cat-file output: unexpected line " + repr("x " * 40)


@pytest.mark.parametrize("fed", [A.encode() + b" blob", A.encode() + b" blob 3\n"])
def test_batch_parser_flush_inside_a_header_or_before_contents(fed: bytes) -> None:
    parser = BatchParser()
    assert parser.feed(fed) == []
    with pytest.raises(ValueError, match="ended inside an object"):
        parser.flush()


def test_ref_values_and_packed_refs_keep_invalid_utf8_replaced() -> None:
    assert parse_ref_value(b"ref: refs/heads/caf\xff\n") == ("symref", "refs/heads/caf\ufffd")
    assert parse_packed_refs(A.encode() + b" refs/tags/v\xff\n") == {"refs/tags/v\ufffd": A}


def test_packed_refs_read_on_after_a_peeled_line() -> None:
    raw = B.encode() + b" refs/tags/v1\n^" + C.encode() + b"\n" + A.encode() + b" refs/tags/v2\n"
    assert parse_packed_refs(raw) == {"refs/tags/v1": B, "refs/tags/v2": A}


def test_tag_targets_skip_lines_of_another_shape_and_replace_non_ascii() -> None:
    lines = [b"garbage", b"\0".join([b"commit", A.encode(), b"", b"", b"100"]),
             b"\0".join([b"comm\xfft", b"n\xffme", b"", b"", b"200"])]  # fmt: skip
    raw = b"\n".join(lines)
    assert parse_tag_targets(raw) == [("commit", A, b"100"), ("comm\ufffdt", "n\ufffdme", b"200")]


def test_tag_dates_sorted_signed_and_undated_lines_skipped() -> None:
    raw = b"300\n100\n\n -100 \nnot-a-date\nX100\n200"
    assert parse_tag_dates(raw) == tuple(
        datetime.fromtimestamp(t, UTC) for t in (-100, 100, 200, 300)
    )
    assert parse_tag_dates(b"") == ()


def test_check_mailmap_takes_the_last_address_of_each_line() -> None:
    raw = b"Alice <Doe> <Alice@Example.com> \n<bob@x.com>\nCaf\xc3\xa9 \xff <c@x.com>\n"
    assert parse_check_mailmap(raw) == ("alice@example.com", "bob@x.com", "c@x.com")
    assert parse_check_mailmap(b"") == ()


def test_mailmap_addresses_are_every_bracketed_run_of_a_line() -> None:
    text = (
        b"# Old <Comment@X.com>\n"
        b"Alice Doe <alice@example.com> Alice <ALICE@Old.example>\n"
        b"<new@x.com> < spaced@x.com >\n"
        b"Open <unclosed\n"
        b"closed@x.com> <a <b@x.com>\n"
    )
    assert mailmap_addresses(text) == {
        "comment@x.com", "alice@example.com", "alice@old.example", "new@x.com",
        "spaced@x.com", "a <b@x.com",
    }  # fmt: skip
    assert mailmap_addresses(b"") == set()
